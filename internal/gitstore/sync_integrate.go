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
	in, err := s.plan(g, local, remote)
	if err != nil || in.kind != syncRebase {
		return in, err
	}
	return in, s.rebase(g, ow, in, seen, opts, committer)
}

// plan tells what kind of round this is and, for a diverged history, which commits
// each side has alone; the rebase is left to rebase.
func (s *Store) plan(g *commitGraph, local, remote Hash) (*integration, error) {
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
	return in, nil
}

// rebase fills in the plan of a diverged history (see the package comment above).
func (s *Store) rebase(g *commitGraph, ow *objectWriter, in *integration, seen map[string]pathEntry, opts *SyncOptions, committer Signature) error {
	r := newRebaser(s, g, ow, in, seen, opts, committer)
	if err := r.candidates(); err != nil {
		return err
	}
	if err := r.relocate(); err != nil {
		return err
	}
	r.listRenames()
	if err := r.resolve(); err != nil {
		return err
	}
	if len(in.conflicts) > 0 {
		return s.conflictAuthors(g, in)
	}
	if err := r.replay(); err != nil {
		return err
	}
	return r.fixup()
}

// rebaser is one rebase in progress: the plan it fills in, and what its phases share.
// Paths are Git paths.
type rebaser struct {
	s         *Store
	g         *commitGraph
	ow        *objectWriter
	in        *integration
	seen      map[string]pathEntry // the remote versions already resolved against
	opts      *SyncOptions
	committer Signature

	baseTree, lTree, rTree Hash
	cand                   map[string]bool // paths changed on either side, or seen
	cache                  map[Hash]map[string]pathEntry
	// lover overlays the local side: relocated files leave their name and take another.
	lover     map[string]pathEntry
	renames   map[string]string    // original path → new path
	blobCache map[[2]string]Hash   // (blob, new path) → rewritten blob
	desired   map[string]pathEntry // the integrated version of each candidate
	touched   map[string]bool      // paths the replay wrote
	tip       Hash                 // the last commit written
	tipTree   Hash
}

func newRebaser(s *Store, g *commitGraph, ow *objectWriter, in *integration, seen map[string]pathEntry, opts *SyncOptions, committer Signature) *rebaser {
	return &rebaser{s: s, g: g, ow: ow, in: in, seen: seen, opts: opts, committer: committer,
		cand: map[string]bool{}, cache: map[Hash]map[string]pathEntry{}, lover: map[string]pathEntry{},
		renames: map[string]string{}, blobCache: map[[2]string]Hash{}, desired: map[string]pathEntry{},
		touched: map[string]bool{}}
}

// candidates reads the three trees and lists the paths either side changed since the
// base, plus those of seen.
func (r *rebaser) candidates() error {
	s := r.s
	var err error
	if r.baseTree, err = s.treeOf(r.in.base); err != nil {
		return err
	}
	if r.lTree, err = s.treeOf(r.in.local); err != nil {
		return err
	}
	if r.rTree, err = s.treeOf(r.in.remote); err != nil {
		return err
	}
	for _, t := range []Hash{r.lTree, r.rTree} {
		changes, err := s.diffAll(r.baseTree, t)
		if err != nil {
			return err
		}
		for _, c := range changes {
			r.cand[c.path] = true
		}
	}
	for p := range r.seen {
		r.cand[p] = true
	}
	return nil
}

// at is the entry of p in tree, remembered.
func (r *rebaser) at(tree Hash, p string) (pathEntry, error) {
	m := r.cache[tree]
	if m == nil {
		m = map[string]pathEntry{}
		r.cache[tree] = m
	}
	if e, ok := m[p]; ok {
		return e, nil
	}
	e, err := r.s.entryAt(tree, p)
	if err == nil {
		m[p] = e
	}
	return e, err
}

// versions gives a path's base (or seen), local (relocations applied) and remote
// versions.
func (r *rebaser) versions(p string) (b, l, rm pathEntry, err error) {
	if b, err = r.baseV(p); err != nil {
		return
	}
	if l, err = r.localV(p); err != nil {
		return
	}
	rm, err = r.at(r.rTree, p)
	return
}

func (r *rebaser) baseV(p string) (pathEntry, error) {
	if e, ok := r.seen[p]; ok {
		return e, nil
	}
	return r.at(r.baseTree, p)
}

func (r *rebaser) localV(p string) (pathEntry, error) {
	if e, ok := r.lover[p]; ok {
		return e, nil
	}
	return r.at(r.lTree, p)
}

