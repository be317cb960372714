//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"crypto/sha1"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The phases of prune, one by one, judged by git.

// gitObjects is the set of objects git lists for args (git rev-list --objects ...).
func gitObjects(t *testing.T, dir string, args ...string) map[Hash]bool {
	t.Helper()
	out := git(t, dir, append([]string{"rev-list", "--objects"}, args...)...)
	set := map[Hash]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			h, err := ParseHash(f[0])
			if err != nil {
				t.Fatalf("git rev-list: %q", line)
			}
			set[h] = true
		}
	}
	return set
}

// gitReachable is what git says the references, HEAD and the index reach: its
// entries' blobs and the trees of its cache-tree (git write-tree returns the root one,
// all valid in these fixtures).
func gitReachable(t *testing.T, dir string) map[Hash]bool {
	t.Helper()
	set := gitObjects(t, dir, "--all")
	for h := range gitObjects(t, dir, strings.TrimSpace(git(t, dir, "write-tree"))) {
		set[h] = true
	}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "ls-files", "-s")), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] != "160000" {
			h, err := ParseHash(f[1])
			if err != nil {
				t.Fatalf("git ls-files: %q", line)
			}
			set[h] = true
		}
	}
	return set
}

func sameSet(t *testing.T, what string, got, want map[Hash]bool) {
	t.Helper()
	var missing, extra []string
	for h := range want {
		if !got[h] {
			missing = append(missing, h.String())
		}
	}
	for h := range got {
		if !want[h] {
			extra = append(extra, h.String())
		}
	}
	if len(missing)+len(extra) > 0 {
		t.Fatalf("%s: missing %v, extra %v", what, missing, extra)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	git(t, dir, append([]string{"-c", "user.name=Marie Martin", "-c", "user.email=marie@example.org"}, args...)...)
}

func TestReachableObjects(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "beneficiaires/a/fiche.md"), "a\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "a")
	gitIn(t, dir, "tag", "-a", "-m", "étiquette", "v1")
	writeFile(t, filepath.Join(dir, "beneficiaires/b/fiche.md"), "b\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "b")
	// An object only the index names, and a commit nothing reaches any more.
	writeFile(t, filepath.Join(dir, "beneficiaires/c/fiche.md"), "c\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "c")
	gitIn(t, dir, "reset", "-q", "--soft", "HEAD~1")
	staged := strings.TrimSpace(git(t, dir, "rev-parse", ":beneficiaires/c/fiche.md"))
	s := openLocked(t, dir)
	reach, _, err := s.markReachable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := gitReachable(t, dir)
	sameSet(t, "branch and tag", reach, want)
	if h, _ := ParseHash(staged); !reach[h] {
		t.Fatal("the blob only the index names is not kept")
	}
	if orphan := gitObjects(t, dir, "HEAD@{1}", "--not", "--all"); len(orphan) == 0 {
		t.Fatal("fixture: no unreachable commit")
	}

	// Detached HEAD: its commits count.
	gitIn(t, dir, "commit", "-q", "-m", "c again")
	gitIn(t, dir, "checkout", "-q", "--detach")
	writeFile(t, filepath.Join(dir, "beneficiaires/d/fiche.md"), "d\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "d")
	roots, err := s.reachRoots()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	if last := roots[len(roots)-1]; last.h.String() != head {
		t.Fatalf("detached HEAD not a root: %v", roots)
	}
	reach, _, err = s.markReachable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameSet(t, "detached", reach, gitReachable(t, dir))
	idx, _, err := s.indexObjects()
	if err != nil || len(idx) != 4 {
		t.Fatalf("index objects: %d %v", len(idx), err)
	}
}

// prunable makes a repository whose only pack holds a commit nothing reaches any more,
// with a reachable loose commit on top and a commit-graph.
func prunable(t *testing.T) (string, *Store) {
	t.Helper()
	dir := newRepo(t)
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(dir, "beneficiaires", n, "fiche.md"), n+"\n")
		gitIn(t, dir, "add", ".")
		gitIn(t, dir, "commit", "-q", "-m", n)
	}
	gitIn(t, dir, "gc", "-q")
	gitIn(t, dir, "reset", "-q", "--hard", "HEAD~1")
	gitIn(t, dir, "reflog", "expire", "--expire=now", "--all")
	writeFile(t, filepath.Join(dir, "beneficiaires", "d", "fiche.md"), "d\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "d")
	gitIn(t, dir, "commit-graph", "write", "--reachable")
	return dir, openLocked(t, dir)
}

func TestPrunerSortPacks(t *testing.T) {
	dir, s := prunable(t)
	p, err := s.newPruner(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.packs) != 1 || len(p.loose) == 0 {
		t.Fatalf("fixture: %d packs, %d loose", len(p.packs), len(p.loose))
	}
	p.sortPacks()
	reach := gitReachable(t, dir)
	var unreachable, keep int
	for _, h := range p.packs[0].hashes {
		if reach[h] {
			keep++
		} else {
			unreachable++
		}
	}
	if len(p.tainted) != 1 || p.st.objects != unreachable || len(p.keep) != keep || unreachable == 0 {
		t.Fatalf("tainted %d, unreachable %d (git: %d), to keep %d (git: %d)", len(p.tainted), p.st.objects, unreachable, len(p.keep), keep)
	}
	// Once the kept objects are in a clean pack, nothing more is to copy.
	if err := s.writePack(context.Background(), s.lock, p.keep); err != nil {
		t.Fatal(err)
	}
	p2, err := s.newPruner(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p2.sortPacks()
	if len(p2.packs) != 2 || len(p2.tainted) != 1 || len(p2.keep) != 0 {
		t.Fatalf("after copying: %d packs, %d tainted, %d to keep", len(p2.packs), len(p2.tainted), len(p2.keep))
	}
}

func TestWritePack(t *testing.T) {
	dir, s := prunable(t)
	reach := gitReachable(t, dir)
	var objs []Hash
	for h := range reach {
		objs = append(objs, h)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].String() < objs[j].String() })
	var phases []int
	s.Progress = func(p Phase, done, total int) {
		if p == PhaseRepack && total == len(objs) {
			phases = append(phases, done)
		}
	}
	before, err := s.listPacks()
	if err != nil || len(before) != 1 {
		t.Fatalf("fixture: %d packs %v", len(before), err)
	}
	if err := s.writePack(context.Background(), s.lock, objs); err != nil {
		t.Fatal(err)
	}
	if len(phases) != len(objs) {
		t.Fatalf("progress: %v", phases)
	}
	packs, err := s.listPacks()
	if err != nil || len(packs) != 2 {
		t.Fatalf("packs: %d %v", len(packs), err)
	}
	var mine packFile
	for _, p := range packs {
		if p.base != before[0].base {
			mine = p
		}
	}
	if out, err := gitErr(dir, "verify-pack", mine.base+".idx"); err != nil {
		t.Fatalf("git verify-pack: %v\n%s", err, out)
	}
	got := map[Hash]bool{}
	for _, h := range mine.hashes {
		got[h] = true
	}
	sameSet(t, "pack written", got, reach)
	entries, _ := os.ReadDir(filepath.Dir(mine.base))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "tmp_") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func TestPrunerRemove(t *testing.T) {
	dir, s := prunable(t)
	p, err := s.newPruner(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.sortPacks()
	if err := s.writePack(context.Background(), s.lock, p.keep); err != nil {
		t.Fatal(err)
	}
	s.closePackFiles()
	objDir := filepath.Join(s.CommonDir, "objects")
	// A loose object nothing reaches, and a writer's temporary file.
	orphanFile := filepath.Join(t.TempDir(), "orphelin")
	writeFile(t, orphanFile, "orphelin\n")
	orphan := strings.TrimSpace(git(t, dir, "hash-object", "-w", orphanFile))
	writeFile(t, filepath.Join(objDir, "pack", "tmp_pack_abandonne"), "x")
	if p, err = s.newPruner(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.sortPacks()
	if err := p.removePacks(); err != nil || p.st.packs != 1 {
		t.Fatalf("remove packs: %d %v", p.st.packs, err)
	}
	dirs, err := p.removeLoose()
	if err != nil || !dirs[filepath.Join(objDir, orphan[:2])] {
		t.Fatalf("remove loose: %v %v", dirs, err)
	}
	if _, err := os.Stat(filepath.Join(objDir, orphan[:2], orphan[2:])); !os.IsNotExist(err) {
		t.Fatalf("unreachable loose object left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(objDir, "pack", "tmp_pack_abandonne")); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(objDir, "info", "commit-graph")); err != nil {
		t.Fatalf("fixture: no commit-graph: %v", err)
	}
	if err := p.removeCaches(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(objDir, "info", "commit-graph")); !os.IsNotExist(err) {
		t.Fatalf("commit-graph left: %v", err)
	}
	fsckOK(t, dir)
	sameSet(t, "objects left", gitReachable(t, dir), p.reach)
	if out := git(t, dir, "count-objects", "-v"); !strings.Contains(out, "packs: 1\n") {
		t.Fatalf("git count-objects:\n%s", out)
	}
	// Every object git still stores is reachable.
	all := strings.Fields(git(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"))
	for _, o := range all {
		if h, _ := ParseHash(o); !p.reach[h] {
			t.Errorf("unreachable object %s still stored", o)
		}
	}
}

// TestPruneKeepsCacheTree: the trees the index's cache-tree names stay, as git gc keeps
// them (git fsck --strict reports "invalid sha1 pointer in cache-tree" otherwise);
// a cache-tree node whose tree reaches a blob nothing else keeps is invalidated in the
// index instead, so that prune never keeps content only the cache-tree names.
func TestPruneKeepsCacheTree(t *testing.T) {
	dir := newRepo(t)
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(dir, "beneficiaires", n, "fiche.md"), n+"\n")
		gitIn(t, dir, "add", ".")
		gitIn(t, dir, "commit", "-q", "-m", n)
	}
	gitIn(t, dir, "reset", "-q", "--soft", "HEAD~1")
	gitIn(t, dir, "reflog", "expire", "--expire=now", "--all")
	tree := strings.TrimSpace(git(t, dir, "write-tree")) // c's tree, named by the cache-tree only
	s := openLocked(t, dir)
	if _, err := s.prune(context.Background(), s.lock); err != nil {
		t.Fatal(err)
	}
	fsckOK(t, dir)
	if got := strings.TrimSpace(git(t, dir, "cat-file", "-t", tree)); got != "tree" {
		t.Fatalf("cache-tree's tree %s: %q", tree, got)
	}
	if out := git(t, dir, "status", "--porcelain"); out != "A  beneficiaires/c/fiche.md\n" {
		t.Fatalf("git status:\n%s", out)
	}

	// A cache-tree that names a tree holding a blob the index does not (the index
	// entry changed behind the cache-tree's back): the node and its parents are
	// invalidated, the blob is not kept.
	secret := filepath.Join(t.TempDir(), "secret")
	writeFile(t, secret, "donnée effacée\n")
	blob := strings.TrimSpace(git(t, dir, "hash-object", "-w", secret))
	sub := strings.TrimSpace(gitStdin(t, dir, "100644 blob "+blob+"\tfiche.md\n", "mktree"))
	stale := cacheTreeFixture(t, dir, sub)
	if _, err := s.prune(context.Background(), s.lock); err != nil {
		t.Fatal(err)
	}
	if _, err := gitErr(dir, "cat-file", "-e", blob); err == nil {
		t.Fatal("a blob only a stale cache-tree names was kept")
	}
	if _, err := gitErr(dir, "cat-file", "-e", stale); err == nil {
		t.Fatal("a stale cache-tree tree was kept")
	}
	fsckOK(t, dir)
	if out := git(t, dir, "status", "--porcelain"); out != "A  beneficiaires/c/fiche.md\n" {
		t.Fatalf("git status:\n%s", out)
	}
	if got, want := strings.TrimSpace(git(t, dir, "write-tree")), tree; got != want {
		t.Fatalf("write-tree after invalidation: %s, want %s", got, want)
	}
}

func gitStdin(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := gitCmd(dir, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// cacheTreeFixture points the cache-tree node of beneficiaires/c in dir's index at tree
// (its parents keep their hashes, as after an update that forgot to invalidate them) and
// returns tree.
func cacheTreeFixture(t *testing.T, dir, tree string) string {
	t.Helper()
	path := filepath.Join(dir, ".git", "index")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("TREE"))
	node := bytes.Index(data[i:], []byte("c\x001 0\n")) // one entry, no subtree
	if i < 0 || node < 0 {
		t.Fatal("fixture: no cache-tree node for c")
	}
	at := i + node + len("c\x001 0\n")
	h, err := ParseHash(tree)
	if err != nil {
		t.Fatal(err)
	}
	copy(data[at:at+20], h[:])
	sum := sha1.Sum(data[:len(data)-20])
	copy(data[len(data)-20:], sum[:])
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(git(t, dir, "ls-files", "-s", "beneficiaires/c")); !strings.Contains(got, "beneficiaires/c/fiche.md") {
		t.Fatalf("fixture: index unreadable: %s", got)
	}
	return tree
}
