package validate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// A pack gives Run what a DirCache gives: the same output, nothing parsed
// on a warm run, nothing read once the record is old enough.
func TestPackCacheRun(t *testing.T) {
	root := genRepo(t, 30)
	file := filepath.Join(t.TempDir(), "cache", "validation.pack")
	run := func(cache Cache) ([]string, Stats) {
		t.Helper()
		var r recorder
		st, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: 3, Cache: cache}, &r)
		if err != nil {
			t.Fatal(err)
		}
		return r.calls, st
	}
	ref, _ := run(nil)
	p := OpenPack(file)
	if got, st := run(p); !slices.Equal(got, ref) || st.Parsed != 30*8 {
		t.Errorf("cold pack: different output, %+v", st)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p = OpenPack(file)
	if p.Len() != 30 {
		t.Fatalf("%d records after a reopen", p.Len())
	}
	if got, st := run(p); !slices.Equal(got, ref) || st.Parsed != 0 || st.Cached != 30*8 {
		t.Errorf("warm pack: different output, %+v", st)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	// Records stamped an hour from now: the files are older by far, their
	// signatures are trusted and nothing is read.
	p = OpenPack(file)
	p.stamp = time.Now().Add(time.Hour).UnixNano()
	p.Retain(func(string) bool { return false })
	run(p)
	p.Flush()
	p.Close()
	p = OpenPack(file)
	if got, st := run(p); !slices.Equal(got, ref) || st.Read != 0 || st.Cached != 30*8 {
		t.Errorf("trusted pack: %+v", st)
	}
	// An edited file is read and parsed again, and only it.
	doc := filepath.Join(root, "beneficiaires", "b-00004", "2026-04-13-entretien-suivi.md")
	src, _ := os.ReadFile(doc)
	os.WriteFile(doc, bytes.Replace(src, []byte("autonomie: 3"), []byte("autonomie: 9"), 1), 0o644)
	if got, st := run(p); slices.Equal(got, ref) || st.Read != 1 || st.Parsed != 1 {
		t.Errorf("after an edit: %+v", st)
	}
	p.Close()
}

// Each record keeps the stamp of the run that put it; a pack that is not
// whole is empty; Flush writes only what changed.
func TestPackCacheFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p.pack")
	p := OpenPack(file)
	if p.stamp == 0 {
		t.Fatal("no stamp from the file system")
	}
	first := p.stamp
	p.Put("a", []byte("un"))
	p.Put("b", []byte("deux"))
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	p.Close()

	p = OpenPack(file)
	p.stamp = first + int64(time.Hour) // a later run
	p.Put("c", []byte("trois"))
	p.Forget("b")
	p.Forget("inconnu")
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	p.Close()

	p = OpenPack(file)
	for key, want := range map[string]string{"a": "un", "c": "trois"} {
		b, stamp, ok := p.GetStamped(key)
		if !ok || string(b) != want {
			t.Errorf("%s = %q, %v", key, b, ok)
		}
		wantStamp := first
		if key == "c" {
			wantStamp += int64(time.Hour)
		}
		if stamp.UnixNano() != wantStamp {
			t.Errorf("%s stamped %v, want %v", key, stamp.UnixNano(), wantStamp)
		}
	}
	if _, ok := p.Get("b"); ok {
		t.Error("forgotten record still there")
	}
	// Nothing changed: the file is not rewritten.
	before, _ := os.Stat(file)
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	after, _ := os.Stat(file)
	if !os.SameFile(before, after) {
		t.Error("pack rewritten with nothing changed")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}

	// Retain drops the records of beneficiaries that are gone.
	p = OpenPack(file)
	p.Retain(func(k string) bool { return k == "c" })
	p.Flush()
	p.Close()
	if p = OpenPack(file); p.Len() != 1 {
		t.Errorf("%d records after Retain", p.Len())
	}
	p.Close()

	// Every truncation, and a flipped byte, make an empty pack.
	whole, _ := os.ReadFile(file)
	for n := range len(whole) {
		os.WriteFile(file, whole[:n], 0o600)
		if p := OpenPack(file); p.Len() != 0 {
			t.Fatalf("pack cut at %d bytes has %d records", n, p.Len())
		} else {
			p.Close()
		}
	}
	bad := bytes.Clone(whole)
	bad[len(bad)/2] ^= 1
	os.WriteFile(file, bad, 0o600)
	if p := OpenPack(file); p.Len() != 0 {
		t.Error("corrupt pack has records")
	}

	// The temporary file of a run killed an hour ago is removed.
	stale := filepath.Join(dir, ".p.pack.tmp-123")
	os.WriteFile(stale, nil, 0o600)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	OpenPack(file).Close()
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temporary file kept")
	}
}

