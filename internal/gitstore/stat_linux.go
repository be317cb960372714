//go:build linux

package gitstore

import (
	"io/fs"
	"syscall"
)

// sysFolderStamp is the change time and inode of fi, where the system
// gives them (folderStampOf).
func sysFolderStamp(fi fs.FileInfo) (ctime int64, ino uint64) {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return sys.Ctim.Nano(), sys.Ino
	}
	return 0, 0
}

func fillSysStat(fi fs.FileInfo, st *statInfo) {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	st.ctimeSec, st.ctimeNsec = uint32(sys.Ctim.Sec), uint32(sys.Ctim.Nsec)
	st.mtimeSec, st.mtimeNsec = uint32(sys.Mtim.Sec), uint32(sys.Mtim.Nsec)
	st.dev, st.ino = uint32(sys.Dev), uint32(sys.Ino)
	st.uid, st.gid = sys.Uid, sys.Gid
}
