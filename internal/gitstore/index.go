package gitstore

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/bug"
)

// The index is handled in its raw bytes (https://git-scm.com/docs/index-format): go-git's
// codec decodes and re-encodes every entry (130–260 ms each way at 100k entries), drops
// the cache-tree extension and writes the file in place without index.lock. Here the
// entries acc changes are spliced in, every other entry is kept byte for byte.

const (
	indexSignature   = "DIRC"
	entryFixedLen    = 62 // ctime, mtime, dev, ino, mode, uid, gid, size (4 bytes each), hash, flags
	flagExtended     = 0x4000
	flagNameMask     = 0x0fff
	indexTrailerSize = 20
)

// ErrIndexUnsupported is returned for index files acc does not rewrite (split index,
// sparse index, unknown mandatory extension); the error says how to convert the index.
var ErrIndexUnsupported = errors.New("index Git dans un format non pris en charge")

// IndexCorruptError reports an index file that cannot be read.
type IndexCorruptError struct {
	Path string
	Msg  string
}

func (e *IndexCorruptError) Error() string {
	return fmt.Sprintf("index Git illisible (%s) : %s ; « git reset » le reconstruit depuis HEAD", e.Path, e.Msg)
}

// indexUpdate is one path to set or remove in the index (stage 0).
type indexUpdate struct {
	path   string // slash path from the Git root
	delete bool
	hash   Hash
	mode   uint32 // 0o100644 or 0o100755
	stat   statInfo
}

// rawEntry is one index entry as found in the file. name is only valid during the
// callback (version 4 rebuilds it in a shared buffer).
type rawEntry struct {
	off, size int
	hdrLen    int // 62, or 64 with extended flags
	name      []byte
	stage     int
}

// indexFile is a parsed index header with the position of its parts.
type indexFile struct {
	path       string
	data       []byte
	version    uint32
	count      uint32
	entriesEnd int // where the extensions start
}

func (ix *indexFile) corrupt(msg string) error {
	return &IndexCorruptError{Path: ix.path, Msg: msg}
}

// parseIndex checks the header, checksum and entries. An empty data means "no index yet".
func parseIndex(path string, data []byte) (*indexFile, error) {
	ix, err := parseIndexStructure(path, data)
	if err != nil {
		return nil, err
	}
	if err := ix.verifyChecksum(); err != nil {
		return nil, err
	}
	return ix, nil
}

// verifyChecksum checks the trailing SHA-1 (a zero one, written by index.skipHash, is
// accepted).
func (ix *indexFile) verifyChecksum() error {
	data := ix.data
	if len(data) == 0 {
		return nil
	}
	body, sum := data[:len(data)-indexTrailerSize], data[len(data)-indexTrailerSize:]
	if bytes.Equal(sum, make([]byte, indexTrailerSize)) {
		return nil
	}
	if got := sha1.Sum(body); !bytes.Equal(got[:], sum) {
		return ix.corrupt("somme de contrôle fausse")
	}
	return nil
}

// parseIndexStructure checks the header and the entries' layout, not the checksum.
func parseIndexStructure(path string, data []byte) (*indexFile, error) {
	ix := &indexFile{path: path, data: data, version: 2}
	if len(data) == 0 {
		return ix, nil
	}
	if len(data) < 12+indexTrailerSize || string(data[:4]) != indexSignature {
		return nil, ix.corrupt("en-tête invalide")
	}
	ix.version = binary.BigEndian.Uint32(data[4:8])
	ix.count = binary.BigEndian.Uint32(data[8:12])
	if ix.version < 2 || ix.version > 4 {
		return nil, ix.corrupt(fmt.Sprintf("version %d inconnue", ix.version))
	}
	end, err := ix.walk(nil)
	if err != nil {
		return nil, err
	}
	ix.entriesEnd = end
	return ix, nil
}

