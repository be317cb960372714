package gitstore

import (
	"bufio"
	"bytes"
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

// DirtyError is returned when files that a sync must update hold changes that were not
// recorded: nothing was changed, the trainer records them (acc commit) first.
type DirtyError struct {
	Paths []string // relative to the case-file folder
}

func (e *DirtyError) Error() string {
	return fmt.Sprintf("modifications non enregistrées dans %s, que la synchronisation devrait remplacer : "+
		"enregistrez-les d'abord (acc commit), puis relancez acc sync ; rien n'a été modifié", strings.Join(e.Paths, ", "))
}

// errBranchMoved: a program that ignores acc's lock moved the branch during a sync.
var errBranchMoved = errors.New("la branche courante a été modifiée pendant la synchronisation par un autre programme (git ?) : relancez acc sync")

// treeChange is one path that differs between two trees.
type treeChange struct {
	path     string // from the Git root
	old, new pathEntry
}

// diffAll lists the blobs that differ between trees a and b (zero: empty tree), over the
// whole repository, in tree order. A folder replaced by a file (or the reverse) gives
// the deletions of one and the creation of the other.
func (s *Store) diffAll(a, b Hash) ([]treeChange, error) {
	var out []treeChange
	err := s.diffAllIn(a, b, "", &out)
	return out, err
}

func (s *Store) diffAllIn(a, b Hash, dir string, out *[]treeChange) error {
	if a == b {
		return nil
	}
	ea, err := s.treeEntries(a)
	if err != nil {
		return err
	}
	eb, err := s.treeEntries(b)
	if err != nil {
		return err
	}
	if len(ea) == 0 {
		// Everything in b is new (a clone's checkout: 100,000 entries): nothing to
		// match by name.
		for i := range eb {
			if err := s.visitNew(&eb[i], dir, out); err != nil {
				return err
			}
		}
		return nil
	}
	byName := make(map[string]treeEntry, len(eb))
	for _, e := range eb {
		byName[e.name] = e
	}
	join := func(n string) string {
		if dir == "" {
			return n
		}
		return dir + "/" + n
	}
	visit := func(x, y *treeEntry, name string) error {
		p := join(name)
		var ta, tb Hash
		if x != nil && x.isTree() {
			ta = x.hash
		}
		if y != nil && y.isTree() {
			tb = y.hash
		}
		if !ta.IsZero() || !tb.IsZero() {
			if err := s.diffAllIn(ta, tb, p, out); err != nil {
				return err
			}
		}
		var ox, oy pathEntry
		if x != nil && !x.isTree() {
			ox = pathEntry{mode: x.mode, hash: x.hash}
		}
		if y != nil && !y.isTree() {
			oy = pathEntry{mode: y.mode, hash: y.hash}
		}
		if ox != oy {
			*out = append(*out, treeChange{path: p, old: ox, new: oy})
		}
		return nil
	}
	seen := make(map[string]bool, len(ea))
	for i := range ea {
		x := &ea[i]
		seen[x.name] = true
		var y *treeEntry
		if e, ok := byName[x.name]; ok {
			y = &e
		}
		if err := visit(x, y, x.name); err != nil {
			return err
		}
	}
	for i := range eb {
		if !seen[eb[i].name] {
			if err := visit(nil, &eb[i], eb[i].name); err != nil {
				return err
			}
		}
	}
	return nil
}

// visitNew lists e, an entry only the new tree has (in dir), and what it holds.
func (s *Store) visitNew(e *treeEntry, dir string, out *[]treeChange) error {
	p := e.name
	if dir != "" {
		p = dir + "/" + e.name
	}
	if e.isTree() {
		return s.diffAllIn(Hash{}, e.hash, p, out)
	}
	*out = append(*out, treeChange{path: p, new: pathEntry{mode: e.mode, hash: e.hash}})
	return nil
}

// entryAt returns what tree holds at the Git path gp (absent: zero; a folder counts as
// absent).
func (s *Store) entryAt(tree Hash, gp string) (pathEntry, error) {
	if tree.IsZero() {
		return pathEntry{}, nil
	}
	e, ok, err := s.lookupPath(tree, gp)
	if err != nil || !ok || e.isTree() {
		return pathEntry{}, err
	}
	return pathEntry{mode: e.mode, hash: e.hash}, nil
}

func (s *Store) treeOf(c Hash) (Hash, error) {
	if c.IsZero() {
		return Hash{}, nil
	}
	rc, err := s.readCommit(c)
	if err != nil {
		return Hash{}, err
	}
	return rc.tree, nil
}

// regularMode tells whether a tree mode is a regular file (100644, 100755 and the old
// group-writable variants); checkMode refuses what a sync cannot write.
func regularMode(m string) bool { return strings.HasPrefix(m, "100") }

func isExecMode(m string) bool { return m == modeExec }

func (s *Store) checkModes(changes []treeChange) error {
	for _, c := range changes {
		for _, e := range []pathEntry{c.old, c.new} {
			if e.present() && !regularMode(e.mode) {
				return fmt.Errorf("%s est un lien symbolique ou un sous-module : acc sync ne sait pas l'intégrer (utilisez git)", s.displayPath(c.path))
			}
		}
	}
	return nil
}

// diskEntry hashes the file at a Git path as it is on disk; ok is false for something
// that is not a regular file (a folder, a link).
func (s *Store) diskEntry(gp string) (e pathEntry, ok bool) {
	fi, err := os.Lstat(s.diskPath(gp))
	if errors.Is(err, fs.ErrNotExist) {
		return pathEntry{}, true
	}
	if err != nil || !fi.Mode().IsRegular() {
		return pathEntry{}, false
	}
	data, err := os.ReadFile(s.diskPath(gp))
	if err != nil {
		return pathEntry{}, false
	}
	mode := modeFile
	if fi.Mode().Perm()&0o111 != 0 {
		mode = modeExec
	}
	return pathEntry{mode: mode, hash: BlobHash(data)}, true
}

// checkClean returns the changes whose file on disk is neither the old nor the new
// version: a change the trainer did not record, that moving to new would lose.
func (s *Store) checkClean(changes []treeChange) error {
	var dirty []string
	for _, c := range changes {
		d, ok := s.diskEntry(c.path)
		switch {
		case !ok:
			dirty = append(dirty, s.displayPath(c.path))
		case d.present() == c.old.present() && (!d.present() || d.hash == c.old.hash):
		case d.present() == c.new.present() && (!d.present() || d.hash == c.new.hash):
		case s.resumeFresh && !c.old.present() && d.present():
			// A file that a killed clone was writing (sync_checkout_fresh.go).
		default:
			dirty = append(dirty, s.displayPath(c.path))
		}
	}
	if len(dirty) > 0 {
		return &DirtyError{Paths: dirty}
	}
	return nil
}

// checkout moves the current branch from old to new and the work tree and index with
// it, for the paths that differ between the two commits. Files are written first (each
// atomically), under a journal that a later sync rolls forward; then the index and the
// branch move under Git's lock files, with the same crash protocol as Commit. It returns
// the Git paths it changed.
func (s *Store) checkout(h *heldLock, branch string, old, new Hash, reflogMsg string, ident Signature) ([]string, error) {
	defer h.clearRecords()
	oldTree, err := s.treeOf(old)
	if err != nil {
		return nil, err
	}
	newTree, err := s.treeOf(new)
	if err != nil {
		return nil, err
	}
	changes, err := s.diffAll(oldTree, newTree)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if c.new.present() {
			if err := s.verifyPath(c.path, c.new.mode); err != nil {
				return nil, err
			}
		}
	}
	if err := s.checkModes(changes); err != nil {
		return nil, err
	}
	fresh := s.freshClone && old.IsZero() // sync_checkout_fresh.go
	if !fresh {
		if err := s.checkClean(changes); err != nil {
			return nil, err
		}
	}
	if err := s.writeJournal(syncJournal{branch: branch, old: old, new: new, fresh: fresh}); err != nil {
		return nil, err
	}
	s.step("sync-journal")
	var ups []indexUpdate
	if fresh {
		ups, err = s.checkoutNew(changes)
	} else {
		ups, err = s.checkoutFiles(h, changes)
	}
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(changes))
	for _, c := range changes {
		paths = append(paths, c.path)
	}
	s.step("sync-files")
	if err := s.moveBranch(h, branch, old, new, ups, reflogMsg, ident); err != nil {
		return nil, err
	}
	if err := removeDurably(s.journalPath()); err != nil {
		return paths, fmt.Errorf("suppression du journal de synchronisation : %w", err)
	}
	return paths, nil
}

