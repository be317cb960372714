//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the child process of the concurrency, lock and kill tests:
// GITSTORE_HELPER selects a mode (see runHelper).
func TestMain(m *testing.M) {
	if mode := os.Getenv("GITSTORE_HELPER"); mode != "" {
		os.Exit(runHelper(mode))
	}
	// Never depend on the machine's Git configuration.
	home, err := os.MkdirTemp("", "gitstore-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL":   filepath.Join(home, ".gitconfig"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_TERMINAL_PROMPT": "0",
		"TZ":                  "Europe/Paris",
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
		"GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
		"GIT_CONFIG_COUNT", "GIT_CONFIG_SYSTEM", "ACC_LOCK_TIMEOUT"} {
		os.Unsetenv(k)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// runHelper is the child side of multi-process tests. Its arguments come from the
// environment: GITSTORE_DIR (case root), GITSTORE_ARGS (mode-specific).
func runHelper(mode string) int {
	dir := os.Getenv("GITSTORE_DIR")
	args := strings.Fields(os.Getenv("GITSTORE_ARGS"))
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 3
	}
	s.Erasure = testPolicy
	ctx := context.Background()
	sig := Signature{Name: "Enfant", Email: "enfant@example.org"}
	switch mode {
	case "hold-lock":
		// Take the lock, say so, and keep it until killed.
		unlock, err := s.Lock(ctx, 30*time.Second, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lock:", err)
			return 3
		}
		defer unlock()
		fmt.Println("locked")
		time.Sleep(time.Hour)
	case "commit-loop":
		// GITSTORE_ARGS: <name> <start> <count>. Commits one new file per iteration,
		// and every third iteration also rewrites the previous file; prints
		// "begin <path> <blob>" before and "ok <path> <commit> <blob>" once Commit
		// returned.
		name := args[0]
		start, _ := strconv.Atoi(args[1])
		count, _ := strconv.Atoi(args[2])
		for i := start; i < start+count; i++ {
			unlock, err := s.Lock(ctx, 60*time.Second, os.Stderr)
			if err != nil {
				fmt.Fprintln(os.Stderr, "lock:", err)
				return 3
			}
			changes := []Change{{
				Path:    fmt.Sprintf("beneficiaires/%s-%d/%04d-entretien.md", name, i%7, i),
				Content: []byte(fmt.Sprintf("---\ntype: entretien-suivi\nn: %d\n---\n# %s %d\n", i, name, i)),
			}}
			if i%3 == 2 && i > start {
				changes = append(changes, Change{
					Path:    fmt.Sprintf("beneficiaires/%s-%d/%04d-entretien.md", name, (i-1)%7, i-1),
					Content: []byte(fmt.Sprintf("---\ntype: entretien-suivi\nn: %d\nrevu: %d\n---\n", i-1, i)),
				})
			}
			for _, c := range changes {
				fmt.Printf("begin %s %s\n", c.Path, hashObject(objBlob, c.Content))
			}
			id, err := s.Commit(ctx, changes, fmt.Sprintf("%s : %d\n\nAcc-Action: new\n", name, i), sig, sig)
			if err != nil {
				fmt.Fprintln(os.Stderr, "commit:", err)
				unlock()
				return 3
			}
			if err := unlock(); err != nil {
				fmt.Fprintln(os.Stderr, "unlock:", err)
				return 3
			}
			for _, c := range changes {
				fmt.Printf("ok %s %s %s\n", c.Path, id, hashObject(objBlob, c.Content))
			}
		}
	case "crash-at":
		// GITSTORE_ARGS: <step>. Commits one file and dies (SIGKILL) at that step.
		step := args[0]
		s.crashHook = func(at string) {
			if at == step {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				time.Sleep(time.Hour)
			}
		}
		unlock, err := s.Lock(ctx, 10*time.Second, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lock:", err)
			return 3
		}
		defer unlock()
		_, err = s.Commit(ctx, []Change{{Path: "beneficiaires/crash/fiche.md", Content: []byte("crash " + step + "\n")}},
			"crash "+step, sig, sig)
		if err != nil {
			fmt.Fprintln(os.Stderr, "commit:", err)
			return 3
		}
		fmt.Println("survived")
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		return 2
	}
	return 0
}

// helperCmd prepares a child process running runHelper.
func helperCmd(t testing.TB, mode, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "GITSTORE_HELPER="+mode, "GITSTORE_DIR="+dir, "GITSTORE_ARGS="+strings.Join(args, " "))
	return cmd
}

// git runs the real git CLI, the independent judge of these tests.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// gitCmd prepares a git command with an identity of its own.
func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-c", "user.name=Git CLI", "-c", "user.email=cli@example.org"}, args...)...)
	cmd.Dir = dir
	return cmd
}

func gitErr(dir string, args ...string) (string, error) {
	cmd := gitCmd(dir, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// newRepo makes an empty repository with branch main.
func newRepo(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

// writeFile writes a file with the OS (as a user or git would).
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// openLocked opens caseRoot and takes acc's lock for the test's duration.
func openLocked(t testing.TB, caseRoot string) *Store {
	t.Helper()
	s, err := Open(caseRoot)
	if err != nil {
		t.Fatal(err)
	}
	s.Erasure = testPolicy
	unlock, err := s.Lock(context.Background(), 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unlock(); err != nil {
			t.Error(err)
		}
	})
	return s
}

var testSig = Signature{Name: "Marie Martin", Email: "marie@example.org",
	When: time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("", 3600))}

// mustCommit commits changes and fails the test on error.
func mustCommit(t testing.TB, s *Store, msg string, changes ...Change) Hash {
	t.Helper()
	id, err := s.Commit(context.Background(), changes, msg, testSig, testSig)
	if err != nil {
		t.Fatalf("Commit(%s): %v", msg, err)
	}
	return id
}

// checkRepo asks git whether the repository is sound: fsck --strict, a readable status
// with nothing staged against HEAD. It returns git status --porcelain.
func checkRepo(t testing.TB, dir string) string {
	t.Helper()
	if out, err := gitErr(dir, "fsck", "--strict", "--no-dangling", "--no-progress"); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("git fsck --strict: %v\n%s", err, out)
	}
	status, err := gitErr(dir, "status", "--porcelain", "--untracked-files=all")
	if err != nil {
		t.Fatalf("git status: %v\n%s", err, status)
	}
	if out, err := gitErr(dir, "rev-parse", "-q", "--verify", "HEAD"); err == nil && out != "" {
		if out, err := gitErr(dir, "diff", "--cached", "--name-status"); err != nil || out != "" {
			t.Fatalf("index differs from HEAD (git diff --cached): %v\n%s", err, out)
		}
	}
	return status
}

// checkClean is checkRepo plus an empty git status.
func checkClean(t testing.TB, dir string) {
	t.Helper()
	if status := checkRepo(t, dir); status != "" {
		t.Fatalf("git status --porcelain not empty:\n%s", status)
	}
}
