package gitstore

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Integration of the remote's commits with ours (acc sync).
//
// go-git merges only by fast-forward. acc keeps a linear history instead: the local
// commits the remote does not have are replayed on top of the remote's head, each as a
// new commit with the same author, author date and message (the committer is the
// trainer who syncs), applying the files that commit changed. Documents are whole
// files, so the unit of integration is the file, never a line: no conflict markers are
// ever written.
//
// A file is in conflict when both sides changed it since the common ancestor and the
// results differ. A file created on both sides under the same name is first offered to
// SyncOptions.Relocate (acc moves its own copy to the next free name: -2 for an
// interview, a new id for a beneficiary), and is a conflict only when Relocate declines.
// On conflict nothing moves (see Conflict).
//
// The replay is faithful to each commit; when a local commit touched a file that the
// local side finally left as it was while the remote changed it, the replay would bring
// back an older version: a last commit (Acc-Action: sync, SyncOptions.FixupMessage) then
// sets every file to its integrated version, so that the result is always, file by
// file, "ours if we changed it, theirs otherwise".

// commitGraph caches the commits read during a sync.
type commitGraph struct {
	s       *Store
	commits map[Hash]rawCommit
}

func newCommitGraph(s *Store) *commitGraph {
	return &commitGraph{s: s, commits: map[Hash]rawCommit{}}
}

func (g *commitGraph) get(h Hash) (rawCommit, error) {
	if c, ok := g.commits[h]; ok {
		return c, nil
	}
	c, err := g.s.readCommit(h)
	if err != nil {
		return c, err
	}
	g.commits[h] = c
	return c, nil
}

const (
	flagA     uint8 = 1
	flagB     uint8 = 2
	flagStale uint8 = 4
)

type queued struct {
	h Hash
	t int64
}

type commitQueue []queued

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if q[i].t != q[j].t {
		return q[i].t > q[j].t
	}
	return string(q[i].h[:]) > string(q[j].h[:])
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *commitQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// paint walks the histories of a and b, newest first, until every commit left to visit
// is reachable from both (Git's merge-base walk). In the result, a commit reachable from
// a only has flagA, from b only flagB; base is the newest common commit (zero if the
// histories are unrelated). Commits not in the map are common to both.
func (g *commitGraph) paint(a, b Hash) (map[Hash]uint8, Hash, error) {
	flags := map[Hash]uint8{}
	q := &commitQueue{}
	var firstErr error
	push := func(h Hash, f uint8) {
		if h.IsZero() || firstErr != nil {
			return
		}
		old := flags[h]
		if old|f == old {
			return
		}
		flags[h] = old | f
		c, err := g.get(h)
		if err != nil {
			firstErr = err
			return
		}
		heap.Push(q, queued{h: h, t: c.committer.When.Unix()})
	}
	push(a, flagA)
	push(b, flagB)
	var base Hash
	for firstErr == nil && q.Len() > 0 {
		active := false
		for _, it := range *q {
			if flags[it.h]&flagStale == 0 {
				active = true
				break
			}
		}
		if !active {
			break
		}
		it := heap.Pop(q).(queued)
		f := flags[it.h]
		if f&(flagA|flagB) == flagA|flagB && f&flagStale == 0 {
			if base.IsZero() {
				base = it.h
			}
			f |= flagStale
			flags[it.h] = f
		}
		c, err := g.get(it.h)
		if err != nil {
			return nil, Hash{}, err
		}
		for _, p := range c.parents {
			push(p, f)
		}
	}
	return flags, base, firstErr
}

// only returns the commits of flags that carry exactly flag f (among A and B), in
// topological order (parents first), starting from tip.
func (g *commitGraph) only(flags map[Hash]uint8, f uint8, tip Hash) ([]Hash, error) {
	in := func(h Hash) bool { return flags[h]&(flagA|flagB) == f }
	if tip.IsZero() || !in(tip) {
		return nil, nil
	}
	type frame struct {
		h Hash
		i int
	}
	visited := map[Hash]bool{tip: true}
	stack := []frame{{h: tip}}
	var order []Hash
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		c, err := g.get(top.h)
		if err != nil {
			return nil, err
		}
		if top.i < len(c.parents) {
			p := c.parents[top.i]
			top.i++
			if in(p) && !visited[p] {
				visited[p] = true
				stack = append(stack, frame{h: p})
			}
			continue
		}
		order = append(order, top.h)
		stack = stack[:len(stack)-1]
	}
	return order, nil
}

// all returns every commit reachable from tip, parents first.
func (g *commitGraph) all(tip Hash) ([]Hash, error) {
	flags := map[Hash]uint8{}
	stack := []Hash{tip}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h.IsZero() || flags[h] != 0 {
			continue
		}
		flags[h] = flagA
		c, err := g.get(h)
		if err != nil {
			return nil, err
		}
		stack = append(stack, c.parents...)
	}
	return g.only(flags, flagA, tip)
}

