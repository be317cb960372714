package gitstore

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// CacheDir returns a folder inside the Git directory where acc may keep
// caches (never committed, erased by acc purge): <common dir>/acc/cache/<name>.
func (s *Store) CacheDir(name string) string {
	return filepath.Join(s.CommonDir, "acc", "cache", name)
}

// ChangedSince returns the case-relative paths of the files that differ
// between the tree of rev and HEAD's tree (added, modified or deleted), in
// tree order. Only subtrees whose hashes differ are read, so the cost follows
// the size of the change, not of the repository. It fails with
// ErrUnknownRevision (as *RevisionError) for a revision that does not exist.
func (s *Store) ChangedSince(rev string) ([]string, error) {
	from, err := s.resolve(rev)
	if err != nil {
		return nil, err
	}
	_, head, err := s.headCommit()
	if err != nil {
		return nil, err
	}
	fc, err := s.readCommit(from)
	if err != nil {
		return nil, err
	}
	var to Hash
	if !head.IsZero() {
		hc, err := s.readCommit(head)
		if err != nil {
			return nil, err
		}
		to = hc.tree
	}
	changes, err := s.diffAll(fc.tree, to)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range changes {
		if cp, ok := s.casePath(c.path); ok && cp != "" {
			out = append(out, cp)
		}
	}
	return out, nil
}

func (s *Store) treeEntries(h Hash) ([]treeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	data, err := s.readObject(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	return parseTree(data)
}

// TreeEntry is one entry of a folder in a revision.
type TreeEntry struct {
	Name string
	Dir  bool
}

// ListAt lists the entries of a case-relative folder ("" for the case-file
// folder) in a revision, in Git's order. A folder absent from the revision
// gives ErrNotInRevision (as *RevisionError).
func (s *Store) ListAt(dir, rev string) ([]TreeEntry, error) {
	ents, err := s.listAt(dir, rev, nil)
	if err != nil {
		return nil, err
	}
	out := make([]TreeEntry, len(ents))
	for i, e := range ents {
		out[i] = TreeEntry{Name: e.name, Dir: e.isTree()}
	}
	return out, nil
}

// listAt is ListAt, keeping only the entries keep accepts (all when nil):
// the others are not checked (verifyPath), so that an entry the caller
// ignores cannot fail the listing. With keep, a link's or a gitlink's name
// is checked as a file's would be (the caller refuses its content).
func (s *Store) listAt(dir, rev string, keep func(e treeEntry) bool) ([]treeEntry, error) {
	h, err := s.resolve(rev)
	if err != nil {
		return nil, err
	}
	c, err := s.readCommit(h)
	if err != nil {
		return nil, err
	}
	tree := c.tree
	if gp := s.gitPath(strings.Trim(dir, "/")); gp != "" {
		e, ok, err := s.lookupPath(c.tree, gp)
		if err != nil {
			return nil, err
		}
		if !ok || !e.isTree() {
			return nil, &RevisionError{Rev: rev, Path: dir, Err: ErrNotInRevision}
		}
		tree = e.hash
	}
	entries, err := s.treeEntries(tree)
	if err != nil {
		return nil, err
	}
	out := make([]treeEntry, 0, len(entries))
	for _, e := range entries {
		mode := e.mode
		if keep != nil {
			if !keep(e) {
				continue
			}
			if mode == modeSymlink || mode == modeGitlink {
				mode = modeFile
			}
		}
		gp := e.name
		if d := s.gitPath(strings.Trim(dir, "/")); d != "" {
			gp = d + "/" + e.name
		}
		if err := s.verifyPath(gp, mode); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// RootCommit returns the first commit of HEAD's first-parent history: a value
// stable across clones and unknown outside the repository.
func (s *Store) RootCommit() (Hash, error) {
	root, err := s.firstParents(func(_ Hash, c rawCommit) bool { return len(c.parents) == 0 })
	if err == nil && root.IsZero() {
		err = ErrNoCommit
	}
	return root, err
}

// ErrNoCommit is returned by RootCommit on a branch with no commit yet.
var ErrNoCommit = errors.New("le dépôt n'a encore aucun commit")
