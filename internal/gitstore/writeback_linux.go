//go:build linux && !arm

package gitstore

import (
	"os"
	"syscall"
)

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writing back dirty pages, without
// waiting.
const syncFileRangeWrite = 2

// startWriteback asks the kernel to start writing a file's range to disk now, so that the
// fsync that follows waits for less (Git's core.fsyncMethod=batch does the same).
func startWriteback(f *os.File, off, n int64) {
	_ = syscall.SyncFileRange(int(f.Fd()), off, n, syncFileRangeWrite)
}
