//go:build unix

package gitstore

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPastFences(t *testing.T) {
	fences := []string{"a.md/", "b/"}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"a.md", false},   // before a fence
		{"b", false},      // "b" < "b/"
		{"b.md", false},   // "b.md" < "b/" ('.' < '/'): a file b could still clash with b/…
		{"b/x.md", false}, // under a fence
		{"b0", true},
		{"c.md", true},
	} {
		if got := pastFences([]byte(tc.name), fences); got != tc.want {
			t.Errorf("pastFences(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !pastFences([]byte("a"), nil) {
		t.Error("no fence: every entry is past")
	}
}

// spliceFixture is a repository whose index (of the given version) holds a.md, the
// folder b, c.md and 20 files after them, and updates that replace a.md and put a file
// where the folder b is.
func spliceFixture(t *testing.T, version string) (dir string, ix *indexFile, ups []indexUpdate) {
	t.Helper()
	dir = newRepo(t)
	paths := []string{"a.md", "b/x.md", "b/y.md", "c.md"}
	for i := range 20 {
		paths = append(paths, "dossier/fiche-"+string(rune('a'+i))+".md")
	}
	for _, p := range paths {
		writeFile(t, filepath.Join(dir, p), p+"\n")
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "update-index", "--index-version", version)
	path := filepath.Join(dir, ".git", "index")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ix, err = parseIndex(path, data); err != nil {
		t.Fatal(err)
	}
	blob := func(content string) Hash {
		return hashOf(t, dir, strings.TrimSpace(gitStdin(t, dir, content, "hash-object", "-w", "--stdin")))
	}
	ups = []indexUpdate{
		{path: "a.md", hash: blob("nouveau\n"), mode: 0o100644},
		{path: "b", hash: blob("fichier\n"), mode: 0o100755},
	}
	return dir, ix, ups
}

// TestIndexSplicerVisit: the walk emits each update before the first entry after it,
// drops the entries replaced or clashing, and stops at the first entry past every
// fence; keepRest then counts the entries it did not walk.
func TestIndexSplicerVisit(t *testing.T) {
	for _, version := range []string{"2", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			_, ix, ups := spliceFixture(t, version)
			sp := newIndexSplicer(ix, ups)
			if !slices.Equal(sp.fences, []string{"a.md/", "b/"}) {
				t.Fatalf("fences = %v", sp.fences)
			}
			var names []string
			if _, err := ix.walk(func(e *rawEntry) bool {
				names = append(names, string(e.name))
				return sp.visit(e)
			}); err != nil {
				t.Fatal(err)
			}
			// a.md replaced, b/x.md and b/y.md dropped, c.md kept and past every fence.
			if want := []string{"a.md", "b/x.md", "b/y.md", "c.md"}; !slices.Equal(names, want) {
				t.Fatalf("walked %v, want %v", names, want)
			}
			if sp.j != len(ups) || sp.count != 3 || sp.visited != 4 || sp.rest < 0 {
				t.Fatalf("after the walk: j %d, count %d, visited %d, rest %d", sp.j, sp.count, sp.visited, sp.rest)
			}
			if version == "4" && (string(sp.prevOut) != "c.md" || !sp.outMatchesIn) {
				t.Fatalf("v4: previous name %q, matches input %v", sp.prevOut, sp.outMatchesIn)
			}
			sp.keepRest()
			if sp.count != ix.count-1 || sp.runEnd != ix.entriesEnd {
				t.Fatalf("after keepRest: count %d (want %d), run end %d (want %d)", sp.count, ix.count-1, sp.runEnd, ix.entriesEnd)
			}
		})
	}
}

// TestSpliceIndexGitReads: the spliced index, written, is what git ls-files reads: the
// updates in place, the clashing folder gone, every other entry kept (v4: with the
// names after an update compressed again).
func TestSpliceIndexGitReads(t *testing.T) {
	for _, version := range []string{"2", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			dir, ix, ups := spliceFixture(t, version)
			before := strings.Split(strings.TrimSpace(git(t, dir, "ls-files", "-s")), "\n")
			pieces, err := spliceIndex(ix, ups)
			if err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(dir, ".git", "index.new")
			f, err := os.Create(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeIndexTo(f, pieces); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(dir, ".git", "index")); err != nil {
				t.Fatal(err)
			}
			want := []string{
				"100644 " + ups[0].hash.String() + " 0\ta.md",
				"100755 " + ups[1].hash.String() + " 0\tb",
			}
			want = append(want, before[3:]...) // c.md and the folder after it
			got := strings.Split(strings.TrimSpace(git(t, dir, "ls-files", "-s")), "\n")
			if !slices.Equal(got, want) {
				t.Fatalf("git ls-files -s:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if got := indexVersion(t, filepath.Join(dir, ".git", "index")); got != ix.version {
				t.Fatalf("index version %d, want %d", got, ix.version)
			}
		})
	}
}

// The index's checksum is verified beside the reading of its entries: a
// damaged index is refused all the same, whatever its entries say.
func TestIndexEntriesRefusesBadChecksum(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: X\n")
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")})
	data, err := os.ReadFile(s.indexPath())
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1 // the checksum's last byte
	if err := os.WriteFile(s.indexPath(), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var ce *IndexCorruptError
	if _, err := s.IndexEntries("beneficiaires"); !errors.As(err, &ce) {
		t.Fatalf("IndexEntries on a damaged index: %v", err)
	}
	if _, _, _, err := s.WorkChanges("beneficiaires", nil); !errors.As(err, &ce) {
		t.Fatalf("WorkChanges on a damaged index: %v", err)
	}
}