// notIn returns the commits reachable from tip whose hash is not in has (a remote's
// commits: their ancestors are there too), parents first.
func (g *commitGraph) notIn(tip Hash, has map[Hash]bool) ([]Hash, error) {
	flags := map[Hash]uint8{}
	stack := []Hash{tip}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h.IsZero() || flags[h] != 0 || has[h] {
			continue
		}
		flags[h] = flagA
		c, err := g.get(h)
		if err != nil {
			return nil, err
		}
		stack = append(stack, c.parents...)
	}
	return g.only(flags, flagA, tip)
}

// isAncestor tells whether anc is desc or one of its ancestors.
func (s *Store) isAncestor(anc, desc Hash) (bool, error) {
	if anc.IsZero() || anc == desc {
		return true, nil
	}
	if desc.IsZero() {
		return false, nil
	}
	flags, _, err := newCommitGraph(s).paint(desc, anc)
	return flags[anc]&flagA != 0, err
}

// Rename is a document created on both sides under the same name: the local copy was
// moved to To.
type Rename struct {
	From, To string // relative to the case-file folder
}

type syncKind int

const (
	syncUpToDate syncKind = iota
	syncFastForward
	syncPushOnly
	syncRebase
)

// integration is the plan of one round of sync.
type integration struct {
	kind          syncKind
	local, remote Hash
	base          Hash
	head          Hash // the new local head
	localOnly     []Hash
	remoteOnly    []Hash
	replayed      int
	fixup         bool
	renamed       []Rename
	conflicts     []ConflictFile
}

// integrate plans how the local head and the remote head come together, writing the
// replayed commits (unsynced: the caller syncs ow) when they must be replayed. seen
// gives, for Git paths, the remote version the trainer already resolved a conflict
// against: it stands for the common ancestor's version of that file.
func (s *Store) integrate(g *commitGraph, ow *objectWriter, local, remote Hash, seen map[string]pathEntry, opts *SyncOptions, committer Signature) (*integration, error) {
	in := &integration{local: local, remote: remote, head: local}
	switch {
	case local == remote:
		in.kind = syncUpToDate
		return in, nil
	case remote.IsZero():
		in.kind = syncPushOnly
		return in, nil
	case local.IsZero():
		in.kind, in.head = syncFastForward, remote
		return in, nil
	}
	flags, base, err := g.paint(local, remote)
	if err != nil {
		return nil, err
	}
	in.base = base
	switch {
	case flags[local]&flagB != 0:
		in.kind, in.head = syncFastForward, remote
		in.remoteOnly, err = g.only(flags, flagB, remote)
		return in, err
	case flags[remote]&flagA != 0:
		in.kind = syncPushOnly
		in.localOnly, err = g.only(flags, flagA, local)
		return in, err
	}
	in.kind = syncRebase
	if in.localOnly, err = g.only(flags, flagA, local); err != nil {
		return nil, err
	}
	if in.remoteOnly, err = g.only(flags, flagB, remote); err != nil {
		return nil, err
	}
	return in, s.rebase(g, ow, in, seen, opts, committer)
}

