//go:build unix

package gitstore

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The folder cache must never hide a change: a file added to a folder
// read before (its modification time changes), a file that stops being
// tracked without its folder changing, and a racy folder.
func TestWorkChangesFolderCache(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: X\n")
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b\n")})
	old := time.Now().Add(-time.Hour)
	age := func() {
		for _, d := range []string{"beneficiaires", "beneficiaires/a", "beneficiaires/b"} {
			if err := os.Chtimes(filepath.Join(dir, d), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	age()
	check := func(wantUntracked []string) {
		t.Helper()
		_, _, untracked, err := s.WorkChanges("beneficiaires", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(untracked, wantUntracked) {
			t.Fatalf("untracked = %v, want %v\ngit status:\n%s", untracked, wantUntracked, git(t, dir, "status", "--porcelain", "--untracked-files=all"))
		}
	}
	check(nil) // fills the cache
	if _, err := os.Stat(s.dirCachePath()); err != nil {
		t.Fatalf("cache not written: %v", err)
	}
	// A new file and a new folder: their parents' times change.
	writeFile(t, filepath.Join(dir, "beneficiaires/a/2026-11-25-entretien-suivi.md"), "x\n")
	writeFile(t, filepath.Join(dir, "beneficiaires/c/fiche.md"), "c\n")
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	// The same answer from the cache once the folders are old.
	age()
	os.Chtimes(filepath.Join(dir, "beneficiaires/c"), old, old)
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	// Untracked without any folder change: git rm --cached.
	git(t, dir, "rm", "-q", "--cached", "beneficiaires/b/fiche.md")
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/b/fiche.md", "beneficiaires/c/fiche.md"})
	// A damaged cache is ignored.
	if err := os.WriteFile(s.dirCachePath(), []byte("acc-dircache-1\nnot\ta\trecord\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/b/fiche.md", "beneficiaires/c/fiche.md"})
}
