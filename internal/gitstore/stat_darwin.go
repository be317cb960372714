//go:build darwin

package gitstore

import (
	"io/fs"
	"syscall"
)

// folderStampOf is the stamp of a folder from its lstat.
func folderStampOf(fi fs.FileInfo) folderStamp {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return folderStamp{mtime: sys.Mtimespec.Nano(), ctime: sys.Ctimespec.Nano(), ino: sys.Ino}
	}
	return folderStamp{mtime: fi.ModTime().UnixNano()}
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