// walk calls fn for each entry in order (fn may be nil) and returns the offset after the
// last entry. fn returning false stops the walk.
func (ix *indexFile) walk(fn func(e *rawEntry) bool) (int, error) {
	data := ix.data
	if len(data) == 0 {
		return 0, nil
	}
	limit := len(data) - indexTrailerSize
	off := 12
	var name []byte // version 4: the previous entry's name
	var e rawEntry
	for i := uint32(0); i < ix.count; i++ {
		if off+entryFixedLen > limit {
			return 0, ix.corrupt("entrée tronquée")
		}
		flags := binary.BigEndian.Uint16(data[off+60:])
		hdr := entryFixedLen
		if flags&flagExtended != 0 {
			if ix.version < 3 {
				return 0, ix.corrupt("drapeaux étendus dans un index de version 2")
			}
			hdr += 2
		}
		p := off + hdr
		if p > limit {
			return 0, ix.corrupt("entrée tronquée")
		}
		var size int
		if ix.version == 4 {
			strip, n := decodeVarint(data[p:limit])
			if n == 0 || strip > uint64(len(name)) {
				return 0, ix.corrupt("nom compressé invalide")
			}
			nul := bytes.IndexByte(data[p+n:limit], 0)
			if nul < 0 {
				return 0, ix.corrupt("nom non terminé")
			}
			name = append(name[:len(name)-int(strip)], data[p+n:p+n+nul]...)
			size = hdr + n + nul + 1
		} else {
			nameLen := int(flags & flagNameMask)
			if nameLen == flagNameMask {
				nul := bytes.IndexByte(data[p:limit], 0)
				if nul < 0 {
					return 0, ix.corrupt("nom non terminé")
				}
				nameLen = nul
			}
			if p+nameLen > limit {
				return 0, ix.corrupt("entrée tronquée")
			}
			name = data[p : p+nameLen]
			size = (hdr + nameLen + 8) &^ 7
		}
		if off+size > limit {
			return 0, ix.corrupt("entrée tronquée")
		}
		if fn != nil {
			e = rawEntry{off: off, size: size, hdrLen: hdr, name: name, stage: int(flags>>12) & 3}
			if !fn(&e) {
				return off + size, nil
			}
		}
		off += size
	}
	return off, nil
}

// decodeVarint reads Git's offset varint (index v4 name compression); n is 0 on error.
func decodeVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	n = 1
	v = uint64(c & 127)
	for c&128 != 0 {
		if n >= len(b) || n > 9 {
			return 0, 0
		}
		c = b[n]
		n++
		v = ((v + 1) << 7) | uint64(c&127)
	}
	return v, n
}

func encodeVarint(buf []byte, v uint64) []byte {
	var tmp [16]byte
	pos := len(tmp) - 1
	tmp[pos] = byte(v & 127)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		pos--
		tmp[pos] = 128 | byte(v&127)
	}
	return append(buf, tmp[pos:]...)
}

// appendEntryHeader writes the 62 fixed bytes of a stage-0 entry without extended flags.
func appendEntryHeader(buf []byte, u indexUpdate) []byte {
	st := u.stat
	for _, v := range []uint32{st.ctimeSec, st.ctimeNsec, st.mtimeSec, st.mtimeNsec, st.dev, st.ino, u.mode, st.uid, st.gid, st.size} {
		buf = binary.BigEndian.AppendUint32(buf, v)
	}
	buf = append(buf, u.hash[:]...)
	return binary.BigEndian.AppendUint16(buf, uint16(min(len(u.path), flagNameMask)))
}

// appendName writes an entry's name: NUL-padded to 8 bytes (v2, v3) or prefix-compressed
// against prev (v4).
func appendName(buf []byte, version uint32, hdrLen int, name, prev []byte) []byte {
	if version == 4 {
		common := 0
		for common < len(name) && common < len(prev) && name[common] == prev[common] {
			common++
		}
		buf = encodeVarint(buf, uint64(len(prev)-common))
		buf = append(buf, name[common:]...)
		return append(buf, 0)
	}
	buf = append(buf, name...)
	pad := (hdrLen+len(name)+8)&^7 - hdrLen - len(name)
	return append(buf, make([]byte, pad)...)
}

// spliceIndex returns the pieces of the new index (without its trailing checksum): ups,
// sorted by path, replace every entry of their path (all stages), and remove entries
// that would clash with them (a file where a folder goes, or the reverse).
func spliceIndex(ix *indexFile, ups []indexUpdate) ([][]byte, error) {
	sp := newIndexSplicer(ix, ups)
	if _, err := ix.walk(sp.visit); err != nil {
		return nil, err
	}
	sp.keepRest()
	for ; sp.j < len(ups); sp.j++ {
		if !ups[sp.j].delete {
			sp.emit(ups[sp.j])
		}
	}
	sp.flush()
	exts, err := rewriteExtensions(ix, ups)
	if err != nil {
		return nil, err
	}
	sp.pieces = append(sp.pieces, exts...)
	copy(sp.header, indexSignature)
	binary.BigEndian.PutUint32(sp.header[4:], ix.version)
	binary.BigEndian.PutUint32(sp.header[8:], sp.count)
	return sp.pieces, nil
}

