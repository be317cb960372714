package templates

import (
	"fmt"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/textkey"
)

// commonBaseName is the base every interview type inherits from: the keys
// and sections of types/_entretien.yaml.
const commonBaseName = "entretien"

// builtinOrder is the methodology order of DESIGN §1.
var builtinOrder = []string{
	"entretien-initial", "entretien-diagnostic", "co-elaboration",
	"contractualisation", "entretien-suivi", "entretien-bilan",
}

// Keys an organisation's definition may not redefine: acc writes them itself
// and its rules depend on their meaning.
var (
	protectedInterviewKeys = []string{"type", "beneficiaire", "date", "formateur", "statut", "presence"}
	protectedFicheKeys     = []string{"type", "id", "prenom", "nom", "date_entree", "formateur_referent", "statut"}
	stageSections          = []string{"introduction", "deroulement", "conclusion"}
)

// Attributes each kind accepts besides the generic ones.
var (
	genericAttrs = []string{"type", "libelle", "requis", "requis_si", "regle", "description"}
	kindAttrs    = map[Kind][]string{
		KindText:    {"expression", "non_vide", "defaut"},
		KindDate:    {"defaut"},
		KindInteger: {"min", "max", "defaut", "valeurs"},
		KindBoolean: {"defaut"},
		KindChoice:  {"valeurs", "defaut"},
		KindList:    {"element", "non_vide"},
		KindObject:  {"champs", "autres"},
	}
)

// resolver turns definitions into Types, applying inheritance.
type resolver struct {
	common      *Type
	builtinDefs map[string]*typeDef
	defs        map[string]*typeDef // effective: overrides replace built-ins
	done        map[*typeDef]*Type
	busy        map[*typeDef]bool
}

// pendingCond is a condition created from a definition, checked once the
// type's top-level fields are known.
type pendingCond struct {
	c    *Condition
	spec *condSpec
}

func newResolver(common *typeDef, builtinDefs, defs map[string]*typeDef) (*resolver, error) {
	r := &resolver{builtinDefs: builtinDefs, defs: defs, done: map[*typeDef]*Type{}, busy: map[*typeDef]bool{}}
	c, err := r.build(common, &Type{Name: commonBaseName, Interview: true, Builtin: true}, nil)
	if err != nil {
		return nil, err
	}
	r.common = c
	return r, nil
}

func (r *resolver) resolve(d *typeDef) (*Type, error) {
	if t, ok := r.done[d]; ok {
		return t, nil
	}
	p := &parser{path: d.path}
	if r.busy[d] {
		return nil, p.errAt(d.base.node, "héritage circulaire : le type « %s » dépend de lui-même par « base »", d.name)
	}
	r.busy[d] = true
	defer delete(r.busy, d)

	var base *Type
	baseName := ""
	var err error
	if d.name == ficheTypeName {
		base, err = r.ficheBase(d, p)
	} else {
		base, baseName, err = r.interviewBase(d, p)
	}
	if err != nil {
		return nil, err
	}
	t := newType(d, base, base != nil && base != r.common, baseName)
	if err := r.checkHeader(d, t, p); err != nil {
		return nil, err
	}
	if _, err := r.build(d, t, base); err != nil {
		return nil, err
	}
	r.done[d] = t
	return t, nil
}

// ficheBase resolves what the fiche d completes: the built-in fiche for the
// repository's fiche.yaml, nothing for the built-in one.
func (r *resolver) ficheBase(d *typeDef, p *parser) (*Type, error) {
	if d.base.set {
		return nil, p.errAt(d.base.key, "la fiche n'a pas de « base » : fiche.yaml complète toujours la fiche intégrée")
	}
	if d.phase.set {
		return nil, p.errAt(d.phase.key, "la fiche n'a pas de « phase » : seuls les entretiens en ont une")
	}
	if d.builtin {
		return nil, nil
	}
	return r.resolve(r.builtinDefs[d.name])
}

