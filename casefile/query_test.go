package casefile

import (
	"testing"
	"time"
)

var testPhases = map[string]string{
	"entretien-initial": "accueil", "entretien-diagnostic": "accueil",
	"co-elaboration": "construction", "contractualisation": "construction",
	"entretien-suivi": "accompagnement", "entretien-bilan": "accompagnement",
}

var testRanks = map[string]int{
	"entretien-initial": 1, "entretien-diagnostic": 2, "co-elaboration": 3,
	"contractualisation": 4, "entretien-suivi": 5, "entretien-bilan": 6,
}

// testKinds are the built-in types of DESIGN §1.
func testKinds(t string) (Kind, bool) {
	p, ok := testPhases[t]
	return Kind{Phase: p, Rank: testRanks[t], Builtin: t}, ok
}

func testQuery(today string) Query {
	d, err := ParseDate(today)
	if err != nil {
		panic(err)
	}
	return Query{
		Today:   d,
		Kinds:   testKinds,
		Horizon: 6,
	}
}

// testCase builds a case from front matters keyed by file name.
func testCase(t *testing.T, id string, files map[string]string) *Case {
	t.Helper()
	var fiche *Document
	var docs []*Document
	for name, front := range files {
		d := Parse("beneficiaires/"+id+"/"+name, []byte("---\n"+front+"---\n"))
		if d.FrontErr != nil {
			t.Fatalf("%s: %v", name, d.FrontErr)
		}
		if name == FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return NewCase(id, fiche, docs, func(s string) (int, bool) { r, ok := testRanks[s]; return r, ok })
}

func jean(t *testing.T, ficheStatus string) *Case {
	return testCase(t, "jean-dupont", map[string]string{
		"fiche.md":                        "type: fiche\nid: jean-dupont\nprenom: Jean\nnom: Dupont\ndate_entree: 2026-09-01\nformateur_referent: Sophie Vasseur\nstatut: " + ficheStatus + "\n",
		"2026-09-01-entretien-initial.md": "type: entretien-initial\ndate: 2026-09-01\nstatut: finalise\nformateur: Sophie Vasseur\n",
		"2026-09-15-co-elaboration.md": `type: co-elaboration
date: 2026-09-15
statut: finalise
formateur: Sophie Vasseur
objectifs:
  - id: O1
    intitule: Code
    indicateur: Examen
    echeance: 2026-12-01
    actions:
      - libelle: S'inscrire
        echeance: 2026-10-01
        fait: true
      - libelle: Réviser
        echeance: 2026-11-15
        fait: false
  - id: O2
    intitule: Stage
    indicateur: Convention signée
    echeance: 2026-10-31
`,
		"2026-11-02-entretien-suivi.md": `type: entretien-suivi
date: 2026-11-02
statut: finalise
formateur: Paul Lemoine
presence: absent
relance: 2026-11-04
suivi_objectifs:
  - objectif: O2
    statut: atteint
`,
		"2026-11-10-entretien-suivi.md": "type: entretien-suivi\ndate: 2026-11-10\nstatut: brouillon\nformateur: Sophie Vasseur\nprochain_entretien: 2026-11-24\n",
	})
}

func kinds(as []Attention) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Kind+":"+FormatDate(a.Date))
	}
	return out
}

func TestAttention(t *testing.T) {
	c := jean(t, FicheInProgress)
	for _, tc := range []struct {
		today string
		want  []string
	}{
		// A week before the planned interview: the draft only (3 days old).
		{"2026-11-13", []string{"brouillon:2026-11-10"}},
		// Seven days ahead is past the horizon; the action is late; a draft
		// of exactly 7 days is not old yet.
		{"2026-11-17", []string{"action-en-retard:2026-11-15", "brouillon:2026-11-10"}},
		// Six days ahead: announced; the draft is 8 days old.
		{"2026-11-18", []string{"entretien-prevu:2026-11-24", "action-en-retard:2026-11-15", "brouillon-ancien:2026-11-10"}},
		// The day itself is still "planned".
		{"2026-11-24", []string{"entretien-prevu:2026-11-24", "action-en-retard:2026-11-15", "brouillon-ancien:2026-11-10"}},
		// The day after: undocumented; the objective is late too.
		{"2026-12-02", []string{"entretien-non-documente:2026-11-24", "objectif-en-retard:2026-12-01", "action-en-retard:2026-11-15", "brouillon-ancien:2026-11-10"}},
	} {
		got := kinds(testQuery(tc.today).Attention(c))
		if len(got) != len(tc.want) {
			t.Errorf("%s: Attention = %v, want %v", tc.today, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: Attention = %v, want %v", tc.today, got, tc.want)
				break
			}
		}
	}
	// O2 reached: never late. The action keeps its objective and label.
	for _, a := range testQuery("2026-12-02").Attention(c) {
		if a.Objective == "O2" {
			t.Errorf("O2 is reached, got %+v", a)
		}
		if a.Kind == AttnAction && (a.Objective != "O1" || a.Action != "Réviser" || a.Days != 17) {
			t.Errorf("action = %+v", a)
		}
	}
}