// A folder that cannot be written: the pack works in memory, Flush fails.
func TestPackCacheReadOnly(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	p := OpenPack(filepath.Join(dir, "p.pack"))
	p.Put("a", []byte("x"))
	if _, stamp, ok := p.GetStamped("a"); !ok || !stamp.IsZero() {
		t.Errorf("stamp %v, %v", stamp, ok)
	}
	if err := p.Flush(); err == nil {
		t.Error("Flush succeeded in a read-only folder")
	}
	p.Close()
}

type folders struct {
	mu   sync.Mutex
	seen map[string]*Folder
}

func (fs *folders) add(f *Folder) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.seen == nil {
		fs.seen = map[string]*Folder{}
	}
	fs.seen[f.Name] = f
}

// Documents receives the folders WantDocuments asks for, fully parsed,
// whether the cache knew them or not; the others are not parsed.
func TestDocuments(t *testing.T) {
	root := genRepo(t, 6)
	os.Symlink(filepath.Join(root, "acc.yaml"), filepath.Join(root, "beneficiaires", "b-00005", "2026-06-01-entretien-suivi.md"))
	cache := &MemCache{}
	run := func(want func(*Folder) bool) (*folders, Stats, []string) {
		t.Helper()
		var got folders
		var r recorder
		st, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: 2, Cache: cache,
			Documents: got.add, WantDocuments: want}, &r)
		if err != nil {
			t.Fatal(err)
		}
		return &got, st, r.calls
	}
	ref, _, refCalls := run(nil)
	if len(ref.seen) != 6 {
		t.Fatalf("%d folders", len(ref.seen))
	}
	for name, f := range ref.seen {
		if f.Complete != (name != "b-00005") {
			t.Errorf("%s: Complete = %v", name, f.Complete)
		}
		if len(f.Documents) != 8 || len(f.Files) != 8 {
			t.Fatalf("%s: %d documents, %d states", name, len(f.Documents), len(f.Files))
		}
		for i, d := range f.Documents {
			src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.Path)))
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(d.Path) != f.Files[i].Name || blobID(src) != f.Files[i].Sum {
				t.Errorf("%s: state %+v does not match", d.Path, f.Files[i])
			}
			want := casefile.Parse(d.Path, src)
			if d.Front == nil || len(d.Headings) != len(want.Headings) || d.Type() != want.Type() {
				t.Errorf("%s: not parsed in full", d.Path)
			}
		}
	}
	// Warm: one folder asked for, read and parsed from the cache's
	// knowledge; the others only offered, with the same states.
	got, st, calls := run(func(f *Folder) bool {
		if prev := ref.seen[f.Name]; !slices.Equal(prev.Files, f.Files) && f.Name != "b-00005" {
			t.Errorf("%s: states differ on a warm run", f.Name)
		}
		return f.Name == "b-00002"
	})
	if !slices.Equal(calls, refCalls) {
		t.Error("Documents changed the findings")
	}
	if len(got.seen) != 1 || got.seen["b-00002"] == nil || len(got.seen["b-00002"].Documents) != 8 {
		t.Errorf("folders received: %v", got.seen)
	}
	if st.Parsed != 8 {
		t.Errorf("stats %+v", st)
	}
}