// indexSplicer is one spliceIndex: the pieces of the new index so far, and where the
// walk of the old entries stands.
type indexSplicer struct {
	ix     *indexFile
	ups    []indexUpdate
	j      int      // ups[:j] are emitted or skipped
	fences []string // "path/" of each new entry: see pastFences
	header []byte   // pieces[0], filled at the end
	pieces [][]byte
	count  uint32 // entries in the output

	runStart, runEnd int // a run of kept entries copied verbatim (runStart -1: none)

	// Version 4 compresses each name against the previous entry's: an input entry can be
	// copied verbatim only while the output's previous name is the input's previous name.
	prevOut      []byte
	outMatchesIn bool

	visited uint32 // entries walked
	rest    int    // offset of the entries left unwalked, or -1
}

func newIndexSplicer(ix *indexFile, ups []indexUpdate) *indexSplicer {
	sp := &indexSplicer{ix: ix, ups: ups, header: make([]byte, 12),
		runStart: -1, runEnd: -1, outMatchesIn: true, rest: -1}
	sp.pieces = append(sp.pieces, sp.header)
	for _, u := range ups {
		if !u.delete {
			sp.fences = append(sp.fences, u.path+"/")
		}
	}
	return sp
}

// flush ends the current run of entries copied verbatim.
func (sp *indexSplicer) flush() {
	if sp.runStart >= 0 {
		sp.pieces = append(sp.pieces, sp.ix.data[sp.runStart:sp.runEnd])
		sp.runStart = -1
	}
}

// emit writes the entry of update u.
func (sp *indexSplicer) emit(u indexUpdate) {
	sp.flush()
	buf := appendEntryHeader(nil, u)
	buf = appendName(buf, sp.ix.version, entryFixedLen, []byte(u.path), sp.prevOut)
	sp.pieces = append(sp.pieces, buf)
	sp.prevOut = append(sp.prevOut[:0], u.path...)
	sp.outMatchesIn = false
	sp.count++
}

// visit is the walk's callback for old entry e: the updates sorted before it are
// emitted, then e is dropped (replaced or clashing) or kept. It stops the walk once past
// every update and every entry that could clash with one.
func (sp *indexSplicer) visit(e *rawEntry) bool {
	sp.visited++
	name := e.name
	ups := sp.ups
	for sp.j < len(ups) && ups[sp.j].path < string(name) {
		if !ups[sp.j].delete {
			sp.emit(ups[sp.j])
		}
		sp.j++
	}
	drop := sp.j < len(ups) && ups[sp.j].path == string(name)
	if !drop {
		drop = clashes(name, ups[sp.j:]) || clashes(name, ups[:sp.j])
	}
	if drop {
		sp.flush()
		sp.outMatchesIn = false
		return true
	}
	sp.keep(e)
	if sp.j == len(ups) && pastFences(name, sp.fences) {
		sp.rest = e.off + e.size
		return false
	}
	return true
}

// keep puts old entry e in the output: in the current verbatim run, or with its name
// compressed again (version 4) when the output's previous name differs from the input's.
func (sp *indexSplicer) keep(e *rawEntry) {
	version := sp.ix.version
	if version != 4 || sp.outMatchesIn {
		if sp.runStart < 0 {
			sp.runStart = e.off
		}
		sp.runEnd = e.off + e.size
	} else {
		sp.flush()
		buf := append([]byte(nil), sp.ix.data[e.off:e.off+e.hdrLen]...)
		buf = appendName(buf, version, e.hdrLen, e.name, sp.prevOut)
		sp.pieces = append(sp.pieces, buf)
	}
	sp.count++
	if version == 4 {
		sp.prevOut = append(sp.prevOut[:0], e.name...)
		sp.outMatchesIn = true
	}
}

// keepRest adds the entries the walk left unwalked to the current run, as they are.
func (sp *indexSplicer) keepRest() {
	if sp.rest < 0 {
		return
	}
	if sp.runStart < 0 {
		sp.runStart = sp.rest
	}
	sp.runEnd = sp.ix.entriesEnd
	sp.count += sp.ix.count - sp.visited
}

// pastFences tells whether entry name sorts after every fence ("path/" of a new entry)
// and lies under none: no later entry can then clash with an update, and the rest of
// the index is copied without walking it.
func pastFences(name []byte, fences []string) bool {
	for _, f := range fences {
		if string(name) <= f || bytes.HasPrefix(name, []byte(f)) {
			return false
		}
	}
	return true
}

