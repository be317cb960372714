//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// acc validate with its cache (the pack, the folders' verdicts of the day,
// the Git index vouching for files the pack cannot trust yet) prints
// exactly, byte for byte, what it prints without (--sans-cache), in a fresh
// clone and through every kind of change between runs; a change is never
// missed, not even one that keeps the size and the modification time.
func TestValidateCacheAgreesWithUncached(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	src := newCaseRepo(t, acc, env, "alice-durand", "bruno-petit", "chloe-roux")
	for i, id := range []string{"alice-durand", "bruno-petit", "chloe-roux"} {
		mustRun(t, env, src, acc, "new", "entretien-initial", "-b", id, "--date", "2026-02-0"+string(rune('2'+i)))
		mustRun(t, env, src, acc, "new", "entretien-suivi", "-b", id, "--date", "2026-03-0"+string(rune('2'+i)))
	}
	dir := filepath.Join(t.TempDir(), "clone")
	mustRun(t, env, filepath.Dir(dir), "git", "clone", "-q", src, dir)

	step := func(name string) {
		t.Helper()
		for _, format := range []string{"json", "text"} {
			want := runIn(t, env, dir, acc, "validate", "--format", format, "--sans-cache")
			got := runIn(t, env, dir, acc, "validate", "--format", format)
			if got.stdout != want.stdout || got.code != want.code || got.stderr != want.stderr {
				t.Fatalf("%s, %s: with the cache\n%s%s(code %d)\nwithout\n%s%s(code %d)", name, format,
					got.stdout, got.stderr, got.code, want.stdout, want.stderr, want.code)
			}
		}
	}
	doc := func(id, name string) string { return filepath.Join(dir, "beneficiaires", id, name) }
	suivi := func(i int) string { return "2026-03-0" + string(rune('2'+i)) + "-entretien-suivi.md" }
	// sameSizeEdit changes a byte of the file, keeping its size and its
	// modification time.
	sameSizeEdit := func(p string) {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		// A heading no longer (a no-break space, two bytes for one), the
		// size kept by joining two lines.
		edited := strings.Replace(string(b), "## ", "##\u00a0", 1)
		edited = strings.Replace(edited, "\n\n", "\n", 1)
		if len(edited) != len(b) || edited == string(b) {
			t.Fatalf("no same-size edit of %s (%d → %d bytes)", p, len(b), len(edited))
		}
		if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}

	step("cold, fresh clone")
	step("warm")
	time.Sleep(2100 * time.Millisecond) // past the racy window of the records
	step("warm, past the racy window")

	later := time.Now().Add(-time.Hour)
	os.Chtimes(doc("alice-durand", "fiche.md"), later, later)
	step("touched (mtime only)")

	// The index is stale for this file: Git recorded its stat data before
	// the edit, which keeps the size and the modification time.
	sameSizeEdit(doc("bruno-petit", suivi(1)))
	step("same size, same mtime, index stale")

	if err := os.Chmod(doc("chloe-roux", "fiche.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	step("chmod")

	os.Rename(doc("alice-durand", suivi(0)), doc("alice-durand", "2026-03-09-entretien-suivi.md"))
	step("renamed")
	os.Remove(doc("chloe-roux", suivi(2)))
	step("deleted")
	b, _ := os.ReadFile(doc("bruno-petit", suivi(1)))
	os.WriteFile(doc("chloe-roux", "2026-04-01-entretien-suivi.md"), b, 0o644)
	os.WriteFile(doc("chloe-roux", "notes.txt"), []byte("pas un document"), 0o644)
	step("untracked files added")

	// Git rewrites the file and the index (the content of HEAD again).
	mustRun(t, env, dir, "git", "checkout", "--", "beneficiaires/bruno-petit/"+suivi(1))
	step("checked out again")
	sameSizeEdit(doc("bruno-petit", suivi(1)))
	step("same-size edit right after the checkout")
	time.Sleep(2100 * time.Millisecond)
	step("later")
	step("later, again")
}
