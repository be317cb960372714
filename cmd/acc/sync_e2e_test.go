//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// End-to-end tests of acc sync, acc clone and acc init --remote against real Git
// servers on the loopback interface: a bare repository over file:// (served in process
// by acc), git daemon on 127.0.0.1, and the smart HTTP protocol of git http-backend
// behind net/http/cgi. The acc binary is the test binary itself (testscript.Main put it
// in $PATH); the git CLI is the judge (fsck --strict, log, status).

type e2e struct {
	t    *testing.T
	root string
	home string
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git introuvable")
	}
	if _, err := exec.LookPath("acc"); err != nil {
		t.Skip("binaire acc introuvable dans $PATH (testscript.Main)")
	}
	root := t.TempDir()
	home := filepath.Join(root, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "[user]\n\tname = Marie Martin\n\temail = marie@exemple.org\n[init]\n\tdefaultBranch = main\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &e2e{t: t, root: root, home: home}
}

func (e *e2e) env(who string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "ACC_") || k == "HOME" || k == "XDG_CONFIG_HOME" ||
			k == "EDITOR" || k == "VISUAL" || k == "SSH_AUTH_SOCK" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+e.home, "XDG_CONFIG_HOME="+filepath.Join(e.home, ".config"), "GIT_CONFIG_NOSYSTEM=1",
		"ACC_LOCK_TIMEOUT=10s", "ACC_TODAY=2026-11-25", "GIT_TERMINAL_PROMPT=0")
	if who != "" {
		email := strings.ToLower(strings.Fields(who)[0]) + "@exemple.org"
		env = append(env, "GIT_AUTHOR_NAME="+who, "GIT_COMMITTER_NAME="+who, "GIT_AUTHOR_EMAIL="+email, "GIT_COMMITTER_EMAIL="+email)
	}
	return env
}