// exists tells Relocate whether a case path (a file, or a folder when it ends with
// "/") is taken on either side.
func (r *rebaser) exists(cp string) bool {
	gp := r.s.gitPath(strings.TrimSuffix(cp, "/"))
	for _, t := range []Hash{r.lTree, r.rTree} {
		if t.IsZero() {
			continue
		}
		if _, ok, err := r.s.lookupPath(t, gp); err != nil || ok {
			return true
		}
	}
	for p, e := range r.lover {
		if e.present() && (p == gp || strings.HasPrefix(p, gp+"/")) {
			return true
		}
	}
	return false
}

// rewrite adapts a relocated file's content (SyncOptions.Rewrite), once per blob and
// destination.
func (r *rebaser) rewrite(e pathEntry, from, to string) (pathEntry, error) {
	if r.opts.Rewrite == nil {
		return e, nil
	}
	key := [2]string{e.hash.String(), to}
	if h, ok := r.blobCache[key]; ok {
		return pathEntry{mode: e.mode, hash: h}, nil
	}
	data, err := r.s.readObject(e.hash, plumbing.BlobObject)
	if err != nil {
		return e, err
	}
	nd := r.opts.Rewrite(r.s.displayPath(from), r.s.displayPath(to), data)
	h, err := r.ow.write(objBlob, nd)
	if err != nil {
		return e, err
	}
	r.blobCache[key] = h
	return pathEntry{mode: e.mode, hash: h}, nil
}

// move relocates the local files created since the base at from (a file, or a folder
// prefix ending with "/") to to.
func (r *rebaser) move(from, to string) error {
	var list []string
	for p := range r.cand {
		if p == from || (strings.HasSuffix(from, "/") && strings.HasPrefix(p, from)) {
			list = append(list, p)
		}
	}
	sort.Strings(list)
	for _, p := range list {
		b, err := r.at(r.baseTree, p)
		if err != nil {
			return err
		}
		l, err := r.localV(p)
		if err != nil {
			return err
		}
		if b.present() || !l.present() {
			continue
		}
		np := to + strings.TrimPrefix(p, from)
		ne, err := r.rewrite(l, p, np)
		if err != nil {
			return err
		}
		r.lover[p] = pathEntry{}
		r.lover[np] = ne
		r.cand[np] = true
		orig := p
		for o, n := range r.renames {
			if n == p {
				orig = o
			}
		}
		r.renames[orig] = np
	}
	return nil
}

// relocate offers each file created on both sides to SyncOptions.Relocate, until none
// is left that it accepts to move. A folder moved can make new clashes (its files meet
// others at the new name): then another round.
func (r *rebaser) relocate() error {
	for round := 0; round < 100 && r.opts.Relocate != nil; round++ {
		clashes, err := r.clashes()
		if err != nil || len(clashes) == 0 {
			return err
		}
		again, err := r.relocateRound(clashes)
		if err != nil || !again {
			return err
		}
	}
	return nil
}

// clashes lists, sorted, the case paths created on both sides with different contents
// and not already resolved.
func (r *rebaser) clashes() ([]string, error) {
	var clashes []string
	for p := range r.cand {
		if _, ok := r.seen[p]; ok {
			continue
		}
		b, l, rm, err := r.versions(p)
		if err != nil {
			return nil, err
		}
		if !b.present() && l.present() && rm.present() && l != rm {
			if _, ok := r.s.casePath(p); ok {
				clashes = append(clashes, p)
			}
		}
	}
	sort.Strings(clashes)
	return clashes, nil
}

// relocateRound asks Relocate about each clash and moves what it says. A folder is
// moved at once and ends the round (again: the clashes must be listed anew); files are
// moved together at the end.
func (r *rebaser) relocateRound(clashes []string) (again bool, err error) {
	type fileMove struct{ from, to string }
	var moves []fileMove
	taken := map[string]bool{}
	for _, p := range clashes {
		cp, _ := r.s.casePath(p)
		from, to, ok := r.opts.Relocate(cp, func(q string) bool { return taken[q] || r.exists(q) })
		if !ok || from == "" || to == "" || from == to {
			continue
		}
		if err := checkCasePath(strings.TrimSuffix(to, "/")); err != nil {
			continue
		}
		gf, gt := r.s.gitPath(strings.TrimSuffix(from, "/")), r.s.gitPath(strings.TrimSuffix(to, "/"))
		if strings.HasSuffix(from, "/") {
			return true, r.move(gf+"/", gt+"/")
		}
		taken[to] = true
		moves = append(moves, fileMove{gf, gt})
	}
	for _, m := range moves {
		if err := r.move(m.from, m.to); err != nil {
			return false, err
		}
	}
	return false, nil
}

