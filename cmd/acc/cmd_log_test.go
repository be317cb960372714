package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRunLog(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o logOptions) (string, error) {
		d, out, _ := r.deps("")
		o.deps = d
		err := runLog(&o)
		return out.String(), err
	}

	// A name designates the beneficiary: his two commits, newest first, in
	// a pipe with full dates and hashes.
	out, err := run(logOptions{Target: "Dupont"})
	wantExit(t, err, exitOK)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", out)
	}
	for i, want := range []string{"entretien-initial : jean-dupont (2026-11-03)", "fiche : jean-dupont (2026-11-02)"} {
		f := strings.Split(lines[i], "\t")
		if len(f) != 7 || f[0] != "2026-11-25T09:00:00Z" || f[1] != "Marie Martin" || f[2] != "création" || f[3] != "jean-dupont" || len(f[5]) != 40 || f[6] != want {
			t.Errorf("line %d: %q", i, lines[i])
		}
	}

	// A document; -n; --json.
	out, err = run(logOptions{Target: "beneficiaires/ana-lima/fiche.md", JSON: true, Max: 1})
	wantExit(t, err, exitOK)
	var doc struct {
		Version int
		Chemin  string
		Commits []struct{ Action, Libelle, Sujet string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Chemin != "beneficiaires/ana-lima/fiche.md" || len(doc.Commits) != 1 || doc.Commits[0].Action != "new" || doc.Commits[0].Sujet != "fiche : ana-lima (2026-11-02)" {
		t.Errorf("json: %+v", doc)
	}

	// Nothing there, and Git's own files: exit 2.
	_, err = run(logOptions{Target: "beneficiaires/personne.md"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "aucun historique, et rien à ce chemin")
	_, err = run(logOptions{Target: ".git/config"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "fichiers internes de Git")
}
