//go:build unix

package gitstore

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The person erased in these tests, and what must disappear with them.
const (
	purgedID     = "jean-dupont"
	purgedName   = "Dupont"
	purgedSecret = "Jean garde un secret de famille très lourd"
)

func ficheOf(id, prenom, nom string) string {
	return "---\ntype: fiche\nid: " + id + "\nprenom: " + prenom + "\nnom: " + nom +
		"\ndate_entree: 2026-11-02\nformateur_referent: Marie Martin\nstatut: en-cours\n---\n\n# " + prenom + " " + nom + "\n"
}

func accMsg(subject, action string, ids ...string) string {
	m := subject + "\n\nAcc-Action: " + action + "\n"
	for _, id := range ids {
		m += "Acc-Beneficiaire: " + id + "\n"
	}
	return m
}

// buildCaseload makes a repository (case root at prefix, "" for the Git root) with the
// person to erase, two others (one whose id starts like theirs), a side branch, tags, a
// remote-tracking branch, packs and loose objects, and commits made by the git CLI too.
func buildCaseload(t *testing.T, prefix string) (dir, caseRoot string) {
	t.Helper()
	dir = newRepo(t)
	caseRoot = filepath.Join(dir, filepath.FromSlash(prefix))
	if prefix != "" {
		writeFile(t, filepath.Join(dir, "README.md"), "projet\n")
		git(t, dir, "add", "README.md")
		git(t, dir, "commit", "-q", "-m", "projet")
	}
	if err := os.MkdirAll(caseRoot, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Open(caseRoot)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(context.Background(), 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	mustCommit(t, s, accMsg("init : dépôt", "init"),
		Change{Path: "acc.yaml", Content: []byte("organisation: Test\n")},
		Change{Path: "beneficiaires/.gitkeep", Content: nil})
	mustCommit(t, s, accMsg("fiche : jean-dupont (2026-11-02)", "new", purgedID),
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte(ficheOf(purgedID, "Jean", purgedName))})
	mustCommit(t, s, accMsg("fiche : paul-martin (2026-11-02)", "new", "paul-martin"),
		Change{Path: "beneficiaires/paul-martin/fiche.md", Content: []byte(ficheOf("paul-martin", "Paul", "Martin"))})
	mustCommit(t, s, accMsg("fiche : jean-dupont-2 (2026-11-03)", "new", "jean-dupont-2"),
		Change{Path: "beneficiaires/jean-dupont-2/fiche.md", Content: []byte(ficheOf("jean-dupont-2", "Jeanne", "Durand"))})
	mustCommit(t, s, accMsg("entretien-initial : jean-dupont (2026-11-03)", "new", purgedID),
		Change{Path: "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md", Content: []byte("---\ntype: entretien-initial\n---\n\n## Déroulement\n\n" + purgedSecret + ".\n")})
	// Everything so far goes into a pack.
	git(t, dir, "gc", "-q")
	mustCommit(t, s, accMsg("2 documents modifiés (2 bénéficiaires)", "commit", purgedID, "paul-martin"),
		Change{Path: "beneficiaires/jean-dupont/fiche.md", Content: []byte(ficheOf(purgedID, "Jean", purgedName) + "\nSuivi renforcé.\n")},
		Change{Path: "beneficiaires/paul-martin/fiche.md", Content: []byte(ficheOf("paul-martin", "Paul", "Martin") + "\nSuivi normal.\n")})
	git(t, dir, "tag", "-a", "bilan-2026", "-m", "Bilan de l'année (dont Jean Dupont)")
	git(t, dir, "tag", "leger")
	// A commit by the git CLI whose message names the person but touches someone else.
	writeFile(t, filepath.Join(caseRoot, "beneficiaires/paul-martin/2026-11-10-entretien-suivi.md"), "---\ntype: entretien-suivi\n---\nPaul avance.\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "Suivi de Paul, relu avec M. Dupont", "-m", "Détail : rien sur jean-dupont-2.")
	// A side branch that only touches the person, merged with --no-ff.
	git(t, dir, "checkout", "-q", "-b", "cote")
	writeFile(t, filepath.Join(caseRoot, "beneficiaires/jean-dupont/2026-11-12-entretien-suivi.md"), "---\ntype: entretien-suivi\n---\n"+purgedSecret+" encore.\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "entretien-suivi : jean-dupont (2026-11-12)")
	git(t, dir, "checkout", "-q", "main")
	mustCommit(t, s, accMsg("entretien-suivi : paul-martin (2026-11-20)", "new", "paul-martin"),
		Change{Path: "beneficiaires/paul-martin/2026-11-20-entretien-suivi.md", Content: []byte("---\ntype: entretien-suivi\n---\nPaul progresse.\n")})
	git(t, dir, "merge", "-q", "--no-ff", "cote", "-m", "Fusion de la branche cote")
	// A remote-tracking branch (as after a fetch) and an acc reference.
	git(t, dir, "update-ref", "refs/remotes/origin/main", "HEAD~1")
	git(t, dir, "update-ref", "refs/acc/sauvegarde", "HEAD")
	// A staged, never committed file of someone else must survive.
	writeFile(t, filepath.Join(caseRoot, "beneficiaires/paul-martin/brouillon.md"), "brouillon de Paul\n")
	git(t, dir, "add", filepath.Join(caseRoot, "beneficiaires/paul-martin/brouillon.md"))
	// An untracked note in the person's folder.
	writeFile(t, filepath.Join(caseRoot, "beneficiaires/jean-dupont/notes.txt"), purgedSecret+" (notes)\n")
	return dir, caseRoot
}

var idToken = regexp.MustCompile(`(^|[^a-z0-9-])jean-dupont([^a-z0-9-]|$)`)

// traces returns what git and the raw bytes of .git still hold of the person.
func traces(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	look := func(where, text string) {
		if idToken.MatchString(text) {
			found = append(found, where+": id")
		}
		if strings.Contains(text, purgedName) {
			found = append(found, where+": nom")
		}
		if strings.Contains(text, purgedSecret) {
			found = append(found, where+": notes")
		}
	}
	look("git log --all -p", git(t, dir, "log", "--all", "-p", "--format=%H%n%B"))
	look("git rev-list --all --objects", git(t, dir, "rev-list", "--all", "--objects", "--reflog"))
	look("git cat-file --batch-all-objects", git(t, dir, "cat-file", "--batch-all-objects", "--batch", "--unordered"))
	look("git reflog", git(t, dir, "reflog", "--all"))
	gitDir := filepath.Join(dir, ".git")
	if _, err := os.Stat(gitDir); err != nil {
		gitDir = dir // a bare repository
	}
	_ = filepath.WalkDir(gitDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		look(p, string(data))
		// Loose objects are compressed: read them inflated too.
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if inflated, err := io.ReadAll(zr); err == nil {
				look(p+" (décompressé)", string(inflated))
			}
		}
		return nil
	})
	return found
}

// historyOf returns what git shows of a folder's history on main: dates, authors and
// patches, without commit names (they change) or subjects.
func historyOf(t *testing.T, dir, path string) string {
	return git(t, dir, "log", "--format=%at %an", "-p", "main", "--", path)
}

func TestPurge(t *testing.T) {
	for _, prefix := range []string{"", "dossiers/centre"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			dir, caseRoot := buildCaseload(t, prefix)
			rel := func(p string) string {
				if prefix == "" {
					return p
				}
				return prefix + "/" + p
			}
			// The judge can fail: before the purge, it finds the person everywhere.
			before := strings.Join(traces(t, dir), "\n")
			for _, want := range []string{"git log --all -p: id", "git log --all -p: nom", "git cat-file --batch-all-objects: notes", "git reflog: id"} {
				if !strings.Contains(before, want) {
					t.Fatalf("before the purge, %q not found; the test cannot fail:\n%s", want, before)
				}
			}
			paulBefore := historyOf(t, dir, rel("beneficiaires/paul-martin"))
			otherBefore := historyOf(t, dir, rel("beneficiaires/jean-dupont-2"))
			s := openLocked(t, caseRoot)

			plan, err := s.PlanPurge(context.Background(), purgedID)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Commits == 0 || plan.Files != 4 || len(plan.Records) != 1 || len(plan.Refs) == 0 {
				t.Fatalf("plan: %+v", plan)
			}
			if g := git(t, dir, "rev-parse", "HEAD"); strings.TrimSpace(g) != git(t, dir, "rev-parse", "main")[:40] {
				t.Fatal("plan moved HEAD")
			}

			rep, err := s.Purge(context.Background(), purgedID, testSig, testSig)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Commit.IsZero() || rep.Dropped < 3 || rep.Files != 4 || rep.Objects == 0 || rep.Packs == 0 {
				t.Errorf("report: %+v", rep)
			}
			if rep.Records[0] != plan.Records[0] {
				t.Errorf("record %s, planned %s", rep.Records[0], plan.Records[0])
			}
			if left := traces(t, dir); len(left) > 0 {
				t.Fatalf("after the purge, the person is still there:\n%s", strings.Join(left, "\n"))
			}
			fsckOK(t, dir)
			if status := git(t, dir, "status", "--porcelain", "--untracked-files=all"); !regexp.MustCompile(`^A  \S*brouillon.md\n$`).MatchString(status) {
				t.Errorf("git status after the purge:\n%s", status)
			}
			if _, err := os.Stat(filepath.Join(caseRoot, "beneficiaires", purgedID)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("folder still on disk: %v", err)
			}
			// The others' history is the same, date by date.
			if got := historyOf(t, dir, rel("beneficiaires/paul-martin")); got != paulBefore {
				t.Errorf("paul-martin's history changed:\n--- before\n%s\n--- after\n%s", paulBefore, got)
			}
			if got := historyOf(t, dir, rel("beneficiaires/jean-dupont-2")); got != otherBefore {
				t.Errorf("jean-dupont-2's history changed")
			}
			// Messages: the person's commits are gone, the shared one lost its trailer,
			// the one that named them lost its subject, jean-dupont-2 was left alone.
			log := git(t, dir, "log", "--format=%s%n%b--", "main")
			for _, want := range []string{"2 documents modifiés (2 bénéficiaires)\nAcc-Action: commit\nAcc-Beneficiaire: paul-martin\n",
				"dossier effacé\nDétail : rien sur jean-dupont-2.", "fiche : jean-dupont-2 (2026-11-03)", "purge : dossier effacé ("} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
			if strings.Contains(log, "Fusion de la branche cote") {
				t.Error("the merge of a branch that only held the person survived")
			}
			// The purge commit and its record.
			last := git(t, dir, "log", "-1", "--format=%B")
			if !strings.Contains(last, "Acc-Action: purge\nAcc-Purge: "+rep.Records[0]) {
				t.Errorf("purge commit message:\n%s", last)
			}
			records, err := s.PurgeRecords(Hash{})
			if err != nil || len(records) != 1 || records[0] != rep.Records[0] {
				t.Errorf("PurgeRecords = %v, %v", records, err)
			}
			// Tags re-created on the new history; staged work of others kept.
			if out := git(t, dir, "cat-file", "-p", "bilan-2026"); !strings.Contains(out, "dossier effacé") {
				t.Errorf("annotated tag:\n%s", out)
			}
			git(t, dir, "rev-parse", "leger", "refs/remotes/origin/main", "refs/acc/sauvegarde")
			if out := git(t, dir, "diff", "--cached", "--name-only"); !strings.Contains(out, "brouillon.md") {
				t.Errorf("staged file lost: %q", out)
			}
			// And after git gc, nothing comes back.
			git(t, dir, "gc", "-q", "--prune=now")
			if left := traces(t, dir); len(left) > 0 {
				t.Fatalf("after git gc:\n%s", strings.Join(left, "\n"))
			}
			fsckOK(t, dir)
		})
	}
}

