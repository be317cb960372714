package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunInit(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t) // for the trainer's Git identity in HOME
	wd := t.TempDir()
	run := func(o initOptions, p prompter) (string, string, error) {
		d, out, errb := r.deps("")
		d.WorkDir = func() (string, error) { return wd, nil }
		d.RelPath = func(p string) string { rel, _ := filepath.Rel(wd, p); return rel }
		if p != nil {
			d.Prompter = p
		}
		o.deps = d
		err := runInit(&o)
		return out.String(), errb.String(), err
	}

	out, stderr, err := run(initOptions{Dir: "centre", Organisation: " Centre Test "}, nil)
	wantExit(t, err, exitOK)
	if out != "Dépôt acc créé dans centre\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "stderr", stderr, "Prochaine étape : acc new beneficiaire")
	centre := filepath.Join(wd, "centre")
	cfg, _ := os.ReadFile(filepath.Join(centre, "acc.yaml"))
	wantIn(t, "acc.yaml", string(cfg), "organisation: Centre Test\n", "identifiants: lisibles")
	gitIn(t, centre, "fsck", "--strict")
	wantIn(t, "commit", gitIn(t, centre, "log", "--format=%s%n%b%n%an"), "init : dépôt de dossiers d'accompagnement\n", "Acc-Action: init\n", "Marie Martin")

	// Twice, or inside a repository: refused, nothing written.
	for _, dir := range []string{"centre", "centre/beneficiaires"} {
		_, _, err = run(initOptions{Dir: dir, Organisation: "Autre"}, nil)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), "est déjà un dépôt acc (centre/acc.yaml)")
	}

	// The organisation is asked on a terminal, required in a script.
	_, _, err = run(initOptions{Dir: "sans-nom"}, nil)
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "nom de l'organisation manquant")
	if _, serr := os.Stat(filepath.Join(wd, "sans-nom")); !os.IsNotExist(serr) {
		t.Errorf("a refused init created its folder: %v", serr)
	}
	p := &scriptedPrompter{answers: []string{"Mission locale"}}
	_, _, err = run(initOptions{Dir: "mission", Pseudonyms: true}, p)
	wantExit(t, err, exitOK)
	cfg, _ = os.ReadFile(filepath.Join(wd, "mission", "acc.yaml"))
	wantIn(t, "acc.yaml", string(cfg), "organisation: Mission locale\n", "identifiants: pseudonymes")

	// --remote: an empty shared repository gets the first commit; a second
	// trainer's init joins it instead.
	bare := filepath.Join(t.TempDir(), "partage.git")
	gitIn(t, "", "init", "-q", "--bare", "-b", "main", bare)
	out, _, err = run(initOptions{Dir: "equipe", Organisation: "Centre Test", Remote: bare}, nil)
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "Dépôt acc créé dans equipe\n", "Publié sur ")
	if got, want := strings.TrimSpace(gitIn(t, bare, "rev-parse", "main")), strings.TrimSpace(gitIn(t, filepath.Join(wd, "equipe"), "rev-parse", "HEAD")); got != want {
		t.Errorf("shared repository at %s, want %s", got, want)
	}
	_, stderr, err = run(initOptions{Dir: "equipe-2", Organisation: "Ignoré", Remote: bare}, nil)
	wantExit(t, err, exitOK)
	wantIn(t, "stderr", stderr, "le dépôt partagé contient déjà les dossiers de l'équipe : copie dans equipe-2")
	cfg, _ = os.ReadFile(filepath.Join(wd, "equipe-2", "acc.yaml"))
	wantIn(t, "joined acc.yaml", string(cfg), "organisation: Centre Test\n")
}

func TestRunClone(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	bare := filepath.Join(t.TempDir(), "dossiers.git")
	gitIn(t, "", "clone", "-q", "--bare", r.dir, bare)
	wd := t.TempDir()
	run := func(url, dir string) (string, string, error) {
		d, out, errb := r.deps("")
		d.WorkDir = func() (string, error) { return wd, nil }
		d.RelPath = func(p string) string { rel, _ := filepath.Rel(wd, p); return rel }
		err := runClone(&cloneOptions{deps: d, URL: url, Dir: dir})
		return out.String(), errb.String(), err
	}

	// The folder is named after the address, as git clone does.
	out, stderr, err := run(bare, "")
	wantExit(t, err, exitOK)
	if out != "Dépôt de l'équipe copié dans dossiers : 2 bénéficiaires.\n" {
		t.Errorf("stdout %q", out)
	}
	wantIn(t, "stderr", stderr, "Prochaine étape : cd dossiers")
	copied := filepath.Join(wd, "dossiers")
	gitIn(t, copied, "fsck", "--strict")
	if s := gitIn(t, copied, "status", "--porcelain"); s != "" {
		t.Errorf("status: %q", s)
	}
	if a, b := gitIn(t, copied, "rev-parse", "HEAD"), r.git("rev-parse", "HEAD"); a != b {
		t.Errorf("HEAD %s, want %s", a, b)
	}

	// Refusals, nothing created.
	for _, c := range []struct{ url, dir, says string }{
		{bare, "dossiers", "existe et n'est pas vide"},
		{"http://forge.exemple.org/dossiers.git", "", "http://"},
		{"https://marie:secret@forge.exemple.org/dossiers.git", "", "ACC_GIT_TOKEN"},
	} {
		_, _, err := run(c.url, c.dir)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("the password is repeated: %v", err)
		}
	}
}
