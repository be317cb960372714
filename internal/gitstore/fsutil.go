package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/acc-formation/acc/internal/atomicfile"
)

// ExistsError is returned by Commit when a change marked Exclusive names a file that
// already exists: the caller picks another name (acc new adds -2, -3 …). Nothing was
// written or committed.
type ExistsError struct {
	Path string // case-relative slash path
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("le fichier %s existe déjà : acc ne l'écrase pas", e.Path)
}

// ErrExists matches any *ExistsError with errors.Is.
var ErrExists = errors.New("le fichier existe déjà")

// Is makes errors.Is(err, ErrExists) true.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }

// GitLockError is returned when a Git lock file (index.lock, a ref's .lock) is held by
// another program for longer than Store.GitLockWait.
type GitLockError struct {
	Path string // absolute path of the lock file
}

func (e *GitLockError) Error() string {
	return fmt.Sprintf("le fichier de verrou Git %s existe : une commande git est peut-être en cours ; "+
		"si aucune ne tourne, supprimez ce fichier puis recommencez", e.Path)
}

func randSuffix() string {
	return strconv.FormatUint(rand.Uint64(), 36)
}

// syncDir fsyncs a folder so that a rename or a creation inside it survives a power loss.
func syncDir(dir string) error { return atomicfile.SyncDir(dir) }

// mkdirAll creates dir and its missing parents with perm, fsyncing the parent of each
// folder it creates. stop is a folder known to exist (the work tree root): nothing above
// it is examined. Symbolic links are refused: acc never writes through one.
func mkdirAll(dir, stop string, perm fs.FileMode) error {
	return mkdirAllNoting(dir, stop, perm, nil)
}