// fsckOK asks git fsck --strict, dangling objects included: a purge leaves none.
func fsckOK(t *testing.T, dir string) {
	t.Helper()
	if out, err := gitErr(dir, "fsck", "--strict", "--dangling", "--no-progress"); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("git fsck --strict: %v\n%s", err, out)
	}
}

func TestPurgeUnknownAndRefused(t *testing.T) {
	dir, caseRoot := buildCaseload(t, "")
	s := openLocked(t, caseRoot)
	var unknown *PurgeUnknownError
	if _, err := s.Purge(context.Background(), "personne", testSig, testSig); !errors.As(err, &unknown) {
		t.Fatalf("unknown id: %v", err)
	}
	writeFile(t, filepath.Join(caseRoot, "beneficiaires/paul-martin/fiche.md"), "modifié\n")
	git(t, dir, "stash", "-q")
	var refused *PurgeRefusedError
	if _, err := s.Purge(context.Background(), purgedID, testSig, testSig); !errors.As(err, &refused) || !strings.Contains(err.Error(), "stash") {
		t.Fatalf("with a stash: %v", err)
	}
	if _, err := os.Stat(filepath.Join(caseRoot, "beneficiaires", purgedID, "fiche.md")); err != nil {
		t.Fatal("a refused purge erased something")
	}
}

