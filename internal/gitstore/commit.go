package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/acc-formation/acc/internal/bug"
)

// Change is one file of a commit.
type Change struct {
	// Path is the file's slash path relative to the case-file folder (Store.Prefix is
	// added by the store). It must be clean: no "..", no empty or "." component, no ".git".
	Path string
	// Content is the file's new content, written to disk atomically before the commit.
	Content []byte
	// Delete removes the file from disk (if present) and from the commit.
	Delete bool
	// FromDisk records the file as it is on disk (acc commit of files the user edited);
	// Content is ignored and nothing is written.
	FromDisk bool
	// Exclusive refuses to replace an existing file: Commit then fails with an
	// *ExistsError (errors.Is(err, ErrExists)) and writes nothing.
	Exclusive bool
	// Perm is the file's permission on disk; 0 keeps an existing file's permission and
	// gives a new one 0600 (case files are personal data). An executable bit makes the
	// file executable in Git (mode 100755).
	Perm fs.FileMode
}

// ErrNoChanges is returned by Commit when the changes leave the tree as it is in HEAD.
var ErrNoChanges = errors.New("aucun changement à enregistrer")

// maxCommitAttempts bounds the rebuilds when a concurrent git command moves the branch.
const maxCommitAttempts = 10

// dirPerm is the permission of the folders Commit creates (personal data).
const dirPerm fs.FileMode = 0o700

// Commit records exactly the given changes as one new commit on HEAD's branch (an unborn
// branch gets its first commit) and returns the commit's hash. The Store must hold acc's
// lock (Lock).
//
// Each changed file is first written to disk atomically (unless FromDisk); then blobs,
// the trees on the changed paths and the commit are written as fsynced loose objects;
// then, under index.lock and the branch's .lock (Git's own lock files), the branch is
// moved by compare-and-swap with a reflog line and the index entries of the changed
// paths are replaced, keeping the other entries byte for byte. If a git command moved the
// branch meanwhile, the commit is rebuilt on the new head. Unchanged paths, files staged
// by the user and untracked files are left alone.
//
// msg is used as given (a final newline is added). A zero When in author or committer is
// the Store's clock; a committer without name is the author.
//
// When Commit returns an error together with a non-zero hash, the commit was recorded
// but the index or a reflog could not be updated; the next Lock repairs it.
func (s *Store) Commit(ctx context.Context, changes []Change, msg string, author, committer Signature) (Hash, error) {
	h, err := s.requireLock()
	if err != nil {
		return Hash{}, err
	}
	if len(changes) == 0 {
		return Hash{}, ErrNoChanges
	}
	if err := ctx.Err(); err != nil {
		return Hash{}, err
	}
	seen := map[string]bool{}
	for _, c := range changes {
		if err := checkCasePath(c.Path); err != nil {
			return Hash{}, err
		}
		if seen[c.Path] {
			return Hash{}, fmt.Errorf("le chemin %s apparaît deux fois dans le même enregistrement", c.Path)
		}
		seen[c.Path] = true
	}
	defer h.clearRecords()

	ow := s.newObjectWriter()
	defer ow.discard()
	ups, created, err := s.writeChanges(h, ow, changes)
	if err != nil {
		return Hash{}, err
	}
	s.step("files")
	committed := false
	defer func() {
		if !committed {
			for _, p := range created {
				_ = os.Remove(p)
			}
		}
	}()
	id, err := s.commitUpdates(ctx, h, ow, ups, msg, author, committer)
	if !id.IsZero() {
		committed = true
	}
	return id, err
}

// CheckPath reports whether Commit accepts p as a path and a colleague's copy would
// receive it (the case-file layout too: beneficiaires/<id>/…), so that a caller can
// leave aside a file whose name would be refused and record the others.
func CheckPath(p string) error {
	if err := checkCasePath(p); err != nil {
		return err
	}
	return checkCaseLayout(p)
}

