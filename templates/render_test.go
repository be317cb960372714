package templates

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/internal/textkey"
)

// renderAll renders every built-in type with every sample.
func renderAll(t *testing.T, r *Registry) map[string][][]byte {
	t.Helper()
	out := map[string][][]byte{}
	for _, ty := range append(r.Types(), r.Fiche()) {
		for _, d := range sampleData() {
			b, err := r.Render(ty.Name, d)
			if err != nil {
				t.Fatalf("%s: %v", ty.Name, err)
			}
			out[ty.Name] = append(out[ty.Name], b)
		}
	}
	return out
}

// frontmatter splits a rendered document the simple way.
func frontmatter(t *testing.T, doc []byte) (map[string]*yaml.Node, *yaml.Node, string) {
	t.Helper()
	s := string(doc)
	if !strings.HasPrefix(s, "---\n") {
		t.Fatalf("no frontmatter:\n%s", s)
	}
	end := strings.Index(s[4:], "\n---\n")
	if end < 0 {
		t.Fatalf("unterminated frontmatter:\n%s", s)
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(s[4:4+end]), &root); err != nil {
		t.Fatalf("frontmatter: %v\n%s", err, s)
	}
	m := root.Content[0]
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if keys[m.Content[i].Value] != nil {
			t.Errorf("duplicate key %s", m.Content[i].Value)
		}
		keys[m.Content[i].Value] = m.Content[i+1]
	}
	return keys, m, s[4+end+5:]
}

func TestRenderBuiltins(t *testing.T) {
	r := Builtin()
	for name, docs := range renderAll(t, r) {
		ty, _ := r.Lookup(name)
		for i, doc := range docs {
			keys, _, body := frontmatter(t, doc)
			for k := range keys {
				if ty.Field(k) == nil {
					t.Errorf("%s[%d]: unknown key %s", name, i, k)
				}
			}
			for _, f := range ty.Fields {
				if f.Required == Always && f.RequiredIf == nil && keys[f.Key] == nil {
					t.Errorf("%s[%d]: required key %s missing", name, i, f.Key)
				}
			}
			if keys["type"].Value != name {
				t.Errorf("%s[%d]: type %q", name, i, keys["type"].Value)
			}
			if ty.Interview {
				if keys["statut"].Value != "brouillon" || keys["presence"].Value != "present" {
					t.Errorf("%s[%d]: statut %q presence %q", name, i, keys["statut"].Value, keys["presence"].Value)
				}
				if keys["formateur"].Value != "Élodie N'Guessan: test" {
					t.Errorf("%s[%d]: formateur %q", name, i, keys["formateur"].Value)
				}
				if keys["objectif_entretien"].Value != ty.Purpose {
					t.Errorf("%s[%d]: objectif_entretien %q", name, i, keys["objectif_entretien"].Value)
				}
				title := "# " + ty.Label + " — elodie-n-guessan-test (2026-03-02)\n"
				if !strings.Contains(body, "\n"+title) {
					t.Errorf("%s[%d]: no title %q", name, i, title)
				}
				if strings.Contains(body, "Élodie") {
					t.Errorf("%s[%d]: the person's name must not appear in an interview body", name, i)
				}
			} else {
				if keys["nom"].Value != "N'Guessan: test" || keys["prenom"].Value != "Élodie" || keys["statut"].Value != "en-cours" {
					t.Errorf("fiche[%d]: %v", i, keys)
				}
				if (keys["dispositif"] != nil) != (i == 1) {
					t.Errorf("fiche[%d]: dispositif only when given", i)
				} else if i == 1 && keys["dispositif"].Value != "Prépa # avenir: 2026" {
					t.Errorf("fiche dispositif %q", keys["dispositif"].Value)
				}
			}
			var headings []string
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, "## ") {
					headings = append(headings, strings.TrimPrefix(line, "## "))
				}
			}
			for _, s := range ty.Sections {
				found := false
				for _, h := range headings {
					found = found || h == s.Title
				}
				if !found {
					t.Errorf("%s[%d]: heading %q missing", name, i, s.Title)
				}
			}
			if len(headings) != len(ty.Sections) {
				t.Errorf("%s[%d]: headings %v", name, i, headings)
			}
			if !strings.HasSuffix(string(doc), "-->\n") || strings.HasSuffix(string(doc), "\n\n") {
				t.Errorf("%s[%d]: document should end with the last prompt and one newline", name, i)
			}
		}
	}
}

