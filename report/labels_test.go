package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// An organisation's type data names what its reports show: a barrier
// level relabelled, a barrier domain of its own, the values of a choix
// field of its own, all from .acc/types, without code.
func TestLabelsFromTypeData(t *testing.T) {
	acc := filepath.Join(t.TempDir(), ".acc")
	files := map[string]string{
		"types/entretien-diagnostic.yaml": `nom: entretien-diagnostic
base: entretien-diagnostic
champs:
  freins:
    champs:
      mobilite:
        valeurs: [{ valeur: 0, libelle: nul }, { valeur: 1, libelle: faible }, { valeur: 2, libelle: fort }, { valeur: 3, libelle: majeur }]
      garde_enfants: { libelle: Garde des enfants, type: entier, min: 0, max: 3 }
`,
		"types/fiche.yaml": `nom: fiche
champs:
  orientation:
    libelle: Orientation
    type: choix
    valeurs:
      - { valeur: ft, libelle: France Travail }
      - { valeur: ml, libelle: Mission locale }
`,
	}
	for name, content := range files {
		p := filepath.Join(acc, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := validate.LoadRegistry(acc)
	if err != nil {
		t.Fatal(err)
	}
	// elodie-n-guessan, her fiche with an orientation.
	c := loadCase(t, "elodie-n-guessan")
	src := strings.Replace(string(c.Fiche.Src), "---\n", "---\norientation: ft\n", 1)
	c = casefile.NewCase(c.ID, casefile.Parse(c.Fiche.Path, []byte(src)), c.Interviews, func(n string) (int, bool) {
		ti, ok := BuiltinTypes(n)
		return ti.Rank, ok
	})
	write := func(opt Options, f Format) string {
		t.Helper()
		b, err := BuildBeneficiary(c, []validate.Finding{}, opt)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, f, b); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	opt := testOptions(t)
	builtin := write(opt, Markdown)
	opt.Registry = reg
	for _, f := range []Format{Markdown, HTML} {
		got := write(opt, f)
		for _, want := range []string{"2 — fort", "Garde des enfants", "France Travail"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %q missing", f, want)
			}
		}
		if strings.Contains(got, "Mobilité | 2 — important") || strings.Contains(got, "Mobilité</th><td>2 — important") {
			t.Errorf("%s: the built-in level label is shown for mobilite", f)
		}
	}
	// acc's own types: the built-in labels, the code of an unknown value.
	if !strings.Contains(builtin, "| Mobilité | 2 — important |") || strings.Contains(builtin, "Garde des enfants") || !strings.Contains(builtin, "ft") {
		t.Errorf("built-in labels:\n%s", builtin)
	}
	// The labels come from the registry: templates' type data.
	if f, _ := templates.Builtin().Lookup("entretien-diagnostic"); f.Field("freins").Field("mobilite").ValueLabels["2"] != "important" {
		t.Error("built-in level labels missing from the type data")
	}
}
