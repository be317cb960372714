//go:build unix

package validate

import (
	"os"
	"path/filepath"
	"strings"
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