// TestPurgeUntrackedOnly: a folder never committed is removed without a record.
func TestPurgeUntrackedOnly(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, accMsg("init : dépôt", "init"), Change{Path: "acc.yaml", Content: []byte("organisation: Test\n")})
	writeFile(t, filepath.Join(dir, "beneficiaires/brouillon/fiche.md"), ficheOf("brouillon", "Eve", "Brouillon"))
	reflog := git(t, dir, "reflog")
	rep, err := s.Purge(context.Background(), "brouillon", testSig, testSig)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 1 || !rep.Commit.IsZero() || len(rep.Records) != 0 || rep.Rewritten != 0 {
		t.Errorf("report: %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(dir, "beneficiaires/brouillon")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("folder left: %v", err)
	}
	// Nothing of the history held the person: the reflogs are kept.
	if got := git(t, dir, "reflog"); got != reflog || reflog == "" {
		t.Errorf("reflog changed:\n%s\n%s", reflog, got)
	}
	checkClean(t, dir)
}

// TestPurgeResumes: a purge killed after the references moved is finished by the next
// one: the record is committed and the objects pruned.
func TestPurgeResumes(t *testing.T) {
	for _, step := range []string{"purge-objects", "purge-refs", "purge-index", "purge-traces", "purge-commit"} {
		t.Run(step, func(t *testing.T) {
			dir, caseRoot := buildCaseload(t, "")
			s := openLocked(t, caseRoot)
			s.crashHook = func(at string) {
				if at == step {
					panic("killed at " + step)
				}
			}
			func() {
				defer func() { _ = recover() }()
				_, _ = s.Purge(context.Background(), purgedID, testSig, testSig)
				t.Fatal("no crash")
			}()
			s.crashHook = nil
			if !s.PendingPurge() {
				t.Fatal("no journal after the crash")
			}
			if out, err := gitErr(dir, "fsck", "--strict", "--no-dangling"); err != nil {
				t.Fatalf("fsck after the crash: %v\n%s", err, out)
			}
			rep, err := s.Purge(context.Background(), purgedID, testSig, testSig)
			if err != nil {
				t.Fatal(err)
			}
			if s.PendingPurge() {
				t.Error("journal left")
			}
			if records, _ := s.PurgeRecords(Hash{}); len(records) != 1 || records[0] != rep.Records[0] {
				t.Errorf("records after resuming: %v (report %v)", records, rep.Records)
			}
			if left := traces(t, dir); len(left) > 0 {
				t.Fatalf("after resuming:\n%s", strings.Join(left, "\n"))
			}
			fsckOK(t, dir)
		})
	}
}

