package gitstore

import (
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Git notes (refs/notes/*) attach text to commits: a notes reference points at a commit
// whose tree names each annotated object by its hash ("<40 hex>", or split in fan-out
// folders "ab/cdef…") and holds the note as a blob. A note may name the erased person,
// and it is keyed by the old commit names, which the rewrite changes. So, in the commits
// of a notes history:
//   - a note whose text names an erased person goes, whole (the lines around a name
//     rarely make sense without it, and may still designate the person);
//   - a note on a commit dropped by the rewrite goes with it;
//   - a note on a rewritten commit or tag moves to the new name, at the same fan-out
//     depth;
//   - everything else (notes on untouched objects, entries that are not notes) stays.
// A notes commit left with the tree of its parent is dropped like any other commit that
// only touched the person.

// isNotesRef tells whether a reference holds Git notes.
func isNotesRef(name string) bool { return strings.HasPrefix(name, "refs/notes/") }

// markNotes records the commits of the notes histories (those reachable from roots):
// their trees are notes trees, rewritten by rewriteNotes after the other commits.
func (rw *rewriter) markNotes(roots []Hash) {
	stack := append([]Hash(nil), roots...)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c := rw.hist.commits[h]
		if c == nil || rw.notes[h] {
			continue
		}
		rw.notes[h] = true
		stack = append(stack, c.parents...)
	}
}

// notesRoots returns the commits that notes references point at.
func notesRoots(snap *refSnapshot, hist *history) []Hash {
	var out []Hash
	for _, r := range snap.refs {
		if isNotesRef(r.name) && hist.kinds[r.value] == plumbing.CommitObject {
			out = append(out, r.value)
		}
	}
	return out
}

func isHexName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// notesDir is one folder of a notes tree being rebuilt.
type notesDir struct {
	other []treeEntry // entries kept as they are
	dirs  map[string]*notesDir
	notes map[string]treeEntry // rest of the annotated object's hash -> note blob
}

func newNotesDir() *notesDir {
	return &notesDir{dirs: map[string]*notesDir{}, notes: map[string]treeEntry{}}
}

// noteAt is a note found in a notes tree: the annotated object, the folders of its
// fan-out (each two hex digits), the blob.
type noteAt struct {
	obj    string
	fanout int
	entry  treeEntry
}

// loadNotes reads a notes tree, splitting notes from the rest.
func (rw *rewriter) loadNotes(tree Hash, prefix string, d *notesDir, notes *[]noteAt) error {
	entries, err := rw.s.treeEntries(tree)
	if err != nil {
		return err
	}
	for _, e := range entries {
		e.name = strings.Clone(e.name)
		full := prefix + e.name
		switch {
		case !e.isTree() && len(full) == 40 && isHexName(full):
			*notes = append(*notes, noteAt{obj: full, fanout: len(prefix) / 2, entry: e})
		case e.isTree() && len(e.name) == 2 && len(full) < 40 && isHexName(e.name):
			sub := newNotesDir()
			d.dirs[e.name] = sub
			if err := rw.loadNotes(e.hash, full, sub, notes); err != nil {
				return err
			}
		default:
			d.other = append(d.other, e)
		}
	}
	return nil
}

// noteTarget returns the new name of the object a note annotates; keep is false when
// the note must go with its object.
func (rw *rewriter) noteTarget(obj string) (string, bool, error) {
	h, err := ParseHash(obj)
	if err != nil {
		return obj, true, nil
	}
	if _, ok := rw.hist.commits[h]; ok && !rw.notes[h] {
		if rw.drop[h] {
			return "", false, nil
		}
		n := rw.newOf[h]
		if n.IsZero() {
			return "", false, nil
		}
		return n.String(), true, nil
	}
	if _, ok := rw.hist.tags[h]; ok {
		n, err := rw.rewriteTag(h, 0)
		if err != nil || n.IsZero() {
			return "", false, err
		}
		return n.String(), true, nil
	}
	return obj, true, nil
}

// noteMentions tells whether the note blob h names an erased person.
func (rw *rewriter) noteMentions(h Hash) (bool, error) {
	if v, ok := rw.noteMention[h]; ok {
		return v, nil
	}
	data, err := rw.s.readObject(h, plumbing.BlobObject)
	if err != nil {
		return false, err
	}
	v := rw.sc.mentions(string(data))
	rw.noteMention[h] = v
	return v, nil
}

// rewriteNotes returns tree, a notes tree, without the notes that name an erased person
// or annotate a dropped commit, and with the others keyed by the new commit names.
func (rw *rewriter) rewriteNotes(tree Hash) (Hash, error) {
	if n, ok := rw.notesMemo[tree]; ok {
		return n, nil
	}
	root := newNotesDir()
	var notes []noteAt
	if err := rw.loadNotes(tree, "", root, &notes); err != nil {
		return Hash{}, err
	}
	changed := false
	// Deterministic: the notes in the order of their old names (the first one wins if
	// two land on the same new name).
	sort.Slice(notes, func(i, j int) bool { return notes[i].obj < notes[j].obj })
	for _, n := range notes {
		mentions, err := rw.noteMentions(n.entry.hash)
		if err != nil {
			return Hash{}, err
		}
		target, keep, err := rw.noteTarget(n.obj)
		if err != nil {
			return Hash{}, err
		}
		if mentions || !keep {
			changed = true
			continue
		}
		if target != n.obj {
			changed = true
		}
		d := root
		for i := 0; i < n.fanout; i++ {
			part := target[2*i : 2*i+2]
			sub := d.dirs[part]
			if sub == nil {
				sub = newNotesDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		rest := target[2*n.fanout:]
		if _, taken := d.notes[rest]; !taken {
			e := n.entry
			e.name = rest
			d.notes[rest] = e
		}
	}
	if !changed {
		rw.notesMemo[tree] = tree
		return tree, nil
	}
	h, _, err := rw.writeNotesDir(root)
	if err != nil {
		return Hash{}, err
	}
	rw.notesMemo[tree] = h
	return h, nil
}

// writeNotesDir writes a rebuilt notes folder; empty is true when nothing is left in it.
func (rw *rewriter) writeNotesDir(d *notesDir) (Hash, bool, error) {
	entries := append([]treeEntry(nil), d.other...)
	for name, sub := range d.dirs {
		h, empty, err := rw.writeNotesDir(sub)
		if err != nil {
			return Hash{}, false, err
		}
		if !empty {
			entries = append(entries, treeEntry{mode: modeTree, name: name, hash: h})
		}
	}
	for _, e := range d.notes {
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return emptyTree, true, nil
	}
	sort.Slice(entries, func(i, j int) bool { return treeLess(entries[i], entries[j]) })
	h, err := rw.sink.put(objTree, encodeTree(entries))
	return h, false, err
}
