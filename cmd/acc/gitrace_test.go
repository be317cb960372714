//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGitCommitRace: a trainer's own git commit runs while acc new records a
// document, round after round. git commit may fail (acc holds index.lock or the
// branch moved under it: Git's own protection), acc may wait for git's lock,
// but a document acc announced is never dropped: it is in HEAD. Git reads
// HEAD, then the index, then takes index.lock; acc must therefore never let
// the branch show its commit while the index does not yet hold the document
// (a git commit reading both in between would commit a tree without it on top
// of acc's commit).
func TestGitCommitRace(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	rounds := 50
	if testing.Short() {
		rounds = 15
	}
	dir := newCaseRepo(t, acc, env, "k")
	if err := os.Mkdir(filepath.Join(dir, "notes"), 0o700); err != nil {
		t.Fatal(err)
	}
	var announced []string
	gitCommits := 0
	for i := range rounds {
		date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02")
		note := fmt.Sprintf("notes/n%03d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, note), []byte("note\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		mustRun(t, env, dir, "git", "add", note)
		var wg sync.WaitGroup
		var accRes, gitRes result
		wg.Add(2)
		go func() {
			defer wg.Done()
			accRes = runIn(t, env, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", date)
		}()
		go func() {
			defer wg.Done()
			// Started a little after acc, by a varying delay, so that git's reads fall at
			// different moments of acc's commit.
			time.Sleep(time.Duration(i*7%60) * time.Millisecond)
			gitRes = runIn(t, env, dir, "git", "commit", "-q", "-m", "note "+note)
		}()
		wg.Wait()
		if accRes.code != 0 {
			t.Fatalf("tour %d : acc new : code %d\n%s", i, accRes.code, accRes.stderr)
		}
		if gitRes.code == 0 {
			gitCommits++
		} else {
			// Git's own read-then-lock (README, « ce qui est garanti »): a git commit
			// that read the index just before acc took index.lock and wrote it back just
			// after has put the old index back, and its own commit failed. The trainer is
			// told to run git reset -q and git add again before committing; do the same,
			// so that the next round's git commit does not record that stale index.
			mustRun(t, env, dir, "git", "reset", "-q")
			mustRun(t, env, dir, "git", "add", "notes")
		}
		announced = append(announced, strings.TrimSpace(accRes.stdout))
		inHead := tracked(t, env, dir)
		for _, p := range announced {
			if !inHead[p] {
				t.Fatalf("tour %d : %s annoncé par acc new mais absent de HEAD (git commit : code %d %s)\n%s",
					i, p, gitRes.code, gitRes.stderr, mustRun(t, env, dir, "git", "status", "--porcelain"))
			}
		}
	}
	// Git's own failures leave its note staged; one last commit takes them all.
	if r := runIn(t, env, dir, "git", "commit", "-q", "-m", "notes"); r.code != 0 && !strings.Contains(r.stdout, "nothing to commit") {
		t.Fatalf("git commit final : code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if status := checkHealthy(t, env, dir); status != "" {
		t.Errorf("git status --porcelain non vide :\n%s", status)
	}
	inHead := tracked(t, env, dir)
	for i := range rounds {
		if p := fmt.Sprintf("notes/n%03d.txt", i); !inHead[p] {
			t.Errorf("%s (commit de git) absent de HEAD", p)
		}
	}
	t.Logf("%d tours, %d git commit réussis pendant acc new", rounds, gitCommits)
}
