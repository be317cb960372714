package main

import (
	"strings"
	"testing"
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

func TestDaysText(t *testing.T) {
	for n, want := range map[int]string{0: "0 jour", 1: "1 jour", -1: "1 jour", 2: "2 jours", -12: "12 jours"} {
		if got := daysText(n); got != want {
			t.Errorf("daysText(%d) = %q, want %q", n, got, want)
		}
	}
}
