package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The fast paths (the one-file pack as acc validate uses it: records
// trusted by their stat signature, or content recognised by its blob id)
// give exactly the findings of the slow path (every document read and
// parsed, no cache), through every kind of change a trainer or Git makes
// between runs; and a change is never missed, even one that keeps the size
// and the modification time (racy).
func TestFastPathsAgreeWithSlowPath(t *testing.T) {
	root := genRepo(t, 12)
	pack := filepath.Join(t.TempDir(), "cache", "validation.pack")
	// Waivers (one silencing a case-level finding, one with a sensitive
	// value in its motif) and a sensitive value in a message: the folder's
	// verdict keeps them as the slow path gives them.
	wp := filepath.Join(root, "beneficiaires", "b-00011", "2026-04-13-entretien-suivi.md")
	wsrc, _ := os.ReadFile(wp)
	waived := strings.Replace(string(wsrc), "prochain_entretien:", "derogations:\n  - regle: rythme\n    motif: \"NIR 1 85 05 78 006 084 91\"\n  - regle: rytme\n    motif: x\nprochain_entretien:", 1)
	if waived == string(wsrc) {
		t.Fatal("fixture changed: no prochain_entretien")
	}
	os.WriteFile(wp, []byte(waived), 0o644)
	today := fixtureToday
	// slow runs without cache, each finding handed to the writers one by
	// one; fast runs as acc validate does: open the pack, run with the
	// writers' encoding done by the workers, write the pack back. Both
	// give the text and JSON outputs and a log of every call, with keys,
	// severities and waivers.
	slow := func() string {
		t.Helper()
		s := newFullSink()
		if _, err := Run(context.Background(), RunOptions{Root: root, Today: today, Workers: 2}, plainSink{s}); err != nil {
			t.Fatal(err)
		}
		return s.output()
	}
	fast := func() (string, Stats) {
		t.Helper()
		p := OpenPack(pack)
		defer p.Close()
		s := newFullSink()
		st, err := Run(context.Background(), RunOptions{Root: root, Today: today, Workers: 2, Cache: p}, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		return s.output(), st
	}
	// step compares a cached run with an uncached one; wantParsed >= 0 is
	// the number of documents the cached run must parse.
	step := func(name string, wantParsed int) Stats {
		t.Helper()
		want := slow()
		got, st := fast()
		if got != want {
			t.Fatalf("%s: the cached run differs from the uncached one:\n%s\n---\n%s", name, got, want)
		}
		if wantParsed >= 0 && st.Parsed != wantParsed {
			t.Errorf("%s: %d documents parsed, want %d (%+v)", name, st.Parsed, wantParsed, st)
		}
		return st
	}
	doc := func(id, name string) string { return filepath.Join(root, "beneficiaires", id, name) }
	const suivi = "2026-04-13-entretien-suivi.md"

	// The fixture's files were all changed strictly before the cold run
	// began (its stamp): a warm run knows them by their stat data and
	// reads none.
	pastTick(t, filepath.Dir(pack))
	step("cold", 12*8)
	// Nor does it list the folders: their own stat data prove them
	// unchanged since their records.
	if st := step("warm", 0); st.Read != 0 || st.Listed != 0 {
		t.Errorf("warm: %+v", st)
	}

	// Touched: new mtime, same content.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(doc("b-00001", suivi), later, later); err != nil {
		t.Fatal(err)
	}
	if st := step("touched", 0); st.Read != 1 {
		t.Errorf("touched: %+v", st)
	}

	// Racy edit: same size, modification time put back.
	p := doc("b-00002", suivi)
	fi, _ := os.Stat(p)
	src, _ := os.ReadFile(p)
	edited := strings.Replace(string(src), "autonomie: 3", "autonomie: 9", 1)
	if edited == string(src) || len(edited) != len(src) {
		t.Fatal("fixture changed: no same-size edit")
	}
	os.WriteFile(p, []byte(edited), 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	step("same size and mtime", 1)
	got, _ := fast()
	if !strings.Contains(got, "b-00002/"+suivi+":") {
		t.Error("the racy edit was not seen")
	}

	// Another day: the verdicts of the day before do not hold (time rules),
	// the documents' own results do.
	pastTick(t, filepath.Dir(pack))
	fast() // the records of the edits above, stamped after them
	today = fixtureToday.AddDate(0, 2, 0)
	if st := step("next day", 0); st.Cached != 12*8 {
		t.Errorf("next day: %+v", st)
	}
	// (b-00001's document, touched a minute into the future, is read until
	// then.)
	if st := step("next day, again", 0); st.Read != 1 {
		t.Errorf("next day, again: %+v", st)
	}

	// Mode changed (the change time moves, the content does not).
	if err := os.Chmod(doc("b-00004", "fiche.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st := step("chmod", 0); st.Read != 2 {
		t.Errorf("chmod: %+v", st)
	}

	// Untracked entries: a link and a file that are not documents, a
	// hidden file, a folder named like a document.
	os.WriteFile(doc("b-00001", "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(doc("b-00001", ".brouillon.md"), []byte("x"), 0o644)
	os.Symlink(doc("b-00001", suivi), doc("b-00001", "2026-06-01-entretien-suivi.md"))
	os.Mkdir(doc("b-00002", "2026-06-02-entretien-suivi.md"), 0o755)
	if st := step("link, hidden file, folder", 0); st.Listed != 2 {
		t.Errorf("link, hidden file, folder: %d folders listed, want the 2 changed (%+v)", st.Listed, st)
	}
	os.Remove(doc("b-00001", "2026-06-01-entretien-suivi.md"))
	os.Remove(doc("b-00002", "2026-06-02-entretien-suivi.md"))
	step("link and folder removed", 0)

	// Renamed within a folder, moved to another beneficiary, deleted, a
	// whole folder deleted, a document added.
	if err := os.Rename(doc("b-00003", suivi), doc("b-00003", "2026-04-14-entretien-suivi.md")); err != nil {
		t.Fatal(err)
	}
	step("renamed", -1)
	if err := os.Rename(doc("b-00004", suivi), doc("b-00005", "2026-04-15-entretien-suivi.md")); err != nil {
		t.Fatal(err)
	}
	step("moved to another folder", -1)
	if err := os.Remove(doc("b-00006", suivi)); err != nil {
		t.Fatal(err)
	}
	step("deleted", -1)
	if err := os.RemoveAll(filepath.Join(root, "beneficiaires", "b-00007")); err != nil {
		t.Fatal(err)
	}
	step("folder deleted", -1)
	os.WriteFile(doc("b-00008", "2026-05-30-entretien-suivi.md"), src, 0o644)
	step("added", -1)

	// Replaced by another file (new inode) with the same size and times.
	p = doc("b-00009", suivi)
	fi, _ = os.Stat(p)
	src, _ = os.ReadFile(p)
	tmp := p + ".tmp"
	os.WriteFile(tmp, []byte(strings.Replace(string(src), "autonomie: 3", "autonomie: 8", 1)), 0o644)
	os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	step("replaced", -1)

	// Edited right after a run, inside the racy window of its record.
	fast()
	p = doc("b-00010", suivi)
	fi, _ = os.Stat(p)
	src, _ = os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(src), "autonomie: 3", "autonomie: 7", 1)), 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	step("edited right after a run", 1)

	// A damaged pack is a miss, never wrong findings.
	b, _ := os.ReadFile(pack)
	b[len(b)/2] ^= 0xff
	os.WriteFile(pack, b, 0o600)
	step("damaged pack", 11*8)
}

// fullSink is a Sink that writes the text and JSON formats as acc validate
// does (Multi, the findings encoded ahead by the workers) and logs every
// call in full.
type fullSink struct {
	w          Writer
	c          Counter
	text, json strings.Builder
	log        []string
}

func newFullSink() *fullSink {
	s := &fullSink{}
	tw, _ := NewWriter(FormatText, &s.text, Options{})
	jw, _ := NewWriter(FormatJSON, &s.json, Options{})
	s.w = Multi(&s.c, tw, jw)
	return s
}

func (s *fullSink) Document(p string) {
	s.w.Document(p)
	s.log = append(s.log, "D "+p)
}

func (s *fullSink) logFinding(f Finding) {
	s.log = append(s.log, fmt.Sprintf("F %s:%d:%d %d %s %s [%s]", f.Path, f.Line, f.Column, f.Severity, f.Rule, f.Message, f.Key))
}

func (s *fullSink) Finding(f Finding) {
	s.w.Finding(f)
	s.logFinding(f)
}

func (s *fullSink) Waiver(w Waiver) { s.log = append(s.log, fmt.Sprintf("W %+v", w)) }

func (s *fullSink) encodeFinding(dst []byte, f Finding) []byte {
	return s.w.(preEncoder).encodeFinding(dst, f)
}

func (s *fullSink) findingEncoded(f Finding, enc []byte) {
	s.w.(preEncoder).findingEncoded(f, enc)
	s.logFinding(f)
}

func (s *fullSink) output() string {
	s.w.Close(s.c.Summary)
	return s.text.String() + s.json.String() + strings.Join(s.log, "\n")
}

// plainSink hides the encoder of a fullSink: every finding goes through
// Finding.
type plainSink struct{ s *fullSink }

func (p plainSink) Document(path string) { p.s.Document(path) }
func (p plainSink) Finding(f Finding)    { p.s.Finding(f) }
func (p plainSink) Waiver(w Waiver)      { p.s.Waiver(w) }

// pastTick waits until the file system holding dir stamps a new file with
// a later time than one it stamps now: whatever was changed before the call
// is then strictly older than the next run's stamp, on any clock
// granularity.
func pastTick(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	probe := func() time.Time {
		f := filepath.Join(dir, ".tick")
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(f)
		return fi.ModTime()
	}
	first := probe()
	for deadline := time.Now().Add(5 * time.Second); !probe().After(first); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the file system's clock does not move")
		}
	}
}

// noFolderTimes is a pack on a file system said not to move folder times.
type noFolderTimes struct{ *PackCache }

func (noFolderTimes) FolderTimes() bool { return false }

// Where folder times prove nothing, every folder is listed on every run,
// and a document added to a folder whose time stays is found.
func TestListedWithoutFolderTimes(t *testing.T) {
	root := genRepo(t, 3)
	pack := filepath.Join(t.TempDir(), "cache", "validation.pack")
	run := func() Stats {
		t.Helper()
		p := OpenPack(pack)
		defer p.Close()
		st, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: 2, Cache: noFolderTimes{p}}, newFullSink())
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		return st
	}
	pastTick(t, filepath.Dir(pack))
	run()
	if st := run(); st.Listed != 3 || st.Read != 0 {
		t.Fatalf("warm: %+v", st)
	}
	folder := filepath.Join(root, "beneficiaires", "b-00001")
	fi, err := os.Stat(folder)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(folder, "2026-04-13-entretien-suivi.md"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(folder, "2026-05-30-entretien-suivi.md"), src, 0o644)
	os.Chtimes(folder, fi.ModTime(), fi.ModTime())
	if st := run(); st.Documents != 3*8+1 {
		t.Fatalf("the added document: %+v", st)
	}
}
