//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The people of the consistency matrix (invented), one per time- or
// phase-based rule, on 2026-11-25.
var judgementFixture = map[string]string{
	// aline-morel: objectif-en-retard (O1 due 2026-11-01), action-en-retard (2026-10-15).
	"aline-morel/fiche.md":                        fiche("aline-morel", "Aline", "Morel", "2026-09-01", "en-cours"),
	"aline-morel/2026-09-02-entretien-initial.md": interview("aline-morel", "entretien-initial", "2026-09-02", "finalise", ""),
	"aline-morel/2026-09-10-co-elaboration.md": interview("aline-morel", "co-elaboration", "2026-09-10", "finalise",
		"objectifs:\n  - id: O1\n    intitule: Trouver un stage\n    indicateur: Convention signée\n    echeance: 2026-11-01\n"+
			"    actions:\n      - libelle: Envoyer trois candidatures\n        echeance: 2026-10-15\n        responsable: beneficiaire\n        fait: false\n"),
	// bruno-lefort: brouillon-ancien (a draft of 2026-10-02).
	"bruno-lefort/fiche.md":                        fiche("bruno-lefort", "Bruno", "Lefort", "2026-10-01", "en-cours"),
	"bruno-lefort/2026-10-02-entretien-initial.md": interview("bruno-lefort", "entretien-initial", "2026-10-02", "brouillon", ""),
	// chloe-garnier: entretien-non-documente (planned on 2026-11-10).
	"chloe-garnier/fiche.md":                        fiche("chloe-garnier", "Chloé", "Garnier", "2026-10-01", "en-cours"),
	"chloe-garnier/2026-10-02-entretien-initial.md": interview("chloe-garnier", "entretien-initial", "2026-10-02", "finalise", "prochain_entretien: 2026-11-10\n"),
	// david-roux: rythme (nothing since the contract of 2026-06-10).
	"david-roux/fiche.md":                         fiche("david-roux", "David", "Roux", "2026-06-01", "en-cours"),
	"david-roux/2026-06-02-entretien-initial.md":  interview("david-roux", "entretien-initial", "2026-06-02", "finalise", ""),
	"david-roux/2026-06-10-contractualisation.md": interview("david-roux", "contractualisation", "2026-06-10", "finalise", ""),
	// emma-faure: absence-sans-relance (missed on 2026-11-20).
	"emma-faure/fiche.md":                           fiche("emma-faure", "Emma", "Faure", "2026-10-01", "en-cours"),
	"emma-faure/2026-10-02-entretien-initial.md":    interview("emma-faure", "entretien-initial", "2026-10-02", "finalise", ""),
	"emma-faure/2026-11-20-entretien-diagnostic.md": interview("emma-faure", "entretien-diagnostic", "2026-11-20", "finalise", "presence: absent\n"),
	// farid-benali: decrochage (missed twice in a row).
	"farid-benali/fiche.md":                           fiche("farid-benali", "Farid", "Benali", "2026-10-01", "en-cours"),
	"farid-benali/2026-10-02-entretien-initial.md":    interview("farid-benali", "entretien-initial", "2026-10-02", "finalise", ""),
	"farid-benali/2026-11-10-entretien-diagnostic.md": interview("farid-benali", "entretien-diagnostic", "2026-11-10", "finalise", "presence: absent\nrelance: 2026-11-11\n"),
	"farid-benali/2026-11-20-co-elaboration.md":       interview("farid-benali", "co-elaboration", "2026-11-20", "finalise", "presence: excuse\n"),
	// gaelle-petit: premier-entretien (entered 15 months ago, never met).
	"gaelle-petit/fiche.md": fiche("gaelle-petit", "Gaëlle", "Petit", "2025-08-20", "en-cours"),
	// hugo-lambert: conservation (left on 2024-06-01).
	"hugo-lambert/fiche.md":                        fiche("hugo-lambert", "Hugo", "Lambert", "2023-01-02", "abandon"),
	"hugo-lambert/2023-01-03-entretien-initial.md": interview("hugo-lambert", "entretien-initial", "2023-01-03", "finalise", ""),
	// ines-robin: entered five days ago, nothing due yet.
	"ines-robin/fiche.md": fiche("ines-robin", "Inès", "Robin", "2026-11-20", "en-cours"),
	// jules-moreau: an interview marked missed but dated next week is not
	// missed yet: no absence-sans-relance anywhere.
	"jules-moreau/fiche.md":                        fiche("jules-moreau", "Jules", "Moreau", "2026-10-01", "en-cours"),
	"jules-moreau/2026-10-02-entretien-initial.md": interview("jules-moreau", "entretien-initial", "2026-10-02", "finalise", ""),
	"jules-moreau/2026-12-02-entretien-suivi.md":   interview("jules-moreau", "entretien-suivi", "2026-12-02", "finalise", "presence: absent\n"),
}

