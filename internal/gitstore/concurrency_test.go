//go:build unix

package gitstore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestConcurrentCommits: goroutines (one Store each) and processes commit at once through
// Lock+Commit; every commit must be in the history and every file in HEAD.
func TestConcurrentCommits(t *testing.T) {
	dir := newRepo(t)
	const goroutines, processes, each = 4, 3, 8
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	var mu sync.Mutex
	committed := map[string]string{} // hash -> path
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < each; i++ {
				unlock, err := s.Lock(context.Background(), 60*time.Second, nil)
				if err != nil {
					errs <- err
					return
				}
				path := fmt.Sprintf("beneficiaires/g%d/%02d.md", g, i)
				id, err := s.Commit(context.Background(), []Change{{Path: path, Content: []byte(path + "\n")}}, path, testSig, testSig)
				unlock()

				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed[id.String()] = path
				mu.Unlock()
			}
		}(g)
	}
	var cmds []*exec.Cmd
	var outs []io.Reader
	for p := 0; p < processes; p++ {
		cmd := helperCmd(t, "commit-loop", dir, fmt.Sprintf("p%d", p), "0", strconv.Itoa(each))
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		sc := bufio.NewScanner(outs[i])
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if f[0] == "ok" {
				mu.Lock()
				committed[f[2]+" "+f[1]] = f[1]
				mu.Unlock()
			}
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v", i, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkClean(t, dir)
	log := git(t, dir, "log", "--format=%H")
	if n := strings.Count(log, "\n"); n != goroutines*each+processes*each {
		t.Fatalf("%d commits in the history, want %d", n, goroutines*each+processes*each)
	}
	files := git(t, dir, "ls-files")
	for key, path := range committed {
		hash, _, _ := strings.Cut(key, " ")
		if !strings.Contains(log, hash+"\n") {
			t.Errorf("commit %s (%s) missing from the history", hash, path)
		}
		if !strings.Contains(files, path+"\n") {
			t.Errorf("%s missing from HEAD", path)
		}
	}
}

// TestCommitsBesideGitCLI: acc commits while git add/commit run in a loop on the same
// repository, without acc's lock (a user in another terminal). Each side may have to
// wait or retry, but no commit that either side reported is lost and the index stays
// readable.
func TestCommitsBesideGitCLI(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, dir+"/cli/0.md", "0\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "cli 0")
	stop := make(chan struct{})
	var cliDone []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			path := fmt.Sprintf("cli/%d.md", i)
			writeFile(t, dir+"/"+path, path+"\n")
			if _, err := gitErr(dir, "add", path); err != nil {
				continue // index.lock held by acc: a real user would retry
			}
			out, err := gitErr(dir, "commit", "-q", "-m", "cli "+path, "--", path)
			if err == nil {
				cliDone = append(cliDone, path)
			} else if !strings.Contains(out, "lock") {
				t.Errorf("git commit: %v\n%s", err, out)
			}
		}
	}()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.GitLockWait = 5 * time.Second
	var accDone []string
	for i := 0; i < 25; i++ {
		unlock, err := s.Lock(context.Background(), 10*time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("acc/%d.md", i)
		_, err = s.Commit(context.Background(), []Change{{Path: path, Content: []byte(path + "\n")}}, "acc "+path, testSig, testSig)
		unlock()
		if err != nil {
			t.Fatal(err)
		}
		accDone = append(accDone, path)
	}
	close(stop)
	wg.Wait()
	if out, err := gitErr(dir, "fsck", "--strict", "--no-dangling", "--no-progress"); err != nil || out != "" {
		t.Fatalf("git fsck: %v\n%s", err, out)
	}
	// Files git add staged but whose git commit then failed stay staged, as for any user.
	staged := git(t, dir, "diff", "--cached", "--name-only")
	for _, p := range strings.Fields(staged) {
		if !strings.HasPrefix(p, "cli/") || slices.Contains(cliDone, p) {
			t.Errorf("unexpected staged change %s", p)
		}
	}
	files := git(t, dir, "ls-tree", "-r", "--name-only", "HEAD")
	for _, p := range append(accDone, cliDone...) {
		if !strings.Contains(files, p+"\n") {
			t.Errorf("%s missing from HEAD", p)
		}
	}
	t.Logf("%d acc commits, %d git commits interleaved", len(accDone), len(cliDone))
}

