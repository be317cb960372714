package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunHookInstall(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(force bool) (string, error) {
		d, out, _ := r.deps("")
		err := runHookInstall(&hookOptions{deps: d, Force: force})
		return out.String(), err
	}
	hook := filepath.Join(r.dir, ".git", "hooks", "pre-commit")

	out, err := run(false)
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "Crochet installé : .git/hooks/pre-commit\n")
	data, _ := os.ReadFile(hook)
	wantIn(t, "hook", string(data), hookMarker, "acc")
	out, err = run(false)
	wantExit(t, err, exitOK)
	if out != "Le crochet pre-commit d'acc est déjà installé.\n" {
		t.Errorf("again: %q", out)
	}

	// Another's hook: kept without --force, saved aside with it.
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = run(false)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "n'a pas été écrit par acc : rien n'a été modifié")
	out, err = run(true)
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "L'ancien crochet est gardé sous .git/hooks/pre-commit.avant-acc.\n")
	if old, _ := os.ReadFile(hook + ".avant-acc"); string(old) != "#!/bin/sh\nexit 0\n" {
		t.Errorf("saved hook %q", old)
	}
}

func TestRunHookCheck(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(in string) (string, error) {
		d, _, errb := r.deps(in)
		err := runHookCheck(&hookOptions{deps: d})
		return errb.String(), err
	}
	doc := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"

	// Nothing staged; a committed document staged as it is.
	_, err := run("")
	wantExit(t, err, exitOK)
	_, err = run(doc + "\x00\x00")
	wantExit(t, err, exitOK)

	// Changed again after git add: refused, named.
	stderr, err := run(doc + "\x00\x00" + doc + "\x00")
	wantExit(t, err, exitFindings)
	wantIn(t, "stderr", stderr, "modifiés après « git add »", "  "+doc+"\n")

	// An IBAN in any staged file; a broken document: refused.
	r.write("notes sur jean.txt", "IBAN FR76 3000 6000 0112 3456 7890 189\n")
	r.write("beneficiaires/ana-lima/2026-11-04-entretien-initial.md", "---\ntype: entretien-initial\nbeneficiaire: ana-lima\n---\n")
	stderr, err = run("notes sur jean.txt\x00beneficiaires/ana-lima/2026-11-04-entretien-initial.md\x00\x00")
	wantExit(t, err, exitFindings)
	wantIn(t, "stderr", stderr, "notes sur jean.txt: erreur donnee-sensible", "beneficiaires/ana-lima/2026-11-04-entretien-initial.md:")
	if strings.Contains(stderr, "3000 6000") {
		t.Errorf("the IBAN is repeated: %s", stderr)
	}
}
