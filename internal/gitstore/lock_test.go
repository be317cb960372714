//go:build unix

package gitstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startHolder starts a child process that takes acc's lock and keeps it.
func startHolder(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := helperCmd(t, "hold-lock", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("holder: %q %v", line, err)
	}
	return cmd
}

func TestLockTimeoutNamesHolder(t *testing.T) {
	dir := newRepo(t)
	holder := startHolder(t, dir)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var waited *LockedError
	s.OnLockWait = func(h *LockedError) { waited = h }
	start := time.Now()
	_, err = s.Lock(context.Background(), 300*time.Millisecond, nil)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *LockedError", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Errorf("waited %v for a 300ms timeout", d)
	}
	host, _ := os.Hostname()
	if le.PID != holder.Process.Pid || le.Host != host || le.Since.IsZero() {
		t.Fatalf("holder = %+v, want pid %d host %s", le, holder.Process.Pid, host)
	}
	want := "le dépôt est verrouillé par le processus " + strconv.Itoa(holder.Process.Pid) + " sur l'hôte " + host + " depuis "
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q, want prefix %q", err, want)
	}
	if waited == nil || waited.PID != holder.Process.Pid {
		t.Fatalf("OnLockWait got %+v", waited)
	}
	// Cancellation (SIGINT in the CLI) stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := s.Lock(ctx, time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: err = %v", err)
	}
}

