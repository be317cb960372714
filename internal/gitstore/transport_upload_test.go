//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// TestUploadPackObjects: what a file:// remote sends for a fetch is what the commits
// the client lacks add to their first parent (one new document: the commit, the trees
// on its path, the blob), whatever the size of the rest; an annotated tag brings its
// tag object and its commit's objects. git index-pack judges the pack.
func TestUploadPackObjects(t *testing.T) {
	dir := newRepo(t)
	for i := range 30 {
		writeFile(t, filepath.Join(dir, "beneficiaires", "b"+strings.Repeat("x", i), "fiche.md"), "fiche\n")
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	have := plumbing.NewHash(strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	writeFile(t, filepath.Join(dir, "beneficiaires/bxx/2026-01-01-entretien.md"), "nouveau\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "un document")
	git(t, dir, "tag", "-a", "bilan", "-m", "Bilan")
	want := plumbing.NewHash(strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	tag := plumbing.NewHash(strings.TrimSpace(git(t, dir, "rev-parse", "bilan")))
	st := filesystem.NewStorage(osfs.New(filepath.Join(dir, ".git")), cache.NewObjectLRU(cache.MiByte))

	got, err := objectsToUpload(st, []plumbing.Hash{want}, []plumbing.Hash{have})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range []string{"HEAD", "HEAD^{tree}", "HEAD:beneficiaires", "HEAD:beneficiaires/bxx", "HEAD:beneficiaires/bxx/2026-01-01-entretien.md"} {
		names = append(names, strings.TrimSpace(git(t, dir, "rev-parse", p)))
	}
	var gotNames []string
	for _, h := range got {
		gotNames = append(gotNames, h.String())
	}
	slices.Sort(names)
	slices.Sort(gotNames)
	if !slices.Equal(gotNames, names) {
		t.Fatalf("objects sent = %v, want %v", gotNames, names)
	}

	// A clone wanting the tag: every object, the tag included, in a pack git accepts.
	req := packp.NewUploadPackRequest()
	req.Wants = []plumbing.Hash{tag}
	resp, err := uploadPack(context.Background(), st, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := io.ReadAll(resp)
	if err != nil {
		t.Fatal(err)
	}
	other := newRepo(t)
	cmd := exec.Command("git", "index-pack", "--strict", "--stdin", "--fix-thin")
	cmd.Dir, cmd.Stdin = other, bytes.NewReader(pack)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git index-pack: %v\n%s", err, out)
	}
	count := strings.Count(git(t, dir, "rev-list", "--objects", "bilan"), "\n")
	if n := strings.Count(git(t, other, "cat-file", "--batch-all-objects", "--batch-check"), "\n"); n != count {
		t.Fatalf("%d objects in the pack, want %d (tag included)", n, count)
	}
	git(t, other, "update-ref", "refs/tags/bilan", tag.String())
	git(t, other, "fsck", "--strict", "--no-dangling")
}
