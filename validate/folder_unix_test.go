//go:build unix

package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/acc-formation/acc/casefile"
)

// A folder's files are read as casefile.ReadFile (the one reader of case
// files) reads them: same content, same stat signature, same refusals
// (links, folders, special files, missing files).
func TestFolderReadAgreesWithCasefile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("empty.md", "")
	write("small.md", "---\ntype: fiche\n---\n# Fiche\n")
	write("big.md", strings.Repeat("é", 40000))
	os.Mkdir(filepath.Join(dir, "folder.md"), 0o755)
	names := []string{"empty.md", "small.md", "big.md", "missing.md", "folder.md"}
	if err := os.Symlink("small.md", filepath.Join(dir, "link.md")); err == nil {
		names = append(names, "link.md")
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o644); err == nil {
		names = append(names, "fifo.md")
	}
	ff, _, err := openFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ff.close()
	for _, n := range names {
		got, gsig, gerr := ff.read(n)
		want, wsig, werr := readFile(filepath.Join(dir, n))
		if (gerr == nil) != (werr == nil) || string(got) != string(want) || gsig != wsig {
			t.Errorf("%s: folder read = %d bytes, %+v, %v; casefile.ReadFile = %d bytes, %+v, %v", n, len(got), gsig, gerr, len(want), wsig, werr)
			continue
		}
		if werr != nil && (errors.Is(gerr, casefile.ErrNotRegular) != errors.Is(werr, casefile.ErrNotRegular) ||
			errors.Is(gerr, fs.ErrNotExist) != errors.Is(werr, fs.ErrNotExist) || ioReason(gerr) != ioReason(werr)) {
			t.Errorf("%s: errors differ: %v / %v", n, gerr, werr)
		}
		if werr == nil {
			if sig, err := ff.stat(n); err != nil || sig != wsig {
				t.Errorf("%s: stat %+v, %v; want %+v", n, sig, err, wsig)
			}
		}
	}
}

// A folder is listed as os.ReadDir lists it: same names in the same order,
// same types (files, folders, links, special files, hidden entries), across
// several getdents calls.
func TestOpenFolderListsAsReadDir(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 {
		name := fmt.Sprintf("%03d-%s.md", i, strings.Repeat("é", i%40))
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, ".cache.md"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "sous-dossier.md"), 0o755)
	os.Symlink("000-.md", filepath.Join(dir, "lien.md"))
	os.Symlink("sous-dossier.md", filepath.Join(dir, "lien-dossier"))
	syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o644)
	ff, got, err := openFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	ff.close()
	want, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name() != want[i].Name() || got[i].Type() != want[i].Type() || got[i].IsDir() != want[i].IsDir() {
			t.Errorf("entry %d: %s %v, want %s %v", i, got[i].Name(), got[i].Type(), want[i].Name(), want[i].Type())
		}
	}
	if _, _, err := openFolder(filepath.Join(dir, "lien-dossier")); err == nil {
		t.Error("a link to a folder is followed")
	}
	if _, _, err := openFolder(filepath.Join(dir, "absent")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
}
