//go:build unix

package gitstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkoutFixture is a repository whose branch is at commit a while commit b (made by
// git) is known: the changes from a to b and a checkoutRun over them.
func checkoutFixture(t *testing.T) (dir string, s *Store, r *checkoutRun, b string) {
	t.Helper()
	dir = newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "un\n")
	writeFile(t, filepath.Join(dir, "same.md"), "avant\n")
	writeFile(t, filepath.Join(dir, "old.md"), "ancien\n")
	writeFile(t, filepath.Join(dir, "run.sh"), "#!/bin/sh\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "a")
	a := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	writeFile(t, filepath.Join(dir, "a.md"), "deux\n")
	writeFile(t, filepath.Join(dir, "same.md"), "après\n")
	writeFile(t, filepath.Join(dir, "neuf/sous/b.md"), "nouveau\n")
	git(t, dir, "rm", "-q", "old.md")
	git(t, dir, "add", "-A")
	git(t, dir, "update-index", "--chmod=+x", "run.sh")
	git(t, dir, "commit", "-q", "-m", "b")
	b = strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	git(t, dir, "reset", "-q", "--hard", a)
	// same.md already holds b's content on disk (a checkout killed after its rename).
	writeFile(t, filepath.Join(dir, "same.md"), "après\n")
	if err := os.Chmod(filepath.Join(dir, "a.md"), 0o640); err != nil {
		t.Fatal(err)
	}
	s = openLocked(t, dir)
	h, err := s.requireLock()
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := treeOfRev(t, s, dir, a), treeOfRev(t, s, dir, b)
	changes, err := s.diffAll(ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	return dir, s, newCheckoutRun(s, h, changes, s.readObject), b
}

func treeOfRev(t *testing.T, s *Store, dir, rev string) Hash {
	t.Helper()
	tree, err := s.treeOf(hashOf(t, dir, rev))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// updateFor returns the index update of Git path gp.
func updateFor(t *testing.T, r *checkoutRun, gp string) indexUpdate {
	t.Helper()
	for _, u := range r.ups {
		if u.path == gp {
			return u
		}
	}
	t.Fatalf("no index update for %s in %v", gp, r.ups)
	return indexUpdate{}
}

func TestCheckoutRunRemoveDeleted(t *testing.T) {
	dir, _, r, _ := checkoutFixture(t)
	if err := r.removeDeleted(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "old.md")); !os.IsNotExist(err) {
		t.Errorf("old.md still on disk: %v", err)
	}
	if u := updateFor(t, r, "old.md"); !u.delete {
		t.Errorf("old.md's update is not a deletion: %+v", u)
	}
	for _, gp := range []string{"a.md", "same.md", "run.sh", "neuf/sous/b.md"} {
		if u := updateFor(t, r, gp); u.delete {
			t.Errorf("%s marked deleted", gp)
		}
	}
	if got := contentOf(t, filepath.Join(dir, "a.md")); got != "un\n" {
		t.Errorf("a.md changed by removeDeleted: %q", got)
	}
}

func TestCheckoutRunRemoveDeletedRefusesLink(t *testing.T) {
	dir, _, r, _ := checkoutFixture(t)
	// A folder on the way replaced by a link: removal must not follow it.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "old.md"), "ailleurs\n")
	if err := os.Remove(filepath.Join(dir, "old.md")); err != nil {
		t.Fatal(err)
	}
	for i := range r.changes {
		if r.changes[i].path == "old.md" {
			r.changes[i].path = "lien/old.md"
		}
	}
	if err := os.Symlink(other, filepath.Join(dir, "lien")); err != nil {
		t.Fatal(err)
	}
	if err := r.removeDeleted(); err == nil {
		t.Fatal("removeDeleted followed a link")
	}
	if got := contentOf(t, filepath.Join(other, "old.md")); got != "ailleurs\n" {
		t.Errorf("file behind the link touched: %q", got)
	}
}

func TestCheckoutRunCurrent(t *testing.T) {
	dir, _, r, _ := checkoutFixture(t)
	byPath := map[string]treeChange{}
	for _, c := range r.changes {
		byPath[c.path] = c
	}
	for _, tc := range []struct {
		gp   string
		perm os.FileMode
		same bool
	}{
		{"a.md", 0o640, false},           // other content: rewritten, its permissions kept
		{"same.md", 0o644, true},         // b's content already there
		{"run.sh", 0o644, false},         // same content, but b makes it executable
		{"neuf/sous/b.md", 0o600, false}, // new file
	} {
		c, ok := byPath[tc.gp]
		if !ok {
			t.Fatalf("no change for %s", tc.gp)
		}
		perm, same := r.current(c, filepath.Join(dir, filepath.FromSlash(tc.gp)))
		if perm != tc.perm || same != tc.same {
			t.Errorf("current(%s) = %o, %v; want %o, %v", tc.gp, perm, same, tc.perm, tc.same)
		}
	}
}

func TestCheckoutRunWriteTempsThenPublish(t *testing.T) {
	dir, _, r, b := checkoutFixture(t)
	if err := r.removeDeleted(); err != nil {
		t.Fatal(err)
	}
	if err := r.writeTemps(); err != nil {
		t.Fatal(err)
	}
	// Nothing visible yet: the new contents wait under temporary names, one per file
	// that needs writing (same.md needs none).
	if got := contentOf(t, filepath.Join(dir, "a.md")); got != "un\n" {
		t.Errorf("a.md replaced before publish: %q", got)
	}
	if len(r.pend) != 3 {
		t.Fatalf("pending files = %v, want a.md, run.sh and neuf/sous/b.md", r.pend)
	}
	for _, p := range r.pend {
		if _, err := os.Lstat(p.tmp); err != nil {
			t.Errorf("temporary file of %s: %v", p.final, err)
		}
	}
	if u := updateFor(t, r, "run.sh"); u.mode != 0o100755 {
		t.Errorf("run.sh's update mode = %o", u.mode)
	}
	if err := r.publish(); err != nil {
		t.Fatal(err)
	}
	for _, gp := range []string{"a.md", "same.md", "run.sh", "neuf/sous/b.md"} {
		want := git(t, dir, "show", b+":"+gp)
		if got := contentOf(t, filepath.Join(dir, filepath.FromSlash(gp))); got != want {
			t.Errorf("%s = %q, want %q (git show)", gp, got, want)
		}
	}
	for _, p := range r.pend {
		if p.tmp != "" {
			t.Errorf("temporary file of %s left: %s", p.final, p.tmp)
		}
	}
	checkPerm(t, filepath.Join(dir, "a.md"), 0o640)
	checkPerm(t, filepath.Join(dir, "run.sh"), 0o744)
	checkPerm(t, filepath.Join(dir, "neuf/sous/b.md"), 0o600)
	if err := r.fillStats(); err != nil {
		t.Fatal(err)
	}
	for _, gp := range []string{"a.md", "same.md", "run.sh", "neuf/sous/b.md"} {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(gp)))
		if err != nil {
			t.Fatal(err)
		}
		if u := updateFor(t, r, gp); u.stat != fileStat(fi) {
			t.Errorf("%s: stat data %+v, want %+v", gp, u.stat, fileStat(fi))
		}
	}
	// No temporary file left beside a.md.
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range names {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left in the work tree: %s", e.Name())
		}
	}
}

func TestCheckoutRunRemoveTemps(t *testing.T) {
	dir, _, r, _ := checkoutFixture(t)
	if err := r.writeTemps(); err != nil {
		t.Fatal(err)
	}
	tmps := r.pend
	r.removeTemps()
	for _, p := range tmps {
		if _, err := os.Lstat(p.tmp); !os.IsNotExist(err) {
			t.Errorf("temporary file of %s not removed: %v", p.final, err)
		}
	}
	if got := contentOf(t, filepath.Join(dir, "a.md")); got != "un\n" {
		t.Errorf("a.md touched by an abandoned checkout: %q", got)
	}
}

func checkPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: permissions %o, want %o", path, fi.Mode().Perm(), want)
	}
}

func contentOf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
