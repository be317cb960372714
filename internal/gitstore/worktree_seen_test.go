//go:build linux

package gitstore

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

// WorkChangesSeen gives, for each folder with tracked files, the lstat data
// of the tracked files that exist (the same as os.Lstat's), the untracked
// names beside them, and nothing for a folder it could not open.
func TestWorkChangesSeen(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: X\n")
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")},
		Change{Path: "beneficiaires/a/2026-11-25-entretien-suivi.md", Content: []byte("e\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b\n")},
		Change{Path: "beneficiaires/c/fiche.md", Content: []byte("c\n")})
	if err := os.Remove(filepath.Join(dir, "beneficiaires/a/2026-11-25-entretien-suivi.md")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "beneficiaires/a/2026-11-26-entretien-suivi.md"), "n\n")
	if err := os.Remove(filepath.Join(dir, "beneficiaires/b/fiche.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../a/fiche.md", filepath.Join(dir, "beneficiaires/b/fiche.md")); err != nil {
		t.Fatal(err)
	}
	// c is a link to a folder: never followed, so not seen.
	if err := os.Rename(filepath.Join(dir, "beneficiaires/c"), filepath.Join(dir, "c-ailleurs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../c-ailleurs", filepath.Join(dir, "beneficiaires/c")); err != nil {
		t.Fatal(err)
	}
	got := map[string]SeenFolder{}
	_, _, _, err := s.WorkChangesSeen("beneficiaires", nil, func(f SeenFolder) { got[f.Dir] = f })
	if err != nil {
		t.Fatal(err)
	}
	sf := func(rel string) SeenFile {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		return SeenFile{Name: fi.Name(), Regular: fi.Mode().IsRegular(), Size: fi.Size(),
			Mtime: time.Unix(st.Mtim.Unix()).UnixNano(), Ctime: time.Unix(st.Ctim.Unix()).UnixNano(), Ino: st.Ino}
	}
	want := map[string]SeenFolder{
		"beneficiaires/a": {Dir: "beneficiaires/a", Files: []SeenFile{sf("beneficiaires/a/fiche.md")},
			Others: []string{"2026-11-26-entretien-suivi.md"}},
		"beneficiaires/b": {Dir: "beneficiaires/b", Files: []SeenFile{sf("beneficiaires/b/fiche.md")}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("seen:\n%+v\nwant\n%+v", got, want)
	}
	if got["beneficiaires/b"].Files[0].Regular {
		t.Fatal("a link seen as a regular file")
	}
}
