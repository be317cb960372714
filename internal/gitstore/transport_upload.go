package gitstore

import (
	"bufio"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// The pack a file:// remote serves, made here rather than by go-git's server, whose
// upload-pack does not scale to a centre's repository: it walks every tree of every
// commit the client already has (to exclude their objects), then every tree of every
// commit it sends, keeps every object to send in memory to look for deltas, and hands
// the pack over through a reader that allocates a buffer and starts a goroutine per
// read. Measured on 100,000 documents and 300 commits: 2m23s and 440 MB for a clone
// (bench/clonebench).
//
// Here the objects to send are found the way a push finds them (objectsToSend): the
// commits reachable from the wants and not from the haves, and for each, the trees and
// blobs that differ from its first parent's, so that a sync bringing one document reads
// a few trees. The pack is streamed, one object at a time, without deltas: nothing
// crosses a network, and the client (go-git's pack parser) checks every object's hash
// as it indexes the pack. git gc (or git maintenance) deltifies later.

// uploadPack answers an upload-pack request of a go-git client with a pack streamed from
// src. haves are the client's commits that src holds.
func uploadPack(ctx context.Context, src *objectSource, req *packp.UploadPackRequest, haves []plumbing.Hash) (*packp.UploadPackResponse, error) {
	if req.IsEmpty() {
		return nil, transport.ErrEmptyUploadPackRequest
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if len(req.Shallows) > 0 || req.Depth != nil && !req.Depth.IsZero() || req.Filter != "" {
		return nil, fmt.Errorf("shallow not supported")
	}
	objs, err := objectsToUpload(src, req.Wants, haves)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writePack(pw, src, objs))
	}()
	go func() {
		select {
		case <-ctx.Done():
			pw.CloseWithError(ctx.Err())
		case <-done:
		}
	}()
	return packp.NewUploadPackResponseWithPackfile(req, pr), nil
}

// objectsToUpload lists the objects of the commits reachable from wants and not from
// haves: each such commit, and the trees and blobs of its tree that its first parent's
// tree does not have at the same place. A client holding the haves (and so their
// ancestors and trees) lacks none of the objects it needs after receiving these.
func objectsToUpload(src *objectSource, wants, haves []plumbing.Hash) ([]plumbing.Hash, error) {
	has, err := haveCommits(src, haves)
	if err != nil {
		return nil, err
	}
	u := &uploadWalk{src: src, has: has, set: map[plumbing.Hash]bool{},
		trees: &uploadTrees{src: src, cur: map[plumbing.Hash][]treeEntry{}}}
	commits, err := u.addWants(wants)
	if err != nil {
		return nil, err
	}
	if err := u.walkCommits(commits); err != nil {
		return nil, err
	}
	return u.out, nil
}

// haveCommits returns the commits the client holds: those the haves peel to, and all
// their ancestors.
func haveCommits(src *objectSource, haves []plumbing.Hash) (map[plumbing.Hash]bool, error) {
	has := map[plumbing.Hash]bool{}
	var stack []plumbing.Hash
	for _, h := range haves {
		// Tags (a fetch of refs/tags/* sends them as haves) count by what they peel to.
		target, typ, _, err := peelTags(src, h)
		if err != nil {
			return nil, err
		}
		if typ == plumbing.CommitObject {
			stack = append(stack, target)
		}
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if has[h] {
			continue
		}
		_, parents, err := readUploadCommit(src, h)
		if err != nil {
			return nil, err
		}
		has[h] = true
		stack = append(stack, parents...)
	}
	return has, nil
}

// uploadWalk is one objectsToUpload: the objects found to send, in the order found.
type uploadWalk struct {
	src   *objectSource
	has   map[plumbing.Hash]bool // commits the client holds
	set   map[plumbing.Hash]bool // objects in out
	out   []plumbing.Hash
	trees *uploadTrees
}

// add puts h in the list unless it is there already, and says whether it was new.
func (u *uploadWalk) add(h plumbing.Hash) bool {
	if u.set[h] {
		return false
	}
	u.set[h] = true
	u.out = append(u.out, h)
	return true
}

// addWants adds what the wants bring by themselves (tags, and the trees and blobs they
// point to) and returns the commits they point to, to walk.
func (u *uploadWalk) addWants(wants []plumbing.Hash) ([]plumbing.Hash, error) {
	var commits []plumbing.Hash
	for _, h := range wants {
		// A want may be a tag (of a commit, a tree or a blob): the tags and what they
		// point to are sent.
		target, typ, tags, err := peelTags(u.src, h)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			u.add(t)
		}
		switch typ {
		case plumbing.CommitObject:
			commits = append(commits, target)
		case plumbing.TreeObject:
			if err := u.walkTree(plumbing.ZeroHash, target); err != nil {
				return nil, err
			}
		default:
			u.add(target)
		}
	}
	return commits, nil
}

// walkCommits adds the commits reachable from stack that the client does not hold,
// newest first, each with what its tree changes from its first parent's.
func (u *uploadWalk) walkCommits(stack []plumbing.Hash) error {
	seen := map[plumbing.Hash]bool{}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if u.has[h] || seen[h] {
			continue
		}
		seen[h] = true
		tree, parents, err := readUploadCommit(u.src, h)
		if err != nil {
			return err
		}
		u.add(h)
		var ptree plumbing.Hash
		if len(parents) > 0 {
			if ptree, _, err = readUploadCommit(u.src, parents[0]); err != nil {
				return err
			}
		}
		if err := u.walkTree(ptree, tree); err != nil {
			return err
		}
		u.trees.next()
		stack = append(stack, parents...)
	}
	return nil
}