// clashes tells whether entry name is a file on the folder path of a new entry in ups, or
// lies under a new file of ups.
func clashes(name []byte, ups []indexUpdate) bool {
	for i := range ups {
		u := &ups[i]
		if u.delete {
			continue
		}
		p := u.path
		if len(name) < len(p) && p[len(name)] == '/' && p[:len(name)] == string(name) {
			return true
		}
		if len(name) > len(p) && name[len(p)] == '/' && string(name[:len(p)]) == p {
			return true
		}
	}
	return false
}

// rewriteExtensions keeps the extensions that stay valid, invalidates the cache-tree along
// the changed paths and drops the ones that index entry positions.
func rewriteExtensions(ix *indexFile, ups []indexUpdate) ([][]byte, error) {
	if len(ix.data) == 0 {
		return nil, nil
	}
	var out [][]byte
	data := ix.data[:len(ix.data)-indexTrailerSize]
	off := ix.entriesEnd
	for off < len(data) {
		if off+8 > len(data) {
			return nil, ix.corrupt("extension tronquée")
		}
		sig := string(data[off : off+4])
		size := int(binary.BigEndian.Uint32(data[off+4:]))
		if off+8+size > len(data) {
			return nil, ix.corrupt("extension " + sig + " tronquée")
		}
		body := data[off+8 : off+8+size]
		switch sig {
		case "TREE":
			tree, err := invalidateCacheTree(body, ups)
			if err != nil {
				return nil, ix.corrupt(err.Error())
			}
			hdr := make([]byte, 8)
			copy(hdr, sig)
			binary.BigEndian.PutUint32(hdr[4:], uint32(len(tree)))
			out = append(out, hdr, tree)
		case "REUC":
			// Resolve-undo data names paths, not positions: still valid.
			out = append(out, data[off:off+8+size])
		case "link":
			return nil, fmt.Errorf("%w : index scindé (split index) ; lancez « git update-index --no-split-index » puis recommencez", ErrIndexUnsupported)
		case "sdir":
			return nil, fmt.Errorf("%w : index creux (sparse index) ; lancez « git sparse-checkout disable » ou « git config index.sparse false && git reset » puis recommencez", ErrIndexUnsupported)
		default:
			// UNTR (untracked cache), FSMN (fsmonitor), EOIE, IEOT and any other optional
			// extension (upper-case first letter) describe the old entries: drop them, Git
			// rebuilds them. A lower-case one is mandatory and unknown: refuse.
			if sig[0] < 'A' || sig[0] > 'Z' {
				return nil, fmt.Errorf("%w : extension obligatoire inconnue %q", ErrIndexUnsupported, sig)
			}
		}
		off += 8 + size
	}
	return out, nil
}

// invalidateCacheTree marks as invalid (entry count -1, no hash) every cache-tree node on
// the folder path of a changed entry; other nodes are copied unchanged, in large spans.
// Format of a node: "<name>\x00<entry count> <subtree count>\n[<20-byte hash> if count
// >= 0]<subtrees>", in pre-order.
func invalidateCacheTree(body []byte, ups []indexUpdate) ([]byte, error) {
	dirs := map[string]bool{"": true}
	for _, u := range ups {
		p := u.path
		// The path itself too: a file replacing a folder of the old index.
		dirs[p] = true
		for i := strings.LastIndexByte(p, '/'); i >= 0; i = strings.LastIndexByte(p, '/') {
			p = p[:i]
			dirs[p] = true
		}
	}
	malformed := errors.New("extension TREE mal formée")
	out := make([]byte, 0, len(body))
	pos, copied := 0, 0
	// node reads one node and its subtrees; path is its folder path, known only while
	// its parent lies on a changed path (otherwise nothing below can change).
	var node func(parent string, onPath, root bool) error
	node = func(parent string, onPath, root bool) error {
		nul := bytes.IndexByte(body[pos:], 0)
		if nul < 0 {
			return malformed
		}
		var path string
		if onPath {
			path = string(body[pos : pos+nul])
			if !root && parent != "" {
				path = parent + "/" + path
			}
			onPath = dirs[path]
		}
		counts, entryCount, subCount, n, ok := treeCounts(body[pos+nul:])
		if !ok {
			return malformed
		}
		start := pos
		pos += nul + n
		if entryCount >= 0 {
			if pos+20 > len(body) {
				return malformed
			}
			pos += 20
		}
		if onPath && entryCount >= 0 {
			out = append(out, body[copied:start+nul+1]...)
			out = append(out, "-1 "...)
			out = append(out, counts[bytes.IndexByte(counts, ' ')+1:]...)
			out = append(out, '\n')
			copied = pos
		}
		for i := 0; i < subCount; i++ {
			if pos >= len(body) {
				return malformed
			}
			if err := node(path, onPath, false); err != nil {
				return err
			}
		}
		return nil
	}
	if len(body) > 0 {
		if err := node("", true, true); err != nil {
			return nil, err
		}
	}
	if pos != len(body) {
		return nil, malformed
	}
	return append(out, body[copied:]...), nil
}

