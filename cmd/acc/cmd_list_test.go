package main

import (
	"encoding/json"
	"testing"
)

func TestRunList(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	cases := newApp(nil, nil, nil, r.getenv).eachCase
	run := func(o listOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps, o.Cases = d, cases
		err := runList(&o)
		return out.String(), errb.String(), err
	}

	// In a pipe: tab-separated lines in the documented order, no header.
	out, _, err := run(listOptions{})
	wantExit(t, err, exitOK)
	want := "ana-lima\tAna Lima\ten-cours\t\tMarie Martin\t2026-11-02\t2026-11-02\t\t0\n" +
		"jean-dupont\tJean Dupont\ten-cours\taccueil\tMarie Martin\t2026-11-02\t2026-11-03\t\t0\n"
	if out != want {
		t.Errorf("beneficiaries:\n%s\nwant:\n%s", out, want)
	}
	out, _, err = run(listOptions{Kind: "entretien", Statuts: []string{"brouillon"}})
	wantExit(t, err, exitOK)
	if want := "2026-11-03\tjean-dupont\tentretien-initial\tbrouillon\tpresent\tMarie Martin\tbeneficiaires/jean-dupont/2026-11-03-entretien-initial.md\n"; out != want {
		t.Errorf("interviews: %q", out)
	}
	out, _, err = run(listOptions{Kind: "entretiens", Statuts: []string{"finalise"}})
	wantExit(t, err, exitOK)
	if out != "" {
		t.Errorf("no final interview, yet: %q", out)
	}

	// -b reads a name; --json has the fixed date.
	out, _, err = run(listOptions{JSON: true, Beneficiaries: []string{"Lima"}})
	wantExit(t, err, exitOK)
	var doc struct {
		Version  int
		Date     string
		Liste    string
		Elements []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Date != "2026-11-25" || doc.Liste != "beneficiaires" || len(doc.Elements) != 1 || doc.Elements[0].ID != "ana-lima" {
		t.Errorf("json: %+v", doc)
	}

	// Bad usage: exit 2, with the suggestion.
	for _, c := range []struct {
		o    listOptions
		says string
	}{
		{listOptions{Kind: "objectif", Purge: true}, "--a-purger s'applique aux bénéficiaires"},
		{listOptions{Kind: "entretiens", Statuts: []string{"brouilon"}}, "vouliez-vous dire « brouillon »"},
		{listOptions{Kind: "benefs"}, "que lister ?"},
		{listOptions{From: "2026-12-01", To: "2026-11-01"}, "--du 2026-12-01 est après --au 2026-11-01"},
	} {
		_, _, err := run(c.o)
		wantExit(t, err, exitUsage)
		wantIn(t, "error", err.Error(), c.says)
	}
}
