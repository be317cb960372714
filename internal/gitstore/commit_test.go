//go:build unix

package gitstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCommitFirstOnUnbornBranch(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	id := mustCommit(t, s, "init : dépôt\n\nAcc-Action: init\n",
		Change{Path: "acc.yaml", Content: []byte("organisation: Exemple\n")},
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte("---\ntype: fiche\n---\n")},
		Change{Path: "beneficiaires/.gitkeep", Content: nil},
	)
	checkClean(t, dir)
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")); got != id.String() {
		t.Fatalf("HEAD = %s, Commit returned %s", got, id)
	}
	if got := git(t, dir, "cat-file", "-p", "HEAD:beneficiaires/jean-dupont/fiche.md"); got != "---\ntype: fiche\n---\n" {
		t.Fatalf("content in HEAD = %q", got)
	}
	if got := git(t, dir, "log", "--format=%an <%ae>|%cn|%ad|%s|%(trailers:key=Acc-Action,valueonly)", "--date=iso"); got !=
		"Marie Martin <marie@example.org>|Marie Martin|2026-11-25 10:00:00 +0100|init : dépôt|init\n\n" {
		t.Fatalf("git log = %q", got)
	}
	if got := git(t, dir, "reflog", "--format=%gs"); got != "commit (initial): init : dépôt\n" {
		t.Fatalf("reflog = %q", got)
	}
	if got := git(t, dir, "log", "-g", "--format=%gs", "main"); got != "commit (initial): init : dépôt\n" {
		t.Fatalf("branch reflog = %q", got)
	}
	// Personal data: files 0600, created folders 0700.
	for path, want := range map[string]os.FileMode{
		"beneficiaires/jean-dupont/fiche.md": 0o600,
		"beneficiaires/jean-dupont":          0o700,
		"beneficiaires":                      0o700,
	} {
		fi, err := os.Stat(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	// No temporary file left next to the documents, no record left in acc's lock.
	if out := git(t, dir, "status", "--porcelain", "--ignored"); out != "" {
		t.Fatalf("leftovers: %s", out)
	}
	if s.lock.off != s.lock.hdrLen {
		t.Fatalf("records left in acc's lock")
	}
}

func TestCommitModifyDeleteNested(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un",
		Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a1\n")},
		Change{Path: "beneficiaires/a/2026-01-01-entretien-initial.md", Content: []byte("i1\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b1\n")},
		Change{Path: "beneficiaires/b/sous/dossier/note.md", Content: []byte("n1\n")},
	)
	id := mustCommit(t, s, "deux",
		Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a2\n")},
		Change{Path: "beneficiaires/b/sous/dossier/note.md", Delete: true},
		Change{Path: "beneficiaires/c/fiche.md", Content: []byte("c1\n")},
	)
	checkClean(t, dir)
	if got := git(t, dir, "ls-tree", "-r", "--name-only", "HEAD"); got !=
		"beneficiaires/a/2026-01-01-entretien-initial.md\nbeneficiaires/a/fiche.md\nbeneficiaires/b/fiche.md\nbeneficiaires/c/fiche.md\n" {
		t.Fatalf("tree = %q", got)
	}
	if got := git(t, dir, "show", "--format=", "--name-status", id.String()); got !=
		"M\tbeneficiaires/a/fiche.md\nD\tbeneficiaires/b/sous/dossier/note.md\nA\tbeneficiaires/c/fiche.md\n" {
		t.Fatalf("diff = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "beneficiaires/b/sous")); !os.IsNotExist(err) {
		t.Fatalf("empty folders left after delete: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "beneficiaires/a/fiche.md")); string(got) != "a2\n" {
		t.Fatalf("disk content = %q", got)
	}
	// Deleting the last file of the repository gives an empty tree, still a valid commit.
	mustCommit(t, s, "vide",
		Change{Path: "beneficiaires/a/fiche.md", Delete: true},
		Change{Path: "beneficiaires/a/2026-01-01-entretien-initial.md", Delete: true},
		Change{Path: "beneficiaires/b/fiche.md", Delete: true},
		Change{Path: "beneficiaires/c/fiche.md", Delete: true},
	)
	checkClean(t, dir)
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD^{tree}")); got != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" {
		t.Fatalf("tree = %s, want the empty tree", got)
	}
}

func TestCommitUnderPrefix(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "README.md"), "projet\n")
	writeFile(t, filepath.Join(dir, "examples/autre/x.md"), "x\n")
	writeFile(t, filepath.Join(dir, "examples/caseload/acc.yaml"), "organisation: X\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "projet")
	caseRoot := filepath.Join(dir, "examples", "caseload")
	s := openLocked(t, filepath.Join(caseRoot, "."))
	if s.Prefix != "examples/caseload" {
		t.Fatalf("Prefix = %q", s.Prefix)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if s.Root != real {
		t.Fatalf("Root = %q, want %q", s.Root, real)
	}
	mustCommit(t, s, "nouveau", Change{Path: "beneficiaires/x/fiche.md", Content: []byte("fiche\n")})
	checkClean(t, dir)
	if got := git(t, dir, "show", "--format=", "--name-only", "HEAD"); got != "examples/caseload/beneficiaires/x/fiche.md\n" {
		t.Fatalf("commit touched %q", got)
	}
	// A file staged by the user elsewhere stays staged and out of acc's commit.
	writeFile(t, filepath.Join(dir, "README.md"), "projet modifié\n")
	git(t, dir, "add", "README.md")
	mustCommit(t, s, "suivant", Change{Path: "beneficiaires/x/fiche.md", Content: []byte("fiche 2\n")})
	if got := git(t, dir, "status", "--porcelain"); got != "M  README.md\n" {
		t.Fatalf("status = %q", got)
	}
	if got := git(t, dir, "show", "--format=", "--name-only", "HEAD"); got != "examples/caseload/beneficiaires/x/fiche.md\n" {
		t.Fatalf("commit touched %q", got)
	}
}

func TestCommitPackedRefs(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "a")
	git(t, dir, "tag", "v1")
	git(t, dir, "pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(dir, ".git/refs/heads/main")); !os.IsNotExist(err) {
		t.Fatalf("pack-refs left a loose ref")
	}
	git(t, dir, "gc", "-q") // objects packed too: reading goes through the pack
	s := openLocked(t, dir)
	id := mustCommit(t, s, "b", Change{Path: "b.md", Content: []byte("b\n")})
	checkClean(t, dir)
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "main")); got != id.String() {
		t.Fatalf("main = %s, want %s", got, id)
	}
	if got := git(t, dir, "log", "--format=%s"); got != "b\na\n" {
		t.Fatalf("log = %q", got)
	}
	if got := git(t, dir, "reflog", "show", "main", "--format=%gs"); !strings.HasPrefix(got, "commit: b\n") {
		t.Fatalf("reflog = %q", got)
	}
}

