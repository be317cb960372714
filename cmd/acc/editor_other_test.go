//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditorProcess checks the Unix launch: the editor line is read by the
// shell (arguments, quotes), the path reaches the editor as one argument
// whatever it holds, and the editor's failure is the command's failure.
func TestEditorProcess(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "mon éditeur")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	editor := filepath.Join(bin, "ed.sh")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$OUT\"\nexit \"${CODE:-0}\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "args.txt")
	doc := filepath.Join(dir, `un dossier $HOME "x" ; y`, "a.md")
	cmd := editorProcess(context.Background(), `'`+editor+`' --wait "deux mots"`, doc)
	cmd.Env = append(os.Environ(), "OUT="+out)
	if err := cmd.Run(); err != nil {
		t.Fatalf("editor: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[--wait]\n[deux mots]\n[" + doc + "]\n"; string(got) != want {
		t.Errorf("editor received\n%s\nwant\n%s", got, want)
	}

	cmd = editorProcess(context.Background(), `'`+editor+`'`, doc)
	cmd.Env = append(os.Environ(), "OUT="+out, "CODE=3")
	if err := cmd.Run(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("failing editor: got %v, want exit status 3", err)
	}
}
