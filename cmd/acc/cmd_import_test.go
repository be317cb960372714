package main

import (
	"testing"
)

func TestRunImport(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o importOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		err := runImport(&o)
		return out.String(), errb.String(), err
	}
	head := r.head()

	_, _, err := run(importOptions{File: "absent.csv"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "absent.csv : fichier introuvable")

	// Jean Dupont entered on 2026-11-02 already: the whole file is refused,
	// with the line.
	r.write("../inscrits-doublon.csv", "Prénom;Nom;Date d'entrée\nLéa;Roux;02/11/2026\nJean;Dupont;02/11/2026\n")
	_, _, err = run(importOptions{File: "../inscrits-doublon.csv"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), ":3", "beneficiaires/jean-dupont/fiche.md", "rien n'a été importé")

	// --dry-run: the plan, nothing written; a row without a date enters today.
	r.write("../inscrits.csv", "Prénom;Nom;Date d'entrée;Téléphone\nLéa;Roux;02/11/2026;0600000000\nMax;Petit;;\n")
	out, stderr, err := run(importOptions{File: "../inscrits.csv", DryRun: true})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out,
		"../inscrits.csv:2\tbeneficiaires/lea-roux/fiche.md\tLéa Roux\tentrée 2026-11-02\n",
		"../inscrits.csv:3\tbeneficiaires/max-petit/fiche.md\tMax Petit\tentrée 2026-11-25\n")
	wantIn(t, "stderr", stderr, "acc : colonnes ignorées : Téléphone\n", "acc : 2 fiches seraient créées (--dry-run : rien n'a été écrit)\n")
	if r.head() != head {
		t.Fatal("a refusal or a dry run committed")
	}
	r.clean()

	out, stderr, err = run(importOptions{File: "../inscrits.csv"})
	wantExit(t, err, exitOK)
	if out != "beneficiaires/lea-roux/fiche.md\nbeneficiaires/max-petit/fiche.md\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "stderr", stderr, "acc : enregistré (import : 2 bénéficiaires)\n")
	wantIn(t, "commit", r.git("log", "-1", "--format=%s%n%b"), "import : 2 bénéficiaires\n", "Acc-Beneficiaire: lea-roux\n", "Acc-Beneficiaire: max-petit\n")
	wantIn(t, "fiche", r.git("show", "HEAD:beneficiaires/max-petit/fiche.md"), "date_entree: 2026-11-25\n", "formateur_referent: Marie Martin\n")
	r.clean()
}