func TestLockFromDeadHolderIsCleared(t *testing.T) {
	dir := newRepo(t)
	holder := startHolder(t, dir)
	pid := holder.Process.Pid
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	unlock, err := s.Lock(context.Background(), time.Second, &warn)
	if err != nil {
		t.Fatal(err)
	}
	want := "acc : verrou abandonné par le processus " + strconv.Itoa(pid) + " (mort) levé\n"
	if warn.String() != want {
		t.Fatalf("warning %q, want %q", warn.String(), want)
	}
	rec, err := s.Recover(context.Background(), time.Second, nil)
	if err != nil || rec.Holder == nil || rec.Holder.PID != pid {
		t.Fatalf("Recover = %+v, %v", rec, err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// A clean release leaves an empty lock file: the next one says nothing.
	if fi, err := os.Stat(filepath.Join(dir, ".git/acc/lock")); err != nil || fi.Size() != 0 {
		t.Fatalf("lock file after release: %v %v", fi, err)
	}
	warn.Reset()
	unlock, err = s.Lock(context.Background(), time.Second, &warn)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if warn.Len() != 0 {
		t.Fatalf("unexpected warning %q", warn.String())
	}
}

func TestLockIsReentrantAndExclusiveBetweenStores(t *testing.T) {
	dir := newRepo(t)
	a, _ := Open(dir)
	b, _ := Open(dir)
	ctx := context.Background()
	u1, err := a.Lock(ctx, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := a.Lock(ctx, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, 20*time.Millisecond, nil); err == nil {
		t.Fatal("two stores held the lock at once")
	}
	u2()
	if _, err := b.Lock(ctx, 20*time.Millisecond, nil); err == nil {
		t.Fatal("inner unlock released the lock")
	}
	u1()
	// The lock is free: a generous timeout, so that a loaded machine does
	// not turn scheduling delay into a failure.
	ub, err := b.Lock(ctx, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	ub()
}

func TestParseLockTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{"": DefaultLockTimeout, "3": 3 * time.Second, "0.5": 500 * time.Millisecond,
		"250ms": 250 * time.Millisecond, "2m": 2 * time.Minute, "0": 0} {
		got, err := ParseLockTimeout(in)
		if err != nil || got != want {
			t.Errorf("ParseLockTimeout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"dix", "-1", "-3s"} {
		if _, err := ParseLockTimeout(in); err == nil || !strings.Contains(err.Error(), "ACC_LOCK_TIMEOUT") {
			t.Errorf("ParseLockTimeout(%q): err = %v", in, err)
		}
	}
}

// TestCrashAtEachStep kills a committing child at each step of a commit and checks what
// the next Lock repairs: the repository stays sound, the commit is either fully there
// (index included) or absent, and nothing of acc's is left in .git.
func TestCrashAtEachStep(t *testing.T) {
	steps := []struct {
		step      string
		committed bool
	}{
		{"files", false}, {"locks", false}, {"objects", false}, {"index-written", false},
		{"journal", false}, {"index", false}, {"ref", true}, {"reflog", true},
	}
	for _, tc := range steps {
		t.Run(tc.step, func(t *testing.T) {
			dir := newRepo(t)
			writeFile(t, filepath.Join(dir, "beneficiaires/autre/fiche.md"), "autre\n")
			git(t, dir, "add", ".")
			git(t, dir, "commit", "-q", "-m", "base")
			before := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
			cmd := helperCmd(t, "crash-at", dir, tc.step)
			out, err := cmd.CombinedOutput()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("child was not killed: %v\n%s", err, out)
			}
			// git itself is stuck until acc's next run: a stale index.lock is ours.
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			var warn bytes.Buffer
			rec, err := s.Recover(context.Background(), time.Second, &warn)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(warn.String(), "(mort) levé") {
				t.Errorf("warning = %q", warn.String())
			}
			head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
			status := checkRepo(t, dir)
			if tc.committed {
				if head == before {
					t.Fatal("the branch did not move")
				}
				if got := git(t, dir, "show", "HEAD:beneficiaires/crash/fiche.md"); got != "crash "+tc.step+"\n" {
					t.Fatalf("committed content = %q", got)
				}
				if status != "" {
					t.Fatalf("status = %q", status)
				}
				if rec.RolledForward.String() != head {
					t.Errorf("RolledForward = %s, want %s", rec.RolledForward, head)
				}
				if got := git(t, dir, "reflog", "-1", "--format=%H %gs"); got != head+" commit: crash "+tc.step+"\n" {
					t.Errorf("reflog = %q", got)
				}
			} else {
				if head != before {
					t.Fatal("the branch moved")
				}
				// The file written before the kill is an uncommitted change, nothing else.
				if status != "?? beneficiaires/crash/fiche.md\n" {
					t.Fatalf("status = %q", status)
				}
				// Killed after the index moved (it goes before the branch): its
				// entries are put back, as status above shows.
				if (tc.step == "journal" || tc.step == "index") != !rec.Dropped.IsZero() {
					t.Errorf("Dropped = %s", rec.Dropped)
				}
			}
			for _, pattern := range []string{"*.lock", "*.acc-*", "refs/heads/*.lock", "refs/heads/*.acc-*"} {
				if m, _ := filepath.Glob(filepath.Join(dir, ".git", pattern)); len(m) > 0 {
					t.Errorf("leftover %v (removed: %v)", m, rec.Removed)
				}
			}
			if m, _ := filepath.Glob(filepath.Join(dir, "beneficiaires/crash/.*.tmp")); len(m) > 0 {
				t.Errorf("leftover %v", m)
			}
			// And the next commit goes through.
			s2 := openLocked(t, dir)
			mustCommit(t, s2, "après", Change{Path: "beneficiaires/crash/fiche.md", Content: []byte("après\n")})
			checkClean(t, dir)
		})
	}
}

// TestRecoverLeavesForeignGitLock: a Git lock file with another inode than the one acc
// recorded belongs to someone else (a git command started after acc died) and stays.
func TestRecoverLeavesForeignGitLock(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "a.md"), "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	cmd := helperCmd(t, "crash-at", dir, "locks")
	cmd.Run()
	lock := filepath.Join(dir, ".git/index.lock")
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("setup: the killed child left no index.lock: %v", err)
	}
	// Replace it by "git's" own lock file (new inode).
	os.Remove(lock)
	writeFile(t, lock+".other", "git\n")
	os.Rename(lock+".other", lock)
	s, _ := Open(dir)
	rec, err := s.Recover(context.Background(), time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("a foreign index.lock was removed (removed: %v)", rec.Removed)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git/refs/heads/main.lock")); !os.IsNotExist(err) {
		t.Fatalf("our own ref lock was not removed: %v", err)
	}
}
