//go:build unix

package gitstore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The phases of Sync, one by one, on clones of a bare repository; git judges.

// newTestRun opens tr's repository (locked for the test) and starts a sync run on it.
func newTestRun(t *testing.T, tr *trainer, opts SyncOptions) (*syncRun, *Store) {
	t.Helper()
	s := openLocked(t, tr.dir)
	h, err := s.requireLock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.clearRecords() })
	r, err := s.newSyncRun(context.Background(), h, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, s
}

// bareRev is what git says a revision of a bare repository is.
func bareRev(t *testing.T, dir, rev string) string {
	t.Helper()
	out, err := gitErr(dir, "rev-parse", "-q", "--verify", rev)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func TestSyncRunNew(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	r, s := newTestRun(t, marie, SyncOptions{Committer: marie.sig})
	if r.name != "origin" || r.branch != "refs/heads/main" || r.tracking != "refs/remotes/origin/main" ||
		r.opts.MaxAttempts != 5 || r.opts.Timeout != 5*time.Minute || r.committer.When.IsZero() || r.rcPush != r.rcFetch {
		t.Fatalf("run: name %s branch %s tracking %s attempts %d timeout %v", r.name, r.branch, r.tracking, r.opts.MaxAttempts, r.opts.Timeout)
	}
	if r.res.Remote != "origin" || r.res.URL != url || r.res.Branch != "main" {
		t.Fatalf("result: %+v", r.res)
	}
	git(t, marie.dir, "config", "remote.origin.pushurl", url+"/")
	s.loadRepoConfig()
	h, _ := s.requireLock()
	r, err := s.newSyncRun(context.Background(), h, SyncOptions{Remote: "origin", MaxAttempts: 2, Timeout: time.Second})
	if err != nil || r.rcPush == r.rcFetch || r.opts.MaxAttempts != 2 || r.opts.Timeout != time.Second {
		t.Fatalf("push URL: %v", err)
	}
	if _, err := s.newSyncRun(context.Background(), h, SyncOptions{Remote: "ailleurs"}); !errors.As(err, new(*NoRemoteError)) {
		t.Fatalf("missing remote: %v", err)
	}
	if _, err := s.newSyncRun(context.Background(), h, SyncOptions{Remote: "-x"}); err == nil || !strings.Contains(err.Error(), "nom de dépôt partagé invalide") {
		t.Fatalf("bad remote name: %v", err)
	}
}

func TestSyncRunRecover(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	const doc = "beneficiaires/x/fiche.md"
	marie.commit("x", map[string]string{doc: "base\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	marie.commit("x (marie)", map[string]string{doc: "marie\n"})
	marie.sync()
	paul.commit("x (paul)", map[string]string{doc: "paul\n"})
	if res, err := paul.syncErr(false); err != nil || res.Conflict == nil {
		t.Fatalf("no conflict to resume: %+v %v", res, err)
	}
	r, _ := newTestRun(t, paul, SyncOptions{Committer: paul.sig})
	if err := r.recover(); !errors.As(err, new(*ConflictPendingError)) {
		t.Fatalf("pending conflict without Resume: %v", err)
	}
	r.opts.Resume = true
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	remote := strings.TrimSpace(git(t, paul.dir, "rev-parse", "origin/main:"+doc))
	if !r.res.Resumed || r.seen[doc].hash.String() != remote || len(r.seen) != 1 {
		t.Fatalf("resume: resumed %v seen %v, want %s", r.res.Resumed, r.seen, remote)
	}
	if r.local != paul.rev("HEAD") || r.res.Before != r.local || r.start != r.local {
		t.Fatalf("local %s before %s start %s, HEAD %s", r.local, r.res.Before, r.start, paul.head())
	}
}

func TestSyncRunFetch(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	paul := join(t, url, "Paul Durand")
	marie.commit("m (marie)", map[string]string{"beneficiaires/m/fiche.md": "m\n"})
	marie.sync()
	r, _ := newTestRun(t, paul, SyncOptions{Committer: paul.sig})
	remote, err := r.fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	want := bareRev(t, remoteDir, "main")
	if remote.String() != want || r.res.RemoteHead != remote || paul.rev("origin/main").String() != want || r.res.EmptyRemote {
		t.Fatalf("fetch: %s, remote main %s, origin/main %s", remote, want, paul.rev("origin/main"))
	}
	if out, err := gitErr(paul.dir, "cat-file", "-e", want+"^{tree}"); err != nil {
		t.Fatalf("fetched commit unreadable: %v %s", err, out)
	}
	checkClean(t, paul.dir)
}

func TestSyncRunApplyPurgesWithout(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	r, _ := newTestRun(t, marie, SyncOptions{Committer: marie.sig})
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	remote, err := r.fetch(1)
	if err != nil {
		t.Fatal(err)
	}
	got, has, err := r.applyPurges(remote)
	if err != nil || got != remote || has != nil || r.res.Purges != 0 || r.sweep || r.start != r.local {
		t.Fatalf("no erasure: remote %s→%s has %v purges %d err %v", remote, got, has, r.res.Purges, err)
	}
	if got, has, err := r.applyPurges(Hash{}); err != nil || !got.IsZero() || has != nil {
		t.Fatalf("empty remote: %s %v %v", got, has, err)
	}
}

func TestSyncRunApplyPurges(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont (2026-11-02)", map[string]string{"beneficiaires/jean-dupont/fiche.md": syncFiche("jean-dupont", "Jean", "Dupont")})
	marie.commit("fiche : lea-petit (2026-11-04)", map[string]string{"beneficiaires/lea-petit/fiche.md": syncFiche("lea-petit", "Léa", "Petit")})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	marie.withStore(func(s *Store) {
		if _, err := s.Purge(context.Background(), "jean-dupont", marie.sig, marie.sig); err != nil {
			t.Fatalf("purge: %v", err)
		}
	})
	marie.sync()
	r, _ := newTestRun(t, paul, SyncOptions{Committer: paul.sig})
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	before := r.local
	remote, err := r.fetch(1)
	if err != nil {
		t.Fatal(err)
	}
	got, has, err := r.applyPurges(remote)
	if err != nil || r.res.Purges == 0 || has == nil || !has[got] {
		t.Fatalf("erasure from the remote not applied: purges %d has %d err %v", r.res.Purges, len(has), err)
	}
	if r.local == before || r.local != paul.rev("HEAD") || r.start != r.local {
		t.Fatalf("local %s (was %s), HEAD %s, start %s", r.local, before, paul.head(), r.start)
	}
	if out := git(t, paul.dir, "log", "--format=%H", "HEAD", "--", "beneficiaires/jean-dupont"); strings.TrimSpace(out) != "" {
		t.Fatalf("the erased person is still in Paul's history:\n%s", out)
	}
	checkClean(t, paul.dir)
}

// divergedRun returns a run on Paul's side whose history diverged from Marie's
// (pushed), fetched and recovered.
func divergedRun(t *testing.T, marieFiles, paulFiles map[string]string) (*syncRun, *trainer, string, Hash) {
	t.Helper()
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("base", map[string]string{"beneficiaires/x/fiche.md": "base\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	marie.commit("marie", marieFiles)
	marie.sync()
	paul.commit("paul", paulFiles)
	r, _ := newTestRun(t, paul, testSyncOptions(paul.sig))
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	remote, err := r.fetch(1)
	if err != nil {
		t.Fatal(err)
	}
	return r, paul, remoteDir, remote
}

func TestSyncRunIntegrateMovePush(t *testing.T) {
	r, paul, remoteDir, remote := divergedRun(t,
		map[string]string{"beneficiaires/m/fiche.md": "m\n"},
		map[string]string{"beneficiaires/p/fiche.md": "p\n"})
	before := paul.head()
	g, in, err := r.integrate(remote)
	if err != nil || in == nil || in.kind != syncRebase {
		t.Fatalf("integrate: %+v %v", in, err)
	}
	if r.res.Received != 1 || r.res.Replayed != 1 || r.res.Fixup || paul.head() != before {
		t.Fatalf("after integrate: %+v, head moved %v", r.res, paul.head() != before)
	}
	if out, err := gitErr(paul.dir, "fsck", "--strict", "--no-dangling", "--no-progress", in.head.String()); err != nil || out != "" {
		t.Fatalf("git fsck --strict on the plan's head: %v %s", err, out)
	}
	if err := r.moveTo(in); err != nil {
		t.Fatal(err)
	}
	if paul.head() != in.head.String() || r.local != in.head || r.res.After != in.head || paul.read("beneficiaires/m/fiche.md") != "m\n" {
		t.Fatalf("move: HEAD %s, plan %s", paul.head(), in.head)
	}
	if len(r.changed) != 1 || !r.changed["beneficiaires/m/fiche.md"] {
		t.Fatalf("changed %v", r.changed)
	}
	checkClean(t, paul.dir)
	paul.linear()
	end, err := r.push(1, g, remote, remote, nil)
	if err != nil || end != roundDone || !r.res.Pushed || r.res.Sent != 1 || r.res.RemoteHead != r.local {
		t.Fatalf("push: end %d err %v %+v", end, err, r.res)
	}
	if bareRev(t, remoteDir, "main") != paul.head() || paul.rev("origin/main").String() != paul.head() {
		t.Fatal("remote or remote-tracking branch not at the pushed head")
	}
	checkBare(t, remoteDir)
	if err := r.finish(); err != nil {
		t.Fatal(err)
	}
	r.listChanged()
	if strings.Join(r.res.Changed, ",") != "beneficiaires/m/fiche.md" {
		t.Fatalf("changed: %v", r.res.Changed)
	}
}

func TestSyncRunIntegrateConflict(t *testing.T) {
	const doc = "beneficiaires/x/fiche.md"
	r, paul, _, remote := divergedRun(t, map[string]string{doc: "marie\n"}, map[string]string{doc: "paul\n"})
	before := paul.head()
	g, in, err := r.integrate(remote)
	if err != nil || g != nil || in != nil || r.res.Conflict == nil {
		t.Fatalf("conflict: plan %v err %v conflict %v", in, err, r.res.Conflict)
	}
	c := r.res.Conflict
	if paul.head() != before || bareRev(t, paul.dir, c.Branch) != before || paul.read("conflits/"+doc) != "marie\n" {
		t.Fatalf("conflict state: head %s branch %s", paul.head(), c.Branch)
	}
	if st, err := r.s.loadState(); err != nil || st == nil || st.Files[0].Path != doc {
		t.Fatalf("state: %+v %v", st, err)
	}
	checkRepo(t, paul.dir)
}

func TestSyncRunPushRemoteMoved(t *testing.T) {
	r, paul, remoteDir, remote := divergedRun(t,
		map[string]string{"beneficiaires/m/fiche.md": "m\n"},
		map[string]string{"beneficiaires/p/fiche.md": "p\n"})
	g, in, err := r.integrate(remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.moveTo(in); err != nil {
		t.Fatal(err)
	}
	stale := paul.rev("HEAD~2") // the base: the remote has moved since
	if end, err := r.push(1, g, remote, stale, nil); err != nil || end != roundAgain || r.res.Pushed {
		t.Fatalf("stale lease, first attempt: end %d err %v", end, err)
	}
	end, err := r.push(r.opts.MaxAttempts, g, remote, stale, nil)
	if end != roundStop || err == nil || !strings.Contains(err.Error(), "change sans cesse") {
		t.Fatalf("stale lease, last attempt: end %d err %v", end, err)
	}
	if bareRev(t, remoteDir, "main") != remote.String() || paul.head() != in.head.String() || r.res.RolledBack {
		t.Fatal("remote or local moved")
	}
	checkClean(t, paul.dir)
}

func TestSyncRunPushRefused(t *testing.T) {
	r, paul, remoteDir, remote := divergedRun(t,
		map[string]string{"beneficiaires/m/fiche.md": "m\n"},
		map[string]string{"beneficiaires/p/fiche.md": "p\n"})
	before := paul.head()
	// The push goes to a non-bare clone, which refuses it; the fetch still sees the remote.
	nonBare := filepath.Join(t.TempDir(), "nonbare")
	git(t, filepath.Dir(nonBare), "clone", "-q", remoteDir, nonBare)
	var err error
	if r.rcPush, err = connect("file://"+nonBare, r.s.getenv); err != nil {
		t.Fatal(err)
	}
	g, in, err := r.integrate(remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.moveTo(in); err != nil {
		t.Fatal(err)
	}
	end, err := r.push(1, g, remote, remote, nil)
	var re *RemoteError
	if end != roundStop || !errors.As(err, &re) || re.Kind != RemoteRefused || !strings.Contains(err.Error(), "dépôt nu") {
		t.Fatalf("refused push: end %d err %v", end, err)
	}
	if !r.res.RolledBack || r.res.After.String() != before || paul.head() != before || paul.read("beneficiaires/m/fiche.md") != "<absent>" {
		t.Fatalf("not put back: %+v head %s", r.res, paul.head())
	}
	if len(r.changed) != 0 {
		t.Fatalf("changed after going back: %v", r.changed)
	}
	if bareRev(t, remoteDir, "main") != remote.String() {
		t.Fatal("remote moved")
	}
	checkClean(t, paul.dir)
}

func TestSyncRunFinish(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	const x, y = "beneficiaires/x/fiche.md", "beneficiaires/y/fiche.md"
	marie.commit("x y", map[string]string{x: "base\n", y: "base\n"})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	marie.commit("x y (marie)", map[string]string{x: "marie\n", y: "marie\n"})
	marie.sync()
	paul.commit("x y (paul)", map[string]string{x: "paul\n", y: "paul\n"})
	res, err := paul.syncErr(false)
	if err != nil || res.Conflict == nil {
		t.Fatalf("no conflict: %+v %v", res, err)
	}
	branch := res.Conflict.Branch
	paul.commit("x y résolus", map[string]string{x: "paul et marie\n", y: "paul et marie\n"})
	writeFile(t, filepath.Join(paul.dir, "conflits", y), "annoté\n")
	r, _ := newTestRun(t, paul, testSyncOptions(paul.sig))
	r.opts.Resume = true
	if err := r.recover(); err != nil || r.st == nil {
		t.Fatalf("resume: %v", err)
	}
	r.unclean = []string{"refs/heads/ancienne"}
	if err := r.finish(); !errors.As(err, new(*PurgeRemoteError)) {
		t.Fatalf("unclean references not reported: %v", err)
	}
	if strings.Join(r.res.KeptBeside, ",") != "conflits/"+y {
		t.Fatalf("kept beside: %v", r.res.KeptBeside)
	}
	if st, err := r.s.loadState(); err != nil || st != nil {
		t.Fatalf("state left: %+v %v", st, err)
	}
	if paul.read("conflits/"+x) != "<absent>" || paul.read("conflits/"+y) != "annoté\n" {
		t.Fatal("remote versions beside: the unchanged one must go, the annotated one stay")
	}
	if bareRev(t, paul.dir, "refs/heads/"+branch) != "" {
		t.Fatal("conflict branch left")
	}
	checkRepo(t, paul.dir)
}
