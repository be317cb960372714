package templates

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func set(v string, line int) opt {
	return opt{val: v, set: true, key: &yaml.Node{Line: line, Column: 1}, node: &yaml.Node{Line: line, Column: 7}}
}

// A type's header is its own, else the base's; the common base gives none.
func TestNewType(t *testing.T) {
	base := &Type{Label: "Suivi", Phase: "accompagnement", Purpose: "Faire le point.", Description: "D"}
	d := &typeDef{path: "types/x.yaml", name: "x", label: set("X", 2)}
	got := newType(d, base, true, "entretien-suivi")
	if got.Label != "X" || got.Phase != "accompagnement" || got.Purpose != "Faire le point." || got.Description != "D" {
		t.Errorf("inherited header: %+v", got)
	}
	if !got.Interview || got.Builtin || got.Source != "types/x.yaml" || got.Base != "entretien-suivi" || got.PhaseRank != -1 {
		t.Errorf("identity: %+v", got)
	}
	got = newType(d, base, false, commonBaseName)
	if got.Label != "X" || got.Phase != "" || got.Purpose != "" {
		t.Errorf("common base: %+v", got)
	}
	fiche := newType(&typeDef{name: ficheTypeName, builtin: true, label: set("Fiche", 1)}, nil, false, "")
	if fiche.Interview || !fiche.Builtin || fiche.Source != "" {
		t.Errorf("built-in fiche: %+v", fiche)
	}
}

func TestCheckHeader(t *testing.T) {
	r := &resolver{builtinDefs: map[string]*typeDef{"entretien-bilan": {name: "entretien-bilan", builtin: true, phase: set("accompagnement", 3)}}}
	p := &parser{path: "types/x.yaml"}
	cases := []struct {
		name string
		d    *typeDef
		t    *Type
		line int
		want string // "" when the header is complete
	}{
		{"no label", &typeDef{name: "x", nameKey: &yaml.Node{Line: 1}}, &Type{Interview: true}, 1, "« libelle » manquante"},
		{"fiche needs no phase", &typeDef{name: ficheTypeName}, &Type{Label: "F"}, 0, ""},
		{"no phase", &typeDef{name: "x", nameKey: &yaml.Node{Line: 1}}, &Type{Label: "X", Interview: true}, 1, "« phase » manquante"},
		{"phase typo", &typeDef{name: "x", phase: set("acueil", 4)}, &Type{Label: "X", Interview: true, Phase: "acueil"}, 4, "vouliez-vous dire « accueil »"},
		{"built-in phase", &typeDef{name: "entretien-bilan", phase: set("accueil", 5)}, &Type{Label: "X", Interview: true, Phase: "accueil", Purpose: "o"}, 5, "ne change pas"},
		{"no purpose", &typeDef{name: "x", nameKey: &yaml.Node{Line: 1}}, &Type{Label: "X", Interview: true, Phase: "accueil"}, 1, "« objectif » manquante"},
		{"complete", &typeDef{name: "entretien-bilan", phase: set("accompagnement", 5)}, &Type{Label: "X", Interview: true, Phase: "accompagnement", Purpose: "o"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.d.path = p.path
			err := r.checkHeader(c.d, c.t, p)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.t.Interview && c.t.PhaseRank < 1 {
					t.Errorf("PhaseRank %d", c.t.PhaseRank)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "x.yaml:"+strconv.Itoa(c.line)) {
				t.Fatalf("error %v, want %q at line %d", err, c.want, c.line)
			}
		})
	}
}

