package validate

import (
	"bytes"
	"strings"
	"testing"
)

func TestFormatGitHubEscaping(t *testing.T) {
	f := Finding{Path: "a,b:c%.md", Line: 9, Column: 17, Severity: Warning, Rule: "objectif-en-retard", Message: "100 % : a,b\r\nc"}
	got := githubLine(gitPath("suivi", f.Path), f)
	want := "::warning file=suivi/a%2Cb%3Ac%25.md,line=9,col=17,title=objectif-en-retard::100 %25 : a,b%0D%0Ac\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestFormatGitHub(t *testing.T) {
	var step bytes.Buffer
	out := string(render(t, FormatGitHub, fixture(), Options{GitPrefix: "examples", StepSummary: &step}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 9 commands and the summary:\n%s", len(lines), out)
	}
	for i, prefix := range []string{
		"::error file=examples/" + docInitial + ",line=1,col=1,title=champ-manquant::",
		"::error ", "::warning ", "::warning ", "::notice ", "::notice ", "::error ", "::error ",
		"::warning file=examples/" + docSuivi + ",line=4,col=7,title=rythme::",
	} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d %q, want prefix %q", i, lines[i], prefix)
		}
	}
	if !strings.HasSuffix(lines[3], "::L'objectif O2 (réalisé à 40 %25) devait être atteint le 2026-01-31 : faites le point,%0Aou donnez-lui une nouvelle échéance.") {
		t.Errorf("message escaping: %q", lines[3])
	}
	if lines[9] != fixtureSummary.String() {
		t.Errorf("summary line %q", lines[9])
	}
	md := step.String()
	for _, want := range []string{
		"| règle | sévérité | nombre |",
		"| `champ-manquant` | erreur | 1 |",
		"| `propos-jugeant` | info | 2 |",
		"**" + fixtureSummary.String() + "**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("step summary lacks %q:\n%s", want, md)
		}
	}
	// Errors first, then the order of Rules.
	if strings.Index(md, "donnee-sensible") > strings.Index(md, "champ-inconnu") ||
		strings.Index(md, "champ-manquant") > strings.Index(md, "information-rgpd") {
		t.Errorf("step summary order:\n%s", md)
	}
}

func TestFormatGitHubNoStepSummary(t *testing.T) {
	out := render(t, FormatGitHub, []fixtureCall{{doc: docFiche}}, Options{})
	if string(out) != "0 erreur, 0 avertissement, 0 info dans 1 document\n" {
		t.Errorf("got %q", out)
	}
}