// TestCommitKeepsCacheTreeConsistent: an index written by git add has a cache-tree (TREE
// extension); after acc's commit, git write-tree (which trusts valid cache-tree nodes)
// must give HEAD's tree, and a following git commit must work.
func TestCommitKeepsCacheTreeConsistent(t *testing.T) {
	dir := newRepo(t)
	for i := 0; i < 120; i++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("beneficiaires/b%02d/doc-%d.md", i/10, i%10)), fmt.Sprintf("doc %d\n", i))
	}
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: X\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "write-tree") // make sure the cache-tree is fully valid
	if !hasExtension(t, filepath.Join(dir, ".git/index"), "TREE") {
		t.Fatal("setup: index has no TREE extension")
	}
	before := lsFilesDebug(t, dir)
	if valid := cacheTreeValidity(t, filepath.Join(dir, ".git/index")); !valid[""] || !valid["beneficiaires/b03"] {
		t.Fatalf("setup: cache-tree not valid: %v", valid)
	}
	s := openLocked(t, dir)
	mustCommit(t, s, "acc",
		Change{Path: "beneficiaires/b03/doc-4.md", Content: []byte("changé\n")},
		Change{Path: "beneficiaires/b05/doc-1.md", Delete: true},
		Change{Path: "beneficiaires/b06/doc-0.md", Delete: true},
		Change{Path: "beneficiaires/b20/nouveau.md", Content: []byte("nouveau\n")},
		Change{Path: "zzz.md", Content: []byte("z\n")},
	)
	// Only the nodes on the changed paths were invalidated.
	valid := cacheTreeValidity(t, filepath.Join(dir, ".git/index"))
	for path, want := range map[string]bool{"": false, "beneficiaires": false, "beneficiaires/b03": false,
		"beneficiaires/b05": false, "beneficiaires/b00": true, "beneficiaires/b11": true} {
		if got, ok := valid[path]; !ok || got != want {
			t.Errorf("cache-tree node %q: valid=%v (present %v), want %v", path, got, ok, want)
		}
	}
	checkClean(t, dir)
	if got, want := git(t, dir, "write-tree"), git(t, dir, "rev-parse", "HEAD^{tree}"); got != want {
		t.Fatalf("git write-tree = %s, HEAD^{tree} = %s: stale cache-tree", got, want)
	}
	// Entries acc did not touch are byte-identical (stat data included).
	after := lsFilesDebug(t, dir)
	for path, entry := range before {
		if strings.HasPrefix(path, "beneficiaires/b03/doc-4.md") || path == "beneficiaires/b05/doc-1.md" || path == "beneficiaires/b06/doc-0.md" {
			continue
		}
		if after[path] != entry {
			t.Errorf("entry %s changed:\n%s\n%s", path, entry, after[path])
		}
	}
	if _, ok := after["beneficiaires/b05/doc-1.md"]; ok {
		t.Error("deleted entry still in the index")
	}
	// Git goes on from there.
	writeFile(t, filepath.Join(dir, "beneficiaires/b01/doc-1.md"), "par git\n")
	git(t, dir, "commit", "-q", "-am", "git")
	checkClean(t, dir)
	mustCommit(t, s, "acc 2", Change{Path: "beneficiaires/b01/doc-2.md", Content: []byte("acc\n")})
	checkClean(t, dir)
	if got, want := git(t, dir, "write-tree"), git(t, dir, "rev-parse", "HEAD^{tree}"); got != want {
		t.Fatalf("git write-tree = %s, HEAD^{tree} = %s", got, want)
	}
}

