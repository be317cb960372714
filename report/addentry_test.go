package report

import (
	"reflect"
	"testing"

	"github.com/acc-formation/acc/casefile"
)

// Only the concerns that apply today count, each under its kind; a rythme
// concern counts only for the gap since the last contact.
func TestTodayConcerns(t *testing.T) {
	today := day("2026-03-10")
	concerns := []entryConcern{
		{rule: "rythme", gap: casefile.GapSince, date: day("2026-02-01")},
		{rule: "rythme", gap: casefile.GapLong, date: day("2026-02-01")},
		{rule: "objectif-en-retard", label: "obj-1", date: day("2026-03-01")},
		{rule: "objectif-en-retard", label: "obj-2", date: day("2026-03-09")},
		{rule: "objectif-en-retard", label: "pas-encore", date: day("2026-03-01"), from: day("2026-03-11")},
		{rule: "objectif-en-retard", label: "plus-du-tout", date: day("2026-03-01"), until: today},
		{rule: "absence-sans-relance", date: day("2026-02-20")},
		{rule: "brouillon-ancien", label: "2026-03-09-bilan.md", date: day("2026-03-09")},
		{rule: "inconnue", date: day("2026-03-09")},
	}
	got, overdue := todayConcerns(concerns, today)
	if overdue != 2 {
		t.Errorf("overdue = %d, want 2", overdue)
	}
	want := reasonTexts{
		noContact: []string{"Aucun contact depuis 37 jours (dernier le 01/02/2026)"},
		overdue:   []string{"obj-1 (échéance 01/03/2026)", "obj-2 (échéance 09/03/2026)"},
		missed:    []string{"20/02/2026"},
		drafts:    []string{"2026-03-09-bilan.md (1 jour)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("texts:\n got %#v\nwant %#v", got, want)
	}
}

// Reasons come one per kind that has texts, in the report's order, with
// the list kinds phrased once for all their concerns.
func TestReasonTextsReasons(t *testing.T) {
	if got := (reasonTexts{}).reasons(); got != nil {
		t.Fatalf("no concern: %v", got)
	}
	got := reasonTexts{
		retention: []string{"R"},
		dropout:   []string{"01/02/2026", "15/02/2026"},
		missed:    []string{"01/02/2026", "08/02/2026", "15/02/2026"},
		overdue:   []string{"a", "b"},
		noContact: []string{"x", "y"},
	}.reasons()
	want := []Reason{
		{ReasonNoContact, "x ; y"},
		{ReasonOverdue, "Objectifs en retard : a, b"},
		{ReasonNoRelance, "Entretien manqué sans relance : 01/02/2026, 08/02/2026 et 15/02/2026"},
		{ReasonDropout, "Deux entretiens manqués de suite (le 01/02/2026 et 15/02/2026) : risque de décrochage"},
		{ReasonRetention, "R"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reasons:\n got %q\nwant %q", got, want)
	}
}

// addCounts totals rows by status, phase and trainer, attention and
// overdue objectives included.
func TestAddCounts(t *testing.T) {
	b := &CaseloadBuilder{status: map[string]int{}, phase: map[string]int{}, trainers: map[string]*trainerAgg{}}
	b.addCounts(Row{Referent: "Alice Martin", Status: ficheInProgress, Phase: "diagnostic", Overdue: 2, Attention: true})
	b.addCounts(Row{Referent: "Alice Martin", Status: ficheSuspended, Phase: "diagnostic"})
	tr := b.trainers["Alice Martin"]
	if tr == nil || tr.total != 2 || tr.overdue != 2 || tr.attention != 1 || tr.status[ficheInProgress] != 1 || tr.status[ficheSuspended] != 1 {
		t.Fatalf("trainer: %+v", tr)
	}
	if b.phase["diagnostic"] != 2 || b.status[ficheInProgress] != 1 {
		t.Fatalf("status %v, phase %v", b.status, b.phase)
	}
}
