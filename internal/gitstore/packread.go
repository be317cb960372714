package gitstore

import (
	"bytes"
	"compress/zlib"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// The packs of a repository, read from their mappings: an object is found through its
// pack's .idx (fanout, then a binary search), its entry decoded in place and inflated
// with a reused zlib reader. go-git's storage opens the pack, resolves its path and
// seeks for every object (3 stat calls, an open, seek and read calls), and checks
// objects loose first: a third of a 100,000-document clone's CPU time.
//
// Packs come from remotes and from other programs: every size and offset is checked,
// so that a damaged or hostile pack gives an error, never a panic, an out-of-range
// slice or an allocation its content does not justify.

// errNotInPacks says that no mapped pack holds the object.
var errNotInPacks = errors.New("objet absent des paquets")

// Pack entry types (Git's pack format).
const (
	packCommit   = 1
	packTree     = 2
	packBlob     = 3
	packTag      = 4
	packOfsDelta = 6
	packRefDelta = 7
)

const (
	// maxDeltaChain bounds the deltas applied for one object: Git writes chains of at
	// most 50 (250 with gc --aggressive, 4095 at most); a REF_DELTA loop stops here.
	maxDeltaChain = 10000
	// deflateMaxRatio is deflate's largest expansion (258 bytes from two bits, rounded
	// up): an entry cannot inflate to more than this times its compressed bytes.
	deflateMaxRatio = 1032
	// deltaBaseCacheSize bounds the delta bases kept between reads (Git's
	// core.deltaBaseCacheLimit is 96 MB).
	deltaBaseCacheSize = 16 << 20
)

// packSet is the packs of one objects/pack folder, mapped. Safe for concurrent use.
type packSet struct {
	dir string
	mu  sync.RWMutex
	// maps owns the mappings (its own allocation, so that a cleanup can release them
	// once the packSet is unreachable).
	maps           *packMaps
	listed, closed bool
	// unmappable: this system cannot map the packs; callers read through go-git.
	unmappable bool
	cache      *baseCache
}

type packMaps struct{ packs []*mappedPack }

func (m *packMaps) release() {
	for _, p := range m.packs {
		p.release()
	}
	m.packs = nil
}

func newPackSet(objDir string) *packSet {
	ps := &packSet{dir: filepath.Join(objDir, "pack"), maps: &packMaps{}, cache: newBaseCache(deltaBaseCacheSize)}
	runtime.AddCleanup(ps, func(m *packMaps) { m.release() }, ps.maps)
	return ps
}

// close releases the mappings; the set must not be used afterwards.
func (ps *packSet) close() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.maps.release()
	ps.closed = true
}

// reindex lists the packs again (a fetch, a gc or a purge may have added or removed
// some). Mappings of packs still there are kept; removed packs are released, which is
// safe under the write lock: no read is in progress.
func (ps *packSet) reindex() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.listLocked()
}

func (ps *packSet) listLocked() {
	// Unmappable packs are read through go-git, which lists them itself: listing them
	// again here at every object it reads would cost a failed mapping each time.
	if ps.closed || ps.unmappable {
		return
	}
	ps.listed = true
	entries, err := os.ReadDir(ps.dir)
	if err != nil {
		ps.maps.release()
		return
	}
	old := map[string]*mappedPack{}
	for _, p := range ps.maps.packs {
		old[p.name] = p
	}
	var packs []*mappedPack
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".idx")
		if !ok || !strings.HasPrefix(name, "pack-") {
			continue
		}
		if p, ok := old[name]; ok {
			packs = append(packs, p)
			delete(old, name)
			continue
		}
		p, err := openMappedPack(filepath.Join(ps.dir, name))
		if errors.Is(err, errCannotMap) {
			ps.unmappable = true
			continue
		}
		if err != nil {
			// A pack being written (its .pack not there yet) or damaged: go-git,
			// asked when an object is not found here, reports it.
			continue
		}
		packs = append(packs, p)
	}
	for _, p := range old {
		p.release()
	}
	// Newest packs first would need their times; larger first finds most objects in
	// the first pack tried.
	sort.SliceStable(packs, func(i, j int) bool { return packs[i].count > packs[j].count })
	ps.maps.packs = packs
}

