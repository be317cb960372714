//go:build unix

package validate

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Unreadable files are findings, never skipped.
func TestUnreadable(t *testing.T) {
	files := cleanCase()
	root := writeRepo(t, files)
	fifo := filepath.Join(root, jd+"2026-05-28-entretien-suivi.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no fifo:", err)
	}
	fs, _, err := runRepo(t, root, fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "emplacement" || fs[0].Path != jd+"2026-05-28-entretien-suivi.md" {
		t.Errorf("fifo:%s", dump(fs))
	}
	os.Remove(fifo)
	if os.Geteuid() == 0 {
		return // root reads everything
	}
	os.Chmod(filepath.Join(root, pSuivi2), 0)
	fs, _, _ = runRepo(t, root, fixtureToday, nil)
	if len(fs) != 1 || fs[0].Rule != "frontmatter-invalide" || fs[0].Severity != Error || fs[0].Path != pSuivi2 {
		t.Errorf("unreadable:%s", dump(fs))
	}
}

// Entries of beneficiaires/ that are not folders: each unit's folder is
// opened first, and only what cannot be opened as a folder is looked at; a
// link to a folder is reported, never followed.
func TestUnitsThatAreNotFolders(t *testing.T) {
	root := writeRepo(t, cleanCase())
	elsewhere := filepath.Join(root, "ailleurs")
	if err := os.MkdirAll(elsewhere, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(elsewhere, "fiche.md"), []byte("pas de frontmatter\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ben := filepath.Join(root, "beneficiaires")
	if err := os.Symlink("../ailleurs", filepath.Join(ben, "lien")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ben, "note.md"), []byte("---\ntype: note\n---\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(ben, "tube"), 0o644); err != nil {
		t.Skip("no fifo:", err)
	}
	fs, _, err := runRepo(t, root, fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"beneficiaires/lien":    "lien symbolique : un dossier de bénéficiaire",
		"beneficiaires/note.md": "document hors d'un dossier de bénéficiaire",
		"beneficiaires/tube":    "ni dossier ni fichier ordinaire",
	}
	for _, f := range fs {
		if strings.HasPrefix(f.Path, "beneficiaires/lien/") {
			t.Errorf("the link was followed: %s", dump(fs))
		}
		if f.Rule != "emplacement" {
			continue
		}
		if w, ok := want[f.Path]; !ok || !strings.HasPrefix(f.Message, w) {
			t.Errorf("unexpected finding %s: %s", f.Path, f.Message)
		}
		delete(want, f.Path)
	}
	if len(want) != 0 {
		t.Errorf("missing findings %v in:%s", want, dump(fs))
	}
}

// Listed is given beneficiaires/ and each beneficiary folder the run lists,
// with every entry and the folder's time as it was before the listing, and
// nothing for what is not a folder.
func TestListed(t *testing.T) {
	root := writeRepo(t, cleanCase())
	ben := filepath.Join(root, "beneficiaires")
	if err := os.WriteFile(filepath.Join(ben, "note.md"), []byte("---\ntype: note\n---\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, jd, ".brouillon.swp"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]string{}
	_, _, err := runRepo(t, root, fixtureToday, func(o *RunOptions) {
		o.Listed = func(dir string, mtime, ctime int64, ino uint64, ents []fs.DirEntry) {
			fi, err := os.Stat(filepath.Join(root, dir))
			if err != nil {
				t.Fatal(err)
			}
			if sig := statSig(fi); sig.Mtime != mtime || sig.Ctime != ctime || sig.Ino != ino {
				t.Errorf("%s: stamp %d %d %d, folder's %+v", dir, mtime, ctime, ino, sig)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			mu.Lock()
			got[dir] = strings.Join(names, ",")
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"beneficiaires": "", strings.TrimSuffix(jd, "/"): ""}
	for dir := range want {
		ents, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		want[dir] = strings.Join(names, ",")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listed %v\nwant %v", got, want)
	}
}
