package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// After a rewrite, the old commits, trees and blobs are still in .git: loose files, packs,
// reflogs. Git's own answer (git reflog expire --expire=now --all && git gc --prune=now)
// is not available without the git binary, so acc does the same work itself:
//
//   - reflogs are deleted (their lines name old commits and repeat their subjects), and
//     the files that name commits of past operations (ORIG_HEAD, FETCH_HEAD, ...);
//   - every object reachable from the references, HEAD and the index is marked;
//   - loose objects that are not are deleted;
//   - a pack holding an unreachable object is replaced: its reachable objects are
//     copied into a new pack (whole objects, no deltas: the next git gc compresses them
//     again), written to a temporary file, fsynced and renamed as Git does, then the
//     old pack and its companions (.idx, .rev, .bitmap, .keep, .mtimes, .promisor) are
//     deleted; the multi-pack index and commit-graph files, which name the old packs and
//     commits, go too (Git rebuilds them when asked).
//
// Git commands must not run meanwhile: an object a git command has just written and not
// yet pointed a reference at would look unreachable (git gc --prune=now has the same
// rule).

// pruneStats counts what prune removed.
type pruneStats struct {
	objects int // unreachable objects deleted (loose, or left out of a rewritten pack)
	packs   int // packs replaced
}

// markReachable marks every object reachable from the references, HEAD and the index:
// its entries' blobs and, as git gc keeps them (git fsck --strict reports "invalid sha1
// pointer in cache-tree" otherwise), the trees its cache-tree names. A cache-tree tree is
// kept only when all it reaches is a tree or an object kept anyway: it then holds
// nothing but names and contents the index holds itself. Otherwise (a stale node, a tree
// that holds what a purge removed) its folder, and the folders above it, are returned in
// stale, for prune to invalidate those nodes in the index rather than keep their trees.
func (s *Store) markReachable(ctx context.Context) (seen map[Hash]bool, stale []string, err error) {
	stack, err := s.reachRoots()
	if err != nil {
		return nil, nil, err
	}
	seen, cache, err := s.indexObjects()
	if err != nil {
		return nil, nil, err
	}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.h] {
			continue
		}
		if stack, err = s.reachFrom(it, seen, stack); err != nil {
			return nil, nil, err
		}
	}
	// Children first (cache is in pre-order): a node above a stale one is invalidated
	// with it, so its tree must not be kept either (it would be left dangling).
	for i := len(cache) - 1; i >= 0; i-- {
		n := cache[i]
		if above(n.path, stale) || !s.keepCacheTree(n.tree, seen) {
			stale = append(stale, n.path)
		}
	}
	return seen, stale, nil
}

