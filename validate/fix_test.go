package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/templates"
	"golang.org/x/text/unicode/norm"
)

func TestApplyEditsKeepsTheTextAsWritten(t *testing.T) {
	edits := []Edit{{Line: 2, Text: "a:\n"}, {Line: 3, Replace: true, Text: "## Titre"}, {Text: "## Fin\n"}}
	for _, tc := range []struct{ in, want string }{
		{"x\ny\nz\n", "x\na:\ny\n## Titre\n## Fin\n"},
		{"x\r\ny\r\nz", "x\r\na:\r\ny\r\n## Titre\r\n## Fin\r\n"},
		{"x\ry\rz\r", "x\ra:\ny\r## Titre\r## Fin\n"},
	} {
		if got := string(ApplyEdits([]byte(tc.in), edits)); got != tc.want {
			t.Errorf("ApplyEdits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := string(ApplyEdits([]byte("\ufeff# T\n"), []Edit{{Line: 1, Replace: true, Text: "## T"}})); got != "\ufeff## T\n" {
		t.Errorf("BOM lost: %q", got)
	}
	if got := ApplyEdits([]byte("same\n"), nil); string(got) != "same\n" {
		t.Errorf("no edit changed the text: %q", got)
	}
}

func fixRepo(t *testing.T, doc string) (string, RunOptions) {
	root := writeRepo(t, map[string]string{
		"acc.yaml":                           "organisation: Test\n",
		"beneficiaires/jean-dupont/fiche.md": "---\ntype: fiche\n---\n",
		"beneficiaires/jean-dupont/2026-11-20-entretien-initial.md": doc,
	})
	reg, err := templates.Load(filepath.Join(root, ".acc"))
	if err != nil {
		t.Fatal(err)
	}
	return root, RunOptions{Root: root, Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Registry: reg}
}

const initialDoc = `---
type: entretien-initial
beneficiaire: jean-dupont
date: 2026-11-20
statut: brouillon
objectif_entretien: Accueillir.
presence: present
---

## Introduction

Accueil.

### Deroulement

Les faits.

## Attentes du beneficiare

Un emploi.

NIR : 1 85 05 78 006 084 91
`

func TestFixesAreSafeAndConverge(t *testing.T) {
	for _, variant := range []func(string) string{
		func(s string) string { return s },
		func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
		func(s string) string { return norm.NFD.String(s) },
	} {
		doc := variant(initialDoc)
		root, opts := fixRepo(t, doc)
		p := "beneficiaires/jean-dupont/2026-11-20-entretien-initial.md"
		findings, err := CheckText(context.Background(), opts, p, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		fixer, err := NewFixer(opts)
		if err != nil {
			t.Fatal(err)
		}
		fixes := fixer.Fixes(p, []byte(doc), findings)
		var titles []string
		for _, f := range fixes {
			if f.Finding.Rule == "donnee-sensible" {
				t.Errorf("a fix for donnee-sensible: %+v", f)
			}
			titles = append(titles, f.Title)
		}
		all := strings.Join(titles, "\n")
		for _, want := range []string{"Ajouter le champ « formateur »", "Renommer le titre en « ## Déroulement »",
			"Renommer le titre en « ## Attentes du bénéficiaire »", "Ajouter la section « ## Conclusion »"} {
			if !strings.Contains(all, want) {
				t.Errorf("no %q in\n%s", want, all)
			}
		}
		fixed := ApplyEdits([]byte(doc), Merge(fixes))
		if !strings.Contains(string(fixed), "NIR : 1 85 05 78 006 084 91") {
			t.Errorf("the sensitive line changed:\n%s", fixed)
		}
		// On disk, acc validate agrees that what the fixes address is gone,
		// and a second pass has nothing left to do.
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), fixed, 0o644); err != nil {
			t.Fatal(err)
		}
		after, _, err := Check(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range after {
			if f.Path == p && (f.Rule == "section-manquante" || f.Line == 1 && f.Rule == "champ-manquant") {
				t.Errorf("still there after the fixes: %+v\n%s", f, fixed)
			}
		}
		if again := fixer.Fixes(p, fixed, after); len(again) != 0 {
			t.Errorf("second pass fixes %+v", again)
		}
	}
}

func TestCheckTextOfADocumentNotOnDisk(t *testing.T) {
	_, opts := fixRepo(t, initialDoc)
	p := "beneficiaires/jean-dupont/2026-11-21-entretien-diagnostic.md"
	fs, err := CheckText(context.Background(), opts, p, []byte("---\ntype: entretien-diagnostic\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		t.Fatal("no findings for an empty diagnostic")
	}
	for _, f := range fs {
		if f.Path != p {
			t.Errorf("finding of another path: %+v", f)
		}
	}
	if _, err := CheckText(context.Background(), opts, "README.md", nil); err == nil {
		t.Error("a path outside beneficiaires/ was checked")
	}
}

// TestDateFix: a date written the French way in the frontmatter is written
// back in its canonical form, and only that date on its line changes; an
// impossible date or two dates on one line are left to the trainer.
func TestDateFix(t *testing.T) {
	const doc = `---
type: entretien-initial
beneficiaire: jean-dupont
date: 2026-11-20
formateur: Marie Martin
statut: brouillon
objectif_entretien: Accueillir le 3/12/2026 aussi.
prochain_entretien: "4/12/2026"   # à confirmer
relance: 31/02/2026
presence: present
---

## Introduction
`
	for _, variant := range []func(string) string{
		func(s string) string { return s },
		func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
	} {
		src := variant(doc)
		_, opts := fixRepo(t, src)
		p := "beneficiaires/jean-dupont/2026-11-20-entretien-initial.md"
		findings, err := CheckText(context.Background(), opts, p, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		fixer, err := NewFixer(opts)
		if err != nil {
			t.Fatal(err)
		}
		var dates []Fix
		for _, f := range fixer.Fixes(p, []byte(src), findings) {
			if strings.HasPrefix(f.Title, "Écrire la date") {
				dates = append(dates, f)
			}
		}
		if len(dates) != 1 || dates[0].Finding.Line != 8 {
			t.Fatalf("date fixes = %+v, want one on line 8", dates)
		}
		fixed := string(ApplyEdits([]byte(src), Merge(dates)))
		want := strings.Replace(src, `"4/12/2026"   # à confirmer`, `"2026-12-04"   # à confirmer`, 1)
		if fixed != want {
			t.Errorf("fixed:\n%q\nwant:\n%q", fixed, want)
		}
	}
}