// TestIndexStatDataIsGits compares the entry acc writes with the file's lstat, through
// git ls-files --debug, and checks that git diff-files (which trusts stat data and does
// not refresh) sees nothing to look at.
func TestIndexStatDataIsGits(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/x/fiche.md", Content: []byte("fiche\n")})
	out := git(t, dir, "ls-files", "-s", "--debug", "beneficiaires/x/fiche.md")
	fi, err := os.Lstat(filepath.Join(dir, "beneficiaires/x/fiche.md"))
	if err != nil {
		t.Fatal(err)
	}
	st := fileStat(fi)
	want := fmt.Sprintf("100644 %s 0\tbeneficiaires/x/fiche.md\n  ctime: %d:%d\n  mtime: %d:%d\n  dev: %d\tino: %d\n  uid: %d\tgid: %d\n  size: %d\tflags: 0\n",
		hashObject(objBlob, []byte("fiche\n")), st.ctimeSec, st.ctimeNsec, st.mtimeSec, st.mtimeNsec, st.dev, st.ino, st.uid, st.gid, st.size)
	if out != want {
		t.Fatalf("git ls-files --debug:\n%s\nwant:\n%s", out, want)
	}
	if out, err := gitErr(dir, "diff-files", "--name-only"); err != nil || out != "" {
		t.Fatalf("git diff-files sees stale stat data: %v %q", err, out)
	}
}

