package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunAgenda(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(o agendaOptions, fixed bool) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		o.DayFixed = func() bool { return fixed }
		err := runAgenda(&o)
		return out.String(), errb.String(), err
	}
	draft := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md"

	// In a pipe: one tab-separated line an item. Jean's draft of the 3rd
	// was to be finalised by the 10th: late at the fixed date.
	out, stderr, err := run(agendaOptions{}, true)
	wantExit(t, err, exitOK)
	if want := "2026-11-10\ten-retard\tjean-dupont\tbrouillon-a-finaliser\t\t\t" + draft + "\t\n"; out != want {
		t.Errorf("stdout:\n%q\nwant\n%q", out, want)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}

	// JSON: the default window is the fixed date and the next 7 days; no
	// name without --noms.
	out, _, err = run(agendaOptions{JSON: true}, true)
	wantExit(t, err, exitOK)
	wantIn(t, "json", out, `"date": "2026-11-25"`, `"du": "2026-11-25"`, `"au": "2026-12-02"`,
		`"motif": "brouillon-a-finaliser"`, `"en_retard_depuis": "2026-11-11"`, `"uid": "`)
	if strings.Contains(out, "Dupont") {
		t.Errorf("a name without --noms:\n%s", out)
	}

	// iCalendar: DTSTAMP is the fixed day when the date is given, the
	// clock's time otherwise; names only with --noms.
	out, _, err = run(agendaOptions{ICS: true}, true)
	wantExit(t, err, exitOK)
	wantIn(t, "ics", out, "BEGIN:VCALENDAR", "DTSTAMP:20261125T000000Z", "DTSTART;VALUE=DATE:20261110", "SUMMARY:Brouillon à finaliser · jean-dupont")
	out, _, err = run(agendaOptions{ICS: true, Names: true}, false)
	wantExit(t, err, exitOK)
	wantIn(t, "ics", out, "DTSTAMP:20261125T090000Z", "SUMMARY:Brouillon à finaliser · Jean Dupont (jean-dupont)")

	// A window without the draft's day still shows it: it is late.
	out, _, err = run(agendaOptions{From: "2026-12-01", To: "2026-12-31"}, true)
	wantExit(t, err, exitOK)
	wantIn(t, "window", out, "en-retard\tjean-dupont")

	// Bad input: exit 2, nothing written.
	for _, o := range []agendaOptions{{JSON: true, ICS: true}, {From: "2026-12-01", To: "2026-11-01"}, {To: "31/02/2026"}} {
		out, _, err = run(o, true)
		wantExit(t, err, exitUsage)
		if out != "" {
			t.Errorf("%+v: stdout %q", o, out)
		}
	}

	// On a terminal: grouped under a heading, the late items first.
	d, _, _ := r.deps("")
	o := &agendaOptions{deps: d}
	ws, err := o.Open()
	if err != nil {
		t.Fatal(err)
	}
	q, err := o.query(ws)
	if err != nil {
		t.Fatal(err)
	}
	from, to, _ := agendaWindow(q.Today, o)
	items, err := o.items(ws, q, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := o.agendaText(&b, ws, items, q.Today, from, to, true); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "terminal", b.String(), "Agenda du mercredi 2026-11-25 au mercredi 2026-12-02 (situation au mercredi 2026-11-25).\n", "\nEn retard\n  jean-dupont", "brouillon à finaliser", "(en retard de 15 jours)")
	b.Reset()
	if err := o.agendaText(&b, ws, nil, q.Today, from, to, true); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "terminal", b.String(), "Rien de prévu sur cette période, aucun retard.")
}
