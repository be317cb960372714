package main

import (
	"errors"
	"strings"
	"testing"
)

func TestRunEdit(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	doc := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"
	var opened []string
	// The editor adds a line, or fails.
	editor := func(fail bool) func(*workspace, string) (string, error) {
		return func(ws *workspace, rel string) (string, error) {
			opened = append(opened, rel)
			appendFile(t, ws.repo.Abs(rel), "Une ligne de plus.\n")
			if fail {
				return "faux-editeur", errors.New("code de sortie 1")
			}
			return "faux-editeur", nil
		}
	}
	run := func(o editOptions, fail bool, p prompter) (string, error) {
		d, _, errb := r.deps("")
		d.RunEditor = editor(fail)
		if p != nil {
			d.Prompter = p
		}
		o.deps = d
		err := runEdit(&o)
		return errb.String(), err
	}

	stderr, err := run(editOptions{Path: doc, Message: "Compte rendu relu"}, false, nil)
	if c := exitCode(err); c != exitOK && c != exitFindings {
		t.Fatalf("edit: %v", err)
	}
	wantIn(t, "stderr", stderr, "acc : enregistré (Compte rendu relu)\n")
	wantIn(t, "commit", r.git("log", "-1", "--format=%s%n%b"), "Compte rendu relu\n", "Acc-Action: edit\n", "Acc-Beneficiaire: jean-dupont\n")
	r.clean()

	// A failed editor: nothing committed, the text stays.
	head := r.head()
	_, err = run(editOptions{Path: doc}, true, nil)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "l'éditeur « faux-editeur » a échoué", "votre texte est conservé dans "+doc)
	if r.head() != head || !strings.Contains(r.git("status", "--porcelain"), doc) {
		t.Fatal("a failed editor committed, or lost the text")
	}
	r.git("checkout", "--", doc)

	// Without a path: asked on a terminal, refused in a script; a name
	// found in another folder is suggested; a person's name in -m refused.
	opened = nil
	_, err = run(editOptions{}, false, &scriptedPrompter{chosen: "beneficiaires/ana-lima/fiche.md"})
	if c := exitCode(err); c != exitOK && c != exitFindings {
		t.Fatalf("edit chosen: %v", err)
	}
	if len(opened) != 1 || opened[0] != "beneficiaires/ana-lima/fiche.md" {
		t.Errorf("opened %q", opened)
	}
	for _, c := range []struct {
		o    editOptions
		says string
	}{
		{editOptions{}, "document manquant"},
		{editOptions{Path: "2026-11-03-entretien-initial.md"}, "vouliez-vous dire : acc edit " + doc},
		{editOptions{Path: "beneficiaires/ana-lima/2026-11-30-entretien-suivi.md"}, "document introuvable (acc new le crée)"},
		{editOptions{Path: doc, Message: "Relu avec Jean Dupont"}, "écrivez plutôt son identifiant « jean-dupont »"},
	} {
		_, err := run(c.o, false, nil)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
	r.clean()
}

func TestRunCommit(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(paths ...string) (string, error) {
		d, _, errb := r.deps("")
		err := runCommit(&commitOptions{deps: d, Paths: paths})
		return errb.String(), err
	}
	doc := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"

	stderr, err := run()
	wantExit(t, err, exitOK)
	if stderr != "acc : aucun changement à enregistrer\n" {
		t.Errorf("nothing to commit: %q", stderr)
	}

	// A hand edit and a new file, each in its own folder; a path narrows.
	appendFile(t, r.dir+"/"+doc, "Une ligne de plus.\n")
	r.write("beneficiaires/ana-lima/notes.md", "Notes.\n")
	stderr, err = run("beneficiaires/jean-dupont")
	if c := exitCode(err); c != exitOK && c != exitFindings {
		t.Fatalf("commit: %v", err)
	}
	wantIn(t, "stderr", stderr, "acc : enregistré (entretien-initial : jean-dupont (2026-11-03) modifié)\n")
	if s := r.git("status", "--porcelain"); s != "?? beneficiaires/ana-lima/notes.md\n" {
		t.Errorf("status after a narrowed commit: %q", s)
	}

	// A document with an IBAN stays out of the history: exit 1.
	r.write("beneficiaires/ana-lima/notes.md", "IBAN FR76 3000 6000 0112 3456 7890 189\n")
	stderr, err = run()
	wantExit(t, err, exitFindings)
	wantIn(t, "stderr", stderr, "beneficiaires/ana-lima/notes.md n'est PAS enregistré")
	if s := r.git("status", "--porcelain"); s != "?? beneficiaires/ana-lima/notes.md\n" {
		t.Errorf("status: %q", s)
	}

	_, err = run("beneficiaires/ana-lima/absent.md")
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "document introuvable")
}