func TestCommitIndexVersions(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			dir := newRepo(t)
			for _, p := range []string{"a/b/c.md", "a/b/d.md", "a/bb.md", "a/b-c/e.md", "a/b.md", "a/ba/f.md", "z.md"} {
				writeFile(t, filepath.Join(dir, p), p+"\n")
			}
			git(t, dir, "add", ".")
			git(t, dir, "commit", "-q", "-m", "base")
			if version == "3" {
				// An intent-to-add entry needs extended flags, hence version 3.
				writeFile(t, filepath.Join(dir, "a/b/intent.md"), "intent\n")
				git(t, dir, "add", "-N", "a/b/intent.md")
			}
			git(t, dir, "update-index", "--index-version", version)
			s := openLocked(t, dir)
			mustCommit(t, s, "acc",
				Change{Path: "a/b/ca.md", Content: []byte("new\n")},     // between c.md and d.md
				Change{Path: "a/b-c/e.md", Content: []byte("mod\n")},    // modified
				Change{Path: "a/b.md", Delete: true},                    // deleted
				Change{Path: "a/b/0.md", Content: []byte("first\n")},    // first of its folder
				Change{Path: "zzzz/last.md", Content: []byte("last\n")}, // after everything
			)
			status := checkRepo(t, dir)
			wantStatus := ""
			if version == "3" {
				wantStatus = " A a/b/intent.md\n"
			}
			if status != wantStatus {
				t.Fatalf("status = %q, want %q", status, wantStatus)
			}
			if got := indexVersion(t, filepath.Join(dir, ".git/index")); fmt.Sprint(got) != version {
				t.Fatalf("index version %d after commit, want %s", got, version)
			}
			if got := git(t, dir, "ls-files"); !strings.Contains(got, "a/b/0.md\na/b/c.md\na/b/ca.md\na/b/d.md\n") || strings.Contains(got, "a/b.md\n") {
				t.Fatalf("ls-files = %q", got)
			}
			if out, err := gitErr(dir, "diff-files", "--name-only"); err != nil || (out != "" && version != "3") {
				t.Fatalf("git diff-files: %v %q", err, out)
			}
		})
	}
}

func TestCommitReplacesConflictStages(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "a\n")
	writeFile(t, filepath.Join(dir, "b.md"), "b\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	blob := strings.TrimSpace(git(t, dir, "hash-object", "-w", "a.md"))
	// Stages 1, 2, 3 for b.md, as a conflicted merge leaves them.
	cmdIn(t, dir, fmt.Sprintf("0 %s\tb.md\n100644 %s 1\tb.md\n100644 %s 2\tb.md\n100644 %s 3\tb.md\n",
		strings.Repeat("0", 40), blob, blob, blob), "update-index", "--index-info")
	if got := git(t, dir, "ls-files", "-s", "b.md"); strings.Count(got, "\n") != 3 {
		t.Fatalf("setup: %q", got)
	}
	s := openLocked(t, dir)
	mustCommit(t, s, "résolu", Change{Path: "b.md", Content: []byte("résolu\n")})
	if got := git(t, dir, "ls-files", "-s", "b.md"); got != "100644 "+hashObject(objBlob, []byte("résolu\n")).String()+" 0\tb.md\n" {
		t.Fatalf("ls-files = %q", got)
	}
	checkClean(t, dir)
}

func TestCommitRefusesSplitIndex(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "update-index", "--split-index")
	s := openLocked(t, dir)
	_, err := s.Commit(context.Background(), []Change{{Path: "b.md", Content: []byte("b\n")}}, "b", testSig, testSig)
	if !errors.Is(err, ErrIndexUnsupported) || !strings.Contains(err.Error(), "--no-split-index") {
		t.Fatalf("err = %v, want ErrIndexUnsupported with a hint", err)
	}
	if got := git(t, dir, "log", "--format=%s"); got != "base\n" {
		t.Fatalf("a commit was made: %q", got)
	}
	checkRepo(t, dir)
}

func TestCommitExclusive(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "b/x/2026-01-01-suivi.md", Content: []byte("premier\n"), Exclusive: true})
	_, err := s.Commit(context.Background(), []Change{
		{Path: "b/x/autre.md", Content: []byte("autre\n"), Exclusive: true},
		{Path: "b/x/2026-01-01-suivi.md", Content: []byte("second\n"), Exclusive: true},
	}, "deux", testSig, testSig)
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Path != "b/x/2026-01-01-suivi.md" || !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want *ExistsError for the existing file", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "b/x/2026-01-01-suivi.md")); string(got) != "premier\n" {
		t.Fatalf("existing document overwritten: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "b/x/autre.md")); !os.IsNotExist(err) {
		t.Fatalf("the other exclusive file of the failed commit was left: %v", err)
	}
	if got := git(t, dir, "log", "--format=%s"); got != "un\n" {
		t.Fatalf("log = %q", got)
	}
	checkClean(t, dir)
	// An untracked file of that name also blocks an exclusive creation.
	writeFile(t, filepath.Join(dir, "b/x/manuel.md"), "à la main\n")
	_, err = s.Commit(context.Background(), []Change{{Path: "b/x/manuel.md", Content: []byte("acc\n"), Exclusive: true}}, "trois", testSig, testSig)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v", err)
	}
}

