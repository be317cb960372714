package lsp

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// diagnosticPlace is a place in an entretien-diagnostic made of src.
func diagnosticPlace(t *testing.T, src string) *place {
	t.Helper()
	typ, ok := templates.Builtin().Lookup("entretien-diagnostic")
	if !ok {
		t.Fatal("entretien-diagnostic missing")
	}
	return &place{d: casefile.Parse("2026-11-27-entretien-diagnostic.md", []byte(src)), typ: typ, front: true}
}

func itemLabels(items []CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func fieldKeys(fields []*templates.Field) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Key)
	}
	return out
}

// A nested key names a field of the mapping above it, of a list's items
// after "- ", or a top-level one at indent 0; an unknown parent, none.
func TestNestedFields(t *testing.T) {
	pl := diagnosticPlace(t, "---\ntype: entretien-diagnostic\nfreins:\n  mobilite: 1\n  \nobjectifs:\n  - id: O1\n    \ninconnu:\n  \n---\n")
	if got := fieldKeys(nestedFields(pl, 4, 2, false)); !slices.Contains(got, "logement") || slices.Contains(got, "statut") {
		t.Errorf("under freins: %v", got)
	}
	if got := fieldKeys(nestedFields(pl, 6, 2, true)); !slices.Contains(got, "intitule") || slices.Contains(got, "logement") {
		t.Errorf("an item of objectifs: %v", got)
	}
	if got := nestedFields(pl, 4, 2, true); got != nil {
		t.Errorf("an item under freins, not a list: %v", fieldKeys(got))
	}
	if got := fieldKeys(nestedFields(pl, 4, 0, false)); !slices.Contains(got, "statut") {
		t.Errorf("indent 0: %v", got)
	}
	if got := nestedFields(pl, 9, 2, false); got != nil {
		t.Errorf("under an unknown key: %v", fieldKeys(got))
	}
}

// Only the keys and sections the document lacks are offered, keys ranked
// by their place in the type.
func TestMissingKeyAndSectionItems(t *testing.T) {
	pl := diagnosticPlace(t, "---\ntype: entretien-diagnostic\nstatut: brouillon\n---\n\n## Introduction\n\ntexte\n")
	keys := missingKeyItems(pl)
	if got := itemLabels(keys); slices.Contains(got, "type") || slices.Contains(got, "statut") || !slices.Contains(got, "date") {
		t.Errorf("keys: %v", got)
	}
	for _, it := range keys {
		i := slices.IndexFunc(pl.typ.Fields, func(f *templates.Field) bool { return f.Key == it.Label })
		if it.SortText != sortKey(i) || it.InsertText != it.Label+": " || it.Kind != kindField {
			t.Errorf("item %+v, want rank %d", it, i)
		}
	}
	secs := itemLabels(sectionItems(pl))
	if slices.Contains(secs, "Introduction") || !slices.Contains(secs, "Conclusion") || len(secs) != len(pl.typ.Sections)-1 {
		t.Errorf("sections: %v", secs)
	}
}

func TestFieldValues(t *testing.T) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	s := &server{o: Options{Today: func() (time.Time, error) { return today, nil }}}
	zero, three, twenty := 0, 3, 20
	cases := []struct {
		f    *templates.Field
		want string
	}{
		{&templates.Field{Kind: templates.KindChoice, Values: []string{"present", "absent"}}, "present,absent"},
		{&templates.Field{Kind: templates.KindInteger, Min: &zero, Max: &three}, "0,1,2,3"},
		{&templates.Field{Kind: templates.KindInteger, Min: &zero, Max: &twenty}, ""},
		{&templates.Field{Kind: templates.KindInteger, Max: &three}, ""},
		{&templates.Field{Kind: templates.KindBoolean}, "true,false"},
		{&templates.Field{Kind: templates.KindDate}, "2026-11-27"},
		{&templates.Field{Kind: templates.KindText}, ""},
	}
	for _, c := range cases {
		if got := strings.Join(itemLabels(s.fieldValues(c.f)), ","); got != c.want {
			t.Errorf("%s: %q, want %q", c.f.Kind, got, c.want)
		}
	}
	s.o.Today = func() (time.Time, error) { return time.Time{}, errors.New("pas de date") }
	if got := s.fieldValues(&templates.Field{Kind: templates.KindDate}); got != nil {
		t.Errorf("date without today: %v", itemLabels(got))
	}
}

// A value completes by its key: every rule for regle, a nested key's own
// field under its mapping, nothing for a key the type does not know.
func TestValueItems(t *testing.T) {
	s := &server{o: Options{Today: func() (time.Time, error) { return time.Time{}, errors.New("pas de date") }}}
	pl := diagnosticPlace(t, "---\ntype: entretien-diagnostic\nfreins:\n  mobilite: \n---\n")
	p := TextDocumentPositionParams{Position: Position{Line: 3}}
	if got := s.valueItems(p, pl, "", "regle"); len(got) != len(validate.Rules) || got[0].Label != validate.Rules[0].ID {
		t.Errorf("regle: %v", itemLabels(got))
	}
	if got := strings.Join(itemLabels(s.valueItems(p, pl, "  ", "mobilite")), ","); got != "0,1,2,3" {
		t.Errorf("freins.mobilite: %q", got)
	}
	if got := s.valueItems(p, pl, "", "inconnu"); got != nil {
		t.Errorf("unknown key: %v", itemLabels(got))
	}
}
