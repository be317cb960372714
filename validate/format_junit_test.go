package validate

import (
	"encoding/xml"
	"strings"
	"testing"
)

// junitOut is JUnit XML as a reader of it sees it.
type junitOut struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failures  []struct {
				Type    string `xml:"type,attr"`
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, out []byte) junitOut {
	t.Helper()
	var j junitOut
	if err := xml.Unmarshal(out, &j); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(j.Suites) != 1 {
		t.Fatalf("%d test suites, want 1", len(j.Suites))
	}
	return j
}

func TestFormatJUnit(t *testing.T) {
	out := render(t, FormatJUnit, fixture(), Options{GitPrefix: "examples"})
	if !strings.HasPrefix(string(out), xml.Header) {
		t.Error("no XML declaration")
	}
	j := readJUnit(t, out)
	s := j.Suites[0]
	if j.Tests != 4 || s.Tests != 4 || len(s.Cases) != 4 {
		t.Errorf("tests %d/%d with %d test cases, want 4: one per document", j.Tests, s.Tests, len(s.Cases))
	}
	if j.Failures != 2 || s.Failures != 2 || j.Errors != 0 || s.Errors != 0 || s.Skipped != 0 {
		t.Errorf("failures %d/%d errors %d/%d skipped %d; want 2 failures (two documents with errors), 0 errors", j.Failures, s.Failures, j.Errors, s.Errors, s.Skipped)
	}
	if s.Name != "acc validate" {
		t.Errorf("suite name %q", s.Name)
	}
	wantNames := []string{"examples/" + docFiche, "examples/" + docInitial, "examples/" + docSuivi, "examples/" + docDiagnostic}
	for i, c := range s.Cases {
		if c.Classname != "acc" || c.Name != wantNames[i] {
			t.Errorf("test case %d: %q %q, want acc %q", i, c.Classname, c.Name, wantNames[i])
		}
	}
	clean, initial, suivi, diag := s.Cases[0], s.Cases[1], s.Cases[2], s.Cases[3]
	if len(clean.Failures) != 0 || clean.SystemOut != "" {
		t.Errorf("clean document: %+v", clean)
	}
	if len(initial.Failures) != 1 {
		t.Fatalf("document with two errors: %d <failure>, want one", len(initial.Failures))
	}
	f := initial.Failures[0]
	if f.Type != "champ-manquant, information-rgpd" {
		t.Errorf("failure type %q", f.Type)
	}
	if !strings.HasPrefix(f.Message, "champ-manquant: Ajoutez le champ « objectif_entretien »") || !strings.HasSuffix(f.Message, " (et 1 autre erreur)") {
		t.Errorf("failure message %q", f.Message)
	}
	if strings.Count(f.Text, "\n") != 2 || !strings.Contains(f.Text, "examples/"+docInitial+":1:1: erreur information-rgpd: ") {
		t.Errorf("failure text %q: want one line per error, Git-root paths", f.Text)
	}
	if !strings.Contains(initial.SystemOut, ":7:1: avertissement champ-inconnu: ") {
		t.Errorf("warning not in system-out: %q", initial.SystemOut)
	}
	if len(suivi.Failures) != 0 {
		t.Errorf("warnings and infos fail a test case: %+v", suivi.Failures)
	}
	// The case-level rythme finding came after the next document's
	// Document call: it still lands in its own test case.
	if strings.Count(suivi.SystemOut, "\n") != 4 || !strings.Contains(suivi.SystemOut, "avertissement rythme: ") || !strings.Contains(suivi.SystemOut, "info propos-jugeant: ") {
		t.Errorf("system-out of the follow-up: %q", suivi.SystemOut)
	}
	if !strings.HasPrefix(suivi.SystemOut, "examples/"+docSuivi+":4:7: ") {
		t.Errorf("findings of a test case are not sorted by line: %q", suivi.SystemOut)
	}
	if strings.Contains(string(out), "désactivée") {
		t.Error("a finding turned off was written")
	}
	if len(diag.Failures) != 1 || !strings.Contains(diag.Failures[0].Text, "(<= 4 & >= 1)") {
		t.Errorf("XML characters of a message: %+v", diag.Failures)
	}
}

func TestFormatJUnitEdgeCases(t *testing.T) {
	calls := []fixtureCall{
		{doc: docFiche},
		{doc: docFiche}, // twice: still one test case
		// A finding on a document never announced gets its test case.
		{finding: &Finding{Path: "beneficiaires/x/notes.txt", Line: 1, Column: 1, Severity: Error, Rule: "emplacement", Message: "a\x00b ]]> c"}},
	}
	j := readJUnit(t, render(t, FormatJUnit, calls, Options{}))
	s := j.Suites[0]
	if j.Tests != 2 || len(s.Cases) != 2 || s.Cases[1].Name != "beneficiaires/x/notes.txt" || len(s.Cases[1].Failures) != 1 {
		t.Fatalf("got %+v", j)
	}
	if m := s.Cases[1].Failures[0].Message; m != "emplacement: a\uFFFDb ]]> c" {
		t.Errorf("a character XML cannot hold must be replaced: %q", m)
	}
	j = readJUnit(t, render(t, FormatJUnit, nil, Options{}))
	if j.Tests != 0 || len(j.Suites[0].Cases) != 0 {
		t.Errorf("empty run: %+v", j)
	}
}
