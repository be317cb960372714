//go:build unix

package validate

import (
	"os"
	"path/filepath"
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
