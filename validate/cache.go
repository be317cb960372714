package validate

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
	"go.yaml.in/yaml/v3"
)

// Cache keeps, between runs, what checking each document gave: its own
// findings and its facts (the few keys the case-level rules read). Run
// stores one record per beneficiary folder, under the folder's name; a
// record holds, for each document, the Git blob id of its content, and is
// tied to a fingerprint of the rules' settings, the document types and acc
// itself. A document whose content, settings and types are unchanged is then
// neither YAML- nor Markdown-parsed: only read and hashed, and the
// case-level rules (which depend on today) run again on the cached facts.
//
// Implementations must be safe for concurrent use. A cache is only an
// accelerator: Get may miss at any time, and Run ignores Put's errors.
type Cache interface {
	Get(key string) ([]byte, bool)
	Put(key string, data []byte) error
}

// StampedCache is a Cache that also tells when a record was written, by the
// clock of the file system (a file's modification time). With it, Run trusts
// a document whose size, times and inode are those recorded, without reading
// it, unless it was modified too close to the record's writing to be sure
// (Git's "racy clean" problem). Without it, every document is read and
// hashed.
type StampedCache interface {
	Cache
	GetStamped(key string) (data []byte, written time.Time, ok bool)
}

// racyWindow is how close to a record's writing a file's times must not be
// for its signature to be trusted: coarser than any file system's clock.
const racyWindow = 2 * time.Second

// DirCache is a Cache in a folder, one file per beneficiary, for example
// .git/acc/cache/ (inside .git, so that it is never committed). File names
// are hashes of the keys, so that no beneficiary id appears in them.
type DirCache struct {
	Dir string
}

func (c DirCache) file(key string) string {
	sum := sha256.Sum256([]byte("acc-cache\x00" + key))
	h := hex.EncodeToString(sum[:16])
	return filepath.Join(c.Dir, h[:2], h[2:])
}

// Get reads the record of key.
func (c DirCache) Get(key string) ([]byte, bool) {
	b, err := os.ReadFile(c.file(key))
	return b, err == nil
}

