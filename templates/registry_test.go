package templates

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acc-formation/acc/internal/poserr"
)

func TestBuiltinDataIsValid(t *testing.T) {
	// Builtin panics on broken embedded data; loadBuiltin returns the error.
	if _, err := loadBuiltin(); err != nil {
		t.Fatal(err)
	}
	r := Builtin()
	// Every template runs; whether its documents validate is the
	// validator's test (validate.TestBuiltinTemplatesValidate).
	for _, ty := range append(r.Types(), r.Fiche()) {
		if _, err := r.SampleDrafts(ty); err != nil {
			t.Errorf("%s: %v", ty.Name, err)
		}
	}
	if len(r.Drafts()) != 0 {
		t.Errorf("built-in registry has drafts to check: %d", len(r.Drafts()))
	}
}

func TestTypesOrder(t *testing.T) {
	r := Builtin()
	var names []string
	for i, ty := range r.Types() {
		names = append(names, ty.Name)
		if ty.Rank != i+1 {
			t.Errorf("%s: rank %d, want %d", ty.Name, ty.Rank, i+1)
		}
		if !ty.Interview || !ty.Builtin || ty.Base != "entretien" {
			t.Errorf("%s: Interview=%v Builtin=%v Base=%q", ty.Name, ty.Interview, ty.Builtin, ty.Base)
		}
	}
	if !slices.Equal(names, builtinOrder) {
		t.Errorf("Types() = %v, want %v", names, builtinOrder)
	}
	wantPhase := map[string]int{
		"entretien-initial": 0, "entretien-diagnostic": 0, "co-elaboration": 1,
		"contractualisation": 1, "entretien-suivi": 2, "entretien-bilan": 2,
	}
	for name, rank := range wantPhase {
		ty, ok := r.Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) failed", name)
		}
		if ty.PhaseRank != rank || PhaseLabel(ty.Phase) != ty.PhaseLabel() {
			t.Errorf("%s: PhaseRank %d want %d", name, ty.PhaseRank, rank)
		}
	}
	if ty, _ := r.Lookup("co-elaboration"); ty.PhaseLabel() != "Construction du parcours" {
		t.Errorf("phase label %q", ty.PhaseLabel())
	}
	f, ok := r.Lookup("fiche")
	if !ok || f != r.Fiche() || f.Interview || f.Rank != 0 || f.PhaseRank != -1 || f.Phase != "" {
		t.Errorf("fiche: %+v", f)
	}
	if _, ok := r.Lookup("entretien"); ok {
		t.Error("the common base must not be a type")
	}
	if _, ok := r.Lookup("nope"); ok {
		t.Error("Lookup(nope) succeeded")
	}
}

