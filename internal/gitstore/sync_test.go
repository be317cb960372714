//go:build unix

package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// trainer is one clone of a shared bare repository, as a trainer's machine.
type trainer struct {
	t    testing.TB
	name string
	dir  string
	sig  Signature
}

// newRemote makes a bare repository whose HEAD is main; it returns its file:// URL.
func newRemote(t testing.TB) (dir, url string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "partage.git")
	git(t, filepath.Dir(dir), "init", "-q", "--bare", "-b", "main", dir)
	return dir, "file://" + dir
}

// firstTrainer creates the team's repository with one commit and publishes it.
func firstTrainer(t testing.TB, url, name string) *trainer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), strings.ToLower(strings.Fields(name)[0]))
	git(t, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	tr := &trainer{t: t, name: name, dir: dir, sig: Signature{Name: name, Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@exemple.org"}}
	tr.commit("init : dépôt", map[string]string{"acc.yaml": "organisation: Test\n", "beneficiaires/.gitkeep": ""})
	tr.withStore(func(s *Store) {
		if err := s.AddRemote("origin", url, "main"); err != nil {
			t.Fatal(err)
		}
	})
	if res := tr.sync(); !res.Pushed || !res.EmptyRemote {
		t.Fatalf("first push: %+v", res)
	}
	return tr
}

// join clones the shared repository for another trainer.
func join(t testing.TB, url, name string) *trainer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), strings.ToLower(strings.Fields(name)[0]))
	sig := Signature{Name: name, Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@exemple.org"}
	s, res, err := Clone(context.Background(), url, dir, CloneOptions{Committer: sig})
	if err != nil {
		t.Fatalf("Clone: %v", err)
	}
	_ = s
	if res.EmptyRemote {
		t.Fatal("clone of a non-empty remote says empty")
	}
	return &trainer{t: t, name: name, dir: dir, sig: sig}
}

func (tr *trainer) withStore(fn func(s *Store)) {
	tr.t.Helper()
	s, err := Open(tr.dir)
	if err != nil {
		tr.t.Fatal(err)
	}
	s.Erasure = testPolicy
	unlock, err := s.Lock(context.Background(), 5*time.Second, nil)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer unlock()
	fn(s)
}

func (tr *trainer) commit(subject string, files map[string]string) Hash {
	tr.t.Helper()
	var id Hash
	tr.withStore(func(s *Store) {
		var changes []Change
		for p, c := range files {
			if c == "<suppr>" {
				changes = append(changes, Change{Path: p, Delete: true})
			} else {
				changes = append(changes, Change{Path: p, Content: []byte(c)})
			}
		}
		sig := tr.sig
		sig.When = time.Now()
		var err error
		id, err = s.Commit(context.Background(), changes, subject+"\n\nAcc-Action: new\n", sig, sig)
		if err != nil {
			tr.t.Fatalf("%s: commit %s: %v", tr.name, subject, err)
		}
	})
	return id
}

func testSyncOptions(sig Signature) SyncOptions {
	return SyncOptions{
		Committer: sig,
		Relocate: func(p string, exists func(string) bool) (string, string, bool) {
			dir, base := filepath.Split(p)
			if base == "fiche.md" {
				id := filepath.Base(dir)
				for n := 2; ; n++ {
					nd := fmt.Sprintf("beneficiaires/%s-%d/", id, n)
					if !exists(nd) {
						return dir, nd, true
					}
				}
			}
			if strings.HasSuffix(base, ".md") {
				for n := 2; ; n++ {
					np := dir + strings.TrimSuffix(base, ".md") + fmt.Sprintf("-%d.md", n)
					if !exists(np) {
						return p, np, true
					}
				}
			}
			return "", "", false
		},
		Rewrite: func(from, to string, content []byte) []byte {
			oldID, newID := strings.Split(from, "/")[1], strings.Split(to, "/")[1]
			if oldID == newID {
				return content
			}
			return []byte(strings.ReplaceAll(string(content), "id: "+oldID+"\n", "id: "+newID+"\n"))
		},
		FixupMessage: func(paths []string) string {
			return "sync : versions intégrées\n\nAcc-Action: sync\n"
		},
	}
}

