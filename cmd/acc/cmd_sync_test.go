package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSync(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o syncOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		err := runSync(&o)
		return out.String(), errb.String(), err
	}

	// Contradicting flags: exit 2 before anything is read.
	for _, o := range []syncOptions{{Keep: "les-deux", Resume: true}, {Keep: "locale"}, {Abort: true, Resume: true}} {
		_, _, err := run(o)
		wantExit(t, err, exitUsage)
	}
	// No shared repository yet: exit 3, nothing changed.
	head := r.head()
	_, _, err := run(syncOptions{})
	wantExit(t, err, exitRepo)
	if r.head() != head {
		t.Fatal("a failed sync moved HEAD")
	}

	bare := filepath.Join(t.TempDir(), "partage.git")
	gitIn(t, "", "init", "-q", "--bare", "-b", "main", bare)
	r.git("remote", "add", "origin", bare)
	out, _, err := run(syncOptions{})
	wantExit(t, err, exitOK)
	if out != "Synchronisé avec origin (main) : 0 enregistrement reçu, 4 envoyés.\n" {
		t.Errorf("first sync: %q", out)
	}
	if got := strings.TrimSpace(gitIn(t, bare, "rev-parse", "main")); got != head {
		t.Errorf("remote at %s, want %s", got, head)
	}
	out, _, err = run(syncOptions{})
	wantExit(t, err, exitOK)
	if out != "Déjà à jour avec origin (main).\n" {
		t.Errorf("second sync: %q", out)
	}

	// A colleague's interview, pushed with git, comes in and is checked.
	colleague := filepath.Join(t.TempDir(), "collegue")
	gitIn(t, "", "clone", "-q", bare, colleague)
	doc := "beneficiaires/ana-lima/2026-11-10-entretien-initial.md"
	if err := os.WriteFile(filepath.Join(colleague, filepath.FromSlash(doc)), []byte("---\ntype: entretien-initial\nbeneficiaire: ana-lima\n---\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitIn(t, colleague, "add", "-A")
	gitIn(t, colleague, "commit", "-qm", "entretien-initial : ana-lima (2026-11-10)")
	gitIn(t, colleague, "push", "-q", "origin", "main")
	out, stderr, err := run(syncOptions{})
	wantExit(t, err, exitOK)
	if out != "Synchronisé avec origin (main) : 1 enregistrement reçu, 0 envoyé.\n" {
		t.Errorf("receiving sync: %q", out)
	}
	wantIn(t, "stderr", stderr, "acc : constats dans les documents reçus ou renommés", doc+":")
	r.clean()

	// Nothing pending: --annuler says so, --resume syncs as usual.
	_, stderr, err = run(syncOptions{Abort: true})
	wantExit(t, err, exitOK)
	if stderr != "acc : aucune synchronisation en attente\n" {
		t.Errorf("abort: %q", stderr)
	}
	out, stderr, err = run(syncOptions{Resume: true})
	wantExit(t, err, exitOK)
	wantIn(t, "stderr", stderr, "aucune synchronisation en attente : synchronisation normale")
	wantIn(t, "stdout", out, "Déjà à jour")

	// The same interview changed on both sides: stopped, exit 1; then
	// --resume --garder distante takes the colleague's version.
	mine := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"
	gitIn(t, colleague, "pull", "-q", "origin", "main")
	appendFile(t, filepath.Join(colleague, filepath.FromSlash(mine)), "Version du collègue.\n")
	gitIn(t, colleague, "commit", "-qam", "entretien-initial : jean-dupont (2026-11-03)")
	gitIn(t, colleague, "push", "-q", "origin", "main")
	appendFile(t, filepath.Join(r.dir, filepath.FromSlash(mine)), "Ma version.\n")
	r.acc("commit")
	_, stderr, err = run(syncOptions{})
	wantExit(t, err, exitFindings)
	wantIn(t, "stderr", stderr, "un document a été modifié de votre côté et sur le dépôt partagé", "  "+mine+"\n", "acc sync --resume")
	out, stderr, err = run(syncOptions{Resume: true, Keep: "distante"})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "Conflit résolu : synchronisation terminée.")
	wantIn(t, "stderr", stderr, "acc : votre choix est enregistré ("+mine+")")
	wantIn(t, "kept", r.git("show", "HEAD:"+mine), "Version du collègue.")
	r.clean()
	if got, want := strings.TrimSpace(gitIn(t, bare, "rev-parse", "main")), r.head(); got != want {
		t.Errorf("remote at %s, want %s", got, want)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