// above tells whether folder dir holds one of paths (dir "" is the root).
func above(dir string, paths []string) bool {
	for _, p := range paths {
		if dir == "" || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// keepCacheTree marks tree and the trees below it when every object they name is a tree
// or is marked already (gitlinks aside), and tells whether it did. A tree that cannot be
// read counts as stale: invalidating a cache-tree node is always safe.
func (s *Store) keepCacheTree(tree Hash, seen map[Hash]bool) bool {
	add := map[Hash]bool{}
	stack := []Hash{tree}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[t] || add[t] {
			continue
		}
		data, err := s.readObject(t, plumbing.TreeObject)
		if err != nil {
			return false
		}
		entries, err := parseTree(data)
		if err != nil {
			return false
		}
		add[t] = true
		for _, e := range entries {
			switch {
			case e.isTree():
				stack = append(stack, e.hash)
			case e.mode == modeGitlink:
			case !seen[e.hash]:
				return false
			}
		}
	}
	for t := range add {
		seen[t] = true
	}
	return true
}

// reachItem is an object to mark, with its type when known (AnyObject: to be read).
type reachItem struct {
	h    Hash
	kind plumbing.ObjectType
}

// reachRoots returns where the marking starts: every reference and HEAD (detached
// too).
func (s *Store) reachRoots() ([]reachItem, error) {
	snap, err := s.listRefs()
	if err != nil {
		return nil, err
	}
	var roots []reachItem
	for _, r := range snap.refs {
		roots = append(roots, reachItem{r.value, plumbing.AnyObject})
	}
	if _, head, err := s.headCommit(); err == nil && !head.IsZero() {
		roots = append(roots, reachItem{head, plumbing.CommitObject})
	} else if errors.Is(err, ErrDetachedHead) {
		data, rerr := os.ReadFile(filepath.Join(s.GitDir, "HEAD"))
		if rerr == nil {
			if h, perr := ParseHash(strings.TrimSpace(string(data))); perr == nil {
				roots = append(roots, reachItem{h, plumbing.AnyObject})
			}
		}
	}
	return roots, nil
}

// indexObjects marks the blobs the index names (not its gitlinks) and returns the valid
// nodes of its cache-tree.
func (s *Store) indexObjects() (map[Hash]bool, []cacheTreeNode, error) {
	seen := map[Hash]bool{}
	var cache []cacheTreeNode
	err := s.readIndex(func(ix *indexFile) error {
		_, err := ix.walk(func(e *rawEntry) bool {
			d := ix.data[e.off:]
			if binary.BigEndian.Uint32(d[24:]) != 0o160000 {
				var h Hash
				copy(h[:], d[40:60])
				seen[h] = true
			}
			return true
		})
		if err != nil {
			return err
		}
		cache, err = cacheTreeNodes(ix)
		return err
	})
	return seen, cache, err
}

// invalidateCacheTrees marks invalid, in the index, the cache-tree nodes of folders and
// of their parents (Git allows it: the next write-tree or commit rebuilds them), under
// index.lock as Commit writes it.
func (s *Store) invalidateCacheTrees(h *heldLock, folders []string) error {
	path := s.indexPath()
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("lecture de l'index Git : %w", err)
	}
	ix, err := parseIndex(path, data)
	if err != nil {
		return err
	}
	ups := make([]indexUpdate, len(folders))
	for i, f := range folders {
		ups[i].path = f
	}
	exts, err := rewriteExtensions(ix, ups)
	if err != nil {
		return err
	}
	if err := writeIndexTo(l.f, append([][]byte{data[:ix.entriesEnd]}, exts...)); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	return l.commit()
}

// reachFrom marks it and pushes on stack what it points to: a commit's tree and
// parents, a tree's subtrees (its blobs are marked at once, gitlinks skipped), a tag's
// target.
func (s *Store) reachFrom(it reachItem, seen map[Hash]bool, stack []reachItem) ([]reachItem, error) {
	kind := it.kind
	var data []byte
	var err error
	if kind == plumbing.AnyObject || kind == plumbing.TagObject {
		kind, data, err = s.readAnyObject(it.h)
	} else {
		data, err = s.readObject(it.h, kind)
	}
	if err != nil {
		return stack, err
	}
	seen[it.h] = true
	switch kind {
	case plumbing.CommitObject:
		c, err := parseHistCommit(data)
		if err != nil {
			return stack, fmt.Errorf("commit %s : %w", it.h, err)
		}
		stack = append(stack, reachItem{c.tree, plumbing.TreeObject})
		for _, p := range c.parents {
			stack = append(stack, reachItem{p, plumbing.CommitObject})
		}
	case plumbing.TreeObject:
		entries, err := parseTree(data)
		if err != nil {
			return stack, fmt.Errorf("tree %s : %w", it.h, err)
		}
		for _, e := range entries {
			switch {
			case e.isTree():
				if !seen[e.hash] {
					stack = append(stack, reachItem{e.hash, plumbing.TreeObject})
				}
			case e.mode == modeGitlink:
			default:
				seen[e.hash] = true
			}
		}
	case plumbing.TagObject:
		target, _, err := tagTarget(data)
		if err != nil {
			return stack, fmt.Errorf("étiquette %s : %w", it.h, err)
		}
		stack = append(stack, reachItem{target, plumbing.AnyObject})
	}
	return stack, nil
}

// packFile is a pack of objects/pack and the objects its index lists.
type packFile struct {
	base   string // path without extension
	hashes []Hash
}