// cacheTreeNode is a valid node of the cache-tree: the tree of the index entries under
// path (from the Git root, "" for the root).
type cacheTreeNode struct {
	path string
	tree Hash
}

// treeCounts parses the "ENTRIES SUBTREES\n" that follows a cache-tree node's name;
// rest starts at the name's NUL. It returns the counts' text, both counts, and the
// length of rest up to and including the newline.
func treeCounts(rest []byte) (counts []byte, entryCount, subCount, n int, ok bool) {
	lf := bytes.IndexByte(rest, '\n')
	if lf < 0 {
		return nil, 0, 0, 0, false
	}
	counts = rest[1:lf]
	sp := bytes.IndexByte(counts, ' ')
	if sp < 0 {
		return nil, 0, 0, 0, false
	}
	entryCount, ok1 := atoiBytes(counts[:sp])
	subCount, ok2 := atoiBytes(counts[sp+1:])
	if !ok1 || !ok2 || subCount < 0 {
		return nil, 0, 0, 0, false
	}
	return counts, entryCount, subCount, lf + 1, true
}

// cacheTreeNodes lists the valid nodes of the index's cache-tree (TREE extension), in
// pre-order; the format is invalidateCacheTree's.
func cacheTreeNodes(ix *indexFile) ([]cacheTreeNode, error) {
	body, err := ix.extension("TREE")
	if err != nil || len(body) == 0 {
		return nil, err
	}
	malformed := ix.corrupt("extension TREE mal formée")
	var out []cacheTreeNode
	pos := 0
	var node func(parent string, root bool) error
	node = func(parent string, root bool) error {
		nul := bytes.IndexByte(body[pos:], 0)
		if nul < 0 {
			return malformed
		}
		path := string(body[pos : pos+nul])
		if !root && parent != "" {
			path = parent + "/" + path
		}
		_, entryCount, subCount, n, ok := treeCounts(body[pos+nul:])
		if !ok {
			return malformed
		}
		pos += nul + n
		if entryCount >= 0 {
			if pos+20 > len(body) {
				return malformed
			}
			n := cacheTreeNode{path: path}
			copy(n.tree[:], body[pos:pos+20])
			out = append(out, n)
			pos += 20
		}
		for i := 0; i < subCount; i++ {
			if pos >= len(body) {
				return malformed
			}
			if err := node(path, false); err != nil {
				return err
			}
		}
		return nil
	}
	if err := node("", true); err != nil {
		return nil, err
	}
	if pos != len(body) {
		return nil, malformed
	}
	return out, nil
}

// extension returns the body of the index extension sig, nil when the index has none.
func (ix *indexFile) extension(sig string) ([]byte, error) {
	if len(ix.data) == 0 {
		return nil, nil
	}
	data := ix.data[:len(ix.data)-indexTrailerSize]
	for off := ix.entriesEnd; off < len(data); {
		if off+8 > len(data) {
			return nil, ix.corrupt("extension tronquée")
		}
		size := int(binary.BigEndian.Uint32(data[off+4:]))
		if off+8+size > len(data) {
			return nil, ix.corrupt("extension " + string(data[off:off+4]) + " tronquée")
		}
		if string(data[off:off+4]) == sig {
			return data[off+8 : off+8+size], nil
		}
		off += 8 + size
	}
	return nil, nil
}

