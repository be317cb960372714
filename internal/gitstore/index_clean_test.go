//go:build unix

package gitstore

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// cleanIndex keeps only what Git's racy-clean rule lets a reader
// trust: entries recorded before the index was written, of regular files,
// without intent-to-add; CleanIndexLookup answers only for a file whose
// stat data is still the recorded one.
func TestCleanIndex(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: Test\n")
	old := filepath.Join(dir, "beneficiaires", "a", "fiche.md")
	racy := filepath.Join(dir, "beneficiaires", "b", "fiche.md")
	writeFile(t, old, "---\ntype: fiche\n---\n")
	writeFile(t, racy, "---\ntype: fiche\n---\nB\n")
	writeFile(t, filepath.Join(dir, "beneficiaires", "c", "fiche.md"), "---\ntype: fiche\n---\nC\n")
	time.Sleep(50 * time.Millisecond)
	git(t, dir, "add", "acc.yaml", "beneficiaires/a", "beneficiaires/b")
	// b's entry gets a modification time later than the index file's.
	future := time.Now().Add(time.Hour)
	os.Chtimes(racy, future, future)
	git(t, dir, "update-index", "--refresh")
	git(t, dir, "add", "-N", "beneficiaires/c/fiche.md")
	past := time.Now().Add(-time.Minute)

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Only a is left: b is racy (its entry is not older than the index), c
	// is intent-to-add.
	table, err := s.cleanIndex("beneficiaires")
	if err != nil {
		t.Fatal(err)
	}
	if len(table.ents) != 1 || table.name(0) != "beneficiaires/a/fiche.md" {
		t.Fatalf("entries: %q %+v", table.names, table.ents)
	}
	want := git(t, dir, "rev-parse", ":beneficiaires/a/fiche.md")
	lookup := s.CleanIndexLookup("beneficiaires")
	fi, _ := os.Stat(old)
	sig := fileStat(fi)
	h, ok := lookup("beneficiaires/a/fiche.md", fi.Size(), unixTime(sig.mtimeSec, sig.mtimeNsec).UnixNano(), unixTime(sig.ctimeSec, sig.ctimeNsec).UnixNano(), uint64(sig.ino))
	if !ok || h.String()+"\n" != want {
		t.Fatalf("lookup: %v %s, want %s", ok, h, want)
	}
	// Touched: the stat data no longer matches.
	os.Chtimes(old, past, past)
	fi, _ = os.Stat(old)
	sig = fileStat(fi)
	if _, ok := lookup("beneficiaires/a/fiche.md", fi.Size(), unixTime(sig.mtimeSec, sig.mtimeNsec).UnixNano(), unixTime(sig.ctimeSec, sig.ctimeNsec).UnixNano(), uint64(sig.ino)); ok {
		t.Error("a touched file is vouched for")
	}
	if _, ok := lookup("beneficiaires/b/fiche.md", 1, 1, 1, 1); ok {
		t.Error("a racy entry is vouched for")
	}
}

// cutCasePrefix answers alike for a path as a string and as bytes.
func TestCutCasePrefix(t *testing.T) {
	for _, c := range []struct {
		prefix, gp, want string
		ok               bool
	}{
		{"", "beneficiaires/a/fiche.md", "beneficiaires/a/fiche.md", true},
		{"suivi", "suivi/beneficiaires/a/fiche.md", "beneficiaires/a/fiche.md", true},
		{"suivi", "suivi", "", true},
		{"suivi", "suivi2/x.md", "", false},
		{"suivi", "suiv", "", false},
		{"suivi", "autre/suivi/x.md", "", false},
	} {
		got, ok := cutCasePrefix(c.prefix, c.gp)
		gotb, okb := cutCasePrefix(c.prefix, []byte(c.gp))
		if got != c.want || ok != c.ok || string(gotb) != c.want || okb != c.ok {
			t.Errorf("cutCasePrefix(%q, %q) = %q %v / %q %v, want %q %v", c.prefix, c.gp, got, ok, gotb, okb, c.want, c.ok)
		}
	}
}
