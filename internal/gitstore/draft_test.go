//go:build unix

package gitstore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDraftCreateCommitOrRemove(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "init\n\nAcc-Action: init\n", Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte("fiche\n")})

	// A draft is on disk, untracked, and refuses to replace anything.
	const p = "beneficiaires/jean-dupont/2026-12-01-entretien-suivi.md"
	if err := s.CreateDraft(p, []byte("brouillon\n"), 0); err != nil {
		t.Fatal(err)
	}
	if got := git(t, dir, "status", "--porcelain"); got != "?? "+p+"\n" {
		t.Fatalf("status after CreateDraft = %q", got)
	}
	fi, err := os.Stat(filepath.Join(dir, p))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("draft mode: %v %v", fi, err)
	}
	if err := s.CreateDraft(p, []byte("autre\n"), 0); !errors.Is(err, ErrExists) {
		t.Fatalf("second CreateDraft: %v, want ErrExists", err)
	}
	if err := s.CreateDraft("beneficiaires/jean-dupont/fiche.md", []byte("x"), 0); !errors.Is(err, ErrExists) {
		t.Fatalf("CreateDraft over a committed file: %v, want ErrExists", err)
	}
	if err := s.CreateDraft("../dehors.md", []byte("x"), 0); err == nil {
		t.Fatal("CreateDraft outside the repository accepted")
	}

	// Taken back: gone, the folder stays, nothing else changed.
	removed, err := s.RemoveDraft(p)
	if err != nil || !removed {
		t.Fatalf("RemoveDraft = %v, %v", removed, err)
	}
	checkClean(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "beneficiaires/jean-dupont")); err != nil {
		t.Fatal(err)
	}

	// Once committed, a draft is history: RemoveDraft leaves it.
	if err := s.CreateDraft(p, []byte("brouillon\n"), 0); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, "new\n\nAcc-Action: new\n", Change{Path: p, FromDisk: true})
	removed, err = s.RemoveDraft(p)
	if err != nil || removed {
		t.Fatalf("RemoveDraft of a committed file = %v, %v", removed, err)
	}
	checkClean(t, dir)
	checkRepo(t, dir)
}
