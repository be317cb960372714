//go:build unix

package gitstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// historyRepo: a case-file folder under examples/ with four commits, at known dates.
func historyRepo(t *testing.T) (*Store, string, []Hash) {
	t.Helper()
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "README.md"), "projet\n")
	writeFile(t, filepath.Join(dir, "examples/acc.yaml"), "organisation: X\n")
	git(t, dir, "add", "README.md")
	git(t, dir, "commit", "-q", "-m", "projet", "--date=2026-09-01T12:00:00+02:00")
	s := openLocked(t, filepath.Join(dir, "examples"))
	day := func(d int, h int) Signature {
		sig := testSig
		sig.When = time.Date(2026, 10, d, h, 0, 0, 0, time.Local)
		return sig
	}
	var ids []Hash
	commit := func(d, h int, msg string, changes ...Change) {
		id, err := s.Commit(context.Background(), changes, msg, day(d, h), day(d, h))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	commit(1, 9, "fiche : jean-dupont\n\nAcc-Action: new\nAcc-Beneficiaire: jean-dupont\nAcc-Type: fiche\n",
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte("v1\n")})
	commit(2, 23, "fiche : marie-curie\n\nAcc-Action: new\nAcc-Beneficiaire: marie-curie\n",
		Change{Path: "beneficiaires/marie-curie/fiche.md", Content: []byte("m1\n")})
	commit(3, 0, "entretien-suivi : jean-dupont (2026-10-03)\n\nCorps du message\nsur deux lignes.\n\nAcc-Action: edit\nAcc-Beneficiaire: jean-dupont\nAcc-Type: entretien-suivi\nAcc-Type: fiche\n",
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte("v2\n")},
		Change{Path: "beneficiaires/jean-dupont/2026-10-03-entretien-suivi.md", Content: []byte("s1\n")})
	// A commit outside the case-file folder, by git.
	writeFile(t, filepath.Join(dir, "README.md"), "projet 2\n")
	git(t, dir, "commit", "-q", "-am", "readme")
	commit(5, 12, "purge\n\nAcc-Action: purge\n", Change{Path: "beneficiaires/jean-dupont/fiche.md", Delete: true},
		Change{Path: "beneficiaires/jean-dupont/2026-10-03-entretien-suivi.md", Delete: true})
	return s, dir, ids
}

