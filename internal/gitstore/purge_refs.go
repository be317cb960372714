package gitstore

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// gitRef is one reference of the repository (refs/heads, refs/tags, refs/remotes, ...),
// as read from its loose file, or from packed-refs when there is none.
type gitRef struct {
	name   string
	value  Hash
	loose  bool // a file under refs/ holds it (it wins over packed-refs)
	packed bool // packed-refs has a line for it (possibly stale when loose)
}

// refSnapshot is every reference, with the packed-refs file as it was read, so that its
// rewrite can check nothing changed meanwhile.
type refSnapshot struct {
	refs      []gitRef // sorted by name
	packedSum [20]byte // SHA-1 of packed-refs' content ("" when absent)
	packedOK  bool     // packed-refs exists
}

// listRefs reads every reference of the repository: loose files under refs/ (symbolic ones
// such as refs/remotes/origin/HEAD follow their target and are skipped) and packed-refs.
func (s *Store) listRefs() (*refSnapshot, error) {
	snap := &refSnapshot{}
	byName := map[string]*gitRef{}
	data, err := os.ReadFile(filepath.Join(s.CommonDir, "packed-refs"))
	switch {
	case err == nil:
		snap.packedOK = true
		snap.packedSum = sha1.Sum(data)
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if line == "" || line[0] == '#' || line[0] == '^' {
				continue
			}
			hex, name, ok := strings.Cut(line, " ")
			h, herr := ParseHash(hex)
			if !ok || herr != nil {
				return nil, fmt.Errorf("packed-refs illisible : ligne %q", line)
			}
			byName[name] = &gitRef{name: name, value: h, packed: true}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("lecture de packed-refs : %w", err)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, fmt.Errorf("lecture de packed-refs : %w", err)
	}
	root := filepath.Join(s.CommonDir, "refs")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		base := d.Name()
		// Lock files, acc's temporary twins of lock files, editors' leftovers: not refs.
		if strings.HasSuffix(base, ".lock") || strings.Contains(base, ".lock.acc-") || strings.HasPrefix(base, ".") {
			return nil
		}
		rel, err := filepath.Rel(s.CommonDir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		content, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("lecture de la référence %s : %w", name, err)
		}
		line := strings.TrimSpace(string(content))
		if strings.HasPrefix(line, "ref:") {
			return nil
		}
		h, err := ParseHash(line)
		if err != nil {
			return fmt.Errorf("référence %s illisible : %w", name, err)
		}
		r := byName[name]
		if r == nil {
			r = &gitRef{name: name}
			byName[name] = r
		}
		r.value, r.loose = h, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range byName {
		snap.refs = append(snap.refs, *r)
	}
	sort.Slice(snap.refs, func(i, j int) bool { return snap.refs[i].name < snap.refs[j].name })
	return snap, nil
}

// refUpdate moves (or deletes, when new is zero) one reference from old to new.
type refUpdate struct {
	gitRef
	new Hash
}

// RefChange is a reference that a purge moved or deleted (New zero).
type RefChange struct {
	Name     string
	Old, New Hash
}

// applyRefUpdates moves references the way Git does: <ref>.lock created exclusively, the
// current value compared with the expected one (another program may have moved it), the
// new value written and renamed into place; packed-refs is rewritten under
// packed-refs.lock, without the lines of references that have a loose file (stale values
// that would keep old commits alive) and without peeled lines (Git peels again on demand).
// No reflog line is written: a purge empties the reflogs afterwards.
func (s *Store) applyRefUpdates(h *heldLock, snap *refSnapshot, ups []refUpdate) error {
	rewritePacked := false
	for _, u := range ups {
		if u.packed {
			rewritePacked = true
		}
	}
	for _, r := range snap.refs {
		if r.loose && r.packed {
			rewritePacked = true
		}
	}
	for _, u := range ups {
		if !u.loose {
			continue
		}
		if err := s.updateLooseRef(h, u); err != nil {
			return err
		}
	}
	if rewritePacked && snap.packedOK {
		return s.rewritePackedRefs(h, snap, ups)
	}
	return nil
}