// atoiBytes parses a small decimal integer, possibly negative.
func atoiBytes(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// writeIndexTo writes the pieces and their SHA-1 checksum to f, by chunks, asking the
// kernel to start writing each chunk to disk while the next one is hashed: the fsync
// that follows then has little left to wait for.
func writeIndexTo(f *os.File, pieces [][]byte) error {
	const chunk = 1 << 20
	h := sha1.New()
	var off int64
	// Small pieces (an index built from nothing by a clone has one per entry) are
	// gathered into chunks: one write and one writeback per megabyte, not per entry.
	buf := make([]byte, 0, chunk)
	flush := func(p []byte) error {
		if _, err := f.Write(p); err != nil {
			return err
		}
		startWriteback(f, off, int64(len(p)))
		off += int64(len(p))
		h.Write(p)
		return nil
	}
	for _, p := range pieces {
		if len(buf)+len(p) <= chunk {
			buf = append(buf, p...)
			continue
		}
		if len(buf) > 0 {
			if err := flush(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		for len(p) > 0 {
			n := min(len(p), chunk)
			if n < chunk {
				buf = append(buf, p...)
				break
			}
			if err := flush(p[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
	}
	if len(buf) > 0 {
		if err := flush(buf); err != nil {
			return err
		}
	}
	_, err := f.Write(h.Sum(nil))
	return err
}

func (s *Store) indexPath() string { return filepath.Join(s.GitDir, "index") }

// readIndex maps and checks this worktree's index and calls fn with it; a missing file is
// an empty index. The mapping is released when fn returns: fn must copy what it keeps.
func (s *Store) readIndex(fn func(ix *indexFile) error) error {
	return readIndexFile(s.indexPath(), fn)
}

// readIndexFile is readIndex for the index at path (another worktree's, for recovery).
func readIndexFile(path string, fn func(ix *indexFile) error) error {
	data, release, err := mapFile(path)
	if err != nil {
		return fmt.Errorf("lecture de l'index Git : %w", err)
	}
	defer release()
	ix, err := parseIndexStructureGuarded(path, data)
	if err != nil {
		return err
	}
	// The checksum (a SHA-1 pass over 12 MB at 100k entries) is verified on
	// another core while fn reads the entries; fn's result counts only if it
	// holds.
	verified := make(chan error, 1)
	go func() {
		verified <- bug.Call(func() error { return guardFaults(path, ix.verifyChecksum) })
	}()
	err = guardFaults(path, func() error { return fn(ix) })
	if verr := <-verified; verr != nil {
		return verr
	}
	return err
}

// guardFaults runs fn, which reads a mapped file, turning the fault that a truncation of
// that file by another program causes into an error instead of a crash.
func guardFaults(path string, fn func() error) error {
	return guardMapped(fn, func() error {
		return &IndexCorruptError{Path: path, Msg: "le fichier a été tronqué pendant sa lecture par un autre programme"}
	})
}

// guardMapped runs fn, which reads a mapped file; a fault (the file truncated by
// another program) returns fault's error instead of crashing.
func guardMapped(fn func() error, fault func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			// A fault on a mapping panics with a runtime.Error that has an Addr method.
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				err = fault()
				return
			}
			panic(r)
		}
	}()
	return fn()
}

// writeIndexLock applies ups to the index under index.lock (already taken as l) and
// fsyncs the lock file; gitLock.commit renames it. The old index's checksum is verified
// while the new one is built and written (two cores: the two SHA-1 passes overlap).
func (s *Store) writeIndexLock(l *gitLock, ups []indexUpdate) error {
	// The old index's time before it is read (see smudgeRacy).
	var indexTime time.Time
	if fi, err := os.Stat(l.target); err == nil {
		indexTime = fi.ModTime()
	}
	data, release, err := mapFile(l.target)
	if err != nil {
		return fmt.Errorf("lecture de l'index Git : %w", err)
	}
	defer release()
	ix, err := parseIndexStructureGuarded(l.target, data)
	if err != nil {
		return err
	}
	var smudged []indexUpdate
	if err := guardFaults(l.target, func() (err error) {
		smudged, err = s.smudgeRacy(ix, indexTime, ups, l.target == s.indexPath())
		return err
	}); err != nil {
		return err
	}
	ups = withSmudged(ups, smudged)
	verified := make(chan error, 1)
	go func() {
		verified <- bug.Call(func() error { return guardFaults(l.target, ix.verifyChecksum) })
	}()
	err = guardFaults(l.target, func() error {
		pieces, err := spliceIndex(ix, ups)
		if err != nil {
			return err
		}
		if err := writeIndexTo(l.f, pieces); err != nil {
			return fmt.Errorf("écriture de %s : %w", l.path, err)
		}
		return nil
	})
	if verr := <-verified; verr != nil {
		return verr
	}
	if err != nil {
		return err
	}
	return l.sync()
}

func parseIndexStructureGuarded(path string, data []byte) (ix *indexFile, err error) {
	err = guardFaults(path, func() error {
		ix, err = parseIndexStructure(path, data)
		return err
	})
	return ix, err
}