// TestKillWhileCommitting SIGKILLs a committing child at random moments. After each kill
// the next acc (a new Store's Recover) repairs, then git must find the repository sound,
// the index equal to HEAD, no change for any committed file, and every commit the child
// acknowledged present.
func TestKillWhileCommitting(t *testing.T) {
	kills := 40
	if testing.Short() {
		kills = 12
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("GITSTORE_KILL_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (GITSTORE_KILL_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := newRepo(t)
	writeFile(t, dir+"/acc.yaml", "organisation: X\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	acked := map[string]string{} // path -> blob of the last acknowledged content
	// possible holds, for each path, the contents HEAD may have: the last acknowledged
	// one, or one whose commit was under way when the child was killed.
	possible := map[string]map[string]bool{}
	var commits []string
	next := 0
	midCommit := 0 // kills that landed inside Commit
	deadline := time.Now().Add(45 * time.Second)
	for k := 0; k < kills && time.Now().Before(deadline); k++ {
		cmd := helperCmd(t, "commit-loop", dir, "k", strconv.Itoa(next), "100000")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		first := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			once := false
			for sc.Scan() {
				lines <- sc.Text()
				if !once {
					once = true
					close(first)
				}
			}
			close(lines)
		}()
		// Once the child is committing, kill it at a random moment.
		select {
		case <-first:
		case <-time.After(10 * time.Second):
			t.Fatal("the child does not commit")
		}
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		inflight := map[string]bool{}
		for line := range lines {
			f := strings.Fields(line)
			switch f[0] {
			case "begin":
				inflight[f[1]] = true
				if possible[f[1]] == nil {
					possible[f[1]] = map[string]bool{}
				}
				possible[f[1]][f[2]] = true
			case "ok":
				delete(inflight, f[1])
				acked[f[1]] = f[3]
				possible[f[1]] = map[string]bool{f[3]: true}
				commits = append(commits, f[2])
			}
		}
		if len(inflight) > 0 {
			midCommit++
		}
		cmd.Wait()
		next += 1000

		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Recover(context.Background(), 5*time.Second, io.Discard); err != nil {
			t.Fatalf("kill %d: Recover: %v", k, err)
		}
		status := checkRepo(t, dir)
		for _, line := range strings.Split(strings.TrimRight(status, "\n"), "\n") {
			if line == "" {
				continue
			}
			path := line[3:]
			if !inflight[path] {
				t.Fatalf("kill %d: git status shows %q, which was not being written", k, line)
			}
		}
		tree := git(t, dir, "ls-tree", "-r", "HEAD")
		for path, blob := range acked {
			// A later commit may have rewritten it, but an acknowledged file never vanishes.
			if !strings.Contains(tree, "\t"+path+"\n") {
				t.Fatalf("kill %d: acknowledged %s missing from HEAD", k, path)
			}
			_ = blob
		}
		// Uncommitted in-flight files are left for the user; clear them so that the next
		// round's status check is about the next round.
		git(t, dir, "checkout", "-q", "--", ".")
		git(t, dir, "clean", "-q", "-f", "-d")
	}
	log := git(t, dir, "log", "--format=%H")
	for _, c := range commits {
		if !strings.Contains(log, c+"\n") {
			t.Fatalf("acknowledged commit %s missing from git log", c)
		}
	}
	// HEAD holds the last acknowledged content of each path, or a later one whose
	// commit was under way at a kill (it may have completed without being acknowledged).
	for path, blob := range acked {
		if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD:"+path)); !possible[path][got] {
			t.Errorf("%s: HEAD has %s, the last acknowledged content is %s", path, got, blob)
		}
	}
	t.Logf("%d commits acknowledged; %d of the kills landed inside Commit", len(commits), midCommit)
}
