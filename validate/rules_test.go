package validate

import (
	"strings"
	"testing"
	"time"
)

func TestCleanCase(t *testing.T) {
	root := writeRepo(t, cleanCase())
	fs, _, err := runRepo(t, root, fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Fatalf("clean case has findings:%s", dump(fs))
	}
}

// replace edits one file of the fixture, failing when old is absent.
func replace(t *testing.T, files map[string]string, p, old, new string) {
	t.Helper()
	if !strings.Contains(files[p], old) {
		t.Fatalf("%s: %q not found", p, old)
	}
	files[p] = strings.Replace(files[p], old, new, 1)
}

func rename(files map[string]string, from, to string) {
	files[to] = files[from]
	delete(files, from)
}

type ruleCase struct {
	rule  string
	today time.Time // zero: fixtureToday
	// break edits the clean fixture; want returns the expected findings
	// on the edited files (positions computed from the text).
	edit func(t *testing.T, f map[string]string)
	want func(t *testing.T, f map[string]string) []brief
}

func at(t *testing.T, f map[string]string, p string, sev Severity, rule, needle string, anchor ...string) brief {
	t.Helper()
	l, c := pos(t, f[p], needle, anchor...)
	return brief{p, l, c, sev, rule}
}

func first(p string, sev Severity, rule string) brief { return brief{p, 1, 1, sev, rule} }

var bilan = doc(head("entretien-bilan", "2026-05-30",
	"suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n  - objectif: O2\n    statut: atteint\n"+evaluation+
		"suites: \"Recherche d'emploi\"\nsatisfaction: 4\n"),
	"Introduction", "Déroulement", "Acquis", "Évaluation", "Perspectives", "Conclusion")

const pBilan = jd + "2026-05-30-entretien-bilan.md"

