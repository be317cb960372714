//go:build linux

package validate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/acc-formation/acc/casefile"
)

// folderFiles reads the files of one beneficiary folder relative to the
// folder's own descriptor, with plain system calls: open, fstat, read,
// close. Through package os every file was also offered to the runtime's
// poller (an epoll_ctl that fails for a regular file) with several fcntl
// calls, and the kernel resolved the whole path each time: a third of a cold
// validation's system time at 100k documents, a tenth of a warm one's time.
// It reads as casefile.ReadFile does, the one reader of case files: a link
// is refused, never followed (O_NOFOLLOW), a special file too, a file over
// casefile.MaxFileSize is refused before it is read, with the same errors
// (TestFolderReadAgreesWithCasefile).
type folderFiles struct {
	fd   int
	path string
	// sig is the folder's own stat signature, read when it was opened,
	// before any listing (zero if the system did not give it).
	sig fileSig
}

// openFolder opens a folder and lists it, sorted by name as os.ReadDir does,
// with plain open and getdents calls: through package os the folder was
// also offered to the runtime's poller and each entry became an allocated
// os.DirEntry (a twentieth of a warm run at 100k documents). A folder
// replaced by a link since it was looked at is refused, not followed.
func openFolder(path string) (*folderFiles, []fs.DirEntry, error) {
	d, err := openDirAt(unix.AT_FDCWD, path, path)
	if err != nil {
		return nil, nil, err
	}
	ents, err := d.entries()
	if err != nil {
		d.close()
		return nil, nil, err
	}
	return d, ents, nil
}

// openDirAt opens the folder name of the open folder at (or the path name
// with unix.AT_FDCWD), without listing it, and reads its own signature;
// path names it in errors.
func openDirAt(at int, name, path string) (*folderFiles, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Openat(at, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	d := &folderFiles{fd: fd, path: path}
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) == nil {
		d.sig = sigOfStat(&st)
	}
	return d, nil
}

// entries lists the open folder, sorted by name as os.ReadDir does.
func (d *folderFiles) entries() ([]fs.DirEntry, error) {
	ents, err := d.list()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, nil
}

// list reads the folder's entries but . and .., with their types from the
// directory itself (or from fstatat where the file system does not say, as
// os.ReadDir does; an entry gone meanwhile is left out).
func (d *folderFiles) list() ([]fs.DirEntry, error) {
	buf := make([]byte, 8192)
	var ents []fs.DirEntry
	for {
		n, err := unix.Getdents(d.fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: err}
		}
		if n <= 0 {
			return ents, nil
		}
		for off := 0; off < n; {
			// linux_dirent64: inode, offset, record length, type, name.
			if off+direntName > n {
				return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: unix.EIO}
			}
			reclen := int(binary.NativeEndian.Uint16(buf[off+direntReclen:]))
			if reclen < direntName || off+reclen > n {
				return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: unix.EIO}
			}
			rec := buf[off : off+reclen]
			off += reclen
			dtype := rec[direntType0]
			raw := rec[direntName:]
			if i := bytes.IndexByte(raw, 0); i >= 0 {
				raw = raw[:i]
			}
			name := string(raw)
			if name == "." || name == ".." || name == "" {
				continue
			}
			typ, known := direntType(dtype)
			if !known {
				var st unix.Stat_t
				if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					if err == unix.ENOENT {
						continue
					}
					return nil, &fs.PathError{Op: "lstat", Path: filepath.Join(d.path, name), Err: err}
				}
				typ = modeType(st.Mode)
			}
			ents = append(ents, dirEntry{d: d, name: name, typ: typ})
		}
	}
}

// Offsets in a linux_dirent64 record.
var (
	direntReclen = int(unsafe.Offsetof(unix.Dirent{}.Reclen))
	direntType0  = int(unsafe.Offsetof(unix.Dirent{}.Type))
	direntName   = int(unsafe.Offsetof(unix.Dirent{}.Name))
)

