package validate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
)

func TestLocations(t *testing.T) {
	files := cleanCase()
	files[jd+"notes.md"] = "Quelques notes.\n"                                           // neither fiche.md nor an interview name
	files[jd+"2026-05-26-entretien-suvi.md"] = files[pSuivi3]                            // a typo in the type
	files[jd+"annexe.pdf"] = "%PDF"                                                      // attachments are not case files
	files["beneficiaires/paul-martin/2026-01-05-entretien-initial.md"] = files[pInitial] // no fiche.md, wrong beneficiaire
	files["beneficiaires/lisez-moi.md"] = "Pas de NIR ici.\n"                            // outside any folder
	files["beneficiaires/Paul Durand/fiche.md"] = strings.ReplaceAll(files[pFiche], "jean-dupont", "paul-durand")
	root := writeRepo(t, files)
	outside := filepath.Join(t.TempDir(), "secret.md")
	os.WriteFile(outside, []byte("NIR 1 85 05 78 006 084 91\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(root, jd+"2026-05-27-entretien-suivi.md")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	os.Symlink(filepath.Join(root, "beneficiaires", "jean-dupont"), filepath.Join(root, "beneficiaires", "lien"))
	fs, _, err := runRepo(t, root, fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	pm := "beneficiaires/paul-martin/"
	want := []string{
		"beneficiaires/Paul Durand/fiche.md:1:1: erreur emplacement",
		"beneficiaires/Paul Durand/fiche.md:3:5: erreur emplacement",               // id paul-durand ≠ folder
		"beneficiaires/Paul Durand/fiche.md:6:14: avertissement premier-entretien", // entered in January, never met
		jd + "2026-05-26-entretien-suvi.md:1:1: erreur emplacement",
		jd + "2026-05-26-entretien-suvi.md:4:7: avertissement rythme", // the misnamed copy still counts as a follow-up
		jd + "2026-05-27-entretien-suivi.md:1:1: erreur emplacement",
		jd + "notes.md:1:1: erreur emplacement",
		jd + "notes.md:1:1: erreur frontmatter-invalide",
		"beneficiaires/lien:1:1: erreur emplacement",
		"beneficiaires/lisez-moi.md:1:1: erreur emplacement",
		pm + "2026-01-05-entretien-initial.md:3:15: erreur emplacement",
		pm + "fiche.md:1:1: erreur emplacement",
	}
	got := toStrings(briefs(fs))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:%s\nwant:\n\t%s", dump(fs), strings.Join(want, "\n\t"))
	}
	for _, f := range fs {
		if f.Path == jd+"2026-05-26-entretien-suvi.md" && f.Rule == "emplacement" && !strings.Contains(f.Message, "2026-05-26-entretien-suivi.md") {
			t.Errorf("no suggestion: %s", f.Message)
		}
	}
}

func TestPaths(t *testing.T) {
	files := cleanCase()
	replace(t, files, pDiag, "formateur: Marie Martin\n", "") // champ-manquant in pDiag
	replace(t, files, pSuivi3, "2026-06-22", "2026-05-28")    // entretien-non-documente in pSuivi3
	files["beneficiaires/paul-martin/fiche.md"] = "pas de frontmatter\n"
	root := writeRepo(t, files)
	run := func(mod func(*RunOptions)) ([]string, []string) {
		t.Helper()
		var c collector
		opts := RunOptions{Root: root, Today: fixtureToday}
		mod(&opts)
		if _, err := Run(context.Background(), opts, &c); err != nil {
			t.Fatal(err)
		}
		return toStrings(briefs(c.findings)), c.docs
	}
	// One file: its own findings and the case-level findings of its
	// beneficiary, not the other documents' own findings.
	got, docs := run(func(o *RunOptions) { o.Paths = []string{pSuivi1} })
	if strings.Join(got, ",") != pSuivi3+":14:21: avertissement entretien-non-documente" || strings.Join(docs, ",") != pSuivi1 {
		t.Errorf("one file: %v %v", got, docs)
	}
	got, docs = run(func(o *RunOptions) { o.Paths = []string{filepath.Join(root, pDiag)} })
	if len(got) != 2 || !strings.Contains(got[0], "champ-manquant") || len(docs) != 1 {
		t.Errorf("absolute path: %v %v", got, docs)
	}
	alias := filepath.Join(t.TempDir(), "alias")
	if err := os.Symlink(root, alias); err == nil {
		got, docs = run(func(o *RunOptions) { o.Paths = []string{filepath.Join(alias, pDiag)} })
		if len(got) != 2 || len(docs) != 1 || docs[0] != pDiag {
			t.Errorf("path through a symlink: %v %v", got, docs)
		}
	}
	got, docs = run(func(o *RunOptions) { o.Paths = []string{"beneficiaires/paul-martin"} })
	if len(got) != 1 || !strings.Contains(got[0], "frontmatter-invalide") || len(docs) != 1 {
		t.Errorf("folder: %v %v", got, docs)
	}
	got, docs = run(func(o *RunOptions) { o.Paths = []string{"."} })
	if len(got) != 3 || len(docs) != 9 {
		t.Errorf("root: %v %v", got, docs)
	}
	for _, bad := range []string{"../x.md", "/etc/passwd", "acc.yaml", "beneficiaires/absent", jd + "absent.md", jd} {
		bad := bad
		if bad == jd {
			bad = jd + "sub/x.md"
		}
		_, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Paths: []string{bad}}, &collector{})
		var pe *poserr.Error
		if !errors.Is(err, ErrPath) || !errors.As(err, &pe) || pe.Path != bad {
			t.Errorf("%s: err = %v, want an ErrPath at the path", bad, err)
		}
	}

	// --changed-since: the changed documents that exist, the case-level
	// rules of their beneficiaries; acc.yaml changes everything.
	got, docs = run(func(o *RunOptions) {
		o.Changed = &ChangeSet{Paths: []string{pSuivi1, jd + "2026-02-01-entretien-suivi.md", "README.md", "beneficiaires/absent/fiche.md"}}
	})
	if len(got) != 1 || strings.Join(docs, ",") != pSuivi1 {
		t.Errorf("changed: %v %v", got, docs)
	}
	got, docs = run(func(o *RunOptions) { o.Changed = &ChangeSet{Paths: []string{jd + "2026-02-01-entretien-suivi.md"}} })
	if len(got) != 1 || len(docs) != 0 {
		t.Errorf("changed, deleted file: %v %v", got, docs)
	}
	got, docs = run(func(o *RunOptions) { o.Changed = &ChangeSet{} })
	if len(got) != 0 || len(docs) != 0 {
		t.Errorf("nothing changed: %v %v", got, docs)
	}
	got, docs = run(func(o *RunOptions) { o.Changed = &ChangeSet{Paths: []string{".acc/types/atelier.yaml"}} })
	if len(got) != 3 || len(docs) != 9 {
		t.Errorf("types changed: %v %v", got, docs)
	}
}