// checkCasePath refuses a case-relative path with a component that a colleague's copy
// would refuse in a received tree (badName in verifypath.go: ".", "..", ".git" in any
// spelling, control characters, names Windows cannot write…), so that acc never records,
// nor looks up, such a name.
func checkCasePath(p string) error {
	if p == "" {
		return &UnsafePathError{Path: p, Reason: "chemin vide"}
	}
	return checkNames(p)
}

// gitMode is the Git mode of a regular file with permission perm.
func gitMode(perm fs.FileMode) uint32 {
	if perm&0o111 != 0 {
		return 0o100755
	}
	return 0o100644
}

func treeMode(mode uint32) string {
	if mode == 0o100755 {
		return modeExec
	}
	return modeFile
}

// writeChanges puts the changes on disk and their blobs in the object store. It returns
// the index updates, sorted by path, and the files it created exclusively (removed again
// if the commit fails).
func (s *Store) writeChanges(h *heldLock, ow *objectWriter, changes []Change) ([]indexUpdate, []string, error) {
	// Exclusive creations first: if one name is taken, nothing else has been written.
	order := make([]Change, 0, len(changes))
	for _, c := range changes {
		if c.Exclusive && !c.Delete && !c.FromDisk {
			order = append(order, c)
		}
	}
	for _, c := range changes {
		if !(c.Exclusive && !c.Delete && !c.FromDisk) {
			order = append(order, c)
		}
	}
	var created []string
	fail := func(err error) ([]indexUpdate, []string, error) {
		for _, p := range created {
			_ = os.Remove(p)
		}
		return nil, nil, err
	}
	ups := make([]indexUpdate, 0, len(changes))
	for i, c := range order {
		s.progress(PhaseWrite, i, len(order))
		gp := s.gitPath(c.Path)
		disk := s.diskPath(gp)
		if err := checkNoSymlink(s.Root, filepath.FromSlash(gp)); err != nil {
			return fail(err)
		}
		u := indexUpdate{path: gp}
		switch {
		case c.Delete:
			if err := removeFile(disk, s.diskPath(s.Prefix)); err != nil {
				return fail(fmt.Errorf("suppression de %s : %w", c.Path, err))
			}
			u.delete = true
			ups = append(ups, u)
			continue
		case c.FromDisk:
			fi, data, err := readRegular(disk)
			if err == nil && fi.Mode().Perm()&0o111 != 0 {
				// Recorded, a document is never executable: drop the bit on disk
				// too, then read it again (with its new ctime for the index).
				if err = dropExecBit(disk, fi); err == nil {
					fi, data, err = readRegular(disk)
				}
			}
			if err != nil {
				return fail(fmt.Errorf("%s : %w", c.Path, err))
			}
			u.mode = gitMode(fi.Mode())
			u.stat = fileStat(fi)
			if u.hash, err = ow.write(objBlob, data); err != nil {
				return fail(err)
			}
		default:
			if err := mkdirAll(filepath.Dir(disk), s.Root, dirPerm); err != nil {
				return fail(fmt.Errorf("création du dossier de %s : %w", c.Path, err))
			}
			perm := c.Perm.Perm()
			if perm == 0 {
				perm = 0o600
				if fi, err := os.Lstat(disk); err == nil && fi.Mode().IsRegular() && !c.Exclusive {
					perm = fi.Mode().Perm() &^ 0o111 // never an executable: see dropExecBit
				}
			}
			fi, err := s.writeFileAtomic(h, disk, c.Content, perm, c.Exclusive)
			if err != nil {
				if errors.Is(err, fs.ErrExist) && c.Exclusive {
					return fail(&ExistsError{Path: c.Path})
				}
				return fail(fmt.Errorf("écriture de %s : %w", c.Path, err))
			}
			if c.Exclusive {
				created = append(created, disk)
			}
			u.mode = gitMode(perm)
			u.stat = fileStat(fi)
			if u.hash, err = ow.write(objBlob, c.Content); err != nil {
				return fail(err)
			}
		}
		ups = append(ups, u)
	}
	s.progress(PhaseWrite, len(order), len(order))
	sort.Slice(ups, func(i, j int) bool { return ups[i].path < ups[j].path })
	return ups, created, nil
}

