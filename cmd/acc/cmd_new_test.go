package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunNew(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	// run runs acc new with the test's prompter and editor, when set.
	run := func(o newOptions) (string, string, error) {
		d, out, errb := r.deps("")
		if o.Prompter != nil {
			d.Prompter = o.Prompter
		}
		if o.RunEditor != nil {
			d.RunEditor, d.EditorCommand = o.RunEditor, o.EditorCommand
		}
		o.deps = d
		err := runNew(&o)
		return out.String(), errb.String(), err
	}

	// A fiche, on the fixed date, with the id drawn from the name.
	out, _, err := run(newOptions{Args: []string{"beneficiaire", "Léa  Roux"}, Dispositif: "Prépa Avenir"})
	wantExit(t, err, exitOK)
	if out != "beneficiaires/lea-roux/fiche.md\n" {
		t.Errorf("stdout %q", out)
	}
	fiche := r.git("show", "HEAD:beneficiaires/lea-roux/fiche.md")
	wantIn(t, "fiche", fiche, "id: lea-roux\n", "prenom: Léa\n", "nom: Roux\n", "date_entree: 2026-11-25\n", "dispositif: Prépa Avenir\n")
	wantIn(t, "commit", r.git("log", "-1", "--format=%s"), "fiche : lea-roux (2026-11-25)")

	// An interview, for a person designated by name, on --date.
	out, _, err = run(newOptions{Args: []string{"entretien-suivi"}, Beneficiary: "Lima", Date: "20/11/2026"})
	wantExit(t, err, exitOK)
	if out != "beneficiaires/ana-lima/2026-11-20-entretien-suivi.md\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "interview", r.git("show", "HEAD:beneficiaires/ana-lima/2026-11-20-entretien-suivi.md"), "type: entretien-suivi\n", "beneficiaire: ana-lima\n", "date: 2026-11-20\n")
	// The same type the same day: -2, never an overwrite.
	out, _, _ = run(newOptions{Args: []string{"entretien-suivi"}, Beneficiary: "ana-lima", Date: "2026-11-20"})
	if out != "beneficiaires/ana-lima/2026-11-20-entretien-suivi-2.md\n" {
		t.Errorf("stdout %q", out)
	}
	r.clean()

	// On a terminal, what is missing is asked.
	p := &scriptedPrompter{chosen: "ana-lima"}
	out, _, err = run(newOptions{Args: []string{"entretien-diagnostic"}, deps: deps{Prompter: p}})
	wantExit(t, err, exitOK)
	if out != "beneficiaires/ana-lima/2026-11-25-entretien-diagnostic.md\n" || len(p.questions) != 1 || !strings.HasPrefix(p.questions[0], "Pour quel bénéficiaire ? ana-lima,jean-dupont,lea-roux") {
		t.Errorf("stdout %q, questions %q", out, p.questions)
	}
	p = &scriptedPrompter{answers: []string{"Max Petit"}}
	out, _, err = run(newOptions{Args: []string{"beneficiaire"}, deps: deps{Prompter: p}})
	wantExit(t, err, exitOK)
	if out != "beneficiaires/max-petit/fiche.md\n" {
		t.Errorf("stdout %q", out)
	}

	// --edit: committed once the editor closes well; taken back when it fails.
	head := r.head()
	var edited string
	editor := func(ws *workspace, rel string) (string, error) {
		edited = rel
		return "faux-editeur", errors.New("code de sortie 1")
	}
	_, _, err = run(newOptions{Args: []string{"entretien-suivi"}, Beneficiary: "jean-dupont", Edit: true,
		deps: deps{RunEditor: editor, EditorCommand: func() (string, error) { return "faux-editeur", nil }}})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "l'éditeur « faux-editeur » a échoué (code de sortie 1) : le document n'a pas été créé")
	if _, serr := os.Stat(filepath.Join(r.dir, edited)); !os.IsNotExist(serr) || r.head() != head {
		t.Fatalf("a cancelled editor left %s (%v) or a commit", edited, serr)
	}
	editor = func(ws *workspace, rel string) (string, error) {
		appendFile(t, ws.repo.Abs(rel), "Relu.\n")
		return "faux-editeur", nil
	}
	out, stderr, err := run(newOptions{Args: []string{"entretien-suivi"}, Beneficiary: "jean-dupont", Edit: true,
		deps: deps{RunEditor: editor, EditorCommand: func() (string, error) { return "faux-editeur", nil }}})
	if exitCode(err) != exitOK && exitCode(err) != exitFindings {
		t.Fatalf("--edit: %v", err)
	}
	if out != "beneficiaires/jean-dupont/2026-11-25-entretien-suivi.md\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "stderr", stderr, "acc : enregistré (entretien-suivi : jean-dupont (2026-11-25))")
	wantIn(t, "committed", r.git("show", "HEAD:beneficiaires/jean-dupont/2026-11-25-entretien-suivi.md"), "Relu.\n")
	r.clean()

	// Refusals, nothing written.
	head = r.head()
	for _, c := range []struct {
		o    newOptions
		says string
	}{
		{newOptions{}, "type de document manquant"},
		{newOptions{Args: []string{"entretien-suivi"}}, "bénéficiaire manquant"},
		{newOptions{Args: []string{"beneficiaire", "Cher"}}, "donnez le prénom et le nom"},
		{newOptions{Args: []string{"beneficiaire", "Jean Dupont"}, ID: "jean-dupont"}, "existe déjà"},
		{newOptions{Args: []string{"beneficiaire", "Jean Dupont"}, IDSet: true}, "--id : l'identifiant est vide"},
		{newOptions{Args: []string{"entretien-suivi"}, Beneficiary: "ana-lima", Dispositif: "X"}, "--id et --dispositif"},
		{newOptions{Args: []string{"entretien-suivis"}, Beneficiary: "ana-lima"}, "entretien-suivi"},
	} {
		_, _, err := run(c.o)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
	if r.head() != head {
		t.Fatal("a refusal committed")
	}
}