// ruleCases hold one broken document per rule of Rules.
var ruleCases = []ruleCase{
	{rule: "frontmatter-invalide",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pDiag, "duree_minutes: 60\n", "duree_minutes: 60\n\tlogement: 1\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pDiag, Error, "frontmatter-invalide", "\tlogement")}
		}},
	{rule: "champ-manquant",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pDiag, "formateur: Marie Martin\n", "") },
		want: func(t *testing.T, f map[string]string) []brief { return []brief{first(pDiag, Error, "champ-manquant")} }},
	{rule: "champ-invalide",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pDiag, "duree_minutes: 60", "duree_minutes: 0") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pDiag, Error, "champ-invalide", "0", "duree_minutes: ")}
		}},
	{rule: "champ-inconnu",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pDiag, "duree_minutes: 60\n", "duree_minutes: 60\nmodalites: presentiel\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pDiag, Warning, "champ-inconnu", "modalites")}
		}},
	{rule: "section-manquante",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pDiag, "\n## Freins\n", "\n") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pDiag, Error, "section-manquante")}
		}},
	{rule: "section-vide",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pDiag, "## Freins\n\nDes faits observés, datés.\n", "## Freins\n\n<!-- Cotez les freins. -->\n\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pDiag, Warning, "section-vide", "## Freins")}
		}},
	{rule: "objectif-incomplet",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pCoElab, "    indicateur: \"CV relu\"\n", "") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pCoElab, Error, "objectif-incomplet", "O2", "id: ")}
		}},
	{rule: "objectif-echeance",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pCoElab, "echeance: 2026-02-28", "echeance: 2025-12-01")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pCoElab, Error, "objectif-echeance", "2025-12-01")}
		}},
	{rule: "objectif-inconnu",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pSuivi3, "  - objectif: O1\n", "  - objectif: O1\n    statut: en-cours\n  - objectif: O3\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi3, Error, "objectif-inconnu", "O3")}
		}},
	{rule: "objectif-duplique",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pCoElab, "  - id: O2\n", "  - id: O1\n") },
		want: func(t *testing.T, f map[string]string) []brief {
			// The second O1 is a duplicate; O2, never declared, is unknown
			// where the follow-ups and the contract name it.
			return []brief{
				at(t, f, pCoElab, Error, "objectif-duplique", "O1", "id: O1"),
				at(t, f, pContract, Error, "objectif-inconnu", "O2", "objectifs_retenus"),
				at(t, f, pSuivi1, Error, "objectif-inconnu", "O2"),
			}
		}},
	{rule: "objectif-en-retard",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pCoElab, "echeance: 2026-09-30", "echeance: 2026-05-01")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pCoElab, Warning, "objectif-en-retard", "2026-05-01")}
		}},
	{rule: "action-en-retard",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pCoElab, "echeance: 2026-07-01", "echeance: 2026-05-15")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pCoElab, Warning, "action-en-retard", "2026-05-15")}
		}},
	{rule: "objectif-non-cloture",
		edit: func(t *testing.T, f map[string]string) { f[pBilan] = bilan },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pBilan, Error, "objectif-non-cloture", "en-cours")}
		}},
	{rule: "evaluation-manquante",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pSuivi2, evaluation, "") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pSuivi2, Error, "evaluation-manquante")}
		}},
	{rule: "contrat-non-signe",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pContract, "signe_le: 2026-01-26\n", "") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pContract, Error, "contrat-non-signe")}
		}},
	{rule: "sequence",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pDiag, "date: 2026-01-12", "date: 2026-01-03")
			rename(f, pDiag, jd+"2026-01-03-entretien-diagnostic.md")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, jd+"2026-01-03-entretien-diagnostic.md", Warning, "sequence", "entretien-diagnostic")}
		}},
	{rule: "rythme",
		edit: func(t *testing.T, f map[string]string) { delete(f, pSuivi2) },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi3, Warning, "rythme", "2026-05-25")}
		}},
	{rule: "entretien-non-documente",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pSuivi3, "2026-06-22", "2026-05-28") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi3, Warning, "entretien-non-documente", "2026-05-28")}
		}},
	{rule: "brouillon-ancien",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pSuivi2, "statut: finalise", "statut: brouillon")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi2, Warning, "brouillon-ancien", "brouillon")}
		}},
	{rule: "cloture-sans-bilan",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pFiche, "statut: en-cours\n", "statut: termine\ndate_sortie: 2026-05-31\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pFiche, Error, "cloture-sans-bilan", "termine")}
		}},
	{rule: "emplacement",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pSuivi2, "beneficiaire: jean-dupont", "beneficiaire: paul-martin")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi2, Error, "emplacement", "paul-martin")}
		}},
	{rule: "donnee-sensible",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pDiag, "## Freins\n\nDes faits", "## Freins\n\nSon numéro, 1 85 05 78 006 084 91, figure sur l'attestation. Des faits")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pDiag, Error, "donnee-sensible", "1 85 05")}
		}},
	{rule: "absence-sans-relance",
		edit: func(t *testing.T, f map[string]string) {
			f[jd+"2026-05-04-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-05-04", "presence: absent\n"))
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(jd+"2026-05-04-entretien-suivi.md", Warning, "absence-sans-relance")}
		}},
	// An empty relance: at the key (the judgement's concern, reported by the
	// case check).
	{rule: "absence-sans-relance",
		edit: func(t *testing.T, f map[string]string) {
			f[jd+"2026-05-04-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-05-04", "presence: absent\nrelance:\n"))
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, jd+"2026-05-04-entretien-suivi.md", Warning, "absence-sans-relance", "relance:")}
		}},
	{rule: "decrochage",
		edit: func(t *testing.T, f map[string]string) {
			f[jd+"2026-05-04-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-05-04", "presence: absent\nrelance: 2026-05-05\n"))
			f[jd+"2026-05-11-entretien-suivi.md"] = doc(head("entretien-suivi", "2026-05-11", "presence: excuse\n"))
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, jd+"2026-05-11-entretien-suivi.md", Warning, "decrochage", "excuse")}
		}},
	{rule: "information-rgpd",
		edit: func(t *testing.T, f map[string]string) { replace(t, f, pInitial, "information_rgpd: 2026-01-05\n", "") },
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pInitial, Error, "information-rgpd")}
		}},
	{rule: "premier-entretien",
		edit: func(t *testing.T, f map[string]string) {
			// A second person, entered in March, never met: only her fiche.
			f["beneficiaires/lea-martin/fiche.md"] = strings.NewReplacer("jean-dupont", "lea-martin", "Jean", "Léa", "Dupont", "Martin", "2026-01-05", "2026-03-02").Replace(f[pFiche])
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, "beneficiaires/lea-martin/fiche.md", Warning, "premier-entretien", "2026-03-02")}
		}},
	{rule: "conservation", today: date("2028-07-01"),
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pFiche, "statut: en-cours\n", "statut: abandon\ndate_sortie: 2026-06-01\nmotif_sortie: Déménagement\n")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pFiche, Warning, "conservation")}
		}},
	{rule: "derogation-sans-motif",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pSuivi2, "prochain_entretien:", "derogations:\n  - regle: rythme\nprochain_entretien:")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{first(pSuivi2, Error, "derogation-sans-motif")}
		}},
	{rule: "propos-jugeant",
		edit: func(t *testing.T, f map[string]string) {
			replace(t, f, pSuivi2, "## Ajustements\n\nDes faits", "## Ajustements\n\nJean est Paresseux. Des faits")
		},
		want: func(t *testing.T, f map[string]string) []brief {
			return []brief{at(t, f, pSuivi2, Info, "propos-jugeant", "Paresseux")}
		}},
}