// listRenames reports the relocations in the plan, sorted by original path.
func (r *rebaser) listRenames() {
	for o, n := range r.renames {
		r.in.renamed = append(r.in.renamed, Rename{From: r.s.displayPath(o), To: r.s.displayPath(n)})
	}
	sort.Slice(r.in.renamed, func(i, j int) bool { return r.in.renamed[i].From < r.in.renamed[j].From })
}

// resolve finds the conflicts, and the integrated version of every other candidate:
// ours if we changed it, theirs otherwise.
func (r *rebaser) resolve() error {
	for _, p := range sortedKeys(r.cand) {
		b, l, rm, err := r.versions(p)
		if err != nil {
			return err
		}
		lc, rc := l != b, rm != b
		if lc && rc && l != rm {
			r.in.conflicts = append(r.in.conflicts, ConflictFile{
				Path: r.s.displayPath(p), gitPath: p, base: b, local: l, remote: rm,
				Added: !b.present() && l.present() && rm.present(), LocalDeleted: b.present() && !l.present(),
				RemoteDeleted: b.present() && !rm.present(),
			})
			continue
		}
		if lc {
			r.desired[p] = l
		} else {
			r.desired[p] = rm
		}
	}
	return nil
}

// replay writes each local commit again on top of the remote's head, its changes
// carried to the relocated paths. Merges are skipped: their changes come with the
// commits they merged.
func (r *rebaser) replay() error {
	r.tip, r.tipTree = r.in.remote, r.rTree
	r.committer.When = r.s.now()
	for _, c := range r.in.localOnly {
		rc, err := r.g.get(c)
		if err != nil {
			return err
		}
		if len(rc.parents) > 1 {
			continue
		}
		if err := r.replayCommit(c, rc); err != nil {
			return err
		}
	}
	return nil
}

// replayCommit writes c (read as rc) on top of the tip.
func (r *rebaser) replayCommit(c Hash, rc rawCommit) error {
	s := r.s
	var ptree Hash
	var err error
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
		if np, ok := r.renames[p]; ok {
			if b, err := r.at(r.baseTree, p); err == nil && !b.present() {
				if e.present() {
					if e, err = r.rewrite(e, p, np); err != nil {
						return err
					}
				}
				p = np
			}
		}
		r.touched[p] = true
		ups = append(ups, updateOf(p, e))
	}
	newTree, err := s.buildTree(r.ow, r.tipTree, ups)
	if err != nil {
		return fmt.Errorf("intégration du commit %s : %w", c, err)
	}
	id, err := r.ow.write(objCommit, encodeCommit(newTree, []Hash{r.tip}, rc.author, r.committer, rc.message))
	if err != nil {
		return err
	}
	// The next commit's trees are built from this one's: make them readable.
	if err := r.ow.sync(); err != nil {
		return err
	}
	r.tip, r.tipTree = id, newTree
	r.in.replayed++
	return nil
}

// fixup writes, when the replay left a file at another version than its integrated
// one, a last commit that puts every file right; the plan's head is the last commit.
func (r *rebaser) fixup() error {
	for p := range r.touched {
		if _, ok := r.desired[p]; !ok {
			b, l, rm, err := r.versions(p)
			if err != nil {
				return err
			}
			if l != b {
				r.desired[p] = l
			} else {
				r.desired[p] = rm
			}
		}
	}
	var fix []indexUpdate
	var fixPaths []string
	for _, p := range sortedKeys(r.desired) {
		cur, err := r.at(r.tipTree, p)
		if err != nil {
			return err
		}
		if cur != r.desired[p] {
			fix = append(fix, updateOf(p, r.desired[p]))
			fixPaths = append(fixPaths, r.s.displayPath(p))
		}
	}
	if len(fix) > 0 {
		newTree, err := r.s.buildTree(r.ow, r.tipTree, fix)
		if err != nil {
			return err
		}
		msg := "sync\n\nAcc-Action: sync\n"
		if r.opts.FixupMessage != nil {
			msg = r.opts.FixupMessage(fixPaths)
		}
		id, err := r.ow.write(objCommit, encodeCommit(newTree, []Hash{r.tip}, r.committer, r.committer, msg))
		if err != nil {
			return err
		}
		r.tip = id
		r.in.fixup = true
	}
	r.in.head = r.tip
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
