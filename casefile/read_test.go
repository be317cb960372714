package casefile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// aliasBomb is a frontmatter of about 550 bytes whose aliases expand to
// 9^9 nodes when followed.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("---\ntype: entretien-suivi\nbeneficiaire: jean-dupont\ndate: 2026-05-01\n")
	b.WriteString(`a0: &a0 ["x","x","x","x","x","x","x","x","x"]` + "\n")
	for i := 1; i < 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.Repeat(p+",", 8)+p)
	}
	b.WriteString("objectifs: *a8\n---\n# Titre\n")
	return b.String()
}

func TestParseRefusesAliasBomb(t *testing.T) {
	src := aliasBomb()
	if len(src) > 700 {
		t.Fatalf("bomb of %d bytes", len(src))
	}
	d := Parse("beneficiaires/jean-dupont/2026-05-01-entretien-suivi.md", []byte(src))
	if !d.Overflow || d.Front != nil || d.FrontErr == nil {
		t.Fatalf("bomb accepted: overflow=%v front=%v err=%v", d.Overflow, d.Front != nil, d.FrontErr)
	}
	if !strings.Contains(d.FrontErr.Err.Error(), "alias") || d.FrontErr.Line != 2 {
		t.Fatalf("message %v", d.FrontErr)
	}
	if len(d.Headings) != 1 {
		t.Fatalf("body not parsed: %v", d.Headings)
	}
}

func TestParseAllowsFewAliases(t *testing.T) {
	src := "---\ntype: entretien-suivi\nmodele: &m [a, b, c]\ncopie: *m\nautre: *m\n---\n"
	d := Parse("x.md", []byte(src))
	if d.Overflow || d.FrontErr != nil || d.Front == nil {
		t.Fatalf("plain aliases refused: %v", d.FrontErr)
	}
}

func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "gros.md")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is what counts, nothing is read.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, _, err := ReadFile(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized file: %v", err)
	}
	ok := filepath.Join(dir, "ok.md")
	os.WriteFile(ok, []byte("---\n---\n"), 0o600)
	if b, fi, err := ReadFile(ok); err != nil || string(b) != "---\n---\n" || fi.Size() != 8 {
		t.Fatalf("regular file: %q %v", b, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	link := filepath.Join(dir, "lien.md")
	if err := os.Symlink(ok, link); err != nil {
		t.Skip(err)
	}
	if _, _, err := ReadFile(link); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("link followed: %v", err)
	}
}
