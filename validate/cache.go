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
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/racy"
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
// accelerator: Get may miss at any time, and Run ignores Put's errors. The
// data Get returns must never be changed afterwards (Run keeps strings cut
// from it), nor the data given to Put.
type Cache interface {
	Get(key string) ([]byte, bool)
	Put(key string, data []byte) error
}

// StampedCache is a Cache that also tells, for each record, the file
// system's time of a moment before the reads the record describes (the
// start of the run that put it: PackCache). With it, Run trusts a document
// whose size, times and inode are those recorded, without reading it, when
// its times are strictly before that stamp (acc's one racy rule,
// racy.Proves): a change after the stamp would have given the file another
// time. Without it, every document is read and hashed.
type StampedCache interface {
	Cache
	GetStamped(key string) (data []byte, written time.Time, ok bool)
}

// DirCache is a Cache in a folder, one file per beneficiary, for example
// .git/acc/cache/ (inside .git, so that it is never committed). File names
// are hashes of the keys, so that no beneficiary id appears in them. It is
// not a StampedCache: a record file's time is later than the reads it
// describes, so it cannot serve as the racy rule's reference, and every
// document is read and hashed.
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
const cacheFormat = "acc-validate-cache/5"

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
	list    []*docEntry // the record's entries, in path order
	written time.Time   // zero when the cache does not say
	// folder is the folder's own signature when list holds every case file
	// it had (zero otherwise): see listing.
	folder fileSig
	// verdict is what the whole folder gave on a day, when the record has
	// it: with the same documents (same blob ids) on the same day, the
	// folder's findings are the same, and neither the facts are decoded
	// nor the case-level rules run again.
	verdict *verdict
}

// verdict is the result of a whole beneficiary folder on one day: its
// findings after waivers, masked and sorted (what emit receives), and its
// waivers with the findings they silenced. It depends on nothing but the
// documents' contents, the day and what the record's fingerprint covers.
// In a record, a finding that is one of a document's own is written as a
// reference to it, so that a verdict costs a few bytes a finding.
type verdict struct {
	day      time.Time
	caseRan  bool
	findings []Finding
	waivers  []Waiver
	raw      string // as read from a record, decoded by reusable
}

// trusted reports whether an entry whose file has signature sig may be
// reused without reading the file.
func (c *cached) trusted(e *docEntry, sig fileSig) bool {
	return e.sig == sig && trustedAt(sig, c.written)
}

// trustedAt reports whether a file with signature sig is known by its
// signature for a record stamped written: both its times (the change time
// where the system gives one) proven by the racy rule against the stamp.
func trustedAt(sig fileSig, written time.Time) bool {
	if written.IsZero() || sig == (fileSig{}) {
		return false
	}
	ref := written.UnixNano()
	return racy.ProvesNano(sig.Mtime, ref) && (sig.Ctime == 0 || racy.ProvesNano(sig.Ctime, ref))
}

// stamper is a cache that tells the stamp of the records this run puts.
type stamper interface{ Stamp() time.Time }

// load returns the cached entries of a beneficiary; nil without a cache or
// a usable record. The entries' findings and facts, and the verdict, are
// decoded only when asked for.
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
	entries, v, folder, ok := decodeRecord(b, r.fp)
	if !ok {
		return nil
	}
	c.folder = folder
	c.byPath = make(map[string]*docEntry, len(entries))
	for _, e := range entries {
		c.byPath[e.path] = e
	}
	c.list, c.verdict = entries, v
	return c
}

// reusable returns the verdict of the record for a run on day whose
// entries are those of the record, in content; nil otherwise.
func (c *cached) reusable(entries []*docEntry, day time.Time) *verdict {
	if c == nil || c.verdict == nil || !c.verdict.day.Equal(day) || len(entries) != len(c.list) {
		return nil
	}
	for i, e := range entries {
		p := c.list[i]
		if p.path != e.path || e.broken || e.sum == ([sha1.Size]byte{}) || e.sum != p.sum {
			return nil
		}
	}
	v := c.verdict
	if v.raw != "" && v.findings == nil && v.waivers == nil && !v.decode(c.list) {
		return nil
	}
	return v
}

// store writes the record of a beneficiary when it changed; v, when not
// nil, is the folder's verdict of this run, and folder the folder's own
// signature read before its case files were known (listed, or taken from
// old).
func (r *runner) store(name string, old *cached, entries []*docEntry, v *verdict, folder fileSig) {
	if r.cache == nil {
		return
	}
	var keep []*docEntry
	same := old != nil && (v == nil || old.verdict == v)
	for _, e := range entries {
		if e.broken || e.sum == ([sha1.Size]byte{}) || (e.body == "" && e.facts == nil) {
			v = nil // a verdict needs every document in the record
			folder = fileSig{}
			continue
		}
		keep = append(keep, e)
		if same && old.byPath[e.path] != e {
			same = false
		}
	}
	if same && len(keep) == len(old.byPath) && old.folder == folder {
		return
	}
	r.cache.Put(name, encodeRecord(keep, v, folder, r.fp))
}

