//go:build linux

package gitstore

import (
	"errors"
	"os"
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// quickScan opens folder f once and works relative to it: its own stat
// (for the folder cache), its listing only when the cache cannot vouch for
// it, and its files' stats with fstatat, where the kernel resolves one name
// instead of the whole path. It returns, for each entry, whether it surely
// matches (same stat data as Git recorded, not racy), is missing, or needs
// the portable check; nil (and f.scanned false) leaves everything to the
// portable path.
func (s *Store) quickScan(dc *dirCache, f *folder, racy int64) ([]statVerdict, error) {
	out := make([]statVerdict, len(f.entries))
	fd, err := unix.Open(s.diskPath(s.gitPath(f.dir)), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			for i := range out {
				out[i] = statMissing
			}
			f.scanned = true // nothing there: an empty record
		}
		return out, nil // otherwise statSlow: the portable path decides
	}
	dir := os.NewFile(uintptr(fd), f.dir) // a blocking fd: not put in the poller
	defer dir.Close()
	var st unix.Stat_t
	for i := range f.entries {
		e := &f.entries[i]
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
			modeOfPerm(st.Mode) == e.Mode && !isRacy(e, racy):
			out[i] = statSame
		default:
			out[i] = statSlow
		}
	}
	// The folder's time before its listing: a file added after the
	// listing changes the time, so the record is not trusted next time.
	if err := unix.Fstat(fd, &st); err != nil {
		return out, nil
	}
	mtime := time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	names := f.names()
	if rec, ok := dc.lookup(f.dir, mtime.UnixNano(), trackedPrint(names)); ok {
		f.rec, f.scanned = rec, true
		return out, nil
	}
	ents, err := dir.ReadDir(-1)
	if err != nil {
		return out, nil // the portable path reads it again, and reports
	}
	f.rec, f.scanned = dc.listed(f.dir, mtime, ents, names), true
	return out, nil
}

func modeOfPerm(mode uint32) uint32 {
	if mode&0o111 != 0 {
		return 0o100755
	}
	return 0o100644
}