func (s *Store) updateLooseRef(h *heldLock, u refUpdate) error {
	path := s.refFile(u.name)
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("lecture de la référence %s : %w", u.name, err)
	}
	if cur, err := ParseHash(strings.TrimSpace(string(data))); err != nil || cur != u.value {
		return fmt.Errorf("la référence %s a changé pendant l'effacement (commande git concurrente ?) : relancez la commande", u.name)
	}
	if u.new.IsZero() {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("suppression de la référence %s : %w", u.name, err)
		}
		return syncDir(filepath.Dir(path))
	}
	if _, err := fmt.Fprintf(l.f, "%s\n", u.new); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	return l.commit()
}

func (s *Store) rewritePackedRefs(h *heldLock, snap *refSnapshot, ups []refUpdate) error {
	path := filepath.Join(s.CommonDir, "packed-refs")
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("lecture de packed-refs : %w", err)
	}
	if sha1.Sum(data) != snap.packedSum {
		return errors.New("packed-refs a changé pendant l'effacement (commande git concurrente ?) : relancez la commande")
	}
	newVal := map[string]Hash{}
	for _, u := range ups {
		newVal[u.name] = u.new
	}
	loose := map[string]bool{}
	for _, r := range snap.refs {
		if r.loose {
			loose[r.name] = true
		}
	}
	var out bytes.Buffer
	sorted := false
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if i == 0 && strings.HasPrefix(line, "# pack-refs with:") {
			sorted = strings.Contains(line, " sorted")
			continue
		}
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		hex, name, _ := strings.Cut(line, " ")
		if loose[name] {
			continue
		}
		if v, ok := newVal[name]; ok {
			if v.IsZero() {
				continue
			}
			hex = v.String()
		}
		out.WriteString(hex + " " + name + "\n")
	}
	header := "# pack-refs with:"
	if sorted {
		header += " sorted"
	}
	if _, err := l.f.WriteString(header + " \n"); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	if _, err := l.f.Write(out.Bytes()); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	return l.commit()
}

// tagTarget reads the "object" and "type" headers of a tag object.
func tagTarget(data []byte) (Hash, string, error) {
	var target Hash
	var typ string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "object":
			h, err := ParseHash(v)
			if err != nil {
				return target, "", err
			}
			target = h
		case "type":
			typ = v
		}
	}
	if target.IsZero() {
		return target, "", errors.New("objet tag Git mal formé")
	}
	return target, typ, nil
}

// withBulkStorage runs fn with the Store reading objects through a go-git storage that
// keeps pack files open and caches more: with the default storage, go-git opens and
// closes the pack file again for every object it reads from it, which dominates an
// erasure (every commit and tree of the history, every object of a rewritten pack).
func (s *Store) withBulkStorage(fn func() error) error {
	var fsys billy.Filesystem = osfs.New(s.GitDir)
	if s.CommonDir != s.GitDir {
		fsys = dotgit.NewRepositoryFilesystem(fsys, osfs.New(s.CommonDir))
	}
	st := filesystem.NewStorageWithOptions(fsys, cache.NewObjectLRU(64*cache.MiByte),
		filesystem.Options{MaxOpenDescriptors: 16})
	r, err := gogit.Open(configlessStorage{st}, nil)
	if err != nil {
		return fmt.Errorf("ouverture du dépôt Git %s : %w", s.Root, err)
	}
	s.mu.Lock()
	oldSt, oldRepo := s.storage, s.repo
	s.storage, s.repo = st, r
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.storage, s.repo = oldSt, oldRepo
		s.mu.Unlock()
		_ = st.Close()
		s.refreshObjects()
	}()
	return fn()
}

// closePackFiles releases the pack files the storage keeps open, before packs are
// deleted (Windows cannot delete an open file).
func (s *Store) closePackFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.storage != nil {
		_ = s.storage.ObjectStorage.Close()
	}
}
