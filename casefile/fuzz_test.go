package casefile

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse parses arbitrary files: no panic, and every position it gives
// lies inside the normalised text.
func FuzzParse(f *testing.F) {
	f.Add(tidy)
	f.Add("\uFEFF---\r\ntype: fiche\r\n---\r\n# T\r\n")
	f.Add("---\na: |\n  ---\nb: 1\n---\n## x\n")
	f.Add("---\n\tb: 1\n---\n")
	f.Add("---\na: &a [*a, *a]\n---\nSetext\n===\n")
	f.Add("---\n---\n")
	f.Add("## \n<!-- x --> y\n")
	f.Fuzz(func(t *testing.T, src string) {
		d := Parse("beneficiaires/x/fiche.md", []byte(src))
		lines := strings.Count(string(d.Src), "\n") + 1
		if d.FrontErr != nil && (d.FrontErr.Line < 1 || d.FrontErr.Line > lines || !utf8.ValidString(d.FrontErr.Err.Error())) {
			t.Fatalf("FrontErr %+v outside %d lines", d.FrontErr, lines)
		}
		for _, h := range d.Headings {
			if h.Line < 1 || h.Line > lines {
				t.Fatalf("heading %+v outside %d lines", h, lines)
			}
		}
		for _, p := range Pairs(d.Front) {
			if l, c := d.Pos(p.Key); l < 1 || l > lines || c < 1 {
				t.Fatalf("key %q at %d:%d outside %d lines", p.Key.Value, l, c, lines)
			}
		}
		if l, c := d.PosAt(len(d.Src)); l < 1 || l > lines || c < 1 {
			t.Fatalf("PosAt(end) = %d:%d", l, c)
		}
	})
}