func TestUnchangedAndReadFolder(t *testing.T) {
	root := genRepo(t, 2)
	dir := filepath.Join(root, "beneficiaires", "b-00001")
	f := ReadFolder(root, "b-00001")
	if f == nil || !f.Complete || len(f.Documents) != 8 || !strings.HasPrefix(f.Documents[0].Path, "beneficiaires/b-00001/") {
		t.Fatalf("ReadFolder: %+v", f)
	}
	if ReadFolder(root, "absent") != nil {
		t.Error("ReadFolder of a missing folder")
	}
	now := time.Now()
	// Files written just now are racy: read and hashed, still unchanged.
	cur, same := Unchanged(dir, f.Files, now)
	if !same || !slices.Equal(cur, f.Files) {
		t.Errorf("unchanged folder: %v", same)
	}
	// A stamp that is not known: the same.
	if _, same := Unchanged(dir, f.Files, time.Time{}); !same {
		t.Error("unknown stamp")
	}
	// Touched, same content: unchanged, with the new signature.
	p := filepath.Join(dir, f.Files[2].Name)
	later := now.Add(time.Minute)
	os.Chtimes(p, later, later)
	cur, same = Unchanged(dir, f.Files, now)
	if !same || cur[2].Mtime == f.Files[2].Mtime || cur[2].Sum != f.Files[2].Sum {
		t.Errorf("touched file: %v %+v", same, cur[2])
	}
	// A trusted signature is not read: an unreadable file proves it.
	stamp := later.Add(time.Hour)
	if os.Getuid() != 0 {
		os.Chmod(p, 0)
		if _, same := Unchanged(dir, cur, stamp); !same {
			t.Error("trusted file was read")
		}
		os.Chmod(p, 0o644)
	}
	// Edited, added, removed, a link: changed.
	src, _ := os.ReadFile(p)
	os.WriteFile(p, append(src, "Une ligne.\n"...), 0o644)
	if _, same := Unchanged(dir, cur, stamp); same {
		t.Error("edited file not seen")
	}
	os.WriteFile(p, src, 0o644)
	if _, same := Unchanged(dir, f.Files, now); !same {
		t.Error("restored file")
	}
	extra := filepath.Join(dir, "2026-07-01-entretien-suivi.md")
	os.WriteFile(extra, src, 0o644)
	if _, same := Unchanged(dir, f.Files, now); same {
		t.Error("added file not seen")
	}
	os.Remove(extra)
	os.Symlink(p, extra)
	if _, same := Unchanged(dir, f.Files, now); same {
		t.Error("link not seen")
	}
	if f := ReadFolder(root, "b-00001"); f.Complete || len(f.Documents) != 8 {
		t.Errorf("folder with a link: Complete %v, %d documents", f.Complete, len(f.Documents))
	}
	os.Remove(extra)
	os.Remove(p)
	if _, same := Unchanged(dir, f.Files, now); same {
		t.Error("removed file not seen")
	}
	if _, same := Unchanged(filepath.Join(root, "beneficiaires", "absent"), nil, now); same {
		t.Error("missing folder")
	}
}

// adviseHuge only advises: whatever the slice's size and alignment, its
// bytes stay what is written into them, and a pack read after the advice
// is the pack written.
func TestAdviseHuge(t *testing.T) {
	for _, n := range []int{0, 1, 2<<20 - 1, 4 << 20, 5<<20 + 3} {
		for _, off := range []int{0, 1, 4095} {
			b := make([]byte, n+off)[off:]
			adviseHuge(b)
			for i := range b {
				b[i] = byte(i * 7)
			}
			for i := range b {
				if b[i] != byte(i*7) {
					t.Fatalf("size %d offset %d: byte %d changed", n, off, i)
				}
			}
		}
	}
}
