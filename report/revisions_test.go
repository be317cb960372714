package report

import (
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// objectiveNode parses one objective declaration as the tracker reads it.
func objectiveNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// The original declaration sets the state silently; each later one is
// described by what it changed, in the order of its keys.
func TestRevisionTrackerRead(t *testing.T) {
	tr := &revisionTracker{s: &settings{}}
	first := objectiveNode(t, `intitule: Permis B
echeance: 2026-03-01
actions:
  - { libelle: Code, fait: false, echeance: 2026-02-01 }
  - { libelle: Conduite, fait: true }
`)
	if got := tr.read(first, false); got != nil {
		t.Fatalf("original declaration: %q, want no change", got)
	}
	second := objectiveNode(t, `intitule: Permis B
indicateur: examen réussi
echeance: 2026-04-01
actions:
  - { libelle: Code, fait: true, echeance: 2026-01-15 }
  - { libelle: Stage, fait: false }
`)
	want := []string{
		"indicateur modifié : « examen réussi »",
		"échéance repoussée du 1er mars 2026 au 1er avril 2026",
		"action faite : « Code »",
		"échéance de l'action « Code » avancée du 1er février 2026 au 15 janvier 2026",
		"action ajoutée : « Stage »",
		"action retirée : « Conduite »",
	}
	if got := tr.read(second, true); !reflect.DeepEqual(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
	if got := tr.read(second, true); got != nil {
		t.Fatalf("unchanged declaration: %q, want none", got)
	}
}

// An anonymized report names no action and no text: it counts.
func TestRevisionTrackerAnonymized(t *testing.T) {
	tr := &revisionTracker{s: &settings{Options: Options{Anonymize: true}}}
	tr.read(objectiveNode(t, `intitule: Permis B
actions: [{ libelle: A }, { libelle: B, fait: true }, { libelle: C, echeance: 2026-02-01 }]
`), false)
	got := tr.read(objectiveNode(t, `intitule: Permis C
actions: [{ libelle: A, fait: true }, { libelle: B }, { libelle: C, echeance: 2026-03-01 }, { libelle: D }, { libelle: E }]
`), true)
	want := []string{
		"intitulé modifié",
		"échéance d'une action repoussée du 1er février 2026 au 1er mars 2026",
		"1 action faite", "1 action rouverte", "2 actions ajoutées",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
}

func TestDeadlineMove(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	for _, c := range []struct {
		prev, next time.Time
		want       string
	}{
		{time.Time{}, d("2026-05-02"), "échéance fixée au 2 mai 2026"},
		{d("2026-05-02"), d("2026-06-01"), "échéance repoussée du 2 mai 2026 au 1er juin 2026"},
		{d("2026-06-01"), d("2026-05-02"), "échéance avancée du 1er juin 2026 au 2 mai 2026"},
	} {
		if got := deadlineMove(c.prev, c.next); got != c.want {
			t.Errorf("deadlineMove(%v, %v) = %q, want %q", c.prev, c.next, got, c.want)
		}
	}
}

// An unreadable deadline leaves the previous one standing.
func TestObjectiveDeadlineIgnoresBadDate(t *testing.T) {
	tr := &revisionTracker{s: &settings{}}
	tr.read(objectiveNode(t, "echeance: 2026-03-01\n"), false)
	if got := tr.read(objectiveNode(t, "echeance: bientôt\n"), true); got != nil {
		t.Fatalf("bad date: %q, want no change", got)
	}
	if got := tr.read(objectiveNode(t, "echeance: 2026-03-01\n"), true); got != nil {
		t.Fatalf("same date after a bad one: %q, want no change", got)
	}
}

func TestActionCountsSummary(t *testing.T) {
	if got := (actionCounts{}).summary(); got != nil {
		t.Fatalf("no change: %q", got)
	}
	got := actionCounts{done: 2, removed: 1}.summary()
	want := []string{"2 actions faites", "1 action retirée"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
