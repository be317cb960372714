package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// CreateDraft writes a new file exclusively (never replacing one, *ExistsError when the
// name is taken), atomically and durably, without committing it: the caller commits it
// later (a Change with FromDisk) or takes it back with RemoveDraft. acc new --edit uses
// it so that a document whose editor is cancelled never reaches the history. The Store
// must hold acc's lock; the same path checks as Commit apply.
func (s *Store) CreateDraft(path string, content []byte, perm fs.FileMode) error {
	h, err := s.requireLock()
	if err != nil {
		return err
	}
	if err := checkCasePath(path); err != nil {
		return err
	}
	defer h.clearRecords()
	gp := s.gitPath(path)
	disk := s.diskPath(gp)
	if err := checkNoSymlink(s.Root, filepath.FromSlash(gp)); err != nil {
		return err
	}
	if err := mkdirAll(filepath.Dir(disk), s.Root, dirPerm); err != nil {
		return fmt.Errorf("création du dossier de %s : %w", path, err)
	}
	if perm.Perm() == 0 {
		perm = 0o600
	}
	if _, err := s.writeFileAtomic(h, disk, content, perm.Perm(), true); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &ExistsError{Path: path}
		}
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	return nil
}

// RemoveDraft takes back a file created by CreateDraft and never committed: it is removed
// only while no index entry records it (a concurrent acc commit may have recorded it
// meanwhile; then it is history and stays). It reports whether the file was removed. The
// Store must hold acc's lock.
func (s *Store) RemoveDraft(path string) (bool, error) {
	if _, err := s.requireLock(); err != nil {
		return false, err
	}
	if _, tracked, err := s.IndexEntry(path); err != nil || tracked {
		return false, err
	}
	gp := s.gitPath(path)
	if err := checkNoSymlink(s.Root, filepath.FromSlash(gp)); err != nil {
		return false, err
	}
	disk := s.diskPath(gp)
	if err := removeFile(disk, filepath.Dir(disk)); err != nil {
		return false, err
	}
	return true, nil
}