func TestRenderFollowUp(t *testing.T) {
	r := Builtin()
	d := sampleData()[1]
	out, err := r.Render("entretien-suivi", d)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, _ := frontmatter(t, out)
	so := keys["suivi_objectifs"]
	if so == nil || len(so.Content) != 2 {
		t.Fatalf("suivi_objectifs:\n%s", out)
	}
	if id := so.Content[1].Content[1].Value; id != "O-2" {
		t.Errorf("second objective %q", id)
	}
	if !strings.Contains(string(out), "# Obtenir le code : « test » # 1 (échéance 2026-06-30)") ||
		!strings.Contains(string(out), "# Trouver un stage d'observation\n") {
		t.Errorf("objective titles should be commented on one line:\n%s", out)
	}

	out, err = r.Render("contractualisation", d)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, _ = frontmatter(t, out)
	if or := keys["objectifs_retenus"]; or == nil || len(or.Content) != 2 || or.Content[0].Value != "O1" {
		t.Errorf("objectifs_retenus:\n%s", out)
	}

	// No open objective: commented examples only.
	out, _ = r.Render("entretien-suivi", sampleData()[0])
	if keys, _, _ := frontmatter(t, out); keys["suivi_objectifs"] != nil {
		t.Errorf("suivi_objectifs without objectives:\n%s", out)
	}
	// An invalid id is not repeated.
	d.Suivi = append(d.Suivi, ObjectiveRef{ID: "O 3: x", Intitule: "bad"})
	out, _ = r.Render("entretien-bilan", d)
	if keys, _, _ := frontmatter(t, out); len(keys["suivi_objectifs"].Content) != 2 {
		t.Errorf("invalid id kept:\n%s", out)
	}
}

func TestRenderErrors(t *testing.T) {
	r := Builtin()
	good := sampleData()[0]
	cases := map[string]func(d *Data){
		"bad date":     func(d *Data) { d.Date = "02/03/2026" },
		"no date":      func(d *Data) { d.Date = "" },
		"no formateur": func(d *Data) { d.Formateur = " " },
		"no id":        func(d *Data) { d.Beneficiaire = "" },
		"newline id":   func(d *Data) { d.Beneficiaire = "a\nb: c" },
	}
	for name, mod := range cases {
		d := good
		mod(&d)
		if _, err := r.Render("entretien-suivi", d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := r.Render("entretien-suvi", good); !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), "entretien-suivi") {
		t.Errorf("unknown type: %v", err)
	}
	// The fiche takes DateEntree, or Date.
	d := good
	d.DateEntree = ""
	out, err := r.Render("fiche", d)
	if err != nil || !strings.Contains(string(out), "date_entree: 2026-03-02\n") {
		t.Errorf("fiche: %v\n%s", err, out)
	}
	d.Prenom, d.Nom = "", ""
	if _, err := r.Render("fiche", d); err == nil {
		t.Error("fiche without a name")
	}
}

func TestQuoteYAML(t *testing.T) {
	for _, s := range []string{
		"", "simple", "Élodie N'Guessan: test", "a #b", "#x", "- x", "yes", "no", "true", "null", "~",
		"2026-01-02", "0123", "1e3", "'quoted'", `"dq"`, "a\nb", "tab\there", "trailing ", " leading",
		"{a: b}", "[x]", "&anchor", "*alias", "!tag", "%pct", "@at", "`tick", "|pipe", ">gt", "é: ü",
		"<!-- -->", "\u2028", "a: b # c", "---", "...", "? q", strings.Repeat("long words ", 30),
	} {
		q := quoteYAML(s)
		if strings.Contains(q, "\n") {
			t.Errorf("%q quoted on several lines: %q", s, q)
		}
		var got struct{ K *string }
		if err := yaml.Unmarshal([]byte("k: "+q+" # comment\n"), &got); err != nil || got.K == nil || *got.K != s {
			t.Errorf("%q → %q → %v %v", s, q, got.K, err)
		}
	}
}

func TestHeadingKey(t *testing.T) {
	for in, want := range map[string]string{
		"Déroulement":                      "deroulement",
		"1. Introduction":                  "introduction",
		"2) DÉROULEMENT :":                 "deroulement",
		"III. Conclusion.":                 "conclusion",
		"A. Acquis":                        "acquis",
		"Plan d’action":                    "plan d'action",
		"Moteurs  et ressources":           "moteurs et ressources",
		"De\u0301roulement":                "deroulement",
		"**Évaluation** ##":                "evaluation",
		"Objectifs à court et moyen terme": "objectifs a court et moyen terme",
	} {
		if got := textkey.Heading(in); got != want {
			t.Errorf("textkey.Heading(%q) = %q, want %q", in, got, want)
		}
	}
}
