package main

import (
	"strings"
	"testing"
)

func TestRunStatus(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o statusOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		err := runStatus(&o)
		return out.String(), errb.String(), err
	}
	draft := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"

	// Everything committed: Jean's draft is 22 days old at the fixed date.
	out, stderr, err := run(statusOptions{})
	wantExit(t, err, exitOK)
	want := "Situation au mercredi 2026-11-25.\n\n" +
		"Personne à contacter cette semaine : aucun entretien prévu dans les 7 jours, aucun retard.\n\n" +
		"Jean Dupont (jean-dupont) · Marie Martin\n" +
		"  - brouillon depuis 22 jours, à finaliser : " + draft + "\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant\n%s", out, want)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}

	// A new interview, not committed, in error, planning the next one in
	// two days: Ana is to be contacted this week.
	ana := "beneficiaires/ana-lima/2026-11-04-entretien-initial.md"
	r.write(ana, "---\ntype: entretien-initial\nbeneficiaire: ana-lima\ndate: 2026-11-04\nprochain_entretien: 2026-11-27\n---\n")
	out, _, err = run(statusOptions{})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out,
		"\nNon enregistré (acc commit pour l'enregistrer) :\n  nouveau   "+ana+"\n",
		"\nÀ contacter cette semaine : Ana Lima (ana-lima).\n",
		"entretien prévu le vendredi 2026-11-27 (dans 2 jours)",
		"\n1 document a encore des erreurs de validation (acc validate pour les détailler) :\n  "+ana+"\n")

	// JSON: the same facts.
	out, _, err = run(statusOptions{JSON: true})
	wantExit(t, err, exitOK)
	wantIn(t, "json", out, `"date": "2026-11-25"`, `"etat": "nouveau"`, `"a_contacter": [
    "ana-lima"
  ]`, `"motif": "brouillon-ancien"`, `"jours": 22`, `"documents_en_erreur": [
    "`+ana+`"
  ]`)

	// Another referent's caseload: no beneficiary, no document in error;
	// uncommitted documents are still said.
	out, _, err = run(statusOptions{Formateur: "personne"})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "nouveau   "+ana, "Personne à contacter cette semaine")
	if strings.Contains(out, "Jean Dupont") || strings.Contains(out, "erreurs de validation") {
		t.Errorf("--formateur personne, yet:\n%s", out)
	}
}