func TestCommitFromDisk(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "b/x/doc.md", Content: []byte("v1\n")})
	writeFile(t, filepath.Join(dir, "b/x/doc.md"), "édité à la main\n")
	if err := os.Chmod(filepath.Join(dir, "b/x/doc.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "b/x/nouveau.md"), "nouveau\n")
	mustCommit(t, s, "deux", Change{Path: "b/x/doc.md", FromDisk: true}, Change{Path: "b/x/nouveau.md", FromDisk: true})
	checkClean(t, dir)
	// The executable bit is neither recorded (a colleague's copy would refuse
	// it) nor left on the file (Git and acc agree: checkClean above).
	if got := git(t, dir, "ls-tree", "HEAD", "b/x/doc.md"); !strings.HasPrefix(got, "100644 blob "+hashObject(objBlob, []byte("édité à la main\n")).String()) {
		t.Fatalf("ls-tree = %q", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "b/x/doc.md")); err != nil || fi.Mode().Perm()&0o111 != 0 {
		t.Fatalf("doc.md still executable: %v, %v", fi.Mode(), err)
	}
	// A symlink is never recorded.
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "b/x/lien.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(context.Background(), []Change{{Path: "b/x/lien.md", FromDisk: true}}, "lien", testSig, testSig); err == nil {
		t.Fatal("a symlink was committed")
	}
}

func TestCommitRefusals(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "b/x/doc.md", Content: []byte("v1\n")})
	ctx := context.Background()
	for _, p := range []string{"", "/abs", "a/../b", "./a", "a//b", ".git/config", "a/.GIT/x", "a\\b", "a/"} {
		if _, err := s.Commit(ctx, []Change{{Path: p, Content: []byte("x")}}, "x", testSig, testSig); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	if _, err := s.Commit(ctx, []Change{{Path: "b/x/doc.md", Content: []byte("v1\n")}}, "same", testSig, testSig); !errors.Is(err, ErrNoChanges) {
		t.Errorf("unchanged content: err = %v, want ErrNoChanges", err)
	}
	if _, err := s.Commit(ctx, []Change{{Path: "b/x", Content: []byte("x")}}, "df", testSig, testSig); err == nil {
		t.Error("a file replacing a folder was accepted")
	}
	// Writing through a symlinked folder is refused.
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "b/dehors")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, []Change{{Path: "b/dehors/fuite.md", Content: []byte("x")}}, "fuite", testSig, testSig); err == nil {
		t.Error("wrote through a symlink")
	}
	// Detached HEAD.
	git(t, dir, "checkout", "-q", "--detach")
	if _, err := s.Commit(ctx, []Change{{Path: "b/x/doc2.md", Content: []byte("x")}}, "détaché", testSig, testSig); !errors.Is(err, ErrDetachedHead) {
		t.Errorf("detached HEAD: err = %v", err)
	}
	git(t, dir, "checkout", "-q", "main")
	// Without the lock.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Commit(ctx, []Change{{Path: "c.md", Content: []byte("x")}}, "x", testSig, testSig); !errors.Is(err, ErrNotLocked) {
		t.Errorf("without lock: err = %v", err)
	}
	git(t, dir, "stash", "-q", "--include-untracked")
	checkRepo(t, dir)
}