// rebase fills in the plan of a diverged history (see the package comment above).
func (s *Store) rebase(g *commitGraph, ow *objectWriter, in *integration, seen map[string]pathEntry, opts *SyncOptions, committer Signature) error {
	baseTree, err := s.treeOf(in.base)
	if err != nil {
		return err
	}
	lTree, err := s.treeOf(in.local)
	if err != nil {
		return err
	}
	rTree, err := s.treeOf(in.remote)
	if err != nil {
		return err
	}
	cand := map[string]bool{}
	for _, t := range []Hash{lTree, rTree} {
		changes, err := s.diffAll(baseTree, t)
		if err != nil {
			return err
		}
		for _, c := range changes {
			cand[c.path] = true
		}
	}
	for p := range seen {
		cand[p] = true
	}
	cache := map[Hash]map[string]pathEntry{}
	at := func(tree Hash, p string) (pathEntry, error) {
		m := cache[tree]
		if m == nil {
			m = map[string]pathEntry{}
			cache[tree] = m
		}
		if e, ok := m[p]; ok {
			return e, nil
		}
		e, err := s.entryAt(tree, p)
		if err == nil {
			m[p] = e
		}
		return e, err
	}
	// lover overlays the local side: relocated files leave their name and take another.
	lover := map[string]pathEntry{}
	renames := map[string]string{} // original Git path → new Git path
	baseV := func(p string) (pathEntry, error) {
		if e, ok := seen[p]; ok {
			return e, nil
		}
		return at(baseTree, p)
	}
	localV := func(p string) (pathEntry, error) {
		if e, ok := lover[p]; ok {
			return e, nil
		}
		return at(lTree, p)
	}
	remoteV := func(p string) (pathEntry, error) { return at(rTree, p) }
	// versions gives a path's base, local and remote versions.
	versions := func(p string) (b, l, r pathEntry, err error) {
		if b, err = baseV(p); err != nil {
			return
		}
		if l, err = localV(p); err != nil {
			return
		}
		r, err = remoteV(p)
		return
	}

	// exists tells Relocate whether a case path (a file, or a folder when it ends with
	// "/") is taken on either side.
	exists := func(cp string) bool {
		gp := s.gitPath(strings.TrimSuffix(cp, "/"))
		for _, t := range []Hash{lTree, rTree} {
			if t.IsZero() {
				continue
			}
			if _, ok, err := s.lookupPath(t, gp); err != nil || ok {
				return true
			}
		}
		for p, e := range lover {
			if e.present() && (p == gp || strings.HasPrefix(p, gp+"/")) {
				return true
			}
		}
		return false
	}
	blobCache := map[[2]string]Hash{}
	rewrite := func(e pathEntry, from, to string) (pathEntry, error) {
		if opts.Rewrite == nil {
			return e, nil
		}
		key := [2]string{e.hash.String(), to}
		if h, ok := blobCache[key]; ok {
			return pathEntry{mode: e.mode, hash: h}, nil
		}
		data, err := s.readObject(e.hash, plumbing.BlobObject)
		if err != nil {
			return e, err
		}
		nd := opts.Rewrite(s.displayPath(from), s.displayPath(to), data)
		h, err := ow.write(objBlob, nd)
		if err != nil {
			return e, err
		}
		blobCache[key] = h
		return pathEntry{mode: e.mode, hash: h}, nil
	}
	// move relocates the local files created since the base at from (a file, or a
	// folder prefix ending with "/") to to.
	move := func(from, to string) error {
		var list []string
		for p := range cand {
			if p == from || (strings.HasSuffix(from, "/") && strings.HasPrefix(p, from)) {
				list = append(list, p)
			}
		}
		sort.Strings(list)
		for _, p := range list {
			b, err := at(baseTree, p)
			if err != nil {
				return err
			}
			l, err := localV(p)
			if err != nil {
				return err
			}
			if b.present() || !l.present() {
				continue
			}
			np := to + strings.TrimPrefix(p, from)
			ne, err := rewrite(l, p, np)
			if err != nil {
				return err
			}
			lover[p] = pathEntry{}
			lover[np] = ne
			cand[np] = true
			orig := p
			for o, n := range renames {
				if n == p {
					orig = o
				}
			}
			renames[orig] = np
		}
		return nil
	}
	for round := 0; round < 100 && opts.Relocate != nil; round++ {
		var clashes []string
		for p := range cand {
			if _, ok := seen[p]; ok {
				continue
			}
			b, l, r, err := versions(p)
			if err != nil {
				return err
			}
			if !b.present() && l.present() && r.present() && l != r {
				if _, ok := s.casePath(p); ok {
					clashes = append(clashes, p)
				}
			}
		}
		if len(clashes) == 0 {
			break
		}
		sort.Strings(clashes)
		folderMoved := false
		type fileMove struct{ from, to string }
		var moves []fileMove
		taken := map[string]bool{}
		for _, p := range clashes {
			cp, _ := s.casePath(p)
			from, to, ok := opts.Relocate(cp, func(q string) bool { return taken[q] || exists(q) })
			if !ok || from == "" || to == "" || from == to {
				continue
			}
			if err := checkCasePath(strings.TrimSuffix(to, "/")); err != nil {
				continue
			}
			gf, gt := s.gitPath(strings.TrimSuffix(from, "/")), s.gitPath(strings.TrimSuffix(to, "/"))
			if strings.HasSuffix(from, "/") {
				if err := move(gf+"/", gt+"/"); err != nil {
					return err
				}
				folderMoved = true
				break
			}
			taken[to] = true
			moves = append(moves, fileMove{gf, gt})
		}
		if folderMoved {
			continue
		}
		for _, m := range moves {
			if err := move(m.from, m.to); err != nil {
				return err
			}
		}
		break
	}
	for o, n := range renames {
		in.renamed = append(in.renamed, Rename{From: s.displayPath(o), To: s.displayPath(n)})
	}
	sort.Slice(in.renamed, func(i, j int) bool { return in.renamed[i].From < in.renamed[j].From })

	// Conflicts, and the integrated version of every candidate.
	desired := map[string]pathEntry{}
	paths := sortedKeys(cand)
	for _, p := range paths {
		b, l, r, err := versions(p)
		if err != nil {
			return err
		}
		lc, rc := l != b, r != b
		if lc && rc && l != r {
			in.conflicts = append(in.conflicts, ConflictFile{
				Path: s.displayPath(p), gitPath: p, base: b, local: l, remote: r,
				Added: !b.present() && l.present() && r.present(), LocalDeleted: b.present() && !l.present(),
				RemoteDeleted: b.present() && !r.present(),
			})
			continue
		}
		if lc {
			desired[p] = l
		} else {
			desired[p] = r
		}
	}
	if len(in.conflicts) > 0 {
		return s.conflictAuthors(g, in)
	}

	// Replay.
	tip, tipTree := in.remote, rTree
	touched := map[string]bool{}
	when := s.now()
	committer.When = when
	for _, c := range in.localOnly {
		rc, err := g.get(c)
		if err != nil {
			return err
		}
		if len(rc.parents) > 1 {
			continue // a merge: its changes come with the commits it merged
		}
		var ptree Hash
		if len(rc.parents) == 1 {
			if ptree, err = s.treeOf(rc.parents[0]); err != nil {
				return err
			}
		}
		changes, err := s.diffAll(ptree, rc.tree)
		if err != nil {
			return err
		}
		if err := s.checkModes(changes); err != nil {
			return err
		}
		ups := make([]indexUpdate, 0, len(changes))
		for _, ch := range changes {
			p, e := ch.path, ch.new
			if np, ok := renames[p]; ok {
				if b, err := at(baseTree, p); err == nil && !b.present() {
					if e.present() {
						if e, err = rewrite(e, p, np); err != nil {
							return err
						}
					}
					p = np
				}
			}
			touched[p] = true
			ups = append(ups, updateOf(p, e))
		}
		newTree, err := s.buildTree(ow, tipTree, ups)
		if err != nil {
			return fmt.Errorf("intégration du commit %s : %w", c, err)
		}
		id, err := ow.write(objCommit, encodeCommit(newTree, []Hash{tip}, rc.author, committer, rc.message))
		if err != nil {
			return err
		}
		// The next commit's trees are built from this one's: make them readable.
		if err := ow.sync(); err != nil {
			return err
		}
		tip, tipTree = id, newTree
		in.replayed++
	}
	// Fix-up: every file at its integrated version.
	for p := range touched {
		if _, ok := desired[p]; !ok {
			b, l, r, err := versions(p)
			if err != nil {
				return err
			}
			if l != b {
				desired[p] = l
			} else {
				desired[p] = r
			}
		}
	}
	var fix []indexUpdate
	var fixPaths []string
	for _, p := range sortedKeys(desired) {
		cur, err := at(tipTree, p)
		if err != nil {
			return err
		}
		if cur != desired[p] {
			fix = append(fix, updateOf(p, desired[p]))
			fixPaths = append(fixPaths, s.displayPath(p))
		}
	}
	if len(fix) > 0 {
		newTree, err := s.buildTree(ow, tipTree, fix)
		if err != nil {
			return err
		}
		msg := "sync\n\nAcc-Action: sync\n"
		if opts.FixupMessage != nil {
			msg = opts.FixupMessage(fixPaths)
		}
		author := committer
		id, err := ow.write(objCommit, encodeCommit(newTree, []Hash{tip}, author, committer, msg))
		if err != nil {
			return err
		}
		tip = id
		in.fixup = true
	}
	in.head = tip
	return nil
}