// TestApplyPurges: a clone that did not take part gets the same history for what it
// shares with the purged one, loses its own commits about the person, and merges.
func TestApplyPurges(t *testing.T) {
	a, _ := buildCaseload(t, "")
	git(t, a, "commit", "-q", "-m", "brouillon de Paul")
	b := filepath.Join(t.TempDir(), "b")
	git(t, filepath.Dir(b), "clone", "-q", a, b)
	// b adds a document about the person, not yet synced.
	sb := openLocked(t, b)
	mustCommit(t, sb, accMsg("entretien-suivi : jean-dupont (2026-12-01)", "new", purgedID),
		Change{Path: "beneficiaires/jean-dupont/2026-12-01-entretien-suivi.md", Content: []byte(purgedSecret + " (clone b)\n")})

	sa := openLocked(t, a)
	rep, err := sa.Purge(context.Background(), purgedID, testSig, testSig)
	if err != nil {
		t.Fatal(err)
	}
	git(t, b, "fetch", "-q", "origin")
	fetched := strings.TrimSpace(git(t, b, "rev-parse", "origin/main"))
	fh, _ := ParseHash(fetched)
	remote, err := sb.PurgeRecords(fh)
	if err != nil || len(remote) != 1 {
		t.Fatalf("records of the fetched head: %v %v", remote, err)
	}
	local, _ := sb.PurgeRecords(Hash{})
	if len(local) != 0 {
		t.Fatalf("local records: %v", local)
	}
	got, err := sb.ApplyPurges(context.Background(), remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.IDs) != 1 || got.IDs[0] != purgedID || got.Records[0] != rep.Records[0] || !got.Commit.IsZero() {
		t.Fatalf("ApplyPurges: %+v", got)
	}
	// b's main is now a's main without the purge commit: same commits, same names.
	if bm, ap := git(t, b, "rev-parse", "main"), git(t, a, "rev-parse", "main^"); bm != ap {
		t.Errorf("b's main %s, a's main^ %s: the rewrites differ", bm, ap)
	}
	git(t, b, "merge", "-q", "--ff-only", "origin/main")
	if left := traces(t, b); len(left) > 0 {
		t.Fatalf("clone b after ApplyPurges:\n%s", strings.Join(left, "\n"))
	}
	checkRepo(t, b)
	// Again: nothing left to match.
	again, err := sb.ApplyPurges(context.Background(), remote)
	if err != nil || len(again.IDs) != 0 {
		t.Fatalf("second ApplyPurges: %+v %v", again, err)
	}
}

