package templates

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/acc-formation/acc/internal/poserr"
)

// An organisation's types and templates come from the shared remote: their
// size and the work of rendering them are bounded.
func TestLoadBounds(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		path  string
		want  string
	}{
		{"output size", map[string]string{"templates/entretien-suivi.md": "{{range 20000000}}x{{end}}"},
			"templates/entretien-suivi.md", "plus de 1 Mio"},
		{"loop without output", map[string]string{"templates/entretien-suivi.md": "{{range 2000000000}}{{end}}"},
			"templates/entretien-suivi.md", "plus de 2 s"},
		{"large type", map[string]string{"types/a.yaml": "nom: a\n" + strings.Repeat("# commentaire\n", MaxFileSize/14+1)},
			"types/a.yaml", "plus de 256 Kio"},
		{"large template", map[string]string{"templates/entretien-suivi.md": strings.Repeat("x", MaxFileSize+1)},
			"templates/entretien-suivi.md", "plus de 256 Kio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, c.files))
			var le *poserr.Error
			if !errors.As(err, &le) {
				t.Fatalf("want *poserr.Error, got %v", err)
			}
			if !strings.HasSuffix(filepath.ToSlash(le.Path), c.path) || !strings.Contains(le.Err.Error(), c.want) {
				t.Fatalf("got %v, want %s: …%s", err, c.path, c.want)
			}
		})
	}
}

func TestLoadRefusesLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	outside := filepath.Join(t.TempDir(), "passwd.yaml")
	os.WriteFile(outside, []byte("nom: passwd\n"), 0o644)
	dir := writeFiles(t, map[string]string{"types/.keep": ""})
	if err := os.Symlink(outside, filepath.Join(dir, "types", "passwd.yaml")); err != nil {
		t.Skip(err)
	}
	_, err := Load(dir)
	var le *poserr.Error
	if !errors.As(err, &le) || !strings.Contains(le.Err.Error(), "lien symbolique") || filepath.Base(le.Path) != "passwd.yaml" {
		t.Fatalf("link followed: %v", err)
	}
}
