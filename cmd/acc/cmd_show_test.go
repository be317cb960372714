package main

import (
	"testing"
)

func TestRunShow(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o showOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		err := runShow(&o)
		return out.String(), errb.String(), err
	}
	fiche := "beneficiaires/ana-lima/fiche.md"
	committed := r.git("show", "HEAD:"+fiche)

	// HEAD's version, without the changes not committed; in a pipe, as it is.
	appendFile(t, r.dir+"/"+fiche, "Note en cours.\n")
	out, stderr, err := run(showOptions{Path: fiche})
	wantExit(t, err, exitOK)
	if out != committed || stderr != "" {
		t.Errorf("stdout %q (want %q), stderr %q", out, committed, stderr)
	}

	// At a date: the commit that recorded that version is named on stderr.
	out, stderr, err = run(showOptions{Path: fiche, At: "25/11/2026"})
	wantExit(t, err, exitOK)
	if out != committed {
		t.Errorf("--at: %q", out)
	}
	wantIn(t, "stderr", stderr, "acc : "+fiche+" au 25/11/2026 : version du commit ", "(Marie Martin)")

	// Before anything was committed, an unknown revision, no document on a
	// script, Git's own files: exit 2.
	for _, c := range []struct {
		o    showOptions
		says string
	}{
		{showOptions{Path: fiche, At: "2026-01-01"}, "--at 2026-01-01"},
		{showOptions{Path: fiche, At: "branche-inconnue"}, "une date JJ/MM/AAAA ou AAAA-MM-JJ, ou une révision Git"},
		{showOptions{}, "document manquant"},
		{showOptions{Path: ".git/HEAD"}, "fichiers internes de Git"},
		{showOptions{Path: "beneficiaires/ana-lima/2026-11-04-entretien-initial.md"}, "n'est pas enregistré (acc commit l'enregistre)"},
	} {
		_, _, err := run(c.o)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
}