// TestApplyPurgesResidue: a clone made before the purge keeps the person until
// ApplyPurges; PurgeResidue says so.
func TestApplyPurgesResidue(t *testing.T) {
	a, _ := buildCaseload(t, "")
	git(t, a, "commit", "-q", "-m", "brouillon de Paul")
	old := filepath.Join(t.TempDir(), "old")
	git(t, filepath.Dir(old), "clone", "-q", a, old)
	sa := openLocked(t, a)
	rep, err := sa.Purge(context.Background(), purgedID, testSig, testSig)
	if err != nil {
		t.Fatal(err)
	}
	so := openLocked(t, old)
	res, err := so.PurgeResidue(context.Background(), rep.Records)
	if err != nil || len(res) != 1 {
		t.Fatalf("PurgeResidue in a clone made before: %v %v", res, err)
	}
	if _, err := so.ApplyPurges(context.Background(), rep.Records); err != nil {
		t.Fatal(err)
	}
	if res, _ := so.PurgeResidue(context.Background(), rep.Records); len(res) != 0 {
		t.Fatalf("residue after ApplyPurges: %v", res)
	}
	if left := traces(t, old); len(left) > 0 {
		t.Fatalf("old clone after ApplyPurges:\n%s", strings.Join(left, "\n"))
	}
}

func TestScrubber(t *testing.T) {
	sc := newScrubber(testPolicy, map[string]bool{"jean-dupont": true}, [][2]string{{"Jean", "Dupont"}, {"Jean", "Du Pont-Aven"}},
		map[string]bool{"jean-dupont": true, "jean-dupont-2": true, "paul-martin": true})
	for text, want := range map[string]bool{
		"fiche : jean-dupont (2026-11-02)":     true,
		"Acc-Beneficiaire: jean-dupont":        true,
		"Acc-Beneficiaire: jean-dupont-2":      false,
		"relu avec M. DUPONT":                  true,
		"Dupont Jean absent":                   true,
		"Jean est venu":                        false,
		"Le pont d'Avignon":                    false,
		"Jean du Pont-Aven":                    true,
		"fiche : paul-martin":                  false,
		"Élodie a vu jean-dupont-2 et Jeanne.": false,
	} {
		if got := sc.mentions(text); got != want {
			t.Errorf("mentions(%q) = %v, want %v", text, got, want)
		}
	}
	msg := "entretien : jean-dupont\n\nCorps sur paul-martin.\nLigne sur Dupont.\n\nAcc-Action: new\nAcc-Beneficiaire: jean-dupont\nAcc-Beneficiaire: paul-martin\n"
	got, changed := sc.scrub(msg)
	want := "dossier effacé\n\nCorps sur paul-martin.\n\nAcc-Action: new\nAcc-Beneficiaire: paul-martin\n"
	if !changed || got != want {
		t.Errorf("scrub:\n%q\nwant\n%q", got, want)
	}
	if same, changed := sc.scrub("fiche : paul-martin\n\nAcc-Action: new\n"); changed || same != "fiche : paul-martin\n\nAcc-Action: new\n" {
		t.Errorf("scrub changed an unrelated message: %q", same)
	}
}