func (tr *trainer) syncErr(resume bool) (*SyncResult, error) {
	tr.t.Helper()
	var res *SyncResult
	var err error
	tr.withStore(func(s *Store) {
		o := testSyncOptions(tr.sig)
		o.Resume = resume
		res, err = s.Sync(context.Background(), o)
	})
	return res, err
}

func (tr *trainer) sync() *SyncResult {
	tr.t.Helper()
	res, err := tr.syncErr(false)
	if err != nil {
		tr.t.Fatalf("%s: sync: %v", tr.name, err)
	}
	if res.Conflict != nil {
		tr.t.Fatalf("%s: unexpected conflict: %+v", tr.name, res.Conflict)
	}
	return res
}

func (tr *trainer) head() string {
	return strings.TrimSpace(git(tr.t, tr.dir, "rev-parse", "HEAD"))
}

func (tr *trainer) subjects() []string {
	out := strings.TrimSpace(git(tr.t, tr.dir, "log", "--format=%s", "HEAD"))
	return strings.Split(out, "\n")
}

func (tr *trainer) read(p string) string {
	data, err := os.ReadFile(filepath.Join(tr.dir, filepath.FromSlash(p)))
	if err != nil {
		return "<absent>"
	}
	return string(data)
}

// checkSubjects fails unless every subject appears in the trainer's history.
func (tr *trainer) checkSubjects(want ...string) {
	tr.t.Helper()
	have := map[string]int{}
	for _, s := range tr.subjects() {
		have[s]++
	}
	for _, w := range want {
		if have[w] == 0 {
			tr.t.Errorf("%s: commit %q missing from history %q", tr.name, w, tr.subjects())
		}
	}
}

func checkBare(t testing.TB, dir string) {
	t.Helper()
	if out, err := gitErr(dir, "fsck", "--strict", "--no-dangling", "--no-progress"); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("git fsck --strict on the remote: %v\n%s", err, out)
	}
}

// linear fails if the history has a merge.
func (tr *trainer) linear() {
	tr.t.Helper()
	if out := strings.TrimSpace(git(tr.t, tr.dir, "rev-list", "--merges", "HEAD")); out != "" {
		tr.t.Fatalf("%s: merges in history: %s", tr.name, out)
	}
}

func TestSyncDivergedDifferentFiles(t *testing.T) {
	for _, order := range []string{"paul-first", "marie-first"} {
		t.Run(order, func(t *testing.T) {
			remoteDir, url := newRemote(t)
			marie := firstTrainer(t, url, "Marie Martin")
			paul := join(t, url, "Paul Durand")
			checkClean(t, paul.dir)
			if paul.read("acc.yaml") != "organisation: Test\n" {
				t.Fatalf("clone content: %q", paul.read("acc.yaml"))
			}
			marie.commit("fiche : jean-dupont créé", map[string]string{"beneficiaires/jean-dupont/fiche.md": "id: jean-dupont\n"})
			marie.commit("entretien : jean-dupont", map[string]string{"beneficiaires/jean-dupont/2026-11-03-entretien-initial.md": "initial\n"})
			paul.commit("fiche : lea-petit créé", map[string]string{"beneficiaires/lea-petit/fiche.md": "id: lea-petit\n"})
			paul.commit("suivi : lea-petit", map[string]string{"beneficiaires/lea-petit/2026-11-04-entretien-suivi.md": "suivi\n", "acc.yaml": "organisation: Test\nremote: origin\n"})
			first, second := marie, paul
			if order == "paul-first" {
				first, second = paul, marie
			}
			r1 := first.sync()
			if !r1.Pushed || r1.Replayed != 0 {
				t.Fatalf("first sync: %+v", r1)
			}
			r2 := second.sync()
			if !r2.Pushed || r2.Replayed != 2 || r2.Received != 2 || r2.Fixup {
				t.Fatalf("second sync: %+v", r2)
			}
			r3 := first.sync()
			if r3.Pushed || r3.Received != 2 {
				t.Fatalf("third sync: %+v", r3)
			}
			if marie.head() != paul.head() {
				t.Fatalf("heads differ: %s %s", marie.head(), paul.head())
			}
			for _, tr := range []*trainer{marie, paul} {
				checkClean(t, tr.dir)
				tr.linear()
				tr.checkSubjects("init : dépôt", "fiche : jean-dupont créé", "entretien : jean-dupont", "fiche : lea-petit créé", "suivi : lea-petit")
				if tr.read("acc.yaml") != "organisation: Test\nremote: origin\n" || tr.read("beneficiaires/jean-dupont/fiche.md") != "id: jean-dupont\n" {
					t.Fatalf("%s: files not integrated", tr.name)
				}
			}
			checkBare(t, remoteDir)
			// Authors and author dates are kept by the replay; the committer is who synced.
			out := git(t, second.dir, "log", "--format=%an|%cn|%s", "-n", "2")
			if !strings.Contains(out, second.name+"|"+second.name) {
				t.Fatalf("authorship: %s", out)
			}
			out = git(t, second.dir, "log", "--format=%an|%cn|%s", "-n", "4")
			if !strings.Contains(out, first.name+"|"+first.name) {
				t.Fatalf("authorship of the received commits: %s", out)
			}
		})
	}
}

