package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Recovery describes what Lock repaired after an acc process died holding the lock.
type Recovery struct {
	// Holder is the process that died holding the lock; nil when the lock was free and
	// clean.
	Holder *LockedError
	// Removed lists the files it left that were removed: temporary files and the Git
	// lock files it had created (proved ours by their temporary twin).
	Removed []string
	// RolledForward is the commit whose branch had moved but whose index update was
	// not finished; the index now matches it. Zero if none.
	RolledForward Hash
	// Dropped is a commit that was prepared but never became the branch's head: the
	// changes it held stay on disk as uncommitted changes. Zero if none.
	Dropped Hash
}

// Recover takes acc's lock (waiting up to timeout), which repairs what a killed acc
// left behind (see Lock), releases it and reports what was done. With the lock already
// held by this Store it reports what the Lock call did.
func (s *Store) Recover(ctx context.Context, timeout time.Duration, warn io.Writer) (Recovery, error) {
	if s.lock != nil {
		return s.recovery, nil
	}
	unlock, err := s.Lock(ctx, timeout, warn)
	if err != nil {
		return Recovery{}, err
	}
	rec := s.recovery
	return rec, unlock()
}

// record kinds written in acc's lock file after the holder's line:
//
//	tmp "<path>"                                a temporary file about to be created
//	lock "<path>" "<twin>"                      a Git lock file, ours if it is the same
//	                                            inode as the temporary file <twin>
//	pending "<ref>" <old> <new> "<index path>"  the branch is about to move
//	path "<path from the Git root>"             a path of the pending commit
type pendingCommit struct {
	ref      string
	old, new Hash
	index    string
	paths    []string
}

// recoverFrom repairs after a holder that died, given the content it left in the lock
// file. New records (a roll-forward takes index.lock) are appended after that content, so
// that a death during the recovery leaves everything for the next one.
func (s *Store) recoverFrom(prev []byte, warn io.Writer) (Recovery, error) {
	h := s.lock
	h.hdrLen, h.off = int64(len(prev)), int64(len(prev))
	if len(prev) > 0 && prev[len(prev)-1] != '\n' {
		if err := h.record(""); err != nil {
			return Recovery{}, err
		}
	}
	holder := parseHolder(prev)
	rec := Recovery{Holder: holder}
	if warn != nil {
		fmt.Fprintln(warn, abandonedMessage(holder))
	}
	lines := strings.Split(string(prev), "\n")
	var pend []*pendingCommit
	var tmps []string
	// Git lock files first: a lock is ours only while its temporary twin still exists.
	for _, line := range lines[1:] {
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "tmp":
			if p, err := strconv.Unquote(rest); err == nil {
				tmps = append(tmps, p)
			}
		case "lock":
			p, tail, err := unquotePrefix(rest)
			if err != nil {
				continue
			}
			twin, _, err := unquotePrefix(tail)
			if err != nil {
				continue
			}
			if removeIfSameFile(p, twin) {
				rec.Removed = append(rec.Removed, p)
			}
		case "pending":
			pc, err := parsePending(rest)
			if err != nil {
				continue
			}
			pend = append(pend, pc)
		case "path":
			p, err := strconv.Unquote(rest)
			if err != nil || len(pend) == 0 {
				continue
			}
			last := pend[len(pend)-1]
			last.paths = append(last.paths, p)
		}
	}
	for _, p := range tmps {
		if os.Remove(p) == nil {
			rec.Removed = append(rec.Removed, p)
		}
	}
	for _, pc := range pend {
		cur, _, err := s.readRef(pc.ref)
		if err != nil {
			return rec, err
		}
		if cur != pc.new {
			if cur == pc.old {
				rec.Dropped = pc.new
			}
			if err := s.rollBackIndex(h, pc); err != nil {
				return rec, fmt.Errorf("retour de l'index après l'enregistrement interrompu %s : %w", pc.new, err)
			}
			continue
		}
		if err := s.rollForward(h, pc); err != nil {
			return rec, fmt.Errorf("reprise de l'enregistrement interrompu %s : %w", pc.new, err)
		}
		rec.RolledForward = pc.new
	}
	return rec, nil
}

// abandonedMessage is the French notice for a lock left by a process that died.
func abandonedMessage(holder *LockedError) string {
	host, _ := os.Hostname()
	switch {
	case holder.PID == 0:
		return "acc : verrou abandonné levé"
	case holder.Host != "" && holder.Host != hostField(host):
		return fmt.Sprintf("acc : verrou abandonné par le processus %d sur l'hôte %s levé", holder.PID, holder.Host)
	}
	if alive, known := processAlive(holder.PID); known && !alive {
		return fmt.Sprintf("acc : verrou abandonné par le processus %d (mort) levé", holder.PID)
	}
	return fmt.Sprintf("acc : verrou abandonné par le processus %d levé", holder.PID)
}

func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	v, err := strconv.Unquote(q)
	return v, strings.TrimSpace(s[len(q):]), err
}