// readRegular reads a regular file and returns the lstat taken around the read; a file
// that changes during the read is read again.
func readRegular(path string) (fs.FileInfo, []byte, error) {
	for range 3 {
		fi, err := os.Lstat(path)
		if err != nil {
			return nil, nil, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, errors.New("lien symbolique : acc n'enregistre pas de lien")
		}
		if !fi.Mode().IsRegular() {
			return nil, nil, errors.New("ce n'est pas un fichier ordinaire")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		after, err := os.Lstat(path)
		if err != nil {
			return nil, nil, err
		}
		if fileStat(fi) == fileStat(after) && int64(len(data)) == after.Size() {
			return after, data, nil
		}
	}
	return nil, nil, errors.New("le fichier change pendant sa lecture")
}

// dropExecBit removes the executable bit that a USB stick, a FAT disk or
// another system left on a document, before acc records it: a case file is
// never a program, and every colleague's copy refuses an executable in the
// case-file folder (verifypath), so recording one would stop their sync.
// The file is changed through its own descriptor, and only if it is still
// the file fi describes (a file swapped for a link meanwhile is left alone).
func dropExecBit(path string, fi fs.FileInfo) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	now, err := f.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(fi, now) {
		return errors.New("le fichier change pendant sa lecture")
	}
	if err := f.Chmod(now.Mode().Perm() &^ 0o111); err != nil {
		return fmt.Errorf("retrait du droit d'exécution : %w", err)
	}
	return nil
}