func TestBuiltinFields(t *testing.T) {
	r := Builtin()
	suivi, _ := r.Lookup("entretien-suivi")
	var keys []string
	for _, f := range suivi.Fields {
		keys = append(keys, f.Key)
	}
	want := []string{"type", "beneficiaire", "date", "formateur", "statut", "objectif_entretien",
		"presence", "relance", "duree_minutes", "modalite", "prochain_entretien", "objectifs",
		"suivi_objectifs", "evaluation", "derogations"}
	if !slices.Equal(keys, want) {
		t.Errorf("suivi keys = %v", keys)
	}
	if f := suivi.Field("type"); f.Kind != KindChoice || !slices.Equal(f.Values, []string{"entretien-suivi"}) {
		t.Errorf("type field: %+v", f)
	}
	if f := suivi.Field("evaluation"); f.Required != Final || f.Rule != "evaluation-manquante" || !f.Closed {
		t.Errorf("evaluation: %+v", f)
	}
	// The common definition is not changed by a type's refinement.
	initial, _ := r.Lookup("entretien-initial")
	if f := initial.Field("evaluation"); f.Required != Optional || f.Rule != "" {
		t.Errorf("initial evaluation: %+v", f)
	}
	obj := suivi.Field("objectifs").Item
	if id := obj.Field("id"); id.Required != Always || id.Pattern == "" {
		t.Errorf("objective id: %+v", id)
	}
	for _, k := range []string{"intitule", "indicateur", "echeance"} {
		if obj.Field(k).Required != Optional {
			t.Errorf("objective %s must not be schema-required", k)
		}
	}
	if m := obj.Field("actions").Item.Field("fait"); m.Kind != KindBoolean {
		t.Errorf("fait: %+v", m)
	}
	if d := suivi.Field("derogations").Item; d.Field("motif").Required != Optional || d.Field("regle").Required != Always {
		t.Error("derogation motif must be left to derogation-sans-motif")
	}

	co, _ := r.Lookup("co-elaboration")
	if f := co.Field("objectifs"); f.Required != Final || !f.NonEmpty || f.Item == nil {
		t.Errorf("co-elaboration objectifs: %+v", f)
	}
	ct, _ := r.Lookup("contractualisation")
	for _, k := range []string{"signe_le", "signataires"} {
		if f := ct.Field(k); f.Rule != "contrat-non-signe" || f.Required != Final {
			t.Errorf("%s: %+v", k, f)
		}
	}
	if f := ct.Field("engagements").Field("beneficiaire"); f.Kind != KindList || !f.NonEmpty || f.Item.Kind != KindText {
		t.Errorf("engagements.beneficiaire: %+v", f)
	}
	in, _ := r.Lookup("entretien-initial")
	if f := in.Field("information_rgpd"); f.Rule != "information-rgpd" || f.Kind != KindDate {
		t.Errorf("information_rgpd: %+v", f)
	}
	diag, _ := r.Lookup("entretien-diagnostic")
	fr := diag.Field("freins")
	if len(fr.Fields) != 8 || !fr.Closed || *fr.Field("sante").Max != 3 {
		t.Errorf("freins: %+v", fr)
	}
	bilan, _ := r.Lookup("entretien-bilan")
	if f := bilan.Field("satisfaction"); *f.Min != 1 || *f.Max != 4 || f.Required != Final {
		t.Errorf("satisfaction: %+v", f)
	}
	if f := bilan.Field("relance"); f.Rule != "absence-sans-relance" || f.RequiredIf == nil {
		t.Errorf("relance: %+v", f)
	}

	fiche := r.Fiche()
	if f := fiche.Field("date_sortie"); f.RequiredIf == nil || !slices.Equal(f.RequiredIf.Values, []string{"termine", "abandon"}) {
		t.Errorf("date_sortie: %+v", f)
	}
	if fiche.Field("derogations") == nil {
		t.Error("the fiche must accept derogations (cloture-sans-bilan, conservation point at it)")
	}
}

func TestSections(t *testing.T) {
	r := Builtin()
	want := map[string][]string{
		"entretien-initial":    {"Introduction", "Déroulement", "Attentes du bénéficiaire", "Présentation du dispositif", "Objectifs à court et moyen terme", "Conclusion"},
		"entretien-diagnostic": {"Introduction", "Déroulement", "Compétences", "Freins", "Moteurs et ressources", "Adaptations", "Conclusion"},
		"co-elaboration":       {"Introduction", "Déroulement", "Plan d'action", "Conclusion"},
		"contractualisation":   {"Introduction", "Déroulement", "Engagements du bénéficiaire", "Engagements du formateur", "Ressources mobilisées", "Conclusion"},
		"entretien-suivi":      {"Introduction", "Déroulement", "Avancement des objectifs", "Ajustements", "Conclusion"},
		"entretien-bilan":      {"Introduction", "Déroulement", "Acquis", "Évaluation", "Perspectives", "Conclusion"},
	}
	for name, titles := range want {
		ty, _ := r.Lookup(name)
		var got []string
		for _, s := range ty.Sections {
			got = append(got, s.Title)
			if s.Prompt == "" {
				t.Errorf("%s/%s: no prompt", name, s.Title)
			}
		}
		if !slices.Equal(got, titles) {
			t.Errorf("%s sections = %v", name, got)
		}
	}
	ini, _ := r.Lookup("entretien-initial")
	if a := ini.Sections[2].Aliases; !slices.Contains(a, "Attentes de la bénéficiaire") {
		t.Errorf("aliases of %s: %v", ini.Sections[2].Title, a)
	}
	for _, s := range r.Fiche().Sections {
		if !s.Optional {
			t.Errorf("fiche section %s should be optional", s.Title)
		}
	}
}