// listPacks reads the index (.idx, versions 1 and 2) of every pack.
func (s *Store) listPacks() ([]packFile, error) {
	dir := filepath.Join(s.CommonDir, "objects", "pack")
	names, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []packFile
	for _, n := range names {
		if !strings.HasSuffix(n.Name(), ".idx") || !strings.HasPrefix(n.Name(), "pack-") {
			continue
		}
		path := filepath.Join(dir, n.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("lecture de %s : %w", path, err)
		}
		hashes, err := parsePackIndex(data)
		if err != nil {
			return nil, fmt.Errorf("%s : %w", path, err)
		}
		out = append(out, packFile{base: strings.TrimSuffix(path, ".idx"), hashes: hashes})
	}
	return out, nil
}

// parsePackIndex returns the object names listed by a pack index.
func parsePackIndex(data []byte) ([]Hash, error) {
	bad := errors.New("index de pack illisible")
	if len(data) >= 8 && bytes.Equal(data[:4], []byte{0xff, 't', 'O', 'c'}) {
		if binary.BigEndian.Uint32(data[4:]) != 2 || len(data) < 8+1024 {
			return nil, bad
		}
		n := int(binary.BigEndian.Uint32(data[8+255*4:]))
		start := 8 + 1024
		if len(data) < start+20*n {
			return nil, bad
		}
		out := make([]Hash, n)
		for i := range out {
			copy(out[i][:], data[start+20*i:])
		}
		return out, nil
	}
	// Version 1: fan-out, then (offset, name) pairs.
	if len(data) < 1024 {
		return nil, bad
	}
	n := int(binary.BigEndian.Uint32(data[255*4:]))
	if len(data) < 1024+24*n {
		return nil, bad
	}
	out := make([]Hash, n)
	for i := range out {
		copy(out[i][:], data[1024+24*i+4:])
	}
	return out, nil
}

// looseObject is a file of objects/xx/.
type looseObject struct {
	h    Hash
	path string
}

// listLoose lists loose objects, and the temporary files that object writers leave
// (tmp_obj_*, in objects/xx/ and objects/pack/), which may hold old content too.
func (s *Store) listLoose() ([]looseObject, []string, error) {
	root := filepath.Join(s.CommonDir, "objects")
	dirs, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, err
	}
	var objs []looseObject
	var tmps []string
	for _, d := range dirs {
		name := d.Name()
		if !d.IsDir() || len(name) != 2 {
			continue
		}
		if _, err := hex.DecodeString(name); err != nil {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, name))
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			p := filepath.Join(root, name, f.Name())
			if len(f.Name()) == 38 {
				if h, err := ParseHash(name + f.Name()); err == nil {
					objs = append(objs, looseObject{h: h, path: p})
					continue
				}
			}
			if strings.HasPrefix(f.Name(), "tmp_obj_") {
				tmps = append(tmps, p)
			}
		}
	}
	pack := filepath.Join(root, "pack")
	if files, err := os.ReadDir(pack); err == nil {
		for _, f := range files {
			if strings.HasPrefix(f.Name(), "tmp_") || strings.HasPrefix(f.Name(), ".tmp-") {
				tmps = append(tmps, filepath.Join(pack, f.Name()))
			}
		}
	}
	return objs, tmps, nil
}

// prune deletes every object that nothing reaches any more (see the comment at the top).
func (s *Store) prune(ctx context.Context, h *heldLock) (pruneStats, error) {
	s.refreshObjects()
	p, err := s.newPruner(ctx)
	if err != nil {
		return pruneStats{}, err
	}
	if len(p.stale) > 0 {
		// Before any object goes: the index must never name a tree that is gone.
		if err := s.invalidateCacheTrees(h, p.stale); err != nil {
			return p.st, err
		}
	}
	p.sortPacks()
	if len(p.keep) > 0 {
		if err := s.writePack(ctx, h, p.keep); err != nil {
			return p.st, err
		}
	}
	s.closePackFiles()
	if err := p.removePacks(); err != nil {
		return p.st, err
	}
	dirs, err := p.removeLoose()
	if err != nil {
		return p.st, err
	}
	if err := p.removeCaches(); err != nil {
		return p.st, err
	}
	for d := range dirs {
		_ = os.Remove(d) // only when empty, as git prune does
		_ = syncDir(filepath.Dir(d))
	}
	_ = syncDir(filepath.Join(s.CommonDir, "objects", "pack"))
	s.refreshObjects()
	return p.st, nil
}