// pendingFile is a file of a checkout written under a temporary name.
type pendingFile struct {
	tmp, final string
}

// checkoutFiles puts the changed paths in their new state on disk and returns their
// index updates. Deletions first (a folder may become a file); then every new content
// is written to a temporary file in its folder (recorded in acc's lock, so that a kill
// leaves nothing the next holder does not remove), the temporary files are fsynced
// together, renamed into place, and their folders fsynced once each: a clone of 10,000
// documents costs one flush of the file system's journal, not 20,000. Each temporary
// file is closed as soon as it is written (and reopened for its fsync when there are
// few): a clone of 100,000 documents must work under a limit of 256 open files.
func (s *Store) checkoutFiles(h *heldLock, changes []treeChange) ([]indexUpdate, error) {
	r := newCheckoutRun(s, h, changes, s.readObject)
	defer r.removeTemps()
	if err := r.removeDeleted(); err != nil {
		return nil, err
	}
	s.step("sync-first-file")
	if err := r.writeTemps(); err != nil {
		return nil, err
	}
	if err := r.publish(); err != nil {
		return nil, err
	}
	if err := r.fillStats(); err != nil {
		return nil, err
	}
	return r.ups, nil
}

// checkoutRun is one checkoutFiles: its changes, their index updates, and what each
// phase hands on to the next.
type checkoutRun struct {
	s       *Store
	h       *heldLock
	changes []treeChange
	ups     []indexUpdate // one per change, same order
	read    func(Hash, plumbing.ObjectType) ([]byte, error)
	dirs    map[string]bool // folders whose entries changed, for fsync
	ready   map[string]bool // folders checked and created by this run
	pend    []pendingFile   // temporary files written, in order
}

