package gitstore

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// The pack a fetch receives is written to objects/pack and indexed here rather than by
// go-git's PackWriter, whose parser inflates every object twice (once to hash it, once
// more to hand the index writer a hash it already has): 1 to 1.5 s of CPU for a clone of
// 100,000 documents. A pack without deltas (what acc's own file:// upload sends,
// transport_upload.go) is indexed in one pass as it arrives: each object inflated once,
// hashed with go-git's collision-detecting hasher, its entry's CRC-32 and the pack's
// trailing checksum checked. A pack with deltas (Git's servers send them) is indexed by
// go-git's parser, as before, once it is whole on disk.

// packReceiver is the io.WriteCloser a fetch writes its pack into.
type packReceiver struct {
	dir  string   // objects/pack
	f    *os.File // the pack, under a tmp_pack_ name until it is indexed
	pw   *io.PipeWriter
	done chan packIndexResult
	n    int64
	err  error
}

type packIndexResult struct {
	idx      *idxfile.Writer // nil: the pack has deltas, go-git's parser indexes it
	checksum plumbing.Hash
	err      error
}

func newPackReceiver(gitDir string) (*packReceiver, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	f, err := os.CreateTemp(dir, "tmp_pack_")
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	r := &packReceiver{dir: dir, f: f, pw: pw, done: make(chan packIndexResult, 1)}
	go func() {
		res := indexPackStream(pr)
		// Whatever happened, the rest of the pack is still written to the file.
		_, _ = io.Copy(io.Discard, pr)
		r.done <- res
	}()
	return r, nil
}

func (r *packReceiver) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.f.Write(p)
	r.n += int64(n)
	if err != nil {
		r.err = err
		return n, err
	}
	if _, err := r.pw.Write(p); err != nil {
		r.err = err
		return n, err
	}
	return n, nil
}

// Close indexes the pack and moves it into place; on any failure nothing stays behind.
func (r *packReceiver) Close() (err error) {
	r.pw.Close()
	res := <-r.done
	tmp := r.f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if cerr := r.f.Close(); r.err == nil {
		r.err = cerr
	}
	if r.err != nil {
		return r.err
	}
	if r.n == 0 {
		os.Remove(tmp)
		return nil
	}
	if res.err == nil && res.idx == nil {
		res = indexPackFile(tmp)
	}
	if res.err != nil {
		return res.err
	}
	return r.save(tmp, res)
}

// save writes the index next to the pack and gives both their final names, index first
// as go-git's PackWriter does (go-git lists the .pack files and opens their index).
func (r *packReceiver) save(tmp string, res packIndexResult) error {
	base := filepath.Join(r.dir, "pack-"+res.checksum.String())
	if _, err := os.Lstat(base + ".pack"); err == nil {
		return os.Remove(tmp) // the same pack is already there
	}
	idx, err := res.idx.Index()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(r.dir, "tmp_idx_")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.Remove(f.Name())
		}
	}()
	if _, err := idxfile.NewEncoder(f).Encode(idx); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// Read-only, as Git and go-git leave packs.
	for _, p := range []string{f.Name(), tmp} {
		if err := os.Chmod(p, 0o444); err != nil {
			return err
		}
	}
	if err := os.Rename(f.Name(), base+".idx"); err != nil {
		return err
	}
	ok = true
	if err := os.Rename(tmp, base+".pack"); err != nil {
		os.Remove(base + ".idx")
		return err
	}
	return nil
}

// indexPackFile indexes a whole pack on disk with go-git's parser (deltas resolved).
func indexPackFile(path string) packIndexResult {
	f, err := os.Open(path)
	if err != nil {
		return packIndexResult{err: err}
	}
	defer f.Close()
	w := new(idxfile.Writer)
	p, err := packfile.NewParser(packfile.NewScanner(f), w)
	if err != nil {
		return packIndexResult{err: err}
	}
	sum, err := p.Parse()
	if err != nil {
		return packIndexResult{err: err}
	}
	return packIndexResult{idx: w, checksum: sum}
}

// errPackHasDeltas stops the one-pass indexing: go-git's parser takes over.
var errPackHasDeltas = errors.New("pack with deltas")

// indexPackStream indexes a pack read from r in one pass. A pack with deltas gives a
// result without index (and no error): go-git's parser indexes it once it is whole.
func indexPackStream(r io.Reader) packIndexResult {
	pr := &packReader{r: r, buf: make([]byte, 256<<10), sum: sha1.New()}
	w, sum, err := pr.index()
	if errors.Is(err, errPackHasDeltas) {
		return packIndexResult{}
	}
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w : paquet tronqué", packfile.ErrMalformedPackFile)
		}
		return packIndexResult{err: err}
	}
	return packIndexResult{idx: w, checksum: sum}
}

