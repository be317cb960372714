package textkey

import "testing"

// FoldText's table agrees with the general case.
func TestFoldTextFast(t *testing.T) {
	for r := rune(0); r < 0x800; r++ {
		s := "a" + string(r) + "É"
		if got, want := Fold(s), foldSlow(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"Déroulement", "ŒUVRE", "e\u0301", "Ｆｕｌｌ", "N’Guessan", "ß"} {
		if got, want := Fold(s), foldSlow(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}

// stripNumbering's shortcut agrees with the expression.
func TestStripNumberingShortcut(t *testing.T) {
	for _, s := range []string{"deroulement", "a– intro", "a. intro", "b) x", "iv - freins", "2 freins", "1.2) acquis",
		"elodie", "x", "a", "ab", "é. x", "c. conclusion", "ivre", "z– z"} {
		want := s
		if loc := numbering.FindStringIndex(s); loc != nil && loc[1] < len(s) {
			want = s[loc[1]:]
		}
		if got := stripNumbering(s); got != want {
			t.Errorf("stripNumbering(%q) = %q, want %q", s, got, want)
		}
	}
}