// acc runs acc in dir as who and returns its outputs and exit code.
func (e *e2e) acc(dir, who string, args ...string) (string, string, int) {
	e.t.Helper()
	cmd := exec.Command("acc", args...)
	cmd.Dir = dir
	cmd.Env = e.env(who)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("acc %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func (e *e2e) mustAcc(dir, who string, args ...string) string {
	e.t.Helper()
	out, errs, code := e.acc(dir, who, args...)
	if code != 0 {
		e.t.Fatalf("%s: acc %s: exit %d\n%s%s", filepath.Base(dir), strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (e *e2e) git(dir string, args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = e.env("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// server is a shared repository behind one transport.
type server struct {
	kind  string
	bare  string
	url   string
	down  func()        // makes it unreachable
	up    func() string // brings it back, returns the (possibly new) URL
	slow  atomic.Int64  // http: delay before each request, in ms
	seen  chan string   // http: a request arrived (service name), when slow
	close func()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (e *e2e) startServer(kind string) *server {
	e.t.Helper()
	base := filepath.Join(e.root, "serveur")
	bare := filepath.Join(base, "partage.git")
	e.git(e.root, "init", "-q", "--bare", "-b", "main", bare)
	s := &server{kind: kind, bare: bare, seen: make(chan string, 16)}
	execPath := strings.TrimSpace(e.git(e.root, "--exec-path"))
	switch kind {
	case "file":
		s.url = "file://" + bare
		s.down = func() { os.Rename(bare, bare+".hs") }
		s.up = func() string { os.Rename(bare+".hs", bare); return s.url }
		s.close = func() {}
	case "daemon":
		if _, err := os.Stat(filepath.Join(execPath, "git-daemon")); err != nil {
			e.t.Skip("git daemon absent : test sauté")
		}
		var cmd *exec.Cmd
		start := func() string {
			port := freePort(e.t)
			cmd = exec.Command(filepath.Join(execPath, "git-daemon"), "--reuseaddr", "--export-all", "--enable=receive-pack",
				"--base-path="+base, "--listen=127.0.0.1", "--port="+strconv.Itoa(port), base)
			cmd.Env = e.env("")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				e.t.Skipf("git daemon ne démarre pas : %v", err)
			}
			addr := "127.0.0.1:" + strconv.Itoa(port)
			for i := 0; ; i++ {
				c, err := net.Dial("tcp", addr)
				if err == nil {
					c.Close()
					break
				}
				if i > 200 {
					cmd.Process.Kill()
					e.t.Skipf("git daemon n'écoute pas : %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			return "git://" + addr + "/partage.git"
		}
		stop := func() {
			if cmd != nil && cmd.Process != nil {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
				cmd = nil
			}
		}
		s.url = start()
		s.down, s.up, s.close = stop, start, stop
	case "http":
		backend := filepath.Join(execPath, "git-http-backend")
		if _, err := os.Stat(backend); err != nil {
			e.t.Skip("git http-backend absent : test sauté")
		}
		h := &cgi.Handler{Path: backend, Root: "/", Env: []string{"GIT_PROJECT_ROOT=" + base, "GIT_HTTP_EXPORT_ALL=1",
			"REMOTE_USER=equipe", "HOME=" + e.home, "GIT_CONFIG_NOSYSTEM=1"}}
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ms := s.slow.Load(); ms > 0 {
				select {
				case s.seen <- r.URL.Path + "?" + r.URL.RawQuery:
				default:
				}
				time.Sleep(time.Duration(ms) * time.Millisecond)
			}
			h.ServeHTTP(w, r)
		})
		var srv *httptest.Server
		start := func() string {
			srv = httptest.NewServer(handler)
			return srv.URL + "/partage.git"
		}
		s.url = start()
		s.down = func() { srv.CloseClientConnections(); srv.Close() }
		s.up = start
		s.close = func() { srv.Close() }
	}
	e.t.Cleanup(s.close)
	// A hook that refuses pushes while serveur/refuser exists, and is slow while
	// serveur/ralentir exists (it says when it starts).
	hook := fmt.Sprintf("#!/bin/sh\nif [ -f %q ]; then echo 'dépôt en lecture seule pour la maintenance' >&2; exit 1; fi\n"+
		"if [ -f %q ]; then touch %q; sleep 2; fi\nexit 0\n",
		filepath.Join(base, "refuser"), filepath.Join(base, "ralentir"), filepath.Join(base, "hook-demarre"))
	if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// trainerDir is where a trainer's clone lives.
func (e *e2e) dir(name string) string { return filepath.Join(e.root, name) }

// checkAll runs git fsck --strict on every clone and the server, checks the work trees
// are clean, the histories linear and identical, and every subject present.
func (e *e2e) checkAll(s *server, clones []string, subjects []string) {
	e.t.Helper()
	var head string
	for _, c := range clones {
		d := e.dir(c)
		e.git(d, "fsck", "--strict", "--no-progress")
		if st := e.git(d, "status", "--porcelain"); st != "" {
			e.t.Fatalf("%s: git status not clean:\n%s", c, st)
		}
		if m := e.git(d, "rev-list", "--merges", "HEAD"); m != "" {
			e.t.Fatalf("%s: merge commits in history", c)
		}
		h := e.git(d, "rev-parse", "HEAD")
		if head != "" && h != head {
			e.t.Fatalf("%s: HEAD %s differs from %s", c, h, head)
		}
		head = h
		log := e.git(d, "log", "--format=%s")
		for _, sub := range subjects {
			if !strings.Contains(log, sub+"\n") {
				e.t.Fatalf("%s: commit %q missing from history:\n%s", c, sub, log)
			}
		}
		if out, _ := exec.Command("git", "-C", d, "grep", "-l", "<<<<<<<", "HEAD").Output(); len(out) > 0 {
			e.t.Fatalf("%s: conflict markers committed: %s", c, out)
		}
	}
	e.git(s.bare, "fsck", "--strict", "--no-progress")
	if h := e.git(s.bare, "rev-parse", "main"); head != "" && h != head {
		e.t.Fatalf("server main %s differs from the clones' %s", h, head)
	}
}

func (e *e2e) appendTo(dir, rel, text string) {
	e.t.Helper()
	f, err := os.OpenFile(filepath.Join(e.dir(dir), filepath.FromSlash(rel)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + text + "\n"); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) head(name string) string {
	return strings.TrimSpace(e.git(e.dir(name), "rev-parse", "HEAD"))
}

func TestSyncE2E(t *testing.T) {
	for _, kind := range []string{"file", "daemon", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t)
			s := e.startServer(kind)
			const M, P, L = "Marie Martin", "Paul Durand", "Léa Bernard"
			var subjects []string
			commit := func(who, dir, msg string) {
				t.Helper()
				e.mustAcc(e.dir(dir), who, "commit", "-m", msg)
				subjects = append(subjects, msg)
			}

			// Publish, join.
			e.mustAcc(e.root, M, "init", "marie", "--organisation", "Centre Test", "--remote", s.url)
			e.mustAcc(e.root, P, "clone", s.url, "paul")
			e.mustAcc(e.root, L, "init", "lea", "--remote", s.url) // joins: the remote is not empty
			subjects = append(subjects, "init : dépôt de dossiers d'accompagnement")

			// Diverged histories on different files, both orders, three trainers.
			e.mustAcc(e.dir("marie"), M, "new", "beneficiaire", "Jean Dupont", "--date", "2026-11-02")
			e.mustAcc(e.dir("paul"), P, "new", "beneficiaire", "Kevin Roux", "--date", "2026-11-03")
			e.mustAcc(e.dir("lea"), L, "new", "beneficiaire", "Nadia Haddad", "--date", "2026-11-04")
			subjects = append(subjects, "fiche : jean-dupont (2026-11-02)", "fiche : kevin-roux (2026-11-03)", "fiche : nadia-haddad (2026-11-04)")
			for _, order := range [][]string{{"paul", "marie", "lea", "paul", "marie"}, {"lea", "marie", "paul", "lea", "marie"}} {
				for _, c := range order {
					who := map[string]string{"marie": M, "paul": P, "lea": L}[c]
					e.mustAcc(e.dir(c), who, "sync")
				}
				e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)
				e.mustAcc(e.dir("marie"), M, "new", "entretien-initial", "-b", "jean-dupont", "--date", "2026-11-1"+strconv.Itoa(len(subjects)%10))
				e.mustAcc(e.dir("paul"), P, "new", "entretien-initial", "-b", "kevin-roux", "--date", "2026-11-1"+strconv.Itoa(len(subjects)%10))
			}
			for _, c := range []string{"marie", "paul", "lea", "marie"} {
				e.mustAcc(e.dir(c), map[string]string{"marie": M, "paul": P, "lea": L}[c], "sync")
			}
			e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)

			// The same document changed on both sides: exit 1, both authors named,
			// nothing lost; --resume after the trainer's choice.
			doc := "beneficiaires/jean-dupont/fiche.md"
			e.appendTo("marie", doc, "Note de Marie.")
			commit(M, "marie", "Fiche (Marie)")
			e.mustAcc(e.dir("marie"), M, "sync")
			e.appendTo("paul", doc, "Note de Paul.")
			commit(P, "paul", "Fiche (Paul)")
			before := e.head("paul")
			_, errs, code := e.acc(e.dir("paul"), P, "sync")
			if code != 1 || !strings.Contains(errs, doc) || !strings.Contains(errs, "Paul Durand") || !strings.Contains(errs, "Marie Martin") {
				t.Fatalf("conflict: exit %d\n%s", code, errs)
			}
			if e.head("paul") != before {
				t.Fatal("HEAD moved on conflict")
			}
			remote, err := os.ReadFile(filepath.Join(e.dir("paul"), "conflits", doc))
			if err != nil || !bytes.Contains(remote, []byte("Note de Marie.")) {
				t.Fatalf("remote version not kept beside: %v", err)
			}
			e.appendTo("paul", doc, "Note de Marie.")
			e.mustAcc(e.dir("paul"), P, "sync", "--resume")
			subjects = append(subjects, "sync : conflit résolu (jean-dupont)")
			for _, c := range []string{"marie", "lea"} {
				e.mustAcc(e.dir(c), map[string]string{"marie": M, "lea": L}[c], "sync")
			}
			e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)
			for _, c := range []string{"marie", "paul", "lea"} {
				data, _ := os.ReadFile(filepath.Join(e.dir(c), doc))
				if !bytes.Contains(data, []byte("Note de Paul.")) || !bytes.Contains(data, []byte("Note de Marie.")) {
					t.Fatalf("%s: a note was lost:\n%s", c, data)
				}
			}

			// Same names created on both sides: renamed, never overwritten.
			e.mustAcc(e.dir("marie"), M, "new", "beneficiaire", "Ana Lopez", "--date", "2026-11-20")
			e.mustAcc(e.dir("lea"), L, "new", "beneficiaire", "Ana Lopez", "--date", "2026-11-21", "--dispositif", "Prépa")
			e.mustAcc(e.dir("marie"), M, "sync")
			out := e.mustAcc(e.dir("lea"), L, "sync")
			if !strings.Contains(out, "le vôtre devient ana-lopez-2") {
				t.Fatalf("same id: %s", out)
			}
			subjects = append(subjects, "fiche : ana-lopez (2026-11-20)", "fiche : ana-lopez (2026-11-21)")
			for _, c := range []string{"marie", "paul"} {
				e.mustAcc(e.dir(c), map[string]string{"marie": M, "paul": P}[c], "sync")
			}
			e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)

			// Push refused by the server (a hook): clear message, exit 3, local as it was.
			if kind != "file" {
				e.mustAcc(e.dir("marie"), M, "new", "entretien-diagnostic", "-b", "jean-dupont", "--date", "2026-11-22")
				e.mustAcc(e.dir("marie"), M, "sync")
				e.mustAcc(e.dir("paul"), P, "new", "entretien-diagnostic", "-b", "kevin-roux", "--date", "2026-11-22")
				os.WriteFile(filepath.Join(e.root, "serveur", "refuser"), nil, 0o644)
				before := e.head("paul")
				_, errs, code := e.acc(e.dir("paul"), P, "sync")
				if code != 3 || !strings.Contains(errs, "a refusé l'envoi") || !strings.Contains(errs, "lecture seule pour la maintenance") ||
					!strings.Contains(errs, "revenu à son état d'avant") {
					t.Fatalf("refused push: exit %d\n%s", code, errs)
				}
				if e.head("paul") != before {
					t.Fatal("local branch not put back after a refused push")
				}
				if _, err := os.Stat(filepath.Join(e.dir("paul"), "beneficiaires/jean-dupont/2026-11-22-entretien-diagnostic.md")); !os.IsNotExist(err) {
					t.Fatal("received file left after a refused push")
				}
				if st := e.git(e.dir("paul"), "status", "--porcelain"); st != "" {
					t.Fatalf("status after refused push: %s", st)
				}
				os.Remove(filepath.Join(e.root, "serveur", "refuser"))
				e.mustAcc(e.dir("paul"), P, "sync")
				subjects = append(subjects, "entretien-diagnostic : jean-dupont (2026-11-22)", "entretien-diagnostic : kevin-roux (2026-11-22)")
			}

			// Remote down: clear message, exit 3, nothing changed.
			e.mustAcc(e.dir("lea"), L, "new", "entretien-initial", "-b", "nadia-haddad", "--date", "2026-11-23")
			subjects = append(subjects, "entretien-initial : nadia-haddad (2026-11-23)")
			s.down()
			before = e.head("lea")
			_, errs, code = e.acc(e.dir("lea"), L, "sync")
			if code != 3 || !strings.Contains(errs, "rien n'a été modifié") {
				t.Fatalf("remote down: exit %d\n%s", code, errs)
			}
			if e.head("lea") != before {
				t.Fatal("local moved while the remote is down")
			}
			url := s.up()
			for _, c := range []string{"marie", "paul", "lea"} {
				e.git(e.dir(c), "config", "remote.origin.url", url)
			}
			for _, c := range []string{"lea", "marie", "paul"} {
				e.mustAcc(e.dir(c), map[string]string{"marie": M, "paul": P, "lea": L}[c], "sync")
			}
			e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)

			// Interrupted sync: killed while the server works on the push (and, over
			// http, while fetching), then run again.
			if kind != "file" {
				e.mustAcc(e.dir("marie"), M, "new", "entretien-diagnostic", "-b", "nadia-haddad", "--date", "2026-11-24")
				e.mustAcc(e.dir("marie"), M, "sync")
				e.mustAcc(e.dir("paul"), P, "new", "co-elaboration", "-b", "kevin-roux", "--date", "2026-11-24")
				subjects = append(subjects, "entretien-diagnostic : nadia-haddad (2026-11-24)", "co-elaboration : kevin-roux (2026-11-24)")
				started := filepath.Join(e.root, "serveur", "hook-demarre")
				os.WriteFile(filepath.Join(e.root, "serveur", "ralentir"), nil, 0o644)
				e.killDuring(e.dir("paul"), P, func() bool { _, err := os.Stat(started); return err == nil })
				os.Remove(filepath.Join(e.root, "serveur", "ralentir"))
				time.Sleep(2200 * time.Millisecond) // let the server's receive-pack finish or give up
				e.mustAcc(e.dir("paul"), P, "sync")
				if kind == "http" {
					e.mustAcc(e.dir("lea"), L, "new", "entretien-diagnostic", "-b", "jean-dupont", "--date", "2026-11-25")
					subjects = append(subjects, "entretien-diagnostic : jean-dupont (2026-11-25)")
					s.slow.Store(400)
					e.killDuring(e.dir("lea"), L, func() bool {
						select {
						case <-s.seen:
							return true
						default:
							return false
						}
					})
					s.slow.Store(0)
					e.mustAcc(e.dir("lea"), L, "sync")
				}
				for _, c := range []string{"marie", "lea", "paul", "marie"} {
					e.mustAcc(e.dir(c), map[string]string{"marie": M, "paul": P, "lea": L}[c], "sync")
				}
				e.checkAll(s, []string{"marie", "paul", "lea"}, subjects)
			}
		})
	}
}

// killDuring starts acc sync in dir and kills it (SIGKILL) as soon as ready() says so.
func (e *e2e) killDuring(dir, who string, ready func() bool) {
	e.t.Helper()
	cmd := exec.Command("acc", "sync")
	cmd.Dir = dir
	cmd.Env = e.env(who)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for !ready() {
		select {
		case err := <-done:
			e.t.Fatalf("acc sync ended before it could be killed (%v):\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			e.t.Fatal("acc sync never reached the point where it is killed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// TestSyncWeek: three trainers on their own machines for a week, each working and
// syncing when they like; at the end, one consistent history and nobody's notes lost.
// Conflicts are resolved by keeping both texts (the trainer copies the colleague's
// lines into the document).
func TestSyncWeek(t *testing.T) {
	e := newE2E(t)
	kind := "http"
	if _, err := os.Stat(filepath.Join(strings.TrimSpace(e.git(e.root, "--exec-path")), "git-http-backend")); err != nil {
		kind = "file"
	}
	s := e.startServer(kind)
	names := []string{"Marie Martin", "Paul Durand", "Léa Bernard"}
	dirs := []string{"marie", "paul", "lea"}
	e.mustAcc(e.root, names[0], "init", "marie", "--organisation", "Centre Test", "--remote", s.url)
	e.mustAcc(e.root, names[1], "clone", s.url, "paul")
	e.mustAcc(e.root, names[2], "clone", s.url, "lea")
	seed := uint64(2026)
	if v, err := strconv.ParseUint(os.Getenv("ACC_TEST_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	notes := map[string]bool{} // every note a trainer recorded
	var subjects []string
	ids := map[int][]string{}
	conflicts := 0
	for day := 0; day < 7; day++ {
		date := fmt.Sprintf("2026-11-%02d", 16+day)
		for turn := 0; turn < 8; turn++ {
			i := rng.IntN(3)
			who, dir := names[i], dirs[i]
			d := e.dir(dir)
			switch op := rng.IntN(5); {
			case op == 0 || len(ids[i]) == 0:
				name := fmt.Sprintf("Personne %c%d", 'A'+rune(i), len(ids[i]))
				out := strings.TrimSpace(e.mustAcc(d, who, "new", "beneficiaire", name, "--date", date))
				id := filepath.Base(filepath.Dir(out))
				ids[i] = append(ids[i], id)
				subjects = append(subjects, fmt.Sprintf("fiche : %s (%s)", id, date))
			case op == 1:
				id := ids[i][rng.IntN(len(ids[i]))]
				if _, _, code := e.acc(d, who, "new", "entretien-suivi", "-b", id, "--date", date); code > 1 {
					t.Fatalf("acc new entretien-suivi failed")
				}
			default:
				// A note in a shared document: sometimes another trainer's beneficiary.
				j := i
				if rng.IntN(2) == 0 {
					j = rng.IntN(3)
				}
				if len(ids[j]) == 0 {
					continue
				}
				id := ids[j][rng.IntN(len(ids[j]))]
				doc := filepath.Join("beneficiaires", id, "fiche.md")
				if _, err := os.Stat(filepath.Join(d, doc)); err != nil {
					continue // not received yet
				}
				note := fmt.Sprintf("Note %s jour %d tour %d.", dir, day, turn)
				e.appendTo(dir, doc, note)
				msg := "Note : " + note
				if _, errs, code := e.acc(d, who, "commit", "-m", msg); code > 1 {
					t.Fatalf("acc commit: %s", errs)
				}
				notes[note] = true
				subjects = append(subjects, msg)
			}
			if rng.IntN(2) == 0 {
				conflicts += e.syncResolving(dir, who)
			}
		}
	}
	for round := 0; round < 2; round++ {
		for i := range dirs {
			conflicts += e.syncResolving(dirs[i], names[i])
		}
	}
	e.checkAll(s, dirs, subjects)
	final := map[string]bool{}
	filepath.WalkDir(filepath.Join(e.dir("marie"), "beneficiaires"), func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			data, _ := os.ReadFile(p)
			for _, l := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(l, "Note ") {
					final[l] = true
				}
			}
		}
		return nil
	})
	var lost []string
	for n := range notes {
		if !final[n] {
			lost = append(lost, n)
		}
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Fatalf("notes lost: %v", lost)
	}
	t.Logf("%s (graine %d) : %d notes, %d commits, %d conflits résolus", kind, seed, len(notes), len(subjects), conflicts)
}

// syncResolving syncs; on a conflict, the trainer copies the colleague's new lines
// into each document and resumes. It returns the number of conflicts met.
func (e *e2e) syncResolving(dir, who string) int {
	e.t.Helper()
	d := e.dir(dir)
	n := 0
	args := []string{"sync"}
	for attempt := 0; attempt < 5; attempt++ {
		out, errs, code := e.acc(d, who, args...)
		switch code {
		case 0:
			return n
		case 1:
		default:
			e.t.Fatalf("%s: acc %v: exit %d\n%s%s", dir, args, code, out, errs)
		}
		n++
		for _, line := range strings.Split(errs, "\n") {
			l := strings.TrimSpace(line)
			if !strings.HasPrefix(l, "beneficiaires/") || !strings.HasSuffix(l, ".md") {
				continue
			}
			mine, _ := os.ReadFile(filepath.Join(d, l))
			theirs, err := os.ReadFile(filepath.Join(d, "conflits", l))
			if err != nil {
				continue
			}
			have := map[string]bool{}
			for _, x := range strings.Split(string(mine), "\n") {
				have[x] = true
			}
			merged := string(mine)
			for _, x := range strings.Split(string(theirs), "\n") {
				if strings.HasPrefix(x, "Note ") && !have[x] {
					merged += "\n" + x + "\n"
				}
			}
			if err := os.WriteFile(filepath.Join(d, l), []byte(merged), 0o600); err != nil {
				e.t.Fatal(err)
			}
		}
		args = []string{"sync", "--resume"}
	}
	e.t.Fatalf("%s: sync never finished", dir)
	return n
}
