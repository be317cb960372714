//go:build linux

package gitstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// quickScan opens folder f once and works relative to it: its files' stats
// with fstatat, where the kernel resolves one name instead of the whole
// path, its own stat (for the folder cache), and its listing only when the
// cache cannot vouch for it. It returns, for each entry, whether it surely
// matches (same stat data as Git recorded, not racy), is missing, or needs
// the portable check; f.scanned false leaves the listing to the portable
// path.
func (s *Store) quickScan(dc *dirCache, f *folder, racy time.Time, op *folderOpener) ([]statVerdict, error) {
	out := make([]statVerdict, len(f.entries))
	fd, err := op.open(s, f.dir)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			for i := range out {
				out[i] = statMissing
			}
			f.scanned = true // nothing there: an empty record
		}
		return out, nil // otherwise statSlow: the portable path decides
	}
	// A raw descriptor, not an *os.File: this runs once per folder and
	// the runtime's bookkeeping would cost as much as the stats.
	defer unix.Close(fd)
	var st unix.Stat_t
	f.seenOK = f.wantSeen
	for i := range f.entries {
		e := &f.entries[i]
		err := unix.Fstatat(fd, path.Base(e.Path), &st, unix.AT_SYMLINK_NOFOLLOW)
		if f.wantSeen {
			switch {
			case err == nil:
				f.seen = append(f.seen, SeenFile{Name: path.Base(e.Path), Regular: st.Mode&unix.S_IFMT == unix.S_IFREG,
					Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: uint64(st.Ino)})
			case !errors.Is(err, unix.ENOENT):
				f.seenOK = false
			}
		}
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
	var self syscall.Stat_t
	if err := syscall.Fstat(fd, &self); err != nil {
		return out, nil
	}
	stamp := folderStampOfSys(&self)
	names := f.names()
	if rec, ok := dc.lookup(f.dir, stamp, names); ok {
		f.rec, f.scanned = rec, true
		return out, nil
	}
	ents, err := readDirFd(fd, &op.buf)
	if err != nil {
		return out, nil // the portable path reads it again, and reports
	}
	f.rec, f.scanned = dc.listed(f.dir, stamp, ents, names, false), true
	return out, nil
}

// folderOpener opens folders relative to their parent, kept open while
// consecutive folders share it (the beneficiaries' folders): the kernel
// then resolves one name, not the whole path.
type folderOpener struct {
	parent string
	fd     int
	isOpen bool
	buf    []byte // readDirFd's, reused from folder to folder
}

const folderFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC | unix.O_NOFOLLOW

func (o *folderOpener) open(s *Store, rel string) (int, error) {
	parent := path.Dir(rel)
	if rel == "" || parent == "." {
		return unix.Open(s.diskPath(s.gitPath(rel)), folderFlags, 0)
	}
	if !o.isOpen || o.parent != parent {
		o.close()
		// Without O_NOFOLLOW, as the whole path is resolved.
		fd, err := unix.Open(s.diskPath(s.gitPath(parent)), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return unix.Open(s.diskPath(s.gitPath(rel)), folderFlags, 0) // its error
		}
		o.parent, o.fd, o.isOpen = parent, fd, true
	}
	return unix.Openat(o.fd, path.Base(rel), folderFlags, 0)
}

func (o *folderOpener) close() {
	if o.isOpen {
		unix.Close(o.fd)
		o.isOpen = false
	}
}

// readDirFd lists an open folder with getdents64, without "." and "..";
// an entry whose type the file system does not give is stat'ed. *bufp is
// its buffer, made on first use and kept for the next folder.
func readDirFd(fd int, bufp *[]byte) ([]dirName, error) {
	var out []dirName
	if len(*bufp) == 0 {
		*bufp = make([]byte, 16<<10)
	}
	buf := *bufp
	for {
		n, err := unix.Getdents(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return out, nil
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				return nil, errors.New("getdents64 : enregistrement invalide")
			}
			typ, name := b[18], b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			b = b[reclen:]
			if string(name) == "." || string(name) == ".." {
				continue
			}
			e := dirName{name: string(name), dir: typ == unix.DT_DIR}
			if typ == unix.DT_UNKNOWN {
				var st unix.Stat_t
				if err := unix.Fstatat(fd, e.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					continue // gone meanwhile
				}
				e.dir = st.Mode&unix.S_IFMT == unix.S_IFDIR
			}
			out = append(out, e)
		}
	}
}

func modeOfPerm(mode uint32) uint32 {
	if mode&0o111 != 0 {
		return 0o100755
	}
	return 0o100644
}
