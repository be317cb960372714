//go:build unix

package gitstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// The phases of loading and rewriting a history for an erasure, one by one, on a
// history made with git.

// erasable makes a history where jean-dupont is to be erased: c1 creates him and
// lea-petit, c2 touches only him, c3 touches lea-petit with a message naming him, a
// side branch touching only him is merged (--no-ff), and an annotated tag, a tag of that
// tag and a lightweight tag on a blob point into it. It returns the commits by name.
func erasable(t *testing.T) (string, map[string]Hash) {
	t.Helper()
	dir := newRepo(t)
	commits := map[string]Hash{}
	commit := func(name, msg string, files map[string]string) {
		for p, c := range files {
			writeFile(t, filepath.Join(dir, p), c)
		}
		gitIn(t, dir, "add", ".")
		gitIn(t, dir, "commit", "-q", "-m", msg)
		commits[name] = hashOf(t, dir, "HEAD")
	}
	commit("c1", "init", map[string]string{"beneficiaires/jean-dupont/fiche.md": "jean\n", "beneficiaires/lea-petit/fiche.md": "lea\n"})
	commit("c2", "jean-dupont : suivi", map[string]string{"beneficiaires/jean-dupont/fiche.md": "jean 2\n"})
	commit("c3", "lea-petit : suivi\n\nvu avec jean-dupont", map[string]string{"beneficiaires/lea-petit/fiche.md": "lea 2\n"})
	gitIn(t, dir, "checkout", "-q", "-b", "cote", commits["c1"].String())
	commit("c4", "jean seul", map[string]string{"beneficiaires/jean-dupont/note.md": "note\n"})
	gitIn(t, dir, "checkout", "-q", "main")
	gitIn(t, dir, "merge", "-q", "--no-ff", "-m", "fusion", "cote")
	commits["c5"] = hashOf(t, dir, "HEAD")
	gitIn(t, dir, "branch", "-q", "-D", "cote")
	gitIn(t, dir, "tag", "-a", "-m", "version", "v1", commits["c3"].String())
	gitIn(t, dir, "tag", "-a", "-m", "encore", "v1b", "v1")
	gitIn(t, dir, "tag", "blob", "HEAD:beneficiaires/lea-petit/fiche.md")
	for _, n := range []string{"v1", "v1b", "blob"} {
		commits[n] = hashOf(t, dir, "refs/tags/"+n)
	}
	return dir, commits
}