func TestMergePurgeRecords(t *testing.T) {
	a := formatRecords([]string{strings.Repeat("a", 64), strings.Repeat("c", 64)})
	b := formatRecords([]string{strings.Repeat("b", 64), strings.Repeat("a", 64)})
	got := parseRecords(MergePurgeRecords(a, b))
	if strings.Join(got, ",") != strings.Repeat("a", 64)+","+strings.Repeat("b", 64)+","+strings.Repeat("c", 64) {
		t.Errorf("merged: %v", got)
	}
	if string(MergePurgeRecords(a, b)) != string(MergePurgeRecords(b, a)) {
		t.Error("the merge depends on the order")
	}
	if len(parseRecords([]byte("# commentaire\nxyz\n"+strings.Repeat("A", 64)+"\n"))) != 0 {
		t.Error("invalid lines taken as records")
	}
}

// TestPurgeRefKinds: every namespace of references is rewritten or deleted as fits its
// kind. Git notes that name the person go; the others follow their commits' new names;
// a replacement of a rewritten commit goes; refs/original, refs/pull and unknown
// namespaces are rewritten like branches.
func TestPurgeRefKinds(t *testing.T) {
	dir, caseRoot := buildCaseload(t, "")
	// Paul's commit named by the git CLI ("Suivi de Paul, relu avec M. Dupont") is
	// rewritten; the acc commit before it is not.
	paulCommit := strings.TrimSpace(git(t, dir, "log", "-1", "--format=%H", "--grep=Suivi de Paul", "main"))
	firstFiche := strings.TrimSpace(git(t, dir, "log", "-1", "--format=%H", "--grep=fiche : paul-martin", "main"))
	root := strings.TrimSpace(git(t, dir, "rev-list", "--max-parents=0", "main"))
	jeanOnly := strings.TrimSpace(git(t, dir, "rev-parse", "cote"))
	const keptNote = "Paul a apporté son CV, relu le 10/11"
	const keptOld = "Note sur la fiche de Paul"
	git(t, dir, "notes", "add", "-m", keptNote, paulCommit)
	git(t, dir, "notes", "add", "-m", keptOld, root)
	git(t, dir, "notes", "add", "-m", "Appel de Jean Dupont : "+purgedSecret, firstFiche+"~1")
	git(t, dir, "notes", "--ref=revue", "add", "-m", "Relu : jean-dupont va mieux", jeanOnly)
	git(t, dir, "notes", "--ref=revue", "add", "-m", "Relu sans remarque", paulCommit)
	git(t, dir, "update-ref", "refs/original/refs/heads/main", "main")
	git(t, dir, "update-ref", "refs/pull/1/head", "cote")
	git(t, dir, "update-ref", "refs/divers/x", "main~1")
	git(t, dir, "replace", "--graft", paulCommit, firstFiche)
	other := strings.TrimSpace(git(t, dir, "commit-tree", root+"^{tree}", "-m", "init (remplacé)"))
	git(t, dir, "replace", root, other)
	if before := strings.Join(traces(t, dir), "\n"); !strings.Contains(before, "git cat-file --batch-all-objects: nom") {
		t.Fatalf("the judge cannot fail:\n%s", before)
	}
	s := openLocked(t, caseRoot)
	rep, err := s.Purge(context.Background(), purgedID, testSig, testSig)
	if err != nil {
		t.Fatal(err)
	}
	if left := traces(t, dir); len(left) > 0 {
		t.Fatalf("after the purge:\n%s", strings.Join(left, "\n"))
	}
	fsckOK(t, dir)
	moved := map[string]RefChange{}
	for _, r := range rep.Refs {
		moved[r.Name] = r
	}
	for _, name := range []string{"refs/notes/commits", "refs/notes/revue", "refs/original/refs/heads/main", "refs/pull/1/head", "refs/divers/x"} {
		if _, ok := moved[name]; !ok {
			t.Errorf("%s not rewritten: %+v", name, rep.Refs)
		}
	}
	if r := moved["refs/replace/"+paulCommit]; !r.New.IsZero() || r.Old.IsZero() {
		t.Errorf("replacement of a rewritten commit: %+v", r)
	}
	if _, ok := moved["refs/replace/"+root]; ok {
		t.Errorf("replacement of an untouched commit moved")
	}
	// The notes that did not name the person follow their commits.
	newPaul := strings.TrimSpace(git(t, dir, "log", "-1", "--format=%H", "--grep=Détail : rien sur jean-dupont-2", "main"))
	if newPaul == paulCommit || newPaul == "" {
		t.Fatalf("Paul's commit was not rewritten: %q", newPaul)
	}
	if got := strings.TrimSpace(git(t, dir, "notes", "show", newPaul)); got != keptNote {
		t.Errorf("note on the rewritten commit: %q", got)
	}
	if got := strings.TrimSpace(git(t, dir, "notes", "show", root)); got != keptOld {
		t.Errorf("note on an untouched commit: %q", got)
	}
	if got := strings.TrimSpace(git(t, dir, "notes", "--ref=revue", "show", newPaul)); got != "Relu sans remarque" {
		t.Errorf("second notes ref: %q", got)
	}
	if out := git(t, dir, "notes", "list"); strings.Count(out, "\n") != 2 {
		t.Errorf("notes left:\n%s", out)
	}
	git(t, dir, "gc", "-q", "--prune=now")
	if left := traces(t, dir); len(left) > 0 {
		t.Fatalf("after git gc:\n%s", strings.Join(left, "\n"))
	}
	fsckOK(t, dir)
}

