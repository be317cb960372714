//go:build linux

package gitstore

import (
	"errors"
	"path"

	"golang.org/x/sys/unix"
)

// quickStat checks entries whose files share one folder with fstatat on an
// open folder: the kernel resolves one name instead of the whole path, which
// halves the cost of checking a large index. It returns, for each entry,
// whether it surely matches (same stat data as Git recorded), is missing,
// or needs the portable slow path.
func (s *Store) quickStat(entries []IndexEntry) []statVerdict {
	out := make([]statVerdict, len(entries))
	for lo := 0; lo < len(entries); {
		dir := path.Dir(entries[lo].Path)
		hi := lo + 1
		for hi < len(entries) && path.Dir(entries[hi].Path) == dir {
			hi++
		}
		fd, err := unix.Open(s.diskPath(s.gitPath(dir)), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				for i := lo; i < hi; i++ {
					out[i] = statMissing
				}
			}
			lo = hi // statSlow for the rest: the portable path decides
			continue
		}
		var st unix.Stat_t
		for i := lo; i < hi; i++ {
			e := &entries[i]
			err := unix.Fstatat(fd, path.Base(e.Path), &st, unix.AT_SYMLINK_NOFOLLOW)
			switch {
			case errors.Is(err, unix.ENOENT):
				out[i] = statMissing
			case err != nil:
				out[i] = statSlow
			case st.Mode&unix.S_IFMT == unix.S_IFREG &&
				uint32(st.Size) == e.Size && uint32(st.Mtim.Sec) == uint32(e.MTime.Unix()) && uint32(st.Mtim.Nsec) == uint32(e.MTime.Nanosecond()) &&
				uint32(st.Ctim.Sec) == uint32(e.CTime.Unix()) && uint32(st.Ctim.Nsec) == uint32(e.CTime.Nanosecond()) &&
				uint32(st.Ino) == e.Ino && st.Uid == e.UID && st.Gid == e.GID &&
				modeOfPerm(st.Mode) == e.Mode && !e.MTime.IsZero():
				out[i] = statSame
			default:
				out[i] = statSlow
			}
		}
		unix.Close(fd)
		lo = hi
	}
	return out
}

func modeOfPerm(mode uint32) uint32 {
	if mode&0o111 != 0 {
		return 0o100755
	}
	return 0o100644
}
