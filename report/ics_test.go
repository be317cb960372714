package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// icsFixture holds the values that stress RFC 5545: every character TEXT
// escapes, line breaks, a long line of two- and three-byte characters that
// must be folded between sequences, a control character.
var icsFixture = Calendar{
	ProdID: "-//acc-formation//acc agenda//FR",
	Name:   "acc : agenda",
	Stamp:  time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC),
	Events: []CalendarEvent{
		{UID: "0123abcd@acc", Day: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
			Summary:     "Échéance objectif O1 · a; b, c\\d",
			Description: "ligne 1\nligne 2\r\nligne 3\x07 fin",
			Categories:  []string{"acc", "echeance-objectif"}},
		{UID: "4567ef01@acc", Day: time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC),
			Summary:     strings.Repeat("é€", 40),
			Description: strings.Repeat("x", 73) + "éé" + strings.Repeat("€", 30)},
	},
}

func TestWriteICSFolding(t *testing.T) {
	var b bytes.Buffer
	if err := WriteICS(&b, icsFixture); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.HasSuffix(s, "END:VCALENDAR\r\n") || strings.Count(s, "\n") != strings.Count(s, "\r\n") {
		t.Fatalf("lines must end with CRLF:\n%q", s)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("a fold split a UTF-8 sequence: %q", l)
		}
	}
	for _, want := range []string{
		"SUMMARY:Échéance objectif O1 · a\\; b\\, c\\\\d\r\n",
		"DESCRIPTION:ligne 1\\nligne 2\\nligne 3  fin\r\n",
		"DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n",
		"DTSTART;VALUE=DATE:20270228\r\nDTEND;VALUE=DATE:20270301\r\n",
		"DTSTAMP:20261205T000000Z\r\n",
		"CATEGORIES:acc,echeance-objectif\r\n",
		"METHOD:PUBLISH\r\n", "CALSCALE:GREGORIAN\r\n", "VERSION:2.0\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	unfolded := strings.ReplaceAll(s, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+strings.Repeat("é€", 40)+"\r\n") {
		t.Errorf("unfolding does not give the summary back:\n%s", unfolded)
	}
}

// icsParse is the independent judge: Python's icalendar (Debian package
// python3-icalendar) reads the file and prints its events as JSON.
const icsParse = `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {"prodid": str(cal.get("prodid")), "version": str(cal.get("version")), "method": str(cal.get("method")), "events": []}
for e in cal.walk("VEVENT"):
    out["events"].append({
        "uid": str(e.get("uid")),
        "summary": str(e.get("summary")),
        "description": str(e.get("description", "")),
        "start": e.get("dtstart").dt.isoformat(),
        "end": e.get("dtend").dt.isoformat(),
        "stamp": e.get("dtstamp").dt.isoformat(),
    })
print(json.dumps(out))
`

// ParsedICS is what icsParse prints.
type ParsedICS struct {
	ProdID  string `json:"prodid"`
	Version string `json:"version"`
	Method  string `json:"method"`
	Events  []struct {
		UID, Summary, Description, Start, End, Stamp string
	} `json:"events"`
}

// parseICS runs icsParse on a file, skipping the test when Python or its
// icalendar module is missing.
func parseICS(t *testing.T, file string) ParsedICS {
	t.Helper()
	py := ""
	// Debian's python3 has the package; a python3 of pyenv or a venv found
	// first on PATH may not.
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(cand, "-c", "import icalendar").Run() == nil {
			py = cand
			break
		}
	}
	if py == "" {
		t.Skip("python3 et son module icalendar sont absents (apt-get install python3-icalendar) : fichier .ics non relu par un analyseur indépendant")
	}
	out, err := exec.Command(py, "-c", icsParse, file).Output()
	if err != nil {
		t.Fatalf("icalendar refuses the file: %v", err)
	}
	var p ParsedICS
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWriteICSIndependentParser(t *testing.T) {
	var b bytes.Buffer
	if err := WriteICS(&b, icsFixture); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "agenda.ics")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	p := parseICS(t, file)
	if p.Version != "2.0" || p.Method != "PUBLISH" || p.ProdID != icsFixture.ProdID || len(p.Events) != 2 {
		t.Fatalf("calendar: %+v", p)
	}
	e := p.Events[0]
	if e.UID != "0123abcd@acc" || e.Start != "2026-12-31" || e.End != "2027-01-01" || !strings.HasPrefix(e.Stamp, "2026-12-05T00:00:00") {
		t.Errorf("first event: %+v", e)
	}
	if e.Summary != icsFixture.Events[0].Summary {
		t.Errorf("escaping: summary %q, want %q", e.Summary, icsFixture.Events[0].Summary)
	}
	if e.Description != "ligne 1\nligne 2\nligne 3  fin" {
		t.Errorf("escaping: description %q", e.Description)
	}
	e = p.Events[1]
	if e.Summary != icsFixture.Events[1].Summary || e.Description != icsFixture.Events[1].Description {
		t.Errorf("folding: %+v", e)
	}
	if e.Start != "2027-02-28" || e.End != "2027-03-01" {
		t.Errorf("dates: %+v", e)
	}
}