func parsePending(rest string) (*pendingCommit, error) {
	ref, tail, err := unquotePrefix(rest)
	if err != nil {
		return nil, err
	}
	fields := strings.SplitN(tail, " ", 3)
	if len(fields) != 3 {
		return nil, errors.New("journal mal formé")
	}
	pc := &pendingCommit{ref: ref}
	if pc.old, err = ParseHash(fields[0]); err != nil {
		return nil, err
	}
	if pc.new, err = ParseHash(fields[1]); err != nil {
		return nil, err
	}
	if pc.index, _, err = unquotePrefix(fields[2]); err != nil {
		return nil, err
	}
	return pc, nil
}

// rollForward finishes a commit whose branch moved: reflog lines, then the index entries
// of its paths, taken from the commit's tree. A file whose content on disk is still the
// committed one gets its stat data; another gets none, so that Git re-reads it and shows
// it as modified, which it is.
func (s *Store) rollForward(h *heldLock, pc *pendingCommit) error {
	c, err := s.readCommit(pc.new)
	if err != nil {
		return err
	}
	ident := c.committer.format()
	msg := reflogMessage(pc.old.IsZero(), c.message)
	if !s.reflogHas(pc.ref, pc.new) {
		if err := s.appendReflog(pc.ref, pc.old, pc.new, ident, msg); err != nil {
			return err
		}
	}
	if b, err := s.headBranch(); err == nil && b == pc.ref && !s.reflogHas("HEAD", pc.new) {
		if err := s.appendReflog("HEAD", pc.old, pc.new, ident, msg); err != nil {
			return err
		}
	}
	// The lock is per repository: the journal may come from another worktree, whose files
	// this Store cannot see; its entries then get no stat data (Git re-reads the files).
	return s.rollForwardIndex(h, pc.index, pc.index == s.indexPath(), c.tree, pc.paths)
}

// rollBackIndex undoes the index of a commit that died between the index's rename and
// the branch's (the index goes first, see commitOnce): when the index holds the new
// commit's version of every journaled path, those entries are put back at the old
// commit's. Otherwise the index never moved (or someone changed it since) and stays.
func (s *Store) rollBackIndex(h *heldLock, pc *pendingCommit) error {
	if len(pc.paths) == 0 {
		return nil
	}
	newTree, err := s.treeOf(pc.new)
	if err != nil {
		return nil // the commit object never became durable: the index cannot hold it
	}
	want := make(map[string]pathEntry, len(pc.paths))
	for _, p := range pc.paths {
		e, err := s.entryAt(newTree, p)
		if err != nil {
			return err
		}
		want[p] = e
	}
	ahead := true
	if err := readIndexFile(pc.index, func(ix *indexFile) error {
		seen := 0
		_, err := ix.walk(func(e *rawEntry) bool {
			w, ok := want[string(e.name)]
			if !ok {
				return true
			}
			var h Hash
			copy(h[:], ix.data[e.off+40:e.off+60])
			if e.stage != 0 || !w.present() || h != w.hash {
				ahead = false
				return false
			}
			seen++
			return true
		})
		if err != nil {
			return err
		}
		for _, w := range want {
			if w.present() {
				seen--
			}
		}
		if seen != 0 {
			ahead = false
		}
		return nil
	}); err != nil {
		return err
	}
	if !ahead {
		return nil
	}
	oldTree, err := s.treeOf(pc.old)
	if err != nil {
		return err
	}
	return s.rollForwardIndex(h, pc.index, pc.index == s.indexPath(), oldTree, pc.paths)
}

func (s *Store) rollForwardIndex(h *heldLock, indexPath string, ownWorktree bool, tree Hash, paths []string) error {
	ups := make([]indexUpdate, 0, len(paths))
	for _, p := range paths {
		u := indexUpdate{path: p}
		// A zero tree is an unborn branch's (a clone killed before its branch was
		// born): it holds nothing.
		var e treeEntry
		var ok bool
		if !tree.IsZero() {
			var err error
			if e, ok, err = s.lookupPath(tree, p); err != nil {
				return err
			}
		}
		if !ok || e.isTree() {
			u.delete = true
			ups = append(ups, u)
			continue
		}
		u.hash = e.hash
		u.mode = 0o100644
		if e.mode == modeExec {
			u.mode = 0o100755
		}
		if ownWorktree {
			if fi, data, err := readRegular(s.diskPath(p)); err == nil && hashObject(objBlob, data) == e.hash {
				u.stat = fileStat(fi)
			}
		}
		ups = append(ups, u)
	}
	sortUpdates(ups)
	l, err := s.takeGitLock(h, indexPath, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	if err := s.writeIndexLock(l, ups); err != nil {
		return err
	}
	return l.commit()
}

func sortUpdates(ups []indexUpdate) {
	for i := 1; i < len(ups); i++ {
		for j := i; j > 0 && ups[j].path < ups[j-1].path; j-- {
			ups[j], ups[j-1] = ups[j-1], ups[j]
		}
	}
}
