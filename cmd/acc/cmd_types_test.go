package main

import (
	"encoding/json"
	"testing"
)

func TestRunTypes(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	registry := newApp(nil, nil, nil, r.getenv)
	registry.dir = r.dir
	run := func(o typesOptions) (string, error) {
		d, out, _ := r.deps("")
		o.deps, o.Registry = d, registry.registry
		err := runTypes(&o)
		return out.String(), err
	}

	out, err := run(typesOptions{})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, "fiche", "entretien-initial", "entretien-suivi")

	out, err = run(typesOptions{JSON: true})
	wantExit(t, err, exitOK)
	var types []struct {
		Nom     string
		Integre bool
	}
	if err := json.Unmarshal([]byte(out), &types); err != nil {
		t.Fatal(err)
	}
	if len(types) != 7 || types[0].Nom != "fiche" || !types[0].Integre {
		t.Errorf("json: %+v", types)
	}

	out, err = run(typesOptions{Schema: "entretien-suivi"})
	wantExit(t, err, exitOK)
	var schema map[string]any
	if err := json.Unmarshal([]byte(out), &schema); err != nil || schema["properties"] == nil {
		t.Errorf("schema: %v\n%s", err, out)
	}
	_, err = run(typesOptions{Schema: "entretien-suiv"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "entretien-suivi")
}
