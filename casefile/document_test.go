package casefile

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/adrg/frontmatter"
)

const tidy = `---
type: entretien-suivi
beneficiaire: jean-dupont
date: 2026-12-09
objectifs:
  - id: O1
    intitule: "Obtenir le code"
---

# Entretien de suivi

## Introduction

Accueil, rappel du cadre.

## Déroulement

<!-- consigne -->

### Détail

## Conclusion
`

func TestParsePositions(t *testing.T) {
	d := Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", []byte(tidy))
	if d.FrontErr != nil {
		t.Fatalf("FrontErr = %v", d.FrontErr)
	}
	if got := d.Type(); got != "entretien-suivi" {
		t.Errorf("Type() = %q", got)
	}
	v, k := d.Get("date")
	if l, c := d.Pos(v); l != 4 || c != 7 {
		t.Errorf("date value at %d:%d, want 4:7", l, c)
	}
	if l, c := d.Pos(k); l != 4 || c != 1 {
		t.Errorf("date key at %d:%d, want 4:1", l, c)
	}
	objs, _ := d.Get("objectifs")
	id, _ := Get(objs.Content[0], "id")
	if l, c := d.Pos(id); l != 6 || c != 9 {
		t.Errorf("objective id at %d:%d, want 6:9", l, c)
	}
	if d.BodyLine != 9 {
		t.Errorf("BodyLine = %d, want 9", d.BodyLine)
	}
	type h struct {
		key   string
		line  int
		empty bool
	}
	want := []h{{"entretien de suivi", 10, false}, {"introduction", 12, false}, {"deroulement", 16, true}, {"detail", 20, true}, {"conclusion", 22, true}}
	if len(d.Headings) != len(want) {
		t.Fatalf("headings = %+v", d.Headings)
	}
	for i, w := range want {
		g := d.Headings[i]
		if g.Key != w.key || g.Line != w.line || g.Empty != w.empty {
			t.Errorf("heading %d = %+v, want %+v", i, g, w)
		}
	}
}

// Messy but valid spellings of the same document give the same reading.
func TestParseMessyEqualsTidy(t *testing.T) {
	ref := Parse("x.md", []byte(tidy))
	nfd := strings.ReplaceAll(tidy, "é", "e\u0301")
	messy := map[string]string{
		"crlf":      strings.ReplaceAll(tidy, "\n", "\r\n"),
		"bom":       "\uFEFF" + tidy,
		"nfd":       nfd,
		"all":       "\uFEFF" + strings.ReplaceAll(nfd, "\n", "\r\n"),
		"blank":     "\n\n" + tidy,
		"numbering": strings.Replace(strings.Replace(tidy, "## Introduction", "## 1. Introduction", 1), "## Déroulement", "## DÉROULEMENT :", 1),
	}
	for name, src := range messy {
		d := Parse("x.md", []byte(src))
		if d.FrontErr != nil {
			t.Errorf("%s: FrontErr %v", name, d.FrontErr)
			continue
		}
		shift := 0
		if name == "blank" {
			shift = 2
		}
		if d.Str("beneficiaire") != "jean-dupont" || d.Type() != "entretien-suivi" {
			t.Errorf("%s: frontmatter read differently", name)
		}
		v, _ := d.Get("date")
		if l, c := d.Pos(v); l != 4+shift || c != 7 {
			t.Errorf("%s: date at %d:%d", name, l, c)
		}
		for i, h := range d.Headings {
			r := ref.Headings[i]
			if h.Key != r.Key || h.Line != r.Line+shift || h.Empty != r.Empty {
				t.Errorf("%s: heading %d = %+v, want %+v", name, i, h, r)
			}
		}
	}
}

func TestParseBrokenFront(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"absent", "# Titre\n", 1, "frontmatter absent"},
		{"unclosed", "---\ntype: fiche\n# Titre\n", 1, "non fermé"},
		{"tab", "---\ntype: fiche\n\tid: x\n---\n", 3, "tabulation"},
		{"not a map", "---\n- a\n- b\n---\n", 2, "clé: valeur"},
		{"unclosed after indented", "---\nnote: |\n  texte\n  ---\n  suite\n", 1, "non fermé"},
		// yaml.v3 counts parser-error lines from 0: the reported line must be
		// the offending one.
		{"unclosed flow sequence", "---\ntype: fiche\nid: x\nm: [a\n---\n", 4, "crochets"},
		{"bad indentation", "---\na: 1\nb:\n  c: 1\n d: 2\n---\n", 5, "indentation"},
	}
	for _, c := range cases {
		d := Parse("x.md", []byte(c.src))
		if d.FrontErr == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if d.FrontErr.Line != c.line || !strings.Contains(d.FrontErr.Err.Error(), c.msg) {
			t.Errorf("%s: got %v, want line %d with %q", c.name, d.FrontErr, c.line, c.msg)
		}
	}
}