// packReader reads a pack stream through its own buffer, so that the CRC-32 of each
// entry and the checksum of the pack cover exactly the bytes consumed (zlib stops at the
// end of its stream when its reader is an io.ByteReader).
type packReader struct {
	r        io.Reader
	buf      []byte
	lo, hi   int   // unread bytes: buf[lo:hi]
	mark     int   // start in buf of the bytes consumed and not yet hashed
	pos      int64 // offset in the pack of buf[lo]
	crc      uint32
	sum      hash.Hash // the pack's SHA-1, over every byte consumed
	zr       io.ReadCloser
	hdr      [32]byte
	contents [32 << 10]byte
}

// flush adds the bytes consumed since the last flush to the entry's CRC and the pack's
// checksum.
func (p *packReader) flush() {
	if p.lo > p.mark {
		p.crc = crc32.Update(p.crc, crc32.IEEETable, p.buf[p.mark:p.lo])
		p.sum.Write(p.buf[p.mark:p.lo])
	}
	p.mark = p.lo
}

func (p *packReader) fill() error {
	p.flush()
	n, err := p.r.Read(p.buf)
	if n > 0 {
		p.lo, p.hi, p.mark = 0, n, 0
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (p *packReader) ReadByte() (byte, error) {
	if p.lo == p.hi {
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	b := p.buf[p.lo]
	p.lo++
	p.pos++
	return b, nil
}

func (p *packReader) Read(b []byte) (int, error) {
	if p.lo == p.hi {
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(b, p.buf[p.lo:p.hi])
	p.lo += n
	p.pos += int64(n)
	return n, nil
}

func (p *packReader) index() (*idxfile.Writer, plumbing.Hash, error) {
	if _, err := io.ReadFull(p, p.hdr[:12]); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	if !bytes.Equal(p.hdr[:4], []byte("PACK")) || binary.BigEndian.Uint32(p.hdr[4:8]) != 2 {
		return nil, plumbing.ZeroHash, fmt.Errorf("%w : en-tête de paquet invalide", packfile.ErrMalformedPackFile)
	}
	count := binary.BigEndian.Uint32(p.hdr[8:12])
	w := new(idxfile.Writer)
	if err := w.OnHeader(min(count, 1<<20)); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	for range count {
		p.flush()
		p.crc = 0
		off := p.pos
		typ, size, err := p.objectHeader()
		if err != nil {
			return nil, plumbing.ZeroHash, err
		}
		h, err := p.inflate(typ, size)
		if err != nil {
			return nil, plumbing.ZeroHash, err
		}
		p.flush()
		w.Add(h, uint64(off), p.crc)
	}
	p.flush()
	want := p.sum.Sum(nil)
	if _, err := io.ReadFull(p, p.hdr[:20]); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	if !bytes.Equal(want, p.hdr[:20]) {
		return nil, plumbing.ZeroHash, fmt.Errorf("%w : somme de contrôle du paquet incorrecte", packfile.ErrMalformedPackFile)
	}
	var sum plumbing.Hash
	copy(sum[:], p.hdr[:20])
	if err := w.OnFooter(sum); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	return w, sum, nil
}

// objectHeader reads an entry's type and inflated size.
func (p *packReader) objectHeader() (plumbing.ObjectType, int64, error) {
	code, usize, err := readPackEntryHeader(p.ReadByte)
	if errors.Is(err, errEntrySize) || usize > math.MaxInt64 {
		return 0, 0, fmt.Errorf("%w : taille d'objet invalide", packfile.ErrMalformedPackFile)
	}
	if err != nil {
		return 0, 0, err
	}
	typ, size := plumbing.ObjectType(code), int64(usize)
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
		return typ, size, nil
	case plumbing.OFSDeltaObject, plumbing.REFDeltaObject:
		return 0, 0, errPackHasDeltas
	}
	return 0, 0, fmt.Errorf("%w : type d'objet %d", packfile.ErrMalformedPackFile, typ)
}

// inflate reads an entry's zlib stream, which must hold exactly size bytes, and returns
// the object's hash.
func (p *packReader) inflate(typ plumbing.ObjectType, size int64) (plumbing.Hash, error) {
	var err error
	if p.zr == nil {
		p.zr, err = zlib.NewReader(p)
	} else {
		err = p.zr.(zlib.Resetter).Reset(p, nil)
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w : %w", packfile.ErrMalformedPackFile, err)
	}
	hasher := plumbing.NewHasher(typ, size)
	n, err := io.CopyBuffer(hasher, io.LimitReader(p.zr, size), p.contents[:])
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w : %w", packfile.ErrMalformedPackFile, err)
	}
	// The stream must end there, its checksum verified.
	if n != size {
		return plumbing.ZeroHash, fmt.Errorf("%w : objet plus court que sa taille", packfile.ErrMalformedPackFile)
	}
	if m, err := p.zr.Read(p.contents[:1]); m != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("objet plus long que sa taille")
		}
		return plumbing.ZeroHash, fmt.Errorf("%w : %w", packfile.ErrMalformedPackFile, err)
	}
	return hasher.Sum(), nil
}
