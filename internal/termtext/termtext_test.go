package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"beneficiaires/jean/fiche.md": "beneficiaires/jean/fiche.md",
		"Élodie N'Guessan":            "Élodie N'Guessan",
		"a\nb.md":                     `a b.md`,
		"\x1b[31mrouge":               `\x1b[31mrouge`,
		"a\r\nb\tc\x7f\rd":            `a b c\x7f d`,
		"\u009b2J":                    `\u009b2J`,
		"abc\u202efdp.exe":            `abc\u202efdp.exe`,
		"bad\x9bbyte":                 `bad\x9bbyte`,
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArg(t *testing.T) {
	long := strings.Repeat("é", 100000)
	got := Arg(long)
	if want := strings.Repeat("é", MaxArg) + "…"; got != want {
		t.Errorf("Arg(100000 é) = %d bytes, want %q", len(got), want)
	}
	if got := Arg("court\x1b"); got != `court\x1b` {
		t.Errorf("Arg = %q", got)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	// A C1 character (U+009B, two bytes in UTF-8) split between two writes
	// is still escaped; line breaks and tabs are kept.
	for _, p := range []string{"ligne 1\n\x1b[2J\t", "x\xc2", "\x9by\n", "fin \xc3"} {
		if n, err := w.Write([]byte(p)); err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "ligne 1\n\\x1b[2J\tx\\u009by\nfin \\xc3"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestPlain(t *testing.T) {
	for s, want := range map[string]bool{
		"Entretien tenu": true, "Élodie N'Guessan": true, "": true,
		"a\nb": false, "a\tb": false, "rouge\x1b[31m": false, "\u009bx": false,
		"Coll\u202eectif": false, "\xff": false,
	} {
		if got := Plain(s); got != want {
			t.Errorf("Plain(%q) = %v, want %v", s, got, want)
		}
	}
}

// cleanSlow is clean's definition, rune by rune.
func cleanSlow(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafe(r) {
			return false
		}
	}
	return true
}

func TestCleanWordAtATime(t *testing.T) {
	base := []byte("abcdefghijklmnopq")
	for pos := range base {
		for b := 0; b < 256; b++ {
			s := append([]byte(nil), base...)
			s[pos] = byte(b)
			if got, want := clean(string(s)), cleanSlow(string(s)); got != want {
				t.Fatalf("clean(%q) = %v, want %v", s, got, want)
			}
		}
	}
	for _, s := range []string{"", "abcdefg\u202e", "abcdefgh\u202e", "abcdefgé", "abcdefg\xc3", "abcdefg\u0085x", "abcdefgh\x7f", "Entretien « suivi » du 3 mars\u2028"} {
		if got, want := clean(s), cleanSlow(s); got != want {
			t.Errorf("clean(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	f.Add("beneficiaires/b-000001/fiche.md")
	f.Add("Objectif « insertion »\u202e\x1b[31m")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := clean(s), cleanSlow(s); got != want {
			t.Fatalf("clean(%q) = %v, want %v", s, got, want)
		}
		if out := Line(s); !cleanSlow(out) {
			t.Fatalf("Line(%q) = %q still holds a control character", s, out)
		}
	})
}
