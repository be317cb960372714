package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunPurge(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o purgeOptions, p prompter) (string, string, error) {
		d, out, errb := r.deps("")
		if p != nil {
			d.Prompter = p
		}
		o.deps = d
		err := runPurge(&o)
		return out.String(), errb.String(), err
	}
	head := r.head()

	// Nothing recorded to apply.
	out, _, err := run(purgeOptions{Apply: true}, nil)
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "0 effacement enregistré(s) dans .acc/purges : rien à effacer dans cette copie.\n")

	// What would go; refusals: a near id, no confirmation in a script, a
	// wrong one on a terminal.
	out, _, err = run(purgeOptions{ID: "jean-dupont", DryRun: true}, nil)
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "Effacement de « jean-dupont » :\n", "  - le dossier beneficiaires/jean-dupont : 2 fichiers sur le disque", "Simulation : rien n'a été effacé.\n")
	_, _, err = run(purgeOptions{ID: "jean-dupond"}, nil)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "vouliez-vous dire « jean-dupont » ?")
	_, _, err = run(purgeOptions{ID: "jean-dupont"}, nil)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "confirmation requise")
	p := &scriptedPrompter{answers: []string{"jean"}}
	_, _, err = run(purgeOptions{ID: "jean-dupont"}, p)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "confirmation incorrecte")
	if len(p.questions) != 1 || !strings.Contains(p.questions[0], "tapez l'identifiant (jean-dupont)") {
		t.Errorf("questions %q", p.questions)
	}
	if r.head() != head {
		t.Fatal("a refusal changed the history")
	}

	// Confirmed: gone from the files and from every commit.
	out, _, err = run(purgeOptions{ID: "jean-dupont"}, &scriptedPrompter{answers: []string{"jean-dupont"}})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "Effacé : « jean-dupont » — 2 fichiers", "Ce qu'acc ne peut pas effacer d'ici :\n")
	if _, err := os.Stat(filepath.Join(r.dir, "beneficiaires/jean-dupont")); !os.IsNotExist(err) {
		t.Errorf("folder still there: %v", err)
	}
	r.clean()
	if s := r.git("log", "--all", "--format=%s%n%b"); strings.Contains(s, "jean-dupont") {
		t.Errorf("history still names the person:\n%s", s)
	}
	if s := r.git("log", "--all", "--name-only", "--format="); strings.Contains(s, "jean-dupont") {
		t.Errorf("history still holds the folder:\n%s", s)
	}
}