func updateOf(p string, e pathEntry) indexUpdate {
	if !e.present() {
		return indexUpdate{path: p, delete: true}
	}
	u := indexUpdate{path: p, hash: e.hash, mode: 0o100644}
	if isExecMode(e.mode) {
		u.mode = 0o100755
	}
	return u
}

// conflictAuthors names, for each conflicting file, the authors of the commits that
// changed it on each side.
func (s *Store) conflictAuthors(g *commitGraph, in *integration) error {
	idx := map[string]int{}
	for i, c := range in.conflicts {
		idx[c.gitPath] = i
	}
	collect := func(commits []Hash, local bool) error {
		for _, h := range commits {
			c, err := g.get(h)
			if err != nil {
				return err
			}
			var ptree Hash
			if len(c.parents) > 0 {
				if ptree, err = s.treeOf(c.parents[0]); err != nil {
					return err
				}
			}
			changes, err := s.diffAll(ptree, c.tree)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				i, ok := idx[ch.path]
				if !ok {
					continue
				}
				list := &in.conflicts[i].RemoteAuthors
				if local {
					list = &in.conflicts[i].LocalAuthors
				}
				if name := strings.TrimSpace(c.author.Name); name != "" && !hasString(*list, name) {
					*list = append(*list, name)
				}
			}
		}
		return nil
	}
	if err := collect(in.localOnly, true); err != nil {
		return err
	}
	return collect(in.remoteOnly, false)
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
