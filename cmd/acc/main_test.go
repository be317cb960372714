package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"acc": func() {
			// ACC_TEST_PANIC is honoured by the test binary only (Main
			// never sets panicAt): it checks how a bug is reported.
			a := newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
			a.panicAt = os.Getenv("ACC_TEST_PANIC")
			// ACC_TEST_PROGRESS_DELAY (a duration) shows progress lines
			// sooner than after a second, so that a small repository
			// shows one; test binary only as well.
			a.progressDelay, _ = time.ParseDuration(os.Getenv("ACC_TEST_PROGRESS_DELAY"))
			os.Exit(a.run(os.Args[1:]))
		},
	})
}

// TestScript runs the end-to-end scripts of testdata/script: the real acc
// binary against real Git repositories, judged by the real git CLI.
func TestScript(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git introuvable : les scripts de bout en bout utilisent git comme juge")
	}
	examples, _ := filepath.Abs("../../examples")
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("ACC_LOCK_TIMEOUT", "2s")
			env.Setenv("EXAMPLES", examples)
			// The machine's identity, editor and CI settings must not leak in.
			drop := map[string]bool{}
			for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
				"GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "GIT_CONFIG_GLOBAL", "GIT_DIR", "GIT_WORK_TREE",
				"ACC_EDITOR", "VISUAL", "EDITOR", "CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "ACC_TODAY"} {
				drop[k] = true
			}
			vars := env.Vars[:0]
			for _, kv := range env.Vars {
				if k, _, _ := strings.Cut(kv, "="); !drop[k] {
					vars = append(vars, kv)
				}
			}
			env.Vars = vars
			gitconfig := "[user]\n\tname = Marie Martin\n\temail = marie.martin@exemple.org\n[init]\n\tdefaultBranch = main\n"
			return os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o600)
		},
		Condition: func(cond string) (bool, error) {
			// [eglot]: Emacs can load eglot, for lsp_eglot.txtar. -Q skips
			// Debian's site startup, which is what puts elpa-eglot's
			// directory in package-directory-list.
			if cond != "eglot" {
				return false, fmt.Errorf("condition inconnue %q", cond)
			}
			if _, err := exec.LookPath("emacs"); err != nil {
				return false, nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			probe := exec.CommandContext(ctx, "emacs", "--batch", "-Q", "--eval",
				"(progn (require 'package) (add-to-list 'package-directory-list \"/usr/share/emacs/site-lisp/elpa\")"+
					" (package-initialize) (kill-emacs (if (require 'eglot nil t) 0 1)))")
			probe.Env = append(os.Environ(), "HOME="+os.TempDir())
			return probe.Run() == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// filesize FILE MAX checks that a file holds at most MAX bytes.
			"filesize": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: filesize FILE MAXBYTES")
				}
				max, err := strconv.ParseInt(args[1], 10, 64)
				if err != nil {
					ts.Fatalf("filesize: bad size %q", args[1])
				}
				fi, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				if fi.Size() > max {
					ts.Fatalf("%s holds %d bytes, more than %d", args[0], fi.Size(), max)
				}
			},
			// exits N CMD ARGS... runs a program and checks its exact exit code;
			// its output is then available to stdout/stderr as after exec.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exits: bad code %q", args[0])
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("exits: %v", err)
				}
				if got != want {
					ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
				}
			},
		},
	})
}