// readListed returns the type and content of object h from the packs listed;
// errNotInPacks when none holds it.
func (ps *packSet) readListed(h Hash) (typ plumbing.ObjectType, data []byte, err error) {
	ps.mu.RLock()
	if !ps.listed {
		ps.mu.RUnlock()
		ps.mu.Lock()
		if !ps.listed {
			ps.listLocked()
		}
		ps.mu.Unlock()
		ps.mu.RLock()
	}
	defer ps.mu.RUnlock()
	if ps.closed {
		return 0, nil, errors.New("lecteur d'objets fermé")
	}
	for _, p := range ps.maps.packs {
		off, ok, err := p.find(h)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			continue
		}
		err = guardMapped(func() error {
			var code byte
			code, data, err = p.readAt(off, ps.cache)
			typ = plumbing.ObjectType(code) // pack codes are go-git's types
			return err
		}, func() error {
			return fmt.Errorf("paquet Git %s : le fichier a été tronqué pendant sa lecture par un autre programme", p.name)
		})
		if err != nil {
			return 0, nil, fmt.Errorf("paquet Git %s : %w", filepath.Base(p.name), err)
		}
		return typ, data, nil
	}
	return 0, nil, errNotInPacks
}

// mappedPack is one pack and its version 2 index, mapped.
type mappedPack struct {
	name      string // path without .pack/.idx
	pack, idx []byte
	count     int
	// Parts of idx: the names (20 bytes each), the 4-byte offsets, the 8-byte offsets.
	fanout, names, offsets, large []byte
	release                       func()
}

var errCannotMap = errors.New("fichier impossible à projeter en mémoire")

func openMappedPack(name string) (*mappedPack, error) {
	idx, releaseIdx, err := mmapFile(name + ".idx")
	if err != nil {
		return nil, err
	}
	pack, releasePack, err := mmapFile(name + ".pack")
	if err != nil {
		releaseIdx()
		return nil, err
	}
	p := &mappedPack{name: name, pack: pack, idx: idx, release: func() { releaseIdx(); releasePack() }}
	err = guardMapped(p.parse, func() error { return errors.New("fichier tronqué") })
	if err != nil {
		p.release()
		return nil, err
	}
	return p, nil
}

// parse checks the index's layout and that it describes this pack (the pack's checksum,
// which ends both files).
func (p *mappedPack) parse() error {
	idx, pack := p.idx, p.pack
	const head = 8 + 256*4
	if len(idx) < head+40 || !bytes.Equal(idx[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return errors.New("index de paquet illisible (version 2 attendue)")
	}
	p.fanout = idx[8:head]
	prev := uint32(0)
	for i := range 256 {
		n := binary.BigEndian.Uint32(p.fanout[i*4:])
		if n < prev {
			return errors.New("index de paquet mal formé")
		}
		prev = n
	}
	n := uint64(prev)
	rest := uint64(len(idx) - head - 40)
	if n*28 > rest || (rest-n*28)%8 != 0 {
		return errors.New("index de paquet mal formé")
	}
	p.count = int(n)
	p.names = idx[head : head+p.count*20]
	p.offsets = idx[head+p.count*24 : head+p.count*28]
	p.large = idx[head+p.count*28 : len(idx)-40]
	if len(pack) < 32 || string(pack[:4]) != "PACK" {
		return errors.New("paquet illisible")
	}
	if v := binary.BigEndian.Uint32(pack[4:]); v != 2 && v != 3 {
		return fmt.Errorf("paquet de version %d", v)
	}
	if uint64(binary.BigEndian.Uint32(pack[8:])) != n {
		return errors.New("le paquet et son index ne comptent pas le même nombre d'objets")
	}
	if !bytes.Equal(pack[len(pack)-20:], idx[len(idx)-40:len(idx)-20]) {
		return errors.New("l'index ne correspond pas au paquet")
	}
	return nil
}

// find returns the offset of object h in the pack.
func (p *mappedPack) find(h Hash) (uint64, bool, error) {
	var err error
	var off uint64
	var found bool
	err = guardMapped(func() error {
		lo := 0
		if h[0] > 0 {
			lo = int(binary.BigEndian.Uint32(p.fanout[(int(h[0])-1)*4:]))
		}
		hi := int(binary.BigEndian.Uint32(p.fanout[int(h[0])*4:]))
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			switch c := bytes.Compare(p.names[mid*20:mid*20+20], h[:]); {
			case c < 0:
				lo = mid + 1
			case c > 0:
				hi = mid
			default:
				o := binary.BigEndian.Uint32(p.offsets[mid*4:])
				if o&0x80000000 == 0 {
					off = uint64(o)
				} else {
					i := int(o & 0x7fffffff)
					if i >= len(p.large)/8 {
						return fmt.Errorf("paquet Git %s : index mal formé", filepath.Base(p.name))
					}
					off = binary.BigEndian.Uint64(p.large[i*8:])
				}
				found = true
				return nil
			}
		}
		return nil
	}, func() error {
		return fmt.Errorf("paquet Git %s : le fichier a été tronqué pendant sa lecture par un autre programme", p.name)
	})
	return off, found, err
}

