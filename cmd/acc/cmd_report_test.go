package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunReport(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o reportOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		if o.Format == "" {
			o.Format = "md"
		}
		err := runReport(&o)
		return out.String(), errb.String(), err
	}

	// The caseload, from the cache: both beneficiaries, Jean's old draft
	// (22 days at the fixed date) among those to follow closely.
	out, stderr, err := run(reportOptions{})
	wantExit(t, err, exitOK)
	wantIn(t, "caseload", out, "# File active — Centre Test", "document établi le 25 novembre 2026",
		"- **Bénéficiaires** : 2", "| Jean Dupont (jean-dupont) | Marie Martin | Brouillon ouvert : 2026-11-03-entretien-initial.md (22 jours) |")
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}

	// One beneficiary named by his last name, in JSON: his documents and
	// the findings of today's validation.
	out, _, err = run(reportOptions{IDs: []string{"dupont"}, JSON: true})
	wantExit(t, err, exitOK)
	wantIn(t, "json", out, `"kind": "beneficiaire"`, `"id": "jean-dupont"`, `"today": "2026-11-25"`,
		`"rule": "brouillon-ancien"`, `"body": "## Situation`)
	if strings.Contains(out, "Ana") {
		t.Errorf("another beneficiary in Jean's report:\n%s", out)
	}

	// Two beneficiaries: a bundle; --synthese leaves the documents out.
	out, _, err = run(reportOptions{IDs: []string{"jean-dupont", "ana-lima"}, Summary: true})
	wantExit(t, err, exitOK)
	wantIn(t, "bundle", out, "Jean Dupont", "Ana Lima")
	if strings.Contains(out, "## Situation") {
		t.Errorf("--synthese, yet the documents' text:\n%s", out)
	}

	// As of a revision: the history, not validated.
	out, _, err = run(reportOptions{IDs: []string{"jean-dupont"}, JSON: true, At: "HEAD"})
	wantExit(t, err, exitOK)
	wantIn(t, "--at", out, `"id": "jean-dupont"`)
	if strings.Contains(out, "brouillon-ancien") {
		t.Errorf("--at, yet today's findings:\n%s", out)
	}

	// Qualiopi evidence of the whole caseload.
	out, _, err = run(reportOptions{Qualiopi: true})
	wantExit(t, err, exitOK)
	wantIn(t, "qualiopi", out, "# Preuves Qualiopi — Centre Test")

	// --anonymize: pseudonyms, no name.
	out, _, err = run(reportOptions{Anonymize: true, JSON: true})
	wantExit(t, err, exitOK)
	for _, name := range []string{"Dupont", "Lima", "jean-dupont"} {
		if strings.Contains(out, name) {
			t.Errorf("--anonymize, yet %q:\n%s", name, out)
		}
	}

	// -o: a file relative to the working folder, said on stderr.
	out, stderr, err = run(reportOptions{Output: "file-active.md"})
	wantExit(t, err, exitOK)
	if out != "" {
		t.Errorf("stdout with -o: %q", out)
	}
	wantIn(t, "stderr", stderr, "Rapport écrit dans file-active.md\n")
	written, rerr := os.ReadFile(filepath.Join(r.dir, "file-active.md"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	wantIn(t, "file", string(written), "# File active — Centre Test")
	os.Remove(filepath.Join(r.dir, "file-active.md"))

	// Bad input: exit 2, nothing written.
	for _, o := range []reportOptions{
		{Format: "pdf"},
		{From: "2026-12-01", To: "2026-11-01"},
		{IDs: []string{"jean-dupont"}, Dispositif: "PLIE"},
		{IDs: []string{"personne"}},
		{At: "2026-13-45"},
	} {
		out, _, err = run(o)
		wantExit(t, err, exitUsage)
		if out != "" {
			t.Errorf("%+v: stdout %q", o, out)
		}
	}
}
