package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
)

// The first checkout of a clone writes into a folder that Clone created or found empty
// and that it removes if the clone fails: no file there can be a trainer's, so none is
// written under a temporary name and renamed (with a record in acc's lock for each), and
// nothing on disk is compared with the branch first. Each file is created exclusively
// (O_EXCL: a file that appeared meanwhile stops the clone rather than being replaced,
// and a link is never followed), written, and its stat data taken from the open file
// for the index: four system calls per file instead of nine, which is most of what a
// clone of 10,000 documents costs. The journal (written before, marked "fresh") lets
// the next sync finish a killed clone: a file it finds with other content than
// the branch's is one this checkout was writing, and is rewritten (checkClean).

// checkoutNew writes every path of changes (all new: the checkout starts from an unborn
// branch) into the fresh work tree and returns their index updates.
func (s *Store) checkoutNew(changes []treeChange) ([]indexUpdate, error) {
	ups := make([]indexUpdate, len(changes))
	read, closeReader := s.bulkReader()
	defer closeReader()
	s.step("sync-first-file")
	made := map[string]bool{s.Root: true} // folders known to be real folders
	var files []string                    // for an fsync of each when the file system cannot be flushed at once
	dirs := map[string]bool{}
	for i, c := range changes {
		if !c.new.present() {
			return nil, fmt.Errorf("%s : suppression dans une première copie", s.displayPath(c.path))
		}
		s.progress(PhaseCheckout, i+1, len(changes))
		u := &ups[i]
		*u = indexUpdate{path: c.path, hash: c.new.hash, mode: 0o100644}
		perm := fs.FileMode(0o600)
		if isExecMode(c.new.mode) {
			u.mode, perm = 0o100755, 0o700
		}
		disk := s.diskPath(c.path)
		dir := filepath.Dir(disk)
		if err := ensureNewDir(dir, made, dirs); err != nil {
			return nil, fmt.Errorf("création du dossier de %s : %w", s.displayPath(c.path), err)
		}
		data, err := read(c.new.hash, plumbing.BlobObject)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(disk, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			return nil, fmt.Errorf("écriture de %s : %w", s.displayPath(c.path), err)
		}
		_, err = f.Write(data)
		fi, serr := f.Stat()
		if err == nil && serr == nil && fi.Mode().Perm() != perm {
			// A umask that takes the owner's rights: put them back, then read the
			// stat data again (the change of mode changed ctime).
			if err = f.Chmod(perm); err == nil {
				fi, serr = f.Stat()
			}
		}
		if err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("écriture de %s : %w", s.displayPath(c.path), err)
		}
		u.stat = fileStat(fi)
		files = append(files, disk)
		dirs[dir] = true
	}
	// Durable before the branch and index name them: one flush of the file system, or
	// an fsync of each file and folder where there is no such flush.
	if ok, err := syncFS(s.Root); ok || err != nil {
		if err != nil {
			return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
		}
		return ups, nil
	}
	if err := parallelLimit(len(files), 16, func(i int) error {
		f, err := os.OpenFile(files[i], os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}); err != nil {
		return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
	}
	list := sortedKeys(dirs)
	if err := parallelLimit(len(list), 16, func(i int) error { return syncDir(list[i]) }); err != nil {
		return nil, fmt.Errorf("écriture des fichiers reçus : %w", err)
	}
	return ups, nil
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