// pruner is one prune: what is reachable, and where objects are stored.
type pruner struct {
	s       *Store
	reach   map[Hash]bool
	stale   []string // cache-tree folders whose trees are not kept: to invalidate
	packs   []packFile
	loose   []looseObject
	tmps    []string   // temporary files of object writers
	tainted []packFile // packs that hold an unreachable object
	keep    []Hash     // their reachable objects stored nowhere else: to copy
	st      pruneStats
}

// newPruner marks the reachable objects and lists the packs and loose objects.
func (s *Store) newPruner(ctx context.Context) (*pruner, error) {
	p := &pruner{s: s}
	var err error
	if p.reach, p.stale, err = s.markReachable(ctx); err != nil {
		return nil, err
	}
	if p.packs, err = s.listPacks(); err != nil {
		return nil, err
	}
	if p.loose, p.tmps, err = s.listLoose(); err != nil {
		return nil, err
	}
	return p, nil
}

// sortPacks finds the packs holding an unreachable object, and which of their
// reachable objects must be copied: those neither loose nor in a clean pack.
func (p *pruner) sortPacks() {
	available := map[Hash]bool{} // reachable objects that stay where they are
	for _, o := range p.loose {
		if p.reach[o.h] {
			available[o.h] = true
		}
	}
	for _, pk := range p.packs {
		clean := true
		for _, x := range pk.hashes {
			if !p.reach[x] {
				clean = false
				break
			}
		}
		if clean {
			for _, x := range pk.hashes {
				available[x] = true
			}
		} else {
			p.tainted = append(p.tainted, pk)
		}
	}
	queued := map[Hash]bool{}
	for _, pk := range p.tainted {
		for _, x := range pk.hashes {
			switch {
			case !p.reach[x]:
				p.st.objects++
			case !available[x] && !queued[x]:
				queued[x] = true
				p.keep = append(p.keep, x)
			}
		}
	}
}

// removePacks deletes the tainted packs and their companions.
func (p *pruner) removePacks() error {
	for _, pk := range p.tainted {
		// The index first: Git stops looking into the pack as soon as it is gone.
		for _, ext := range []string{".idx", ".pack", ".rev", ".bitmap", ".keep", ".mtimes", ".promisor"} {
			if err := os.Remove(pk.base + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("suppression de %s : %w", pk.base+ext, err)
			}
		}
		p.st.packs++
	}
	return nil
}

// removeLoose deletes the unreachable loose objects and the temporary files; it returns
// the folders it deleted from.
func (p *pruner) removeLoose() (map[string]bool, error) {
	dirs := map[string]bool{}
	for _, o := range p.loose {
		if p.reach[o.h] {
			continue
		}
		if err := os.Remove(o.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return dirs, fmt.Errorf("suppression de l'objet %s : %w", o.h, err)
		}
		p.st.objects++
		dirs[filepath.Dir(o.path)] = true
	}
	for _, t := range p.tmps {
		_ = os.RemoveAll(t)
	}
	return dirs, nil
}

// removeCaches deletes the files that name old packs and commits: commit-graph,
// multi-pack index, objects/info/packs.
func (p *pruner) removeCaches() error {
	objects := filepath.Join(p.s.CommonDir, "objects")
	for _, f := range []string{
		filepath.Join(objects, "info", "commit-graph"),
		filepath.Join(objects, "info", "commit-graphs"),
		filepath.Join(objects, "info", "packs"),
		filepath.Join(objects, "pack", "multi-pack-index"),
	} {
		if err := os.RemoveAll(f); err != nil {
			return fmt.Errorf("suppression de %s : %w", f, err)
		}
	}
	if files, err := filepath.Glob(filepath.Join(objects, "pack", "multi-pack-index-*")); err == nil {
		for _, f := range files {
			_ = os.Remove(f)
		}
	}
	return nil
}