// removeFile deletes a file and the folders it leaves empty, up to stop (excluded), as
// git rm does. A missing file is not an error.
func removeFile(path, stop string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		// The file was replaced by a folder: the file's record goes, the
		// folder and what it holds stay (untracked, as for git rm --cached).
		return nil
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	for dir != stop && strings.HasPrefix(dir, stop) {
		if os.Remove(dir) != nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	return syncDir(dir)
}

// commitUpdates writes trees and commit for ups on top of HEAD and moves the branch and
// the index (see Commit). As git commit does, index.lock and the branch's lock are taken
// before HEAD is read, so that a git command cannot move the branch between the read and
// the update.
func (s *Store) commitUpdates(ctx context.Context, h *heldLock, ow *objectWriter, ups []indexUpdate, msg string, author, committer Signature) (Hash, error) {
	now := s.now()
	if author.When.IsZero() {
		author.When = now
	}
	if committer.Name == "" && committer.Email == "" {
		committer.Name, committer.Email = author.Name, author.Email
	}
	if committer.When.IsZero() {
		committer.When = now
	}
	for attempt := 1; ; attempt++ {
		id, moved, err := s.commitOnce(ctx, h, ow, ups, msg, author, committer)
		if err != nil || moved {
			return id, err
		}
		// The branch moved or HEAD changed branch under us (a program that does not
		// take Git's locks): rebuild on the new head.
		if attempt >= maxCommitAttempts {
			return Hash{}, errors.New("la branche courante change sans cesse (commandes git concurrentes) : enregistrement abandonné")
		}
		s.refreshObjects()
	}
}

// commitOnce makes one attempt; moved is false, with no error, when the branch changed
// under the locks and the attempt must be made again. A non-zero hash with an error means
// the branch moved but what follows failed. Its phases: take the locks and read the
// parent, write the new index (in parallel) and the objects, prepare the ref and the
// journal, then publish the index before the branch, then the reflogs.
func (s *Store) commitOnce(ctx context.Context, h *heldLock, ow *objectWriter, ups []indexUpdate, msg string, author, committer Signature) (id Hash, moved bool, err error) {
	c, ok, err := s.lockBranch(h)
	if err != nil || !ok {
		return Hash{}, false, err
	}
	defer c.ixLock.rollback()
	defer c.refLock.rollback()
	s.step("locks")

	// The new index depends only on the changed entries: it is built, written and
	// fsynced while the trees and the commit are (index.lock is ours).
	indexDone := make(chan error, 1)
	go func() { indexDone <- bug.Call(func() error { return s.writeIndexLock(c.ixLock, ups) }) }()
	waited := false
	waitIndex := func() error {
		if waited {
			return nil
		}
		waited = true
		return <-indexDone
	}
	defer waitIndex()

	if id, err = s.writeCommitObjects(ow, c.parent, ups, msg, author, committer); err != nil {
		return Hash{}, false, err
	}
	s.step("objects")
	if err := waitIndex(); err != nil {
		return Hash{}, false, err
	}
	s.step("index-written")
	if err := ctx.Err(); err != nil {
		return Hash{}, false, err
	}
	if ok, err := s.prepareRef(h, c, id, ups); err != nil || !ok {
		return Hash{}, false, err
	}
	s.step("journal")
	if published, err := s.publish(h, c); err != nil || !published {
		return Hash{}, false, err
	}
	if err := c.refLock.commit(); err != nil {
		h.dirty = true // the index is ahead of the branch, or the branch moved
		if !c.refLock.done {
			return Hash{}, false, err
		}
		return id, true, err
	}
	s.step("ref")
	// From here on the commit exists; failures leave the journal for the next holder.
	if err := s.writeReflogs(c, id, msg, committer); err != nil {
		h.dirty = true
		return id, true, fmt.Errorf("commit %s enregistré, mais : %w", id, err)
	}
	return id, true, nil
}

// branchLocks is what commitOnce holds: the branch, its parent commit and Git's lock
// files on the index and on the branch.
type branchLocks struct {
	branch          string
	parent          Hash
	ixLock, refLock *gitLock
}

// lockBranch takes index.lock and the branch's lock, as git commit does, before HEAD is
// read, so that a git command cannot move the branch between the read and the update.
// ok is false, with no error and no lock held, when HEAD changed branch meanwhile.
func (s *Store) lockBranch(h *heldLock) (c branchLocks, ok bool, err error) {
	if c.branch, err = s.headBranch(); err != nil {
		return c, false, err
	}
	if c.ixLock, err = s.takeGitLock(h, s.indexPath(), 0o644); err != nil {
		return c, false, err
	}
	held := false
	defer func() {
		if !held {
			c.ixLock.rollback()
			c.refLock.rollback() // nil-safe
		}
	}()
	refPath := s.refFile(c.branch)
	if err := mkdirAll(filepath.Dir(refPath), s.CommonDir, 0o755); err != nil {
		return c, false, fmt.Errorf("création du dossier de la référence %s : %w", c.branch, err)
	}
	if c.refLock, err = s.takeGitLock(h, refPath, 0o644); err != nil {
		return c, false, err
	}
	if b, err := s.headBranch(); err != nil || b != c.branch {
		return c, false, err
	}
	if c.parent, _, err = s.readRef(c.branch); err != nil {
		return c, false, err
	}
	held = true
	return c, true, nil
}

// writeCommitObjects writes the trees on the changed paths and the commit on top of
// parent (zero: a first commit), fsynced; ErrNoChanges when the tree stays the same.
func (s *Store) writeCommitObjects(ow *objectWriter, parent Hash, ups []indexUpdate, msg string, author, committer Signature) (Hash, error) {
	var base Hash
	var parents []Hash
	if !parent.IsZero() {
		pc, err := s.readCommit(parent)
		if err != nil {
			return Hash{}, err
		}
		base = pc.tree
		parents = []Hash{parent}
	}
	tree, err := s.buildTree(ow, base, ups)
	if err != nil {
		return Hash{}, err
	}
	if !parent.IsZero() && tree == base {
		return Hash{}, ErrNoChanges
	}
	id, err := ow.write(objCommit, encodeCommit(tree, parents, author, committer, msg))
	if err != nil {
		return Hash{}, err
	}
	return id, ow.sync()
}

// journalMove records in acc's lock that branch moves from old to new with the index
// entries of ups: if the holder dies after the branch moves, the next one finishes the
// index (recover.go). The caller fsyncs the lock. The path lines are written in few
// writes (a clone records 100,000 of them).
func (s *Store) journalMove(h *heldLock, branch string, old, new Hash, ups []indexUpdate) error {
	if err := h.record(fmt.Sprintf("pending %s %s %s %s", strconv.Quote(branch), old, new, strconv.Quote(s.indexPath()))); err != nil {
		return err
	}
	const flushAt = 256 << 10
	var buf []byte
	for i, u := range ups {
		buf = append(buf, "path "...)
		buf = strconv.AppendQuote(buf, u.path)
		buf = append(buf, '\n')
		if len(buf) >= flushAt || i == len(ups)-1 {
			if err := h.writeRecords(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}

// prepareRef writes id into the branch's lock file, checks that the branch is still at
// the parent (go-git and other programs move refs without lock files) and journals the
// move in acc's lock, all fsynced before anything is renamed into place. ok is false,
// with no error, when the branch moved.
func (s *Store) prepareRef(h *heldLock, c branchLocks, id Hash, ups []indexUpdate) (ok bool, err error) {
	if _, err := fmt.Fprintf(c.refLock.f, "%s\n", id); err != nil {
		return false, fmt.Errorf("écriture de %s : %w", c.refLock.path, err)
	}
	if cur, _, err := s.readRef(c.branch); err != nil || cur != c.parent {
		return false, err
	}
	// Journal: if we die after the branch moves, the next holder finishes the index.
	if err := s.journalMove(h, c.branch, c.parent, id, ups); err != nil {
		return false, err
	}
	if err := parallel(2, func(i int) error {
		if i == 0 {
			if err := h.f.Sync(); err != nil {
				return fmt.Errorf("écriture du verrou acc : %w", err)
			}
			return nil
		}
		return c.refLock.sync()
	}); err != nil {
		return false, err
	}
	return true, nil
}

// publish renames the new index into place, before the branch moves: git commit reads
// HEAD, then the index, then builds its tree from the index on top of that HEAD. Seeing
// the new branch with the old index, it would commit a tree without our files on top of
// our commit. The other way round, it bases its commit on the old branch, and its
// compare-and-swap on HEAD fails. A death in between leaves the index ahead of the
// branch: the next holder puts those entries back (recoverFrom).
func (s *Store) publish(h *heldLock, c branchLocks) (bool, error) {
	if err := c.ixLock.commit(); err != nil {
		if c.ixLock.done {
			h.dirty = true
		}
		return false, err
	}
	s.step("index")
	return true, nil
}

// writeReflogs appends the move to the branch's reflog and HEAD's.
func (s *Store) writeReflogs(c branchLocks, id Hash, msg string, committer Signature) error {
	reflogMsg, ident := reflogMessage(c.parent.IsZero(), msg), committer.format()
	var firstErr error
	if err := s.appendReflog(c.branch, c.parent, id, ident, reflogMsg); err != nil {
		firstErr = err
	}
	if err := s.appendReflog("HEAD", c.parent, id, ident, reflogMsg); err != nil && firstErr == nil {
		firstErr = err
	}
	s.step("reflog")
	return firstErr
}

// dirChanges is the part of a change set under one folder.
type dirChanges struct {
	files map[string]*indexUpdate
	dirs  map[string]*dirChanges
}

// buildTree returns the tree of base with ups applied, writing only the trees on the
// changed paths (bottom-up). base may be zero (empty tree).
func (s *Store) buildTree(ow *objectWriter, base Hash, ups []indexUpdate) (Hash, error) {
	root := &dirChanges{}
	for i := range ups {
		parts := strings.Split(ups[i].path, "/")
		d := root
		for _, p := range parts[:len(parts)-1] {
			if d.dirs == nil {
				d.dirs = map[string]*dirChanges{}
			}
			next := d.dirs[p]
			if next == nil {
				next = &dirChanges{}
				d.dirs[p] = next
			}
			d = next
		}
		if d.files == nil {
			d.files = map[string]*indexUpdate{}
		}
		d.files[parts[len(parts)-1]] = &ups[i]
	}
	h, empty, err := s.rewriteTree(ow, base, root, "")
	if err != nil {
		return Hash{}, err
	}
	if empty {
		return ow.write(objTree, nil)
	}
	return h, nil
}

func (s *Store) rewriteTree(ow *objectWriter, tree Hash, d *dirChanges, path string) (Hash, bool, error) {
	var entries []treeEntry
	if !tree.IsZero() {
		data, err := s.readObject(tree, plumbing.TreeObject)
		if err != nil {
			return Hash{}, false, err
		}
		if entries, err = parseTree(data); err != nil {
			return Hash{}, false, fmt.Errorf("tree %s : %w", tree, err)
		}
	}
	find := func(name string) int {
		for i := range entries {
			if entries[i].name == name {
				return i
			}
		}
		return -1
	}
	remove := func(i int) { entries = append(entries[:i], entries[i+1:]...) }
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "/" + name
	}
	changed := false
	for _, name := range sortedKeys(d.files) {
		u := d.files[name]
		i := find(name)
		if i >= 0 && entries[i].isTree() {
			return Hash{}, false, fmt.Errorf("%s est un dossier dans le dépôt : impossible de l'enregistrer comme fichier", join(name))
		}
		if u.delete {
			if i >= 0 {
				remove(i)
				changed = true
			}
			continue
		}
		e := treeEntry{mode: treeMode(u.mode), name: name, hash: u.hash}
		switch {
		case i < 0:
			entries = insertSorted(entries, e)
			changed = true
		case entries[i] != e:
			entries[i] = e
			changed = true
		}
	}
	for _, name := range sortedKeys(d.dirs) {
		i := find(name)
		var sub Hash
		if i >= 0 {
			if !entries[i].isTree() {
				return Hash{}, false, fmt.Errorf("%s est un fichier dans le dépôt : impossible d'y créer un dossier", join(name))
			}
			sub = entries[i].hash
		}
		nh, empty, err := s.rewriteTree(ow, sub, d.dirs[name], join(name))
		if err != nil {
			return Hash{}, false, err
		}
		switch {
		case empty:
			if i >= 0 {
				remove(i)
				changed = true
			}
		case i < 0:
			entries = insertSorted(entries, treeEntry{mode: modeTree, name: name, hash: nh})
			changed = true
		case nh != sub:
			entries[i].hash = nh
			changed = true
		}
	}
	if !changed {
		return tree, len(entries) == 0, nil
	}
	if len(entries) == 0 {
		return Hash{}, true, nil
	}
	h, err := ow.write(objTree, encodeTree(entries))
	return h, false, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WarmTrees reads, in the background, HEAD's trees on the way to the
// case-relative folder dir and that folder's own tree, so that a commit under
// dir that follows finds them in the object cache: acc commit scans the work
// tree first, and the tree of beneficiaires/ (10,000 entries at 100k documents,
// rebuilt from a chain of deltas) cost some 50 ms between the scan and the
// commit. Errors are left to the commit, which reads the trees again.
func (s *Store) WarmTrees(dir string) {
	if checkCasePath(dir) != nil {
		return
	}
	go func() {
		_ = bug.Call(func() error {
			_, head, err := s.headCommit()
			if err != nil || head.IsZero() {
				return err
			}
			c, err := s.readCommit(head)
			if err != nil {
				return err
			}
			e, ok, err := s.lookupPath(c.tree, s.gitPath(dir))
			if err != nil || !ok || !e.isTree() {
				return err
			}
			_, err = s.readObject(e.hash, plumbing.TreeObject)
			return err
		})
	}()
}
