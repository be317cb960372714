//go:build linux

package gitstore

import (
	"io/fs"
	"syscall"
)

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