// direntType is the file type of a getdents d_type; false for DT_UNKNOWN.
func direntType(t uint8) (fs.FileMode, bool) {
	switch t {
	case unix.DT_REG:
		return 0, true
	case unix.DT_DIR:
		return fs.ModeDir, true
	case unix.DT_LNK:
		return fs.ModeSymlink, true
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, true
	case unix.DT_SOCK:
		return fs.ModeSocket, true
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case unix.DT_BLK:
		return fs.ModeDevice, true
	}
	return 0, false
}

// modeType is the file type of a stat mode.
func modeType(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	case unix.S_IFREG:
		return 0
	}
	return fs.ModeIrregular
}

// dirEntry is an entry of a folder listed by folderFiles.list.
type dirEntry struct {
	d    *folderFiles
	name string
	typ  fs.FileMode
}

func (e dirEntry) Name() string      { return e.name }
func (e dirEntry) IsDir() bool       { return e.typ.IsDir() }
func (e dirEntry) Type() fs.FileMode { return e.typ }
func (e dirEntry) Info() (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(e.d.path, e.name))
}

// stat returns the signature of an entry, not following a link (as
// fs.DirEntry.Info).
func (d *folderFiles) stat(name string) (fileSig, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == nil {
			return fileSig{Size: st.Size, Mtime: st.Mtim.Nano(), Ino: st.Ino, Ctime: st.Ctim.Nano()}, nil
		}
		if err != unix.EINTR {
			return fileSig{}, &fs.PathError{Op: "lstat", Path: filepath.Join(d.path, name), Err: err}
		}
	}
}

// read reads a case file of the folder as casefile.ReadFile does. O_NONBLOCK
// keeps a file replaced by a named pipe from blocking the open (it changes
// nothing for a regular file).
func (d *folderFiles) read(name string) ([]byte, fileSig, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Openat(d.fd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.ELOOP {
		return nil, fileSig{}, casefile.ErrNotRegular
	}
	if err != nil {
		return nil, fileSig{}, &fs.PathError{Op: "open", Path: filepath.Join(d.path, name), Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fileSig{}, &fs.PathError{Op: "stat", Path: filepath.Join(d.path, name), Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, fileSig{}, casefile.ErrNotRegular
	}
	if st.Size > casefile.MaxFileSize {
		return nil, fileSig{}, fmt.Errorf("%w : %d octets", casefile.ErrTooLarge, st.Size)
	}
	// The size fstat gave, in one read (a file being written meanwhile is
	// read as it stood; the next run sees the change). Size 0 may mean
	// "unknown" on some virtual file systems: then read to the end.
	buf := make([]byte, 0, st.Size+512)
	for st.Size == 0 || int64(len(buf)) < st.Size {
		if len(buf) == cap(buf) {
			if len(buf) > casefile.MaxFileSize {
				return nil, fileSig{}, fmt.Errorf("%w : plus de %d octets", casefile.ErrTooLarge, casefile.MaxFileSize)
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fileSig{}, &fs.PathError{Op: "read", Path: filepath.Join(d.path, name), Err: err}
		}
		if n <= 0 {
			break // it shrank, or the end of a file of unknown size
		}
		buf = buf[:len(buf)+n]
	}
	return buf, sigOfStat(&st), nil
}

func (d *folderFiles) close() { unix.Close(d.fd) }

// unitOpener opens the beneficiaries' folders relative to beneficiaires/,
// open once for the run: the kernel resolves one name per folder instead of
// the whole path, and no lstat comes first, as O_DIRECTORY and O_NOFOLLOW
// refuse what is not a folder (runner.unit then looks at what it is). Safe
// for concurrent use.
type unitOpener struct{ fd int }

func newUnitOpener(parent string) *unitOpener {
	fd, err := unix.Open(parent, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	return &unitOpener{fd: fd}
}

// open opens the folder at path, named name in beneficiaires/, without
// listing it (folderFiles.entries).
func (o *unitOpener) open(path, name string) (*folderFiles, error) {
	if o == nil || o.fd < 0 || name == "" || strings.ContainsRune(name, '/') {
		return openDirAt(unix.AT_FDCWD, path, path)
	}
	return openDirAt(o.fd, name, path)
}

func (o *unitOpener) close() {
	if o != nil && o.fd >= 0 {
		unix.Close(o.fd)
	}
}