// listing returns the folder's case files as the record lists them, when
// the folder's own signature, read now (sig), is the recorded one and
// proven by the racy rule against the record's stamp, as a file's would
// be: no entry was added, removed or replaced since the record's run
// listed it. false otherwise (no record, a record that lacks a case file of
// the folder, or a folder changed).
func (c *cached) listing(sig fileSig, dir string) ([]fs.DirEntry, bool) {
	if c == nil || c.folder == (fileSig{}) || c.folder != sig || !trustedAt(sig, c.written) {
		return nil, false
	}
	ents := make([]fs.DirEntry, len(c.list))
	for i, e := range c.list {
		ents[i] = recordedEntry{name: path.Base(e.path), dir: dir}
	}
	return ents, true
}

// Record layout: the format tag and fingerprint, the folder's own stat
// signature (zeros when the record lacks one of its case files), then per document its
// path, blob id, stat signature and its body (findings and facts, decoded
// only when needed), then the folder's verdict: its day (0 for none), and
// its findings and waivers. Integers are uvarints, strings and bodies are
// length-prefixed; a CRC-32 ends the record.

func encodeRecord(entries []*docEntry, v *verdict, folder fileSig, fp string) []byte {
	e := &binrec.Encoder{}
	e.Str(cacheFormat)
	e.Str(fp)
	encodeSig(e, folder)
	e.Uint(uint64(len(entries)))
	var body binrec.Encoder
	for _, ent := range entries {
		e.Str(ent.path)
		e.B = append(e.B, ent.sum[:]...)
		encodeSig(e, ent.sig)
		if ent.body != "" {
			e.Str(ent.body)
			continue
		}
		body.B = body.B[:0]
		encodeBody(&body, ent)
		e.Uint(uint64(len(body.B)))
		e.B = append(e.B, body.B...)
	}
	if v == nil {
		e.Uint(0)
		return binary.LittleEndian.AppendUint32(e.B, crc32.ChecksumIEEE(e.B))
	}
	e.Date(v.day)
	flag := uint64(0)
	if v.caseRan {
		flag = 1
	}
	e.Uint(flag)
	if v.raw != "" {
		// Carried over with the same documents in the same order: its
		// references still hold.
		e.Str(v.raw)
		return binary.LittleEndian.AppendUint32(e.B, crc32.ChecksumIEEE(e.B))
	}
	body.B = body.B[:0]
	encodeVerdict(&body, v, entries)
	e.Uint(uint64(len(body.B)))
	e.B = append(e.B, body.B...)
	return binary.LittleEndian.AppendUint32(e.B, crc32.ChecksumIEEE(e.B))
}

// encodeVerdict writes the findings and waivers of v. Each starts with
// where its path is (0 and the path, or the document's index plus one); a
// finding then says which of that document's own findings it is (its index
// plus one), or 0 and the finding.
func encodeVerdict(e *binrec.Encoder, v *verdict, entries []*docEntry) {
	index := make(map[string]int, len(entries))
	for i, ent := range entries {
		index[ent.path] = i
	}
	path := func(p string) int {
		if i, ok := index[p]; ok {
			e.Uint(uint64(i) + 1)
			return i
		}
		e.Uint(0)
		e.Str(p)
		return -1
	}
	e.Uint(uint64(len(v.findings)))
	for _, f := range v.findings {
		ref := 0
		if i := path(f.Path); i >= 0 {
			for j, own := range entries[i].findings {
				if own == f {
					ref = j + 1
					break
				}
			}
		}
		e.Uint(uint64(ref))
		if ref == 0 {
			encodeFinding(e, f)
		}
	}
	e.Uint(uint64(len(v.waivers)))
	for _, w := range v.waivers {
		path(w.Path)
		e.Int(w.Line)
		e.Int(w.Column)
		e.Str(w.Rule)
		e.Str(w.Motif)
		e.Int(w.Silenced)
	}
}

// decode reads the findings and waivers of a verdict read from a record
// whose entries are list.
func (v *verdict) decode(list []*docEntry) bool {
	d := binrec.NewStringDecoder(v.raw)
	path := func() (string, *docEntry) {
		i := d.Uint()
		if i == 0 {
			return d.Str(), nil
		}
		if i > uint64(len(list)) {
			d.Bad = true
			return "", nil
		}
		return list[i-1].path, list[i-1]
	}
	nf := d.Count()
	findings := make([]Finding, 0, nf)
	for j := 0; j < nf && !d.Bad; j++ {
		p, ent := path()
		ref := d.Uint()
		if ref == 0 {
			findings = append(findings, decodeFinding(d, p))
			continue
		}
		if ent == nil || !ent.decodeFindings() || ref > uint64(len(ent.findings)) {
			return false
		}
		findings = append(findings, ent.findings[ref-1])
	}
	nw := d.Count()
	var waivers []Waiver
	for j := 0; j < nw && !d.Bad; j++ {
		p, _ := path()
		w := Waiver{Path: p, Line: d.Int(), Column: d.Int()}
		w.Rule, w.Motif, w.Silenced = d.Str(), d.Str(), d.Int()
		waivers = append(waivers, w)
	}
	if !d.Done() {
		return false
	}
	v.findings, v.waivers = findings, waivers
	return true
}