// Pack object types.
var packTypes = map[plumbing.ObjectType]byte{
	plumbing.CommitObject: 1, plumbing.TreeObject: 2, plumbing.BlobObject: 3, plumbing.TagObject: 4,
}

type packEntry struct {
	h   Hash
	off uint64
	crc uint32
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writePack writes objs into a new pack and its index (version 2) in objects/pack, each
// through a temporary file recorded in acc's lock, fsynced, then renamed: the pack first,
// then its index, which is what makes Git see it.
func (s *Store) writePack(ctx context.Context, h *heldLock, objs []Hash) error {
	dir := filepath.Join(s.CommonDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("création de %s : %w", dir, err)
	}
	tmpPack := filepath.Join(dir, "tmp_pack_acc_"+randSuffix())
	tmpIdx := filepath.Join(dir, "tmp_idx_acc_"+randSuffix())
	for _, t := range []string{tmpPack, tmpIdx} {
		if err := h.record("tmp " + strconv.Quote(t)); err != nil {
			return err
		}
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmpPack)
			_ = os.Remove(tmpIdx)
		}
	}()
	entries, packSum, err := s.writePackFile(ctx, tmpPack, objs)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].h[:], entries[j].h[:]) < 0 })
	idx := encodePackIndex(entries, packSum)
	if err := writeSyncedFile(tmpIdx, idx, 0o444); err != nil {
		return fmt.Errorf("écriture d'un index de pack Git : %w", err)
	}
	base := filepath.Join(dir, "pack-"+hex.EncodeToString(packSum))
	if err := os.Rename(tmpPack, base+".pack"); err != nil {
		return fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	if err := os.Rename(tmpIdx, base+".idx"); err != nil {
		return fmt.Errorf("écriture d'un index de pack Git : %w", err)
	}
	ok = true
	return syncDir(dir)
}

// writePackFile writes the pack of objs (whole objects, in that order) to path, a new
// file, fsynced. It returns where each object starts, and the pack's checksum.
func (s *Store) writePackFile(ctx context.Context, path string, objs []Hash) ([]packEntry, []byte, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	defer f.Close()
	sum := sha1.New()
	bw := bufio.NewWriterSize(f, 256<<10)
	cw := &countWriter{w: io.MultiWriter(bw, sum)}
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(objs)))
	if _, err := cw.Write(hdr[:]); err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	entries := make([]packEntry, 0, len(objs))
	zw, _ := zlib.NewWriterLevel(io.Discard, zlib.DefaultCompression)
	for i, o := range objs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		off := cw.n
		crc, err := s.writePackEntry(cw, zw, o)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, packEntry{h: o, off: uint64(off), crc: crc})
		s.progress(PhaseRepack, i+1, len(objs))
	}
	if err := bw.Flush(); err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	packSum := sum.Sum(nil)
	if _, err := f.Write(packSum); err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, nil, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	return entries, packSum, nil
}