// interviewBase resolves the type the interview type d inherits from and
// returns it with its name: the common base by default, the built-in type
// of the same name when d completes it, else another interview type.
func (r *resolver) interviewBase(d *typeDef, p *parser) (*Type, string, error) {
	baseName := commonBaseName
	if d.base.set {
		baseName = d.base.val
	}
	switch {
	case baseName == commonBaseName:
		return r.common, baseName, nil
	case baseName == d.name:
		if d.builtin || r.builtinDefs[d.name] == nil {
			return nil, "", p.errAt(d.base.node, "un type ne peut hériter de lui-même que pour compléter le type intégré du même nom ; « %s » n'en est pas un", d.name)
		}
	case baseName == ficheTypeName:
		return nil, "", p.errAt(d.base.node, "un entretien ne peut pas hériter de la fiche ; « base » vaut « entretien » ou le nom d'un type d'entretien")
	case r.defs[baseName] == nil:
		names := append([]string{commonBaseName}, sortedKeys(r.defs)...)
		msg := fmt.Sprintf("base « %s » inconnue", baseName)
		if s := textkey.Suggest(baseName, names); s != "" {
			msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", s)
		} else {
			msg += " ; « base » vaut « entretien » ou le nom d'un type d'entretien"
		}
		return nil, "", p.errAt(d.base.node, "%s", msg)
	}
	b, err := r.resolve(r.baseDef(d))
	if err != nil {
		return nil, "", err
	}
	return b, baseName, nil
}

// newType starts d's Type: its label, phase, purpose and description are
// d's own, else the base's when inherit (the common base has none).
func newType(d *typeDef, base *Type, inherit bool, baseName string) *Type {
	t := &Type{Name: d.name, Interview: d.name != ficheTypeName, Builtin: d.builtin, Base: baseName, PhaseRank: -1}
	if !d.builtin {
		t.Source = d.path
	}
	if inherit {
		t.Label, t.Phase, t.Purpose, t.Description = base.Label, base.Phase, base.Purpose, base.Description
	}
	for _, o := range []struct {
		o   opt
		dst *string
	}{{d.label, &t.Label}, {d.phase, &t.Phase}, {d.purpose, &t.Purpose}, {d.description, &t.Description}} {
		if o.o.set {
			*o.dst = o.o.val
		}
	}
	return t
}

// checkHeader requires a label of every type and, of an interview type, a
// known phase (the built-in one when it completes a built-in type) and a
// purpose; it sets the interview type's PhaseRank.
func (r *resolver) checkHeader(d *typeDef, t *Type, p *parser) error {
	if t.Label == "" {
		return r.missing(d, d.label, "libelle", "le libellé affiché, par exemple « Entretien collectif »")
	}
	if !t.Interview {
		return nil
	}
	ph, ok := phaseByName(t.Phase)
	if !ok {
		if !d.phase.set {
			return r.missing(d, d.phase, "phase", "accueil, construction ou accompagnement")
		}
		msg := fmt.Sprintf("phase « %s » inconnue : accueil, construction ou accompagnement", t.Phase)
		if s := textkey.Suggest(t.Phase, []string{"accueil", "construction", "accompagnement"}); s != "" {
			msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", s)
		}
		return p.errAt(d.phase.node, "%s", msg)
	}
	t.PhaseRank = ph.Rank
	if bd := r.builtinDefs[d.name]; !d.builtin && bd != nil && bd.phase.val != t.Phase {
		return p.errAt(d.phase.node, "la phase d'un type intégré ne change pas : « %s » est de la phase %s", d.name, bd.phase.val)
	}
	if t.Purpose == "" {
		return r.missing(d, d.purpose, "objectif", "l'objectif de l'entretien en une phrase, repris dans objectif_entretien")
	}
	return nil
}

func (r *resolver) missing(d *typeDef, o opt, key, what string) error {
	line, col := 1, 1
	if d.nameKey != nil {
		line, col = d.nameKey.Line, d.nameKey.Column
	}
	if o.set && o.node != nil {
		line, col = o.node.Line, o.node.Column
	}
	return poserr.At(d.path, line, col, "clé « %s » manquante ou vide : %s", key, what)
}

