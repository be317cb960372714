package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRunRm(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(path string) (string, string, error) {
		d, out, errb := r.deps("")
		err := runRm(&rmOptions{deps: d, Path: path})
		return out.String(), errb.String(), err
	}
	doc := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"
	head := r.head()

	// Refusals write nothing: the fiche, a file never committed, one with
	// changes not committed, something outside the folders.
	r.write("beneficiaires/ana-lima/2026-11-04-entretien-initial.md", "---\ntype: entretien-initial\n---\n")
	for _, c := range []struct{ path, says string }{
		{"beneficiaires/jean-dupont/fiche.md", "acc mv jean-dupont NOUVEL-ID"},
		{"beneficiaires/ana-lima/2026-11-04-entretien-initial.md", "n'a jamais été enregistré"},
		{"beneficiaires/ana-lima/2026-11-09-entretien-suivi.md", "document introuvable"},
		{"acc.yaml", "n'est pas un document de dossier"},
	} {
		_, _, err := run(c.path)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
	os.Remove(filepath.Join(r.dir, "beneficiaires/ana-lima/2026-11-04-entretien-initial.md"))
	appendFile(t, filepath.Join(r.dir, doc), "Texte tapé.\n")
	_, _, err := run(doc)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "modifications non enregistrées")
	r.git("checkout", "--", doc)
	if r.head() != head {
		t.Fatal("a refusal committed")
	}

	out, stderr, err := run(doc)
	wantExit(t, err, exitOK)
	if out != "" || stderr != "acc : supprimé (entretien-initial : jean-dupont (2026-11-03) supprimé) ; l'historique le garde : acc log "+doc+"\n" {
		t.Errorf("stdout %q, stderr %q", out, stderr)
	}
	if _, err := os.Stat(filepath.Join(r.dir, doc)); !os.IsNotExist(err) {
		t.Errorf("still on disk: %v", err)
	}
	r.clean()
	wantIn(t, "commit", r.git("log", "-1", "--format=%s%n%b"), "Acc-Action: rm\n", "Acc-Type: entretien-initial\n")
	wantIn(t, "history", r.git("show", "HEAD~1:"+doc), "type: entretien-initial")
}