// writePackEntry writes object o to w as a pack entry (type and size, then the zlib
// of its content, through zw) and returns the entry's CRC-32.
func (s *Store) writePackEntry(w io.Writer, zw *zlib.Writer, o Hash) (uint32, error) {
	typ, data, err := s.readAnyObject(o)
	if err != nil {
		return 0, err
	}
	code, known := packTypes[typ]
	if !known {
		return 0, fmt.Errorf("objet Git %s de type inattendu %s", o, typ)
	}
	crc := crc32.NewIEEE()
	ew := io.MultiWriter(w, crc)
	if _, err := ew.Write(appendPackEntryHeader(nil, code, uint64(len(data)))); err != nil {
		return 0, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	zw.Reset(ew)
	if _, err := zw.Write(data); err != nil {
		return 0, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("écriture d'un pack Git : %w", err)
	}
	return crc.Sum32(), nil
}

// encodePackIndex builds a version 2 pack index for entries sorted by name.
func encodePackIndex(entries []packEntry, packSum []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	var fan [256]uint32
	for _, e := range entries {
		fan[e.h[0]]++
	}
	var total uint32
	for i := range fan {
		total += fan[i]
		_ = binary.Write(&b, binary.BigEndian, total)
	}
	for _, e := range entries {
		b.Write(e.h[:])
	}
	for _, e := range entries {
		_ = binary.Write(&b, binary.BigEndian, e.crc)
	}
	var large []uint64
	for _, e := range entries {
		if e.off < 1<<31 {
			_ = binary.Write(&b, binary.BigEndian, uint32(e.off))
			continue
		}
		_ = binary.Write(&b, binary.BigEndian, uint32(1<<31|len(large)))
		large = append(large, e.off)
	}
	for _, off := range large {
		_ = binary.Write(&b, binary.BigEndian, off)
	}
	b.Write(packSum)
	s := sha1.Sum(b.Bytes())
	b.Write(s[:])
	return b.Bytes()
}

// dropIndexFolders removes from the index every entry under the given folders (paths from
// the Git root) and, when the index names one of ids anywhere (cache-tree, untracked
// cache, resolve-undo extensions name folders), every extension: Git rebuilds them. The
// index is written under index.lock, as Commit does. It returns the number of entries
// removed.
func (s *Store) dropIndexFolders(h *heldLock, folders []string, ids []string) (int, error) {
	path := s.indexPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lecture de l'index Git : %w", err)
	}
	named := false
	for _, id := range ids {
		named = named || bytes.Contains(data, []byte(id))
	}
	if !named {
		return 0, nil
	}
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return 0, err
	}
	defer l.rollback()
	// Read again under the lock: a git command may have written it meanwhile.
	if data, err = os.ReadFile(path); err != nil {
		return 0, fmt.Errorf("lecture de l'index Git : %w", err)
	}
	ix, err := parseIndex(path, data)
	if err != nil {
		return 0, err
	}
	under := func(name []byte) bool {
		for _, f := range folders {
			if len(name) > len(f) && name[len(f)] == '/' && string(name[:len(f)]) == f {
				return true
			}
		}
		return false
	}
	header := make([]byte, 12)
	pieces := [][]byte{header}
	var prev []byte
	var count uint32
	removed := 0
	_, err = ix.walk(func(e *rawEntry) bool {
		if under(e.name) {
			removed++
			return true
		}
		count++
		if ix.version == 4 {
			buf := append([]byte(nil), ix.data[e.off:e.off+e.hdrLen]...)
			buf = appendName(buf, 4, e.hdrLen, e.name, prev)
			pieces = append(pieces, buf)
			prev = append(prev[:0], e.name...)
			return true
		}
		pieces = append(pieces, ix.data[e.off:e.off+e.size])
		return true
	})
	if err != nil {
		return 0, err
	}
	copy(header, indexSignature)
	binary.BigEndian.PutUint32(header[4:], ix.version)
	binary.BigEndian.PutUint32(header[8:], count)
	if err := writeIndexTo(l.f, pieces); err != nil {
		return 0, fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	if err := l.commit(); err != nil {
		return 0, err
	}
	return removed, nil
}

// countFiles counts the files under a folder on disk.
func countFiles(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// dropLocalTraces deletes acc's own caches and, when the history held the person
// (history), what keeps old commits and their subjects outside the objects: the
// reflogs, the files of past operations, Git's caches of conflict resolutions.
func (s *Store) dropLocalTraces(history bool) error {
	paths := []string{filepath.Join(s.CommonDir, "acc", "cache")}
	if history {
		paths = append(paths,
			filepath.Join(s.CommonDir, "logs"),
			filepath.Join(s.GitDir, "logs"),
			filepath.Join(s.CommonDir, "info", "refs"),
			filepath.Join(s.CommonDir, "gitk.cache"),
			filepath.Join(s.CommonDir, "rr-cache"))
		for _, f := range []string{"ORIG_HEAD", "FETCH_HEAD", "AUTO_MERGE", "COMMIT_EDITMSG", "MERGE_MSG", "SQUASH_MSG", "MERGE_RR"} {
			paths = append(paths, filepath.Join(s.GitDir, f))
		}
	}
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("suppression de %s : %w", p, err)
		}
	}
	return syncDir(s.GitDir)
}
