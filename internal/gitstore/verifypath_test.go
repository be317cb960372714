//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// The names a hostile remote tries, with whether a tree entry may carry them.
var nameCases = []struct {
	name string
	ok   bool
}{
	{"fiche.md", true},
	{"2026-11-03-entretien-initial.md", true},
	{"notes de séance.md", true},
	{".gitkeep", true},
	{"", false},
	{".", false},
	{"..", false},
	{"a/b", false},
	{"../x", false},
	{"a\x00b", false},
	{".git", false},
	{".GIT", false},
	{".Git", false},
	{".git.", false},
	{".git ", false},
	{".git. . .", false},
	{"git~1", false},
	{"GIT~1", false},
	{"GI7EBA~1", false},
	{"BENEFI~1", false},
	{"fiche~2.md", false},
	{".git::$INDEX_ALLOCATION", false},
	{".git:$DATA", false},
	{"fiche.md:flux", false},
	{".g\u200cit", false},
	{".gi\u200dt", false},
	{"\u206a.git", false},
	{".git\ufeff", false},
	{"\u200ffiche.md", false},
	{"a\\b", false},
	{"..\\..\\x", false},
	{"fiche.md.", false},
	{"fiche.md ", false},
	{"a\x1b[31mrouge.md", false},
	{"a\nb.md", false},
	{"a\u0085b.md", false},
	{"a\x7fb.md", false},
	{"a<b", false},
	{"a|b", false},
	{"a?b", false},
	{"a*b", false},
	{`a"b`, false},
	{"\xff\xfe.md", false},
}

func TestBadName(t *testing.T) {
	for _, c := range nameCases {
		if got := badName(c.name); (got == "") != c.ok {
			t.Errorf("badName(%q) = %q, want ok=%v", c.name, got, c.ok)
		}
	}
}

// TestVerifyPathLayout: inside the case-file folder, only what a case-file repository
// holds; outside it (a larger repository), names and modes only.
func TestVerifyPathLayout(t *testing.T) {
	root := &Store{}
	sub := &Store{Prefix: "examples/centre"}
	for _, c := range []struct {
		s    *Store
		path string
		mode string
		ok   bool
	}{
		{root, "acc.yaml", modeFile, true},
		{root, ".gitattributes", modeFile, true},
		{root, ".gitignore", modeFile, true},
		{root, ".acc/types/atelier.yaml", modeFile, true},
		{root, ".acc/schemas/fiche.schema.json", modeFile, true},
		{root, ".acc/purges", modeFile, true},
		{root, "beneficiaires/.gitkeep", modeFile, true},
		{root, "beneficiaires/jean-dupont/fiche.md", modeFile, true},
		{root, "beneficiaires/b-2026-k7f3/2026-11-03-entretien-initial.md", modeFile, true},
		{root, "beneficiaires/jean-dupont/notes.txt", modeFile, true},
		{root, "beneficiaires/jean-dupont/.gitkeep", modeFile, true},
		{root, "conflits/beneficiaires/jean-dupont/fiche.md", modeFile, true},

		{root, "README.md", modeFile, true},
		{root, "docs/README.md", modeFile, false},
		{root, ".env", modeFile, false},
		{root, "installer.sh", modeExec, false},
		{root, "acc.yaml", modeTree, false},
		{root, "beneficiaires", modeFile, false},
		{root, "beneficiaires/Jean Dupont/fiche.md", modeFile, false},
		{root, "beneficiaires/-x/fiche.md", modeFile, false},
		{root, "beneficiaires/fiche.md", modeFile, false},
		{root, "beneficiaires/jean-dupont/.cache", modeFile, false},
		{root, "beneficiaires/jean-dupont/.gitattributes", modeFile, false},
		{root, "beneficiaires/jean-dupont/fiche.md", modeSymlink, false},
		{root, "beneficiaires/jean-dupont/fiche.md", modeGitlink, false},
		{root, "beneficiaires/jean-dupont/lancer.sh", modeExec, false},
		{root, "beneficiaires/jean-dupont/fiche.md", "100600", false},
		{root, ".acc/.gitattributes", modeFile, false},
		{root, ".acc/hooks/.git/config", modeFile, false},
		{root, ".gitmodules", modeFile, false},
		{root, ".git/hooks/post-checkout", modeExec, false},
		{root, "beneficiaires/x/.GIT/config", modeFile, false},
		{root, "conflits/git~1/config", modeFile, false},
		{root, "beneficiaires/con/fiche.md", modeFile, false},
		{root, "beneficiaires/lpt1/fiche.md", modeFile, false},
		{root, "beneficiaires/jean-dupont/nul.md", modeFile, false},
		{root, "beneficiaires/jean-dupont/Com1.txt", modeFile, false},
		{root, ".acc/types/prn.yaml", modeFile, false},
		{root, "beneficiaires/jean-dupont/console.md", modeFile, true},
		{root, "beneficiaires/connie-martin/fiche.md", modeFile, true},

		{sub, "examples/centre/acc.yaml", modeFile, true},
		{sub, "examples/centre/beneficiaires/x/fiche.md", modeFile, true},
		{sub, "README.md", modeFile, true},
		{sub, "src/main.go", modeFile, true},
		{sub, "scripts/build.sh", modeExec, true},
		{sub, "examples/autre/README.md", modeFile, true},
		{sub, "examples/centre/README.md", modeFile, true},
		{sub, "examples/centre/docs/a.md", modeFile, false},
		{sub, "src/.git/config", modeFile, false},
		{sub, "docs/lien", modeSymlink, false},
		{sub, "vendor/lib", modeGitlink, false},
		{sub, ".gitmodules", modeFile, false},
		{sub, "src/aux.c", modeFile, false},
	} {
		err := c.s.verifyPath(c.path, c.mode)
		if (err == nil) != c.ok {
			t.Errorf("prefix %q: verifyPath(%q, %s) = %v, want ok=%v", c.s.Prefix, c.path, c.mode, err, c.ok)
		}
		var ue *UnsafePathError
		if err != nil && (!errors.As(err, &ue) || !strings.HasPrefix(c.path, ue.Path)) {
			t.Errorf("verifyPath(%q): %v does not name the path", c.path, err)
		}
	}
}

