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
	st := testObjectSource(t, filepath.Join(dir, ".git"))

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

// uploadFixture is a repository of three commits (a tagged middle one, a submodule
// entry in the last) and go-git's storage of it.
func uploadFixture(t *testing.T) (string, *objectSource) {
	t.Helper()
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a/fiche.md"), "un\n")
	writeFile(t, filepath.Join(dir, "b.md"), "b\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "un")
	writeFile(t, filepath.Join(dir, "a/fiche.md"), "deux\n")
	writeFile(t, filepath.Join(dir, "a/sous/neuf.md"), "neuf\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "deux")
	git(t, dir, "tag", "-a", "bilan", "-m", "Bilan")
	// The same blob at a new place, a file become a folder, a submodule.
	writeFile(t, filepath.Join(dir, "c/copie.md"), "b\n")
	git(t, dir, "rm", "-q", "b.md")
	writeFile(t, filepath.Join(dir, "b.md/dedans.md"), "dedans\n")
	git(t, dir, "add", ".")
	git(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))+",module")
	git(t, dir, "commit", "-q", "-m", "trois")
	return dir, testObjectSource(t, filepath.Join(dir, ".git"))
}

func revHash(t *testing.T, dir, rev string) plumbing.Hash {
	t.Helper()
	return plumbing.NewHash(strings.TrimSpace(git(t, dir, "rev-parse", rev)))
}

func hashSet(hs []plumbing.Hash) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.String())
	}
	slices.Sort(out)
	return out
}

// TestHaveCommits: the haves (a tag counting by its commit, a tree by nothing) and
// every ancestor, as git rev-list lists them.
func TestHaveCommits(t *testing.T) {
	dir, st := uploadFixture(t)
	has, err := haveCommits(st, []plumbing.Hash{revHash(t, dir, "bilan"), revHash(t, dir, "HEAD^{tree}")})
	if err != nil {
		t.Fatal(err)
	}
	var got []plumbing.Hash
	for h := range has {
		got = append(got, h)
	}
	want := strings.Fields(git(t, dir, "rev-list", "bilan"))
	slices.Sort(want)
	if g := hashSet(got); !slices.Equal(g, want) {
		t.Fatalf("haveCommits = %v, want %v (git rev-list bilan)", g, want)
	}
}

// TestSameEntry: the old entry of the same name and kind, found moving forward in Git's
// order, where "a.md" comes before the folder "a" (sorted as "a/").
func TestSameEntry(t *testing.T) {
	olds := []treeEntry{
		{mode: modeFile, name: "a.md", hash: Hash{1}},
		{mode: modeTree, name: "a", hash: Hash{2}},
		{mode: modeFile, name: "b", hash: Hash{3}},
	}
	j := 0
	for _, tc := range []struct {
		e     treeEntry
		want  *treeEntry
		wantJ int
	}{
		{treeEntry{mode: modeFile, name: "a"}, nil, 0}, // "a" < "a.md": no move
		{treeEntry{mode: modeTree, name: "a"}, &olds[1], 1},
		{treeEntry{mode: modeTree, name: "b"}, nil, 3}, // the file b ("b" < "b/") is passed
		{treeEntry{mode: modeFile, name: "c"}, nil, 3},
	} {
		got := sameEntry(olds, &j, tc.e)
		if got != tc.want || j != tc.wantJ {
			t.Errorf("sameEntry(%s %s) = %v, j %d; want %v, j %d", tc.e.mode, tc.e.name, got, j, tc.want, tc.wantJ)
		}
	}
}

// TestUploadWalkTree: a tree and, below it, what differs from the old tree at the same
// place, as git diff-tree -r -t reports it (a blob moved elsewhere included, the
// submodule's commit excluded).
func TestUploadWalkTree(t *testing.T) {
	dir, st := uploadFixture(t)
	u := &uploadWalk{src: st, set: map[plumbing.Hash]bool{}, trees: &uploadTrees{src: st, cur: map[plumbing.Hash][]treeEntry{}}}
	if err := u.walkTree(revHash(t, dir, "HEAD~^{tree}"), revHash(t, dir, "HEAD^{tree}")); err != nil {
		t.Fatal(err)
	}
	want := []string{strings.TrimSpace(git(t, dir, "rev-parse", "HEAD^{tree}"))}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "diff-tree", "-r", "-t", "HEAD~", "HEAD")), "\n") {
		f := strings.Fields(line) // :oldmode newmode oldhash newhash status path
		if f[1] != "000000" && f[1] != "160000" {
			want = append(want, f[3])
		}
	}
	slices.Sort(want)
	if got := hashSet(u.out); !slices.Equal(got, want) {
		t.Fatalf("walkTree = %v, want %v (git diff-tree)", got, want)
	}
	// Walked again: nothing more.
	n := len(u.out)
	if err := u.walkTree(plumbing.ZeroHash, revHash(t, dir, "HEAD^{tree}")); err != nil || len(u.out) != n {
		t.Fatalf("second walk added %d objects (%v)", len(u.out)-n, err)
	}
}

// TestUploadWalkWantsAndCommits: a tag want sends the tag and hands its commit to the
// commit walk; tree and blob wants are sent at once; the commit walk stops at the
// commits the client holds.
func TestUploadWalkWantsAndCommits(t *testing.T) {
	dir, st := uploadFixture(t)
	has, err := haveCommits(st, []plumbing.Hash{revHash(t, dir, "HEAD~2")})
	if err != nil {
		t.Fatal(err)
	}
	u := &uploadWalk{src: st, has: has, set: map[plumbing.Hash]bool{}, trees: &uploadTrees{src: st, cur: map[plumbing.Hash][]treeEntry{}}}
	blob := revHash(t, dir, "HEAD:c/copie.md")
	commits, err := u.addWants([]plumbing.Hash{revHash(t, dir, "bilan"), blob})
	if err != nil {
		t.Fatal(err)
	}
	if len(commits) != 1 || commits[0] != revHash(t, dir, "HEAD~") {
		t.Fatalf("commits to walk = %v, want the tagged commit", commits)
	}
	if got, want := hashSet(u.out), hashSet([]plumbing.Hash{revHash(t, dir, "bilan"), blob}); !slices.Equal(got, want) {
		t.Fatalf("after the wants: %v, want the tag and the blob", got)
	}
	if err := u.walkCommits(commits); err != nil {
		t.Fatal(err)
	}
	// The tagged commit and what it changes from its parent, which the client holds.
	want := []string{revHash(t, dir, "bilan").String(), blob.String()}
	want = append(want, strings.Fields(git(t, dir, "rev-list", "--objects", "--no-object-names", "HEAD~", "^HEAD~2"))...)
	slices.Sort(want)
	if got := hashSet(u.out); !slices.Equal(got, want) {
		t.Fatalf("walkCommits = %v, want %v (git rev-list --objects HEAD~ ^HEAD~2)", got, want)
	}
}

// testObjectSource reads the objects of the repository whose git dir is gitDir, as a
// file:// remote's are read.
func testObjectSource(t *testing.T, gitDir string) *objectSource {
	st := filesystem.NewStorage(osfs.New(gitDir), cache.NewObjectLRU(cache.MiByte))
	src := newObjectSource(filepath.Join(gitDir, "objects"), func() (*filesystem.Storage, error) { return st, nil })
	t.Cleanup(src.close)
	return src
}