func newCheckoutRun(s *Store, h *heldLock, changes []treeChange, read func(Hash, plumbing.ObjectType) ([]byte, error)) *checkoutRun {
	ups := make([]indexUpdate, len(changes))
	for i, c := range changes {
		ups[i] = indexUpdate{path: c.path}
	}
	return &checkoutRun{s: s, h: h, changes: changes, ups: ups, read: read,
		dirs: map[string]bool{}, ready: map[string]bool{}}
}

// removeTemps removes the temporary files not renamed yet: a failed checkout leaves
// none behind.
func (r *checkoutRun) removeTemps() {
	for _, p := range r.pend {
		if p.tmp != "" {
			os.Remove(p.tmp)
		}
	}
}

// removeDeleted removes from disk the paths that the new tree no longer has.
func (r *checkoutRun) removeDeleted() error {
	s := r.s
	for i, c := range r.changes {
		if c.new.present() {
			continue
		}
		if err := checkNoSymlink(s.Root, filepath.FromSlash(c.path)); err != nil {
			return err
		}
		if err := removeFile(s.diskPath(c.path), s.Root); err != nil {
			return fmt.Errorf("suppression de %s : %w", s.displayPath(c.path), err)
		}
		r.ups[i].delete = true
	}
	return nil
}

// writeTemps writes each new content under a temporary name beside its file, with
// progress, skipping the files that already hold it.
func (r *checkoutRun) writeTemps() error {
	writes := 0
	for _, c := range r.changes {
		if c.new.present() {
			writes++
		}
	}
	written := 0
	for i, c := range r.changes {
		if !c.new.present() {
			continue
		}
		written++
		r.s.progress(PhaseCheckout, written, writes)
		u := &r.ups[i]
		u.hash = c.new.hash
		u.mode = 0o100644
		if isExecMode(c.new.mode) {
			u.mode = 0o100755
		}
		if err := r.writeTemp(c); err != nil {
			return err
		}
	}
	return nil
}

