package yamlerr

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestLocate feeds hand-made YAML mistakes, as trainers make them, and
// checks the line and the cause given.
func TestLocate(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"unclosed double quote", "type: a\nb: 1\nc: \"Faire le point\nd: 2\ne: 3\n", 3, "guillemet"},
		{"unclosed quote far from the end", "type: a\nb: \"ouvert\nc: 1\nd: 2\ne: \"fermé\"\nf: 3\n", 2, "guillemet"},
		{"unclosed single quote", "type: a\nb: 'non fermé\nd: 2\n", 2, "guillemet"},
		{"list item without colon", "type: a\nobjectifs:\n  - id O1\n    intitule: x\n", 3, "deux-points manquant"},
		{"no space after colon", "type: a\nmodalite:presentiel\nb: 2\n", 2, "espace manquant après les deux-points"},
		{"no space after colon, last line", "type: a\nb: 2\nmodalite:presentiel\n", 3, "espace manquant après les deux-points"},
		{"tab indentation", "type: a\nevaluation:\n\tautonomie: 2\n", 3, "tabulation"},
		{"colon inside a value", "type: a\nobjectif_entretien: Faire le point: emploi\nb: 2\n", 2, "entre guillemets"},
		{"missing dash", "type: a\nobjectifs:\n  - id: O1\n    intitule: x\n  id: O2\n    intitule: y\n", 5, "tiret manquant"},
		{"missing dash, scalars", "type: a\nfreins:\n  - logement\n  mobilite\n", 4, "tiret manquant"},
		{"under-indented under a list", "type: a\nobjectifs:\n  - id: O1\n    intitule: x\n   echeance: 2026-01-01\n", 5, "indentation"},
		{"over-indented under a list", "type: a\nobjectifs:\n  - id: O1\n     intitule: x\n", 4, "indentation"},
		{"over-indented key", "type: a\nb: 1\n  c: 2\n", 3, "indentation"},
		{"under-indented key", "a:\n  b: 1\n c: 2\n", 3, "indentation"},
		{"unclosed bracket", "type: a\nfreins: [logement, mobilite\nb: 3\n", 0, "crochets"},
		{"unclosed bracket before a colon", "type: a\nfreins: [logement, mobilite\nb:3\n", 0, "crochets"},
		{"first of two mistakes", "type: a\nb: Faire: x\nc:d\n", 2, "deux-points dans la valeur"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(c.src), &n)
			if err == nil {
				t.Fatalf("%q: no error", c.src)
			}
			line, _, msg := Locate([]byte(c.src), err)
			if (c.line != 0 && line != c.line) || !strings.Contains(msg, c.want) {
				t.Errorf("%q: Locate = line %d %q, want line %d with %q (yaml: %v)", c.src, line, msg, c.line, c.want, err)
			}
			for _, v := range []string{"non fermé", "Faire le point", "presentiel", "emploi", "mobilite"} {
				if strings.Contains(c.src, v) && strings.Contains(msg, v) {
					t.Errorf("the message quotes the document's value %q: %s", v, msg)
				}
			}
		})
	}
}

// Valid YAML that looks like the mistakes above is not the object of any
// message: a tab inside a block scalar (text pasted from a word processor)
// is text, as are a multi-line plain value and a quoted colon.
func TestLocateValidYAML(t *testing.T) {
	for _, src := range []string{
		"type: a\nnotes: |\n  a\tb\n  \tc\nd: 1\n",
		"type: a\nobjectifs:\n  - id: O1\n    notes: >\n      x\n      \ty\n    intitule: z\n",
		"type: a\nb: un texte long\n  qui continue\nc: \"a: b\"\n",
		"type: a\nobjectifs:\n- id: O1\n  intitule: x\nc: 1\n",
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Errorf("%q: %v", src, err)
		}
		if _, ok := firstMistake(scan(src)); ok {
			t.Errorf("%q: a mistake found in valid YAML", src)
		}
	}
}

// Locate never panics and points inside the text.
func FuzzLocate(f *testing.F) {
	for _, s := range []string{"a: \"b\nc: 1\n", "- id O1\n  x: 1\n", "a:b\n", "a:\n\tb: 1\n", "a: b: c\n", "x:\n  - a: 1\n  b: 2\n", "n: |\n  \tt\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(src), &n)
		if err == nil {
			return
		}
		line, col, msg := Locate([]byte(src), err)
		// yaml.v3 counts a lone \r as a line break, as editors do.
		breaks := strings.Count(src, "\n") + strings.Count(src, "\r") - strings.Count(src, "\r\n")
		if msg == "" || line < 0 || line > breaks+2 || col < 0 {
			t.Fatalf("Locate(%q) = %d:%d %q", src, line, col, msg)
		}
	})
}
