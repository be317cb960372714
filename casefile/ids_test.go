package casefile

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Élodie N'Guessan-Lefèvre": "elodie-n-guessan-lefevre",
		"Jean Dupont":              "jean-dupont",
		"  Zoë   Œdipe  ":          "zoe-oedipe",
		"Jean--Dupont":             "jean-dupont",
		"!!!":                      "",
		"Ana María d’Ávila":        "ana-maria-d-avila",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	long := Slugify(strings.Repeat("abcdefghij ", 10))
	if len(long) > MaxIDLen || strings.HasSuffix(long, "-") || CheckID(long) != nil {
		t.Errorf("long slug %q (%d)", long, len(long))
	}
}

func TestCheckID(t *testing.T) {
	for _, ok := range []string{"jean-dupont", "b-2026-k7f3", "a"} {
		if err := CheckID(ok); err != nil {
			t.Errorf("CheckID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "Jean", "jean_dupont", "-x", "x-", "é", strings.Repeat("a", 65), ".x",
		"con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"} {
		if err := CheckID(bad); !errors.Is(err, ErrBadID) {
			t.Errorf("CheckID(%q) = %v, want ErrBadID", bad, err)
		}
	}
	// Only the device names themselves: a longer id is a folder like any other.
	for _, ok := range []string{"con-x", "aux1", "com0", "com10", "lpt", "nul-nul", "connie-martin"} {
		if err := CheckID(ok); err != nil {
			t.Errorf("CheckID(%q) = %v", ok, err)
		}
	}
}

func TestWindowsReserved(t *testing.T) {
	for _, name := range []string{"con", "CON", "Nul", "aux.md", "NUL.tar.gz", "com1", "COM9.txt", "lpt5", "Lpt1.md", "prn", "nul .md"} {
		if !WindowsReserved(name) {
			t.Errorf("WindowsReserved(%q) = false", name)
		}
	}
	for _, name := range []string{"", "console", "con-x.md", "nul-nul", "com0", "com10", "lpt", "comx", "2026-11-03-con.md", "x.con", ".nul"} {
		if WindowsReserved(name) {
			t.Errorf("WindowsReserved(%q) = true", name)
		}
	}
}

func TestFileName(t *testing.T) {
	isType := func(s string) bool { return s == "entretien-suivi" || s == "fiche" }
	fn, ok := ParseFileName("2026-12-09-entretien-suivi-3.md", isType)
	if !ok || fn.N != 3 || fn.Type != "entretien-suivi" || FormatDate(fn.Date) != "2026-12-09" {
		t.Fatalf("got %+v %v", fn, ok)
	}
	if fn.String() != "2026-12-09-entretien-suivi-3.md" {
		t.Errorf("String() = %s", fn.String())
	}
	for _, bad := range []string{"2026-02-30-entretien-suivi.md", "2026-12-09-inconnu.md", "2026-12-09-entretien-suivi-1.md", "2026-12-09-entretien-suivi-02.md", "fiche.md", "2026-12-09-entretien-suivi.txt"} {
		if _, ok := ParseFileName(bad, isType); ok {
			t.Errorf("ParseFileName(%q) accepted", bad)
		}
	}
	if _, err := ParseDate("2026-13-01"); err == nil {
		t.Error("month 13 accepted")
	}
	if d, _ := ParseDate("2028-02-29"); d.Weekday() != time.Tuesday {
		t.Error("leap day")
	}
}

func TestFoldOrderAndObjectives(t *testing.T) {
	ranks := map[string]int{"entretien-initial": 1, "co-elaboration": 3, "entretien-suivi": 5, "entretien-bilan": 6}
	rank := func(s string) (int, bool) { r, ok := ranks[s]; return r, ok }
	doc := func(name, front string) *Document {
		return Parse("beneficiaires/a/"+name, []byte("---\n"+front+"---\n"))
	}
	docs := []*Document{
		doc("2026-03-10-entretien-suivi-10.md", "type: entretien-suivi\nsuivi_objectifs:\n  - objectif: O1\n    statut: atteint\n"),
		doc("2026-03-10-entretien-suivi-2.md", "type: entretien-suivi\nsuivi_objectifs:\n  - objectif: O1\n    statut: reporte\n"),
		doc("2026-03-10-entretien-suivi.md", "type: entretien-suivi\nobjectifs:\n  - id: O1\n    echeance: 2026-06-30\n"),
		doc("2026-03-10-co-elaboration.md", "type: co-elaboration\nobjectifs:\n  - id: O1\n    intitule: Code\n    indicateur: Examen\n    echeance: 2026-04-30\n    actions:\n      - libelle: S'inscrire\n"),
		doc("2026-01-05-entretien-initial.md", "type: entretien-initial\n"),
	}
	c := NewCase("a", nil, docs, rank)
	var order []string
	for _, d := range c.Interviews {
		order = append(order, d.Path[len("beneficiaires/a/"):])
	}
	want := "2026-01-05-entretien-initial.md 2026-03-10-co-elaboration.md 2026-03-10-entretien-suivi.md 2026-03-10-entretien-suivi-2.md 2026-03-10-entretien-suivi-10.md"
	if strings.Join(order, " ") != want {
		t.Errorf("order = %v", order)
	}
	o := c.Objective("O1")
	if o == nil || len(o.Revisions) != 2 || FormatDate(o.Echeance) != "2026-06-30" || o.Intitule != "Code" || len(o.Actions) != 1 {
		t.Fatalf("objective = %+v", o)
	}
	if o.Status() != "atteint" || !o.Closed() {
		t.Errorf("status = %s", o.Status())
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("acc.yaml", []byte("organisation: Centre\nregles:\n  rythme: { intervalle_max_jours: 30, severite: info }\n  propos-jugeant: desactive\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rules["rythme"].Severity != "info" || cfg.Rules["rythme"].Params["intervalle_max_jours"].Value != "30" || cfg.Rules["propos-jugeant"].Severity != "desactive" {
		t.Errorf("rules = %+v", cfg.Rules)
	}
	for src, want := range map[string]string{
		"organisaton: X\n": "vouliez-vous dire « organisation »",
		"formateur: X\n":   "organisation",
		"organisation: X\nregles:\n  rythme: fort\n": "sévérité « fort » inconnue",
		"organisation: X\nidentifiants: noms\n":      "pseudonymes",
	} {
		_, err := ParseConfig("acc.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseConfig(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestCommitMessage(t *testing.T) {
	m := CommitMessage{Subject: "entretien-suivi : jean-dupont (2026-12-09)", Action: ActionNew,
		Beneficiaries: []string{"jean-dupont", "jean-dupont"}, Types: []string{"entretien-suivi"}}
	want := "entretien-suivi : jean-dupont (2026-12-09)\n\nAcc-Action: new\nAcc-Beneficiaire: jean-dupont\nAcc-Type: entretien-suivi\n"
	if got := m.String(); got != want {
		t.Errorf("got %q", got)
	}
	tr := ParseTrailers(want)
	if tr[TrailerAction][0] != "new" || tr[TrailerBeneficiary][0] != "jean-dupont" || len(tr[TrailerBeneficiary]) != 1 {
		t.Errorf("trailers = %v", tr)
	}
}