// findOffset is find for a REF_DELTA base: same pack only, as Git reads them.
func (p *mappedPack) findOffset(h Hash) (uint64, bool) {
	off, ok, err := p.find(h)
	return off, ok && err == nil
}

// readAt decodes the object whose entry starts at off, applying its deltas.
func (p *mappedPack) readAt(off uint64, cache *baseCache) (byte, []byte, error) {
	return decodePackObject(p.pack, off, cache, p, p.findOffset)
}

// readPackEntryHeader reads what appendPackEntryHeader writes, one byte at a time from
// next: the entry's type code (3 bits) and its size, refused beyond 64 bits.
func readPackEntryHeader(next func() (byte, error)) (code byte, size uint64, err error) {
	c, err := next()
	if err != nil {
		return 0, 0, err
	}
	code, size = c>>4&7, uint64(c&0x0f)
	for shift := uint(4); c&0x80 != 0; shift += 7 {
		if shift > 57 {
			return 0, 0, errEntrySize
		}
		if c, err = next(); err != nil {
			return 0, 0, err
		}
		size |= uint64(c&0x7f) << shift
	}
	return code, size, nil
}

var errEntrySize = errors.New("taille mal codée")

// appendPackEntryHeader appends a pack entry's header: its type code and the size of
// its data, seven bits at a time after the first four (Documentation/gitformat-pack).
func appendPackEntryHeader(b []byte, code byte, size uint64) []byte {
	c := code<<4 | byte(size&0x0f)
	for size >>= 4; size > 0; size >>= 7 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
	}
	return append(b, c)
}

// packEntryHeader is the header of one pack entry.
type packEntryHeader struct {
	code byte
	size uint64 // inflated size (of the delta, for a delta)
	data uint64 // offset of the zlib stream
	base uint64 // offset of the delta base (OFS_DELTA, or REF_DELTA once found)
}

// parsePackEntry decodes the entry header at off; findRef finds a REF_DELTA's base.
func parsePackEntry(pack []byte, off uint64, findRef func(Hash) (uint64, bool)) (packEntryHeader, error) {
	end := uint64(len(pack)) - 20 // the trailer's checksum
	if len(pack) < 32 || off < 12 || off >= end {
		return packEntryHeader{}, fmt.Errorf("position %d hors du paquet", off)
	}
	pos := off
	var e packEntryHeader
	var err error
	e.code, e.size, err = readPackEntryHeader(func() (byte, error) {
		if pos >= end {
			return 0, errEntrySize
		}
		pos++
		return pack[pos-1], nil
	})
	if err != nil {
		return packEntryHeader{}, fmt.Errorf("entrée %d : %w", off, err)
	}
	var c byte
	switch e.code {
	case packCommit, packTree, packBlob, packTag:
	case packOfsDelta:
		if pos >= end {
			return packEntryHeader{}, fmt.Errorf("entrée %d tronquée", off)
		}
		c = pack[pos]
		pos++
		rel := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if pos >= end || rel >= 1<<56 {
				return packEntryHeader{}, fmt.Errorf("entrée %d : position de base mal codée", off)
			}
			c = pack[pos]
			pos++
			rel = (rel+1)<<7 | uint64(c&0x7f)
		}
		if rel == 0 || rel > off-12 {
			return packEntryHeader{}, fmt.Errorf("entrée %d : base hors du paquet", off)
		}
		e.base = off - rel
	case packRefDelta:
		if end-pos < 20 {
			return packEntryHeader{}, fmt.Errorf("entrée %d tronquée", off)
		}
		var h Hash
		copy(h[:], pack[pos:pos+20])
		pos += 20
		base, ok := findRef(h)
		if !ok {
			return packEntryHeader{}, fmt.Errorf("entrée %d : base %s absente du paquet", off, h)
		}
		e.base = base
	default:
		return packEntryHeader{}, fmt.Errorf("entrée %d de type inconnu %d", off, e.code)
	}
	if pos >= end {
		return packEntryHeader{}, fmt.Errorf("entrée %d tronquée", off)
	}
	e.data = pos
	// Deflate cannot expand more than this: a larger declared size is a lie, refused
	// before any allocation.
	if e.size > (end-pos)*deflateMaxRatio+64 {
		return packEntryHeader{}, fmt.Errorf("entrée %d : taille annoncée (%d octets) impossible", off, e.size)
	}
	return e, nil
}

