//go:build unix

package gitstore

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The phases of a rebase, one by one, on histories that Marie and Paul made diverge:
// Marie's commits are pushed, Paul fetches them with git and his store plans the
// integration, as acc sync does after its fetch.

var rebaseClock = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// divergedRebaser returns a rebaser on Paul's side after diverge made both trainers
// commit (Marie's commits are pushed by the helper), with seen as the versions already
// resolved, and Paul's store (locked for the test).
func divergedRebaser(t *testing.T, seen map[string]pathEntry, diverge func(marie, paul *trainer)) (*rebaser, *trainer) {
	t.Helper()
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	marie.commit("fiche : jean-dupont créé", map[string]string{
		"beneficiaires/jean-dupont/fiche.md":                      "id: jean-dupont\nnom: Dupont\n",
		"beneficiaires/jean-dupont/2026-11-02-entretien-suivi.md": "base\n",
	})
	marie.sync()
	paul := join(t, url, "Paul Durand")
	diverge(marie, paul)
	marie.sync()
	git(t, paul.dir, "fetch", "-q", "origin")
	s := openLocked(t, paul.dir)
	s.Clock = func() time.Time { return rebaseClock }
	g := newCommitGraph(s)
	local, remote := paul.rev("HEAD"), paul.rev("origin/main")
	in, err := s.plan(g, local, remote)
	if err != nil {
		t.Fatal(err)
	}
	if in.kind != syncRebase {
		t.Fatalf("plan kind %d, want a rebase", in.kind)
	}
	if seen == nil {
		seen = map[string]pathEntry{}
	}
	ow := s.newObjectWriter()
	t.Cleanup(ow.discard)
	opts := testSyncOptions(Signature{Name: "Claire Sync", Email: "claire@exemple.org"})
	return newRebaser(s, g, ow, in, seen, &opts, opts.Committer), paul
}

func (tr *trainer) rev(name string) Hash {
	tr.t.Helper()
	h, err := ParseHash(strings.TrimSpace(git(tr.t, tr.dir, "rev-parse", name)))
	if err != nil {
		tr.t.Fatal(err)
	}
	return h
}

// blob returns what git reads for the blob of e.
func (tr *trainer) blob(e pathEntry) string {
	tr.t.Helper()
	return git(tr.t, tr.dir, "cat-file", "blob", e.hash.String())
}

func mustPhase(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPlanKinds(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	paul := join(t, url, "Paul Durand")
	marie.commit("a (marie)", map[string]string{"beneficiaires/a.md": "a\n"})
	marie.commit("b (marie)", map[string]string{"beneficiaires/b.md": "b\n"})
	paul.commit("c (paul)", map[string]string{"beneficiaires/c.md": "c\n"})
	marie.sync()
	git(t, paul.dir, "fetch", "-q", "origin")
	s := openLocked(t, paul.dir)
	g := newCommitGraph(s)
	local, remote, base := paul.rev("HEAD"), paul.rev("origin/main"), paul.rev("HEAD~1")
	count := func(rng string) int {
		var n int
		fmt.Sscan(git(t, paul.dir, "rev-list", "--count", rng), &n)
		return n
	}
	for _, c := range []struct {
		name                string
		local, remote       Hash
		kind                syncKind
		head                Hash
		localOnly, remoteOn int
	}{
		{"up to date", local, local, syncUpToDate, local, 0, 0},
		{"empty remote", local, Hash{}, syncPushOnly, local, 0, 0},
		{"unborn local", Hash{}, remote, syncFastForward, remote, 0, 0},
		{"behind", base, remote, syncFastForward, remote, 0, count("HEAD~1..origin/main")},
		{"ahead", local, base, syncPushOnly, local, count("HEAD~1..HEAD"), 0},
		{"diverged", local, remote, syncRebase, local, count("origin/main..HEAD"), count("HEAD..origin/main")},
	} {
		in, err := s.plan(g, c.local, c.remote)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if in.kind != c.kind || in.head != c.head || len(in.localOnly) != c.localOnly || len(in.remoteOnly) != c.remoteOn {
			t.Errorf("%s: kind %d head %s local %d remote %d; want %d %s %d %d", c.name, in.kind, in.head,
				len(in.localOnly), len(in.remoteOnly), c.kind, c.head, c.localOnly, c.remoteOn)
		}
		if c.kind == syncRebase && in.base != base {
			t.Errorf("%s: base %s, want %s (git merge-base)", c.name, in.base, base)
		}
	}
	if want := count("origin/main..HEAD"); want != 1 {
		t.Fatalf("fixture: %d local commits", want)
	}
}

func TestRebaserCandidates(t *testing.T) {
	seenDoc := "beneficiaires/jean-dupont/fiche.md"
	r, paul := divergedRebaser(t, map[string]pathEntry{seenDoc: {}}, func(marie, paul *trainer) {
		marie.commit("a (marie)", map[string]string{"beneficiaires/jean-dupont/a.md": "a\n"})
		paul.commit("b (paul)", map[string]string{"beneficiaires/jean-dupont/b.md": "b\n",
			"beneficiaires/jean-dupont/2026-11-02-entretien-suivi.md": "<suppr>"})
	})
	mustPhase(t, r.candidates())
	for tree, rev := range map[Hash]string{r.baseTree: "HEAD~1^{tree}", r.lTree: "HEAD^{tree}", r.rTree: "origin/main^{tree}"} {
		if tree != paul.rev(rev) {
			t.Errorf("tree %s, git says %s for %s", tree, paul.rev(rev), rev)
		}
	}
	got := sortedKeys(r.cand)
	want := []string{"beneficiaires/jean-dupont/2026-11-02-entretien-suivi.md", "beneficiaires/jean-dupont/a.md",
		"beneficiaires/jean-dupont/b.md", seenDoc}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("candidates:\n got %v\nwant %v", got, want)
	}
}

