//go:build linux || darwin

package gitstore

import (
	"errors"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// newFileWriter creates a fresh clone's files with raw system calls, relative to a
// descriptor of the folder of the last file written: a worker's run of paths is mostly
// one folder's, so the folder is opened once per run rather than its path resolved for
// every file. The zero value is ready; close releases the folder's descriptor.
type newFileWriter struct {
	dir   string
	dirfd int
	open  bool
}

// create creates path exclusively with perm (O_EXCL: an existing file or link is an
// error, and no link is followed, not even a dangling one), writes data and returns the
// stat data of the open file. A umask that takes the owner's rights is undone.
func (w *newFileWriter) create(path string, data []byte, perm fs.FileMode) (statInfo, error) {
	dir, name := filepath.Split(path)
	dir = filepath.Clean(dir)
	if !w.open || w.dir != dir {
		w.close()
		// The folder was made (or checked to be a real folder, not a link) by
		// ensureNewDir; O_NOFOLLOW refuses a link put in its place since.
		fd, err := retryEINTR(func() (int, error) {
			return unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		})
		if err != nil {
			return statInfo{}, &fs.PathError{Op: "open", Path: dir, Err: err}
		}
		w.dir, w.dirfd, w.open = dir, fd, true
	}
	fd, err := retryEINTR(func() (int, error) {
		return unix.Openat(w.dirfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm))
	})
	if err != nil {
		return statInfo{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	st, err := writeAndStat(fd, data, uint32(perm))
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = &fs.PathError{Op: "close", Path: path, Err: cerr}
	}
	if err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			err = &fs.PathError{Op: "write", Path: path, Err: err}
		}
		return statInfo{}, err
	}
	return st, nil
}

// writeAndStat writes all of data to fd (a short write continues where it stopped),
// puts back rights a umask took, and returns the stat data read after the last change.
func writeAndStat(fd int, data []byte, perm uint32) (statInfo, error) {
	for len(data) > 0 {
		n, err := retryEINTR(func() (int, error) { return unix.Write(fd, data) })
		if err != nil {
			return statInfo{}, err
		}
		if n == 0 {
			return statInfo{}, unix.EIO
		}
		data = data[n:]
	}
	var sys unix.Stat_t
	if err := fstat(fd, &sys); err != nil {
		return statInfo{}, err
	}
	if uint32(sys.Mode)&0o777 != perm {
		// A umask that takes the owner's rights: put them back, then read the stat
		// data again (the change of mode changed ctime).
		if _, err := retryEINTR(func() (int, error) { return 0, unix.Fchmod(fd, perm) }); err != nil {
			return statInfo{}, err
		}
		if err := fstat(fd, &sys); err != nil {
			return statInfo{}, err
		}
	}
	return statInfo{
		ctimeSec: uint32(sys.Ctim.Sec), ctimeNsec: uint32(sys.Ctim.Nsec),
		mtimeSec: uint32(sys.Mtim.Sec), mtimeNsec: uint32(sys.Mtim.Nsec),
		dev: uint32(sys.Dev), ino: uint32(sys.Ino),
		uid: sys.Uid, gid: sys.Gid,
		size: uint32(sys.Size),
	}, nil
}

func fstat(fd int, sys *unix.Stat_t) error {
	_, err := retryEINTR(func() (int, error) { return 0, unix.Fstat(fd, sys) })
	return err
}

// close releases the folder's descriptor, if one is open.
func (w *newFileWriter) close() {
	if w.open {
		unix.Close(w.dirfd)
		w.open = false
	}
}

// retryEINTR calls f again while a signal interrupts it, as the os package does.
func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
}
