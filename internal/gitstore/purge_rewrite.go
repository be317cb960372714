package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// emptyTree is the name of the tree with no entry.
var emptyTree = hashObject(objTree, nil)

// histCommit is a commit of the history being rewritten, kept raw so that the headers acc
// does not change (author and committer lines, encoding, mergetag) are copied byte for
// byte.
type histCommit struct {
	raw     []byte
	tree    Hash
	parents []Hash
	msgOff  int // offset of the message in raw
}

func parseHistCommit(raw []byte) (*histCommit, error) {
	c := &histCommit{raw: raw, msgOff: len(raw)}
	hdr := raw
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		hdr, c.msgOff = raw[:i], i+2
	}
	for _, line := range bytes.Split(hdr, []byte("\n")) {
		switch {
		case bytes.HasPrefix(line, []byte("tree ")):
			h, err := ParseHash(string(line[5:]))
			if err != nil {
				return nil, err
			}
			c.tree = h
		case bytes.HasPrefix(line, []byte("parent ")):
			h, err := ParseHash(string(line[7:]))
			if err != nil {
				return nil, err
			}
			c.parents = append(c.parents, h)
		}
	}
	if c.tree.IsZero() {
		return nil, errors.New("objet commit Git mal formé (pas de tree)")
	}
	return c, nil
}

func (c *histCommit) message() string { return string(c.raw[c.msgOff:]) }