// An interview type inherits the common base by default, the built-in type
// it completes, or another interview type; never the fiche, never itself
// without a built-in type of that name.
func TestInterviewBase(t *testing.T) {
	common, suivi, builtin := &Type{Name: commonBaseName}, &Type{Name: "entretien-suivi"}, &Type{Name: "entretien-bilan"}
	suiviDef := &typeDef{name: "entretien-suivi"}
	bilanDef := &typeDef{name: "entretien-bilan", builtin: true}
	r := &resolver{
		common:      common,
		builtinDefs: map[string]*typeDef{"entretien-bilan": bilanDef},
		defs:        map[string]*typeDef{"entretien-suivi": suiviDef, "entretien-bilan": bilanDef},
		done:        map[*typeDef]*Type{suiviDef: suivi, bilanDef: builtin},
		busy:        map[*typeDef]bool{},
	}
	p := &parser{path: "types/x.yaml"}
	cases := []struct {
		name, base string // base "" when unset
		want       *Type
		wantName   string
		err        string
	}{
		{"x", "", common, commonBaseName, ""},
		{"x", commonBaseName, common, commonBaseName, ""},
		{"x", "entretien-suivi", suivi, "entretien-suivi", ""},
		{"entretien-bilan", "entretien-bilan", builtin, "entretien-bilan", ""},
		{"x", "x", nil, "", "n'en est pas un"},
		{"x", ficheTypeName, nil, "", "ne peut pas hériter de la fiche"},
		{"x", "entretien-suivie", nil, "", "vouliez-vous dire « entretien-suivi »"},
		{"x", "zzzzzzzz", nil, "", "« base » vaut « entretien »"},
	}
	for _, c := range cases {
		d := &typeDef{name: c.name}
		if c.base != "" {
			d.base = set(c.base, 6)
		}
		got, name, err := r.interviewBase(d, p)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s base %q: error %v, want %q", c.name, c.base, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || name != c.wantName {
			t.Errorf("%s base %q: %v %q %v, want %v %q", c.name, c.base, got, name, err, c.want, c.wantName)
		}
	}
}

func TestFicheBase(t *testing.T) {
	builtinFiche := &typeDef{name: ficheTypeName, builtin: true}
	resolved := &Type{Name: ficheTypeName}
	r := &resolver{builtinDefs: map[string]*typeDef{ficheTypeName: builtinFiche}, done: map[*typeDef]*Type{builtinFiche: resolved}, busy: map[*typeDef]bool{}}
	p := &parser{path: "fiche.yaml"}
	if b, err := r.ficheBase(builtinFiche, p); b != nil || err != nil {
		t.Errorf("built-in fiche: %v %v", b, err)
	}
	if b, err := r.ficheBase(&typeDef{name: ficheTypeName}, p); b != resolved || err != nil {
		t.Errorf("fiche.yaml: %v %v, want the built-in fiche", b, err)
	}
	if _, err := r.ficheBase(&typeDef{name: ficheTypeName, base: set("entretien", 2)}, p); err == nil || !strings.Contains(err.Error(), "pas de « base »") {
		t.Errorf("base: %v", err)
	}
	if _, err := r.ficheBase(&typeDef{name: ficheTypeName, phase: set("accueil", 2)}, p); err == nil || !strings.Contains(err.Error(), "pas de « phase »") {
		t.Errorf("phase: %v", err)
	}
}

// A definition of the inherited type refines a copy of the field; one of
// another type starts anew; a new field needs a type.
func TestStartField(t *testing.T) {
	p := &parser{path: "types/x.yaml"}
	base := &Field{Key: "lieu", Kind: KindText, Label: "Lieu"}
	f, b, err := startField(p, base, &fieldSpec{key: "lieu"}, "lieu")
	if err != nil || b != base || f == base || f.Label != "Lieu" {
		t.Errorf("refine: %+v %v %v", f, b, err)
	}
	f, b, err = startField(p, base, &fieldSpec{key: "lieu", kind: KindInteger}, "lieu")
	if err != nil || b != nil || f.Kind != KindInteger || f.Label != "" {
		t.Errorf("replace: %+v %v %v", f, b, err)
	}
	if _, _, err := startField(p, nil, &fieldSpec{key: "lieu", keyNode: &yaml.Node{Line: 3}}, "lieu"); err == nil || !strings.Contains(err.Error(), ":3") || !strings.Contains(err.Error(), "« type » manquant") {
		t.Errorf("new field without type: %v", err)
	}
}

