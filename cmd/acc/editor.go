package main

import (
	"os"
	"path/filepath"
	"strings"
)

// platformEditors lists, for an operating system, the editors acc falls
// back to when ACC_EDITOR, VISUAL and EDITOR are all unset (DESIGN §4.2):
// the first whose program is on PATH wins. Each is a command line whose
// first word is the program.
func platformEditors(goos string) []string {
	switch goos {
	case "windows":
		return []string{"notepad"}
	case "darwin":
		// -W waits for TextEdit to close the file, -e opens it in TextEdit.
		return []string{"open -W -e", "nano", "vi"}
	}
	return []string{"nano", "vi"}
}

// defaultEditor returns the first platform editor found on pathList (the
// PATH variable's value), or "".
func defaultEditor(goos, pathList string) string {
	for _, e := range platformEditors(goos) {
		prog, _, _ := strings.Cut(e, " ")
		if onPath(goos, prog, pathList) {
			return e
		}
	}
	return ""
}

// onPath reports whether an executable file named prog is in one of the
// folders of pathList (relative folders are ignored, as exec.LookPath does
// since Go 1.19).
func onPath(goos, prog, pathList string) bool {
	names := []string{prog}
	if goos == "windows" {
		names = []string{prog + ".exe", prog + ".com", prog}
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		for _, n := range names {
			fi, err := os.Stat(filepath.Join(dir, n))
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if goos == "windows" || fi.Mode().Perm()&0o111 != 0 {
				return true
			}
		}
	}
	return false
}

// noEditorMessage says, in French, how to choose an editor on that system.
func noEditorMessage(goos string) string {
	const base = "aucun éditeur trouvé (ni ACC_EDITOR, ni VISUAL, ni EDITOR, ni %s) : indiquez-en un, par exemple %s"
	switch goos {
	case "windows":
		return strings.Replace(strings.Replace(base, "%s", "notepad", 1), "%s", `setx ACC_EDITOR notepad (puis ouvrez un nouveau terminal)`, 1)
	case "darwin":
		return strings.Replace(strings.Replace(base, "%s", "TextEdit, nano ou vi", 1), "%s", `export ACC_EDITOR="open -W -e" (ou ACC_EDITOR="code --wait")`, 1)
	}
	return strings.Replace(strings.Replace(base, "%s", "nano ou vi", 1), "%s", `export EDITOR=nano (ou ACC_EDITOR="code --wait")`, 1)
}