func TestParseIndentedDelimiterInBlockScalar(t *testing.T) {
	src := "---\ntype: fiche\nnote: |\n  avant\n  ---\n  après\nid: x\n---\n## Corps\n"
	d := Parse("x.md", []byte(src))
	if d.FrontErr != nil {
		t.Fatal(d.FrontErr)
	}
	if d.Str("id") != "x" || !strings.Contains(d.Str("note"), "après") {
		t.Errorf("frontmatter cut early: note=%q id=%q", d.Str("note"), d.Str("id"))
	}
	if len(d.Headings) != 1 || d.Headings[0].Line != 9 {
		t.Errorf("headings = %+v", d.Headings)
	}
}

func TestParseEmptyFront(t *testing.T) {
	d := Parse("x.md", []byte("---\n---\n## A\n"))
	if d.FrontErr != nil || d.Front != nil || !d.HasFront {
		t.Errorf("empty frontmatter: err=%v front=%v has=%v", d.FrontErr, d.Front, d.HasFront)
	}
}

func TestNormalizeHeading(t *testing.T) {
	for in, want := range map[string]string{
		"Déroulement":                         "deroulement",
		"1. Introduction":                     "introduction",
		"DÉROULEMENT :":                       "deroulement",
		"2) Objectifs à court et moyen terme": "objectifs a court et moyen terme",
		"III - Conclusion.":                   "conclusion",
		"A. Acquis":                           "acquis",
		"**Plan d’action**":                   "plan d'action",
		"Interactions":                        "interactions",
		"Engagements  du   formateur !":       "engagements du formateur",
	} {
		if got := NormalizeHeading(in); got != want {
			t.Errorf("NormalizeHeading(%q) = %q, want %q", in, got, want)
		}
	}
}

// A YAML mistake is reported at its file line (the frontmatter starts on
// line 2), with its cause; a tab inside a block scalar is text.
func TestParseYAMLMistakeLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntype: entretien-suivi\nbeneficiaire: jean-dupont\ndate: 2026-12-09\n")
	for i := 5; i < 20; i++ {
		b.WriteString("notes_" + string(rune('a'+i)) + ": texte\n")
	}
	b.WriteString("objectif_entretien: \"Faire le point\n") // line 20
	b.WriteString("statut: brouillon\n---\n\n## Déroulement\n")
	d := Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", []byte(b.String()))
	if d.FrontErr == nil || d.FrontErr.Line != 20 || !strings.Contains(d.FrontErr.Err.Error(), "guillemet") {
		t.Fatalf("FrontErr = %+v, want line 20, guillemet", d.FrontErr)
	}
	d = Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md",
		[]byte("---\ntype: entretien-suivi\nnotes: |\n  Collé depuis un traitement de texte :\n  \tretrait\tet tabulations\nstatut: brouillon\n---\n"))
	if d.FrontErr != nil || !strings.Contains(d.Str("notes"), "\tretrait\t") {
		t.Fatalf("a tab in a block scalar: %v, %q", d.FrontErr, d.Str("notes"))
	}
	d = Parse("beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md", []byte("---\ntype: entretien-suivi\nevaluation:\n\tautonomie: 2\n---\n"))
	if d.FrontErr == nil || d.FrontErr.Line != 4 || d.FrontErr.Column != 1 || !strings.Contains(d.FrontErr.Err.Error(), "tabulation") {
		t.Fatalf("tab indentation: %+v", d.FrontErr)
	}
}

// The closing delimiter found by hand is the one adrg/frontmatter found
// (which Parse used before): the first line that is "---" once trimmed.
func TestClosingAgreesWithFrontmatter(t *testing.T) {
	format := frontmatter.NewFormat("---", "---", func(data []byte, v any) error {
		*(v.(*[]byte)) = data
		return nil
	})
	pool := []string{"---", "  ---", "\u00a0---", "--- ", "---\r", "\t---\t", "a: b", "", "  - x", "----", "-- -", "\u0085---", "---x", " "}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		b.WriteString([]string{"---", "--- ", "---\t"}[rng.IntN(3)])
		n := rng.IntN(6)
		for range n {
			b.WriteString("\n" + pool[rng.IntN(len(pool))])
		}
		if rng.IntN(2) == 0 {
			b.WriteString("\n")
		}
		src := []byte(b.String())
		dataStart := min(len(lineOf(src, 0))+1, len(src))
		var data []byte
		want := -1
		if _, err := frontmatter.Parse(bytes.NewReader(src), &data, format); err == nil && data != nil {
			want = dataStart + len(data)
		}
		if got := trimmedDelimiter(src, dataStart); got != want {
			t.Fatalf("%q: closing at %d, adrg/frontmatter %d", src, got, want)
		}
	}
}
