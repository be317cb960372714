package validate

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

type jsonOut struct {
	Version  *int `json:"version"`
	Findings []struct {
		Path        string `json:"path"`
		Line        int    `json:"line"`
		Column      int    `json:"column"`
		Severity    string `json:"severity"`
		Rule        string `json:"rule"`
		Message     string `json:"message"`
		Fingerprint string `json:"fingerprint"`
	} `json:"findings"`
	Summary *struct {
		Errors    int `json:"errors"`
		Warnings  int `json:"warnings"`
		Infos     int `json:"infos"`
		Documents int `json:"documents"`
	} `json:"summary"`
}

func TestFormatJSON(t *testing.T) {
	out := render(t, FormatJSON, fixture(), Options{GitPrefix: "examples"})
	var j jsonOut
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if j.Version == nil || *j.Version != 1 || j.Summary == nil {
		t.Fatalf("version or summary missing:\n%s", out)
	}
	if s := *j.Summary; s.Errors != 4 || s.Warnings != 3 || s.Infos != 2 || s.Documents != 4 {
		t.Errorf("summary %+v", s)
	}
	if len(j.Findings) != 9 {
		t.Fatalf("%d findings, want 9", len(j.Findings))
	}
	f := j.Findings[3]
	if f.Path != docSuivi || f.Line != 9 || f.Column != 17 || f.Severity != "warning" || f.Rule != "objectif-en-retard" || f.Message != trickyMessage {
		t.Errorf("finding %+v: want case-root path, English severity, message as is", f)
	}
	if f.Fingerprint != Fingerprint(*fixture()[6].finding) {
		t.Errorf("fingerprint %q", f.Fingerprint)
	}
	severities := map[string]int{}
	for _, f := range j.Findings {
		severities[f.Severity]++
	}
	if severities["error"] != 4 || severities["warning"] != 3 || severities["info"] != 2 {
		t.Errorf("severities %v", severities)
	}
}

func TestFormatJSONEmpty(t *testing.T) {
	out := render(t, FormatJSON, nil, Options{})
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if string(raw["findings"]) != "[]" {
		t.Errorf("findings %s, want []", raw["findings"])
	}
}

// The hand-written finding encoder must write exactly what encoding/json
// writes, whatever the strings hold.
func TestAppendFindingAgreesWithEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quote " and \ backslash`, "<html> & co", "tab\tnl\nret\r bs\b ff\f",
		"\x00\x01\x1f\x7f", "é à ç 中文 😀", "\u2028 and \u2029", "bad \xff\xfe utf8 \xc3", "\xed\xa0\x80 surrogate",
		"trailing \\", "beneficiaires/b-000001/2026-01-02-entretien-suivi.md"}
	// And random bytes, biased towards the ones that need escaping.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\\x00\x1f\x7f\xc3\xa9\xe2\x80\xa8\xff<>&\n")
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for k := range b {
			b[k] = alphabet[rng.IntN(len(alphabet))]
		}
		strs = append(strs, string(b))
	}
	for i, s := range strs {
		f := jsonFinding{Path: s, Line: i, Column: -i, Severity: strs[(i+1)%len(strs)], Rule: s, Message: strs[(i+3)%len(strs)], Fingerprint: s}
		for _, prefix := range []string{"", "    "} {
			want, err := marshalIndent(f, prefix)
			if err != nil {
				t.Fatal(err)
			}
			if got := appendFinding(nil, prefix, &f); string(got) != string(want) {
				t.Errorf("%q:\n got %s\nwant %s", s, got, want)
			}
		}
	}
}

// jsonPlainSlow is jsonPlain's definition, one byte at a time.
func jsonPlainSlow(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b == '"' || b == '\\':
			return false
		case b == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return false
		}
	}
	return utf8.ValidString(s)
}

func TestJSONPlainWordAtATime(t *testing.T) {
	// Every byte value at every position of a 17-byte string (two words and
	// a tail), then strings where a sequence crosses a word's end.
	base := []byte("abcdefghijklmnopq")
	for pos := range base {
		for b := 0; b < 256; b++ {
			s := append([]byte(nil), base...)
			s[pos] = byte(b)
			if got, want := jsonPlain(string(s)), jsonPlainSlow(string(s)); got != want {
				t.Fatalf("jsonPlain(%q) = %v, want %v", s, got, want)
			}
		}
	}
	for _, s := range []string{"", "a", "abcdefg\u2028", "abcdef\u2029x", "abcdefgh\u2028", "é", "abcdefgé", "abcdefg\xe2\x80", "abcdefg\xe2", "abcdefg\xc3", "Objectif « insertion » : 3 mois", "beneficiaires/b-000001/fiche.md", "abcdefgh\x7f", "abcdefgh~~~~~~~~"} {
		if got, want := jsonPlain(s), jsonPlainSlow(s); got != want {
			t.Errorf("jsonPlain(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzJSONPlain(f *testing.F) {
	f.Add("beneficiaires/b-000001/fiche.md")
	f.Add("Objectif « insertion »\u2028 : \"3\" mois\\")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := jsonPlain(s), jsonPlainSlow(s); got != want {
			t.Fatalf("jsonPlain(%q) = %v, want %v", s, got, want)
		}
		// Whatever the path taken, the encoding is what encoding/json reads back.
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil {
			t.Fatalf("appendJSONString(%q) is not JSON: %v", s, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("appendJSONString(%q) reads back as %q", s, back)
		}
	})
}
