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
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return sigOfStat(st)
	}
	return fileSig{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

// sigOfStat is statSig of what stat(2) gave.
func sigOfStat(st *syscall.Stat_t) fileSig {
	return fileSig{Size: st.Size, Mtime: st.Mtim.Nano(), Ino: uint64(st.Ino), Ctime: st.Ctim.Nano()}
}
