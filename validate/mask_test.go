package validate

import "testing"

func TestMaskSensitive(t *testing.T) {
	for in, want := range map[string]string{
		"valeur « 1 85 05 78 006 084 91 » non permise": "valeur « [NIR masqué] » non permise",
		"IBAN FR76 3000 6000 0112 3456 7890 189 ici":   "IBAN [IBAN masqué] ici",
		"FR7630006000011234567890189":                  "[IBAN masqué]",
		// A key that does not check out is not sensitive data: kept.
		"1 85 05 78 006 084 92": "1 85 05 78 006 084 92",
		"rien à masquer":        "rien à masquer",
	} {
		if got := MaskSensitive(in); got != want {
			t.Errorf("MaskSensitive(%q) = %q, want %q", in, got, want)
		}
	}
}
