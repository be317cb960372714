// Package atomicfile writes a file so that a reader sees either the old
// content or the new one, whole, and the new one survives a crash once the
// write returns: a temporary file in the same folder, written, fsynced,
// closed, renamed over the target, then the folder fsynced; the temporary
// file is removed on every error path (restic's local backend does the same).
//
// It is the one atomic write of acc: the Git store's small files, the caches
// and the command outputs (report -o, validate --output) all go through it.
// The only writes that do not are the store's own temporary files whose names
// must be recorded in its lock before they exist (the checkout's journal
// needs them to clean up after a kill) and Git's own lock-file protocol
// (index.lock, ref locks, loose objects, packs).
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// tempInfix separates the target's name from the random part of a
// temporary file's name: ".NAME.tmp-123456".
const tempInfix = ".tmp-"

// IsTemp reports whether name (a base name) is a temporary file of target
// (a base name) left by a write that was killed before it finished.
func IsTemp(name, target string) bool {
	return strings.HasPrefix(name, "."+target+tempInfix)
}

// File is a file being written. Writes go to a temporary file until Commit
// renames it over the target; Abort (safe to defer, and after Commit)
// removes it.
//
// A target that exists and is not a regular file (a device such as
// /dev/null or /dev/stdout, a FIFO, a socket) is never replaced: it is
// opened and written through, as a shell redirection would.
type File struct {
	path    string
	perm    fs.FileMode
	f       *os.File
	through bool // writing straight into a non-regular target
	done    bool
}

// ErrIsDir is returned by Create when the target is a folder.
var ErrIsDir = errors.New("c'est un dossier, pas un fichier")

// Create starts writing path. On Commit the file gets exactly perm, whatever
// the umask and whatever the mode of the file it replaces.
func Create(path string, perm fs.FileMode) (*File, error) {
	// Stat, not Lstat: /dev/stdout is a link to a pipe or a terminal, which
	// must be written through; a link to a regular file is replaced by the
	// new file (the link itself, never its target, is renamed over).
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return nil, ErrIsDir
		}
		if !fi.Mode().IsRegular() {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return nil, err
			}
			return &File{path: path, perm: perm, f: f, through: true}, nil
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tempInfix+"*")
	if err != nil {
		return nil, err
	}
	return &File{path: path, perm: perm, f: f}, nil
}

// Write writes to the temporary file (or through to a non-regular target).
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Name returns the name of the file written to: the temporary file, or the
// target itself when it is written through.
func (f *File) Name() string { return f.f.Name() }

// Stat returns the stat of the file written to.
func (f *File) Stat() (fs.FileInfo, error) { return f.f.Stat() }

// Commit makes the content the target's: fsync, chmod, close, rename, fsync
// the folder. On error the temporary file is removed and the target is as it
// was.
func (f *File) Commit() error { return f.commit(true) }

// CommitUnsynced is Commit without the two fsyncs, for a cache whose reader
// checks what it reads (a checksum): readers still see the old content or
// the new one whole, but a crash may leave the old file, the new one or a
// torn one, which the reader rejects. An fsync waits for the file system's
// journal, which other programs' writes can make long.
func (f *File) CommitUnsynced() error { return f.commit(false) }

func (f *File) commit(durable bool) error {
	if f.done {
		return errors.New("atomicfile: Commit après Commit ou Abort")
	}
	f.done = true
	if f.through {
		return f.f.Close()
	}
	tmp := f.f.Name()
	var err error
	if durable {
		err = f.f.Sync()
	}
	if err == nil {
		// CreateTemp made it 0600 less the umask; the caller's perm is
		// wanted exactly.
		err = f.f.Chmod(f.perm.Perm())
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if !durable {
		return nil
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort gives up the write: the temporary file is closed and removed. It
// does nothing after Commit or a previous Abort.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.f.Close()
	if !f.through {
		_ = os.Remove(f.f.Name())
	}
}

// WriteFile replaces path with data atomically and durably, with exactly
// perm (see Create).
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir fsyncs a folder, so that a rename or a new entry in it survives a
// crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && (runtime.GOOS == "windows" || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)) {
		// Folders cannot be fsynced on Windows (NTFS journals renames),
		// nor on some file systems (EINVAL): nothing more can be done.
		return nil
	}
	return err
}
