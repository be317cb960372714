//go:build linux

package gitstore

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes everything written to the file system that holds dir (syncfs(2)): for
// a checkout of thousands of files, one flush instead of one fsync per file and folder.
// ok is false where the call does not exist.
func syncFS(dir string) (ok bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return true, err
	}
	defer f.Close()
	return true, unix.Syncfs(int(f.Fd()))
}
