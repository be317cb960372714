package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTableWrite(t *testing.T) {
	tb := &table{header: []string{"ID", "NOM", "PROCHAIN"}}
	tb.add("jean-dupont", "Jean\tDupont", "")
	tb.add("ana-lima", "Ana\nLima", "2026-12-03")

	var pipe strings.Builder
	if err := tb.write(&pipe, false); err != nil {
		t.Fatal(err)
	}
	// No header, one tab between cells, an empty cell stays empty, control
	// characters inside a cell become spaces.
	want := "jean-dupont\tJean Dupont\t\nana-lima\tAna Lima\t2026-12-03\n"
	if pipe.String() != want {
		t.Errorf("pipe:\n%q\nwant\n%q", pipe.String(), want)
	}

	var term strings.Builder
	if err := tb.write(&term, true); err != nil {
		t.Fatal(err)
	}
	want = "ID           NOM          PROCHAIN\n" +
		"jean-dupont  Jean Dupont  —\n" +
		"ana-lima     Ana Lima     2026-12-03\n"
	if term.String() != want {
		t.Errorf("terminal:\n%s\nwant\n%s", term.String(), want)
	}
}

func TestTableFitsWidth(t *testing.T) {
	tb := &table{header: []string{"ID", "NOM", "DOCUMENT"}}
	tb.add("jean-dupont", "Jean Dupont", "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md")
	tb.add("ana-lima", "Ana Lima", "")
	tb.width = 50

	var term strings.Builder
	if err := tb.write(&term, true); err != nil {
		t.Fatal(err)
	}
	want := "ID           NOM          DOCUMENT\n" +
		"jean-dupont  Jean Dupont  beneficiaires/jean-dupo…\n" +
		"ana-lima     Ana Lima     —\n"
	if term.String() != want {
		t.Errorf("terminal of 50 columns:\n%s\nwant\n%s", term.String(), want)
	}
	for _, l := range strings.Split(strings.TrimSuffix(term.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(strings.TrimRight(l, " ")); n > 50 {
			t.Errorf("%d columns > 50: %q", n, l)
		}
	}

	// In a pipe the width is ignored: cells are data, never cut.
	var pipe strings.Builder
	if err := tb.write(&pipe, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pipe.String(), "2026-11-03-entretien-initial.md\n") || strings.Contains(pipe.String(), "…") {
		t.Errorf("pipe cut: %q", pipe.String())
	}

	// Too narrow for every column: each keeps a few characters, none vanishes.
	tb.width = 10
	term.Reset()
	if err := tb.write(&term, true); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(term.String(), "ID      NOM     DOCUM…\njean-…") {
		t.Errorf("narrow terminal:\n%s", term.String())
	}
}

func TestTerminalWidthFromColumns(t *testing.T) {
	env := map[string]string{"COLUMNS": "72"}
	a := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(k string) string { return env[k] })
	if w := a.deps().terminalWidth(); w != 72 {
		t.Errorf("COLUMNS=72: width %d", w)
	}
	env["COLUMNS"] = "abc"
	if w := a.deps().terminalWidth(); w != 0 {
		t.Errorf("COLUMNS=abc: width %d, want 0 (unknown)", w)
	}
}

func TestDaysText(t *testing.T) {
	for n, want := range map[int]string{0: "0 jour", 1: "1 jour", -1: "1 jour", 2: "2 jours", -12: "12 jours"} {
		if got := daysText(n); got != want {
			t.Errorf("daysText(%d) = %q, want %q", n, got, want)
		}
	}
}
