package gitstore

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// BlobHash returns the Git blob id of data, as `git hash-object` computes it.
func BlobHash(data []byte) Hash { return hashObject("blob", data) }

// WorkChanges lists the files under a case-relative folder whose content on
// disk differs from what the index records: modified (or replaced by
// something that is not a regular file), deleted, and untracked files whose
// name passes keep. Like Git's own status, it trusts the index's stat data
// and reads a file only when its stat data changed, so that its cost follows
// the changes, not the number of files (one lstat per tracked file and one
// folder read per folder remain). Paths are case-relative and sorted.
func (s *Store) WorkChanges(dir string, keep func(name string) bool) (changed, deleted, untracked []string, err error) {
	entries, err := s.IndexEntries(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	tracked := make(map[string]bool, len(entries))
	for _, e := range entries {
		tracked[e.Path] = true
		fi, err := os.Lstat(s.diskPath(s.gitPath(e.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			deleted = append(deleted, e.Path)
			continue
		case err != nil:
			return nil, nil, nil, err
		case e.Matches(fi):
			continue
		case !fi.Mode().IsRegular():
			changed = append(changed, e.Path)
			continue
		}
		if fi.Size() == int64(e.Size) && gitMode(fi.Mode().Perm()) == e.Mode {
			data, err := os.ReadFile(s.diskPath(s.gitPath(e.Path)))
			if err != nil {
				return nil, nil, nil, err
			}
			if BlobHash(data) == e.Hash {
				continue // touched, not changed
			}
		}
		changed = append(changed, e.Path)
	}
	base := s.diskPath(s.gitPath(dir))
	err = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == base {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			if p != base && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err != nil {
			return err
		}
		cp := path.Join(dir, filepath.ToSlash(rel))
		if !tracked[cp] && (keep == nil || keep(d.Name())) {
			untracked = append(untracked, cp)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	sort.Strings(changed)
	sort.Strings(deleted)
	sort.Strings(untracked)
	return changed, deleted, untracked, nil
}