// build fills t's fields and sections from d on top of base.
func (r *resolver) build(d *typeDef, t *Type, base *Type) (*Type, error) {
	p := &parser{path: d.path}
	var pending []pendingCond
	var protected []string
	if !d.builtin {
		protected = protectedInterviewKeys
		if !t.Interview {
			protected = protectedFicheKeys
		}
	}
	var baseFields []*Field
	var baseSections []Section
	if base != nil {
		baseFields, baseSections = base.Fields, base.Sections
	}
	fields, err := mergeFields(p, baseFields, d.fields, protected, &pending)
	if err != nil {
		return nil, err
	}
	// The type key takes exactly the type's own name.
	if i := slices.IndexFunc(fields, func(f *Field) bool { return f.Key == keyType }); i >= 0 {
		f := fields[i].clone()
		f.Kind, f.Values, f.Pattern = KindChoice, []string{t.Name}, ""
		fields[i] = f
	}
	t.Fields = fields

	secs := slices.Clone(baseSections)
	insert := len(secs)
	if t.Interview {
		if i := slices.IndexFunc(secs, func(s Section) bool { return textkey.Heading(s.Title) == "conclusion" }); i >= 0 {
			insert = i
		}
	}
	for _, s := range d.sections {
		k := textkey.Heading(s.title)
		i := slices.IndexFunc(secs, func(x Section) bool { return textkey.Heading(x.Title) == k })
		var sec Section
		if i >= 0 {
			sec = secs[i]
		} else {
			sec = Section{Title: s.title}
		}
		if s.prompt.set {
			sec.Prompt = s.prompt.val
		}
		if s.aliases != nil {
			sec.Aliases = s.aliases
		}
		if s.cond != nil {
			sec.If = &Condition{Key: s.cond.key, Values: s.cond.values}
			pending = append(pending, pendingCond{sec.If, s.cond})
		}
		if s.optional.set {
			sec.Optional = s.optional.val == "true"
		}
		if !d.builtin && t.Interview && slices.Contains(stageSections, k) && (sec.Optional || sec.If != nil) {
			return nil, p.errAt(s.node, "la section « %s » est exigée pour tout entretien : elle ne peut être ni facultative ni conditionnelle", s.title)
		}
		if i >= 0 {
			secs[i] = sec
		} else {
			secs = slices.Insert(secs, insert, sec)
			insert++
		}
	}
	t.Sections = secs

	for _, pc := range pending {
		if err := checkCondition(p, t, pc); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkCondition verifies that a condition names a scalar top-level key of t
// with values it can take, and records that key's default.
func checkCondition(p *parser, t *Type, pc pendingCond) error {
	f := t.Field(pc.spec.key)
	if f == nil {
		keys := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			keys[i] = f.Key
		}
		msg := fmt.Sprintf("condition sur « %s », qui n'est pas un champ du type", pc.spec.key)
		if s := textkey.Suggest(pc.spec.key, keys); s != "" {
			msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", s)
		}
		return p.errAt(pc.spec.keyNode, "%s", msg)
	}
	if !f.Kind.scalar() {
		return p.errAt(pc.spec.keyNode, "condition sur « %s » : seul un champ à valeur simple (choix, booleen, texte, entier, date) peut servir de condition", f.Key)
	}
	for i, v := range pc.spec.values {
		if err := checkScalar(f, v); err != "" {
			return p.errAt(pc.spec.nodes[i], "condition sur « %s » : la valeur « %s » est impossible (%s)", f.Key, v, err)
		}
	}
	pc.c.dflt = f.Default
	return nil
}

// checkScalar checks a scalar value written as text against a field; it
// returns "" or what was expected.
func checkScalar(f *Field, v string) string {
	switch f.Kind {
	case KindChoice:
		if !slices.Contains(f.Values, v) {
			return "attendu : " + f.Expected()
		}
	case KindBoolean:
		if v != "true" && v != "false" {
			return "attendu : true ou false"
		}
	case KindInteger:
		n, err := parseInt(v)
		if err != nil || f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
			return "attendu : " + f.Expected()
		}
	case KindDate:
		if !validDate(v) {
			return "attendu : une date AAAA-MM-JJ"
		}
	}
	return ""
}

