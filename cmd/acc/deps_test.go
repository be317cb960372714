package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The unit tests of the runX functions: each builds a real repository in a
// temporary folder with acc's own commands, then calls runX directly, without
// cobra, with fake streams and a fixed date, and checks what it printed, the
// kind of error it returned (its exit code) and what Git holds.

// unitToday is the fixed date of the unit tests.
var unitToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// unitRepo is a case-file repository in a temporary folder.
type unitRepo struct {
	t   *testing.T
	dir string
	env map[string]string
}

// newUnitRepo initialises a repository with Jean Dupont (jean-dupont), his
// initial interview, and Ana Lima, committed.
func newUnitRepo(t *testing.T) *unitRepo {
	t.Helper()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	dir := filepath.Join(root, "centre")
	for _, d := range []string{home, dir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	gitconfig := "[user]\n\tname = Marie Martin\n\temail = marie.martin@exemple.org\n[init]\n\tdefaultBranch = main\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	// Part of go-git's configuration reading goes through os.Getenv.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r := &unitRepo{t: t, dir: dir, env: map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM": "1",
		"ACC_LOCK_TIMEOUT": "2s", "ACC_TODAY": "2026-11-25",
	}}
	r.acc("init", "--organisation", "Centre Test")
	r.acc("new", "beneficiaire", "Jean Dupont", "--date", "2026-11-02")
	r.acc("new", "entretien-initial", "-b", "jean-dupont", "--date", "2026-11-03")
	r.acc("new", "beneficiaire", "Ana Lima", "--date", "2026-11-02")
	return r
}

func (r *unitRepo) getenv(k string) string { return r.env[k] }

// acc runs a whole acc command in the repository, in process, and fails the
// test unless it succeeds. It builds fixtures.
func (r *unitRepo) acc(args ...string) string {
	r.t.Helper()
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errb, r.getenv)
	a.now = func() time.Time { return unitToday.Add(9 * time.Hour) }
	if code := a.run(append([]string{"-C", r.dir}, args...)); code != 0 {
		r.t.Fatalf("acc %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// deps returns a command's dependencies on this repository: stdin reads in,
// stdout and stderr are the buffers returned, the date is unitToday (the
// clock stands at 9:00 that day).
func (r *unitRepo) deps(in string) (deps, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(in), &out, &errb, r.getenv)
	a.now = func() time.Time { return unitToday.Add(9 * time.Hour) }
	a.dir = r.dir
	d := a.deps()
	d.Today = func() (time.Time, error) { return unitToday, nil }
	return d, &out, &errb
}

// write writes a file of the work tree (a relative slash path).
func (r *unitRepo) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// git runs the real git, the judge, in the repository.
func (r *unitRepo) git(args ...string) string {
	r.t.Helper()
	return gitIn(r.t, r.dir, args...)
}

// gitIn runs git in dir ("" for the test's folder).
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// head is the commit HEAD names.
func (r *unitRepo) head() string { return strings.TrimSpace(r.git("rev-parse", "HEAD")) }

// clean fails unless git fsck finds nothing and the work tree is clean.
func (r *unitRepo) clean() {
	r.t.Helper()
	r.git("fsck", "--strict")
	if s := r.git("status", "--porcelain"); s != "" {
		r.t.Fatalf("work tree not clean:\n%s", s)
	}
}

// wantExit fails unless err is what exits with code.
func wantExit(t *testing.T, err error, code int) {
	t.Helper()
	if got := exitCode(err); got != code {
		t.Fatalf("exit %d (%v), want %d", got, err, code)
	}
}

// wantIn fails unless s holds every one of subs.
func wantIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git introuvable : il juge les résultats")
	}
}

// scriptedPrompter stands for the terminal: it answers from a script and
// records the questions.
type scriptedPrompter struct {
	answers   []string // prompt's answers, in order
	chosen    string   // what choose, choosePerson and chooseDocument pick
	questions []string
}

func (p *scriptedPrompter) interactive() bool { return true }

func (p *scriptedPrompter) prompt(q string) (string, error) {
	p.questions = append(p.questions, q)
	if len(p.answers) == 0 {
		return "", usageErr("aucune réponse")
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	return a, nil
}

func (p *scriptedPrompter) choose(q string, choices, _ []string) (string, error) {
	p.questions = append(p.questions, q+" "+strings.Join(choices, ","))
	return p.chosen, nil
}

func (p *scriptedPrompter) choosePerson(_ *workspace, q string, ids []string) (string, error) {
	return p.choose(q, ids, nil)
}

func (p *scriptedPrompter) chooseDocument(_ *workspace, rev string) (string, error) {
	p.questions = append(p.questions, "document at "+rev)
	return p.chosen, nil
}