func TestSyncConflictThenResume(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont créé", map[string]string{"beneficiaires/jean-dupont/fiche.md": "id: jean-dupont\nstatut: en-cours\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	const doc = "beneficiaires/jean-dupont/fiche.md"
	marie.commit("fiche : jean-dupont modifié (marie)", map[string]string{doc: "id: jean-dupont\nstatut: suspendu\n", "beneficiaires/a/fiche.md": "a\n"})
	paul.commit("fiche : jean-dupont modifié (paul)", map[string]string{doc: "id: jean-dupont\nstatut: termine\n"})
	paul.commit("fiche : b créé", map[string]string{"beneficiaires/b/fiche.md": "b\n"})
	marie.sync()
	before := paul.head()
	res, err := paul.syncErr(false)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Conflict
	if c == nil || len(c.Files) != 1 || c.Files[0].Path != doc {
		t.Fatalf("conflict: %+v", res)
	}
	f := c.Files[0]
	if f.LocalAuthors[0] != "Paul Durand" || f.RemoteAuthors[0] != "Marie Martin" || f.Beside != "conflits/"+doc {
		t.Fatalf("conflict file: %+v", f)
	}
	// Nothing moved; both versions are on disk; the local commits are on a branch.
	if paul.head() != before || paul.read(doc) != "id: jean-dupont\nstatut: termine\n" || paul.read(f.Beside) != "id: jean-dupont\nstatut: suspendu\n" {
		t.Fatalf("state after conflict: head moved or files wrong")
	}
	if got := strings.TrimSpace(git(t, paul.dir, "rev-parse", c.Branch)); got != before {
		t.Fatalf("conflict branch %s at %s, want %s", c.Branch, got, before)
	}
	checkRepo(t, paul.dir)
	// A plain sync refuses while the choice is pending.
	if _, err := paul.syncErr(false); !errors.As(err, new(*ConflictPendingError)) {
		t.Fatalf("sync with pending conflict: %v", err)
	}
	// The trainer merges by hand and records it; resume finishes.
	paul.commit("sync : conflit résolu", map[string]string{doc: "id: jean-dupont\nstatut: termine\nnote: vu avec Marie\n"})
	res, err = paul.syncErr(true)
	if err != nil || res.Conflict != nil || !res.Pushed || !res.Resumed {
		t.Fatalf("resume: %+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(paul.dir, "conflits")); !os.IsNotExist(err) {
		t.Fatalf("conflits/ left after resume: %v", err)
	}
	if out, _ := gitErr(paul.dir, "rev-parse", "--verify", "-q", c.Branch); strings.TrimSpace(out) != "" {
		t.Fatalf("conflict branch left after resume")
	}
	marie.sync()
	for _, tr := range []*trainer{marie, paul} {
		checkClean(t, tr.dir)
		tr.linear()
		tr.checkSubjects("fiche : jean-dupont modifié (marie)", "fiche : jean-dupont modifié (paul)", "fiche : b créé", "sync : conflit résolu")
		if tr.read(doc) != "id: jean-dupont\nstatut: termine\nnote: vu avec Marie\n" {
			t.Fatalf("%s: resolved version not kept: %q", tr.name, tr.read(doc))
		}
	}
	if marie.head() != paul.head() {
		t.Fatal("heads differ after resume")
	}
	// Both versions remain in the history: nothing lost.
	all := git(t, marie.dir, "log", "-p", "--format=%s", "--", doc)
	for _, v := range []string{"statut: suspendu", "statut: termine"} {
		if !strings.Contains(all, v) {
			t.Fatalf("version %q lost from history", v)
		}
	}
	checkBare(t, remoteDir)
}

func TestSyncResumeKeepingRemoteVersion(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	paul := join(t, url, "Paul Durand")
	const doc = "beneficiaires/x/notes.txt" // not relocatable: a conflict
	marie.commit("x (marie)", map[string]string{doc: "marie\n"})
	paul.commit("x (paul)", map[string]string{doc: "paul\n"})
	marie.sync()
	res, err := paul.syncErr(false)
	if err != nil || res.Conflict == nil {
		t.Fatalf("%+v %v", res, err)
	}
	if !res.Conflict.Files[0].Added {
		t.Fatalf("not seen as created on both sides: %+v", res.Conflict.Files[0])
	}
	// Paul takes Marie's version: replace the file, commit, resume.
	paul.commit("sync : version de Marie gardée", map[string]string{doc: "marie\n"})
	if _, err := paul.syncErr(true); err != nil {
		t.Fatal(err)
	}
	marie.sync()
	if marie.read(doc) != "marie\n" || paul.read(doc) != "marie\n" || marie.head() != paul.head() {
		t.Fatal("remote version not kept")
	}
	checkClean(t, paul.dir)
	checkClean(t, marie.dir)
}

func TestSyncSameNameCreations(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont créé", map[string]string{"beneficiaires/jean-dupont/fiche.md": "id: jean-dupont\nnom: Dupont\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	// The same interview name on both sides, and a new beneficiary id on both sides.
	marie.commit("suivi (marie)", map[string]string{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md": "marie\n"})
	marie.commit("fiche : lea-petit créé (marie)", map[string]string{"beneficiaires/lea-petit/fiche.md": "id: lea-petit\nprenom: Léa (M)\n",
		"beneficiaires/lea-petit/2026-11-11-entretien-initial.md": "initial M\n"})
	paul.commit("suivi (paul)", map[string]string{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md": "paul\n"})
	paul.commit("fiche : lea-petit créé (paul)", map[string]string{"beneficiaires/lea-petit/fiche.md": "id: lea-petit\nprenom: Léa (P)\n",
		"beneficiaires/lea-petit/2026-11-11-entretien-initial.md": "initial P\n"})
	paul.commit("suivi lea (paul)", map[string]string{"beneficiaires/lea-petit/2026-11-20-entretien-suivi.md": "suivi P\n"})
	marie.sync()
	res := paul.sync()
	sort.Slice(res.Renamed, func(i, j int) bool { return res.Renamed[i].From < res.Renamed[j].From })
	want := []Rename{
		{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md", "beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md"},
		{"beneficiaires/lea-petit/2026-11-11-entretien-initial.md", "beneficiaires/lea-petit-2/2026-11-11-entretien-initial.md"},
		{"beneficiaires/lea-petit/2026-11-20-entretien-suivi.md", "beneficiaires/lea-petit-2/2026-11-20-entretien-suivi.md"},
		{"beneficiaires/lea-petit/fiche.md", "beneficiaires/lea-petit-2/fiche.md"},
	}
	if fmt.Sprint(res.Renamed) != fmt.Sprint(want) {
		t.Fatalf("renamed:\n got %v\nwant %v", res.Renamed, want)
	}
	marie.sync()
	for _, tr := range []*trainer{marie, paul} {
		checkClean(t, tr.dir)
		for p, want := range map[string]string{
			"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md":   "marie\n",
			"beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md": "paul\n",
			"beneficiaires/lea-petit/fiche.md":                          "id: lea-petit\nprenom: Léa (M)\n",
			"beneficiaires/lea-petit-2/fiche.md":                        "id: lea-petit-2\nprenom: Léa (P)\n",
			"beneficiaires/lea-petit-2/2026-11-11-entretien-initial.md": "initial P\n",
			"beneficiaires/lea-petit/2026-11-11-entretien-initial.md":   "initial M\n",
			"beneficiaires/lea-petit-2/2026-11-20-entretien-suivi.md":   "suivi P\n",
		} {
			if got := tr.read(p); got != want {
				t.Errorf("%s: %s = %q, want %q", tr.name, p, got, want)
			}
		}
		if got := tr.read("beneficiaires/lea-petit/2026-11-20-entretien-suivi.md"); got != "<absent>" {
			t.Errorf("%s: relocated file also left in place", tr.name)
		}
		tr.checkSubjects("suivi (marie)", "suivi (paul)", "fiche : lea-petit créé (marie)", "fiche : lea-petit créé (paul)", "suivi lea (paul)")
	}
	if marie.head() != paul.head() {
		t.Fatal("heads differ")
	}
	checkBare(t, remoteDir)
}

func TestSyncFixupWhenLocalRevertedWhatRemoteChanged(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("doc v1", map[string]string{"beneficiaires/x/fiche.md": "v1\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	marie.commit("doc v2 (marie)", map[string]string{"beneficiaires/x/fiche.md": "v2\n"})
	marie.sync()
	paul.commit("doc essai (paul)", map[string]string{"beneficiaires/x/fiche.md": "essai\n"})
	paul.commit("doc annulé (paul)", map[string]string{"beneficiaires/x/fiche.md": "v1\n"})
	res := paul.sync()
	if !res.Fixup {
		t.Fatalf("expected a fix-up commit: %+v", res)
	}
	if paul.read("beneficiaires/x/fiche.md") != "v2\n" {
		t.Fatalf("remote change lost: %q", paul.read("beneficiaires/x/fiche.md"))
	}
	paul.checkSubjects("doc v2 (marie)", "doc essai (paul)", "doc annulé (paul)", "sync : versions intégrées")
	checkClean(t, paul.dir)
}

func TestSyncRetriesWhenSomeonePushedMeanwhile(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	paul := join(t, url, "Paul Durand")
	lea := join(t, url, "Léa Bernard")
	marie.commit("marie 1", map[string]string{"beneficiaires/m/fiche.md": "m\n"})
	lea.commit("lea 1", map[string]string{"beneficiaires/l/fiche.md": "l\n"})
	pushed := false
	s, err := Open(marie.dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Erasure = testPolicy
	s.crashHook = func(step string) {
		if step == "sync-before-push" && !pushed {
			pushed = true
			lea.sync() // another trainer pushes between our fetch and our push
		}
	}
	unlock, err := s.Lock(context.Background(), 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(context.Background(), testSyncOptions(marie.sig))
	unlock()
	if err != nil || !res.Pushed || res.Attempts != 2 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	paul.sync()
	lea.sync()
	for _, tr := range []*trainer{marie, paul, lea} {
		tr.checkSubjects("marie 1", "lea 1")
		checkClean(t, tr.dir)
	}
	if marie.head() != paul.head() || paul.head() != lea.head() {
		t.Fatal("heads differ")
	}
	checkBare(t, remoteDir)
}

func TestSyncRemoteDownAndRefused(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	paul := join(t, url, "Paul Durand")
	marie.commit("marie 1", map[string]string{"beneficiaires/m/fiche.md": "m\n"})
	marie.sync()
	paul.commit("paul 1", map[string]string{"beneficiaires/p/fiche.md": "p\n"})

	// Remote down: nothing changes.
	if err := os.Rename(remoteDir, remoteDir+".off"); err != nil {
		t.Fatal(err)
	}
	before := paul.head()
	_, err := paul.syncErr(false)
	var re *RemoteError
	if !errors.As(err, &re) || re.Kind != RemoteNotFound {
		t.Fatalf("remote down: %v", err)
	}
	if paul.head() != before {
		t.Fatal("local moved although the remote is down")
	}
	checkClean(t, paul.dir)
	os.Rename(remoteDir+".off", remoteDir)

	// The remote refuses the push (a non-bare target here): everything is put back.
	nonBare := filepath.Join(t.TempDir(), "nonbare")
	git(t, filepath.Dir(nonBare), "clone", "-q", remoteDir, nonBare)
	paul.withStore(func(s *Store) {
		cfg := filepath.Join(s.CommonDir, "config")
		data, _ := os.ReadFile(cfg)
		os.WriteFile(cfg, []byte(strings.Replace(string(data), url, "file://"+nonBare, 1)), 0o644)
	})
	res, err := paul.syncErr(false)
	if !errors.As(err, &re) || re.Kind != RemoteRefused || !strings.Contains(err.Error(), "dépôt nu") || !res.RolledBack {
		t.Fatalf("refused push: %+v %v", res, err)
	}
	if paul.head() != before || paul.read("beneficiaires/m/fiche.md") != "<absent>" {
		t.Fatal("local repository not put back after a refused push")
	}
	checkClean(t, paul.dir)
}

func TestCheckRemoteURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://forge.exemple.org/centre/dossiers.git":   true,
		"ssh://git@forge.exemple.org/centre/dossiers.git": true,
		"git@forge.exemple.org:centre/dossiers.git":       true,
		"file:///srv/dossiers.git":                        true,
		"/srv/dossiers.git":                               true,
		"http://forge.exemple.org/centre/dossiers.git":    false,
		"git://forge.exemple.org/centre/dossiers.git":     false,
		"http://192.168.1.10/dossiers.git":                false,
		"http://localhost:8080/dossiers.git":              true,
		"http://127.0.0.1:8080/dossiers.git":              true,
		"git://127.0.0.1/dossiers.git":                    true,
		"http://[::1]:8080/dossiers.git":                  true,
		"ftp://forge.exemple.org/x.git":                   false,
	} {
		err := CheckRemoteURL(url)
		if (err == nil) != ok {
			t.Errorf("CheckRemoteURL(%s) = %v, want ok=%v", url, err, ok)
		}
	}
	err := CheckRemoteURL("http://marie:s3cr3t-jeton@forge.exemple.org/x.git")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "chiffré") {
		t.Fatalf("insecure URL error: %v", err)
	}
}

// TestSyncKilled kills a syncing process at each step and checks that the next sync
// finishes the job with nothing lost.
func TestSyncKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kill tests")
	}
	steps := []string{"sync-fetched", "sync-objects", "sync-journal", "sync-first-file", "sync-files", "sync-index", "sync-ref", "sync-before-push", "sync-pushed"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			remoteDir, url := newRemote(t)
			marie := firstTrainer(t, url, "Marie Martin")
			paul := join(t, url, "Paul Durand")
			marie.commit("marie 1", map[string]string{"beneficiaires/m/fiche.md": "m\n", "beneficiaires/m/2026-01-01-entretien-initial.md": "i\n"})
			marie.commit("marie 2", map[string]string{"beneficiaires/m/fiche.md": "m2\n"})
			marie.sync()
			paul.commit("paul 1", map[string]string{"beneficiaires/p/fiche.md": "p\n"})
			cmd := exec.Command(os.Args[0], "-test.run=^TestSyncHelperProcess$")
			cmd.Env = append(os.Environ(), "ACC_SYNC_HELPER="+paul.dir, "ACC_SYNC_CRASH="+step)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("helper did not die at %s: %v\n%s", step, err, out)
			}
			paul.withStore(func(*Store) {}) // the next acc command repairs what the kill left
			checkRepo(t, paul.dir)
			paul.sync()
			marie.sync()
			for _, tr := range []*trainer{marie, paul} {
				checkClean(t, tr.dir)
				tr.linear()
				tr.checkSubjects("marie 1", "marie 2", "paul 1")
				if n := strings.Count(strings.Join(tr.subjects(), "\n"), "paul 1"); n != 1 {
					t.Fatalf("%s: paul 1 appears %d times", tr.name, n)
				}
			}
			if marie.head() != paul.head() {
				t.Fatal("heads differ after the rerun")
			}
			if paul.read("beneficiaires/m/fiche.md") != "m2\n" || marie.read("beneficiaires/p/fiche.md") != "p\n" {
				t.Fatal("files not integrated after the rerun")
			}
			checkBare(t, remoteDir)
		})
	}
}

// TestSyncHelperProcess is the child of TestSyncKilled.
func TestSyncHelperProcess(t *testing.T) {
	dir := os.Getenv("ACC_SYNC_HELPER")
	if dir == "" {
		t.Skip("helper process")
	}
	step := os.Getenv("ACC_SYNC_CRASH")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Erasure = testPolicy
	s.crashHook = func(at string) {
		if at == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Hour)
		}
	}
	unlock, err := s.Lock(context.Background(), 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	sig := Signature{Name: "Paul Durand", Email: "paul@exemple.org"}
	if _, err := s.Sync(context.Background(), testSyncOptions(sig)); err != nil {
		t.Fatal(err)
	}
	fmt.Println("survived")
}

// TestCloneKilled kills acc clone at each step of its first checkout (every file of the
// branch is new) and checks that the next acc command leaves a sound repository, that a
// sync then finishes the clone, and that no temporary file stays behind.
func TestCloneKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kill tests")
	}
	steps := []string{"sync-fetched", "sync-objects", "sync-journal", "sync-first-file", "sync-files", "sync-index", "sync-ref"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			_, url := newRemote(t)
			marie := firstTrainer(t, url, "Marie Martin")
			files := map[string]string{"beneficiaires/m/fiche.md": "m\n", "beneficiaires/m/2026-01-01-entretien-initial.md": "i\n"}
			for i := range 70 { // more than 64: the checkout takes its bulk path (syncfs)
				files[fmt.Sprintf("beneficiaires/b%02d/fiche.md", i)] = fmt.Sprintf("b%d\n", i)
			}
			marie.commit("marie 1", files)
			marie.sync()
			dir := filepath.Join(t.TempDir(), "paul")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCloneHelperProcess$")
			cmd.Env = append(os.Environ(), "ACC_CLONE_HELPER="+dir, "ACC_CLONE_URL="+url, "ACC_SYNC_CRASH="+step)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("helper did not die at %s: %v\n%s", step, err, out)
			}
			paul := &trainer{t: t, name: "Paul Durand", dir: dir, sig: Signature{Name: "Paul Durand", Email: "paul@exemple.org"}}
			paul.withStore(func(*Store) {}) // the next acc command repairs what the kill left
			if _, err := os.Stat(filepath.Join(dir, ".git", "index")); err == nil {
				// An index on an unborn branch must name no file (git status would
				// show them all as added); after the branch moved, the work tree's.
				_, unborn := gitErr(dir, "rev-parse", "-q", "--verify", "HEAD")
				if out := git(t, dir, "ls-files", "--stage"); strings.TrimSpace(out) != "" && unborn != nil {
					t.Fatalf("index of an unborn branch:\n%s", out)
				}
			}
			paul.sync()
			checkClean(t, dir)
			paul.checkSubjects("init : dépôt", "marie 1")
			if paul.head() != marie.head() {
				t.Fatal("the finished clone is not at the remote's head")
			}
			for p, want := range files {
				if got := paul.read(p); got != want {
					t.Fatalf("%s = %q, want %q", p, got, want)
				}
			}
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && strings.Contains(d.Name(), ".acc-") {
					t.Errorf("stray file %s", p)
				}
				return nil
			})
		})
	}
}