func TestLog(t *testing.T) {
	s, _, ids := historyRepo(t)
	log, err := s.Log("beneficiaires/jean-dupont", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []Hash
	for _, c := range log {
		got = append(got, c.Hash)
	}
	if want := []Hash{ids[3], ids[2], ids[0]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Log(folder) = %v, want %v", got, want)
	}
	c := log[1]
	if c.Subject != "entretien-suivi : jean-dupont (2026-10-03)" || !strings.HasPrefix(c.Body, "Corps du message\nsur deux lignes.") {
		t.Fatalf("subject/body: %q / %q", c.Subject, c.Body)
	}
	if want := map[string][]string{"Acc-Action": {"edit"}, "Acc-Beneficiaire": {"jean-dupont"}, "Acc-Type": {"entretien-suivi", "fiche"}}; !reflect.DeepEqual(c.Trailers, want) {
		t.Fatalf("trailers = %v", c.Trailers)
	}
	if c.Author.Name != "Marie Martin" || c.Author.Email != "marie@example.org" || !c.Committer.When.Equal(time.Date(2026, 10, 3, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("signatures %+v %+v", c.Author, c.Committer)
	}
	// A file; max; the whole case-file folder (git's own commit outside it is not there).
	if log, _ := s.Log("beneficiaires/jean-dupont/fiche.md", 2); len(log) != 2 || log[0].Hash != ids[3] || log[1].Hash != ids[2] {
		t.Fatalf("Log(file, 2) = %v", log)
	}
	all, err := s.Log("", 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("Log(\"\") = %d commits, %v", len(all), err)
	}
	// The judge: git log on the same path.
	want := git(t, s.Root, "log", "--format=%H", "--", "examples/beneficiaires/jean-dupont")
	var b strings.Builder
	for _, c := range log {
		b.WriteString(c.Hash.String() + "\n")
	}
	if b.String() != want {
		t.Fatalf("Log disagrees with git log:\n%s\n%s", b.String(), want)
	}
	if log, err := s.Log("beneficiaires/personne", 0); err != nil || len(log) != 0 {
		t.Fatalf("unknown path: %v %v", log, err)
	}
}

func TestReadAt(t *testing.T) {
	s, _, ids := historyRepo(t)
	for rev, want := range map[string]string{ids[0].String(): "v1\n", ids[2].String()[:10]: "v2\n", "HEAD~2": "v2\n", "main~4": "v1\n"} {
		got, err := s.ReadAt("beneficiaires/jean-dupont/fiche.md", rev)
		if err != nil || string(got) != want {
			t.Errorf("ReadAt(%s) = %q, %v; want %q", rev, got, err, want)
		}
	}
	_, err := s.ReadAt("beneficiaires/jean-dupont/fiche.md", "HEAD")
	var re *RevisionError
	if !errors.Is(err, ErrNotInRevision) || !errors.As(err, &re) || re.Path != "beneficiaires/jean-dupont/fiche.md" {
		t.Fatalf("deleted file: %v", err)
	}
	if _, err := s.ReadAt("beneficiaires/jean-dupont/fiche.md", "n-existe-pas"); !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("unknown revision: %v", err)
	}
	if _, err := s.ReadAt("beneficiaires/marie-curie", "HEAD"); !errors.Is(err, ErrNotInRevision) {
		t.Fatalf("folder: %v", err)
	}
}

func TestCommitAt(t *testing.T) {
	s, dir, ids := historyRepo(t)
	at := func(d int) Hash {
		h, err := s.CommitAt(time.Date(2026, 10, d, 12, 0, 0, 0, time.Local))
		if err != nil {
			t.Fatalf("CommitAt(%d): %v", d, err)
		}
		return h
	}
	readme := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD~1"))
	if at(1) != ids[0] || at(2) != ids[1] || at(3) != ids[2] || at(30) != ids[3] {
		t.Fatalf("CommitAt: %v %v %v %v, commits %v", at(1), at(2), at(3), at(30), ids)
	}
	// The git commit was made today (real clock), after the 5th: on the 4th, the 3rd's.
	if at(4) != ids[2] {
		t.Fatalf("CommitAt(4) = %v (readme %s)", at(4), readme)
	}
	if _, err := s.CommitAt(time.Date(2026, 8, 1, 0, 0, 0, 0, time.Local)); !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("before history: %v", err)
	}
}

func TestHeadBlobAndIndexEntries(t *testing.T) {
	s, dir, _ := historyRepo(t)
	h, ok, err := s.HeadBlob("beneficiaires/marie-curie/fiche.md")
	if err != nil || !ok || h != hashObject(objBlob, []byte("m1\n")) {
		t.Fatalf("HeadBlob = %v %v %v", h, ok, err)
	}
	if _, ok, _ := s.HeadBlob("beneficiaires/jean-dupont/fiche.md"); ok {
		t.Fatal("deleted file found in HEAD")
	}
	e, ok, err := s.IndexEntry("beneficiaires/marie-curie/fiche.md")
	if err != nil || !ok || e.Hash != h || e.Mode != 0o100644 || e.Size != 3 {
		t.Fatalf("IndexEntry = %+v %v %v", e, ok, err)
	}
	fi, _ := os.Lstat(filepath.Join(dir, "examples/beneficiaires/marie-curie/fiche.md"))
	if !e.Matches(fi) {
		t.Fatal("Matches: fresh entry does not match its file")
	}
	time.Sleep(10 * time.Millisecond)
	writeFile(t, filepath.Join(dir, "examples/beneficiaires/marie-curie/fiche.md"), "m2\n")
	fi, _ = os.Lstat(filepath.Join(dir, "examples/beneficiaires/marie-curie/fiche.md"))
	if e.Matches(fi) {
		t.Fatal("Matches: a rewritten file still matches")
	}
	all, err := s.IndexEntries("")
	if err != nil || len(all) != 1 || all[0].Path != "beneficiaires/marie-curie/fiche.md" {
		t.Fatalf("IndexEntries = %+v %v", all, err)
	}
	head, branch, err := s.Head()
	if err != nil || branch != "main" || head.String() != strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")) {
		t.Fatalf("Head = %v %q %v", head, branch, err)
	}
}