func mergeFields(p *parser, base []*Field, specs []*fieldSpec, protected []string, pending *[]pendingCond) ([]*Field, error) {
	out := slices.Clone(base)
	for _, s := range specs {
		if slices.Contains(protected, s.key) {
			return nil, p.errAt(s.keyNode, "le champ « %s » est défini par acc et ne peut pas être redéfini", s.key)
		}
		i := slices.IndexFunc(out, func(f *Field) bool { return f.Key == s.key })
		var b *Field
		if i >= 0 {
			b = out[i]
		}
		f, err := mergeField(p, b, s, pending)
		if err != nil {
			return nil, err
		}
		if i >= 0 {
			out[i] = f
		} else {
			out = append(out, f)
		}
	}
	return out, nil
}

// mergeField applies a field definition on top of an inherited field (nil
// when new). A definition without type refines the inherited field; one with
// another type replaces it.
func mergeField(p *parser, base *Field, s *fieldSpec, pending *[]pendingCond) (*Field, error) {
	name := s.key
	if name == "" {
		name = "element"
	}
	f, base, err := startField(p, base, s, name)
	if err != nil {
		return nil, err
	}
	allowed := append(slices.Clone(genericAttrs), kindAttrs[f.Kind]...)
	for _, attr := range fieldKeys {
		k, ok := s.attrs[attr]
		if !ok {
			continue
		}
		if err := checkAttr(p, k, attr, allowed, f.Kind, s.key, name); err != nil {
			return nil, err
		}
		switch attr {
		case "element", "champs":
			if err := mergeChildren(p, f, base, s, attr, pending); err != nil {
				return nil, err
			}
		default:
			setAttr(f, s, attr, pending)
		}
	}
	if f.Kind == KindObject && base == nil && !s.has("autres") {
		f.Closed = len(f.Fields) > 0
	}
	if err := checkField(p, f, s, name); err != nil {
		return nil, err
	}
	return f, nil
}

// startField returns the field a definition starts from, with the base it
// refines: a copy of the inherited field, or a new field (and no base) when
// the definition gives another type.
func startField(p *parser, base *Field, s *fieldSpec, name string) (*Field, *Field, error) {
	if base != nil && (s.kind == "" || s.kind == base.Kind) {
		return base.clone(), base, nil
	}
	if s.kind == "" {
		return nil, nil, p.errAt(s.keyNode, "champ « %s » : « type » manquant (texte, date, entier, booleen, choix, liste ou objet)", name)
	}
	return &Field{Key: s.key, Kind: s.kind}, nil, nil
}

// checkAttr refuses an attribute the field's kind does not take, and the
// ones a list element (key "") leaves to its list.
func checkAttr(p *parser, k *yaml.Node, attr string, allowed []string, kind Kind, key, name string) error {
	if !slices.Contains(allowed, attr) {
		return p.errAt(k, "« %s » ne s'applique pas à un champ de type %s (champ « %s »)", attr, kind, name)
	}
	if key == "" && (attr == "requis" || attr == "requis_si" || attr == "regle" || attr == "defaut") {
		return p.errAt(k, "« %s » ne s'applique pas à un élément de liste : mettez-le sur la liste elle-même", attr)
	}
	return nil
}

