package casefile

import "testing"

func TestIsCaseFile(t *testing.T) {
	for name, want := range map[string]bool{
		"fiche.md": true, "2026-01-02-entretien-initial.md": true,
		".fiche.md": false, ".md": false, "notes.txt": false, "fiche.md~": false, "fiche.MD": false, "": false,
	} {
		if got := IsCaseFileName(name); got != want {
			t.Errorf("IsCaseFileName(%q) = %v", name, got)
		}
	}
	for p, want := range map[string]bool{
		"beneficiaires/jean-dupont/fiche.md": true,
		"beneficiaires/jean-dupont/.x.md":    false,
		"beneficiaires/Jean/fiche.md":        false,
		"beneficiaires/jean-dupont/a/b.md":   false,
		"autre/jean-dupont/fiche.md":         false,
		"beneficiaires/fiche.md":             false,
	} {
		if got := IsCasePath(p); got != want {
			t.Errorf("IsCasePath(%q) = %v", p, got)
		}
	}
}
