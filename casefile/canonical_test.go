package casefile

import (
	"strings"
	"testing"
)

// Values written the natural French way are read as their canonical form by
// every reader of a parsed document; the file's bytes are untouched.
func TestParseCanonicalValues(t *testing.T) {
	src := `---
type: entretien-suivi
beneficiaire: jean-dupont
date: 2026-12-09
statut: Finalisé
presence: PRÉSENT
modalite: Présentiel
suivi_objectifs:
  - objectif: O1
    statut: Partiellement atteint
  - objectif: O2
    statut: Abandonné
objectifs:
  - id: O3
    actions:
      - intitule: Appeler
        fait: Oui
      - intitule: Écrire
        fait: NON
      - intitule: Lire
        fait: peut-être
notes: Finalisé
---
`
	d := Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", []byte(src))
	if d.FrontErr != nil {
		t.Fatal(d.FrontErr)
	}
	if d.Statut() != "finalise" || !d.Final() || d.Presence() != "present" || !d.Held() || d.Str("modalite") != "presentiel" {
		t.Errorf("statut %q presence %q modalite %q", d.Statut(), d.Presence(), d.Str("modalite"))
	}
	so, _ := d.Get("suivi_objectifs")
	s1, _ := Get(so.Content[0], "statut")
	s2, _ := Get(so.Content[1], "statut")
	if Scalar(s1) != "partiellement-atteint" || Scalar(s2) != "abandonne" {
		t.Errorf("suivi_objectifs: %q %q", Scalar(s1), Scalar(s2))
	}
	if l, c := d.Pos(s2); l != 12 || c != 13 {
		t.Errorf("position kept: %d:%d", l, c)
	}
	objs, _ := d.Get("objectifs")
	acts, _ := Get(objs.Content[0], "actions")
	for i, want := range []string{"true", "false", ""} {
		f, _ := Get(acts.Content[i], "fait")
		b, ok := BoolOf(f)
		got := ""
		if ok {
			got = map[bool]string{true: "true", false: "false"}[b]
		}
		if got != want {
			t.Errorf("fait[%d] = %q (%v), want %q", i, got, f.Value, want)
		}
	}
	if d.Str("notes") != "Finalisé" {
		t.Errorf("free text changed: %q", d.Str("notes"))
	}
	if !strings.Contains(string(d.Src), "statut: Finalisé") {
		t.Error("source changed")
	}
	f := Parse("beneficiaires/jean-dupont/fiche.md", []byte("---\nprenom: Jean\nstatut: Terminé\n---\n"))
	if f.Str("statut") != "termine" || f.Str("prenom") != "Jean" {
		t.Errorf("fiche statut %q", f.Str("statut"))
	}
}

func TestCanonicalChoice(t *testing.T) {
	vals := []string{"en-cours", "atteint", "partiellement-atteint"}
	for in, want := range map[string]string{"En cours": "en-cours", "EN_COURS": "en-cours", "atteint": "atteint", " Atteint ": "atteint", "atteinte": "", "": ""} {
		got, ok := CanonicalChoice(in, vals)
		if got != want || ok != (want != "") {
			t.Errorf("CanonicalChoice(%q) = %q, %v", in, got, ok)
		}
	}
}

// The cost of reading choices canonically, beside Parse's own
// (go test ./casefile -run X -bench 'Parse|Canonical').
func BenchmarkCanonicalizeBuiltin(b *testing.B) {
	d := Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", []byte(tidy))
	for b.Loop() {
		d.canonicalizeBuiltin()
	}
}

func BenchmarkParseSmall(b *testing.B) {
	src := []byte(tidy)
	for b.Loop() {
		Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", src)
	}
}
