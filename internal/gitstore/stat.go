package gitstore

import (
	"io/fs"
	"time"
)

// statInfo is the stat data Git keeps in an index entry, already truncated to 32 bits as
// the index stores it.
type statInfo struct {
	ctimeSec, ctimeNsec uint32
	mtimeSec, mtimeNsec uint32
	dev, ino            uint32
	uid, gid            uint32
	size                uint32
}

// fileStat converts the result of os.Lstat into index stat data. On systems whose FileInfo
// carries no syscall stat (see stat_*.go), only mtime and size are filled: Git then treats
// the entry as stat-dirty and re-hashes the file, which is slower but correct.
func fileStat(fi fs.FileInfo) statInfo {
	st := statInfo{size: uint32(fi.Size())}
	mt := fi.ModTime()
	st.mtimeSec, st.mtimeNsec = uint32(mt.Unix()), uint32(mt.Nanosecond())
	st.ctimeSec, st.ctimeNsec = st.mtimeSec, st.mtimeNsec
	fillSysStat(fi, &st)
	return st
}

// unixTime converts index seconds and nanoseconds to a time.
func unixTime(sec, nsec uint32) time.Time {
	if sec == 0 && nsec == 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), int64(nsec))
}