// writeTemp writes c's new content to a temporary file in its folder, unless the file
// already holds it.
func (r *checkoutRun) writeTemp(c treeChange) error {
	s := r.s
	disk := s.diskPath(c.path)
	dir := filepath.Dir(disk)
	if err := r.prepareDir(c.path, dir); err != nil {
		return err
	}
	perm, same := r.current(c, disk)
	if same {
		return nil // already there: only its stat data is needed
	}
	data, err := r.read(c.new.hash, plumbing.BlobObject)
	if err != nil {
		return err
	}
	if isExecMode(c.new.mode) {
		perm |= 0o100
	} else {
		perm &^= 0o111
	}
	tmp := filepath.Join(dir, "."+filepath.Base(disk)+".acc-"+randSuffix()+".tmp")
	if err := r.h.record("tmp " + strconv.Quote(tmp)); err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", s.displayPath(c.path), err)
	}
	r.pend = append(r.pend, pendingFile{tmp: tmp, final: disk})
	_, err = f.Write(data)
	if fi, serr := f.Stat(); err == nil && serr == nil && fi.Mode().Perm() != perm {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", s.displayPath(c.path), err)
	}
	r.dirs[dir] = true
	return nil
}

// prepareDir checks (no link on the way) and creates the folder dir of Git path gp, once
// per checkout: nothing removes folders from here on.
func (r *checkoutRun) prepareDir(gp, dir string) error {
	if r.ready[dir] {
		return nil
	}
	if err := checkNoSymlink(r.s.Root, filepath.FromSlash(gp)); err != nil {
		return err
	}
	if err := mkdirAllNoting(dir, r.s.Root, dirPerm, r.dirs); err != nil {
		return fmt.Errorf("création du dossier de %s : %w", r.s.displayPath(gp), err)
	}
	r.ready[dir] = true
	return nil
}

// current looks at the file on disk that c replaces: the permissions a new version
// keeps (0o600 for a new file), and whether it already holds c's new content and
// mode. One lstat for a new file (the common case, a clone's every file); an existing
// one is read.
func (r *checkoutRun) current(c treeChange, disk string) (perm fs.FileMode, same bool) {
	perm = 0o600
	if fi, err := os.Lstat(disk); err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
		if d, ok := r.s.diskEntry(c.path); ok && d.present() && d.hash == c.new.hash && isExecMode(d.mode) == isExecMode(c.new.mode) {
			return perm, true
		}
	}
	return perm, false
}

// publish makes the temporary files durable, then visible. Many files: one flush of
// the whole file system before the renames and one after; few: an fsync per file and
// per folder.
func (r *checkoutRun) publish() error {
	bulk := false
	if len(r.pend) >= 64 {
		ok, err := syncFS(r.s.Root)
		if err != nil {
			return fmt.Errorf("écriture des fichiers reçus : %w", err)
		}
		bulk = ok
	}
	if !bulk {
		if err := parallelLimit(len(r.pend), 16, func(i int) error { return fsyncFile(r.pend[i].tmp) }); err != nil {
			return fmt.Errorf("écriture des fichiers reçus : %w", err)
		}
	}
	for i := range r.pend {
		if err := os.Rename(r.pend[i].tmp, r.pend[i].final); err != nil {
			return fmt.Errorf("écriture de %s : %w", r.pend[i].final, err)
		}
		r.pend[i].tmp = ""
	}
	if bulk {
		if _, err := syncFS(r.s.Root); err != nil {
			return fmt.Errorf("écriture des fichiers reçus : %w", err)
		}
		return nil
	}
	list := sortedKeys(r.dirs)
	if err := parallelLimit(len(list), 16, func(i int) error { return syncDir(list[i]) }); err != nil {
		return fmt.Errorf("écriture des fichiers reçus : %w", err)
	}
	return nil
}