// TestCloneHelperProcess is the child of TestCloneKilled.
func TestCloneHelperProcess(t *testing.T) {
	dir := os.Getenv("ACC_CLONE_HELPER")
	if dir == "" {
		t.Skip("helper process")
	}
	step := os.Getenv("ACC_SYNC_CRASH")
	crash := func(at string) {
		if at == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Hour)
		}
	}
	sig := Signature{Name: "Paul Durand", Email: "paul@exemple.org"}
	if _, _, err := Clone(context.Background(), os.Getenv("ACC_CLONE_URL"), dir, CloneOptions{Committer: sig, crashHook: crash}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("survived")
}

// TestSyncPropagatesPurge: an erasure made on one clone reaches the remote and the other
// clones, and no sync brings the person back.
func TestSyncPropagatesPurge(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont (2026-11-02)", map[string]string{
		"beneficiaires/jean-dupont/fiche.md":                        syncFiche("jean-dupont", "Jean", "Dupont"),
		"beneficiaires/jean-dupont/2026-11-03-entretien-initial.md": "---\ntype: entretien-initial\nbeneficiaire: jean-dupont\n---\nJean Dupont\n",
	})
	marie.commit("fiche : lea-petit (2026-11-04)", map[string]string{"beneficiaires/lea-petit/fiche.md": syncFiche("lea-petit", "Léa", "Petit")})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	lea := join(t, url, "Léa Bernard")
	paul.commit("note : lea-petit", map[string]string{"beneficiaires/lea-petit/2026-11-10-entretien-suivi.md": "suivi\n"})

	var rep *PurgeReport
	marie.withStore(func(s *Store) {
		var err error
		rep, err = s.Purge(context.Background(), "jean-dupont", marie.sig, marie.sig)
		if err != nil {
			t.Fatalf("purge: %v", err)
		}
	})
	if rep.Commit.IsZero() {
		t.Fatalf("no purge commit: %+v", rep)
	}
	res := marie.sync()
	if res.Purges == 0 || !res.Pushed {
		t.Fatalf("purge not pushed: %+v", res)
	}
	gone := func(dir string) {
		t.Helper()
		if out := git(t, dir, "log", "--all", "--format=%H", "--", "beneficiaires/jean-dupont"); strings.TrimSpace(out) != "" {
			t.Fatalf("%s: the erased person is still in the history:\n%s", dir, out)
		}
		if out := git(t, dir, "log", "--all", "--format=%B"); strings.Contains(out, "jean-dupont") {
			t.Fatalf("%s: the erased id is still in commit messages", dir)
		}
	}
	gone(remoteDir)
	res = paul.sync()
	if res.Purges == 0 {
		t.Fatalf("purge not applied on Paul's clone: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(paul.dir, "beneficiaires", "jean-dupont")); !os.IsNotExist(err) {
		t.Fatalf("erased folder still on Paul's disk: %v", err)
	}
	lea.sync()
	marie.sync()
	paul.sync()
	for _, tr := range []*trainer{marie, paul, lea} {
		gone(tr.dir)
		checkClean(t, tr.dir)
		tr.linear()
		tr.checkSubjects("init : dépôt", "fiche : lea-petit (2026-11-04)", "note : lea-petit")
	}
	if marie.head() != paul.head() || paul.head() != lea.head() {
		t.Fatal("heads differ after the erasure")
	}
	checkBare(t, remoteDir)
}

func syncFiche(id, prenom, nom string) string {
	return "---\ntype: fiche\nid: " + id + "\nprenom: " + prenom + "\nnom: " + nom +
		"\ndate_entree: 2026-11-02\nformateur_referent: Marie Martin\nstatut: en-cours\n---\n\n# " + prenom + " " + nom + "\n"
}
