//go:build unix

package main

// Robustness of the real acc binary (DESIGN §6 "Reliability"): concurrent
// processes never lose a commit, a kill at any moment leaves a healthy
// repository and every acknowledged document committed, Ctrl-C while waiting
// for the lock exits promptly, a lock held too long or left by a dead process
// is reported or cleared. The acc binary is the copy of this test binary that
// testscript.Main (TestMain) puts on PATH: it runs Main. git is the judge.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// accPath returns the acc command set up by testscript.Main.
func accPath(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git introuvable : ces tests utilisent git comme juge")
	}
	p, err := exec.LookPath("acc")
	if err != nil {
		t.Fatalf("acc introuvable sur PATH (testscript.Main l'y met) : %v", err)
	}
	if !strings.Contains(p, "testscript-main") {
		t.Fatalf("acc trouvé à %s, pas la copie de testscript.Main", p)
	}
	return p
}

// robustEnv is the environment of every process these tests start: a HOME of
// its own with a Git identity, nothing inherited that changes acc or Git.
func robustEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	gitconfig := "[user]\n\tname = Marie Martin\n\temail = marie.martin@exemple.org\n[init]\n\tdefaultBranch = main\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "ACC_") ||
			k == "HOME" || k == "XDG_CONFIG_HOME" || k == "VISUAL" || k == "EDITOR" || k == "GITHUB_ACTIONS" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "ACC_TODAY=2026-11-25", "ACC_LOCK_TIMEOUT=60s")
}

type result struct {
	stdout, stderr string
	code           int
}

// runIn runs name with args in dir and returns its output and exit code; a
// failure to start is fatal.
func runIn(t *testing.T, env []string, dir, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %v : %v", name, args, err)
	}
	return r
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, env []string, dir, name string, args ...string) string {
	t.Helper()
	r := runIn(t, env, dir, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s : code %d\n%s%s", name, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// newCaseRepo creates a case-file repository with the given beneficiaries.
func newCaseRepo(t *testing.T, acc string, env []string, ids ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "centre")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, dir, acc, "init", "--organisation", "Centre Test")
	for _, id := range ids {
		mustRun(t, env, dir, acc, "new", "beneficiaire", "Personne "+id, "--id", id, "--date", "2026-01-05")
	}
	return dir
}

