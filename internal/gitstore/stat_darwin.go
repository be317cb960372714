//go:build darwin

package gitstore

import (
	"io/fs"
	"syscall"
)

// sysFolderStamp is the change time and inode of fi, where the system
// gives them (folderStampOf).
func sysFolderStamp(fi fs.FileInfo) (ctime int64, ino uint64) {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return sys.Ctimespec.Nano(), sys.Ino
	}
	return 0, 0
}

func fillSysStat(fi fs.FileInfo, st *statInfo) {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	st.ctimeSec, st.ctimeNsec = uint32(sys.Ctimespec.Sec), uint32(sys.Ctimespec.Nsec)
	st.mtimeSec, st.mtimeNsec = uint32(sys.Mtimespec.Sec), uint32(sys.Mtimespec.Nsec)
	st.dev, st.ino = uint32(sys.Dev), uint32(sys.Ino)
	st.uid, st.gid = sys.Uid, sys.Gid
}