// TestPurgeNeedsPolicy: without the domain's policy, no erasure is attempted.
func TestPurgeNeedsPolicy(t *testing.T) {
	_, caseRoot := buildCaseload(t, "")
	s := openLocked(t, caseRoot)
	s.Erasure = nil
	if _, err := s.Purge(context.Background(), purgedID, testSig, testSig); !errors.Is(err, ErrNoPurgePolicy) {
		t.Fatalf("Purge without policy: %v", err)
	}
	if _, err := os.Stat(filepath.Join(caseRoot, "beneficiaires", purgedID)); err != nil {
		t.Fatalf("something was erased: %v", err)
	}
}

// TestPurgeNeverDeletesThroughALink: beneficiaires/ made a link to a folder
// outside the work tree: the purge fails and the outside folder is untouched.
func TestPurgeNeverDeletesThroughALink(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, accMsg("init : dépôt", "init"), Change{Path: "acc.yaml", Content: []byte("organisation: Test\n")})
	outside := t.TempDir()
	canary := filepath.Join(outside, "brouillon", "fiche.md")
	writeFile(t, canary, ficheOf("brouillon", "Eve", "Brouillon"))
	if err := os.Symlink(outside, filepath.Join(dir, "beneficiaires")); err != nil {
		t.Skip(err)
	}
	if _, err := s.Purge(context.Background(), "brouillon", testSig, testSig); err == nil {
		t.Fatal("purge through a linked beneficiaires/ succeeded")
	}
	if _, err := os.Stat(canary); err != nil {
		t.Fatalf("file outside the work tree deleted: %v", err)
	}
}

// Progress is told of the history rewritten, commit by commit up to all of
// them, then of the objects repacked.
func TestPurgeProgress(t *testing.T) {
	dir, caseRoot := buildCaseload(t, "")
	s := openLocked(t, caseRoot)
	commits := strings.Count(git(t, dir, "rev-list", "--all"), "\n")
	last := map[Phase][2]int{}
	var order []Phase
	s.Progress = func(p Phase, done, total int) {
		if p == PhaseWrite {
			return // the commit of the record (TestCommitProgress)
		}
		if prev, ok := last[p]; ok && (done < prev[0] || total != prev[1]) {
			t.Errorf("phase %d went from %v to %d/%d", p, prev, done, total)
		}
		if len(order) == 0 || order[len(order)-1] != p {
			order = append(order, p)
		}
		last[p] = [2]int{done, total}
	}
	if _, err := s.Purge(context.Background(), purgedID, testSig, testSig); err != nil {
		t.Fatal(err)
	}
	if rw := last[PhaseRewrite]; rw[0] != rw[1] || rw[1] < commits {
		t.Errorf("rewrite ended at %v, %d commits reachable", rw, commits)
	}
	if rp := last[PhaseRepack]; rp[1] == 0 || rp[0] != rp[1] {
		t.Errorf("repack ended at %v", rp)
	}
	if len(order) != 2 || order[0] != PhaseRewrite || order[1] != PhaseRepack {
		t.Errorf("phases in order %v", order)
	}
}
