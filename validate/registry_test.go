package validate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
)

// Every built-in template writes documents the validator accepts as new
// drafts, for every sample (Load checks only what an organisation changed).
func TestBuiltinTemplatesValidate(t *testing.T) {
	reg := templates.Builtin()
	e := newEngine(DefaultSettings(), reg)
	for _, ty := range append(reg.Types(), reg.Fiche()) {
		drafts, err := reg.SampleDrafts(ty)
		if err != nil {
			t.Fatalf("%s: %v", ty.Name, err)
		}
		for _, d := range drafts {
			if p := e.draftProblem(d); p != "" {
				t.Errorf("%s: %s\n%s", d.Path, p, d.Doc)
			}
		}
	}
}

func writeAcc(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), ".acc")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// An organisation's template or type whose new document would not validate
// is a *poserr.Error naming the file, with the validator's message.
func TestLoadRegistryErrors(t *testing.T) {
	suivi := "nom: entretien-collectif\nlibelle: Collectif\nphase: accompagnement\nobjectif: Un objectif.\n"
	cases := []struct {
		name  string
		files map[string]string
		path  string // suffix of the error's path
		want  string
	}{
		{"template unknown key", map[string]string{"templates/fiche.md": "---\ntype: fiche\nid: {{yaml .Beneficiaire}}\nprenom: x\nnom: y\ndate_entree: {{.DateEntree}}\nformateur_referent: z\nstatut: en-cours\ntelephone: \"\"\n---\n"}, "templates/fiche.md", "champ « telephone » inconnu"},
		{"template bad value", map[string]string{"templates/entretien-bilan.md": "---\ntype: {{.Type.Name}}\nbeneficiaire: {{.Beneficiaire}}\ndate: {{.Date}}\nformateur: f\nstatut: brouillon\nobjectif_entretien: o\npresence: oui\n---\n"}, "templates/entretien-bilan.md", "« presence »"},
		{"template missing key", map[string]string{"templates/entretien-bilan.md": "---\ntype: {{.Type.Name}}\nbeneficiaire: {{.Beneficiaire}}\ndate: {{.Date}}\nformateur: f\nstatut: brouillon\n---\n"}, "templates/entretien-bilan.md", "« objectif_entretien » manquant"},
		{"template not a draft", map[string]string{"templates/entretien-bilan.md": "---\ntype: {{.Type.Name}}\nbeneficiaire: {{.Beneficiaire}}\ndate: {{.Date}}\nformateur: f\nstatut: finalise\nobjectif_entretien: o\n---\n"}, "templates/entretien-bilan.md", "statut vaut « finalise » au lieu de « brouillon »"},
		{"template wrong type", map[string]string{"templates/entretien-bilan.md": "---\ntype: entretien-suivi\nbeneficiaire: {{.Beneficiaire}}\ndate: {{.Date}}\nformateur: f\nstatut: brouillon\nobjectif_entretien: o\n---\n"}, "templates/entretien-bilan.md", "ne correspond pas au nom du fichier"},
		{"required key without template", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu: { type: texte, requis: oui }\n"}, "types/entretien-collectif.yaml", ".acc/templates/entretien-collectif.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeAcc(t, c.files)
			// templates alone renders the documents without judging them.
			if _, err := templates.Load(dir); err != nil {
				t.Fatalf("templates.Load: %v", err)
			}
			_, err := LoadRegistry(dir)
			var le *poserr.Error
			if !errors.As(err, &le) {
				t.Fatalf("want *poserr.Error, got %v", err)
			}
			if !strings.HasSuffix(filepath.ToSlash(le.Path), c.path) {
				t.Errorf("path %q, want …%s", le.Path, c.path)
			}
			if msg := le.Err.Error(); !strings.Contains(msg, "un document créé avec ce modèle ne serait pas valide : ") || !strings.Contains(msg, c.want) {
				t.Errorf("message %q lacks %q", msg, c.want)
			}
		})
	}
	// A type of the organisation with the generic template validates.
	if _, err := LoadRegistry(writeAcc(t, map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu: { type: texte }\nsections: [Thème]\n"})); err != nil {
		t.Errorf("valid organisation type: %v", err)
	}
}

// FuzzRenderValidates checks that whatever names Render accepts give a
// document the validator accepts as a new draft.
func FuzzRenderValidates(f *testing.F) {
	f.Add("Élodie N'Guessan: test", "Élodie", "N'Guessan", "Prépa # 2026", "O1", "Code : x")
	f.Add("- x", "yes", "null", "", "O-2", "a\nb")
	reg := templates.Builtin()
	e := newEngine(DefaultSettings(), reg)
	f.Fuzz(func(t *testing.T, formateur, prenom, nom, dispositif, id, intitule string) {
		if !utf8.ValidString(formateur + prenom + nom + dispositif + id + intitule) {
			return
		}
		d := templates.Data{Beneficiaire: "jean-dupont", Date: "2026-03-02", Formateur: formateur, Prenom: prenom, Nom: nom,
			Dispositif: dispositif, Suivi: []templates.ObjectiveRef{{ID: id, Intitule: intitule}}}
		for _, name := range []string{"fiche", "entretien-suivi", "contractualisation"} {
			out, err := reg.Render(name, d)
			if err != nil {
				continue
			}
			ty, _ := reg.Lookup(name)
			p := "beneficiaires/jean-dupont/2026-03-02-" + name + ".md"
			if name == "fiche" {
				p = "beneficiaires/jean-dupont/fiche.md"
			}
			if problem := e.draftProblem(templates.Draft{Type: ty, Path: p, ID: "jean-dupont", Doc: out}); problem != "" {
				t.Fatalf("%s: %s\n%s", name, problem, out)
			}
		}
	})
}

// BenchmarkLoadRegistry measures what every command pays to open an
// organisation's types: one type of its own and one template overridden,
// loaded and their sample documents checked by the validator.
func BenchmarkLoadRegistry(b *testing.B) {
	dir := filepath.Join(b.TempDir(), ".acc")
	for name, content := range map[string]string{
		"types/entretien-collectif.yaml": "nom: entretien-collectif\nlibelle: Collectif\nphase: accompagnement\nobjectif: Un objectif.\nchamps:\n  lieu: { type: texte }\nsections: [Thème]\n",
		"templates/entretien-bilan.md":   "---\ntype: {{.Type.Name}}\nbeneficiaire: {{.Beneficiaire}}\ndate: {{.Date}}\nformateur: {{yaml .Formateur}}\nstatut: brouillon\nobjectif_entretien: Faire le bilan\n---\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := LoadRegistry(dir); err != nil {
			b.Fatal(err)
		}
	}
}
