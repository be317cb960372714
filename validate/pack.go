package validate

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/acc-formation/acc/internal/atomicfile"
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/internal/racy"
)

// PackCache is a StampedCache held in one file: loaded whole by OpenPack,
// written back whole, through a temporary file renamed over it, by Flush.
// It suits a caller that visits every beneficiary in one run (acc report):
// creating ten thousand small files, as DirCache does on a cold run, costs
// seconds on common file systems where writing one file of the same total
// size costs milliseconds.
//
// Every record keeps its own stamp: the file system's time when the run that
// put it began (the modification time of the temporary file OpenPack
// creates), which is never later than the reads the record describes, so
// that the racy-clean rule of StampedCache holds for a record carried over
// from run to run unchanged. A pack that cannot be read whole, or fails its
// checksum, is empty. Safe for concurrent use.
type PackCache struct {
	file  string
	mu    sync.Mutex
	recs  map[string]packRecord
	stamp int64            // nanoseconds; 0 when the file system's time is unknown
	tmp   *atomicfile.File // created by OpenPack, renamed over file by Flush
	dirty bool
	// folderTimes probes, once and only if asked (a validation run asks;
	// acc report's own pack never does), whether the file system holding
	// the pack moves a folder's time when an entry is created in it
	// (racy.FolderTimesTrack): without it, records do not vouch for folders.
	folderTimes func() bool
	// loaded is closed once the file is read: OpenPack reads it in the
	// background, so that a run starts listing folders meanwhile (reading
	// 80 MB at 100k documents is a tenth of a warm run).
	loaded chan struct{}
}

type packRecord struct {
	data  []byte
	stamp int64
}

// packFormat heads every pack file.
const packFormat = "acc-pack/1\n"

// maxPackSize bounds what OpenPack reads: a larger file is ignored.
const maxPackSize = 1 << 30

// OpenPack opens the pack stored in file, creating its folder when needed.
// It never fails: a pack that is missing or unreadable is empty, and a
// folder that cannot be written only makes Flush fail. Call Close when done.
func OpenPack(file string) *PackCache {
	p := &PackCache{file: file, recs: map[string]packRecord{}}
	dir, base := filepath.Split(file)
	if err := os.MkdirAll(dir, 0o700); err == nil {
		if tmp, err := atomicfile.Create(file, 0o600); err == nil {
			if fi, err := tmp.Stat(); err == nil && fi.Mode().IsRegular() {
				p.tmp, p.stamp = tmp, fi.ModTime().UnixNano()
				removeStaleTemps(dir, base, fi.ModTime())
			} else {
				tmp.Abort()
			}
		}
	}
	p.loaded = make(chan struct{})
	go func() {
		defer close(p.loaded)
		p.load()
	}()
	writable := p.tmp != nil
	p.folderTimes = sync.OnceValue(func() bool { return writable && racy.FolderTimesTrack(dir) })
	return p
}

// wait waits until the file is read.
func (p *PackCache) wait() { <-p.loaded }

// FolderTimes tells whether the file system holding the pack moves a
// folder's time when an entry is created in it, so that a record may vouch
// for its folder's entries (racy.FolderTimesTrack).
func (p *PackCache) FolderTimes() bool { return p.folderTimes() }

