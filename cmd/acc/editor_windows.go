//go:build windows

package main

import (
	"context"
	"os"
	"os/exec"
	"syscall"
)

// editorProcess runs the editor command line on path through cmd.exe, the
// Windows counterpart of Git's "sh -c": an editor written as
// "C:\Program Files\Notepad++\notepad++.exe" -multiInst, or as code --wait
// (a .cmd found through PATHEXT), works as typed. /S makes cmd strip exactly
// the outer quotes and run the rest verbatim; the command line is given
// whole because Go's argument escaping (for C programs) is not cmd's. Like
// "$@" on Unix, path never goes through cmd's parsing: it is expanded from
// an environment variable, once, so a folder named "Dupont & Fils %OS%"
// stays as it is (Windows forbids " in names, so the quotes hold).
func editorProcess(ctx context.Context, editor, path string) *exec.Cmd {
	shell := os.Getenv("ComSpec")
	if shell == "" {
		shell = `C:\Windows\System32\cmd.exe`
	}
	cmd := exec.CommandContext(ctx, shell)
	cmd.Env = append(os.Environ(), "ACC_EDITOR_FILE="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `"` + shell + `" /D /V:OFF /S /C "` + editor + ` "%ACC_EDITOR_FILE%""`}
	return cmd
}