// setAttr applies one of the definition's attributes that hold a value;
// a requis_si condition is checked later, once the type's fields are known.
func setAttr(f *Field, s *fieldSpec, attr string, pending *[]pendingCond) {
	switch attr {
	case "requis":
		f.Required = s.required
	case "requis_si":
		f.RequiredIf = &Condition{Key: s.requiredIf.key, Values: s.requiredIf.values}
		*pending = append(*pending, pendingCond{f.RequiredIf, s.requiredIf})
		if !s.has("requis") && f.Required == Optional {
			f.Required = Always
		}
	case "regle":
		f.Rule = s.rule
		if f.Rule == "champ-manquant" {
			f.Rule = ""
		}
	case "libelle":
		f.Label = s.label
	case "description":
		f.Description = s.description
	case "expression":
		f.Pattern = s.pattern
	case "defaut":
		f.Default = s.dflt
	case "valeurs":
		// An integer's valeurs name its levels; min and max bound it.
		if f.Kind == KindChoice {
			f.Values = slices.Clone(s.values)
		}
		f.ValueLabels = s.valueLabels
	case "min":
		f.Min = s.min
	case "max":
		f.Max = s.max
	case "non_vide":
		f.NonEmpty = s.nonEmpty
	case "autres":
		f.Closed = s.closed
	}
}

// mergeChildren merges a list's element ("element") or an object's fields
// ("champs") with the base's.
func mergeChildren(p *parser, f, base *Field, s *fieldSpec, attr string, pending *[]pendingCond) error {
	if attr == "element" {
		var bi *Field
		if base != nil {
			bi = base.Item
		}
		item, err := mergeField(p, bi, s.item, pending)
		if err != nil {
			return err
		}
		f.Item = item
		return nil
	}
	var bf []*Field
	if base != nil {
		bf = base.Fields
	}
	fs, err := mergeFields(p, bf, s.fields, nil, pending)
	if err != nil {
		return err
	}
	f.Fields = fs
	return nil
}

// checkField refuses a merged field that is incomplete or contradicts
// itself: a choix without values, a list without element, min above max,
// an integer level or a default its bounds or values exclude.
func checkField(p *parser, f *Field, s *fieldSpec, name string) error {
	switch {
	case f.Kind == KindChoice && len(f.Values) == 0:
		return p.errAt(s.keyNode, "champ « %s » de type choix : « valeurs » manquant (la liste des valeurs permises)", name)
	case f.Kind == KindList && f.Item == nil:
		return p.errAt(s.keyNode, "champ « %s » de type liste : « element » manquant (le type des éléments, par exemple element: texte)", name)
	case f.Min != nil && f.Max != nil && *f.Min > *f.Max:
		return p.errAt(s.keyNode, "champ « %s » : « min » dépasse « max »", name)
	}
	if f.Kind == KindInteger {
		for i, v := range s.values {
			if msg := checkScalar(f, v); msg != "" {
				return p.errAt(s.valueNodes[i], "valeur « %s » impossible pour le champ « %s » (%s)", v, name, msg)
			}
		}
	}
	if f.Default != "" {
		if msg := checkScalar(f, f.Default); msg != "" {
			return p.errAt(s.attrs["defaut"], "« defaut » impossible pour le champ « %s » (%s)", name, msg)
		}
	}
	return nil
}

// order sorts interview types in methodology order and numbers their ranks.
func order(types []*Type) {
	idx := func(t *Type) int {
		if i := slices.Index(builtinOrder, t.Name); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	sort.SliceStable(types, func(i, j int) bool {
		a, b := types[i], types[j]
		if a.PhaseRank != b.PhaseRank {
			return a.PhaseRank < b.PhaseRank
		}
		if ia, ib := idx(a), idx(b); ia != ib {
			return ia < ib
		}
		return a.Name < b.Name
	})
	for i, t := range types {
		t.Rank = i + 1
	}
}

// baseDef returns the definition d's template falls back to: its base type.
func (r *resolver) baseDef(d *typeDef) *typeDef {
	if d.name == ficheTypeName || !d.base.set || d.base.val == commonBaseName {
		return nil
	}
	if d.base.val == d.name {
		return r.builtinDefs[d.name]
	}
	return r.defs[d.base.val]
}
