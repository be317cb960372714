//go:build unix

package gitstore

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only, as Git maps its index: no copy and no fresh heap pages
// for a 10 MB index. A missing file gives no data. Reading the mapping faults if another
// program truncates the file in place (go-git does; Git never does, it renames): callers
// read it under guardFaults. Where the file cannot be mapped, it is read.
func mapFile(path string) (data []byte, release func(), err error) {
	data, release, err = mmapFile(path)
	switch {
	case os.IsNotExist(err):
		return nil, func() {}, nil
	case err == errCannotMap:
		data, err := os.ReadFile(path)
		return data, func() {}, err
	}
	return data, release, err
}

// mmapFile maps a file read-only (an empty file gives no data); errCannotMap when it
// cannot be (too large for the address space, a file system that cannot map).
func mmapFile(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 {
		return nil, func() {}, nil
	}
	if size != int64(int(size)) {
		return nil, nil, errCannotMap
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, errCannotMap
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}