// checkHealthy asks git whether the repository is sound: fsck --strict clean
// and the index readable. It returns the porcelain status.
func checkHealthy(t *testing.T, env []string, dir string) string {
	t.Helper()
	// Dangling objects are not damage: a commit prepared by a killed process
	// that never became the branch's head is one, as Git leaves them.
	if r := runIn(t, env, dir, "git", "fsck", "--strict", "--no-progress", "--no-dangling"); r.code != 0 || strings.TrimSpace(r.stderr+r.stdout) != "" {
		t.Fatalf("git fsck --strict : code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runIn(t, env, dir, "git", "status", "--porcelain", "--untracked-files=all")
	if r.code != 0 {
		t.Fatalf("git status : code %d\n%s", r.code, r.stderr)
	}
	return r.stdout
}

// tracked returns the paths in HEAD.
func tracked(t *testing.T, env []string, dir string) map[string]bool {
	t.Helper()
	out := mustRun(t, env, dir, "git", "ls-tree", "-r", "--name-only", "HEAD")
	m := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		m[l] = true
	}
	return m
}

func commitCount(t *testing.T, env []string, dir string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(mustRun(t, env, dir, "git", "rev-list", "--count", "HEAD")))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentProcesses: four processes create documents (all of them also
// for one shared beneficiary, on one date: -2, -3… decided under the lock)
// and commit hand edits, while a fifth commits its own hand edits with a
// scope that covers the shared folder, several rounds, all at once. Nothing
// is lost: every printed path is committed, one commit per successful
// command, and each commit names exactly the beneficiaries it changes.
func TestConcurrentProcesses(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	const workers = 4
	rounds := 4
	if testing.Short() {
		rounds = 2
	}
	ids := []string{"commun", "e"}
	for w := range workers {
		ids = append(ids, fmt.Sprintf("w%d", w))
	}
	dir := newCaseRepo(t, acc, env, ids...)
	eDoc := strings.TrimSpace(mustRun(t, env, dir, acc, "new", "entretien-suivi", "-b", "e", "--date", "2026-02-02"))
	before := commitCount(t, env, dir)

	type done struct {
		worker  int
		paths   []string // created, as printed
		edited  []string // edited by hand then committed with acc commit
		commits int      // successful commands
		err     error
	}
	run := func(args ...string) (result, error) {
		cmd := exec.Command(acc, args...)
		cmd.Dir, cmd.Env = dir, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		r := result{stdout: out.String(), stderr: errb.String()}
		if err != nil {
			return r, fmt.Errorf("acc %s : %v\n%s%s", strings.Join(args, " "), err, r.stdout, r.stderr)
		}
		return r, nil
	}
	// editAndCommit appends a line to rel by hand, then runs acc commit on scopes.
	editAndCommit := func(rel, line string, scopes ...string) error {
		f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "\n%s\n", line)
		if err := f.Close(); err != nil {
			return err
		}
		r, err := run(append([]string{"commit"}, scopes...)...)
		if err != nil {
			return err
		}
		if !strings.Contains(r.stderr, "enregistré") {
			return fmt.Errorf("acc commit %s n'a rien enregistré :\n%s", strings.Join(scopes, " "), r.stderr)
		}
		return nil
	}
	results := make(chan done, workers+1)
	var start sync.WaitGroup
	start.Add(1)
	for w := range workers {
		go func(w int) {
			d := done{worker: w}
			defer func() { results <- d }()
			start.Wait()
			for i := range rounds {
				r, err := run("new", "entretien-suivi", "-b", "commun", "--date", "2026-03-02")
				if err != nil {
					d.err = err
					return
				}
				d.paths = append(d.paths, strings.TrimSpace(r.stdout))
				d.commits++
				date := fmt.Sprintf("2026-04-%02d", 1+i*3)
				r, err = run("new", "entretien-suivi", "-b", fmt.Sprintf("w%d", w), "--date", date)
				if err != nil {
					d.err = err
					return
				}
				p := strings.TrimSpace(r.stdout)
				d.paths = append(d.paths, p)
				d.commits++
				line := fmt.Sprintf("Note ajoutée à la main par le processus %d, tour %d.", w, i)
				if err := editAndCommit(p, line, fmt.Sprintf("beneficiaires/w%d", w)); err != nil {
					d.err = err
					return
				}
				d.edited = append(d.edited, p)
				d.commits++
			}
		}(w)
	}
	// The fifth process: its scope covers the folder the others create in.
	go func() {
		d := done{worker: workers}
		defer func() { results <- d }()
		start.Wait()
		for i := range rounds * 3 {
			line := fmt.Sprintf("Note ajoutée à la main, passage %d.", i)
			if err := editAndCommit(eDoc, line, "beneficiaires/e", "beneficiaires/commun"); err != nil {
				d.err = err
				return
			}
			d.commits++
		}
		d.edited = append(d.edited, eDoc)
	}()
	start.Done()
	seen := map[string]int{}
	var edited []string
	commits := 0
	for range workers + 1 {
		d := <-results
		if d.err != nil {
			t.Errorf("processus %d : %v", d.worker, d.err)
		}
		for _, p := range d.paths {
			if prev, dup := seen[p]; dup {
				t.Errorf("%s annoncé par les processus %d et %d : un document écrasé", p, prev, d.worker)
			}
			seen[p] = d.worker
		}
		edited = append(edited, d.edited...)
		commits += d.commits
	}
	if t.Failed() {
		t.FailNow()
	}
	if want := workers*rounds*3 + rounds*3; commits != want {
		t.Fatalf("%d commandes réussies, %d attendues", commits, want)
	}
	if status := checkHealthy(t, env, dir); status != "" {
		t.Errorf("git status --porcelain non vide :\n%s", status)
	}
	inHead := tracked(t, env, dir)
	for p := range seen {
		if !inHead[p] {
			t.Errorf("%s annoncé mais absent de HEAD", p)
		}
	}
	for _, p := range edited {
		blob := mustRun(t, env, dir, "git", "show", "HEAD:"+p)
		if !strings.Contains(blob, "Note ajoutée à la main") {
			t.Errorf("la modification à la main de %s n'est pas dans HEAD", p)
		}
	}
	if got := commitCount(t, env, dir) - before; got != commits {
		t.Errorf("%d commits pour %d commandes réussies", got, commits)
	}
	log := mustRun(t, env, dir, "git", "log", "--format=%B", fmt.Sprintf("-%d", commits))
	if n := strings.Count(log, "Acc-Action: commit"); n != workers*rounds+rounds*3 {
		t.Errorf("%d commits « Acc-Action: commit », %d attendus", n, workers*rounds+rounds*3)
	}
	if n := strings.Count(log, "Acc-Action: new"); n != 2*workers*rounds {
		t.Errorf("%d commits « Acc-Action: new », %d attendus", n, 2*workers*rounds)
	}
	// Each commit names the beneficiaries whose files it changes, no other.
	hashes := strings.Fields(mustRun(t, env, dir, "git", "log", "--format=%H", fmt.Sprintf("-%d", commits)))
	for _, h := range hashes {
		var named, changed []string
		for _, l := range strings.Split(mustRun(t, env, dir, "git", "show", "-s", "--format=%B", h), "\n") {
			if id, ok := strings.CutPrefix(l, "Acc-Beneficiaire: "); ok {
				named = append(named, id)
			}
		}
		for _, p := range strings.Fields(mustRun(t, env, dir, "git", "show", "--format=", "--name-only", h)) {
			if id := strings.Split(p, "/")[1]; !slices.Contains(changed, id) {
				changed = append(changed, id)
			}
		}
		slices.Sort(named)
		slices.Sort(changed)
		if !slices.Equal(named, changed) {
			t.Errorf("commit %s : trailers %v, fichiers modifiés chez %v", h[:12], named, changed)
		}
	}
	// The shared beneficiary got one file per creation, numbered under the lock.
	for n := 2; n <= workers*rounds; n++ {
		p := fmt.Sprintf("beneficiaires/commun/2026-03-02-entretien-suivi-%d.md", n)
		if _, ok := seen[p]; !ok {
			t.Errorf("%s manque : les suffixes ne se suivent pas", p)
		}
	}
}

// TestKilledNew: acc new is SIGKILLed at random moments. After each kill the
// next acc command repairs what was left; the repository stays sound and
// every document whose creation was announced is committed.
func TestKilledNew(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	seed := rand.Uint64()
	if s := os.Getenv("ACC_ROBUST_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ACC_ROBUST_SEED=%q : %v", s, err)
		}
	}
	t.Logf("graine : ACC_ROBUST_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	kills := 40
	if testing.Short() {
		kills = 10
	}
	dir := newCaseRepo(t, acc, env, "k")
	caseDir := filepath.Join(dir, "beneficiaires", "k")
	announced := map[string]bool{}
	start := time.Now()
	var killed, finished, recoveries int
	for i := range kills {
		if time.Since(start) > 60*time.Second {
			t.Logf("arrêt après %d interruptions : 60 s écoulées", i)
			break
		}
		date := fmt.Sprintf("2026-%02d-%02d", 5+i/28, 1+i%28)
		cmd := exec.Command(acc, "new", "entretien-suivi", "-b", "k", "--date", date)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(30_001)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		// A printed path means Commit returned: it must survive, kill or not.
		if p := strings.TrimSpace(out.String()); p != "" {
			announced[p] = true
		}
		if err == nil {
			finished++
		} else {
			killed++
		}
		// Even before any repair, the object store and references are sound.
		if r := runIn(t, env, dir, "git", "fsck", "--strict", "--no-progress", "--no-dangling"); r.code != 0 || strings.TrimSpace(r.stderr+r.stdout) != "" {
			t.Fatalf("interruption %d : git fsck --strict juste après le kill : code %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
		if r := runIn(t, env, dir, "git", "status", "--porcelain"); r.code != 0 {
			t.Fatalf("interruption %d : git status juste après le kill : code %d\n%s", i, r.code, r.stderr)
		}

		// The next acc command takes the lock and repairs.
		r := runIn(t, env, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-20")
		if r.code != 0 {
			t.Fatalf("interruption %d : la commande suivante échoue (code %d) :\n%s", i, r.code, r.stderr)
		}
		announced[strings.TrimSpace(r.stdout)] = true
		if strings.Contains(r.stderr, "verrou abandonné") {
			recoveries++
			if !strings.Contains(r.stderr, "levé") {
				t.Errorf("message de reprise inattendu : %s", r.stderr)
			}
		}
		status := checkHealthy(t, env, dir)
		for _, l := range strings.Split(strings.TrimRight(status, "\n"), "\n") {
			if l == "" {
				continue
			}
			// Only the file of a commit that never happened may remain, untracked.
			if !strings.HasPrefix(l, "?? ") || announced[strings.TrimPrefix(l, "?? ")] {
				t.Fatalf("interruption %d : git status --porcelain inattendu :\n%s", i, status)
			}
		}
		inHead := tracked(t, env, dir)
		for p := range announced {
			if !inHead[p] {
				t.Fatalf("interruption %d : %s annoncé mais absent de HEAD", i, p)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git", "index.lock")); err == nil {
			t.Fatalf("interruption %d : .git/index.lock est resté", i)
		}
		ents, err := os.ReadDir(caseDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Fatalf("interruption %d : fichier temporaire resté : %s", i, e.Name())
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, ".git", "acc", "lock")); err != nil || len(b) != 0 {
			t.Fatalf("interruption %d : verrou non vidé après la reprise (%q, %v)", i, b, err)
		}
	}
	t.Logf("%d tués, %d terminés avant le signal, %d reprises annoncées, %d documents annoncés, %s",
		killed, finished, recoveries, len(announced), time.Since(start).Round(time.Millisecond))
	if killed == 0 {
		t.Errorf("aucun processus tué en cours de route : le test ne teste rien")
	}
}

// holdLock takes acc's lock from the test process, as another acc would, and
// writes a holder's line; the returned func releases it cleanly (emptied
// first, as acc does).
func holdLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	path := filepath.Join(dir, ".git", "acc", "lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("flock : %v", err)
	}
	host, _ := os.Hostname()
	if _, err := fmt.Fprintf(f, "%d %s 2026-11-25T09:30:00Z\n", os.Getpid(), host); err != nil {
		t.Fatal(err)
	}
	return func() {
		_ = f.Truncate(0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}
}

// waitOpened waits until process pid has file open, which for acc and its
// lock file means it is waiting in flock (its signal handler is in place long
// before). Without /proc, it waits half a second.
func waitOpened(t *testing.T, pid int, file string) {
	t.Helper()
	fdDir := fmt.Sprintf("/proc/%d/fd", pid)
	if _, err := os.Stat(fdDir); err != nil {
		time.Sleep(500 * time.Millisecond)
		return
	}
	want, _ := filepath.EvalSymlinks(file)
	for range 1000 {
		ents, _ := os.ReadDir(fdDir)
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && (target == file || target == want) {
				time.Sleep(50 * time.Millisecond) // from open(2) to flock(2)
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("le processus %d n'a pas ouvert %s en 10 s", pid, file)
}

// TestLockWaitInterrupted: Ctrl-C while acc waits for the lock ends it
// promptly (code 130, a French message, nothing written); the lock is then
// free at once. A lock held past ACC_LOCK_TIMEOUT: exit 3 naming the holder.
func TestLockWaitInterrupted(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	dir := newCaseRepo(t, acc, env, "k")
	head := mustRun(t, env, dir, "git", "rev-parse", "HEAD")
	release := holdLock(t, dir)

	cmd := exec.Command(acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-20")
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitOpened(t, cmd.Process.Pid, filepath.Join(dir, ".git", "acc", "lock"))
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("acc attend encore le verrou 20 s après Ctrl-C")
	}
	t.Logf("sorti %s après le signal", time.Since(sent).Round(time.Millisecond))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("code de sortie %v, 130 attendu\n%s", err, errb.String())
	}
	if got := errb.String(); got != "acc : interrompu, rien n'a été perdu\n" {
		t.Errorf("stderr = %q", got)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, vide attendu", out.String())
	}
	if got := mustRun(t, env, dir, "git", "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD a bougé")
	}
	if _, err := os.Stat(filepath.Join(dir, "beneficiaires", "k", "2026-11-20-entretien-suivi.md")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("document écrit malgré l'interruption (%v)", err)
	}

	// Released: the next command gets the lock at once (no wait allowed), and
	// finds nothing to repair.
	release()
	envNoWait := append(append([]string(nil), env...), "ACC_LOCK_TIMEOUT=0")
	r := runIn(t, envNoWait, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-20")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "beneficiaires/k/2026-11-20-entretien-suivi.md" {
		t.Fatalf("après libération : code %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "verrou") {
		t.Errorf("message de verrou inattendu : %s", r.stderr)
	}

	// Held too long: exit 3 naming the holder, nothing written.
	release = holdLock(t, dir)
	defer release()
	head = mustRun(t, env, dir, "git", "rev-parse", "HEAD")
	envShort := append(append([]string(nil), env...), "ACC_LOCK_TIMEOUT=1s")
	r = runIn(t, envShort, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-21")
	if r.code != 3 {
		t.Fatalf("code %d, 3 attendu\n%s", r.code, r.stderr)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("acc : le dépôt est verrouillé par le processus %d sur l'hôte %s depuis ", os.Getpid(), host)
	if !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr = %q, commence par %q attendu", r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q", r.stdout)
	}
	if got := mustRun(t, env, dir, "git", "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD a bougé alors que le verrou était pris")
	}
	if _, err := os.Stat(filepath.Join(dir, "beneficiaires", "k", "2026-11-21-entretien-suivi.md")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("document écrit sans le verrou (%v)", err)
	}
}

// TestStaleLockCleared: a lock file left by a process that no longer exists
// is cleared by the next command, which says so on stderr.
func TestStaleLockCleared(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	dir := newCaseRepo(t, acc, env, "k")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	pid := dead.Process.Pid
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Skipf("le PID %d est déjà réutilisé", pid)
	}
	host, _ := os.Hostname()
	lock := filepath.Join(dir, ".git", "acc", "lock")
	if err := os.WriteFile(lock, fmt.Appendf(nil, "%d %s 2026-11-25T09:30:00Z\n", pid, host), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, env, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-20")
	if r.code != 0 {
		t.Fatalf("code %d\n%s", r.code, r.stderr)
	}
	want := fmt.Sprintf("acc : verrou abandonné par le processus %d (mort) levé\n", pid)
	if !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr = %q, commence par %q attendu", r.stderr, want)
	}
	if b, err := os.ReadFile(lock); err != nil || len(b) != 0 {
		t.Errorf("verrou non vidé : %q, %v", b, err)
	}
	r = runIn(t, env, dir, acc, "new", "entretien-suivi", "-b", "k", "--date", "2026-11-21")
	if r.code != 0 || strings.Contains(r.stderr, "verrou") {
		t.Errorf("la commande suivante : code %d\n%s", r.code, r.stderr)
	}
	if status := checkHealthy(t, env, dir); status != "" {
		t.Errorf("git status --porcelain :\n%s", status)
	}
}

// TestUnreadableFiles: a document or a beneficiary folder that cannot be read
// is reported as an error finding, never skipped silently. Root reads
// everything, so as root the check runs as "nobody" through setpriv, or is
// skipped.
func TestUnreadableFiles(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	dir := newCaseRepo(t, acc, env, "a", "b")
	mustRun(t, env, dir, acc, "new", "entretien-initial", "-b", "a", "--date", "2026-01-05")
	run := func(args ...string) result { return runIn(t, env, dir, acc, args...) }
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("lancé en root, qui lit même les fichiers en mode 000, et sans setpriv pour changer d'utilisateur : cas non testé")
		}
		// nobody needs to reach the repository and the binary.
		bin := filepath.Join(filepath.Dir(dir), "acc")
		data, err := os.ReadFile(acc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
		for d := dir; d != filepath.Dir(filepath.Dir(filepath.Dir(dir))); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			return os.Chmod(p, mode)
		}); err != nil {
			t.Fatal(err)
		}
		run = func(args ...string) result {
			return runIn(t, env, dir, setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
		}
		if r := run("validate", "--sans-cache"); r.code != 0 {
			t.Skipf("setpriv ne permet pas de lancer acc en tant que nobody (code %d) : %s", r.code, r.stderr)
		}
	}
	doc := filepath.Join(dir, "beneficiaires", "a", "2026-01-05-entretien-initial.md")
	if err := os.Chmod(doc, 0); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "beneficiaires", "b")
	if err := os.Chmod(folder, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(folder, 0o700); _ = os.Chmod(doc, 0o600) })
	for _, args := range [][]string{{"validate"}, {"validate", "--sans-cache"}, {"validate", "beneficiaires/a"}} {
		r := run(args...)
		if r.code != 1 {
			t.Errorf("acc %s : code %d, 1 attendu\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			continue
		}
		want := "beneficiaires/a/2026-01-05-entretien-initial.md:1:1: erreur frontmatter-invalide: fichier illisible (permission refusée)"
		if !strings.Contains(r.stdout, want) {
			t.Errorf("acc %s : %q manque\n%s", strings.Join(args, " "), want, r.stdout)
		}
		if len(args) == 1 || args[1] == "--sans-cache" {
			if !strings.Contains(r.stdout, "beneficiaires/b:1:1: erreur emplacement: dossier illisible (permission refusée)") {
				t.Errorf("acc %s : le dossier illisible n'est pas signalé\n%s", strings.Join(args, " "), r.stdout)
			}
		}
	}
}
