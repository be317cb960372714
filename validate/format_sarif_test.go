package validate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaFile is the OASIS schema, kept outside the project
// (../shared/schemas from the repository root): a fresh clone has none, and
// the schema test is skipped there.
var sarifSchemaFile = filepath.Join("..", "..", "shared", "schemas", "sarif-schema-2.1.0.json")

// sarifSchema compiles the SARIF 2.1.0 schema, or skips the test. The
// schema is draft-04 with its own "id": it is registered under that id so
// that the compiler never fetches anything.
func sarifSchemaFor(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if os.IsNotExist(err) {
		t.Skipf("schéma SARIF absent (%s) : validation par le schéma ignorée", sarifSchemaFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["id"].(string)
	if id == "" {
		id = "file:///sarif-schema-2.1.0.json"
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestFormatSARIFSchema(t *testing.T) {
	sch := sarifSchemaFor(t)
	// The checker must see a bad log, or a pass proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "acc"}}, "columnKind": "bytes"}]}`)))
	if sch.Validate(bad) == nil {
		t.Fatal("the schema accepts a bad columnKind: it is not checking")
	}
	unknown := append(fixture(), fixtureCall{finding: &Finding{Path: "beneficiaires/x/2026-01-01-entretien-suivi.md", Line: 0, Column: 0, Severity: Error, Rule: "regle-future", Message: "règle inconnue"}})
	for name, c := range map[string]struct {
		calls []fixtureCall
		o     Options
	}{
		"run":                 {fixture(), Options{GitPrefix: "examples", ToolVersion: "1.2.3"}},
		"clean":               {[]fixtureCall{{doc: docFiche}}, Options{}},
		"nothing":             {nil, Options{}},
		"prefix with accents": {fixture(), Options{GitPrefix: "Suivi des élèves/promo 2026"}},
		"prefix with colon":   {fixture(), Options{GitPrefix: "a:b"}},
		"unknown rule":        {unknown, Options{}},
	} {
		out := render(t, FormatSARIF, c.calls, c.o)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF invalid against the 2.1.0 schema: %v\n%s", name, err, out)
		}
	}
}

// sarifOut is the part of a SARIF log the tests read.
type sarifOut struct {
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind string `json:"columnKind"`
		Tool       struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID                   string `json:"id"`
					ShortDescription     struct{ Text string }
					Help                 struct{ Text string }
					DefaultConfiguration struct{ Level string }
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, out []byte) sarifOut {
	t.Helper()
	var log sarifOut
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs; want 2.1.0 and one run", log.Version, len(log.Runs))
	}
	return log
}

func TestFormatSARIFContent(t *testing.T) {
	log := readSARIF(t, render(t, FormatSARIF, fixture(), Options{GitPrefix: "examples", ToolVersion: "1.2.3"}))
	run := log.Runs[0]
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	d := run.Tool.Driver
	if d.Name != "acc" || d.Version != "1.2.3" {
		t.Errorf("driver %q %q", d.Name, d.Version)
	}
	if len(d.Rules) != len(Rules) {
		t.Fatalf("%d rules, want every rule of Rules (%d)", len(d.Rules), len(Rules))
	}
	for i, r := range Rules {
		got := d.Rules[i]
		if got.ID != r.ID || got.ShortDescription.Text != r.Summary || got.Help.Text != r.Help || got.DefaultConfiguration.Level != sarifLevel(r.Default) {
			t.Errorf("rule %d = %+v, want %s", i, got, r.ID)
		}
	}
	if len(run.Results) != 9 {
		t.Fatalf("%d results, want 9", len(run.Results))
	}
	levels := map[string]int{}
	var calls []Finding
	for _, c := range fixture() {
		if c.finding != nil && c.finding.Severity != Off {
			calls = append(calls, *c.finding)
		}
	}
	for i, res := range run.Results {
		f := calls[i]
		levels[res.Level]++
		if d.Rules[res.RuleIndex].ID != res.RuleID || res.RuleID != f.Rule {
			t.Errorf("result %d: ruleId %q, ruleIndex %d names %q", i, res.RuleID, res.RuleIndex, d.Rules[res.RuleIndex].ID)
		}
		if res.Message.Text != f.Message {
			t.Errorf("result %d: message %q", i, res.Message.Text)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "examples/"+f.Path || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: uri %q base %q, want the Git-root path", i, loc.ArtifactLocation.URI, loc.ArtifactLocation.URIBaseID)
		}
		if loc.Region.StartLine != f.Line || loc.Region.StartColumn != f.Column {
			t.Errorf("result %d: region %d:%d, want %d:%d", i, loc.Region.StartLine, loc.Region.StartColumn, f.Line, f.Column)
		}
		if res.PartialFingerprints["accFingerprint/v1"] != Fingerprint(f) {
			t.Errorf("result %d: partialFingerprints %v", i, res.PartialFingerprints)
		}
	}
	if levels["error"] != 4 || levels["warning"] != 3 || levels["note"] != 2 {
		t.Errorf("levels %v, want 4 error, 3 warning, 2 note", levels)
	}
}

func TestFormatSARIFUnknownRuleAndURI(t *testing.T) {
	calls := []fixtureCall{
		{finding: &Finding{Path: "beneficiaires/x/fiche.md", Severity: Warning, Rule: "regle-future", Message: "m"}},
		{finding: &Finding{Path: "beneficiaires/x/fiche.md", Severity: Warning, Rule: "regle-future", Message: "n"}},
	}
	log := readSARIF(t, render(t, FormatSARIF, calls, Options{GitPrefix: "Suivi des élèves"}))
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if len(rules) != len(Rules)+1 || rules[len(Rules)].ID != "regle-future" {
		t.Fatalf("an unknown rule gets one descriptor after Rules: %d rules", len(rules))
	}
	for _, res := range run.Results {
		if res.RuleIndex != len(Rules) {
			t.Errorf("ruleIndex %d, want %d", res.RuleIndex, len(Rules))
		}
		loc := res.Locations[0].PhysicalLocation
		if got, want := loc.ArtifactLocation.URI, "Suivi%20des%20%C3%A9l%C3%A8ves/beneficiaires/x/fiche.md"; got != want {
			t.Errorf("uri %q, want %q", got, want)
		}
		if loc.Region.StartLine != 1 || loc.Region.StartColumn != 1 {
			t.Errorf("unknown position written %d:%d, want 1:1", loc.Region.StartLine, loc.Region.StartColumn)
		}
	}
}
