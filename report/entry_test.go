package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// testCases are the examples, generated beneficiaries (drafts, absences
// with and without relance, bilans) and a malformed case.
func testCases(t *testing.T) []*casefile.Case {
	var cases []*casefile.Case
	for _, id := range exampleIDs(t) {
		cases = append(cases, loadCase(t, id))
	}
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	for i := range 150 {
		cases = append(cases, genCase(i, start))
	}
	cases = append(cases, parseCase("sans-fiche", map[string]string{
		"2026-01-05-entretien-initial.md": "pas de frontmatter\n",
		"2026-01-12-entretien-suivi.md": "---\ntype: entretien-suivi\ndate: 2026-13-45\nstatut: brouillon\npresence: absent\n" +
			"objectifs:\n  - id: O1\n    echeance: hier\n  - id: O2\n    echeance: 2026-02-01\nsuivi_objectifs:\n  - objectif: O2\n    statut: inconnu\n---\n",
	}))
	return cases
}

// findingsFor gives each case a few findings of every severity.
func findingsFor(i int) []validate.Finding {
	all := []validate.Finding{{Severity: validate.Error}, {Severity: validate.Warning}, {Severity: validate.Info},
		{Severity: validate.Error}, {Severity: validate.Off}}
	return all[:i%len(all)]
}

// An entry does not depend on the day: entries made on one day, kept in
// their binary form and added on another give the report Add gives on that
// day, in every format, anonymised or not.
func TestCaseloadEntriesKept(t *testing.T) {
	cases := testCases(t)
	base := testOptions(t)
	var kept [2][][]byte
	for anon := range 2 {
		opt := base
		opt.Anonymize = anon == 1
		opt.Today = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) // any other day
		b, err := NewCaseload(opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			enc, err := b.Entry(c).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			kept[anon] = append(kept[anon], enc)
		}
	}
	for _, day := range []string{"2025-10-01", "2026-03-15", "2026-11-25", "2027-06-01"} {
		for anon := range 2 {
			opt := base
			opt.Anonymize = anon == 1
			opt.Today, _ = casefile.ParseDate(day)
			want, _ := NewCaseload(opt)
			got, _ := NewCaseload(opt)
			for i, c := range cases {
				want.Add(c, findingsFor(i))
				var e CaseloadEntry
				if err := e.UnmarshalBinary(kept[anon][i]); err != nil {
					t.Fatal(err)
				}
				errs, warnings := countFindings(findingsFor(i))
				got.AddEntry(&e, errs, warnings)
			}
			w, g := want.Report(), got.Report()
			if w.Attention == nil && !opt.Anonymize || w.Total.N != len(cases) {
				t.Fatalf("%s: a caseload without attention rows proves nothing", day)
			}
			for _, f := range formats {
				if a, b := render(t, f, w), render(t, f, g); !bytes.Equal(a, b) {
					t.Errorf("%s, anonymised %v, %s: kept entries differ\n%s", day, opt.Anonymize, f, firstDiff(a, b))
				}
			}
		}
	}
}

// The same for the rows of the Qualiopi evidence.
func TestQualiopiRowsKept(t *testing.T) {
	cases := testCases(t)
	for _, anon := range []bool{false, true} {
		opt := testOptions(t)
		opt.Anonymize = anon
		other := opt
		other.Today = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		want, _ := NewQualiopi(opt)
		made, _ := NewQualiopi(other)
		got, _ := NewQualiopi(opt)
		for _, c := range cases {
			want.Add(c, nil)
			enc, err := made.Row(c).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var r QualiopiRow
			if err := r.UnmarshalBinary(enc); err != nil {
				t.Fatal(err)
			}
			got.AddRow(r)
		}
		for _, f := range formats {
			if a, b := render(t, f, want.Report()), render(t, f, got.Report()); !bytes.Equal(a, b) {
				t.Errorf("anonymised %v, %s: kept rows differ\n%s", anon, f, firstDiff(a, b))
			}
		}
	}
}

// A damaged binary form is an error, never a panic nor a wrong entry.
func TestEntryDecodeDamaged(t *testing.T) {
	b, _ := NewCaseload(testOptions(t))
	q, _ := NewQualiopi(testOptions(t))
	c := loadCase(t, "elodie-n-guessan")
	entry, _ := b.Entry(c).MarshalBinary()
	row, _ := q.Row(c).MarshalBinary()
	for n := range len(entry) {
		var e CaseloadEntry
		if e.UnmarshalBinary(entry[:n]) == nil {
			t.Fatalf("entry cut at %d bytes accepted", n)
		}
	}
	for n := range len(row) {
		var r QualiopiRow
		if r.UnmarshalBinary(row[:n]) == nil {
			t.Fatalf("row cut at %d bytes accepted", n)
		}
	}
	for i := range entry {
		damaged := bytes.Clone(entry)
		damaged[i] ^= 0xff
		var e CaseloadEntry
		e.UnmarshalBinary(damaged) // must not panic
	}
	for i := range row {
		damaged := bytes.Clone(row)
		damaged[i] ^= 0xff
		var r QualiopiRow
		r.UnmarshalBinary(damaged)
	}
	var e CaseloadEntry
	if e.UnmarshalBinary(append(bytes.Clone(entry), 0)) == nil {
		t.Error("trailing byte accepted")
	}
}

// FuzzEntryDecode: any bytes decode without panic.
func FuzzEntryDecode(f *testing.F) {
	b, _ := NewCaseload(Options{Today: today})
	q, _ := NewQualiopi(Options{Today: today})
	c := genCase(12, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	e, _ := b.Entry(c).MarshalBinary()
	r, _ := q.Row(c).MarshalBinary()
	f.Add(e)
	f.Add(r)
	f.Fuzz(func(t *testing.T, data []byte) {
		var e CaseloadEntry
		if e.UnmarshalBinary(data) == nil {
			b.AddEntry(&e, 0, 0)
		}
		var r QualiopiRow
		r.UnmarshalBinary(data)
	})
}