// rebuild returns the commit object with another tree, parents and message. The other
// headers are kept as they were, except signatures (gpgsig), which the change voids.
func (c *histCommit) rebuild(tree Hash, parents []Hash, msg string) []byte {
	var b bytes.Buffer
	end := c.msgOff - 2
	if end < 0 {
		end = len(c.raw)
	}
	lines := strings.Split(string(c.raw[:end]), "\n")
	skipping := false
	for _, line := range lines {
		if strings.HasPrefix(line, " ") {
			if !skipping {
				b.WriteString(line + "\n")
			}
			continue
		}
		skipping = false
		key, _, _ := strings.Cut(line, " ")
		switch key {
		case "tree":
			fmt.Fprintf(&b, "tree %s\n", tree)
			for _, p := range parents {
				fmt.Fprintf(&b, "parent %s\n", p)
			}
		case "parent":
		case "gpgsig", "gpgsig-sha256":
			skipping = true
		default:
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(msg)
	return b.Bytes()
}

// history is every commit reachable from a set of references, parents before children.
type history struct {
	order   []Hash
	commits map[Hash]*histCommit
	// kinds holds the type of each reference's target; tags the tag objects met while
	// peeling them.
	kinds map[Hash]plumbing.ObjectType
	tags  map[Hash][]byte
}

// loadHistory reads the commits reachable from the references' targets (annotated tags
// peeled), in topological order (a depth-first post-order, iterative: histories can be
// long).
func (s *Store) loadHistory(ctx context.Context, targets []Hash) (*history, error) {
	hist := &history{commits: map[Hash]*histCommit{}, kinds: map[Hash]plumbing.ObjectType{}, tags: map[Hash][]byte{}}
	roots, err := s.peelTargets(hist, targets)
	if err != nil {
		return nil, err
	}
	if err := s.walkHistory(ctx, hist, roots); err != nil {
		return nil, err
	}
	if err := s.verifyHistory(hist); err != nil {
		return nil, err
	}
	return hist, nil
}

// peelTargets records the type of each target, and the tags met while peeling
// annotated tags (ten levels at most); it returns the commits found.
func (s *Store) peelTargets(hist *history, targets []Hash) ([]Hash, error) {
	var roots []Hash
	for _, t := range targets {
		cur := t
		for depth := 0; ; depth++ {
			if _, ok := hist.kinds[cur]; ok && cur != t {
				break
			}
			typ, data, err := s.readAnyObject(cur)
			if err != nil {
				return nil, err
			}
			hist.kinds[cur] = typ
			if typ == plumbing.CommitObject {
				roots = append(roots, cur)
				break
			}
			if typ != plumbing.TagObject || depth > 10 {
				break
			}
			hist.tags[cur] = data
			next, _, err := tagTarget(data)
			if err != nil {
				return nil, fmt.Errorf("étiquette %s : %w", cur, err)
			}
			cur = next
		}
	}
	return roots, nil
}

// walkHistory reads the commits reachable from roots into hist, parents before
// children.
func (s *Store) walkHistory(ctx context.Context, hist *history, roots []Hash) error {
	type frame struct {
		h    Hash
		next int
	}
	var stack []frame
	done := map[Hash]bool{}
	push := func(h Hash) error {
		if _, ok := hist.commits[h]; ok {
			return nil
		}
		data, err := s.readObject(h, plumbing.CommitObject)
		if err != nil {
			return err
		}
		c, err := parseHistCommit(data)
		if err != nil {
			return fmt.Errorf("commit %s : %w", h, err)
		}
		hist.commits[h] = c
		stack = append(stack, frame{h: h})
		return nil
	}
	for _, r := range roots {
		if err := push(r); err != nil {
			return err
		}
		for len(stack) > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			top := &stack[len(stack)-1]
			c := hist.commits[top.h]
			if top.next < len(c.parents) {
				p := c.parents[top.next]
				top.next++
				if err := push(p); err != nil {
					return err
				}
				continue
			}
			if !done[top.h] {
				done[top.h] = true
				hist.order = append(hist.order, top.h)
			}
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

// verifyHistory checks the names and modes of every tree of the history.
//
// The rewrite copies every tree into new commits: none may hold a name or a mode acc
// refuses (verifypath.go), whatever brought it into the history. Only names and modes:
// the history holds other trees than case files (Git notes), and what a rewrite writes
// is objects, never files (a checkout checks its paths whole).
func (s *Store) verifyHistory(hist *history) error {
	v := s.newPathVerifier()
	v.namesOnly()
	for _, h := range hist.order {
		c := hist.commits[h]
		var base Hash
		if len(c.parents) > 0 {
			base = hist.commits[c.parents[0]].tree
		}
		if err := v.commit(h, c.tree, base); err != nil {
			return err
		}
	}
	return nil
}

// folderScan is what the history holds of beneficiaries' folders.
type folderScan struct {
	// all is every beneficiary id that ever had a folder.
	all map[string]bool
	// folders lists, for each wanted id, the distinct trees its folder had.
	folders map[string][]Hash
	// first is the folder's tree in the first commit (parents first) that holds it,
	// and commits counts the commits whose tree holds it; both only when want is set.
	first   map[string]Hash
	commits map[string]int
}

// scanFolders walks the beneficiaries folder (dirGP, from the Git root) of every commit.
// want selects the ids whose folders are collected (nil: all).
func (s *Store) scanFolders(ctx context.Context, hist *history, dirGP string, want map[string]bool) (*folderScan, error) {
	fs := &folderScan{all: map[string]bool{}, folders: map[string][]Hash{}, first: map[string]Hash{}, commits: map[string]int{}}
	benOf := map[Hash]Hash{}                 // root tree -> beneficiaries tree
	inBen := map[Hash]map[string]Hash{}      // beneficiaries tree -> wanted id -> folder tree
	seenFolder := map[string]map[Hash]bool{} // id -> folder trees already listed
	for _, ch := range hist.order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		root := hist.commits[ch].tree
		bt, ok := benOf[root]
		if !ok {
			e, found, err := s.lookupPath(root, dirGP)
			if err != nil {
				return nil, err
			}
			if found && e.isTree() {
				bt = e.hash
			}
			benOf[root] = bt
		}
		if bt.IsZero() {
			continue
		}
		m, ok := inBen[bt]
		if !ok {
			entries, err := s.treeEntries(bt)
			if err != nil {
				return nil, err
			}
			m = map[string]Hash{}
			for _, e := range entries {
				if !e.isTree() {
					continue
				}
				name := strings.Clone(e.name)
				fs.all[name] = true
				if want == nil || want[name] {
					m[name] = e.hash
				}
			}
			inBen[bt] = m
			for id, t := range m {
				if seenFolder[id] == nil {
					seenFolder[id] = map[Hash]bool{}
				}
				if !seenFolder[id][t] {
					seenFolder[id][t] = true
					fs.folders[id] = append(fs.folders[id], t)
				}
			}
		}
		if want == nil {
			// Counting commits for every id of a large history costs more than it
			// tells; matching purge records needs only the folders' trees.
			continue
		}
		for id, t := range m {
			fs.commits[id]++
			if _, ok := fs.first[id]; !ok {
				fs.first[id] = t
			}
		}
	}
	return fs, nil
}

// folderBlob is a file of a beneficiary's folder in some revision.
type folderBlob struct {
	path string // relative to the folder
	hash Hash
}

// folderBlobs lists the files of a folder tree, recursively, in tree order.
func (s *Store) folderBlobs(tree Hash, prefix string, out *[]folderBlob) error {
	entries, err := s.treeEntries(tree)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := prefix + e.name
		switch {
		case e.isTree():
			if err := s.folderBlobs(e.hash, p+"/", out); err != nil {
				return err
			}
		case e.mode == modeGitlink:
		default:
			*out = append(*out, folderBlob{path: strings.Clone(p), hash: e.hash})
		}
	}
	return nil
}

// objSink receives the objects a rewrite creates: written for real, or only hashed (a
// plan).
type objSink interface {
	put(typ string, data []byte) (Hash, error)
}

type hashSink struct{}

func (hashSink) put(typ string, data []byte) (Hash, error) { return hashObject(typ, data), nil }

// writeSink writes loose objects, made durable by batches (an objectWriter keeps a file
// open per pending object).
type writeSink struct {
	ow *objectWriter
	n  int
}

func (w *writeSink) put(typ string, data []byte) (Hash, error) {
	h, err := w.ow.write(typ, data)
	if err != nil {
		return h, err
	}
	w.n++
	if w.n%256 == 0 {
		return h, w.ow.sync()
	}
	return h, nil
}

// scrubber finds the lines of a message that name an erased beneficiary; what counts as
// naming them is the policy's (PurgePolicy.Matcher).
type scrubber struct {
	mentions func(text string) bool
}

// erasedSubject replaces the subject of a message that named an erased beneficiary.
const erasedSubject = "dossier effacé"

// scrub returns msg without the lines that name an erased beneficiary (trailers
// included); a subject that names one becomes "dossier effacé". msg comes back unchanged,
// byte for byte, when it names nobody.
func (sc *scrubber) scrub(msg string) (string, bool) {
	lines := strings.Split(msg, "\n")
	subjEnd := 0
	for subjEnd < len(lines) && strings.TrimSpace(lines[subjEnd]) == "" {
		subjEnd++
	}
	start := subjEnd
	for subjEnd < len(lines) && strings.TrimSpace(lines[subjEnd]) != "" {
		subjEnd++
	}
	changed := false
	var out []string
	if sc.mentions(strings.Join(lines[start:subjEnd], "\n")) {
		out = append(out, erasedSubject)
		changed = true
	} else {
		out = append(out, lines[:subjEnd]...)
	}
	for _, l := range lines[subjEnd:] {
		if strings.TrimSpace(l) != "" && sc.mentions(l) {
			changed = true
			continue
		}
		out = append(out, l)
	}
	if !changed {
		return msg, false
	}
	// Blank lines left next to each other by the removals collapse.
	var clean []string
	for _, l := range out {
		if strings.TrimSpace(l) == "" && (len(clean) == 0 || strings.TrimSpace(clean[len(clean)-1]) == "") {
			continue
		}
		clean = append(clean, l)
	}
	for len(clean) > 0 && strings.TrimSpace(clean[len(clean)-1]) == "" {
		clean = clean[:len(clean)-1]
	}
	return strings.Join(clean, "\n") + "\n", true
}

// stripResult is a tree with the erased folders removed; empty when nothing is left.
type stripResult struct {
	h     Hash
	empty bool
}

type newCommit struct {
	parents []Hash
	tree    Hash
	gen     int
}

// rewriter rewrites a history without some beneficiaries' folders: trees lose the
// folders, messages the lines that name the people, commits that only touched them are
// dropped. The result depends only on the commits, the ids and the names, so that two
// clones erasing the same person get the same new commits for the history they share.
type rewriter struct {
	s     *Store
	sink  objSink
	dir   []string // components of the beneficiaries folder, from the Git root
	ids   map[string]bool
	sc    *scrubber
	hist  *history
	memo  []map[Hash]stripResult
	newOf map[Hash]Hash // old commit -> new one (zero: dropped, nothing left under it)
	drop  map[Hash]bool // old commits dropped
	info  map[Hash]*newCommit
	tags  map[Hash]Hash
	// notes marks the commits of notes histories (purge_notes.go); notesMemo and
	// noteMention remember their rewritten trees and which note blobs name a person.
	notes       map[Hash]bool
	notesMemo   map[Hash]Hash
	noteMention map[Hash]bool

	rewritten, dropped int
}

func newRewriter(s *Store, sink objSink, dirGP string, ids map[string]bool, sc *scrubber, hist *history) *rewriter {
	rw := &rewriter{s: s, sink: sink, dir: strings.Split(dirGP, "/"), ids: ids, sc: sc, hist: hist,
		newOf: map[Hash]Hash{}, drop: map[Hash]bool{}, info: map[Hash]*newCommit{}, tags: map[Hash]Hash{},
		notes: map[Hash]bool{}, notesMemo: map[Hash]Hash{}, noteMention: map[Hash]bool{}}
	rw.memo = make([]map[Hash]stripResult, len(rw.dir)+1)
	for i := range rw.memo {
		rw.memo[i] = map[Hash]stripResult{}
	}
	return rw
}

// strip removes the erased folders from tree, found at depth components of rw.dir.
func (rw *rewriter) strip(tree Hash, depth int) (stripResult, error) {
	if r, ok := rw.memo[depth][tree]; ok {
		return r, nil
	}
	entries, err := rw.s.treeEntries(tree)
	if err != nil {
		return stripResult{}, err
	}
	changed := false
	if depth == len(rw.dir) {
		kept := entries[:0:0]
		for _, e := range entries {
			if rw.ids[e.name] {
				changed = true
				continue
			}
			kept = append(kept, e)
		}
		entries = kept
	} else {
		for i, e := range entries {
			if e.name != rw.dir[depth] || !e.isTree() {
				continue
			}
			sub, err := rw.strip(e.hash, depth+1)
			if err != nil {
				return stripResult{}, err
			}
			switch {
			case sub.empty:
				entries = append(entries[:i:i], entries[i+1:]...)
				changed = true
			case sub.h != e.hash:
				entries[i].hash = sub.h
				changed = true
			}
			break
		}
	}
	var r stripResult
	switch {
	case !changed:
		r = stripResult{h: tree, empty: len(entries) == 0}
	case len(entries) == 0:
		r = stripResult{empty: true}
	default:
		h, err := rw.sink.put(objTree, encodeTree(entries))
		if err != nil {
			return stripResult{}, err
		}
		r = stripResult{h: h}
	}
	rw.memo[depth][tree] = r
	return r, nil
}

func (rw *rewriter) treeOf(newHash Hash) Hash {
	if n := rw.info[newHash]; n != nil {
		return n.tree
	}
	return emptyTree
}

// isAncestor tells whether a is reachable from b in the new history; generation numbers
// bound the walk.
func (rw *rewriter) isAncestor(a, b Hash) bool {
	ga := 0
	if n := rw.info[a]; n != nil {
		ga = n.gen
	}
	seen := map[Hash]bool{b: true}
	queue := []Hash{b}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if x == a {
			return true
		}
		n := rw.info[x]
		if n == nil || n.gen <= ga {
			continue
		}
		for _, p := range n.parents {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return false
}

// run rewrites every commit of the history, parents first; the notes histories last,
// once the new names of the commits they annotate are known.
func (rw *rewriter) run(ctx context.Context) error {
	done := 0
	for _, notesPass := range []bool{false, true} {
		for _, old := range rw.hist.order {
			if rw.notes[old] != notesPass {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := rw.rewriteCommit(old); err != nil {
				return err
			}
			done++
			rw.s.progress(PhaseRewrite, done, len(rw.hist.order))
		}
	}
	return nil
}

// rewriteCommit rewrites old: kept as it is when nothing of it changes, dropped when
// nothing of its own is left, written anew otherwise.
func (rw *rewriter) rewriteCommit(old Hash) error {
	c := rw.hist.commits[old]
	parents := rw.newParents(c)
	tree, empty, err := rw.newTree(old, c)
	if err != nil {
		return err
	}
	sameParents := len(parents) == len(c.parents)
	for i := 0; sameParents && i < len(parents); i++ {
		sameParents = parents[i] == c.parents[i]
	}
	newMsg, msgChanged := rw.sc.scrub(c.message())
	if tree == c.tree && sameParents && !msgChanged {
		rw.record(old, old, parents, tree)
		return nil
	}
	if !(tree == c.tree && sameParents) && len(parents) <= 1 && rw.emptied(c, parents, tree) {
		// Nothing of this commit is left: its children hang on its parent.
		rw.drop[old] = true
		rw.dropped++
		if len(parents) == 1 {
			rw.newOf[old] = parents[0]
		}
		return nil
	}
	if tree == emptyTree && empty {
		if _, err := rw.sink.put(objTree, nil); err != nil {
			return err
		}
	}
	h, err := rw.sink.put(objCommit, c.rebuild(tree, parents, newMsg))
	if err != nil {
		return err
	}
	rw.rewritten++
	rw.record(old, h, parents, tree)
	return nil
}

// newParents returns the new names of c's parents, without those dropped with nothing
// under them and without repeats.
func (rw *rewriter) newParents(c *histCommit) []Hash {
	var parents []Hash
	var fromDrop []bool
	seen := map[Hash]bool{}
	for _, p := range c.parents {
		q := rw.newOf[p]
		if q.IsZero() || seen[q] {
			continue
		}
		seen[q] = true
		parents = append(parents, q)
		fromDrop = append(fromDrop, rw.drop[p])
	}
	if len(c.parents) >= 2 && len(parents) >= 2 {
		parents = rw.unmerge(parents, fromDrop)
	}
	return parents
}

// unmerge removes the parents of a merge that became ancestors of another parent
// because commits of their side were dropped (fromDrop): that merge is no merge any
// more. Merges that were already like that (git merge --no-ff) are left as they are.
func (rw *rewriter) unmerge(parents []Hash, fromDrop []bool) []Hash {
	var kept []Hash
	for i, q := range parents {
		redundant := false
		if fromDrop[i] {
			for j, o := range parents {
				if j != i && rw.isAncestor(q, o) {
					redundant = true
					break
				}
			}
		}
		if !redundant {
			kept = append(kept, q)
		}
	}
	if len(kept) > 0 {
		return kept
	}
	return parents
}

// newTree returns the tree of old (read as c) without the erased folders, its notes
// rewritten if it is a notes commit; empty tells that nothing is left.
func (rw *rewriter) newTree(old Hash, c *histCommit) (Hash, bool, error) {
	st, err := rw.strip(c.tree, 0)
	if err != nil {
		return Hash{}, false, err
	}
	if rw.notes[old] && !st.empty {
		if st.h, err = rw.rewriteNotes(st.h); err != nil {
			return Hash{}, false, err
		}
		st.empty = st.h == emptyTree
	}
	if st.empty {
		return emptyTree, true, nil
	}
	return st.h, false, nil
}

// emptied tells whether a commit c, whose new tree is tree on at most one new parent,
// has nothing of its own left: its tree is its parent's, and it was not a commit that
// changed nothing to begin with.
func (rw *rewriter) emptied(c *histCommit, parents []Hash, tree Hash) bool {
	parentTree := emptyTree
	if len(parents) == 1 {
		parentTree = rw.treeOf(parents[0])
	}
	origParentTree := emptyTree
	if len(c.parents) == 1 {
		origParentTree = rw.hist.commits[c.parents[0]].tree
	}
	wasEmpty := len(c.parents) <= 1 && c.tree == origParentTree
	return tree == parentTree && !wasEmpty
}

func (rw *rewriter) record(old, h Hash, parents []Hash, tree Hash) {
	gen := 1
	for _, p := range parents {
		if n := rw.info[p]; n != nil && n.gen+1 > gen {
			gen = n.gen + 1
		}
	}
	rw.newOf[old] = h
	if rw.info[h] == nil {
		rw.info[h] = &newCommit{parents: parents, tree: tree, gen: gen}
	}
}

// mapTarget returns the new value of a reference's target: a commit's rewrite, an
// annotated tag re-created on the rewritten commit (without its signature, which the
// change voids), anything else unchanged. Zero means the reference must go.
func (rw *rewriter) mapTarget(h Hash) (Hash, error) {
	switch rw.hist.kinds[h] {
	case plumbing.CommitObject:
		return rw.newOf[h], nil
	case plumbing.TagObject:
		return rw.rewriteTag(h, 0)
	}
	return h, nil
}

func (rw *rewriter) rewriteTag(h Hash, depth int) (Hash, error) {
	if n, ok := rw.tags[h]; ok {
		return n, nil
	}
	data := rw.hist.tags[h]
	if data == nil || depth > 10 {
		return h, nil
	}
	target, _, err := tagTarget(data)
	if err != nil {
		return Hash{}, err
	}
	var newTarget Hash
	if _, isTag := rw.hist.tags[target]; isTag {
		newTarget, err = rw.rewriteTag(target, depth+1)
	} else {
		newTarget, err = rw.mapTarget(target)
	}
	if err != nil {
		return Hash{}, err
	}
	text := string(data)
	hdr, msg, _ := strings.Cut(text, "\n\n")
	newMsg, msgChanged := rw.sc.scrub(msg)
	if newTarget == target && !msgChanged {
		rw.tags[h] = h
		return h, nil
	}
	if newTarget.IsZero() {
		rw.tags[h] = Hash{}
		return Hash{}, nil
	}
	for _, marker := range []string{"-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"} {
		if i := strings.Index(newMsg, marker); i >= 0 {
			newMsg = newMsg[:i]
		}
	}
	var b strings.Builder
	for _, line := range strings.Split(hdr, "\n") {
		if strings.HasPrefix(line, "object ") {
			line = "object " + newTarget.String()
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + newMsg)
	nh, err := rw.sink.put("tag", []byte(b.String()))
	if err != nil {
		return Hash{}, err
	}
	rw.tags[h] = nh
	return nh, nil
}
