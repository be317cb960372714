//go:build !windows

package main

import (
	"context"
	"os/exec"
)

// editorProcess runs the editor command line on path through the shell, as
// Git runs it, so that an editor with arguments or quotes works as typed;
// path is passed as "$1", never spliced into the command line.
func editorProcess(ctx context.Context, editor, path string) *exec.Cmd {
	return exec.CommandContext(ctx, "/bin/sh", "-c", editor+` "$@"`, editor, path)
}