// sameNameCreations makes Marie and Paul create the same interview and the same
// beneficiary, with different contents.
func sameNameCreations(marie, paul *trainer) {
	marie.commit("suivi (marie)", map[string]string{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md": "marie\n"})
	marie.commit("lea (marie)", map[string]string{"beneficiaires/lea-petit/fiche.md": "id: lea-petit\nprenom: Léa (M)\n"})
	paul.commit("suivi (paul)", map[string]string{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md": "paul\n"})
	paul.commit("lea (paul)", map[string]string{"beneficiaires/lea-petit/fiche.md": "id: lea-petit\nprenom: Léa (P)\n",
		"beneficiaires/lea-petit/2026-11-11-entretien-initial.md": "initial P\n"})
}

func TestRebaserRelocate(t *testing.T) {
	r, paul := divergedRebaser(t, nil, sameNameCreations)
	mustPhase(t, r.candidates())
	clashes, err := r.clashes()
	mustPhase(t, err)
	if want := "[beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md beneficiaires/lea-petit/fiche.md]"; fmt.Sprint(clashes) != want {
		t.Fatalf("clashes %v, want %s", clashes, want)
	}
	if !r.exists("beneficiaires/lea-petit/") || r.exists("beneficiaires/lea-petit-2/") {
		t.Fatal("exists: wrong answer before the moves")
	}
	mustPhase(t, r.relocate())
	r.listRenames()
	want := []Rename{
		{"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md", "beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md"},
		{"beneficiaires/lea-petit/2026-11-11-entretien-initial.md", "beneficiaires/lea-petit-2/2026-11-11-entretien-initial.md"},
		{"beneficiaires/lea-petit/fiche.md", "beneficiaires/lea-petit-2/fiche.md"},
	}
	if fmt.Sprint(r.in.renamed) != fmt.Sprint(want) {
		t.Fatalf("renamed:\n got %v\nwant %v", r.in.renamed, want)
	}
	if !r.exists("beneficiaires/lea-petit-2/") {
		t.Fatal("exists: a relocated folder is not taken")
	}
	// The local side now has the files at their new names, rewritten, and not at the old.
	mustPhase(t, r.ow.sync())
	for p, content := range map[string]string{
		"beneficiaires/lea-petit-2/fiche.md":                        "id: lea-petit-2\nprenom: Léa (P)\n",
		"beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md": "paul\n",
	} {
		e, err := r.localV(p)
		mustPhase(t, err)
		if !e.present() || paul.blob(e) != content {
			t.Errorf("%s: local version %v, want %q", p, e, content)
		}
	}
	if e, err := r.localV("beneficiaires/lea-petit/fiche.md"); err != nil || e.present() {
		t.Errorf("old name still on the local side: %v %v", e, err)
	}
	if clashes, err := r.clashes(); err != nil || len(clashes) != 0 {
		t.Errorf("clashes left: %v %v", clashes, err)
	}
}

func TestRebaserRelocateDeclined(t *testing.T) {
	r, _ := divergedRebaser(t, nil, sameNameCreations)
	asked := 0
	r.opts.Relocate = func(string, func(string) bool) (string, string, bool) { asked++; return "", "", false }
	mustPhase(t, r.candidates())
	mustPhase(t, r.relocate())
	r.listRenames()
	if asked != 2 || len(r.in.renamed) != 0 || len(r.lover) != 0 {
		t.Fatalf("declined relocation moved files: asked %d, renamed %v", asked, r.in.renamed)
	}
	mustPhase(t, r.resolve())
	if len(r.in.conflicts) != 2 || !r.in.conflicts[0].Added || !r.in.conflicts[1].Added {
		t.Fatalf("conflicts %+v, want the two creations", r.in.conflicts)
	}
}

func TestRebaserResolve(t *testing.T) {
	const dir = "beneficiaires/jean-dupont/"
	r, paul := divergedRebaser(t, nil, func(marie, paul *trainer) {
		marie.commit("marie", map[string]string{dir + "fiche.md": "id: jean-dupont\nnom: Dupond\n",
			dir + "remote.md": "r\n", dir + "both.md": "same\n", dir + "2026-11-02-entretien-suivi.md": "marie\n"})
		paul.commit("paul", map[string]string{dir + "fiche.md": "id: jean-dupont\nnom: Dupontel\n",
			dir + "local.md": "l\n", dir + "both.md": "same\n", dir + "2026-11-02-entretien-suivi.md": "<suppr>"})
	})
	mustPhase(t, r.candidates())
	mustPhase(t, r.relocate())
	mustPhase(t, r.resolve())
	var got []string
	for _, c := range r.in.conflicts {
		got = append(got, fmt.Sprintf("%s added=%v localDeleted=%v remoteDeleted=%v", c.Path, c.Added, c.LocalDeleted, c.RemoteDeleted))
	}
	want := []string{
		dir + "2026-11-02-entretien-suivi.md added=false localDeleted=true remoteDeleted=false",
		dir + "fiche.md added=false localDeleted=false remoteDeleted=false",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("conflicts:\n got %v\nwant %v", got, want)
	}
	for p, content := range map[string]string{"local.md": "l\n", "remote.md": "r\n", "both.md": "same\n"} {
		e, ok := r.desired[dir+p]
		if !ok || paul.blob(e) != content {
			t.Errorf("%s: integrated version %v, want %q", p, e, content)
		}
	}
	if len(r.desired) != 3 {
		t.Errorf("integrated versions for conflicting files: %v", sortedKeys(r.desired))
	}
}

func TestRebaserReplay(t *testing.T) {
	r, paul := divergedRebaser(t, nil, func(marie, paul *trainer) {
		sameNameCreations(marie, paul)
		// A merge in Paul's history (made with git): its changes come with its parents.
		git(t, paul.dir, "checkout", "-q", "-b", "cote", "HEAD~1")
		writeFile(t, paul.dir+"/beneficiaires/jean-dupont/note.md", "note\n")
		git(t, paul.dir, "add", ".")
		git(t, paul.dir, "-c", "user.name=Paul Durand", "-c", "user.email=paul@exemple.org", "commit", "-q", "-m", "note (paul)")
		git(t, paul.dir, "checkout", "-q", "main")
		git(t, paul.dir, "-c", "user.name=Paul Durand", "-c", "user.email=paul@exemple.org", "merge", "-q", "--no-ff", "-m", "fusion", "cote")
	})
	mustPhase(t, r.candidates())
	mustPhase(t, r.relocate())
	mustPhase(t, r.resolve())
	mustPhase(t, r.replay())
	if r.in.replayed != 3 {
		t.Fatalf("replayed %d commits, want 3 (the merge skipped)", r.in.replayed)
	}
	tip := r.tip.String()
	checkRepo(t, paul.dir)
	if out, err := gitErr(paul.dir, "fsck", "--strict", "--no-dangling", "--no-progress", tip); err != nil || out != "" {
		t.Fatalf("git fsck --strict %s: %v\n%s", tip, err, out)
	}
	if got := strings.TrimSpace(git(t, paul.dir, "rev-parse", tip+"~3")); got != paul.rev("origin/main").String() {
		t.Fatalf("replay not on the remote's head: %s~3 = %s", tip, got)
	}
	if merges := strings.TrimSpace(git(t, paul.dir, "rev-list", "--merges", tip)); merges != "" {
		t.Fatalf("merge replayed: %s", merges)
	}
	log := strings.TrimSpace(git(t, paul.dir, "log", "--format=%s|%an|%cn|%cI", "-3", tip))
	wantLog := strings.Join([]string{
		"note (paul)|Paul Durand|Claire Sync|2026-11-30T09:00:00+00:00",
		"lea (paul)|Paul Durand|Claire Sync|2026-11-30T09:00:00+00:00",
		"suivi (paul)|Paul Durand|Claire Sync|2026-11-30T09:00:00+00:00",
	}, "\n")
	if log != wantLog {
		t.Fatalf("git log of the replay:\n%s\nwant\n%s", log, wantLog)
	}
	for p, want := range map[string]string{
		"beneficiaires/jean-dupont/2026-11-10-entretien-suivi.md":   "marie\n",
		"beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md": "paul\n",
		"beneficiaires/lea-petit/fiche.md":                          "id: lea-petit\nprenom: Léa (M)\n",
		"beneficiaires/lea-petit-2/fiche.md":                        "id: lea-petit-2\nprenom: Léa (P)\n",
		"beneficiaires/lea-petit-2/2026-11-11-entretien-initial.md": "initial P\n",
		"beneficiaires/jean-dupont/note.md":                         "note\n",
	} {
		if got, err := gitErr(paul.dir, "show", tip+":"+p); err != nil || got != want {
			t.Errorf("%s in the replay: %q (%v), want %q", p, got, err, want)
		}
	}
	touched := sortedKeys(r.touched)
	if len(touched) != 4 || touched[0] != "beneficiaires/jean-dupont/2026-11-10-entretien-suivi-2.md" {
		t.Errorf("touched %v", touched)
	}
	// Nothing to put right: the plan's head is the last replayed commit.
	mustPhase(t, r.fixup())
	if r.in.fixup || r.in.head != r.tip || r.tip.String() != tip {
		t.Fatalf("fix-up without reason: fixup=%v head=%s tip=%s", r.in.fixup, r.in.head, tip)
	}
}

func TestRebaserFixup(t *testing.T) {
	const doc = "beneficiaires/jean-dupont/2026-11-02-entretien-suivi.md"
	r, paul := divergedRebaser(t, nil, func(marie, paul *trainer) {
		marie.commit("suivi v2 (marie)", map[string]string{doc: "v2\n"})
		paul.commit("suivi essai (paul)", map[string]string{doc: "essai\n"})
		paul.commit("suivi annulé (paul)", map[string]string{doc: "base\n"})
	})
	mustPhase(t, r.candidates())
	mustPhase(t, r.relocate())
	mustPhase(t, r.resolve())
	mustPhase(t, r.replay())
	replayed := r.tip.String()
	if got := git(t, paul.dir, "show", replayed+":"+doc); got != "base\n" {
		t.Fatalf("the replay should bring back the old version: %q", got)
	}
	mustPhase(t, r.fixup())
	mustPhase(t, r.ow.sync()) // as Sync does once the plan is made
	head := r.in.head.String()
	if !r.in.fixup || head == replayed {
		t.Fatal("no fix-up commit")
	}
	if out, err := gitErr(paul.dir, "fsck", "--strict", "--no-dangling", "--no-progress", head); err != nil || out != "" {
		t.Fatalf("git fsck --strict %s: %v\n%s", head, err, out)
	}
	if got := git(t, paul.dir, "show", head+":"+doc); got != "v2\n" {
		t.Fatalf("fix-up: %s = %q, want the remote's v2", doc, got)
	}
	if got := strings.TrimSpace(git(t, paul.dir, "log", "-1", "--format=%P|%an|%cn|%B", head)); got != replayed+"|Claire Sync|Claire Sync|sync : versions intégrées\n\nAcc-Action: sync" {
		t.Fatalf("fix-up commit: %q", got)
	}
}