// mkdirAllNoting is mkdirAll for callers that sync many folders at once: when changed is
// not nil, the parent of each folder created is noted there instead of fsynced.
func mkdirAllNoting(dir, stop string, perm fs.FileMode, changed map[string]bool) error {
	if dir == stop {
		return nil
	}
	fi, err := os.Lstat(dir)
	if err == nil {
		if fi.IsDir() {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s est un lien symbolique : acc n'écrit pas à travers un lien", dir)
		}
		return fmt.Errorf("%s existe et n'est pas un dossier", dir)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return fmt.Errorf("dossier introuvable : %s", dir)
	}
	if err := mkdirAllNoting(parent, stop, perm, changed); err != nil {
		return err
	}
	if err := os.Mkdir(dir, perm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if changed != nil {
		changed[parent] = true
		return nil
	}
	return syncDir(parent)
}

// checkNoSymlink refuses a path whose folders, between root and the file, include a
// symbolic link: acc never writes through one.
func checkNoSymlink(root, rel string) error {
	dir := root
	for _, c := range splitPath(filepath.Dir(rel)) {
		dir = filepath.Join(dir, c)
		fi, err := os.Lstat(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s est un lien symbolique : acc n'écrit pas à travers un lien", dir)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s existe et n'est pas un dossier", dir)
		}
	}
	return nil
}

// splitPath splits an OS-relative path into its components ("." gives none).
func splitPath(p string) []string {
	var out []string
	for p != "." && p != "" && p != string(filepath.Separator) {
		dir, base := filepath.Split(p)
		out = append([]string{base}, out...)
		p = filepath.Clean(dir)
		if dir == "" {
			break
		}
	}
	return out
}

// writeFileAtomic writes data to path through a temporary file in the same folder (created
// with perm, fsynced, then renamed, and the folder fsynced); the temporary file is removed
// on every error path. With exclusive, the final name must not exist: the temporary file
// is hard-linked to it (link(2) fails if the name exists) and *ExistsError-like
// fs.ErrExist is returned. The temporary file's name is recorded first in acc's lock, so
// that a kill leaves nothing behind that the next holder does not remove. It returns the
// lstat of the written file.
func (s *Store) writeFileAtomic(h *heldLock, path string, data []byte, perm fs.FileMode, exclusive bool) (fs.FileInfo, error) {
	dir, base := filepath.Split(path)
	dir = filepath.Clean(dir)
	tmp := filepath.Join(dir, "."+base+".acc-"+randSuffix()+".tmp")
	if err := h.record("tmp " + strconv.Quote(tmp)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	// The umask may have removed bits the caller asked for.
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != perm.Perm() {
		if err := f.Chmod(perm.Perm()); err != nil {
			return nil, err
		}
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if exclusive {
		err := os.Link(tmp, path)
		switch {
		case err == nil:
			_ = os.Remove(tmp)
		case errors.Is(err, fs.ErrExist):
			return nil, fs.ErrExist
		case isLinkUnsupported(err):
			if err := writeExclusiveDirect(path, data, perm); err != nil {
				return nil, err
			}
			_ = os.Remove(tmp)
		default:
			return nil, err
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return os.Lstat(path)
}

// writeExclusiveDirect is the fallback of an exclusive write on file systems without hard
// links: O_EXCL on the final name, then write and fsync in place.
func writeExclusiveDirect(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// gitLock is a Git lock file (<file>.lock) this process created, as Git does before
// replacing a file: whoever creates it with O_EXCL owns the right to replace the file.
type gitLock struct {
	target string // the file to replace
	path   string // target + ".lock"
	tmp    string // a second name of the same inode, while the lock is held ("" if none)
	f      *os.File
	synced bool
	done   bool
}

// takeGitLock creates target+".lock" exclusively, waiting up to GitLockWait while another
// program holds it.
//
// The lock file is first created under a temporary name, recorded in acc's lock, then
// hard-linked to its final name (link(2) fails if the name exists, like O_EXCL). The
// temporary name is kept until the lock is released: it proves, to the next acc that
// finds this process dead, which lock file is ours: the one that is the same inode as the
// temporary file. Inode numbers alone would not do: once a file is deleted its number is
// reused at once, and a git command started later would lose its lock.
func (s *Store) takeGitLock(h *heldLock, target string, perm fs.FileMode) (*gitLock, error) {
	lockPath := target + ".lock"
	// A dot name: Git skips those when it reads refs/ (a ref lock's twin named
	// "main.lock.acc-…" would be an invalid ref to git fsck and git branch
	// while it exists, and after a kill until the next acc removes it).
	tmp := filepath.Join(filepath.Dir(lockPath), "."+filepath.Base(lockPath)+".acc-"+randSuffix())
	if err := h.record("tmp " + strconv.Quote(tmp)); err != nil {
		return nil, err
	}
	if err := h.record(fmt.Sprintf("lock %s %s", strconv.Quote(lockPath), strconv.Quote(tmp))); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, fmt.Errorf("création de %s : %w", tmp, err)
	}
	l := &gitLock{target: target, path: lockPath, tmp: tmp, f: f}
	wait := s.GitLockWait
	if wait == 0 {
		wait = 2 * time.Second
	}
	var waited time.Duration
	delay := 5 * time.Millisecond
	for {
		var err error
		if l.tmp != "" {
			err = os.Link(tmp, lockPath)
			if err != nil && !errors.Is(err, fs.ErrExist) && isLinkUnsupported(err) {
				// No hard links here: fall back to O_EXCL on the final name, as Git
				// does. A kill right after this leaves a lock file the next acc
				// cannot prove is its own: it is then reported, not removed.
				_ = l.f.Close()
				_ = os.Remove(tmp)
				l.tmp, l.f = "", nil
				continue
			}
		} else {
			var nf *os.File
			nf, err = os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
			if err == nil {
				l.f = nf
			}
		}
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			l.close()
			return nil, fmt.Errorf("création de %s : %w", lockPath, err)
		}
		if waited >= wait {
			l.close()
			return nil, &GitLockError{Path: lockPath}
		}
		d := min(delay, wait-waited)
		time.Sleep(d)
		waited += d
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// close releases the descriptor and the temporary name, leaving the lock name alone.
func (l *gitLock) close() {
	if l.f != nil {
		_ = l.f.Close()
		l.f = nil
	}
	if l.tmp != "" {
		_ = os.Remove(l.tmp)
		l.tmp = ""
	}
}

// sync fsyncs the lock's content.
func (l *gitLock) sync() error {
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	l.synced = true
	return nil
}

// commit fsyncs the lock's content (unless sync did) and renames it over the target,
// then fsyncs the folder.
func (l *gitLock) commit() error {
	if !l.synced {
		if err := l.sync(); err != nil {
			return err
		}
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	l.f = nil
	if err := os.Rename(l.path, l.target); err != nil {
		return fmt.Errorf("remplacement de %s : %w", l.target, err)
	}
	l.done = true
	l.close()
	return syncDir(filepath.Dir(l.target))
}

// rollback removes the lock file if it is still ours.
func (l *gitLock) rollback() {
	if l == nil || l.done {
		return
	}
	l.done = true
	if l.tmp != "" {
		removeIfSameFile(l.path, l.tmp)
	} else {
		_ = os.Remove(l.path)
	}
	l.close()
}

// removeIfSameFile removes path if it is the same file (inode) as witness, and says so.
func removeIfSameFile(path, witness string) bool {
	a, err := os.Lstat(path)
	if err != nil {
		return false
	}
	b, err := os.Lstat(witness)
	if err != nil || !os.SameFile(a, b) {
		return false
	}
	return os.Remove(path) == nil
}

// writeSmallFile writes one of acc's own files under .git (journals, state)
// atomically and durably, readable by its owner only.
func writeSmallFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o600)
}

// removeDurably removes a file and fsyncs its folder; a missing file is not an error.
func removeDurably(path string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeSyncedFile creates path exclusively with data, fsynced.
func writeSyncedFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