// decodePackObject reads the object at off in pack: the delta chain is followed down to
// a whole object (or a base in cache), which is then patched back up. owner keys the
// cache (one pack).
func decodePackObject(pack []byte, off uint64, cache *baseCache, owner any, findRef func(Hash) (uint64, bool)) (byte, []byte, error) {
	var chain []packEntryHeader
	var baseCode byte
	var data []byte
	cur := off
	for {
		if cache != nil {
			if code, d, ok := cache.get(owner, cur); ok {
				baseCode, data = code, d
				if len(chain) == 0 {
					return code, bytes.Clone(d), nil // the cached copy is shared
				}
				break
			}
		}
		e, err := parsePackEntry(pack, cur, findRef)
		if err != nil {
			return 0, nil, err
		}
		if e.code != packOfsDelta && e.code != packRefDelta {
			if data, err = inflateEntry(pack, e); err != nil {
				return 0, nil, fmt.Errorf("entrée %d : %w", cur, err)
			}
			baseCode = e.code
			if len(chain) > 0 && cache != nil {
				cache.add(owner, cur, baseCode, data)
			}
			break
		}
		if len(chain) >= maxDeltaChain {
			return 0, nil, fmt.Errorf("entrée %d : chaîne de deltas trop longue ou circulaire", off)
		}
		chain = append(chain, e)
		cur = e.base
	}
	for i := len(chain) - 1; i >= 0; i-- {
		e := chain[i]
		delta, err := inflateEntry(pack, e)
		if err != nil {
			return 0, nil, fmt.Errorf("entrée %d : %w", entryOffset(chain, i, off), err)
		}
		if data, err = applyDelta(data, delta); err != nil {
			return 0, nil, fmt.Errorf("entrée %d : %w", entryOffset(chain, i, off), err)
		}
		if i > 0 && cache != nil {
			cache.add(owner, entryOffset(chain, i, off), baseCode, data)
		}
	}
	return baseCode, data, nil
}

// entryOffset is where chain[i] starts: chain[0] at off, each next one at the previous
// one's base.
func entryOffset(chain []packEntryHeader, i int, off uint64) uint64 {
	if i == 0 {
		return off
	}
	return chain[i-1].base
}

// zlibReaders reuses inflaters: a new one allocates its 40 KB window.
var zlibReaders sync.Pool

type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser
}

// inflateEntry inflates e's zlib stream, which must give exactly e.size bytes.
func inflateEntry(pack []byte, e packEntryHeader) ([]byte, error) {
	in, _ := zlibReaders.Get().(*inflater)
	if in == nil {
		in = &inflater{}
	}
	in.src.Reset(pack[e.data : len(pack)-20])
	var err error
	if in.zr == nil {
		in.zr, err = zlib.NewReader(&in.src)
	} else {
		err = in.zr.(zlib.Resetter).Reset(&in.src, nil)
	}
	if err != nil {
		in.zr = nil
		zlibReaders.Put(in)
		return nil, fmt.Errorf("données compressées illisibles : %w", err)
	}
	defer zlibReaders.Put(in)
	// Allocate the declared size only up to a bound; beyond it the buffer grows with
	// what the stream really gives.
	out := make([]byte, 0, min(e.size, 64<<20))
	for uint64(len(out)) < e.size {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := in.zr.Read(out[len(out):min(uint64(cap(out)), e.size)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("données compressées illisibles : %w", err)
		}
	}
	if uint64(len(out)) != e.size {
		return nil, fmt.Errorf("%d octets décompressés, %d annoncés", len(out), e.size)
	}
	// The stream must end here (its checksum is verified at its end).
	var one [1]byte
	if n, err := io.ReadFull(in.zr, one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("plus de %d octets décompressés", e.size)
		}
		return nil, fmt.Errorf("données compressées illisibles : %w", err)
	}
	return out, nil
}