// walkTree adds tree new (unless it is old or already listed) and, recursively, its
// entries that tree old (zero: none) does not have at the same place.
func (u *uploadWalk) walkTree(old, new plumbing.Hash) error {
	if new == old || !u.add(new) {
		return nil
	}
	entries, err := u.trees.entries(new)
	if err != nil {
		return err
	}
	var olds []treeEntry
	if !old.IsZero() {
		if olds, err = u.trees.entries(old); err != nil {
			return err
		}
	}
	j := 0
	for _, e := range entries {
		o := sameEntry(olds, &j, e)
		switch {
		case e.isTree():
			var oh plumbing.Hash
			if o != nil {
				oh = plumbing.Hash(o.hash)
			}
			if err := u.walkTree(oh, plumbing.Hash(e.hash)); err != nil {
				return err
			}
		case e.mode == modeGitlink:
		case o != nil && o.hash == e.hash:
		default:
			u.add(plumbing.Hash(e.hash))
		}
	}
	return nil
}

// sameEntry returns the entry of olds with e's name and kind, or nil, looking from *j
// on and moving *j forward: both lists are in Git's order, and e comes after the
// entries asked about before it.
func sameEntry(olds []treeEntry, j *int, e treeEntry) *treeEntry {
	for *j < len(olds) {
		c := compareTreeNames(olds[*j].name, olds[*j].isTree(), e.name, e.isTree())
		if c < 0 {
			*j++
			continue
		}
		if c == 0 {
			return &olds[*j]
		}
		return nil
	}
	return nil
}

// uploadTrees reads the trees of the commits walked, parsed by acc (go-git's decoder
// allocates per entry, and a map of a 10,000-entry tree per commit cost a second for a
// clone of 100,000 documents). The trees read for the previous commit are kept: in a
// walk from the newest commit down, a commit's parent tree is the tree the next commit
// brings, whose large folders are then read once.
type uploadTrees struct {
	src       *objectSource
	prev, cur map[plumbing.Hash][]treeEntry
}

func (u *uploadTrees) entries(h plumbing.Hash) ([]treeEntry, error) {
	if e, ok := u.cur[h]; ok {
		return e, nil
	}
	e, ok := u.prev[h]
	if !ok {
		_, data, err := u.src.read(Hash(h), plumbing.TreeObject)
		if err != nil {
			return nil, err
		}
		if e, err = parseTree(data); err != nil {
			return nil, fmt.Errorf("objet %s : %w", h, err)
		}
	}
	u.cur[h] = e
	return e, nil
}

// next starts the trees of another commit.
func (u *uploadTrees) next() {
	u.prev, u.cur = u.cur, make(map[plumbing.Hash][]treeEntry, len(u.cur))
}

// writePack writes a version 2 pack of objs, each whole (no deltas), read from src one
// at a time.
func writePack(w io.Writer, src *objectSource, objs []plumbing.Hash) error {
	sum := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 64<<10)
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(objs)))
	if _, err := bw.Write(hdr[:]); err != nil {
		return err
	}
	// No compression: the pack only crosses a pipe inside this process, and even
	// zlib's fastest level cost 2 s of CPU for a clone of 100,000 documents (1.5 s for
	// the compression, the rest for the client's inflating) to save a quarter of the
	// received pack's size on disk (small Markdown documents compress poorly one by
	// one: 62 MB instead of 85 MB); git gc compresses and deltifies later.
	zw, err := zlib.NewWriterLevel(bw, zlib.NoCompression)
	if err != nil {
		return err
	}
	for _, h := range objs {
		if err := writePackObject(bw, zw, src, h); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = w.Write(sum.Sum(nil))
	return err
}

func writePackObject(bw *bufio.Writer, zw *zlib.Writer, src *objectSource, h plumbing.Hash) error {
	typ, data, err := src.read(Hash(h), plumbing.AnyObject)
	if err != nil {
		return err
	}
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	default:
		return fmt.Errorf("objet %s de type %s", h, typ)
	}
	var hdr [10]byte
	// Pack codes are go-git's types.
	if _, err := bw.Write(appendPackEntryHeader(hdr[:0], byte(typ), uint64(len(data)))); err != nil {
		return err
	}
	zw.Reset(bw)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

// readUploadCommit reads the tree and parents of commit h of the served repository.
func readUploadCommit(src *objectSource, h plumbing.Hash) (tree plumbing.Hash, parents []plumbing.Hash, err error) {
	_, data, err := src.read(Hash(h), plumbing.CommitObject)
	if err != nil {
		return tree, nil, err
	}
	c, err := parseCommit(data)
	if err != nil {
		return tree, nil, fmt.Errorf("commit %s : %w", h, err)
	}
	for _, p := range c.parents {
		parents = append(parents, plumbing.Hash(p))
	}
	return plumbing.Hash(c.tree), parents, nil
}

// peelTags follows annotated tags from h to the object they finally designate; tags
// lists the tag objects on the way.
func peelTags(src *objectSource, h plumbing.Hash) (plumbing.Hash, plumbing.ObjectType, []plumbing.Hash, error) {
	var tags []plumbing.Hash
	for range 16 {
		typ, data, err := src.read(Hash(h), plumbing.AnyObject)
		if err != nil {
			return h, plumbing.InvalidObject, nil, err
		}
		if typ != plumbing.TagObject {
			return h, typ, tags, nil
		}
		target, _, err := tagTarget(data)
		if err != nil {
			return h, plumbing.InvalidObject, nil, fmt.Errorf("étiquette %s : %w", h, err)
		}
		tags = append(tags, h)
		h = plumbing.Hash(target)
	}
	return h, plumbing.InvalidObject, nil, fmt.Errorf("chaîne d'étiquettes trop longue à partir de %s", h)
}
