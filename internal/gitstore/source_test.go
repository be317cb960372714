//go:build unix

package gitstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/acc-formation/acc/casefile"
)

// TestRevisionSourceAsWorkTree checks that a past revision offers exactly
// the case files the work tree does: hidden files, attachments, sub-folders
// are left out, a link is listed and refused
// on read, in both.
func TestRevisionSourceAsWorkTree(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: Test\n")
	ben := filepath.Join(dir, "beneficiaires", "jean-dupont")
	writeFile(t, filepath.Join(ben, "fiche.md"), "---\ntype: fiche\n---\n")
	writeFile(t, filepath.Join(ben, "2026-01-02-entretien-initial.md"), "---\ntype: entretien-initial\n---\n")
	writeFile(t, filepath.Join(ben, ".brouillon.md"), "caché\n")
	writeFile(t, filepath.Join(ben, "notes.txt"), "pièce jointe\n")
	writeFile(t, filepath.Join(ben, "annexes", "a.md"), "sous-dossier\n")
	if err := os.Symlink("fiche.md", filepath.Join(ben, "lien.md")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "dossiers")

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := s.Revision("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := casefile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []casefile.Source{rev, repo} {
		ids, err := src.Beneficiaries()
		if err != nil || !reflect.DeepEqual(ids, []string{"jean-dupont"}) {
			t.Fatalf("%T.Beneficiaries() = %v, %v", src, ids, err)
		}
		files, err := src.CaseFiles("jean-dupont")
		want := []string{"beneficiaires/jean-dupont/2026-01-02-entretien-initial.md", "beneficiaires/jean-dupont/fiche.md", "beneficiaires/jean-dupont/lien.md"}
		if err != nil || !reflect.DeepEqual(files, want) {
			t.Fatalf("%T.CaseFiles() = %v, %v", src, files, err)
		}
		if _, err := src.ReadCaseFile("beneficiaires/jean-dupont/lien.md"); !errors.Is(err, casefile.ErrNotRegular) {
			t.Errorf("%T: a link read: %v", src, err)
		}
		b, err := src.ReadCaseFile("beneficiaires/jean-dupont/fiche.md")
		if err != nil || !bytes.Equal(b, []byte("---\ntype: fiche\n---\n")) {
			t.Errorf("%T: fiche = %q, %v", src, b, err)
		}
	}
	if _, err := s.Revision("n-existe-pas"); !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("unknown revision: %v", err)
	}
}
