//go:build !linux && !darwin

package gitstore

import (
	"io/fs"
	"os"
)

// newFileWriter creates a fresh clone's files through the os package, where there are
// no raw unix system calls to save (see sync_checkout_fresh_unix.go).
type newFileWriter struct{}

// create creates path exclusively with perm (O_EXCL: an existing file or link is an
// error, and no link is followed), writes data and returns the stat data of the open
// file. A umask that takes the owner's rights is undone.
func (*newFileWriter) create(path string, data []byte, perm fs.FileMode) (statInfo, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return statInfo{}, err
	}
	_, err = f.Write(data)
	fi, serr := f.Stat()
	if err == nil && serr == nil && fi.Mode().Perm() != perm {
		// A umask that takes the owner's rights: put them back, then read the stat
		// data again (the change of mode changed ctime).
		if err = f.Chmod(perm); err == nil {
			fi, serr = f.Stat()
		}
	}
	if err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return statInfo{}, err
	}
	return fileStat(fi), nil
}

func (*newFileWriter) close() {}
