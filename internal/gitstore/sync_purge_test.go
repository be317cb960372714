//go:build unix

package gitstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// remoteTraces is what the remote still holds of the person: in what its references
// reach (at once), then anywhere in its files once its server cleaned up (git gc
// --prune=now stands for the forge's own cleanup: acc cannot delete objects there).
func remoteTraces(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	reach := git(t, dir, "log", "--all", "-p", "--format=%H%n%B") + git(t, dir, "for-each-ref")
	if idToken.MatchString(reach) || strings.Contains(reach, purgedName) || strings.Contains(reach, purgedSecret) {
		found = append(found, "reachable from the remote's references")
	}
	git(t, dir, "reflog", "expire", "--expire=now", "--all")
	git(t, dir, "gc", "-q", "--prune=now")
	return append(found, traces(t, dir)...)
}

// TestSyncPurgeReachesEveryRemoteRef: an erasure carried by acc sync cleans every branch
// and tag of the remote that holds the person, with a lease, or names those it could not
// clean; a clone that got the old history back with a plain git pull does not push it
// back; the clones that sync are clean to the last byte.
func TestSyncPurgeReachesEveryRemoteRef(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont (2026-11-02)", map[string]string{
		"beneficiaires/jean-dupont/fiche.md":                        ficheOf(purgedID, "Jean", purgedName),
		"beneficiaires/jean-dupont/2026-11-03-entretien-initial.md": "---\ntype: entretien-initial\n---\n" + purgedSecret + "\n",
	})
	marie.commit("fiche : lea-petit (2026-11-04)", map[string]string{"beneficiaires/lea-petit/fiche.md": syncFiche("lea-petit", "Léa", "Petit")})
	marie.sync()
	// Other references of the remote that hold the person: a branch, a light tag, an
	// annotated tag (acc cannot push a rewritten tag object: it names it).
	git(t, marie.dir, "push", "-q", remoteDir, "HEAD~1:refs/heads/archive", "HEAD:refs/tags/v1")
	git(t, marie.dir, "tag", "-a", "bilan", "-m", "Bilan", "HEAD")
	git(t, marie.dir, "push", "-q", remoteDir, "refs/tags/bilan")
	git(t, marie.dir, "tag", "-d", "bilan")
	paul := join(t, url, "Paul Durand")
	lea := join(t, url, "Léa Bernard")
	// Paul keeps an old branch and a note that names the person.
	git(t, paul.dir, "branch", "vieux")
	git(t, paul.dir, "notes", "add", "-m", "Appel de Jean "+purgedName, "HEAD")
	if left := remoteTraces(t, remoteDir); len(left) == 0 {
		t.Fatal("the judge cannot fail: nothing found on the remote before the purge")
	}

	marie.withStore(func(s *Store) {
		if _, err := s.Purge(context.Background(), purgedID, marie.sig, marie.sig); err != nil {
			t.Fatalf("purge: %v", err)
		}
	})
	res, err := marie.syncErr(false)
	var pre *PurgeRemoteError
	if !errors.As(err, &pre) || strings.Join(pre.Refs, ",") != "refs/tags/bilan" {
		t.Fatalf("sync with an annotated tag holding the person: %v (%+v)", err, res)
	}
	if !res.Pushed {
		t.Fatalf("the branch was not pushed: %+v", res)
	}
	for _, ref := range []string{"main", "archive", "v1"} {
		if out := git(t, remoteDir, "log", "--format=%H", ref, "--", "beneficiaires/jean-dupont"); strings.TrimSpace(out) != "" {
			t.Errorf("remote %s still holds the person", ref)
		}
	}
	if _, err := os.Stat(filepath.Join(marie.dir, ".git", "acc", "purge-remote")); err != nil {
		t.Errorf("no marker for the next sync: %v", err)
	}
	// Once the tag is deleted (what the message asks), the next sync finishes.
	git(t, remoteDir, "tag", "-d", "bilan")
	marie.sync()
	if _, err := os.Stat(filepath.Join(marie.dir, ".git", "acc", "purge-remote")); !os.IsNotExist(err) {
		t.Errorf("marker left: %v", err)
	}
	if out := git(t, marie.dir, "for-each-ref", "refs/acc/distant"); strings.TrimSpace(out) != "" {
		t.Errorf("private copies left:\n%s", out)
	}

	// Léa pulls with plain git: the old history comes back, with the record. acc sync
	// must not push it back.
	git(t, lea.dir, "-c", "pull.rebase=false", "pull", "-q", "--no-edit", "origin", "main")
	if _, err := os.Stat(filepath.Join(lea.dir, "beneficiaires", purgedID)); err != nil {
		t.Fatalf("the test cannot fail: the pull did not bring the person back: %v", err)
	}
	lea.sync()
	paul.sync()
	for _, tr := range []*trainer{marie, paul, lea} {
		if left := traces(t, tr.dir); len(left) > 0 {
			t.Errorf("%s still holds the person:\n%s", tr.name, strings.Join(left, "\n"))
		}
		fsckOK(t, tr.dir)
		checkClean(t, tr.dir)
	}
	if left := remoteTraces(t, remoteDir); len(left) > 0 {
		t.Errorf("the remote still holds the person:\n%s", strings.Join(left, "\n"))
	}
	checkBare(t, remoteDir)
	if got := strings.TrimSpace(git(t, remoteDir, "for-each-ref", "--format=%(refname)")); got != "refs/heads/archive\nrefs/heads/main\nrefs/tags/v1" {
		t.Errorf("remote references:\n%s", got)
	}
}