func TestChangedSince(t *testing.T) {
	s, dir, ids := historyRepo(t)
	for _, rev := range []string{ids[0].String(), ids[1].String(), "HEAD~1", ids[2].String(), "HEAD"} {
		got, err := s.ChangedSince(rev)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		want := git(t, dir, "diff", "--name-only", "--relative=examples", rev, "HEAD", "--", "examples")
		if strings.Join(got, "\n")+"\n" != want && !(len(got) == 0 && want == "") {
			t.Errorf("ChangedSince(%s) = %q, git diff says %q", rev, got, want)
		}
	}
	if _, err := s.ChangedSince("inconnue"); !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("unknown revision: %v", err)
	}
}

func TestListAtRootCommitWorkChanges(t *testing.T) {
	s, dir, ids := historyRepo(t)
	list, err := s.ListAt("beneficiaires", ids[2].String())
	if err != nil || !reflect.DeepEqual(list, []TreeEntry{{Name: "jean-dupont", Dir: true}, {Name: "marie-curie", Dir: true}}) {
		t.Fatalf("ListAt = %+v, %v", list, err)
	}
	if _, err := s.ListAt("beneficiaires/jean-dupont", "HEAD"); !errors.Is(err, ErrNotInRevision) {
		t.Fatalf("ListAt of a purged folder: %v", err)
	}
	root, err := s.RootCommit()
	if err != nil || root.String() != strings.TrimSpace(git(t, dir, "rev-list", "--max-parents=0", "HEAD")) {
		t.Fatalf("RootCommit = %v, %v", root, err)
	}
	// Work changes, judged by git status.
	mustCommit(t, s, "plus", Change{Path: "beneficiaires/marie-curie/a.md", Content: []byte("a\n")},
		Change{Path: "beneficiaires/marie-curie/b.md", Content: []byte("b\n")})
	base := filepath.Join(dir, "examples/beneficiaires/marie-curie")
	writeFile(t, filepath.Join(base, "a.md"), "a modifié\n")
	os.Remove(filepath.Join(base, "b.md"))
	writeFile(t, filepath.Join(base, "nouveau.md"), "n\n")
	// Same content rewritten: stat data changes, content does not.
	writeFile(t, filepath.Join(base, "fiche.md"), "m1\n")
	changed, deleted, untracked, err := s.WorkChanges("beneficiaires", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(changed, []string{"beneficiaires/marie-curie/a.md"}) ||
		!reflect.DeepEqual(deleted, []string{"beneficiaires/marie-curie/b.md"}) ||
		!reflect.DeepEqual(untracked, []string{"beneficiaires/marie-curie/nouveau.md"}) {
		t.Fatalf("WorkChanges = %v %v %v\ngit status:\n%s", changed, deleted, untracked, git(t, dir, "status", "--porcelain"))
	}
}

// TestExtensionsGoGitRefuses: go-git's git.Open refuses a repository with
// extensions.worktreeConfig (git sparse-checkout sets it); reading history must work
// all the same.
func TestExtensionsGoGitRefuses(t *testing.T) {
	dir := newRepo(t)
	git(t, dir, "config", "core.repositoryformatversion", "1")
	git(t, dir, "config", "extensions.worktreeConfig", "true")
	git(t, dir, "config", "--worktree", "user.name", "Par Worktree")
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/x/a.md", Content: []byte("a\n")})
	mustCommit(t, s, "deux", Change{Path: "beneficiaires/x/a.md", Content: []byte("b\n")})
	if got, err := s.ReadAt("beneficiaires/x/a.md", "HEAD~1"); err != nil || string(got) != "a\n" {
		t.Fatalf("ReadAt = %q %v", got, err)
	}
	checkClean(t, dir)
	s.Getenv = envOf(map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"})
	if a, _, ok, err := s.Identity(); err != nil || !ok || a.Name != "Par Worktree" {
		t.Fatalf("config.worktree not read: %+v %v %v", a, ok, err)
	}
}
