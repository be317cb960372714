package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/acc-formation/acc/internal/bug"

	"github.com/go-git/go-git/v5/plumbing"
)

// The first checkout of a clone writes into a folder that Clone created or found empty
// and that it removes if the clone fails: no file there can be a trainer's, so none is
// written under a temporary name and renamed (with a record in acc's lock for each), and
// nothing on disk is compared with the branch first. Each file is created exclusively
// (O_EXCL: a file that appeared meanwhile stops the clone rather than being replaced,
// and a link is never followed), written, and its stat data taken from the open file
// for the index: four system calls per file instead of nine, which is most of what a
// clone of 10,000 documents costs. On Linux and macOS these are raw system calls
// relative to the folder's descriptor (newFileWriter, sync_checkout_fresh_unix.go):
// os.OpenFile would add Go's poller registration (four fcntl and a failing epoll_ctl
// per file) and resolve the whole path again each time. The journal (written before, marked "fresh") lets
// the next sync finish a killed clone: a file it finds with other content than
// the branch's is one this checkout was writing, and is rewritten (checkClean).

// checkoutWorkers is how many goroutines write a clone's files: creating a file is
// mostly the kernel's work (inode, directory entry), which runs on every core; the
// blobs are read from the mapped packs (packread.go), no descriptor kept open.
const checkoutWorkers = 4

// checkoutNew writes every path of changes (all new: the checkout starts from an unborn
// branch) into the fresh work tree and returns their index updates. Files are written by
// checkoutWorkers goroutines, each taking the next run of paths (mostly one folder's)
// and making the folders it needs first (newDirs): the 10,000 folders of 100,000
// documents are made while other workers write files, not all before.
func (s *Store) checkoutNew(changes []treeChange) ([]indexUpdate, error) {
	ups := make([]indexUpdate, len(changes))
	s.step("sync-first-file")
	nd := &newDirs{made: map[string]bool{s.Root: true}, changed: map[string]bool{}}
	dirs := map[string]bool{} // folders whose entries changed, for fsync
	for i, c := range changes {
		if !c.new.present() {
			return nil, fmt.Errorf("%s : suppression dans une première copie", s.displayPath(c.path))
		}
		dirs[filepath.Dir(s.diskPath(c.path))] = true
		ups[i] = indexUpdate{path: c.path, hash: c.new.hash, mode: 0o100644}
		if isExecMode(c.new.mode) {
			ups[i].mode = 0o100755
		}
	}
	const run = 32
	var next, written atomic.Int64
	var progressMu sync.Mutex
	var failed atomic.Bool
	if err := parallelLimit(checkoutWorkers, checkoutWorkers, func(int) error {
		var w newFileWriter
		defer w.close()
		lastDir := ""
		for !failed.Load() {
			lo := int(next.Add(run)) - run
			if lo >= len(ups) {
				return nil
			}
			for i := lo; i < min(lo+run, len(ups)); i++ {
				if dir := filepath.Dir(s.diskPath(ups[i].path)); dir != lastDir {
					if err := nd.ensure(dir); err != nil {
						failed.Store(true)
						return fmt.Errorf("création du dossier de %s : %w", s.displayPath(ups[i].path), err)
					}
					lastDir = dir
				}
				if err := s.writeNewFile(s.readObject, &w, &ups[i]); err != nil {
					failed.Store(true)
					return err
				}
			}
			n := written.Add(int64(min(run, len(ups)-lo)))
			if progressMu.TryLock() { // Progress is called by one goroutine at a time
				s.progress(PhaseCheckout, int(n), len(ups))
				progressMu.Unlock()
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	s.progress(PhaseCheckout, len(ups), len(ups))
	for d := range nd.changed {
		dirs[d] = true
	}
	// The folders are listed for the folder cache while the file system is flushed
	// (the flush waits for the disk, the listing for the processor).
	paths := make([]string, len(ups))
	for i := range ups {
		paths[i] = ups[i].path
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		_ = bug.Call(func() error { s.recordFolders(paths); return nil }) // an accelerator: a bug here costs a listing later
	}()
	defer func() { <-recorded }()
	// Durable before the branch and index name them: one flush of the file system, or
	// an fsync of each file and folder where there is no such flush.
	if ok, err := syncFS(s.Root); ok || err != nil {
		if err != nil {
			return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
		}
		return ups, nil
	}
	if err := parallelLimit(len(ups), 16, func(i int) error { return fsyncFile(s.diskPath(ups[i].path)) }); err != nil {
		return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
	}
	list := sortedKeys(dirs)
	if err := parallelLimit(len(list), 16, func(i int) error { return syncDir(list[i]) }); err != nil {
		return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
	}
	return ups, nil
}

// writeNewFile creates the file of u (which must not exist) through w, writes its blob
// and fills u's stat data from the open file.
func (s *Store) writeNewFile(read func(Hash, plumbing.ObjectType) ([]byte, error), w *newFileWriter, u *indexUpdate) error {
	perm := fs.FileMode(0o600)
	if u.mode == 0o100755 {
		perm = 0o700
	}
	data, err := read(u.hash, plumbing.BlobObject)
	if err != nil {
		return err
	}
	st, err := w.create(s.diskPath(u.path), data, perm)
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", s.displayPath(u.path), err)
	}
	u.stat = st
	return nil
}

// newDirs makes the folders of a fresh checkout for its concurrent workers.
type newDirs struct {
	mu   sync.Mutex
	made map[string]bool // folders known to be real folders
	// changed: the parents of the folders made, whose entries changed (to fsync).
	changed map[string]bool
}

// ensure makes dir and its missing parents (ensureNewDir). Under one lock: making
// folders in the same parent is serialized by the kernel anyway.
func (nd *newDirs) ensure(dir string) error {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	return ensureNewDir(dir, nd.made, nd.changed)
}

// ensureNewDir makes dir and its missing parents up to a folder of made (the work
// tree's root at least) and notes them in made; a folder that already exists must be a
// real folder, not a link. The parents of the folders created are noted in changed, to
// be fsynced.
func ensureNewDir(dir string, made, changed map[string]bool) error {
	if made[dir] {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return fmt.Errorf("dossier introuvable : %s", dir)
	}
	if err := ensureNewDir(parent, made, changed); err != nil {
		return err
	}
	err := os.Mkdir(dir, dirPerm)
	switch {
	case err == nil:
		changed[parent] = true
	case errors.Is(err, fs.ErrExist):
		fi, err := os.Lstat(dir)
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s est un lien symbolique : acc n'écrit pas à travers un lien", dir)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s existe et n'est pas un dossier", dir)
		}
	default:
		return err
	}
	made[dir] = true
	return nil
}
