//go:build unix

package gitstore

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func checkByID(t *testing.T, checks []Check, id string) Check {
	t.Helper()
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q", id)
	return Check{}
}

func chmodAll(t *testing.T, root string, file, dir fs.FileMode) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, dir)
		}
		return os.Chmod(p, file)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDoctorPermissions(t *testing.T) {
	// The folders above the test's repository are the test machinery's: taken as open,
	// as a home folder often is.
	defer func(f func(string) (bool, bool, string)) { ancestorsOpen = f }(ancestorsOpen)
	ancestorsOpen = func(string) (bool, bool, string) { return true, true, "" }

	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "fiche", Change{Path: "beneficiaires/lucie/fiche.md", Content: []byte("Lucie\n")})
	perm := func(shared bool) Check {
		return s.checkPermissions(DoctorOptions{Shared: shared})
	}
	chmodAll(t, dir, 0o600, 0o700)
	if c := perm(false); c.Status != CheckOK {
		t.Fatalf("all private: %+v", c)
	}
	// A Git repository made with git init under umask 022, in a folder others can enter.
	chmodAll(t, dir, 0o644, 0o755)
	c := perm(false)
	if c.Status != CheckProblem || !strings.Contains(c.Message, "1 fichier(s) de dossiers") ||
		!strings.Contains(c.Message, "historique Git") || c.Details[0] != "beneficiaires/lucie/fiche.md" ||
		!strings.Contains(c.Advice, "chmod -R go-rwx") {
		t.Fatalf("open to all: %+v", c)
	}
	// Only the root closed: everything inside is out of reach.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if c := perm(false); c.Status != CheckOK {
		t.Fatalf("root closed: %+v", c)
	}
	// Group-readable: a problem when private, fine when shared; others never.
	chmodAll(t, dir, 0o640, 0o750)
	if c := perm(false); c.Status != CheckProblem {
		t.Fatalf("group-readable, private: %+v", c)
	}
	if c := perm(true); c.Status != CheckOK || !strings.Contains(c.Message, "groupe") {
		t.Fatalf("group-readable, shared: %+v", c)
	}
	if err := os.Chmod(filepath.Join(dir, "beneficiaires/lucie/fiche.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o751); err != nil {
		t.Fatal(err)
	}
	chmodAll(t, filepath.Join(dir, "beneficiaires"), 0o644, 0o755)
	if c := perm(true); c.Status != CheckProblem || c.Details[0] != "beneficiaires/lucie/fiche.md" || !strings.Contains(c.Advice, "o-rwx") {
		t.Fatalf("world-readable, shared: %+v", c)
	}
	// Protected only by a folder above the repository: a warning naming it.
	ancestorsOpen = func(string) (bool, bool, string) { return false, false, "/home/marie" }
	if c := perm(true); c.Status != CheckWarning || !strings.Contains(c.Message, "/home/marie") {
		t.Fatalf("protected by a parent: %+v", c)
	}
	chmodAll(t, dir, 0o600, 0o700)
}

func TestDoctorTransportAndLocks(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "fiche", Change{Path: "beneficiaires/lucie/fiche.md", Content: []byte("Lucie\n")})
	for url, want := range map[string]CheckStatus{
		"https://forge.exemple.org/centre.git":                       CheckOK,
		"git@forge.exemple.org:centre.git":                           CheckOK,
		"ssh://forge.exemple.org/centre.git":                         CheckOK,
		"/srv/partage/centre.git":                                    CheckOK,
		"http://localhost:3000/centre.git":                           CheckOK,
		"http://forge.exemple.org/centre.git":                        CheckProblem,
		"git://forge.exemple.org/centre.git":                         CheckProblem,
		"https://marie:t0k3n-s3cr3t@forge.exemple.org/x.git":         CheckProblem,
		"https://forge.exemple.org/x.git?private_token=t0k3n-s3cr3t": CheckProblem,
		"fichier-inconnu://x":                                        CheckWarning,
	} {
		git(t, dir, "config", "remote.origin.url", url)
		s2, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		c := s2.checkTransport()
		if c.Status != want {
			t.Errorf("%s: %v %s %v", url, c.Status, c.Message, c.Details)
		}
		if d := strings.Join(c.Details, " "); strings.Contains(d, "s3cr3t") || strings.Contains(d, "marie") {
			t.Errorf("%s: the password is shown: %v", url, c.Details)
		}
	}
	// url.<base>.insteadOf is applied, as Git does.
	git(t, dir, "config", "remote.origin.url", "forge:centre.git")
	git(t, dir, "config", "url.http://forge.exemple.org/.insteadOf", "forge:")
	s3, _ := Open(dir)
	if c := s3.checkTransport(); c.Status != CheckProblem {
		t.Errorf("insteadOf: %+v", c)
	}

	// This Store holds acc's lock: the doctor sees a running acc, not an abandoned lock,
	// and does not wait for it.
	other, _ := Open(dir)
	if c := other.checkLocks(DoctorOptions{StaleAfter: 10}); c.Status != CheckOK || !strings.Contains(c.Message, "en cours") {
		t.Errorf("held lock: %+v", c)
	}
	writeFile(t, filepath.Join(dir, ".git", "refs", "heads", "main.lock"), "x")
	if c := other.checkLocks(DoctorOptions{StaleAfter: 1}); c.Status != CheckProblem || !strings.Contains(c.Details[0], "main.lock") {
		t.Errorf("stale ref lock: %+v", c)
	}
	os.Remove(filepath.Join(dir, ".git", "refs", "heads", "main.lock"))
	checks := other.Doctor(context.Background(), DoctorOptions{})
	if len(checks) != 7 {
		t.Fatalf("%d checks", len(checks))
	}
	for _, id := range []string{"index", "historique", "chemins", "effacements"} {
		if c := checkByID(t, checks, id); c.Status != CheckOK {
			t.Errorf("%s: %+v", id, c)
		}
	}
}