func fiche(id, prenom, nom, entree, statut string) string {
	extra := ""
	if statut == "abandon" {
		extra = "date_sortie: 2024-06-01\nmotif_sortie: Déménagement\n"
	}
	return "---\ntype: fiche\nid: " + id + "\nprenom: " + prenom + "\nnom: " + nom + "\ndate_entree: " + entree +
		"\nformateur_referent: Marie Martin\nstatut: " + statut + "\n" + extra + "---\n"
}

func interview(id, typ, date, statut, extra string) string {
	return "---\ntype: " + typ + "\nbeneficiaire: " + id + "\ndate: " + date + "\nformateur: Marie Martin\nstatut: " + statut +
		"\nobjectif_entretien: Faire le point\n" + extra + "---\n"
}

// matrixCase is one rule of the matrix: who triggers it, and where each
// command shows it.
type matrixCase struct {
	rule, who string
	status    string // the status item's motif
	caseload  string // the caseload's reason kind, "" when the caseload does not list it
	markdown  string // what the caseload in Markdown says, "" with caseload ""
	list      func(t *testing.T, r *judgementRepo) bool
	report    func(t *testing.T, r *judgementRepo) bool // the beneficiary report; nil when it has no flag for it
	qualiopi  func(t *testing.T, r *judgementRepo) bool // the Qualiopi evidence; nil when it does not read the rule
}

type judgementRepo struct {
	t   *testing.T
	acc string
	env []string
	dir string
}

