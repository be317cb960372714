package validate

import (
	"strings"
	"testing"
)

// Test values are the usual published examples or numbers built for the
// test (keys computed here), never real people's data.
func TestSensitiveFlagged(t *testing.T) {
	cases := []struct {
		text string
		kind sensitiveKind
	}{
		{"NIR 1 85 05 78 006 084 91.", kindNIR},                          // key 97 - (1850578006084 mod 97) = 91
		{"nir:185057800608491", kindNIR},                                 // no separators
		{"(1.85.05.78.006.084.91)", kindNIR},                             // dots
		{"1 85 05 78 006084 91", kindNIR},                                // some groups run together
		{"2 69 05 2A 123 456 88", kindNIR},                               // Corsica: 2A read as 19
		{"2 69 05 2b 123 456 18", kindNIR},                               // 2B read as 18, lowercase
		{"1\u00a085\u00a005\u00a078\u00a0006\u00a0084\u00a091", kindNIR}, // no-break spaces
		{"IBAN : FR76 3000 6000 0112 3456 7890 189 pour les frais", kindIBAN},
		{"FR7630006000011234567890189", kindIBAN},
		{"fr76 3000 6000 0112 3456 7890 189", kindIBAN},
		{"GB82 WEST 1234 5698 7654 32", kindIBAN},
		{"DE89 3704 0044 0532 0130 00.", kindIBAN},
		{"iban: \"BE71 0961 2345 6769\"", kindIBAN},
	}
	for _, c := range cases {
		got := scanSensitive([]byte(c.text))
		if len(got) != 1 || got[0].Kind != c.kind {
			t.Errorf("%q: got %+v, want one of kind %d", c.text, got, c.kind)
		}
	}
}

func TestSensitiveNotFlagged(t *testing.T) {
	for _, text := range []string{
		"1 85 05 78 006 084 36",             // the published example with a key that does not match
		"185057800608436",                   // the same, written together
		"06 12 34 56 78",                    // a phone number
		"+33 6 12 34 56 78",                 // another
		"2026-02-03",                        // a date
		"123456789012345",                   // 15 digits, wrong key
		"1 85 13 78 006 084 41",             // month 13 does not exist
		"11850578006084914",                 // inside a longer number
		"A185057800608491",                  // glued to a word
		"FR76 3000 6000 0112 3456 7890 188", // IBAN with a wrong check
		"FR76 3000 6000 0112 3456 7890",     // too short for France
		"GB82 WEST 1234 5698 7654 3",        // too short
		"SIRET 362 521 879 00034",           // a company number
		"Dossier CAF n° 1234567, code postal 75011, 15 h 30.",
		"version 2.0.1 du 12.03.2026",
	} {
		if got := scanSensitive([]byte(text)); len(got) != 0 {
			t.Errorf("%q flagged: %+v", text, got)
		}
	}
}

// The message never repeats the value, and the finding points at it.
func TestSensitiveFinding(t *testing.T) {
	files := cleanCase()
	files[pSuivi2] = strings.Replace(files[pSuivi2], "formateur: Marie Martin\n",
		"formateur: Marie Martin\ncommentaire_rib: \"FR76 3000 6000 0112 3456 7890 189\"\n", 1)
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range fs {
		if f.Rule != "donnee-sensible" {
			continue
		}
		found = true
		l, c := pos(t, files[pSuivi2], "FR76")
		if f.Line != l || f.Column != c || f.Severity != Error {
			t.Errorf("finding at %d:%d %v, want %d:%d error", f.Line, f.Column, f.Severity, l, c)
		}
		if strings.Contains(f.Message, "3000") || strings.Contains(f.Message, "FR76") {
			t.Errorf("message repeats the value: %s", f.Message)
		}
	}
	if !found {
		t.Errorf("IBAN in the frontmatter not flagged:%s", dump(fs))
	}
}

func TestJudgingWords(t *testing.T) {
	m := newWordMatcher(append(DefaultJudgingWords, "je-m'en-foutiste", "bon à rien"))
	cases := map[string][]string{
		"Il est paresseux.":                      {"paresseux"},
		"Ils sont FAINÉANTS":                     {"fainéant"},
		"fainéante":                              {"fainéante"},
		"une attitude de je-m’en-foutiste":       {"je-m'en-foutiste"},
		"un bon à rien":                          {"bon à rien"},
		"incapables de venir":                    {"incapable"},
		"<!-- évitez « paresseux » -->":          nil,
		"la paresse n'est pas un fait":           nil,
		"capable de menteurs":                    {"menteur"},
		"imbécillité, bonne humeur, menteurisme": nil,
	}
	for text, want := range cases {
		var got []string
		for _, f := range m.find([]byte(text)) {
			got = append(got, f.Word)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	}
}
