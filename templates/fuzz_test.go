package templates

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/poserr"
	"go.yaml.in/yaml/v3"
)

func FuzzQuoteYAML(f *testing.F) {
	for _, s := range []string{"", "Élodie N'Guessan: test", "a #b", "yes", "2026-01-02", "a\nb", "\x00", "\ufeffx", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		q := quoteYAML(s)
		if strings.Contains(q, "\n") {
			t.Fatalf("%q quoted on several lines: %q", s, q)
		}
		var got struct{ K *string }
		if err := yaml.Unmarshal([]byte("k: "+q+" # c\n"), &got); err != nil || got.K == nil || *got.K != s {
			t.Fatalf("%q → %q → %v", s, q, err)
		}
	})
}

// FuzzRender checks that whatever names Render accepts give a document whose
// frontmatter reads back the same names (validate.FuzzRenderValidates checks
// that it validates as a draft).
func FuzzRender(f *testing.F) {
	f.Add("Élodie N'Guessan: test", "Élodie", "N'Guessan", "Prépa # 2026", "O1", "Code : x")
	f.Add("- x", "yes", "null", "", "O-2", "a\nb")
	f.Fuzz(func(t *testing.T, formateur, prenom, nom, dispositif, id, intitule string) {
		if !utf8.ValidString(formateur + prenom + nom + dispositif + id + intitule) {
			return
		}
		r := Builtin()
		d := Data{Beneficiaire: "jean-dupont", Date: "2026-03-02", Formateur: formateur, Prenom: prenom, Nom: nom,
			Dispositif: dispositif, Suivi: []ObjectiveRef{{ID: id, Intitule: intitule}}}
		for _, name := range []string{"fiche", "entretien-suivi", "contractualisation"} {
			out, err := r.Render(name, d)
			if err != nil {
				continue
			}
			fm, _, _ := splitFront(out)
			var m map[string]any
			if err := yaml.Unmarshal(fm, &m); err != nil {
				t.Fatal(err)
			}
			key := "formateur"
			if name == "fiche" {
				key = "formateur_referent"
			}
			if m[key] != formateur {
				t.Fatalf("%s: %q read back as %q", name, formateur, m[key])
			}
		}
	})
}

// FuzzLoadType checks that no definition file makes the loader panic.
func FuzzLoadType(f *testing.F) {
	b, err := builtinOnce()
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range sortedKeys(b.defs) {
		src, _ := embedded.ReadFile("types/" + name + ".yaml")
		f.Add(src)
	}
	f.Add([]byte("nom: x\nlibelle: X\nphase: accueil\nobjectif: o\nchamps: { a: { type: liste, element: { type: objet, champs: { b: choix } } } }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := parseDef("types/x.yaml", src, false, false)
		if err != nil {
			if _, ok := err.(*poserr.Error); !ok {
				t.Fatalf("not a *poserr.Error: %v", err)
			}
			return
		}
		defs := map[string]*typeDef{}
		for k, v := range b.defs {
			defs[k] = v
		}
		defs[d.name] = d
		if _, err := build(b, defs, nil); err != nil {
			if _, ok := err.(*poserr.Error); !ok {
				t.Fatalf("not a *poserr.Error: %v", err)
			}
		}
	})
}