// applyDelta rebuilds a delta's target from its base (Git's delta format: the base's and
// the target's sizes, then copy and insert instructions).
func applyDelta(base, delta []byte) ([]byte, error) {
	pos := 0
	varint := func() (uint64, bool) {
		var v uint64
		for shift := uint(0); pos < len(delta) && shift < 64; shift += 7 {
			c := delta[pos]
			pos++
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	srcSize, ok := varint()
	if !ok || srcSize != uint64(len(base)) {
		return nil, errors.New("delta mal formé (taille de la base)")
	}
	tgtSize, ok := varint()
	// An instruction of at most 8 bytes copies at most 64 KiB.
	if !ok || tgtSize > uint64(len(delta))<<16 {
		return nil, errors.New("delta mal formé (taille du résultat)")
	}
	out := make([]byte, 0, min(tgtSize, 64<<20))
	for pos < len(delta) {
		op := delta[pos]
		pos++
		switch {
		case op&0x80 != 0:
			var cpOff, cpSize uint64
			for i := range 4 {
				if op&(1<<i) != 0 {
					if pos >= len(delta) {
						return nil, errors.New("delta tronqué")
					}
					cpOff |= uint64(delta[pos]) << (8 * i)
					pos++
				}
			}
			for i := range 3 {
				if op&(0x10<<i) != 0 {
					if pos >= len(delta) {
						return nil, errors.New("delta tronqué")
					}
					cpSize |= uint64(delta[pos]) << (8 * i)
					pos++
				}
			}
			if cpSize == 0 {
				cpSize = 0x10000
			}
			if cpOff+cpSize > uint64(len(base)) || uint64(len(out))+cpSize > tgtSize {
				return nil, errors.New("delta mal formé (copie hors limites)")
			}
			out = append(out, base[cpOff:cpOff+cpSize]...)
		case op != 0:
			n := int(op)
			if len(delta)-pos < n || uint64(len(out)+n) > tgtSize {
				return nil, errors.New("delta mal formé (insertion hors limites)")
			}
			out = append(out, delta[pos:pos+n]...)
			pos += n
		default:
			return nil, errors.New("delta mal formé (instruction 0)")
		}
	}
	if uint64(len(out)) != tgtSize {
		return nil, errors.New("delta mal formé (taille du résultat)")
	}
	return out, nil
}

// baseCache keeps recently rebuilt delta bases, bounded in bytes (least recently used
// out first). Its slices are shared: never modified, copied before leaving the reader.
type baseCache struct {
	mu    sync.Mutex
	limit int
	size  int
	lru   list.List
	items map[baseKey]*list.Element
}

type baseKey struct {
	owner any
	off   uint64
}

type baseItem struct {
	key  baseKey
	code byte
	data []byte
}

func newBaseCache(limit int) *baseCache {
	return &baseCache{limit: limit, items: map[baseKey]*list.Element{}}
}

func (c *baseCache) get(owner any, off uint64) (byte, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[baseKey{owner, off}]
	if !ok {
		return 0, nil, false
	}
	c.lru.MoveToFront(el)
	it := el.Value.(*baseItem)
	return it.code, it.data, true
}

func (c *baseCache) add(owner any, off uint64, code byte, data []byte) {
	if len(data) > c.limit/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := baseKey{owner, off}
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.lru.PushFront(&baseItem{key: k, code: code, data: data})
	c.size += len(data)
	for c.size > c.limit {
		el := c.lru.Back()
		it := el.Value.(*baseItem)
		c.lru.Remove(el)
		delete(c.items, it.key)
		c.size -= len(it.data)
	}
}
