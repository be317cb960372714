package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

type gitlabOut struct {
	Description string `json:"description"`
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

func TestFormatGitLab(t *testing.T) {
	out := render(t, FormatGitLab, fixture(), Options{GitPrefix: "examples"})
	var issues []gitlabOut
	if err := json.Unmarshal(out, &issues); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var want []Finding
	for _, c := range fixture() {
		if c.finding != nil && c.finding.Severity != Off {
			want = append(want, *c.finding)
		}
	}
	if len(issues) != len(want) {
		t.Fatalf("%d issues, want %d", len(issues), len(want))
	}
	seen := map[string]bool{}
	severities := map[string]int{}
	for i, is := range issues {
		f := want[i]
		if is.CheckName != f.Rule || is.Description != f.Rule+": "+f.Message {
			t.Errorf("issue %d: %q %q", i, is.CheckName, is.Description)
		}
		if is.Location.Path != "examples/"+f.Path || is.Location.Lines.Begin != f.Line {
			t.Errorf("issue %d: location %+v, want the Git-root path and line %d", i, is.Location, f.Line)
		}
		if len(is.Fingerprint) != 32 || strings.Trim(is.Fingerprint, "0123456789abcdef") != "" {
			t.Errorf("issue %d: fingerprint %q, want 32 hex digits", i, is.Fingerprint)
		}
		if seen[is.Fingerprint] {
			t.Errorf("issue %d: fingerprint %s used twice; GitLab needs them unique", i, is.Fingerprint)
		}
		seen[is.Fingerprint] = true
		severities[is.Severity]++
	}
	// The two propos-jugeant findings share Fingerprint: the first keeps
	// it, the repeat gets another.
	if issues[4].Fingerprint != Fingerprint(want[4]) || issues[5].Fingerprint == Fingerprint(want[5]) {
		t.Errorf("repeat handling: %s %s", issues[4].Fingerprint, issues[5].Fingerprint)
	}
	if issues[0].Fingerprint != Fingerprint(want[0]) {
		t.Error("a unique finding's fingerprint should be Fingerprint")
	}
	if issues[6].Severity != "critical" {
		t.Errorf("donnee-sensible severity %q, want critical", issues[6].Severity)
	}
	if severities["critical"] != 1 || severities["major"] != 3 || severities["minor"] != 3 || severities["info"] != 2 {
		t.Errorf("severities %v", severities)
	}
	// Repeats are stable from one run to the next.
	if again := render(t, FormatGitLab, fixture(), Options{GitPrefix: "examples"}); string(again) != string(out) {
		t.Error("two runs differ")
	}
}

func TestFormatGitLabManyRepeats(t *testing.T) {
	var calls []fixtureCall
	for range 50 {
		calls = append(calls, fixtureCall{finding: &Finding{Path: "a.md", Line: 1, Column: 1, Severity: Info, Rule: "propos-jugeant", Message: "m"}})
	}
	var issues []gitlabOut
	if err := json.Unmarshal(render(t, FormatGitLab, calls, Options{}), &issues); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, is := range issues {
		if seen[is.Fingerprint] {
			t.Fatalf("fingerprint %s repeated", is.Fingerprint)
		}
		seen[is.Fingerprint] = true
	}
}

func TestFormatGitLabEmpty(t *testing.T) {
	if out := string(render(t, FormatGitLab, []fixtureCall{{doc: docFiche}}, Options{})); out != "[]\n" {
		t.Errorf("empty report %q, want []", out)
	}
}
