package casefile

import (
	"strings"
	"testing"
)

func TestReplaceTopValue(t *testing.T) {
	nfd := "Ele\u0301onore" // NFD, as macOS writes it: must stay NFD
	cases := []struct {
		name, src, key, want string
		changed, fails       bool
	}{
		{name: "plain with comment, BOM and CRLF",
			src:  "\ufeff---\r\ntype: fiche\r\nid: jean-dupnt   # faute\r\nprenom: " + nfd + "\r\n---\r\n\r\n# Jean\r\n",
			key:  "id",
			want: "\ufeff---\r\ntype: fiche\r\nid: jean-dupont   # faute\r\nprenom: " + nfd + "\r\n---\r\n\r\n# Jean\r\n", changed: true},
		{name: "double quoted",
			src: "---\nbeneficiaire: \"jean-dupnt\"\n---\nid: jean-dupnt\n", key: "beneficiaire",
			want: "---\nbeneficiaire: \"jean-dupont\"\n---\nid: jean-dupnt\n", changed: true},
		{name: "single quoted, lone CR",
			src: "---\rtype: x\rbeneficiaire: 'jean-dupnt'\r---\r", key: "beneficiaire",
			want: "---\rtype: x\rbeneficiaire: 'jean-dupont'\r---\r", changed: true},
		{name: "other value left alone",
			src: "---\nbeneficiaire: paul\n---\n", key: "beneficiaire", want: "---\nbeneficiaire: paul\n---\n"},
		{name: "key absent",
			src: "---\ntype: fiche\n---\n", key: "id", want: "---\ntype: fiche\n---\n"},
		{name: "flow mapping refused",
			src: "---\n{id: jean-dupnt, type: fiche}\n---\n", key: "id", fails: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, changed, err := ReplaceTopValue("f.md", []byte(c.src), c.key, "jean-dupnt", "jean-dupont")
			if c.fails {
				if err == nil {
					t.Fatalf("no error, got %q", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != c.changed || string(out) != c.want {
				t.Fatalf("got %v %q, want %v %q", changed, out, c.changed, c.want)
			}
		})
	}
	// A new id that would read as a number or a date is quoted.
	out, _, err := ReplaceTopValue("f.md", []byte("---\nid: abc\n---\n"), "id", "abc", "2026")
	if err != nil || string(out) != "---\nid: \"2026\"\n---\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	if d := Parse("f.md", out); d.Str("id") != "2026" || !strings.Contains(string(out), `"2026"`) {
		t.Fatalf("reads back as %q", d.Str("id"))
	}
}

// ParseFront reads the same frontmatter as Parse, without the body.
func TestParseFrontMatchesParse(t *testing.T) {
	for _, src := range []string{
		"\ufeff---\r\ntype: fiche\r\nprenom: Ele\u0301onore\r\nnom: \"N'Guessan\"\r\n---\r\n## Situation\r\n",
		"---\nid: x\n: broken\n---\n",
		"no frontmatter\n",
	} {
		full, front := Parse("f.md", []byte(src)), ParseFront("f.md", []byte(src))
		if full.Str("prenom") != front.Str("prenom") || full.Str("nom") != front.Str("nom") ||
			(full.FrontErr == nil) != (front.FrontErr == nil) || full.BodyLine != front.BodyLine || len(front.Headings) != 0 {
			t.Errorf("%q: Parse and ParseFront differ", src)
		}
	}
}