// TestRules breaks the clean case once per rule and checks the exact
// findings: rule, severity, line and column, and nothing else.
func TestRules(t *testing.T) {
	covered := map[string]bool{}
	for _, rc := range ruleCases {
		covered[rc.rule] = true
		t.Run(rc.rule, func(t *testing.T) {
			files := cleanCase()
			rc.edit(t, files)
			want := rc.want(t, files)
			today := rc.today
			if today.IsZero() {
				today = fixtureToday
			}
			fs, _, err := runRepo(t, writeRepo(t, files), today, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(dump(fs))
			got := briefs(fs)
			sortBriefs(got)
			sortBriefs(want)
			if strings.Join(toStrings(got), "\n") != strings.Join(toStrings(want), "\n") {
				t.Errorf("findings:%s\nwant:\n\t%s", dump(fs), strings.Join(toStrings(want), "\n\t"))
			}
			for _, f := range fs {
				if f.Message == "" || f.Key == "" {
					t.Errorf("finding without message or key: %+v", f)
				}
			}
		})
	}
	for _, r := range Rules {
		if !covered[r.ID] {
			t.Errorf("rule %s has no test case", r.ID)
		}
	}
}

func toStrings(bs []brief) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.String()
	}
	return out
}

// One finding per problem: a rule that names a missing key fires instead
// of champ-manquant, and a bilan without suivi_objectifs is reported once,
// not once per objective.
func TestOnePerProblem(t *testing.T) {
	files := cleanCase()
	replace(t, files, pInitial, "information_rgpd: 2026-01-05\n", "")
	replace(t, files, pSuivi1, evaluation, "evaluation:\n  autonomie: 3\n")
	files[pBilan] = strings.Replace(bilan, "suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n  - objectif: O2\n    statut: atteint\n", "", 1)
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		first(pInitial, Error, "information-rgpd"),
		first(pSuivi1, Error, "champ-manquant"), // evaluation.interactions
		first(pBilan, Error, "objectif-non-cloture"),
	}
	if strings.Join(toStrings(briefs(fs)), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s", dump(fs))
	}
}

// Present but empty values: where to fill them in.
func TestEmptyValues(t *testing.T) {
	files := cleanCase()
	replace(t, files, pContract, `signataires: ["Jean Dupont", "Marie Martin"]`, "signataires: []")
	replace(t, files, pSuivi1, evaluation, "evaluation:\n")
	replace(t, files, pFiche, "statut: en-cours\n", "statut: en-cours\nmotif_sortie: \"\"\n")
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		at(t, files, pContract, Error, "contrat-non-signe", "signataires"),
		at(t, files, pSuivi1, Error, "evaluation-manquante", "evaluation"),
		at(t, files, pFiche, Error, "champ-invalide", `""`),
	}
	sortBriefs(want)
	if strings.Join(toStrings(briefs(fs)), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s", dump(fs))
	}
}

// Drafts skip what is required once finalised and section-vide, but what
// they contain is checked; missed interviews need no sections.
func TestDraftsAndMissed(t *testing.T) {
	files := cleanCase()
	p := jd + "2026-05-28-entretien-suivi.md"
	files[p] = "---\n" + strings.Replace(head("entretien-suivi", "2026-05-28", "modalite: visio\nobjectifs:\n  - id: O3\n    intitule: \"Trouver un stage\"\n"), "finalise", "brouillon", 1) +
		"---\n\n## Introduction\n\n<!-- à faire -->\n\n## Déroulement\n\n## Avancement des objectifs\n\n## Ajustements\n\n## Conclusion\n"
	files[jd+"2026-05-29-entretien-suivi.md"] = "---\n" + head("entretien-suivi", "2026-05-29", "presence: absent\nrelance: 2026-05-29\n") + "---\n"
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		at(t, files, p, Error, "champ-invalide", "visio"),
		at(t, files, p, Error, "objectif-incomplet", "O3"),
	}
	if strings.Join(toStrings(briefs(fs)), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s", dump(fs))
	}
}

