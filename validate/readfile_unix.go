//go:build linux || darwin

package validate

import (
	"fmt"
	"io/fs"
	"syscall"
)

// readFile reads a regular file, refusing one larger than maxFileSize, and
// returns its stat signature too. It speaks to the kernel directly: open,
// fstat, read, close. Through package os, every file would also be offered
// to the runtime's network poller (an epoll_ctl that fails for a regular
// file) and get several fcntl calls: at 100k documents that was a third of a
// cold validation's system time. O_NONBLOCK keeps a file replaced by a named
// pipe between the listing and the open from blocking the run (it changes
// nothing for a regular file).
func readFile(name string) ([]byte, fileSig, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fileSig{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	return readFD(fd, name)
}

// readFD reads the open file fd (name is for errors) as readFile does.
func readFD(fd int, name string) ([]byte, fileSig, error) {
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil {
		return nil, fileSig{}, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, fileSig{}, errNotRegular
	}
	if st.Size > maxFileSize {
		return nil, fileSig{}, fmt.Errorf("%w : %d octets", errTooLarge, st.Size)
	}
	// The size fstat gave, in one read (a file being written meanwhile is
	// read as it stood; the next run sees the change). Size 0 may mean
	// "unknown" on some virtual file systems: then read to the end.
	buf := make([]byte, 0, st.Size+512)
	for st.Size == 0 || int64(len(buf)) < st.Size {
		if len(buf) == cap(buf) {
			if len(buf) > maxFileSize {
				return nil, fileSig{}, fmt.Errorf("%w : plus de %d octets", errTooLarge, maxFileSize)
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fileSig{}, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n <= 0 {
			break // it shrank, or the end of a file of unknown size
		}
		buf = buf[:len(buf)+n]
	}
	return buf, sigOfStat(&st), nil
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		err := syscall.Fstat(fd, st)
		if err != syscall.EINTR {
			return err
		}
	}
}
