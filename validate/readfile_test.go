package validate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFile (direct system calls where there are some) must give what the
// reader through package os gives: content, signature and kind of error.
func TestReadFileAgreesWithOS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := strings.Repeat("é", 40000)
	files := []string{
		write("empty.md", ""),
		write("small.md", "---\ntype: fiche\n---\n# Fiche\n"),
		write("big.md", big),
		filepath.Join(dir, "missing.md"),
		dir, // a folder
	}
	if err := os.Symlink(files[1], filepath.Join(dir, "link.md")); err == nil {
		files = append(files, filepath.Join(dir, "link.md")) // followed by both, as os.Open does
	}
	for _, f := range files {
		got, gsig, gerr := readFile(f)
		want, wsig, werr := readFileOS(f)
		if (gerr == nil) != (werr == nil) || string(got) != string(want) || gsig != wsig {
			t.Errorf("%s: readFile = %q, %+v, %v; os = %q, %+v, %v", filepath.Base(f), got, gsig, gerr, want, wsig, werr)
		}
		if werr != nil && (errors.Is(gerr, fs.ErrNotExist) != errors.Is(werr, fs.ErrNotExist) || ioReason(gerr) != ioReason(werr)) {
			t.Errorf("%s: errors differ: %v / %v", filepath.Base(f), gerr, werr)
		}
	}
}
