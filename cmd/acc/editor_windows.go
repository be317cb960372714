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
// "C:\Program Files\Notepad++\notepad++.exe" -multiInst or as code --wait
// (a .cmd found through PATHEXT) works as typed. /S makes cmd strip exactly
// the outer quotes and run the rest verbatim; the command line is given
// whole because Go's argument escaping (for C programs) is not cmd's.
// Windows forbids " in file names, so quoting path is enough.
func editorProcess(ctx context.Context, editor, path string) *exec.Cmd {
	shell := os.Getenv("ComSpec")
	if shell == "" {
		shell = `C:\Windows\System32\cmd.exe`
	}
	cmd := exec.CommandContext(ctx, shell)
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `"` + shell + `" /D /S /C "` + editor + ` "` + path + `""`}
	return cmd
}
