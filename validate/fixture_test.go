package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
)

// The test fixture: one beneficiary, jean-dupont, whose case is clean on
// fixtureToday. Each rule's test breaks it in one place.

var fixtureToday = date("2026-06-01")

func date(s string) time.Time {
	t, err := casefile.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	jd        = "beneficiaires/jean-dupont/"
	pFiche    = jd + "fiche.md"
	pInitial  = jd + "2026-01-05-entretien-initial.md"
	pDiag     = jd + "2026-01-12-entretien-diagnostic.md"
	pCoElab   = jd + "2026-01-19-co-elaboration.md"
	pContract = jd + "2026-01-26-contractualisation.md"
	pSuivi1   = jd + "2026-03-02-entretien-suivi.md"
	pSuivi2   = jd + "2026-04-13-entretien-suivi.md"
	pSuivi3   = jd + "2026-05-25-entretien-suivi.md"
)

// doc writes a document: the frontmatter, a title and the sections, each
// with a line of text.
func doc(front string, sections ...string) string {
	var b strings.Builder
	b.WriteString("---\n" + front + "---\n\n# Compte rendu\n")
	for _, s := range sections {
		fmt.Fprintf(&b, "\n## %s\n\nDes faits observés, datés.\n", s)
	}
	return b.String()
}

func head(typ, date, extra string) string {
	return "type: " + typ + "\nbeneficiaire: jean-dupont\ndate: " + date +
		"\nformateur: Marie Martin\nstatut: finalise\nobjectif_entretien: \"Un objectif vérifiable.\"\n" + extra
}

var evaluation = "evaluation:\n  autonomie: 3\n  interactions: 4\n"

func cleanCase() map[string]string {
	return map[string]string{
		"acc.yaml": "organisation: Centre de test\n",
		pFiche: "---\ntype: fiche\nid: jean-dupont\nprenom: Jean\nnom: Dupont\ndate_entree: 2026-01-05\n" +
			"formateur_referent: Marie Martin\nstatut: en-cours\n---\n\n# Jean Dupont\n",
		pInitial: doc(head("entretien-initial", "2026-01-05", "information_rgpd: 2026-01-05\n"),
			"Introduction", "Déroulement", "Attentes du bénéficiaire", "Présentation du dispositif",
			"Objectifs à court et moyen terme", "Conclusion"),
		pDiag: doc(head("entretien-diagnostic", "2026-01-12",
			"duree_minutes: 60\nfreins:\n  mobilite: 2\n  logement: 0\nbesoin_compensation: false\n"),
			"Introduction", "Déroulement", "Compétences", "Freins", "Moteurs et ressources", "Conclusion"),
		pCoElab: doc(head("co-elaboration", "2026-01-19", "objectifs:\n"+
			"  - id: O1\n    intitule: \"Obtenir le code de la route\"\n    indicateur: \"Examen réussi\"\n    echeance: 2026-09-30\n"+
			"    actions:\n      - libelle: \"S'inscrire à l'auto-école\"\n        echeance: 2026-07-01\n        responsable: beneficiaire\n        fait: false\n"+
			"  - id: O2\n    intitule: \"Faire un CV\"\n    indicateur: \"CV relu\"\n    echeance: 2026-02-28\n"),
			"Introduction", "Déroulement", "Plan d'action", "Conclusion"),
		pContract: doc(head("contractualisation", "2026-01-26",
			"engagements:\n  beneficiaire:\n    - \"Venir aux entretiens\"\n  formateur:\n    - \"Recevoir Jean chaque mois\"\n"+
				"objectifs_retenus: [O1, O2]\nsigne_le: 2026-01-26\nsignataires: [\"Jean Dupont\", \"Marie Martin\"]\n"),
			"Introduction", "Déroulement", "Engagements du bénéficiaire", "Engagements du formateur", "Ressources mobilisées", "Conclusion"),
		pSuivi1: doc(head("entretien-suivi", "2026-03-02",
			"suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n  - objectif: O2\n    statut: atteint\n"+evaluation),
			"Introduction", "Déroulement", "Avancement des objectifs", "Ajustements", "Conclusion"),
		pSuivi2: doc(head("entretien-suivi", "2026-04-13",
			"suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n"+evaluation+"prochain_entretien: 2026-05-25\n"),
			"Introduction", "Déroulement", "Avancement des objectifs", "Ajustements", "Conclusion"),
		pSuivi3: doc(head("entretien-suivi", "2026-05-25",
			"suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n"+evaluation+"prochain_entretien: 2026-06-22\n"),
			"Introduction", "Déroulement", "Avancement des objectifs", "Ajustements", "Conclusion"),
	}
}

// writeRepo writes files into a new temporary repository.
func writeRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		abs := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// runRepo validates a repository with its acc.yaml.
func runRepo(t testing.TB, root string, today time.Time, mod func(*RunOptions)) ([]Finding, []Waiver, error) {
	t.Helper()
	opts := RunOptions{Root: root, Today: today}
	if src, err := os.ReadFile(filepath.Join(root, "acc.yaml")); err == nil {
		cfg, err := casefile.ParseConfig("acc.yaml", src)
		if err != nil {
			t.Fatal(err)
		}
		opts.Config = cfg
	}
	if mod != nil {
		mod(&opts)
	}
	return Check(context.Background(), opts)
}

// pos returns the line and column (in characters) of the first occurrence
// of needle in content, after the occurrence of the optional anchor.
func pos(t testing.TB, content, needle string, anchor ...string) (int, int) {
	t.Helper()
	from := 0
	for _, a := range anchor {
		i := strings.Index(content[from:], a)
		if i < 0 {
			t.Fatalf("anchor %q not found", a)
		}
		from += i + len(a)
	}
	i := strings.Index(content[from:], needle)
	if i < 0 {
		t.Fatalf("needle %q not found", needle)
	}
	off := from + i
	line := strings.Count(content[:off], "\n") + 1
	start := strings.LastIndex(content[:off], "\n") + 1
	return line, utf8.RuneCountInString(content[start:off]) + 1
}

// brief is a finding without its message, for comparisons.
type brief struct {
	Path      string
	Line, Col int
	Sev       Severity
	Rule      string
}

func (b brief) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s", b.Path, b.Line, b.Col, b.Sev.French(), b.Rule)
}

func briefs(fs []Finding) []brief {
	out := make([]brief, len(fs))
	for i, f := range fs {
		out[i] = brief{f.Path, f.Line, f.Column, f.Severity, f.Rule}
	}
	return out
}

func sortBriefs(bs []brief) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].String() < bs[j].String() })
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n\t%s:%d:%d: %s %s: %s", f.Path, f.Line, f.Column, f.Severity.French(), f.Rule, f.Message)
	}
	return b.String()
}
