package templates

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// toJSON converts a YAML node to JSON values by tag, keeping dates (and every
// other scalar yaml.v3 would turn into a Go type) as written.
func toJSON(t *testing.T, n *yaml.Node) any {
	t.Helper()
	switch n.Kind {
	case yaml.DocumentNode:
		return toJSON(t, n.Content[0])
	case yaml.AliasNode:
		return toJSON(t, n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, toJSON(t, c))
		}
		return out
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			t.Fatalf("int %q: %v", n.Value, err)
		}
		return i
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			t.Fatalf("float %q: %v", n.Value, err)
		}
		return f
	}
	return n.Value // !!str, !!timestamp…
}

// instance turns a YAML frontmatter into what the validator expects.
func instance(t *testing.T, front string) any {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(front), &root); err != nil {
		t.Fatalf("%v\n%s", err, front)
	}
	b, err := json.Marshal(toJSON(t, &root))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func compile(t *testing.T, r *Registry, name string) *jsonschema.Schema {
	t.Helper()
	src, err := r.Schema(name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("%s: schema is not JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	url := "https://acc.invalid/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return sch
}

func front(doc []byte) string {
	f, _, _ := splitFront(doc)
	return string(f)
}

func TestSchemaAcceptsRenderedTemplates(t *testing.T) {
	r := Builtin()
	for name, docs := range renderAll(t, r) {
		sch := compile(t, r, name)
		for i, doc := range docs {
			if err := sch.Validate(instance(t, front(doc))); err != nil {
				t.Errorf("%s[%d]: %v\n%s", name, i, err, doc)
			}
		}
	}
}

func TestSchemaRejects(t *testing.T) {
	r := Builtin()
	suivi := "type: entretien-suivi\nbeneficiaire: jean-dupont\ndate: 2026-12-09\nformateur: Marie Martin\nstatut: brouillon\nobjectif_entretien: Faire le point.\n"
	finalSuivi := strings.Replace(suivi, "brouillon", "finalise", 1) +
		"suivi_objectifs:\n  - objectif: O1\n    statut: atteint\nevaluation: { autonomie: 3, interactions: 4 }\n"
	fiche := "type: fiche\nid: jean-dupont\nprenom: Jean\nnom: Dupont\ndate_entree: 2026-01-05\nformateur_referent: Marie Martin\nstatut: en-cours\n"
	diag := "type: entretien-diagnostic\nbeneficiaire: jean-dupont\ndate: 2026-12-09\nformateur: Marie Martin\nstatut: finalise\nobjectif_entretien: Diagnostic.\nbesoin_compensation: false\n"
	cases := []struct {
		name, typ, doc string
		ok             bool
	}{
		{"draft", "entretien-suivi", suivi, true},
		{"bad enum", "entretien-suivi", suivi + "presence: peut-etre\n", false},
		{"bad date", "entretien-suivi", strings.Replace(suivi, "2026-12-09", "09/12/2026", 1), false},
		{"bad month", "entretien-suivi", strings.Replace(suivi, "2026-12-09", "2026-13-09", 1), false},
		{"wrong type", "entretien-suivi", strings.Replace(suivi, "type: entretien-suivi", "type: entretien-bilan", 1), false},
		{"missing formateur", "entretien-suivi", strings.Replace(suivi, "formateur: Marie Martin\n", "", 1), false},
		{"empty objectif_entretien", "entretien-suivi", strings.Replace(suivi, "Faire le point.", `""`, 1), false},
		{"unknown key", "entretien-suivi", suivi + "remarque: x\n", false},
		{"duree zero", "entretien-suivi", suivi + "duree_minutes: 0\n", false},
		{"objective revision", "entretien-suivi", suivi + "objectifs:\n  - id: O1\n    echeance: 2027-03-01\n", true},
		{"objective bad id", "entretien-suivi", suivi + "objectifs:\n  - id: O 1\n", false},
		{"objective unknown key", "entretien-suivi", suivi + "objectifs:\n  - id: O1\n    titre: x\n", false},
		{"derogation without motif", "entretien-suivi", suivi + "derogations:\n  - regle: rythme\n", true},
		{"final", "entretien-suivi", finalSuivi, true},
		{"final without evaluation", "entretien-suivi", strings.Replace(finalSuivi, "evaluation: { autonomie: 3, interactions: 4 }\n", "", 1), false},
		{"final half evaluation", "entretien-suivi", strings.Replace(finalSuivi, ", interactions: 4", "", 1), false},
		{"final evaluation out of scale", "entretien-suivi", strings.Replace(finalSuivi, "autonomie: 3", "autonomie: 5", 1), false},
		{"missed, final", "entretien-suivi", strings.Replace(suivi, "brouillon", "finalise", 1) + "presence: excuse\n", true},
		{"absent without relance", "entretien-suivi", suivi + "presence: absent\n", false},
		{"absent with relance", "entretien-suivi", suivi + "presence: absent\nrelance: 2026-12-10\n", true},
		{"fiche", "fiche", fiche, true},
		{"fiche termine", "fiche", strings.Replace(fiche, "en-cours", "termine", 1), false},
		{"fiche termine dated", "fiche", strings.Replace(fiche, "en-cours", "termine", 1) + "date_sortie: 2026-06-30\n", true},
		{"fiche abandon", "fiche", strings.Replace(fiche, "en-cours", "abandon", 1) + "date_sortie: 2026-06-30\n", false},
		{"fiche bad id", "fiche", strings.Replace(fiche, "jean-dupont", "Jean Dupont", 1), false},
		{"diagnostic final", "entretien-diagnostic", diag + "freins: { mobilite: 2, numerique: 0 }\n", true},
		{"diagnostic frein out of scale", "entretien-diagnostic", diag + "freins: { mobilite: 4 }\n", false},
		{"diagnostic unknown frein", "entretien-diagnostic", diag + "freins: { transport: 1 }\n", false},
		{"diagnostic final without freins", "entretien-diagnostic", diag, false},
		{"contract empty engagements", "contractualisation", "type: contractualisation\nbeneficiaire: b\ndate: 2026-12-09\nformateur: f\nstatut: finalise\nobjectif_entretien: o\nengagements: { beneficiaire: [], formateur: [x] }\nobjectifs_retenus: [O1]\nsigne_le: 2026-12-09\nsignataires: [a]\n", false},
		{"contract", "contractualisation", "type: contractualisation\nbeneficiaire: b\ndate: 2026-12-09\nformateur: f\nstatut: finalise\nobjectif_entretien: o\nengagements: { beneficiaire: [y], formateur: [x] }\nobjectifs_retenus: [O1]\nsigne_le: 2026-12-09\nsignataires: [a]\n", true},
		{"co-elaboration final empty", "co-elaboration", "type: co-elaboration\nbeneficiaire: b\ndate: 2026-12-09\nformateur: f\nstatut: finalise\nobjectif_entretien: o\nobjectifs: []\n", false},
		{"co-elaboration draft empty", "co-elaboration", "type: co-elaboration\nbeneficiaire: b\ndate: 2026-12-09\nformateur: f\nstatut: brouillon\nobjectif_entretien: o\nobjectifs: []\n", true},
	}
	schemas := map[string]*jsonschema.Schema{}
	for _, c := range cases {
		sch := schemas[c.typ]
		if sch == nil {
			sch = compile(t, r, c.typ)
			schemas[c.typ] = sch
		}
		err := sch.Validate(instance(t, c.doc))
		if (err == nil) != c.ok {
			t.Errorf("%s: valid=%v, want %v (%v)", c.name, err == nil, c.ok, err)
		}
	}
	if _, err := r.Schema("nope"); err == nil {
		t.Error("Schema(nope)")
	}
}

func TestSchemaIsStable(t *testing.T) {
	r := Builtin()
	a, _ := r.Schema("entretien-bilan")
	b, _ := r.Schema("entretien-bilan")
	if !bytes.Equal(a, b) || !bytes.Contains(a, []byte(`"title": "acc — Entretien de bilan"`)) {
		t.Errorf("schema:\n%s", a)
	}
}