func TestAttentionFicheStatus(t *testing.T) {
	// Suspended: objectives still watched, the planned interview is not.
	got := kinds(testQuery("2026-12-02").Attention(jean(t, FicheSuspended)))
	want := []string{"objectif-en-retard:2026-12-01", "action-en-retard:2026-11-15", "brouillon-ancien:2026-11-10"}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("suspendu: %v, want %v", got, want)
	}
	// Closed: only the draft remains to finish.
	got = kinds(testQuery("2026-12-02").Attention(jean(t, FicheDropped)))
	if len(got) != 1 || got[0] != "brouillon-ancien:2026-11-10" {
		t.Errorf("abandon: %v", got)
	}
}

func TestPlannedDocumentedByMissedInterview(t *testing.T) {
	c := jean(t, FicheInProgress)
	c2 := testCase(t, "jean-dupont", map[string]string{
		"fiche.md":                      "type: fiche\nstatut: en-cours\ndate_entree: 2026-09-01\n",
		"2026-11-10-entretien-suivi.md": "type: entretien-suivi\ndate: 2026-11-10\nstatut: finalise\nprochain_entretien: 2026-11-24\n",
		"2026-11-24-entretien-suivi.md": "type: entretien-suivi\ndate: 2026-11-24\nstatut: finalise\npresence: excuse\n",
	})
	q := testQuery("2026-12-02")
	if q.Judge(c).Planned.IsZero() {
		t.Error("jean: planned interview not found")
	}
	if d := q.Judge(c2).Planned; !d.IsZero() {
		t.Errorf("a missed interview documents the plan, got %s", FormatDate(d))
	}
}

func TestSummaryAndRetention(t *testing.T) {
	c := jean(t, FicheDropped)
	q := testQuery("2026-12-02")
	s := q.Summarize(c)
	if s.Name() != "Jean Dupont" || s.Referent != "Sophie Vasseur" || s.Phase != "accompagnement" || s.Interviews != 4 {
		t.Errorf("summary = %+v", s)
	}
	// Last contact: the draft of 11-10 (held by default), after the relance
	// of 11-04; the missed interview of 11-02 does not count.
	if got := FormatDate(s.LastContact); got != "2026-11-10" {
		t.Errorf("LastContact = %s", got)
	}
	if s.OpenObjectives != 1 || s.OverdueObjectives != 0 || s.Late() != 0 || !s.Planned.IsZero() {
		t.Errorf("a closed file has nothing late or planned: %+v", s)
	}
	if open := q.Summarize(jean(t, FicheInProgress)); FormatDate(open.Planned) != "2026-11-24" || !open.Undocumented || open.Late() != 3 {
		t.Errorf("en-cours: %+v", open)
	}
	// A relance after the last held interview is the last contact; so is
	// date_sortie after both.
	c2 := testCase(t, "ana", map[string]string{
		"fiche.md":                      "type: fiche\nstatut: termine\ndate_entree: 2026-01-05\n",
		"2026-02-01-entretien-suivi.md": "type: entretien-suivi\ndate: 2026-02-01\nstatut: finalise\n",
		"2026-03-01-entretien-suivi.md": "type: entretien-suivi\ndate: 2026-03-01\nstatut: finalise\npresence: absent\nrelance: 2026-03-03\n",
	})
	if got := FormatDate(q.Judge(c2).LastContact); got != "2026-03-03" {
		t.Errorf("LastContact with a relance = %s", got)
	}
	c2.Fiche = Parse(FichePath("ana"), []byte("---\ntype: fiche\nstatut: termine\ndate_sortie: 2026-04-10\n---\n"))
	if got := FormatDate(q.Judge(c2).LastContact); got != "2026-04-10" {
		t.Errorf("LastContact with date_sortie = %s", got)
	}
	// Due the day after last contact + 24 months, as the rule conservation.
	limit := time.Date(2028, 11, 10, 0, 0, 0, 0, time.UTC)
	if s.ToPurge(limit) || !s.ToPurge(limit.AddDate(0, 0, 1)) {
		t.Errorf("PurgeFrom = %s", FormatDate(s.PurgeFrom))
	}
	empty := q.Summarize(testCase(t, "x", map[string]string{"fiche.md": "type: fiche\n"}))
	if !empty.PurgeFrom.IsZero() || empty.ToPurge(limit) || empty.Name() != "x" {
		t.Errorf("no date, nothing to count from: %+v", empty)
	}
}

