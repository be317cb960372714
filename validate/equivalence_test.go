package validate

import (
	"context"
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
	slow := func() []string {
		t.Helper()
		var r recorder
		if _, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: 2}, &r); err != nil {
			t.Fatal(err)
		}
		return r.calls
	}
	// fast runs as acc validate does: open the pack, run, write it back.
	fast := func() ([]string, Stats) {
		t.Helper()
		p := OpenPack(pack)
		defer p.Close()
		var r recorder
		st, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: 2, Cache: p}, &r)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		return r.calls, st
	}
	// step compares a cached run with an uncached one; wantParsed >= 0 is
	// the number of documents the cached run must parse.
	step := func(name string, wantParsed int) Stats {
		t.Helper()
		want := slow()
		got, st := fast()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s: the cached run differs from the uncached one:\n%s\n---\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if wantParsed >= 0 && st.Parsed != wantParsed {
			t.Errorf("%s: %d documents parsed, want %d (%+v)", name, st.Parsed, wantParsed, st)
		}
		return st
	}
	doc := func(id, name string) string { return filepath.Join(root, "beneficiaires", id, name) }
	const suivi = "2026-04-13-entretien-suivi.md"

	step("cold", 12*8)
	// Files written less than the racy window before the pack are read
	// again (and hashed, not parsed): still the same findings.
	if st := step("warm", 0); st.Read != 12*8 {
		t.Errorf("warm, files as recent as the records: %+v", st)
	}
	// Past the window, the records are stamped again once, then nothing is
	// read.
	time.Sleep(racyWindow + 100*time.Millisecond)
	step("warm, past the racy window", 0)
	if st := step("warm, records stamped again", 0); st.Read != 0 {
		t.Errorf("records stamped again: %+v", st)
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
	if !strings.Contains(strings.Join(got, "\n"), "b-00002/"+suivi+":") {
		t.Error("the racy edit was not seen")
	}

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