// GetStamped reads the record of key and its modification time.
func (c DirCache) GetStamped(key string) ([]byte, time.Time, bool) {
	f, err := os.Open(c.file(key))
	if err != nil {
		return nil, time.Time{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() > 1<<30 {
		return nil, time.Time{}, false
	}
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, time.Time{}, false
	}
	return b, fi.ModTime(), true
}

// Put writes the record of key. It writes in place rather than through a
// temporary file and a rename (which cost half as much again on a cold
// run): a record cut short by a crash, or mixed by two processes writing at
// once, fails its checksum and is a miss.
func (c DirCache) Put(key string, data []byte) error {
	name := c.file(key)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(name), 0o700); err == nil {
			f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		}
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Forget removes the record of key (acc purge erases a beneficiary from the
// cache too). A missing record is not an error.
func (c DirCache) Forget(key string) error {
	err := os.Remove(c.file(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// MemCache is a Cache in memory, for tests and long-running callers.
type MemCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

// Get returns the record of key.
func (c *MemCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

// Put stores the record of key.
func (c *MemCache) Put(key string, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = append([]byte(nil), data...)
	return nil
}

// cacheFormat changes whenever the record layout or the meaning of what it
// holds changes.
const cacheFormat = "acc-validate-cache/3"

var selfID = sync.OnceValue(func() string {
	// The rules are code: a record made by another build of acc is stale.
	// A clean VCS build is named by its revision; anything else by the hash
	// of the executable.
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, modified := "", "true"
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return bi.GoVersion + " " + rev
		}
	}
	// Any other build: the executable's size and modification time change
	// with every build (hashing a 20 MB binary would cost more than a warm
	// run at 1k documents).
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	return exe + " " + strconv.FormatInt(fi.Size(), 10) + " " + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
})

// fingerprint identifies everything besides a document's content that its
// own checks depend on.
func fingerprint(s *Settings, reg *templates.Registry) string {
	h := sha256.New()
	io.WriteString(h, cacheFormat+"\x00"+selfID()+"\x00"+s.fingerprint()+"\x00")
	enc := json.NewEncoder(h)
	enc.Encode(reg.Fiche())
	enc.Encode(reg.Types())
	return hex.EncodeToString(h.Sum(nil))
}

// cached is the record of a beneficiary read from the cache.
type cached struct {
	byPath  map[string]*docEntry
	written time.Time // zero when the cache does not say
}

// trusted reports whether an entry whose file has signature sig may be
// reused without reading the file.
func (c *cached) trusted(e *docEntry, sig fileSig) bool {
	return e.sig == sig && trustedAt(sig, c.written)
}

// trustedAt reports whether a file with signature sig is old enough, for a
// record stamped written, to be known by its signature.
func trustedAt(sig fileSig, written time.Time) bool {
	if written.IsZero() || sig == (fileSig{}) {
		return false
	}
	limit := written.Add(-racyWindow).UnixNano()
	return sig.Mtime < limit && (sig.Ctime == 0 || sig.Ctime < limit)
}

// stamper is a cache that tells the stamp of the records this run puts.
type stamper interface{ Stamp() time.Time }

// load returns the cached entries of a beneficiary; nil without a cache or
// a usable record.
func (r *runner) load(name string) *cached {
	if r.cache == nil {
		return nil
	}
	c := &cached{}
	var b []byte
	var ok bool
	if sc, isStamped := r.cache.(StampedCache); isStamped {
		b, c.written, ok = sc.GetStamped(name)
	} else {
		b, ok = r.cache.Get(name)
	}
	if !ok {
		return nil
	}
	entries, ok := decodeRecord(b, r.fp)
	if !ok {
		return nil
	}
	c.byPath = make(map[string]*docEntry, len(entries))
	for _, e := range entries {
		c.byPath[e.path] = e
	}
	return c
}

// store writes the record of a beneficiary when it changed.
func (r *runner) store(name string, old *cached, entries []*docEntry) {
	if r.cache == nil {
		return
	}
	var keep []*docEntry
	same := old != nil
	for _, e := range entries {
		if e.broken || e.facts == nil || e.sum == ([sha1.Size]byte{}) {
			continue
		}
		keep = append(keep, e)
		if same && old.byPath[e.path] != e {
			same = false
		}
	}
	if same && len(keep) == len(old.byPath) {
		return
	}
	r.cache.Put(name, encodeRecord(keep, r.fp))
}

// Record layout: the format tag and fingerprint, then per document its
// path, blob id, findings and facts. Integers are uvarints, strings are
// length-prefixed.

func encodeRecord(entries []*docEntry, fp string) []byte {
	e := &binrec.Encoder{}
	e.Str(cacheFormat)
	e.Str(fp)
	e.Uint(uint64(len(entries)))
	for _, ent := range entries {
		e.Str(ent.path)
		e.B = append(e.B, ent.sum[:]...)
		e.Int(int(ent.sig.Size))
		e.Int(int(ent.sig.Mtime))
		e.Uint(ent.sig.Ino)
		e.Int(int(ent.sig.Ctime))
		e.Uint(uint64(len(ent.findings)))
		for _, f := range ent.findings {
			e.Int(f.Line)
			e.Int(f.Column)
			e.Int(int(f.Severity))
			e.Str(f.Rule)
			e.Str(f.Message)
			e.Str(f.Key)
		}
		fa := ent.facts
		flags := uint64(0)
		if fa.HasFront {
			flags |= 1
		}
		if fa.FrontErr != nil {
			flags |= 2
		}
		if fa.Front != nil {
			flags |= 4
		}
		e.Uint(flags)
		if fa.FrontErr != nil {
			e.Int(fa.FrontErr.Line)
			e.Int(fa.FrontErr.Column)
			e.Str(fa.FrontErr.Err.Error())
		}
		if fa.Front != nil {
			encodeFacts(e, fa)
		}
	}
	return binary.LittleEndian.AppendUint32(e.B, crc32.ChecksumIEEE(e.B))
}

func decodeRecord(b []byte, fp string) ([]*docEntry, bool) {
	if len(b) < 4 {
		return nil, false
	}
	sum := binary.LittleEndian.Uint32(b[len(b)-4:])
	b = b[:len(b)-4]
	if crc32.ChecksumIEEE(b) != sum {
		return nil, false
	}
	d := binrec.NewDecoder(b, true)
	if d.Str() != cacheFormat || d.Str() != fp {
		return nil, false
	}
	n := d.Uint()
	if d.Bad || n > uint64(len(d.B)) {
		return nil, false
	}
	out := make([]*docEntry, 0, n)
	var slab []yaml.Node
	for i := uint64(0); i < n && !d.Bad; i++ {
		ent := &docEntry{path: d.Str()}
		if len(d.B) < sha1.Size {
			return nil, false
		}
		copy(ent.sum[:], d.B[:sha1.Size])
		d.B = d.B[sha1.Size:]
		ent.sig = fileSig{Size: int64(d.Int()), Mtime: int64(d.Int()), Ino: d.Uint(), Ctime: int64(d.Int())}
		nf := d.Uint()
		if d.Bad || nf > uint64(len(d.B)) {
			return nil, false
		}
		for j := uint64(0); j < nf && !d.Bad; j++ {
			f := Finding{Path: ent.path, Line: d.Int(), Column: d.Int(), Severity: Severity(d.Int())}
			f.Rule, f.Message, f.Key = d.Str(), d.Str(), d.Str()
			ent.findings = append(ent.findings, f)
		}
		fa := &casefile.Document{Path: ent.path}
		flags := d.Uint()
		fa.HasFront = flags&1 != 0
		if flags&2 != 0 {
			fa.FrontErr = &poserr.Error{Path: ent.path, Line: d.Int(), Column: d.Int()}
			fa.FrontErr.Err = errors.New(d.Str())
		}
		if flags&4 != 0 {
			budget := maxFactNodes + 1
			fa.Front = decodeNode(d, &budget, &slab)
		}
		ent.facts = fa
		out = append(out, ent)
	}
	if d.Bad || len(d.B) != 0 {
		return nil, false
	}
	return out, true
}

// decodeNode reads a node and its children; nodes are taken from a slab
// allocated a few hundred at a time.
func decodeNode(d *binrec.Decoder, budget *int, slab *[]yaml.Node) *yaml.Node {
	*budget--
	if *budget < 0 {
		d.Bad = true
		return nil
	}
	if len(*slab) == 0 {
		*slab = make([]yaml.Node, 256)
	}
	n := &(*slab)[0]
	*slab = (*slab)[1:]
	n.Kind = yaml.Kind(d.Uint())
	n.Tag = internTag(d.Str())
	n.Value = d.Str()
	n.Line = d.Int()
	n.Column = d.Int()
	c := d.Uint()
	if d.Bad || c > uint64(len(d.B)) {
		d.Bad = true
		return n
	}
	if c > 0 {
		n.Content = make([]*yaml.Node, 0, c)
		for i := uint64(0); i < c && !d.Bad; i++ {
			n.Content = append(n.Content, decodeNode(d, budget, slab))
		}
	}
	return n
}

// internTag returns the usual tags as constants, so that records do not
// keep their own copies alive.
func internTag(t string) string {
	switch t {
	case "!!str":
		return "!!str"
	case "!!map":
		return "!!map"
	case "!!seq":
		return "!!seq"
	case "!!int":
		return "!!int"
	case "!!bool":
		return "!!bool"
	case "!!null":
		return "!!null"
	case "!!timestamp":
		return "!!timestamp"
	case "!!float":
		return "!!float"
	}
	return t
}
