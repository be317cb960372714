package validate

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// Tests of the phases of runner.unit; the whole walk is tested through Run
// (run_test.go, equivalence_test.go).

func TestUnitPath(t *testing.T) {
	if got := unitPath(""); got != casefile.BeneficiariesDir {
		t.Errorf("unitPath(\"\") = %q", got)
	}
	if got, want := unitPath("dupont-marie"), casefile.BeneficiariesDir+"/dupont-marie"; got != want {
		t.Errorf("unitPath = %q, want %q", got, want)
	}
}

func phaseRunner() *runner {
	return &runner{e: newEngine(DefaultSettings(), templates.Builtin())}
}

func TestNotFolderReportsLinksAndSpecialFiles(t *testing.T) {
	r := phaseRunner()
	u := &unit{name: "x"}
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{fs.ModeSymlink | 0o777, "lien symbolique : un dossier de bénéficiaire"},
		{fs.ModeNamedPipe, "ni dossier ni fichier ordinaire"},
	} {
		res := &result{}
		r.notFolder(u, "beneficiaires/x", tc.mode, res)
		if len(res.findings) != 1 || res.findings[0].Rule != "emplacement" || res.findings[0].Path != "beneficiaires/x" ||
			!strings.Contains(res.findings[0].Message, tc.want) {
			t.Errorf("mode %v: findings %+v, want one emplacement finding %q", tc.mode, res.findings, tc.want)
		}
		if len(res.docs) != 0 || res.read != 0 {
			t.Errorf("mode %v: docs %v read %d: nothing is read", tc.mode, res.docs, res.read)
		}
	}
}

func phaseDoc(t *testing.T, p, front string) *casefile.Document {
	t.Helper()
	return casefile.Parse(p, []byte("---\n"+front+"---\n"))
}

func TestGatherSelectsFindingsButKeepsEveryFact(t *testing.T) {
	const dir = "beneficiaires/dupont-marie/"
	fiche := phaseDoc(t, dir+casefile.FicheFile, "id: dupont-marie\n")
	first := phaseDoc(t, dir+"2026-01-05_entretien.md", "derogations:\n  - regle: rythme\n    motif: absent\n")
	second := phaseDoc(t, dir+"2026-02-05_entretien.md", "type: entretien\n")
	entries := []*docEntry{
		{path: fiche.Path, facts: fiche, findings: []Finding{{Path: fiche.Path, Rule: "a"}}},
		{path: first.Path, facts: first, findings: []Finding{{Path: first.Path, Rule: "b"}}},
		{path: dir + "casse.md", broken: true, findings: []Finding{{Path: dir + "casse.md", Rule: "c"}}},
		{path: second.Path, facts: second},
	}
	u := &unit{name: "dupont-marie", selected: map[string]bool{fiche.Path: true, dir + "casse.md": true}}
	res := &result{}
	gotFiche, interviews, waivers := gather(u, entries, res)
	if gotFiche != fiche {
		t.Errorf("fiche = %v, want the fiche.md document", gotFiche)
	}
	if !slices.Equal(interviews, []*casefile.Document{first, second}) {
		t.Errorf("interviews = %v, want both interviews in order", interviews)
	}
	// The unselected interview's waiver still applies to the folder.
	if len(waivers) != 1 || waivers[0].Path != first.Path || waivers[0].Rule != "rythme" || waivers[0].Motif != "absent" {
		t.Errorf("waivers = %+v", waivers)
	}
	if want := []string{fiche.Path, dir + "casse.md"}; !slices.Equal(res.docs, want) {
		t.Errorf("docs = %v, want %v", res.docs, want)
	}
	if len(res.findings) != 2 || res.findings[0].Rule != "a" || res.findings[1].Rule != "c" {
		t.Errorf("findings = %+v, want those of the selected entries", res.findings)
	}
}

func TestJudgeSkipsCaseRulesOnABrokenFolder(t *testing.T) {
	r := phaseRunner()
	u := &unit{name: "dupont-marie"}
	res := &result{}
	r.judge(u, "beneficiaires/dupont-marie", &folderScan{broken: true}, res)
	if res.caseRan {
		t.Error("case rules ran on a folder with an unreadable file")
	}
	if len(res.findings) != 1 || res.findings[0].Path != "beneficiaires/dupont-marie/fiche.md" || !strings.Contains(res.findings[0].Message, "n'a pas de fiche.md") {
		t.Errorf("findings = %+v, want the missing fiche only", res.findings)
	}
}

func TestReplayTakesTheVerdict(t *testing.T) {
	v := &verdict{findings: []Finding{{Rule: "r"}}, waivers: []Waiver{{Rule: "w"}}, caseRan: true}
	res := &result{pending: &pending{}}
	replay([]*docEntry{{path: "a"}, {path: "b"}}, v, res)
	if !slices.Equal(res.docs, []string{"a", "b"}) || !res.final || !res.caseRan || res.pending.verdict != v ||
		len(res.findings) != 1 || len(res.waivers) != 1 {
		t.Errorf("result = %+v", res)
	}
}