// genRepo writes n beneficiaries, each with the fixture's documents (and
// a few problems, so that findings are streamed too).
func genRepo(t testing.TB, n int) string {
	t.Helper()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "acc.yaml"), []byte("organisation: Bench\n"), 0o644)
	base := cleanCase()
	for i := range n {
		id := fmt.Sprintf("b-%05d", i)
		dir := filepath.Join(root, "beneficiaires", id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for p, content := range base {
			if p == "acc.yaml" {
				continue
			}
			content = strings.ReplaceAll(content, "jean-dupont", id)
			if i%7 == 0 && strings.HasSuffix(p, "entretien-suivi.md") {
				content = strings.Replace(content, "statut: finalise", "statut: brouillon", 1)
			}
			if i%5 == 0 && strings.HasSuffix(p, "co-elaboration.md") {
				content = strings.Replace(content, "    indicateur: \"CV relu\"\n", "", 1)
			}
			os.WriteFile(filepath.Join(dir, filepath.Base(p)), []byte(content), 0o644)
		}
	}
	return root
}

type recorder struct{ calls []string }

func (r *recorder) Document(p string) { r.calls = append(r.calls, "D "+p) }
func (r *recorder) Finding(f Finding) {
	r.calls = append(r.calls, fmt.Sprintf("F %s:%d:%d %s %s", f.Path, f.Line, f.Column, f.Rule, f.Message))
}