func encodeFinding(e *binrec.Encoder, f Finding) {
	e.Int(f.Line)
	e.Int(f.Column)
	e.Int(int(f.Severity))
	e.Str(f.Rule)
	e.Str(f.Message)
	e.Str(f.Key)
}

func decodeFinding(d *binrec.Decoder, p string) Finding {
	f := Finding{Path: p, Line: d.Int(), Column: d.Int(), Severity: Severity(d.Int())}
	f.Rule, f.Message, f.Key = d.Str(), d.Str(), d.Str()
	return f
}

// encodeBody writes what checking a document gave: its findings, then its
// facts.
func encodeBody(e *binrec.Encoder, ent *docEntry) {
	e.Uint(uint64(len(ent.findings)))
	for _, f := range ent.findings {
		encodeFinding(e, f)
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

// decodeRecord reads a record: the entries, whose bodies stay undecoded,
// and the verdict, undecoded too (nil when there is none). The record is
// copied once into a string that every later decoding cuts from.
func decodeRecord(b []byte, fp string) ([]*docEntry, *verdict, fileSig, bool) {
	if len(b) < 4 {
		return nil, nil, fileSig{}, false
	}
	sum := binary.LittleEndian.Uint32(b[len(b)-4:])
	b = b[:len(b)-4]
	if crc32.ChecksumIEEE(b) != sum {
		return nil, nil, fileSig{}, false
	}
	// Records are never changed once made (Cache): the strings of the
	// entries are cut from the record itself, without a copy.
	d := binrec.NewStringDecoder(unsafe.String(unsafe.SliceData(b), len(b)))
	if d.Str() != cacheFormat || d.Str() != fp {
		return nil, nil, fileSig{}, false
	}
	folder := decodeSig(d)
	n := d.Count()
	out := make([]*docEntry, 0, n)
	for i := 0; i < n && !d.Bad; i++ {
		ent := &docEntry{path: d.Str()}
		if len(d.B) < sha1.Size {
			return nil, nil, fileSig{}, false
		}
		copy(ent.sum[:], d.B[:sha1.Size])
		d.B = d.B[sha1.Size:]
		ent.sig = decodeSig(d)
		ent.body = d.Str()
		if ent.body == "" {
			return nil, nil, fileSig{}, false
		}
		out = append(out, ent)
	}
	if d.Bad {
		return nil, nil, fileSig{}, false
	}
	var v *verdict
	if day := d.Date(); !day.IsZero() {
		v = &verdict{day: day, caseRan: d.Uint() == 1}
		v.raw = d.Str()
		if v.raw == "" {
			return nil, nil, fileSig{}, false
		}
	}
	if !d.Done() {
		return nil, nil, fileSig{}, false
	}
	return out, v, folder, true
}

// decodeFindings decodes the findings of an entry read from the cache (a
// no-op for any other); false when its body is damaged.
func (e *docEntry) decodeFindings() bool {
	if e.body == "" || e.factsAt > 0 {
		return true
	}
	d := binrec.NewStringDecoder(e.body)
	nf := d.Count()
	findings := make([]Finding, 0, nf)
	for j := 0; j < nf && !d.Bad; j++ {
		findings = append(findings, decodeFinding(d, e.path))
	}
	if d.Bad {
		return false
	}
	e.findings, e.factsAt = findings, len(e.body)-len(d.B)
	return true
}

// decode decodes the findings and facts of an entry read from the cache
// (a no-op for any other); false when its body is damaged. Nodes are taken
// from slab, shared by the entries of a folder.
func (e *docEntry) decode(slab *[]yaml.Node) bool {
	if e.body == "" || e.facts != nil {
		return e.facts != nil
	}
	if !e.decodeFindings() {
		return false
	}
	d := binrec.NewStringDecoder(e.body[e.factsAt:])
	fa := &casefile.Document{Path: e.path}
	flags := d.Uint()
	fa.HasFront = flags&1 != 0
	if flags&2 != 0 {
		fa.FrontErr = &poserr.Error{Path: e.path, Line: d.Int(), Column: d.Int()}
		fa.FrontErr.Err = errors.New(d.Str())
	}
	if flags&4 != 0 {
		budget := maxFactNodes + 1
		fa.Front = decodeNode(d, &budget, slab)
	}
	if !d.Done() {
		return false
	}
	e.facts = fa
	return true
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

// encodeSig writes a stat signature (a document's, or its folder's).
func encodeSig(e *binrec.Encoder, s fileSig) {
	e.Int(int(s.Size))
	e.Int(int(s.Mtime))
	e.Uint(s.Ino)
	e.Int(int(s.Ctime))
}

// decodeSig reads what encodeSig wrote.
func decodeSig(d *binrec.Decoder) fileSig {
	return fileSig{Size: int64(d.Int()), Mtime: int64(d.Int()), Ino: d.Uint(), Ctime: int64(d.Int())}
}
