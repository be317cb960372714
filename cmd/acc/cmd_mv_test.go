package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRunMv(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(oldID, newID string) (string, string, error) {
		d, out, errb := r.deps("")
		err := runMv(&mvOptions{deps: d, OldID: oldID, NewID: newID})
		return out.String(), errb.String(), err
	}

	// Refusals write nothing.
	head := r.head()
	for _, c := range []struct{ old, new, says string }{
		{"jean-dupont", "ana-lima", "existe déjà"},
		{"jean-dupont", "jean-dupont", "l'identifiant est déjà « jean-dupont »"},
		{"jean-dupont", "Jean Dupont", "NOUVEL-ID"},
		{"personne", "jean-dupond", "personne"},
	} {
		_, _, err := run(c.old, c.new)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
	r.write("beneficiaires/jean-dupont/notes.txt", "à trier\n")
	_, _, err := run("jean-dupont", "jean-dupond")
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "modifications non enregistrées (beneficiaires/jean-dupont/notes.txt)")
	os.Remove(filepath.Join(r.dir, "beneficiaires/jean-dupont/notes.txt"))
	if r.head() != head {
		t.Fatal("a refusal committed")
	}
	r.clean()

	// A name designates the person too; one commit moves the folder.
	out, stderr, err := run("Dupont", "jean-dupond")
	wantExit(t, err, exitOK)
	if out != "beneficiaires/jean-dupond\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "stderr", stderr, "acc : enregistré (mv : jean-dupont devient jean-dupond, 2 fichiers)")
	r.clean()
	wantIn(t, "commit", r.git("log", "-1", "--format=%s%n%b"), "mv : jean-dupont devient jean-dupond\n", "Acc-Action: mv")
	wantIn(t, "fiche", r.git("show", "HEAD:beneficiaires/jean-dupond/fiche.md"), "id: jean-dupond\n")
	wantIn(t, "interview", r.git("show", "HEAD:beneficiaires/jean-dupond/2026-11-03-entretien-initial.md"), "beneficiaire: jean-dupond\n")
	if s := r.git("ls-files", "beneficiaires/jean-dupont"); s != "" {
		t.Errorf("old folder still tracked: %s", s)
	}
}
