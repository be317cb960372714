//go:build linux

package gitstore

import (
	"io/fs"
	"syscall"
)

// folderStampOf is the stamp of a folder from its lstat.
func folderStampOf(fi fs.FileInfo) folderStamp {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return folderStampOfSys(sys)
	}
	return folderStamp{mtime: fi.ModTime().UnixNano()}
}

// folderStampOfSys is a folder's stamp from what stat(2) gave: the quick
// scan's fstat and folderStampOf.
func folderStampOfSys(st *syscall.Stat_t) folderStamp {
	return folderStamp{mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino}
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