func TestCommitWaitsForGitIndexLock(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	s.GitLockWait = 50 * 1e6
	mustCommit(t, s, "un", Change{Path: "a.md", Content: []byte("a\n")})
	lock := filepath.Join(dir, ".git/index.lock")
	writeFile(t, lock, "")
	_, err := s.Commit(context.Background(), []Change{{Path: "b.md", Content: []byte("b\n")}}, "deux", testSig, testSig)
	var gle *GitLockError
	if !errors.As(err, &gle) || gle.Path != filepath.Join(s.GitDir, "index.lock") || !strings.Contains(err.Error(), "index.lock") {
		t.Fatalf("err = %v, want *GitLockError on index.lock", err)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Fatal("someone else's index.lock was removed")
	}
	os.Remove(lock)
	if got := git(t, dir, "log", "--format=%s"); got != "un\n" {
		t.Fatalf("log = %q", got)
	}
	// Nothing of ours left in .git.
	entries, _ := os.ReadDir(s.GitDir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".lock") || strings.Contains(e.Name(), ".acc-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestCommitInLinkedWorktree(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	wt := filepath.Join(t.TempDir(), "wt")
	git(t, dir, "worktree", "add", "-q", "-b", "autre", wt)
	s := openLocked(t, wt)
	if s.GitDir == s.CommonDir {
		t.Fatalf("worktree not detected: %s", s.GitDir)
	}
	mustCommit(t, s, "dans le worktree", Change{Path: "b/fiche.md", Content: []byte("b\n")})
	checkClean(t, wt)
	checkClean(t, dir)
	if got := git(t, dir, "log", "--format=%s", "autre"); got != "dans le worktree\nbase\n" {
		t.Fatalf("log autre = %q", got)
	}
	if got := git(t, dir, "log", "--format=%s", "main"); got != "base\n" {
		t.Fatalf("main moved: %q", got)
	}
	if got := git(t, wt, "reflog", "--format=%gs", "-1"); got != "commit: dans le worktree\n" {
		t.Fatalf("worktree HEAD reflog = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "acc", "lock")); err != nil {
		t.Fatalf("acc's lock is not in the common dir: %v", err)
	}
}

func TestOpenAndInit(t *testing.T) {
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotRepository) {
		t.Fatalf("Open outside a repository: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "depot")
	s, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Created || s.Prefix != "" {
		t.Fatalf("Created=%v Prefix=%q", s.Created, s.Prefix)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("case root mode %v", fi.Mode().Perm())
	}
	if got := strings.TrimSpace(git(t, dir, "symbolic-ref", "HEAD")); got != "refs/heads/main" {
		t.Fatalf("HEAD = %s", got)
	}
	unlock, err := s.Lock(context.Background(), time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, "init", Change{Path: "acc.yaml", Content: []byte("organisation: X\n")})
	unlock()
	checkClean(t, dir)
	if got := git(t, dir, "config", "core.logallrefupdates"); got != "true\n" {
		t.Fatalf("core.logallrefupdates = %q", got)
	}
	// Inside an existing work tree, Init opens it with a prefix.
	sub := filepath.Join(dir, "examples")
	s2, err := Init(sub)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Created || s2.Prefix != "examples" {
		t.Fatalf("Created=%v Prefix=%q", s2.Created, s2.Prefix)
	}
	// init.defaultBranch from the global config.
	writeFile(t, os.Getenv("GIT_CONFIG_GLOBAL"), "[init]\n\tdefaultBranch = principale\n")
	defer os.Remove(os.Getenv("GIT_CONFIG_GLOBAL"))
	dir3 := filepath.Join(t.TempDir(), "d3")
	if _, err := Init(dir3); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(git(t, dir3, "symbolic-ref", "HEAD")); got != "refs/heads/principale" {
		t.Fatalf("HEAD = %s", got)
	}
}

// cmdIn runs git with stdin.
func cmdIn(t *testing.T, dir, stdin string, args ...string) {
	t.Helper()
	cmd := gitCmd(dir, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func indexVersion(t *testing.T, path string) uint32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return binary.BigEndian.Uint32(data[4:8])
}

func hasExtension(t *testing.T, path, sig string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := parseIndex(path, data)
	if err != nil {
		t.Fatal(err)
	}
	body := data[ix.entriesEnd : len(data)-20]
	for len(body) >= 8 {
		if string(body[:4]) == sig {
			return true
		}
		body = body[8+binary.BigEndian.Uint32(body[4:8]):]
	}
	return false
}

// lsFilesDebug maps each path to its git ls-files -s --debug block.
func lsFilesDebug(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := git(t, dir, "ls-files", "-s", "--debug")
	m := map[string]string{}
	var cur string
	for _, line := range strings.SplitAfter(out, "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, " ") {
			_, cur, _ = strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		}
		m[cur] += line
	}
	return m
}

// cacheTreeValidity reads the TREE extension: folder path -> valid (entry count >= 0).
func cacheTreeValidity(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := parseIndex(path, data)
	if err != nil {
		t.Fatal(err)
	}
	body := data[ix.entriesEnd : len(data)-20]
	for len(body) >= 8 && string(body[:4]) != "TREE" {
		body = body[8+binary.BigEndian.Uint32(body[4:8]):]
	}
	if len(body) < 8 {
		t.Fatal("no TREE extension")
	}
	body = body[8 : 8+binary.BigEndian.Uint32(body[4:8])]
	out := map[string]bool{}
	var node func(parent string)
	node = func(parent string) {
		nul := strings.IndexByte(string(body), 0)
		name := string(body[:nul])
		p := name
		if parent != "" {
			p = parent + "/" + name
		}
		lf := strings.IndexByte(string(body), '\n')
		var count, subs int
		fmt.Sscanf(string(body[nul+1:lf]), "%d %d", &count, &subs)
		body = body[lf+1:]
		if count >= 0 {
			body = body[20:]
		}
		out[p] = count >= 0
		for i := 0; i < subs; i++ {
			node(p)
		}
	}
	node("")
	return out
}

// TestMappedIndexTruncatedIsAnError: a program that truncates the index in place while
// acc reads its mapping (go-git does) causes an error, not a crash.
func TestMappedIndexTruncatedIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(path, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	data, release, err := mapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	err = guardFaults(path, func() error {
		var sum int
		for _, b := range data {
			sum += int(b)
		}
		if sum != 0 {
			return fmt.Errorf("sum %d", sum)
		}
		return nil
	})
	var ce *IndexCorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *IndexCorruptError", err)
	}
}

// TestIndexNeverBehindBranch: at every step of a commit, when HEAD (as git reads it)
// holds the new file, the index (as git reads it) holds it too. git commit reads HEAD,
// then the index, and commits that index on top of that HEAD: an index renamed after
// the branch would let a git commit running meanwhile drop the file from HEAD.
func TestIndexNeverBehindBranch(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "beneficiaires/a/fiche.md"), "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	s := openLocked(t, dir)
	const p = "beneficiaires/b/fiche.md"
	var steps []string
	s.crashHook = func(step string) {
		steps = append(steps, step)
		inHead := strings.Contains(git(t, dir, "ls-tree", "-r", "--name-only", "HEAD"), p)
		inIndex := strings.Contains(git(t, dir, "ls-files", "--cached"), p)
		if inHead && !inIndex {
			t.Errorf("étape %s : HEAD contient %s, l'index non", step, p)
		}
	}
	mustCommit(t, s, "b", Change{Path: p, Content: []byte("b\n")})
	if !slices.Contains(steps, "ref") {
		t.Fatalf("steps seen: %v", steps)
	}
}

// Progress is told of the files a commit writes, from none to all.
func TestCommitProgress(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	var calls [][2]int
	s.Progress = func(p Phase, done, total int) {
		if p != PhaseWrite {
			t.Errorf("phase %d during a commit", p)
		}
		calls = append(calls, [2]int{done, total})
	}
	mustCommit(t, s, "init : dépôt\n\nAcc-Action: init\n",
		Change{Path: "acc.yaml", Content: []byte("organisation: Exemple\n")},
		Change{Path: "beneficiaires/.gitkeep", Content: nil},
	)
	want := [][2]int{{0, 2}, {1, 2}, {2, 2}}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] || calls[2] != want[2] {
		t.Fatalf("progress %v, want %v", calls, want)
	}
	checkClean(t, dir)
}