// The order of the output does not depend on the number of workers, and
// the cache gives the same output without parsing.
func TestOrderAndCache(t *testing.T) {
	root := genRepo(t, 40)
	run := func(workers int, cache Cache) ([]string, Stats) {
		t.Helper()
		var r recorder
		st, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Workers: workers, Cache: cache}, &r)
		if err != nil {
			t.Fatal(err)
		}
		return r.calls, st
	}
	ref, st := run(1, nil)
	if st.Documents != 40*8 || st.Parsed != 40*8 || st.Beneficiaries != 40 {
		t.Errorf("stats %+v", st)
	}
	var findings int
	for i, c := range ref {
		if strings.HasPrefix(c, "F") {
			findings++
		}
		if i > 0 && strings.HasPrefix(c, "D") && strings.HasPrefix(ref[i-1], "D") && c[2:] < ref[i-1][2:] {
			t.Errorf("documents out of order: %s after %s", c, ref[i-1])
		}
	}
	if findings == 0 {
		t.Fatal("no findings to compare")
	}
	for _, w := range []int{2, 7} {
		if got, _ := run(w, nil); strings.Join(got, "\n") != strings.Join(ref, "\n") {
			t.Errorf("%d workers: different output", w)
		}
	}

	cache := DirCache{Dir: filepath.Join(t.TempDir(), "cache")}
	if got, st := run(3, cache); strings.Join(got, "\n") != strings.Join(ref, "\n") || st.Cached != 0 {
		t.Errorf("cold cache: different output, %+v", st)
	}
	if got, st := run(3, cache); strings.Join(got, "\n") != strings.Join(ref, "\n") || st.Parsed != 0 || st.Cached != 40*8 {
		t.Errorf("warm cache: different output, %+v", st)
	}
	// An edited document is parsed again, and only it.
	p := filepath.Join(root, "beneficiaires", "b-00003", "2026-04-13-entretien-suivi.md")
	src, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(src), "autonomie: 3", "autonomie: 9", 1)), 0o644)
	edited, st := run(3, cache)
	if st.Parsed != 1 || !strings.Contains(strings.Join(edited, "\n"), "b-00003/2026-04-13-entretien-suivi.md:") {
		t.Errorf("after an edit: %+v", st)
	}
	// A DirCache is not stamped (its files' times follow the reads they
	// record, so that they cannot prove a file's stat data): even with its
	// files dated an hour ahead, every document is read, and only the
	// changed one parsed.
	later := time.Now().Add(time.Hour)
	filepath.WalkDir(cache.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, later, later)
		}
		return nil
	})
	if got, st := run(3, cache); strings.Join(got, "\n") != strings.Join(edited, "\n") || st.Read != 40*8 || st.Parsed != 0 {
		t.Errorf("dated records: %+v", st)
	}
	os.WriteFile(p, src, 0o644) // back to the original content
	if got, st := run(3, cache); strings.Join(got, "\n") != strings.Join(ref, "\n") || st.Read != 40*8 || st.Parsed != 1 {
		t.Errorf("edited after the record: %+v", st)
	}
	// Other settings: everything is checked again.
	s := withRules(casefile.DefaultRuleSettings().WithSeverity("champ-invalide", Warning))
	var r recorder
	st, _ = Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Cache: cache, Settings: s}, &r)
	if st.Cached != 0 {
		t.Errorf("settings changed, cache used: %+v", st)
	}
	// A broken record is a miss, not an error.
	os.WriteFile(cache.file("b-00001"), []byte("garbage"), 0o600)
	if got, _ := run(2, cache); strings.Contains(strings.Join(got, "\n"), "autonomie: 9") {
		t.Error("?")
	}
	if err := cache.Forget("b-00001"); err != nil {
		t.Error(err)
	}
}