func TestUnsafePathErrorEscapes(t *testing.T) {
	err := (&Store{}).verifyPath("beneficiaires/x/a\x1b[31mb.md", modeFile)
	if err == nil || strings.ContainsAny(err.Error(), "\x1b") || !strings.Contains(err.Error(), `\x1b[31m`) {
		t.Fatalf("control character not escaped: %q", err)
	}
}

// craftedEntry is a tree entry written by hand: git mktree refuses most hostile names.
type craftedEntry struct {
	mode, name, hash string
}

// mkRawTree writes a tree object with the entries as given (sorted in Git's order, so
// that the name, not the order, is what is refused), bypassing Git's checks.
func mkRawTree(t testing.TB, dir string, entries ...craftedEntry) string {
	t.Helper()
	sort.Slice(entries, func(i, j int) bool {
		ki, kj := entries[i].name, entries[j].name
		if entries[i].mode == modeTree {
			ki += "/"
		}
		if entries[j].mode == modeTree {
			kj += "/"
		}
		return ki < kj
	})
	var b bytes.Buffer
	for _, e := range entries {
		h, err := hex.DecodeString(e.hash)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.mode + " " + e.name + "\x00")
		b.Write(h)
	}
	cmd := gitCmd(dir, "hash-object", "-t", "tree", "-w", "--literally", "--stdin")
	cmd.Stdin = &b
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hash-object tree: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func mkBlob(t testing.TB, dir, content string) string {
	t.Helper()
	cmd := gitCmd(dir, "hash-object", "-w", "--stdin")
	cmd.Stdin = strings.NewReader(content)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// hostileCommit adds to the remote's main a commit whose tree is main's plus an entry
// at the root (its subtree built by the caller), which replaces main's of that name.
func hostileCommit(t testing.TB, bare string, extra craftedEntry) string {
	t.Helper()
	head := strings.TrimSpace(git(t, bare, "rev-parse", "main"))
	var entries []craftedEntry
	for _, line := range strings.Split(strings.TrimSpace(git(t, bare, "ls-tree", "main")), "\n") {
		meta, name, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		mode := f[0]
		if mode == "040000" {
			mode = modeTree
		}
		if name != extra.name {
			entries = append(entries, craftedEntry{mode, name, f[2]})
		}
	}
	tree := mkRawTree(t, bare, append(entries, extra)...)
	c := strings.TrimSpace(git(t, bare, "commit-tree", tree, "-p", head, "-m", "piège"))
	git(t, bare, "update-ref", "refs/heads/main", c)
	return c
}

func packNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(dir, ".git", "objects", "pack"))
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestSyncRefusesHostileTrees: each crafted tree stops the sync before anything moves
// (branch, remote-tracking ref, files, packs) and the clone before anything is created;
// a bad path in an intermediate commit is refused as well.
func TestSyncRefusesHostileTrees(t *testing.T) {
	bare, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("jean", map[string]string{"beneficiaires/jean-dupont/fiche.md": "---\nid: jean-dupont\n---\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	good := strings.TrimSpace(git(t, bare, "rev-parse", "main"))
	marker := filepath.Join(t.TempDir(), "crochet-execute")
	hook := mkBlob(t, bare, "#!/bin/sh\ntouch "+marker+"\n")
	hooks := mkRawTree(t, bare, craftedEntry{modeExec, "post-checkout", hook})
	dotgit := func(name string) craftedEntry {
		return craftedEntry{modeTree, name, mkRawTree(t, bare, craftedEntry{modeTree, "hooks", hooks})}
	}
	inBenefAs := func(folder string, e ...craftedEntry) craftedEntry {
		id := mkRawTree(t, bare, append(e, craftedEntry{modeFile, "fiche.md", mkBlob(t, bare, "---\nid: x\n---\n")})...)
		return craftedEntry{modeTree, "beneficiaires", mkRawTree(t, bare, craftedEntry{modeTree, folder, id},
			craftedEntry{modeFile, ".gitkeep", mkBlob(t, bare, "")})}
	}
	inBenef := func(e ...craftedEntry) craftedEntry { return inBenefAs("x", e...) }
	cases := []struct {
		extra craftedEntry
		path  string
	}{
		{dotgit(".git"), ".git"},
		{dotgit(".GIT"), ".GIT"},
		{dotgit(".git. "), ".git. "},
		{dotgit("git~1"), "git~1"},
		{dotgit(".git::$INDEX_ALLOCATION"), ".git::$INDEX_ALLOCATION"},
		{dotgit(".g\u200cit"), ".g\u200cit"},
		{dotgit(".."), ".."},
		{craftedEntry{modeFile, "a/../../evil", hook}, "a/../../evil"},
		{craftedEntry{modeFile, ".gitmodules", mkBlob(t, bare, "[submodule \"x\"]\n\tpath = x\n\turl = ../x\n")}, ".gitmodules"},
		{craftedEntry{modeGitlink, "x", good}, "x"},
		{inBenef(craftedEntry{modeSymlink, "lien", mkBlob(t, bare, "../../../../tmp")}), "beneficiaires/x/lien"},
		{inBenef(craftedEntry{modeExec, "lancer.sh", hook}), "beneficiaires/x/lancer.sh"},
		{inBenef(craftedEntry{modeFile, "a\x1b[31m.md", hook}), "beneficiaires/x/a\x1b[31m.md"},
		{inBenef(dotgit(".Git")), "beneficiaires/x/.Git"},
		{inBenef(craftedEntry{modeFile, "Fiche.md", hook}), "beneficiaires/x/fiche.md"},
		// One file on macOS: "é" written as one code point (NFC) and as "e" and a
		// combining accent (NFD); Git sorts the NFD name ("e…") first.
		{inBenef(craftedEntry{modeFile, "e\u0301t\u00e9.md", hook}, craftedEntry{modeFile, "\u00e9te\u0301.md", hook}), "beneficiaires/x/\u00e9te\u0301.md"},
		{craftedEntry{modeTree, ".acc", mkRawTree(t, bare, craftedEntry{modeFile, "re\u0301sume\u0301.md", hook},
			craftedEntry{modeFile, "r\u00e9sum\u00e9.md", hook})}, ".acc/r\u00e9sum\u00e9.md"},
		// Names Windows keeps for devices: Git for Windows refuses to check them out.
		{inBenef(craftedEntry{modeFile, "nul.md", hook}), "beneficiaires/x/nul.md"},
		{inBenefAs("con"), "beneficiaires/con"},
		{craftedEntry{modeFile, "AUX", hook}, "AUX"},
		{craftedEntry{modeTree, "scripts", hooks}, "scripts"},
		{craftedEntry{modeFile, ".envrc", hook}, ".envrc"},
	}
	before := paul.head()
	packs := packNames(t, paul.dir)
	loose := git(t, paul.dir, "count-objects")
	for _, c := range cases {
		hostileCommit(t, bare, c.extra)
		_, err := paul.syncErr(false)
		var ue *UnsafePathError
		if !errors.As(err, &ue) || ue.Path != c.path {
			t.Fatalf("%q: sync error %v, want UnsafePathError for %q", c.path, err, c.path)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", c.path)) || strings.Contains(err.Error(), "\x1b[") {
			t.Errorf("message does not name %q: %v", c.path, err)
		}
		if h := paul.head(); h != before {
			t.Fatalf("%q: HEAD moved", c.path)
		}
		if tr := strings.TrimSpace(git(t, paul.dir, "rev-parse", "refs/remotes/origin/main")); tr != good {
			t.Fatalf("%q: remote-tracking ref moved to %s", c.path, tr)
		}
		if got := packNames(t, paul.dir); strings.Join(got, ",") != strings.Join(packs, ",") {
			t.Fatalf("%q: packs left: %v (before %v)", c.path, got, packs)
		}
		if l := git(t, paul.dir, "count-objects"); l != loose {
			t.Fatalf("%q: loose objects left: %s (before %s)", c.path, l, loose)
		}
		checkClean(t, paul.dir)
		dir := filepath.Join(t.TempDir(), "clone")
		if _, _, err := Clone(context.Background(), url, dir, CloneOptions{Committer: paul.sig}); !errors.As(err, &ue) {
			t.Fatalf("%q: clone error %v", c.path, err)
		}
		if _, err := os.Lstat(dir); !os.IsNotExist(err) {
			t.Fatalf("%q: clone left %s", c.path, dir)
		}
		git(t, bare, "update-ref", "refs/heads/main", good)
	}
	if _, err := os.Lstat(marker); err == nil {
		t.Fatal("a planted hook ran")
	}

	// History: the bad path comes and goes; the final tree is clean.
	hostileCommit(t, bare, dotgit(".git"))
	git(t, bare, "update-ref", "refs/heads/main",
		strings.TrimSpace(git(t, bare, "commit-tree", "main^{tree}", "-p", "main", "-m", "propre")))
	hostileCommit(t, bare, craftedEntry{modeFile, ".gitignore", mkBlob(t, bare, "*~\n")}) // a legitimate change on top
	git(t, bare, "update-ref", "refs/heads/main",
		strings.TrimSpace(git(t, bare, "commit-tree", good+"^{tree}", "-p", "main", "-m", "retour")))
	_, err := paul.syncErr(false)
	var ue *UnsafePathError
	if !errors.As(err, &ue) || ue.Path != ".git" {
		t.Fatalf("intermediate commit: %v", err)
	}
	git(t, bare, "update-ref", "refs/heads/main", good)
	paul.sync()
	checkClean(t, paul.dir)

	// Brought by a git fetch by hand: the remote has nothing new for acc, the
	// remote-tracking ref is checked all the same.
	hostileCommit(t, bare, dotgit(".git"))
	git(t, paul.dir, "fetch", "-q", "origin")
	if _, err := paul.syncErr(false); !errors.As(err, &ue) || ue.Path != ".git" {
		t.Fatalf("after git fetch: %v", err)
	}
	if h := paul.head(); h != before {
		t.Fatal("HEAD moved")
	}
	// (git fsck --strict would now complain: git fetch stored the crafted objects.)
	if st := git(t, paul.dir, "status", "--porcelain", "--ignored"); st != "" {
		t.Fatalf("files written:\n%s", st)
	}
}

// TestVerifyCommitsReadsOnlyChanges: a commit whose trees are those of its parent but
// one file costs the changed trees only (each tree at most once per verifier).
func TestVerifyCommitsReadsOnlyChanges(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	var changes []Change
	for _, id := range []string{"a", "b", "c", "d"} {
		changes = append(changes, Change{Path: "beneficiaires/" + id + "/fiche.md", Content: []byte(id + "\n")})
	}
	c1 := mustCommit(t, s, "un", changes...)
	c2 := mustCommit(t, s, "deux", Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b2\n")})
	g := newCommitGraph(s)
	v := s.newPathVerifier()
	r1, _ := g.get(c1)
	r2, _ := g.get(c2)
	if err := v.commit(c2, r2.tree, r1.tree); err != nil {
		t.Fatal(err)
	}
	// root, beneficiaires, beneficiaires/b: the three trees that differ.
	if len(v.done) != 3 {
		t.Fatalf("verified %d trees, want 3", len(v.done))
	}
	if err := s.verifyCommits(g, []Hash{c1, c2}); err != nil {
		t.Fatal(err)
	}
}

// FuzzVerifyPath: whatever a tree entry is named, an accepted name can never reach
// outside its folder or into .git on any file system, and the single-path check agrees
// with the name check wherever the name sits.
func FuzzVerifyPath(f *testing.F) {
	for _, c := range nameCases {
		f.Add(c.name)
	}
	for _, s := range []string{".git\u200c", "GIT~1.", ".gIt::$DATA", ".gitmodules", "gi7eba~9", ".git/", "x:y", "con", "aux.md"} {
		f.Add(s)
	}
	root := &Store{}
	sub := &Store{Prefix: "depot/centre"}
	f.Fuzz(func(t *testing.T, name string) {
		reason := badName(name)
		if reason == "" {
			var stripped strings.Builder
			for _, c := range name {
				if !hfsIgnorable(c) {
					stripped.WriteRune(c)
				}
			}
			base, _, _ := strings.Cut(stripped.String(), ":")
			switch {
			case name == "", name == ".", name == "..":
				t.Fatalf("%q accepted", name)
			case strings.ContainsAny(name, "/\\:\x00"):
				t.Fatalf("%q accepted with a separator or a stream", name)
			case strings.EqualFold(strings.TrimRight(base, ". "), ".git"):
				t.Fatalf("%q accepted, reads as .git", name)
			case !utf8.ValidString(name):
				t.Fatalf("%q accepted, invalid UTF-8", name)
			}
			for _, c := range name {
				if c < 0x20 || c == 0x7f || hfsIgnorable(c) {
					t.Fatalf("%q accepted with %U", name, c)
				}
			}
		}
		for _, p := range []struct {
			s    *Store
			path string
		}{
			{root, "beneficiaires/x/" + name},
			{root, "conflits/" + name + "/f.md"},
			{sub, name + "/a.md"},
			{sub, "depot/" + name},
		} {
			err := p.s.verifyPath(p.path, modeFile)
			if reason != "" && !strings.Contains(name, "/") && err == nil {
				t.Fatalf("%q refused by badName (%s) but %q accepted", name, reason, p.path)
			}
			var ue *UnsafePathError
			if err != nil && (!errors.As(err, &ue) || !strings.HasPrefix(p.path, ue.Path)) {
				t.Fatalf("%q: %v", p.path, err)
			}
		}
	})
}

// TestReadsAtRevisionAndPurgeRefuseCraftedTrees: show --at and report --at (ReadAt,
// ListAt) and the purge rewrite meet a crafted tree in local history (brought by git
// fetch, say): they refuse it, naming the path, and the purge writes nothing.
func TestReadsAtRevisionAndPurgeRefuseCraftedTrees(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "jean", Change{Path: "acc.yaml", Content: []byte("organisation: T\n")},
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte("---\nid: jean-dupont\n---\n")})
	link := mkBlob(t, dir, "../../../etc/passwd")
	esc := mkBlob(t, dir, "x\n")
	folder := mkRawTree(t, dir, craftedEntry{modeSymlink, "fiche.md", link}, craftedEntry{modeFile, "a\x1b[2J.md", esc})
	benefs := mkRawTree(t, dir, craftedEntry{modeTree, "jean-dupont", folder})
	acc := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD:acc.yaml"))
	root := mkRawTree(t, dir, craftedEntry{modeTree, "beneficiaires", benefs}, craftedEntry{modeFile, "acc.yaml", acc})
	c := strings.TrimSpace(git(t, dir, "commit-tree", root, "-p", "HEAD", "-m", "piège"))
	git(t, dir, "update-ref", "refs/heads/piege", c)

	var ue *UnsafePathError
	if _, err := s.ReadAt("beneficiaires/jean-dupont/fiche.md", "piege"); !errors.As(err, &ue) || ue.Path != "beneficiaires/jean-dupont/fiche.md" {
		t.Fatalf("ReadAt through a symlink: %v", err)
	}
	if _, err := s.ListAt("beneficiaires/jean-dupont", "piege"); !errors.As(err, &ue) || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("ListAt: %v", err)
	}
	if _, err := s.ReadAt("beneficiaires/jean-dupont/fiche.md", "main"); err != nil {
		t.Fatalf("ReadAt on sound history: %v", err)
	}
	head := strings.TrimSpace(git(t, dir, "rev-parse", "main"))
	if _, err := s.Purge(context.Background(), "jean-dupont", testSig, testSig); !errors.As(err, &ue) {
		t.Fatalf("purge over a crafted history: %v", err)
	}
	if h := strings.TrimSpace(git(t, dir, "rev-parse", "main")); h != head {
		t.Fatal("purge moved main")
	}
	if p := strings.TrimSpace(git(t, dir, "rev-parse", "piege")); p != c {
		t.Fatal("purge rewrote the crafted branch")
	}
}
