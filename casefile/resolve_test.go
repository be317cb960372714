package casefile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestResolvePerson(t *testing.T) {
	people := []Person{
		{"jean-dupont", "Jean", "Dupont"},
		{"jean-martin", "Jean", "Martin"},
		{"elodie-n-guessan", "Élodie", "N'Guessan"},
		{"maelle-roux", "Maëlle", "Roux"},
		{"p-2026-k3x9", "", ""}, // a pseudonymous id, no name read
	}
	for q, want := range map[string]string{
		"jean-dupont":      "jean-dupont",
		"jean-d":           "jean-dupont",
		"elodie":           "elodie-n-guessan",
		"ÉLODIE":           "elodie-n-guessan",
		"Elodie N'Guessan": "elodie-n-guessan",
		"n'guessan":        "elodie-n-guessan",
		"maelle":           "maelle-roux",
		"Roux Maëlle":      "maelle-roux",
		"dupont":           "jean-dupont",
		"p-2026":           "p-2026-k3x9",
	} {
		got, err := ResolvePerson(q, people)
		if err != nil || got != want {
			t.Errorf("ResolvePerson(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
	_, err := ResolvePerson("Jean", people)
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !reflect.DeepEqual(amb.Candidates, []string{"jean-dupont", "jean-martin"}) {
		t.Errorf("Jean: %v", err)
	}
	_, err = ResolvePerson("jean-dupond", people)
	var unk *UnknownPersonError
	if !errors.As(err, &unk) || len(unk.Closest) == 0 || unk.Closest[0] != "jean-dupont" {
		t.Errorf("jean-dupond: %v", err)
	}
	if err.Error() == "" || contains(err.Error(), "créez") {
		t.Errorf("message: %v", err)
	}
	if _, err := ResolvePerson("../jean-dupont", people); !errors.As(err, &unk) {
		t.Errorf("a path: %v", err)
	}
	if _, err := ResolvePerson(strings.Repeat("a", 100000), people); !errors.As(err, &unk) || len(unk.Closest) != 0 {
		t.Errorf("a very long query: %v", err)
	}
	_, err = ResolvePerson("zzzzzzzzzzzz", people)
	if !errors.As(err, &unk) || len(unk.Closest) != 0 {
		t.Errorf("far away: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
