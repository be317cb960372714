//go:build unix

package gitstore

import (
	"path/filepath"
	"strings"
	"testing"
)

// craftOn writes, with Git's plumbing and without acc, a commit whose tree is parent's
// with the given root entries added or replaced, and points ref at it.
func craftOn(t *testing.T, dir, parent, ref string, extra ...craftedEntry) string {
	t.Helper()
	var entries []craftedEntry
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "ls-tree", parent)), "\n") {
		meta, name, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		mode := f[0]
		if mode == "040000" {
			mode = modeTree
		}
		replaced := false
		for _, e := range extra {
			replaced = replaced || e.name == name
		}
		if !replaced {
			entries = append(entries, craftedEntry{mode, name, f[2]})
		}
	}
	tree := mkRawTree(t, dir, append(entries, extra...)...)
	c := strings.TrimSpace(git(t, dir, "commit-tree", tree, "-p", parent, "-m", "ancienne"))
	git(t, dir, "update-ref", ref, c)
	return c
}

// TestDoctorHistoryPaths: unsafe paths in the history of a branch and of a
// remote-tracking branch, committed with git plumbing, are each named once with the ref
// and the commit that brought them; every one in a tree is listed, not only the first.
func TestDoctorHistoryPaths(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "fiche", Change{Path: "beneficiaires/lucie/fiche.md", Content: []byte("Lucie\n")})
	head := mustCommit(t, s, "suivi", Change{Path: "beneficiaires/lucie/suivi.md", Content: []byte("Suivi\n")})
	if c := s.checkPaths(); c.Status != CheckOK || !strings.Contains(c.Message, "(2 commit(s) vérifié(s))") {
		t.Fatalf("clean: %+v", c)
	}

	blob := mkBlob(t, dir, "piège\n")
	hooks := mkRawTree(t, dir, craftedEntry{modeExec, "post-checkout", blob})
	x := mkRawTree(t, dir,
		craftedEntry{modeSymlink, "lien", mkBlob(t, dir, "../../../../tmp")},
		craftedEntry{modeFile, "con.md", blob},
		craftedEntry{modeFile, "Fiche.md", blob},
		craftedEntry{modeFile, "fiche.md", blob},
		craftedEntry{modeFile, "a\x1b[31m.md", blob})
	y := mkRawTree(t, dir, craftedEntry{modeFile, "fiche.md", blob}, craftedEntry{modeFile, "fiche.md", blob})
	lucie := strings.TrimSpace(git(t, dir, "rev-parse", head.String()+":beneficiaires/lucie"))
	benefs := mkRawTree(t, dir, craftedEntry{modeTree, "lucie", lucie}, craftedEntry{modeTree, "x", x}, craftedEntry{modeTree, "y", y})
	old := craftOn(t, dir, head.String(), "refs/heads/ancienne",
		craftedEntry{modeTree, ".GIT", mkRawTree(t, dir, craftedEntry{modeTree, "hooks", hooks})},
		craftedEntry{modeTree, "beneficiaires", benefs})
	// A later commit keeps them: they are named at the commit that brought them.
	craftOn(t, dir, old, "refs/heads/ancienne", craftedEntry{modeFile, "notes.md", blob})
	remote := craftOn(t, dir, head.String(), "refs/remotes/origin/main",
		craftedEntry{modeTree, "..", mkRawTree(t, dir, craftedEntry{modeFile, "evil", blob})})

	c := s.checkPaths()
	if c.Status != CheckProblem || !strings.HasPrefix(c.Message, "7 chemin(s) dangereux") || !strings.Contains(c.Advice, "acc purge") {
		t.Fatalf("crafted: %+v", c)
	}
	want := []string{
		"refs/heads/ancienne, commit " + old[:10] + ` : ".GIT" — équivaut à .git`,
		"refs/heads/ancienne, commit " + old[:10] + ` : "beneficiaires/x/a\x1b[31m.md" — nom contenant un caractère de contrôle`,
		"refs/heads/ancienne, commit " + old[:10] + ` : "beneficiaires/x/con.md" — nom réservé par Windows`,
		"refs/heads/ancienne, commit " + old[:10] + ` : "beneficiaires/x/fiche.md" — même nom que "Fiche.md" à la casse près`,
		"refs/heads/ancienne, commit " + old[:10] + ` : "beneficiaires/x/lien" — lien symbolique`,
		"refs/heads/ancienne, commit " + old[:10] + ` : "beneficiaires/y/fiche.md" — entrée en double`,
		"refs/remotes/origin/main, commit " + remote[:10] + ` : ".." — « . » ou « .. »`,
	}
	if len(c.Details) != len(want) {
		t.Fatalf("details: %q", c.Details)
	}
	for i, w := range want {
		if !strings.HasPrefix(c.Details[i], w) {
			t.Errorf("detail %d:\n got %q\nwant %q…", i, c.Details[i], w)
		}
		if strings.ContainsRune(c.Details[i], 0x1b) {
			t.Errorf("raw escape in %q", c.Details[i])
		}
	}

	// Gone from the branches (a rewritten history, a deleted branch): nothing to report,
	// though the objects are still in the repository.
	git(t, dir, "update-ref", "-d", "refs/heads/ancienne")
	git(t, dir, "update-ref", "-d", "refs/remotes/origin/main")
	if c := s.checkPaths(); c.Status != CheckOK {
		t.Fatalf("after deleting the refs: %+v", c)
	}

	// A history that cannot be read is a warning that says so, not a clean bill.
	writeFile(t, filepath.Join(dir, ".git", "refs", "heads", "cassee"), mkBlob(t, dir, "pas un commit\n")+"\n")
	if c := s.checkPaths(); c.Status != CheckWarning || !strings.Contains(c.Message, "refs/heads/cassee") {
		t.Fatalf("unreadable: %+v", c)
	}
}