// doc builds Scalars from a map.
func doc(kv map[string]string) Scalars {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestRequires(t *testing.T) {
	r := Builtin()
	suivi, _ := r.Lookup("entretien-suivi")
	eval := suivi.Field("evaluation")
	relance := suivi.Field("relance")
	obj := suivi.Field("objectif_entretien")
	cases := []struct {
		name                  string
		kv                    map[string]string
		eval, relance, objReq bool
		sections              int
	}{
		{"draft", map[string]string{"statut": "brouillon"}, false, false, true, 5},
		{"final held", map[string]string{"statut": "finalise"}, true, false, true, 5},
		{"final present", map[string]string{"statut": "finalise", "presence": "present"}, true, false, true, 5},
		{"final absent", map[string]string{"statut": "finalise", "presence": "absent"}, false, true, true, 0},
		{"draft absent", map[string]string{"statut": "brouillon", "presence": "absent"}, false, true, true, 0},
		{"final excused", map[string]string{"statut": "finalise", "presence": "excuse"}, false, false, true, 0},
	}
	for _, c := range cases {
		v := doc(c.kv)
		if got := suivi.Requires(eval, v); got != c.eval {
			t.Errorf("%s: evaluation required = %v", c.name, got)
		}
		if got := suivi.Requires(relance, v); got != c.relance {
			t.Errorf("%s: relance required = %v", c.name, got)
		}
		if got := suivi.Requires(obj, v); got != c.objReq {
			t.Errorf("%s: objectif_entretien required = %v", c.name, got)
		}
		if got := len(suivi.RequiredSections(v)); got != c.sections {
			t.Errorf("%s: %d sections required", c.name, got)
		}
	}

	diag, _ := r.Lookup("entretien-diagnostic")
	var adapt Section
	for _, s := range diag.Sections {
		if s.Title == "Adaptations" {
			adapt = s
		}
	}
	if adapt.If == nil || adapt.If.Key != "besoin_compensation" {
		t.Fatalf("Adaptations: %+v", adapt)
	}
	if diag.RequiresSection(adapt, doc(map[string]string{"statut": "brouillon"})) {
		t.Error("Adaptations required without besoin_compensation")
	}
	if !diag.RequiresSection(adapt, doc(map[string]string{"besoin_compensation": "true"})) {
		t.Error("Adaptations not required with besoin_compensation: true")
	}
	if !diag.RequiresSection(adapt, doc(map[string]string{"besoin_compensation": "True"})) {
		t.Error("YAML True is true")
	}

	fiche := r.Fiche()
	ds, ms := fiche.Field("date_sortie"), fiche.Field("motif_sortie")
	for statut, want := range map[string][2]bool{
		"en-cours": {false, false}, "suspendu": {false, false}, "termine": {true, false}, "abandon": {true, true},
	} {
		v := doc(map[string]string{"statut": statut})
		if fiche.Requires(ds, v) != want[0] || fiche.Requires(ms, v) != want[1] {
			t.Errorf("fiche %s: date_sortie %v motif_sortie %v", statut, fiche.Requires(ds, v), fiche.Requires(ms, v))
		}
	}
	if got := ds.RequirementText(); got != "si statut : termine ou abandon" {
		t.Errorf("RequirementText = %q", got)
	}
	if got := eval.RequirementText(); got != "une fois finalisé" {
		t.Errorf("RequirementText = %q", got)
	}
	if got := suivi.Field("evaluation").Field("autonomie").Expected(); got != "un entier de 1 à 4" {
		t.Errorf("Expected = %q", got)
	}
}

func TestLoadMissingDir(t *testing.T) {
	r, err := Load(filepath.Join(t.TempDir(), ".acc"))
	if err != nil {
		t.Fatal(err)
	}
	if r != Builtin() {
		t.Error("a missing .acc should give the built-in registry")
	}
	// An empty .acc too.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "types"), 0o755)
	if r, err := Load(dir); err != nil || r != Builtin() {
		t.Errorf("empty .acc: %v", err)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
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

func TestLoadOverrides(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// A new type, with its own template.
		"types/atelier-collectif.yaml": `nom: atelier-collectif
libelle: Atelier collectif
phase: accompagnement
objectif: "Travailler en groupe une compétence transversale."
sections:
  - titre: Thème
    consigne: Le thème de l'atelier.
  - titre: Participation
champs:
  theme: { type: texte, requis: finalise }
  nombre_participants: { type: entier, min: 1 }
`,
		"templates/atelier-collectif.md": `---
type: {{.Type.Name}}
beneficiaire: {{yaml .Beneficiaire}}
date: {{.Date}}
formateur: {{yaml .Formateur}}
statut: brouillon
objectif_entretien: {{yaml .Type.Purpose}}
# theme: ""
---

# Atelier — {{.Beneficiaire}}

## Introduction

## Thème

{{section (index .Type.Sections 2)}}
`,
		// A new type without template: the generic one.
		"types/entretien-tripartite.yaml": `nom: entretien-tripartite
libelle: Entretien tripartite
phase: accompagnement
objectif: Faire le point avec l'entreprise d'accueil.
sections: [Point entreprise]
`,
		// Completing a built-in: one more section and key, same template.
		"types/entretien-suivi.yaml": `nom: entretien-suivi
base: entretien-suivi
description: Notre suivi, avec un point emploi.
sections:
  - titre: Point emploi
    consigne: Candidatures envoyées, entretiens d'embauche.
  - titre: Introduction
    consigne: Notre introduction maison.
champs:
  candidatures: { type: entier, min: 0 }
  evaluation:
    description: Évaluation obligatoire dans notre centre.
`,
		// A type based on another one.
		"types/suivi-renforce.yaml": `nom: suivi-renforce
libelle: Suivi renforcé
base: entretien-suivi
champs:
  motif_renforcement: { type: texte, requis: finalise }
`,
		// The fiche, completed.
		"types/fiche.yaml": `nom: fiche
champs:
  prescripteur: { type: choix, valeurs: [france-travail, mission-locale, cap-emploi, autre] }
`,
		"types/README.md":    "ignored",
		"types/.hidden.yaml": "nom: [broken",
	})
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ty := range r.Types() {
		names = append(names, ty.Name)
	}
	want := append(slices.Clone(builtinOrder), "atelier-collectif", "entretien-tripartite", "suivi-renforce")
	if !slices.Equal(names, want) {
		t.Errorf("Types() = %v", names)
	}
	at, ok := r.Lookup("atelier-collectif")
	if !ok || at.Rank != 7 || at.Builtin || at.Source == "" || !strings.HasSuffix(at.TemplateSource, "atelier-collectif.md") {
		t.Fatalf("atelier-collectif: %+v", at)
	}
	if at.Field("formateur") == nil || at.Field("theme") == nil || at.Fields[len(at.Fields)-1].Key != "nombre_participants" {
		t.Error("custom type fields: common keys first, then its own")
	}
	if got := []string{at.Sections[2].Title, at.Sections[3].Title, at.Sections[4].Title}; !slices.Equal(got, []string{"Thème", "Participation", "Conclusion"}) {
		t.Errorf("sections %v", got)
	}
	out, err := r.Render("atelier-collectif", sampleData()[0])
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	// Missing required headings are appended; the ones written are kept once.
	for _, h := range []string{"## Déroulement", "## Participation", "## Conclusion"} {
		if !strings.Contains(s, "\n"+h+"\n") {
			t.Errorf("rendered atelier lacks %s:\n%s", h, s)
		}
	}
	if strings.Count(s, "## Thème") != 2 || strings.Count(s, "## Introduction") != 1 {
		t.Errorf("rendered atelier:\n%s", s)
	}

	tri, _ := r.Lookup("entretien-tripartite")
	if tri.TemplateSource != "" {
		t.Errorf("tripartite template %q", tri.TemplateSource)
	}
	out, err = r.Render("entretien-tripartite", sampleData()[1])
	if err != nil || !strings.Contains(string(out), "## Point entreprise") {
		t.Errorf("tripartite: %v\n%s", err, out)
	}

	suivi, _ := r.Lookup("entretien-suivi")
	if suivi.Builtin || suivi.Rank != 5 || suivi.Label != "Entretien de suivi" || suivi.Description != "Notre suivi, avec un point emploi." {
		t.Errorf("suivi: %+v", suivi)
	}
	var titles []string
	for _, s := range suivi.Sections {
		titles = append(titles, s.Title)
	}
	if !slices.Equal(titles, []string{"Introduction", "Déroulement", "Avancement des objectifs", "Ajustements", "Point emploi", "Conclusion"}) {
		t.Errorf("suivi sections %v", titles)
	}
	if suivi.Sections[0].Prompt != "Notre introduction maison." {
		t.Errorf("intro prompt %q", suivi.Sections[0].Prompt)
	}
	ev := suivi.Field("evaluation")
	if ev.Required != Final || ev.Rule != "evaluation-manquante" || ev.Description != "Évaluation obligatoire dans notre centre." || len(ev.Fields) != 2 {
		t.Errorf("refined evaluation: %+v", ev)
	}
	out, err = r.Render("entretien-suivi", sampleData()[1])
	if err != nil || !strings.Contains(string(out), "## Point emploi\n\n<!-- Candidatures envoyées, entretiens d'embauche. -->") {
		t.Errorf("suivi: %v\n%s", err, out)
	}
	ren, _ := r.Lookup("suivi-renforce")
	if ren.Phase != "accompagnement" || ren.Purpose != suivi.Purpose || ren.Field("candidatures") == nil || ren.Field("motif_renforcement") == nil {
		t.Errorf("suivi-renforce: %+v", ren)
	}
	out, err = r.Render("suivi-renforce", sampleData()[1])
	if err != nil || !strings.Contains(string(out), "type: suivi-renforce\n") || !strings.Contains(string(out), "suivi_objectifs:") {
		t.Errorf("suivi-renforce uses its base's template: %v\n%s", err, out)
	}

	if f := r.Fiche().Field("prescripteur"); f == nil || r.Fiche().Field("statut") == nil {
		t.Error("fiche override must complete the built-in fiche")
	}
	// The built-in registry is untouched.
	if _, ok := Builtin().Lookup("atelier-collectif"); ok {
		t.Error("Load changed Builtin()")
	}
	if b, _ := Builtin().Lookup("entretien-suivi"); len(b.Sections) != 5 || !b.Builtin {
		t.Error("Load changed the built-in suivi")
	}
}

func TestLoadErrors(t *testing.T) {
	suivi := "nom: entretien-collectif\nlibelle: Collectif\nphase: accompagnement\nobjectif: Un objectif.\n"
	cases := []struct {
		name  string
		files map[string]string
		path  string // suffix of the error's path
		line  int
		want  string
	}{
		{"bad yaml", map[string]string{"types/a.yaml": "nom: a\nlibelle: [A\n"}, "types/a.yaml", 0, "YAML illisible"},
		{"tab", map[string]string{"types/a.yaml": "nom: a\n\tlibelle: A\n"}, "types/a.yaml", 2, "YAML illisible"},
		{"unknown key", map[string]string{"types/entretien-collectif.yaml": "nom: entretien-collectif\nlibele: Collectif\n"}, "entretien-collectif.yaml", 2, "vouliez-vous dire « libelle »"},
		{"file name", map[string]string{"types/collectif.yaml": suivi}, "types/collectif.yaml", 1, "diffère du nom du fichier"},
		{"no nom", map[string]string{"types/a.yaml": "libelle: A\n"}, "types/a.yaml", 1, "« nom » manquante"},
		{"bad phase", map[string]string{"types/entretien-collectif.yaml": strings.Replace(suivi, "phase: accompagnement", "phase: acompagnement", 1)}, "entretien-collectif.yaml", 3, "vouliez-vous dire « accompagnement »"},
		{"no phase", map[string]string{"types/entretien-collectif.yaml": strings.Replace(suivi, "phase: accompagnement\n", "", 1)}, "entretien-collectif.yaml", 1, "« phase » manquante"},
		{"unknown kind", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: chaine\n"}, "entretien-collectif.yaml", 7, "type de champ « chaine » inconnu"},
		{"kind typo", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  ok: { type: booléen }\n"}, "entretien-collectif.yaml", 6, "« booleen »"},
		{"bad requis", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: texte\n    requis: peut-etre\n"}, "entretien-collectif.yaml", 8, "non, oui ou finalise"},
		{"field attr typo", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: choix\n    valeur: [a, b]\n"}, "entretien-collectif.yaml", 8, "vouliez-vous dire « valeurs »"},
		{"attr for other kind", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: texte\n    min: 1\n"}, "entretien-collectif.yaml", 8, "ne s'applique pas à un champ de type texte"},
		{"value label typo", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: choix\n    valeurs: [{ valeur: a, libele: A }]\n"}, "entretien-collectif.yaml", 8, "vouliez-vous dire « libelle »"},
		{"value label on two lines", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: choix\n    valeurs: [{ valeur: a, libelle: \"A\\nB\" }]\n"}, "entretien-collectif.yaml", 8, "sans caractère de contrôle"},
		{"field label with escape", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: texte\n    libelle: \"Lieu\\e[31m\"\n"}, "entretien-collectif.yaml", 8, "sans caractère de contrôle"},
		{"type label with bidi", map[string]string{"types/entretien-collectif.yaml": strings.Replace(suivi, "libelle: Collectif", "libelle: \"Coll\\u202Eectif\"", 1)}, "entretien-collectif.yaml", 2, "sans caractère de contrôle"},
		{"value without valeur", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: choix\n    valeurs: [{ libelle: A }]\n"}, "entretien-collectif.yaml", 8, "valeur sans « valeur »"},
		{"level out of bounds", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu:\n    type: entier\n    max: 3\n    valeurs: [{ valeur: 5, libelle: x }]\n"}, "entretien-collectif.yaml", 9, "valeur « 5 » impossible"},
		{"choix without values", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu: choix\n"}, "entretien-collectif.yaml", 6, "« valeurs » manquant"},
		{"protected", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  statut: { type: texte }\n"}, "entretien-collectif.yaml", 6, "ne peut pas être redéfini"},
		{"condition key", map[string]string{"types/entretien-collectif.yaml": suivi + "sections:\n  - titre: Stage\n    si: { stagee: true }\n"}, "entretien-collectif.yaml", 7, "n'est pas un champ"},
		{"condition value", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu: { type: texte, requis_si: { presence: absente } }\n"}, "entretien-collectif.yaml", 6, "valeur « absente » est impossible"},
		{"rule", map[string]string{"types/entretien-collectif.yaml": suivi + "champs:\n  lieu: { type: texte, regle: contrat-non-signé }\n"}, "entretien-collectif.yaml", 6, "vouliez-vous dire « contrat-non-signe »"},
		{"duplicate key", map[string]string{"types/entretien-collectif.yaml": suivi + "libelle: B\n"}, "entretien-collectif.yaml", 5, "en double"},
		{"bad alias", map[string]string{"types/entretien-collectif.yaml": suivi + "sections:\n  - titre: Stage\n    alias: [Stages, \"# Stage\"]\n"}, "entretien-collectif.yaml", 7, "« alias »"},
		{"duplicate section", map[string]string{"types/entretien-collectif.yaml": suivi + "sections: [Stage, \"1. stage :\"]\n"}, "entretien-collectif.yaml", 5, "section « 1. stage : » en double"},
		{"unknown base", map[string]string{"types/entretien-collectif.yaml": suivi + "base: entretien-suvi\n"}, "entretien-collectif.yaml", 5, "vouliez-vous dire « entretien-suivi »"},
		{"cycle", map[string]string{
			"types/aa.yaml": "nom: aa\nlibelle: A\nphase: accueil\nobjectif: o\nbase: bb\n",
			"types/bb.yaml": "nom: bb\nlibelle: B\nphase: accueil\nobjectif: o\nbase: aa\n"}, "types/aa.yaml", 5, "héritage circulaire"},
		{"phase of built-in", map[string]string{"types/entretien-bilan.yaml": "nom: entretien-bilan\nbase: entretien-bilan\nphase: accueil\n"}, "entretien-bilan.yaml", 3, "la phase d'un type intégré ne change pas"},
		{"stage section", map[string]string{"types/entretien-suivi.yaml": "nom: entretien-suivi\nbase: entretien-suivi\nsections:\n  - titre: Conclusion\n    facultative: true\n"}, "entretien-suivi.yaml", 4, "exigée pour tout entretien"},
		{"yml", map[string]string{"types/a.yml": "nom: a\n"}, "types/a.yml", 0, "renommez le fichier en a.yaml"},
		{"reserved", map[string]string{"types/entretien.yaml": "nom: entretien\n"}, "types/entretien.yaml", 1, "mot réservé"},
		{"template of unknown type", map[string]string{"templates/entretien-suvi.md": "x"}, "templates/entretien-suvi.md", 0, "vouliez-vous dire entretien-suivi.md"},
		{"template syntax", map[string]string{"templates/entretien-suivi.md": "---\ntype: {{.Type.Name}}\n{{if .Suivi}}\n---\n"}, "templates/entretien-suivi.md", 0, "modèle incorrect"},
		{"template field", map[string]string{"templates/entretien-suivi.md": "---\ntype: {{.Type.Name}}\n\ndate: {{.Dat}}\n---\n"}, "templates/entretien-suivi.md", 4, "modèle incorrect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, c.files))
			var le *poserr.Error
			if !errors.As(err, &le) {
				t.Fatalf("want *poserr.Error, got %v", err)
			}
			if !strings.HasSuffix(filepath.ToSlash(le.Path), c.path) {
				t.Errorf("path %q, want …%s", le.Path, c.path)
			}
			if c.line != 0 && le.Line != c.line {
				t.Errorf("line %d, want %d (%v)", le.Line, c.line, err)
			}
			if !strings.Contains(le.Err.Error(), c.want) {
				t.Errorf("message %q lacks %q", le.Err.Error(), c.want)
			}
			if !strings.Contains(err.Error(), le.Path) {
				t.Errorf("Error() %q lacks the path", err.Error())
			}
		})
	}
}

// Values may carry the French name reports give them: a choix's values,
// an integer's levels; a plain value has none.
func TestValueLabels(t *testing.T) {
	r := Builtin()
	suivi, _ := r.Lookup("entretien-suivi")
	if p := suivi.Field("presence"); p.ValueLabels["present"] != "Tenu" || !slices.Equal(p.Values, []string{"present", "absent", "excuse"}) {
		t.Errorf("presence: %v %v", p.Values, p.ValueLabels)
	}
	if st := suivi.Field("suivi_objectifs").Item.Field("statut"); st.ValueLabels["abandonne"] != "Abandonné" {
		t.Errorf("objective statut: %v", st.ValueLabels)
	}
	diag, _ := r.Lookup("entretien-diagnostic")
	for _, f := range diag.Field("freins").Fields {
		if f.ValueLabels["3"] != "bloquant" || len(f.Values) != 0 {
			t.Errorf("freins.%s: levels %v, values %v", f.Key, f.ValueLabels, f.Values)
		}
	}
	if r.Fiche().Field("statut").ValueLabels["termine"] != "Terminé" {
		t.Error("fiche statut labels")
	}
	reg, err := Load(writeFiles(t, map[string]string{"types/atelier.yaml": "nom: atelier\nlibelle: Atelier\nphase: accompagnement\nobjectif: o\n" +
		"champs:\n  format:\n    type: choix\n    valeurs: [groupe, { valeur: individuel, libelle: Seul à seul }]\n"}))
	if err != nil {
		t.Fatal(err)
	}
	at, _ := reg.Lookup("atelier")
	if f := at.Field("format"); !slices.Equal(f.Values, []string{"groupe", "individuel"}) || len(f.ValueLabels) != 1 || f.ValueLabels["individuel"] != "Seul à seul" {
		t.Errorf("format: %v %v", f.Values, f.ValueLabels)
	}
}

// The rule table is data, read once: every rule has an id, a default, a
// summary and help; only donnee-sensible cannot be waived.
func TestRules(t *testing.T) {
	rules := Rules()
	if len(rules) < 29 || rules[0].ID != "frontmatter-invalide" {
		t.Fatalf("rules: %d, first %+v", len(rules), rules[0])
	}
	for _, r := range rules {
		if r.Summary == "" || r.Help == "" || r.Waivable != (r.ID != "donnee-sensible") {
			t.Errorf("rule %+v", r)
		}
	}
	if !contains(ruleIDs(), "premier-entretien") {
		t.Error("premier-entretien missing")
	}
}