func TestContextCancel(t *testing.T) {
	root := genRepo(t, 30)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, RunOptions{Root: root, Today: fixtureToday}, &collector{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

// A document freshly written from each template (acc new) has no finding
// of its own, and a missed interview with its relance needs nothing else.
func TestNewDocumentsValidate(t *testing.T) {
	reg := templates.Builtin()
	files := map[string]string{"acc.yaml": "organisation: X\n"}
	fiche, err := reg.Render("fiche", templates.Data{Beneficiaire: "jean-dupont", Date: "2026-05-30", Formateur: "Marie Martin", Prenom: "Jean", Nom: "Dupont"})
	if err != nil {
		t.Fatal(err)
	}
	files[pFiche] = string(fiche)
	for _, typ := range reg.Types() {
		src, err := reg.Render(typ.Name, templates.Data{Beneficiaire: "jean-dupont", Date: "2026-05-30", Formateur: "Marie Martin"})
		if err != nil {
			t.Fatal(err)
		}
		files[jd+"2026-05-30-"+typ.Name+".md"] = string(src)
	}
	files[jd+"2026-05-31-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-05-31", "presence: absent\nrelance: 2026-06-01\n"))
	files[jd+"2026-06-01-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-06-01", "presence: excuse\nstatut_note: x\n"))
	fs, _, err := runRepo(t, writeRepo(t, files), date("2026-06-01"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		switch f.Rule {
		case "sequence", "rythme", "decrochage":
			continue // case-level: six interviews on one day
		case "champ-inconnu":
			if strings.Contains(f.Message, "statut_note") {
				continue
			}
		}
		t.Errorf("%s:%d:%d: %s %s", f.Path, f.Line, f.Column, f.Rule, f.Message)
	}
}

// An organisation's own type is validated from its definition, with no
// code change; its choices are matched ignoring accents too (numérique is
// numerique).
func TestCustomType(t *testing.T) {
	files := cleanCase()
	files[".acc/types/atelier-collectif.yaml"] = `nom: atelier-collectif
libelle: Atelier collectif
phase: accompagnement
objectif: "Travailler en groupe une compétence transversale."
sections:
  - titre: Thème
  - titre: Participation
champs:
  theme: { type: texte, requis: finalise }
  support: { type: choix, valeurs: [papier, numerique] }
`
	p := jd + "2026-05-26-atelier-collectif.md"
	files[p] = doc(head("atelier-collectif", "2026-05-26", "support: numérique\n"), "Introduction", "Déroulement", "Thème", "Conclusion")
	root := writeRepo(t, files)
	reg, err := templates.Load(filepath.Join(root, ".acc"))
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := runRepo(t, root, fixtureToday, func(o *RunOptions) { o.Registry = reg })
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		first(p, Error, "champ-manquant"),
		first(p, Error, "section-manquante"),
		at(t, files, p, Warning, "rythme", "2026-05-26"), // one day after the last follow-up
	}
	got := briefs(fs)
	sortBriefs(got)
	sortBriefs(want)
	if strings.Join(toStrings(got), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s", dump(fs))
	}
}

// Progress counts the folders checked, one call per folder, the last one
// saying all are done.
func TestProgress(t *testing.T) {
	files := cleanCase()
	files["beneficiaires/paul-martin/fiche.md"] = strings.ReplaceAll(files[pFiche], "jean-dupont", "paul-martin")
	files["beneficiaires/ana-lima/fiche.md"] = strings.ReplaceAll(files[pFiche], "jean-dupont", "ana-lima")
	root := writeRepo(t, files)
	var calls [][2]int
	opts := RunOptions{Root: root, Today: fixtureToday, Workers: 2,
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}
	var c collector
	if _, err := Run(context.Background(), opts, &c); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{1, 3}, {2, 3}, {3, 3}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
}