func hashOf(t *testing.T, dir, rev string) Hash {
	t.Helper()
	h, err := ParseHash(strings.TrimSpace(git(t, dir, "rev-parse", rev)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newHistory() *history {
	return &history{commits: map[Hash]*histCommit{}, kinds: map[Hash]plumbing.ObjectType{}, tags: map[Hash][]byte{}}
}

func TestPeelTargets(t *testing.T) {
	dir, c := erasable(t)
	s := openLocked(t, dir)
	hist := newHistory()
	roots, err := s.peelTargets(hist, []Hash{c["c5"], c["v1"], c["v1b"], c["blob"]})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(roots) != fmt.Sprint([]Hash{c["c5"], c["c3"]}) {
		t.Fatalf("roots %v, want c5 and c3 (the tags peeled once)", roots)
	}
	for name, want := range map[string]plumbing.ObjectType{"c5": plumbing.CommitObject, "c3": plumbing.CommitObject,
		"v1": plumbing.TagObject, "v1b": plumbing.TagObject, "blob": plumbing.BlobObject} {
		if got := hist.kinds[c[name]]; got != want {
			t.Errorf("%s: kind %v, git says %s", name, got, git(t, dir, "cat-file", "-t", c[name].String()))
		}
	}
	if len(hist.tags) != 2 || string(hist.tags[c["v1b"]]) != git(t, dir, "cat-file", "tag", c["v1b"].String()) {
		t.Fatalf("tags kept: %d", len(hist.tags))
	}
	if _, err := s.peelTargets(newHistory(), []Hash{{1}}); err == nil {
		t.Fatal("a missing target gave no error")
	}
}

func TestWalkHistory(t *testing.T) {
	dir, c := erasable(t)
	s := openLocked(t, dir)
	hist := newHistory()
	if err := s.walkHistory(context.Background(), hist, []Hash{c["c5"], c["c3"]}); err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(git(t, dir, "rev-list", c["c5"].String()))
	if len(hist.order) != len(want) || len(hist.commits) != len(want) {
		t.Fatalf("order %d commits, git rev-list %d", len(hist.order), len(want))
	}
	pos := map[Hash]int{}
	for i, h := range hist.order {
		pos[h] = i
	}
	for _, w := range want {
		h, _ := ParseHash(w)
		i, ok := pos[h]
		if !ok {
			t.Fatalf("commit %s missing", w)
		}
		for _, p := range hist.commits[h].parents {
			if pos[p] >= i {
				t.Errorf("parent %s after its child %s", p, h)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.walkHistory(ctx, newHistory(), []Hash{c["c5"]}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled walk: %v", err)
	}
}

func TestVerifyHistory(t *testing.T) {
	dir, c := erasable(t)
	s := openLocked(t, dir)
	hist, err := s.loadHistory(context.Background(), []Hash{c["c5"]})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.verifyHistory(hist); err != nil {
		t.Fatal(err)
	}
	// A commit whose tree holds ".git", as git mktree allows.
	blob := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD:beneficiaires/lea-petit/fiche.md"))
	cmd := gitCmd(dir, "mktree")
	cmd.Stdin = strings.NewReader("100644 blob " + blob + "\t.git\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.TrimSpace(git(t, dir, "-c", "user.name=X", "-c", "user.email=x@example.org", "commit-tree", "-p", c["c5"].String(), "-m", "piège", strings.TrimSpace(string(out))))
	h, _ := ParseHash(bad)
	if hist, err = s.loadHistory(context.Background(), []Hash{h}); hist != nil || !errors.As(err, new(*UnsafePathError)) {
		t.Fatalf("a tree with .git: %v", err)
	}
}

// rewriteAll runs the rewrite of jean-dupont's erasure over the history of c5, objects
// written, and returns the rewriter.
func rewriteAll(t *testing.T, s *Store, c map[string]Hash) *rewriter {
	t.Helper()
	hist, err := s.loadHistory(context.Background(), []Hash{c["c5"]})
	if err != nil {
		t.Fatal(err)
	}
	ow := s.newObjectWriter()
	t.Cleanup(ow.discard)
	sc := &scrubber{mentions: func(text string) bool { return strings.Contains(text, "jean-dupont") }}
	rw := newRewriter(s, &writeSink{ow: ow}, "beneficiaires", map[string]bool{"jean-dupont": true}, sc, hist)
	for _, old := range hist.order {
		if err := rw.rewriteCommit(old); err != nil {
			t.Fatal(err)
		}
	}
	if err := ow.sync(); err != nil {
		t.Fatal(err)
	}
	return rw
}

func TestRewriteCommit(t *testing.T) {
	dir, c := erasable(t)
	s := openLocked(t, dir)
	rw := rewriteAll(t, s, c)
	n1, n3 := rw.newOf[c["c1"]], rw.newOf[c["c3"]]
	if !rw.drop[c["c2"]] || !rw.drop[c["c4"]] || rw.newOf[c["c2"]] != n1 || rw.newOf[c["c4"]] != n1 {
		t.Fatal("commits that only touched the erased person not dropped onto their parent")
	}
	if !rw.drop[c["c5"]] || rw.newOf[c["c5"]] != n3 {
		t.Fatal("the merge of a dropped side not dropped")
	}
	if rw.rewritten != 2 || rw.dropped != 3 {
		t.Fatalf("rewritten %d, dropped %d", rw.rewritten, rw.dropped)
	}
	if out, err := gitErr(dir, "fsck", "--strict", "--no-dangling", "--no-progress", n3.String()); err != nil || out != "" {
		t.Fatalf("git fsck --strict: %v\n%s", err, out)
	}
	if log := git(t, dir, "log", "--format=%s|%b|%an", n3.String()); log != "lea-petit : suivi||Marie Martin\ninit||Marie Martin\n" {
		t.Fatalf("git log of the rewrite:\n%s", log)
	}
	if files := git(t, dir, "ls-tree", "-r", "--name-only", n3.String()); files != "beneficiaires/lea-petit/fiche.md\n" {
		t.Fatalf("files left: %s", files)
	}
}

func TestRewriteCommitPhases(t *testing.T) {
	dir, c := erasable(t)
	s := openLocked(t, dir)
	rw := rewriteAll(t, s, c)
	n1, n3 := rw.newOf[c["c1"]], rw.newOf[c["c3"]]
	c2, c3, c5 := rw.hist.commits[c["c2"]], rw.hist.commits[c["c3"]], rw.hist.commits[c["c5"]]

	// newTree: the erased folder goes, the rest is git's tree untouched.
	tree, empty, err := rw.newTree(c["c3"], c3)
	if err != nil || empty {
		t.Fatal(err)
	}
	if files := git(t, dir, "ls-tree", "-r", "--name-only", tree.String()); files != "beneficiaires/lea-petit/fiche.md\n" {
		t.Fatalf("new tree of c3: %s", files)
	}
	if hashOf(t, dir, tree.String()+":beneficiaires/lea-petit") != hashOf(t, dir, c["c3"].String()+":beneficiaires/lea-petit") {
		t.Fatal("the folder kept is not git's")
	}
	if tree != rw.treeOf(n3) {
		t.Fatal("newTree differs from the rewrite's tree")
	}

	// newParents and unmerge: the merge's dropped side is an ancestor of the other.
	if got := rw.newParents(c5); fmt.Sprint(got) != fmt.Sprint([]Hash{n3}) {
		t.Fatalf("parents of the merge: %v, want [%s]", got, n3)
	}
	if got := rw.unmerge([]Hash{n3, n1}, []bool{false, true}); fmt.Sprint(got) != fmt.Sprint([]Hash{n3}) {
		t.Fatalf("unmerge: %v", got)
	}
	if got := rw.unmerge([]Hash{n3, n1}, []bool{false, false}); len(got) != 2 {
		t.Fatalf("a merge made like that kept whole? %v", got)
	}

	// emptied: c2 has nothing of its own left; c3 has.
	t2, _, err := rw.newTree(c["c2"], c2)
	if err != nil {
		t.Fatal(err)
	}
	if !rw.emptied(c2, []Hash{n1}, t2) || rw.emptied(c3, []Hash{n1}, tree) {
		t.Fatal("emptied: wrong answer")
	}
	// A commit that changed nothing to begin with is no erased commit.
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "vide")
	hist, err := s.loadHistory(context.Background(), []Hash{hashOf(t, dir, "HEAD")})
	if err != nil {
		t.Fatal(err)
	}
	vide := hist.commits[hashOf(t, dir, "HEAD")]
	if rw.emptied(vide, []Hash{n3}, tree) {
		t.Fatal("an empty commit counted as emptied")
	}
}
