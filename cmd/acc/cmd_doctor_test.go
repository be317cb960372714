package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestRunDoctor(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o doctorOptions) (string, error) {
		d, out, _ := r.deps("")
		o.deps = d
		err := runDoctor(&o)
		return out.String(), err
	}

	out, err := run(doctorOptions{})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out,
		"OK         identite       les commits sont enregistrés au nom de Marie Martin <marie.martin@exemple.org>\n",
		"OK         crochet        pas de crochet pre-commit",
		"Bilan : 10 OK, 0 attention, 0 problème\n")

	out, err = run(doctorOptions{JSON: true})
	wantExit(t, err, exitOK)
	var doc struct {
		Version int
		Checks  []struct{ ID, Status string }
		Summary struct{ OK, Warning, Problem int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Version != 1 || len(doc.Checks) != 10 || doc.Checks[0].ID != "configuration" || doc.Summary.OK != 10 {
		t.Errorf("json: %+v", doc)
	}

	// A broken acc.yaml is a problem: exit 1, with what to do.
	cfg := filepath.Join(r.dir, "acc.yaml")
	good, _ := os.ReadFile(cfg)
	r.write("acc.yaml", string(good)+"regles:\n  rythme: peut-etre\n")
	out, err = run(doctorOptions{})
	wantExit(t, err, exitFindings)
	wantIn(t, "stdout", out, "PROBLÈME   configuration", "→ corrigez acc.yaml", "1 problème\n")
	r.write("acc.yaml", string(good))

	// Outside a repository: exit 3.
	d, _, _ := r.deps("")
	d.WorkDir = func() (string, error) { return t.TempDir(), nil }
	wantExit(t, runDoctor(&doctorOptions{deps: d}), exitRepo)
}