// fsyncFile opens the file at path (closed since it was written) and fsyncs it.
func fsyncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fillStats records the stat data of every file written (or found already right) in
// its index update.
func (r *checkoutRun) fillStats() error {
	for i, c := range r.changes {
		if !c.new.present() {
			continue
		}
		fi, err := os.Lstat(r.s.diskPath(c.path))
		if err != nil {
			return err
		}
		r.ups[i].stat = fileStat(fi)
	}
	return nil
}

// parallelLimit runs fn(0..n-1) with at most limit goroutines and returns the first
// error.
func parallelLimit(n, limit int, fn func(i int) error) error {
	if n == 0 {
		return nil
	}
	next := make(chan int)
	errs := make(chan error, limit)
	workers := min(n, limit)
	for w := 0; w < workers; w++ {
		go func() {
			var first error
			for i := range next {
				if err := bug.Call(func() error { return fn(i) }); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var first error
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// moveBranch moves branch from old to new (compare-and-swap) and applies ups to the
// index, as Commit does once its objects exist: index.lock and the branch's lock, the
// journal in acc's lock (so that a death after the branch moved gets its index rolled
// forward by the next Lock), rename, reflogs, rename of the index.
func (s *Store) moveBranch(h *heldLock, branch string, old, new Hash, ups []indexUpdate, msg string, ident Signature) error {
	ixLock, err := s.takeGitLock(h, s.indexPath(), 0o644)
	if err != nil {
		return err
	}
	defer ixLock.rollback()
	refPath := s.refFile(branch)
	if err := mkdirAll(filepath.Dir(refPath), s.CommonDir, 0o755); err != nil {
		return fmt.Errorf("création du dossier de la référence %s : %w", branch, err)
	}
	refLock, err := s.takeGitLock(h, refPath, 0o644)
	if err != nil {
		return err
	}
	defer refLock.rollback()
	if b, err := s.headBranch(); err != nil || b != branch {
		return errBranchMoved
	}
	if cur, _, err := s.readRef(branch); err != nil {
		return err
	} else if cur != old {
		return errBranchMoved
	}
	sort.Slice(ups, func(i, j int) bool { return ups[i].path < ups[j].path })
	if err := s.writeIndexLock(ixLock, ups); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(refLock.f, "%s\n", new); err != nil {
		return fmt.Errorf("écriture de %s : %w", refLock.path, err)
	}
	if cur, _, err := s.readRef(branch); err != nil {
		return err
	} else if cur != old {
		return errBranchMoved
	}
	if err := s.journalMove(h, branch, old, new, ups); err != nil {
		return err
	}
	if err := h.f.Sync(); err != nil {
		return fmt.Errorf("écriture du verrou acc : %w", err)
	}
	if err := refLock.sync(); err != nil {
		return err
	}
	// The index before the branch, as in commitOnce (and for the same reason).
	if err := ixLock.commit(); err != nil {
		if ixLock.done {
			h.dirty = true
		}
		return err
	}
	s.step("sync-index")
	if err := refLock.commit(); err != nil {
		h.dirty = true
		return err
	}
	s.step("sync-ref")
	var firstErr error
	id := ident.format()
	if err := s.appendReflog(branch, old, new, id, msg); err != nil {
		firstErr = err
	}
	if err := s.appendReflog("HEAD", old, new, id, msg); err != nil && firstErr == nil {
		firstErr = err
	}
	if firstErr != nil {
		h.dirty = true
		return fmt.Errorf("branche déplacée sur %s, mais : %w", new, firstErr)
	}
	return nil
}

// setRef points the ref name at new (creating it), under its Git lock file, with a
// reflog line. A zero old requires the ref not to exist; otherwise the current value is
// not checked (acc's lock is held; only remote-tracking refs are set this way).
func (s *Store) setRef(h *heldLock, name string, mustCreate bool, new Hash, msg string, ident Signature) error {
	refPath := s.refFile(name)
	if err := mkdirAll(filepath.Dir(refPath), s.CommonDir, 0o755); err != nil {
		return fmt.Errorf("création du dossier de la référence %s : %w", name, err)
	}
	l, err := s.takeGitLock(h, refPath, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	cur, exists, err := s.readRef(name)
	if err != nil {
		return err
	}
	if mustCreate && exists {
		return fmt.Errorf("la référence %s existe déjà", name)
	}
	if cur == new && exists {
		return nil
	}
	if _, err := fmt.Fprintf(l.f, "%s\n", new); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	if err := l.commit(); err != nil {
		return err
	}
	return s.appendReflog(name, cur, new, ident.format(), msg)
}

// deleteRef removes a ref (loose and packed) and its reflog.
func (s *Store) deleteRef(h *heldLock, name string) error {
	refPath := s.refFile(name)
	if _, err := os.Lstat(filepath.Dir(refPath)); err != nil {
		if err := mkdirAll(filepath.Dir(refPath), s.CommonDir, 0o755); err != nil {
			return err
		}
	}
	l, err := s.takeGitLock(h, refPath, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	if err := s.removePackedRef(h, name); err != nil {
		return err
	}
	if err := os.Remove(refPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("suppression de la référence %s : %w", name, err)
	}
	_ = os.Remove(s.logFile(name))
	return syncDir(filepath.Dir(refPath))
}

func (s *Store) removePackedRef(h *heldLock, name string) error {
	path := filepath.Join(s.CommonDir, "packed-refs")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(" "+name+"\n")) {
		return nil
	}
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	w := bufio.NewWriter(l.f)
	skipPeeled := false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		t := strings.TrimRight(line, "\n")
		if skipPeeled && strings.HasPrefix(t, "^") {
			continue
		}
		skipPeeled = false
		if len(t) > 41 && t[0] != '#' && t[41:] == name {
			skipPeeled = true
			continue
		}
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return l.commit()
}

// recoverJournal finishes a checkout that a killed sync left (see checkout): the branch
// still at old is moved to new, files included; at new, only the journal goes; anywhere
// else (someone committed meanwhile), the journal is dropped. It returns a French note
// for the user, "" when there was nothing to do.
func (s *Store) recoverJournal(ctx context.Context, h *heldLock, ident Signature) (string, error) {
	j, err := s.readJournal()
	if err != nil || j == nil {
		return "", err
	}
	cur, _, err := s.readRef(j.branch)
	if err != nil {
		return "", err
	}
	head, err := s.headBranch()
	if err != nil {
		return "", err
	}
	switch {
	case cur == j.new:
		return "", removeDurably(s.journalPath())
	case cur == j.old && head == j.branch:
		s.resumeFresh = j.fresh && j.old.IsZero()
		defer func() { s.resumeFresh = false }()
		if _, err := s.checkout(h, j.branch, j.old, j.new, "acc sync : reprise après interruption", ident); err != nil {
			return "", fmt.Errorf("reprise de la synchronisation interrompue : %w", err)
		}
		return "synchronisation interrompue reprise et terminée", nil
	}
	return "journal d'une synchronisation interrompue ignoré (la branche a changé depuis)", removeDurably(s.journalPath())
}