func (r *judgementRepo) json(args ...string) map[string]any {
	r.t.Helper()
	res := runIn(r.t, r.env, r.dir, r.acc, args...)
	if res.code != 0 && res.code != 1 {
		r.t.Fatalf("acc %s: code %d\n%s", strings.Join(args, " "), res.code, res.stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		r.t.Fatalf("acc %s: %v\n%s", strings.Join(args, " "), err, res.stdout)
	}
	return v
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// find returns the element of a list whose key equals value.
func find(items any, key, value string) map[string]any {
	for _, it := range list(items) {
		if m := obj(it); m[key] == value {
			return m
		}
	}
	return nil
}

// evidence returns the state and missing items of an indicator for a person.
func (r *judgementRepo) evidence(who string, indicator float64) (string, []string) {
	q := r.json("report", "--qualiopi", "--json")
	row := find(q["beneficiaries"], "id", who)
	for _, e := range list(row["evidence"]) {
		if ev := obj(e); ev["indicator"] == indicator {
			var missing []string
			for _, m := range list(ev["missing"]) {
				missing = append(missing, m.(string))
			}
			return ev["state"].(string), missing
		}
	}
	r.t.Fatalf("no evidence %v for %s", indicator, who)
	return "", nil
}

func listed(items any, who string) bool {
	for _, it := range list(items) {
		m := obj(it)
		if m["id"] == who || m["beneficiaire"] == who {
			return true
		}
	}
	return false
}

var matrix = []matrixCase{
	{rule: "objectif-en-retard", who: "aline-morel", status: "objectif-en-retard", caseload: "objectif-en-retard", markdown: "Objectifs en retard : O1",
		list: func(t *testing.T, r *judgementRepo) bool {
			// list objectifs --en-retard also shows an objective whose action is late.
			return find(r.json("list", "--json")["elements"], "id", "aline-morel")["objectifs_en_retard"] == 1.0
		},
		report: func(t *testing.T, r *judgementRepo) bool {
			return list(r.json("report", "aline-morel", "--json")["objectives"])[0].(map[string]any)["overdue"] == true
		}},
	{rule: "action-en-retard", who: "aline-morel", status: "action-en-retard",
		list: func(t *testing.T, r *judgementRepo) bool {
			o := find(r.json("list", "objectifs", "--json")["elements"], "beneficiaire", "aline-morel")
			late := obj(list(o["actions"])[0])["en_retard"] == true
			if count := find(r.json("list", "--json")["elements"], "id", "aline-morel")["actions_en_retard"] == 1.0; count != late {
				t.Errorf("list: action late %v, actions_en_retard %v", late, count)
			}
			return late
		},
		report: func(t *testing.T, r *judgementRepo) bool {
			o := obj(list(r.json("report", "aline-morel", "--json")["objectives"])[0])
			return obj(list(o["actions"])[0])["overdue"] == true
		}},
	{rule: "brouillon-ancien", who: "bruno-lefort", status: "brouillon-ancien", caseload: "brouillon-ancien", markdown: "Brouillon ouvert :"},
	{rule: "entretien-non-documente", who: "chloe-garnier", status: "entretien-non-documente", caseload: "entretien-non-documente", markdown: "Entretien prévu le 10/11/2026",
		list: func(t *testing.T, r *judgementRepo) bool {
			return find(r.json("list", "--json")["elements"], "id", "chloe-garnier")["entretien_non_documente"] == true
		},
		report: func(t *testing.T, r *judgementRepo) bool {
			return obj(r.json("report", "chloe-garnier", "--json")["next"])["late"] == true
		}},
	{rule: "rythme", who: "david-roux", status: "rythme", caseload: "sans-contact", markdown: "Aucun contact depuis"},
	{rule: "absence-sans-relance", who: "emma-faure", status: "absence-sans-relance", caseload: "absence-sans-relance", markdown: "Entretien manqué sans relance :",
		qualiopi: func(t *testing.T, r *judgementRepo) bool {
			_, missing := r.evidence("emma-faure", 12)
			return slices.ContainsFunc(missing, func(m string) bool { return strings.Contains(m, "sans relance") })
		}},
	{rule: "decrochage", who: "farid-benali", status: "decrochage", caseload: "decrochage", markdown: "risque de décrochage"},
	{rule: "premier-entretien", who: "gaelle-petit", status: "premier-entretien", caseload: "premier-entretien", markdown: "Aucun entretien depuis l'entrée",
		list: func(t *testing.T, r *judgementRepo) bool {
			late := listed(r.json("list", "--en-retard", "--json")["elements"], "gaelle-petit")
			flag := find(r.json("list", "--json")["elements"], "id", "gaelle-petit")["premier_entretien_manquant"] == true
			if late != flag {
				t.Errorf("list --en-retard says %v, premier_entretien_manquant %v", late, flag)
			}
			return late
		}},
	{rule: "conservation", who: "hugo-lambert", status: "conservation", caseload: "conservation", markdown: "archivez, anonymisez ou purgez",
		list: func(t *testing.T, r *judgementRepo) bool {
			return listed(r.json("list", "--a-purger", "--json")["elements"], "hugo-lambert")
		}},
}

// TestOneJudgement is the consistency matrix of DESIGN §5.2: for each time-
// or phase-based rule, on and set to desactive, validate, status, list and
// every report give the same answer about the person who triggers it.
func TestOneJudgement(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	dir := filepath.Join(t.TempDir(), "centre")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, dir, acc, "init", "--organisation", "Centre Test")
	for p, content := range judgementFixture {
		full := filepath.Join(dir, "beneficiaires", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := &judgementRepo{t: t, acc: acc, env: env, dir: dir}
	base := []byte("organisation: Centre Test\n")
	for _, mc := range matrix {
		for _, on := range []bool{true, false} {
			name := mc.rule + "/active"
			config := string(base)
			if !on {
				name = mc.rule + "/desactive"
				config += "regles:\n  " + mc.rule + ": desactive\n"
			}
			t.Run(name, func(t *testing.T) {
				r.t = t
				if err := os.WriteFile(filepath.Join(dir, "acc.yaml"), []byte(config), 0o600); err != nil {
					t.Fatal(err)
				}
				check := func(what string, got bool) {
					t.Helper()
					if got != on {
						t.Errorf("%s: %s shows %s for %s: %v, want %v", mc.rule, what, mc.rule, mc.who, got, on)
					}
				}
				// validate
				var found bool
				for _, f := range list(r.json("validate", "--json")["findings"]) {
					m := obj(f)
					found = found || m["rule"] == mc.rule && strings.HasPrefix(m["path"].(string), "beneficiaires/"+mc.who+"/")
				}
				check("validate", found)
				// status
				b := find(r.json("status", "--json")["beneficiaires"], "id", mc.who)
				check("status", find(b["points"], "motif", mc.status) != nil)
				// agenda: the rules that make something late there
				if agendaLate[mc.rule] {
					var late bool
					for _, e := range list(r.json("agenda", "--json")["evenements"]) {
						m := obj(e)
						late = late || m["beneficiaire"] == mc.who && m["regle"] == mc.rule && m["en_retard"] == true
					}
					check("agenda", late)
				}
				// list
				if mc.list != nil {
					check("list", mc.list(t, r))
				}
				// report: the caseload in JSON and Markdown, the beneficiary's
				if mc.caseload != "" {
					row := find(r.json("report", "--json")["attention"], "id", mc.who)
					check("report --json", row != nil && find(row["reasons"], "kind", mc.caseload) != nil)
					md := runIn(t, env, dir, acc, "report")
					check("report (md)", strings.Contains(md.stdout, mc.markdown))
				}
				if mc.report != nil {
					check("report "+mc.who, mc.report(t, r))
				}
				if mc.qualiopi != nil {
					check("report --qualiopi", mc.qualiopi(t, r))
				}
			})
		}
	}
	// The Qualiopi evidence: the needs analysis of a person who entered 15
	// months ago is missing; of one who entered five days ago, to come.
	r.t = t
	os.WriteFile(filepath.Join(dir, "acc.yaml"), base, 0o600)
	if state, _ := r.evidence("gaelle-petit", 4); state != "manquant" {
		t.Errorf("needs analysis 15 months after the entry: %s, want manquant", state)
	}
	if state, _ := r.evidence("ines-robin", 4); state != "a-venir" {
		t.Errorf("needs analysis 5 days after the entry: %s, want a-venir", state)
	}
	md := runIn(t, env, dir, acc, "report", "--qualiopi")
	if !strings.Contains(md.stdout, "Gaëlle Petit") {
		t.Errorf("qualiopi in Markdown:\n%s", md.stdout)
	}
	// A missed interview dated after today: no command shows the rule.
	for _, f := range list(r.json("validate", "--json")["findings"]) {
		if m := obj(f); m["rule"] == "absence-sans-relance" && strings.HasPrefix(m["path"].(string), "beneficiaires/jules-moreau/") {
			t.Errorf("validate: %v", m)
		}
	}
	if find(find(r.json("status", "--json")["beneficiaires"], "id", "jules-moreau")["points"], "motif", "absence-sans-relance") != nil {
		t.Error("status shows absence-sans-relance for an interview to come")
	}
	if row := find(r.json("report", "--json")["attention"], "id", "jules-moreau"); row != nil && find(row["reasons"], "kind", "absence-sans-relance") != nil {
		t.Error("report --json shows absence-sans-relance for an interview to come")
	}
	if _, missing := r.evidence("jules-moreau", 12); slices.ContainsFunc(missing, func(m string) bool { return strings.Contains(m, "sans relance") }) {
		t.Errorf("report --qualiopi: %v", missing)
	}
}