// The gap from the last interview to today shows on the fiche: a waiver of
// the last interview (about the gap before it) does not cover it.
func TestRythmeToToday(t *testing.T) {
	files := cleanCase()
	replace(t, files, pSuivi3, "prochain_entretien: 2026-06-22\n", "derogations: [{regle: rythme, motif: \"Hospitalisation\"}]\n")
	replace(t, files, pCoElab, "fait: false", "fait: true")
	fs, _, err := runRepo(t, writeRepo(t, files), date("2026-07-15"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{at(t, files, pFiche, Warning, "rythme", "en-cours")}
	if strings.Join(toStrings(briefs(fs)), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s", dump(fs))
	}
	// Suspended: no interview is due.
	replace(t, files, pFiche, "statut: en-cours", "statut: suspendu")
	fs, _, _ = runRepo(t, writeRepo(t, files), date("2026-07-15"), nil)
	if len(fs) != 0 {
		t.Errorf("suspendu:%s", dump(fs))
	}
}

// Choices written with other case or accents and booleans written oui/non
// are what the trainer meant (DESIGN §4.2): no finding, and the rules that
// depend on them (finalised, held) apply.
func TestForgivingValues(t *testing.T) {
	files := cleanCase()
	replace(t, files, pDiag, "statut: finalise", "statut: Finalisé")
	replace(t, files, pDiag, "besoin_compensation: false", "besoin_compensation: Non")
	replace(t, files, pDiag, "duree_minutes: 60\n", "duree_minutes: 60\nmodalite: Présentiel\n")
	replace(t, files, pCoElab, "fait: false", "fait: OUI")
	replace(t, files, pSuivi1, "statut: atteint", "statut: Atteint")
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Fatalf("findings:%s", dump(fs))
	}
	// Finalisé is finalised: an emptied section is reported.
	replace(t, files, pDiag, "## Freins\n\nDes faits observés, datés.\n", "## Freins\n\n<!-- à remplir -->\n")
	fs, _, err = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "section-vide" {
		t.Fatalf("findings:%s", dump(fs))
	}
}

// champ-invalide in its forms, each at the value (or the duplicate key).
func TestFieldValues(t *testing.T) {
	cases := []struct {
		path, old, new, needle, contains string
		anchor                           []string
	}{
		{pDiag, "date: 2026-01-12", "date: 2026-01-12\nrelance: 2026-02-30", "2026-02-30", "n'existe pas", nil},
		{pDiag, "date: 2026-01-12", "date: 2026-01-12\nrelance: 2026-2-3", "2026-2-3", "AAAA-MM-JJ", nil},
		{pDiag, "date: 2026-01-12", "date: 2026-01-12\nrelance: 12/03/2026", "12/03/2026", "AAAA-MM-JJ : 2026-03-12", nil},
		{pDiag, "statut: finalise", "statut: finalisés", "finalisés", "vouliez-vous dire « finalise »", nil},
		{pDiag, "statut: finalise", "statut: final", "final", "vouliez-vous dire « finalise »", []string{"statut: "}},
		{pDiag, "besoin_compensation: false", "besoin_compensation: peut-être", "peut-être", "true ou false (ou oui, non)", nil},
		{pDiag, "  logement: 0", "  logement: 4", "4", "de 0 à 3", []string{"logement: "}},
		{pContract, "objectifs_retenus: [O1, O2]", "objectifs_retenus: O1", "O1", "liste", []string{"objectifs_retenus: "}},
		{pCoElab, "  - id: O2", "  - id: \"O 2\"", "\"O 2\"", "forme attendue", nil},
		{pCoElab, "fait: false", "fait: bof", "bof", "true ou false", nil},
		{pSuivi1, "statut: atteint", "statut: atteinte", "atteinte", "vouliez-vous dire « atteint »", nil},
		{pSuivi2, "formateur: Marie Martin\n", "formateur: Marie Martin\nformateur: Paul\n", "formateur", "en double", []string{"Marie Martin\n"}},
	}
	for _, c := range cases {
		files := cleanCase()
		replace(t, files, c.path, c.old, c.new)
		fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := at(t, files, c.path, Error, "champ-invalide", c.needle, c.anchor...)
		got := briefs(fs)
		if len(got) != 1 || got[0] != want || !strings.Contains(fs[0].Message, c.contains) {
			t.Errorf("%s → %s:%s\nwant %v …%s…", c.old, c.new, dump(fs), want, c.contains)
		}
	}
}

// A section under one of its aliases is there; a near miss of a required
// title is reported at that heading, once, with the title to write.
func TestSectionAliasesAndNearMisses(t *testing.T) {
	files := cleanCase()
	replace(t, files, pInitial, "## Attentes du bénéficiaire\n", "## Attentes de la bénéficiaire\n")
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Fatalf("alias: findings:%s", dump(fs))
	}
	replace(t, files, pDiag, "\n## Freins\n", "\n## 2. Frein :\n")
	replace(t, files, pDiag, "\n## Déroulement\n", "\n## Déroulment\n")
	fs, _, err = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		at(t, files, pDiag, Error, "section-manquante", "## 2. Frein"),
		at(t, files, pDiag, Error, "section-manquante", "## Déroulment"),
	}
	got := briefs(fs)
	sortBriefs(got)
	sortBriefs(want)
	if strings.Join(toStrings(got), "\n") != strings.Join(toStrings(want), "\n") {
		t.Fatalf("findings:%s", dump(fs))
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, "vouliez-vous dire « Freins » ?") && !strings.Contains(f.Message, "vouliez-vous dire « Déroulement » ?") {
			t.Errorf("message: %s", f.Message)
		}
	}
}
