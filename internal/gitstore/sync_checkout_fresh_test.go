//go:build unix

package gitstore

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestCloneKilledWhileWriting: a clone killed while it wrote its files straight into
// the new folder (one file cut short, one not written yet) is finished by the next acc
// sync: the short file is rewritten, the missing one written, and the result is the
// remote's branch, clean for git.
func TestCloneKilledWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("kill tests")
	}
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	files := map[string]string{}
	for i := range 5 {
		files[fmt.Sprintf("beneficiaires/b%02d/fiche.md", i)] = fmt.Sprintf("fiche numéro %d\n", i)
	}
	marie.commit("marie 1", files)
	marie.sync()
	dir := filepath.Join(t.TempDir(), "paul")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCloneHelperProcess$")
	cmd.Env = append(os.Environ(), "ACC_CLONE_HELPER="+dir, "ACC_CLONE_URL="+url, "ACC_SYNC_CRASH=sync-files")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die: %v\n%s", err, out)
	}
	journal, err := os.ReadFile(filepath.Join(dir, ".git", "acc", "sync", "journal"))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(journal)), " fresh") {
		t.Fatalf("journal of the clone's checkout: %q, %v", journal, err)
	}
	short := filepath.Join(dir, "beneficiaires", "b01", "fiche.md")
	if err := os.WriteFile(short, []byte("fiche nu"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "beneficiaires", "b02", "fiche.md")); err != nil {
		t.Fatal(err)
	}
	paul := &trainer{t: t, name: "Paul Durand", dir: dir, sig: Signature{Name: "Paul Durand", Email: "paul@exemple.org"}}
	paul.sync() // finishes the clone
	for p, want := range files {
		if got := paul.read(p); got != want {
			t.Fatalf("%s = %q, want %q", p, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "acc", "sync", "journal")); !os.IsNotExist(err) {
		t.Fatalf("journal still there: %v", err)
	}
	checkClean(t, dir)
	if paul.head() != marie.head() {
		t.Fatal("the finished clone is not at the remote's head")
	}
}

// TestReadJournalFresh: the journal keeps the mark of a clone's first checkout (which
// lets its roll-forward rewrite the files it finds), and a journal with another mark is
// not read.
func TestReadJournalFresh(t *testing.T) {
	s := &Store{CommonDir: t.TempDir()}
	h1, h2 := Hash{1}, Hash{2}
	for _, j := range []syncJournal{{branch: "refs/heads/main", old: h1, new: h2}, {branch: "refs/heads/main", new: h2, fresh: true}} {
		if err := s.writeJournal(j); err != nil {
			t.Fatal(err)
		}
		got, err := s.readJournal()
		if err != nil || got == nil || *got != j {
			t.Fatalf("journal %+v read back as %+v, %v", j, got, err)
		}
	}
	if err := os.WriteFile(s.journalPath(), []byte("checkout refs/heads/main "+h1.String()+" "+h2.String()+" autre\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.readJournal(); err != nil || got != nil {
		t.Fatalf("unknown journal read as %+v, %v", got, err)
	}
}

// TestNewDirs: the checkout's workers make the folders they need concurrently, each
// once; a link or a file in place of a folder is refused, and the parents of the
// folders made are noted for fsync.
func TestNewDirs(t *testing.T) {
	root := t.TempDir()
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(root, "lien")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "fichier"), "x\n")
	nd := &newDirs{made: map[string]bool{root: true}, changed: map[string]bool{}}
	var wg sync.WaitGroup
	errs := make(chan error, 8*50)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				errs <- nd.ensure(filepath.Join(root, "beneficiaires", fmt.Sprintf("b%d", i%10), "sous"))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if fi, err := os.Lstat(filepath.Join(root, "beneficiaires", fmt.Sprintf("b%d", i), "sous")); err != nil || !fi.IsDir() {
			t.Fatalf("b%d/sous: %v", i, err)
		}
	}
	if !nd.changed[root] || !nd.changed[filepath.Join(root, "beneficiaires")] || len(nd.changed) != 12 {
		t.Fatalf("folders to fsync: %v", nd.changed)
	}
	if err := nd.ensure(filepath.Join(root, "lien", "x")); err == nil || !strings.Contains(err.Error(), "lien symbolique") {
		t.Fatalf("through a link: %v", err)
	}
	if err := nd.ensure(filepath.Join(root, "fichier", "x")); err == nil {
		t.Fatal("a file taken for a folder")
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Fatalf("written through the link: %v", entries)
	}
}
