//go:build linux

package validate

import (
	"io/fs"
	"syscall"
)

// statSig is what tells, without reading it, that a file is unchanged:
// size, modification and change times, inode. The change time cannot be
// set by programs (touch, cp -p and archives set only the modification
// time), and the inode changes when a file is replaced by another.
func statSig(fi fs.FileInfo) fileSig {
	s := fileSig{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.Ino = uint64(st.Ino)
		s.Ctime = int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
	}
	return s
}