func TestFilter(t *testing.T) {
	q := testQuery("2026-12-02")
	c := jean(t, FicheInProgress)
	s := q.Summarize(c)
	day := func(v string) time.Time { d, _ := ParseDate(v); return d }
	for _, tc := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Formateur: "sophie"}, true},
		{Filter{Formateur: "VASSEUR"}, true},
		{Filter{Formateur: "paul"}, false},
		{Filter{Statuts: []string{"en-cours", "suspendu"}}, true},
		{Filter{Statuts: []string{"abandon"}}, false},
		{Filter{Phases: []string{"accueil"}}, false},
		{Filter{From: day("2026-09-01"), To: day("2026-09-01")}, true},
		{Filter{From: day("2026-09-02")}, false},
		{Filter{Late: true}, true},
		{Filter{ToPurge: true}, false},
		{Filter{Beneficiaries: []string{"ana"}}, false},
	} {
		if got := tc.f.MatchBeneficiary(s, q.Today); got != tc.want {
			t.Errorf("MatchBeneficiary(%+v) = %v", tc.f, got)
		}
	}
	rows := q.InterviewRows(c)
	n := 0
	for _, r := range rows {
		if (Filter{Formateur: "Paul", Types: []string{"entretien-suivi"}}).MatchInterview(s, r) {
			n++
		}
	}
	if n != 1 || rows[2].Presence != "absent" || rows[3].Statut != DocDraft {
		t.Errorf("interviews of Paul: %d; rows %+v", n, rows)
	}
	o1, o2 := c.Objective("O1"), c.Objective("O2")
	if !(Filter{Statuts: []string{ObjectivesOpen}}).MatchObjective(s, o1, q.Judge(c).Late(o1)) ||
		(Filter{Statuts: []string{ObjectivesOpen}}).MatchObjective(s, o2, q.Judge(c).Late(o2)) ||
		!(Filter{Statuts: []string{ObjectivesClosed}}).MatchObjective(s, o2, q.Judge(c).Late(o2)) ||
		!(Filter{Late: true}).MatchObjective(s, o1, q.Judge(c).Late(o1)) ||
		(Filter{Late: true}).MatchObjective(s, o2, q.Judge(c).Late(o2)) {
		t.Error("objective filters")
	}
}

// A missed interview dated after the day judged is not missed yet:
// absence-sans-relance and decrochage apply from its day on.
func TestMissedInterviewInTheFuture(t *testing.T) {
	c := testCase(t, "jean-dupont", map[string]string{
		"fiche.md":                        "type: fiche\nstatut: en-cours\ndate_entree: 2026-09-01\n",
		"2026-09-01-entretien-initial.md": "type: entretien-initial\ndate: 2026-09-01\nstatut: finalise\n",
		"2026-11-20-entretien-suivi.md":   "type: entretien-suivi\ndate: 2026-11-20\nstatut: finalise\npresence: excuse\n",
		"2026-12-10-entretien-suivi.md":   "type: entretien-suivi\ndate: 2026-12-10\nstatut: finalise\npresence: absent\nrelance:\n",
	})
	rules := func(today string) []string {
		d, _ := ParseDate(today)
		var out []string
		for _, cn := range Judge(c, nil, testKinds, d).Concerns {
			if cn.Rule == "absence-sans-relance" || cn.Rule == "decrochage" {
				out = append(out, cn.Rule+":"+FormatDate(cn.Date))
			}
		}
		return out
	}
	if got := rules("2026-11-25"); len(got) != 0 {
		t.Errorf("before the interview: %v, want nothing", got)
	}
	got := rules("2026-12-10")
	if len(got) != 2 || got[0] != "absence-sans-relance:2026-12-10" || got[1] != "decrochage:2026-12-10" {
		t.Errorf("on the interview's day: %v", got)
	}
	// The empty relance key is where the problem shows.
	for _, cn := range Judge(c, nil, testKinds, time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)).Concerns {
		if cn.Rule == "absence-sans-relance" && (cn.Node == nil || cn.Node.Value != "relance") {
			t.Errorf("node %+v, want the relance key", cn.Node)
		}
	}
}