// removeStaleTemps removes the temporary files of runs that were killed
// before their Flush, once they are an hour older than now (the file
// system's time).
func removeStaleTemps(dir, base string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !atomicfile.IsTemp(e.Name(), base) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(now.Add(-time.Hour)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func (p *PackCache) load() {
	f, err := os.Open(p.file)
	if err != nil {
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() > maxPackSize || fi.Size() < int64(len(packFormat))+4 {
		return
	}
	b := make([]byte, fi.Size())
	adviseHuge(b)
	if _, err := io.ReadFull(f, b); err != nil {
		return
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(b[len(b)-4:]) || string(body[:len(packFormat)]) != packFormat {
		return
	}
	d := binrec.NewDecoder(body[len(packFormat):], false)
	n := d.Uint()
	if d.Bad || n > uint64(len(d.B)) {
		return
	}
	recs := make(map[string]packRecord, n)
	for i := uint64(0); i < n; i++ {
		klen := d.Uint()
		if d.Bad || klen > uint64(len(d.B)) {
			return
		}
		key := string(d.B[:klen])
		d.B = d.B[klen:]
		stamp := int64(d.Int())
		dlen := d.Uint()
		if d.Bad || dlen > uint64(len(d.B)) {
			return
		}
		recs[key] = packRecord{data: d.B[:dlen:dlen], stamp: stamp}
		d.B = d.B[dlen:]
	}
	if len(d.B) != 0 {
		return
	}
	p.recs = recs
}

// Get returns the record of key.
func (p *PackCache) Get(key string) ([]byte, bool) {
	b, _, ok := p.GetStamped(key)
	return b, ok
}

// GetStamped returns the record of key and the time the run that put it
// began; the time is zero when it was unknown.
func (p *PackCache) GetStamped(key string) ([]byte, time.Time, bool) {
	p.wait()
	p.mu.Lock()
	r, ok := p.recs[key]
	p.mu.Unlock()
	if !ok {
		return nil, time.Time{}, false
	}
	var t time.Time
	if r.stamp != 0 {
		t = time.Unix(0, r.stamp)
	}
	return r.data, t, true
}

// Stamp returns the time records put by this run are stamped with (zero
// when unknown): a record verified in this run is trusted by later runs for
// files older than it by the racy window.
func (p *PackCache) Stamp() time.Time {
	if p.stamp == 0 {
		return time.Time{}
	}
	return time.Unix(0, p.stamp)
}

// Put stores the record of key, stamped with the beginning of this run. The
// pack keeps data: the caller must not change it afterwards.
func (p *PackCache) Put(key string, data []byte) error {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recs[key] = packRecord{data: data, stamp: p.stamp}
	p.dirty = true
	return nil
}

// Forget removes the record of key.
func (p *PackCache) Forget(key string) {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.recs[key]; ok {
		delete(p.recs, key)
		p.dirty = true
	}
}

// Retain removes every record whose key keep refuses: the records of
// beneficiaries that are gone.
func (p *PackCache) Retain(keep func(key string) bool) {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.recs {
		if !keep(k) {
			delete(p.recs, k)
			p.dirty = true
		}
	}
}

// Len returns the number of records.
func (p *PackCache) Len() int {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.recs)
}

var errPackClosed = errors.New("cache : pas de fichier temporaire")

// Flush writes the pack when a record changed since OpenPack: into the
// temporary file, then renamed over the pack, so that a reader sees the old
// pack or the new one, never a part. Records are written in key order. A
// pack can be flushed once.
func (p *PackCache) Flush() error {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.dirty {
		return nil
	}
	if p.tmp == nil {
		return errPackClosed
	}
	keys := make([]string, 0, len(p.recs))
	for k := range p.recs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	crc := crc32.NewIEEE()
	w := bufio.NewWriterSize(io.MultiWriter(p.tmp, crc), 1<<20)
	w.WriteString(packFormat)
	var num []byte
	num = binary.AppendUvarint(num[:0], uint64(len(keys)))
	w.Write(num)
	for _, k := range keys {
		r := p.recs[k]
		num = binary.AppendUvarint(num[:0], uint64(len(k)))
		w.Write(num)
		w.WriteString(k)
		num = binary.AppendVarint(num[:0], r.stamp)
		num = binary.AppendUvarint(num, uint64(len(r.data)))
		w.Write(num)
		w.Write(r.data)
	}
	err := w.Flush()
	if err == nil {
		_, err = p.tmp.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	}
	if err == nil {
		err = p.tmp.Commit()
	}
	p.tmp.Abort()
	p.tmp = nil
	if err != nil {
		return err
	}
	p.dirty = false
	return nil
}

// Close removes the temporary file of a pack that was not flushed.
func (p *PackCache) Close() {
	p.wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tmp != nil {
		p.tmp.Abort()
		p.tmp = nil
	}
}