func TestCheckAttr(t *testing.T) {
	p := &parser{path: "types/x.yaml"}
	k := &yaml.Node{Line: 4}
	allowed := append(slices.Clone(genericAttrs), kindAttrs[KindText]...)
	if err := checkAttr(p, k, "libelle", allowed, KindText, "lieu", "lieu"); err != nil {
		t.Errorf("libelle: %v", err)
	}
	if err := checkAttr(p, k, "min", allowed, KindText, "lieu", "lieu"); err == nil || !strings.Contains(err.Error(), "ne s'applique pas à un champ de type texte (champ « lieu »)") {
		t.Errorf("min on texte: %v", err)
	}
	for _, attr := range []string{"requis", "requis_si", "regle", "defaut"} {
		if err := checkAttr(p, k, attr, allowed, KindText, "", "element"); err == nil || !strings.Contains(err.Error(), "élément de liste") {
			t.Errorf("%s on an element: %v", attr, err)
		}
	}
}

func TestSetAttr(t *testing.T) {
	var pending []pendingCond
	cond := &condSpec{key: "presence", values: []string{"present"}}
	f := &Field{Kind: KindText}
	setAttr(f, &fieldSpec{requiredIf: cond, attrs: map[string]*yaml.Node{"requis_si": {}}}, "requis_si", &pending)
	if f.Required != Always || f.RequiredIf == nil || f.RequiredIf.Key != "presence" || len(pending) != 1 || pending[0].spec != cond {
		t.Errorf("requis_si alone: %+v, pending %v", f, pending)
	}
	f = &Field{Kind: KindText}
	setAttr(f, &fieldSpec{requiredIf: cond, attrs: map[string]*yaml.Node{"requis": {}, "requis_si": {}}}, "requis_si", &pending)
	if f.Required != Optional {
		t.Errorf("requis_si beside requis: %v", f.Required)
	}
	setAttr(f, &fieldSpec{rule: "champ-manquant"}, "regle", &pending)
	if f.Rule != "" {
		t.Errorf("regle champ-manquant: %q", f.Rule)
	}
	levels := &Field{Kind: KindInteger}
	setAttr(levels, &fieldSpec{values: []string{"0", "1"}, valueLabels: map[string]string{"0": "nul"}}, "valeurs", &pending)
	if levels.Values != nil || levels.ValueLabels["0"] != "nul" {
		t.Errorf("integer levels: %+v", levels)
	}
	choice := &Field{Kind: KindChoice}
	values := []string{"a", "b"}
	setAttr(choice, &fieldSpec{values: values}, "valeurs", &pending)
	if !slices.Equal(choice.Values, values) || &choice.Values[0] == &values[0] {
		t.Errorf("choix values not a copy: %v", choice.Values)
	}
}

func TestCheckField(t *testing.T) {
	p := &parser{path: "types/x.yaml"}
	one, three := 1, 3
	cases := []struct {
		f    *Field
		s    *fieldSpec
		want string
	}{
		{&Field{Kind: KindChoice}, &fieldSpec{}, "« valeurs » manquant"},
		{&Field{Kind: KindList}, &fieldSpec{}, "« element » manquant"},
		{&Field{Kind: KindInteger, Min: &three, Max: &one}, &fieldSpec{}, "« min » dépasse « max »"},
		{&Field{Kind: KindInteger, Max: &three}, &fieldSpec{values: []string{"2", "5"}, valueNodes: []*yaml.Node{{Line: 8}, {Line: 9}}}, "x.yaml:9"},
		{&Field{Kind: KindChoice, Values: []string{"a"}, Default: "b"}, &fieldSpec{attrs: map[string]*yaml.Node{"defaut": {Line: 7}}}, "« defaut » impossible"},
		{&Field{Kind: KindChoice, Values: []string{"a"}, Default: "a"}, &fieldSpec{}, ""},
		{&Field{Kind: KindInteger, Min: &one, Max: &three}, &fieldSpec{values: []string{"1", "3"}}, ""},
	}
	for i, c := range cases {
		err := checkField(p, c.f, c.s, "lieu")
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("case %d: error %v, want %q", i, err, c.want)
		}
	}
}
