package templates

import (
	"fmt"
	"strings"
)

// Kind is the kind of value a field holds. Its value is the French word used
// in definition files.
type Kind string

// The field kinds of the definition format.
const (
	KindText    Kind = "texte"   // a string
	KindDate    Kind = "date"    // YYYY-MM-DD
	KindInteger Kind = "entier"  // an integer, optionally bounded by Min and Max
	KindBoolean Kind = "booleen" // true or false
	KindChoice  Kind = "choix"   // one of Values
	KindList    Kind = "liste"   // a sequence of Item
	KindObject  Kind = "objet"   // a mapping of Fields
)

var kinds = []Kind{KindText, KindDate, KindInteger, KindBoolean, KindChoice, KindList, KindObject}

// scalar reports whether values of kind k are YAML scalars.
func (k Kind) scalar() bool { return k != KindList && k != KindObject }

// Requirement says when a field must be present.
type Requirement int

const (
	// Optional fields may be left out (unless RequiredIf says otherwise).
	Optional Requirement = iota
	// Always required ("requis: oui").
	Always
	// Final fields are required once the document is finalised and, for an
	// interview, was held ("requis: finalise").
	Final
)

// String returns the word used in definition files: non, oui, finalise.
func (r Requirement) String() string {
	switch r {
	case Always:
		return "oui"
	case Final:
		return "finalise"
	default:
		return "non"
	}
}

// MarshalText encodes the requirement as its definition-file word.
func (r Requirement) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Scalars gives the value of a document's top-level key as written in the
// YAML (booleans as "true"/"false") and whether the key is present with a
// scalar value. Casefile documents provide one; conditions and requirements
// are evaluated against it.
type Scalars func(key string) (value string, ok bool)

// Condition holds when a document's top-level Key has one of Values.
// Booleans are written "true"/"false".
type Condition struct {
	Key    string
	Values []string

	dflt string // the key's default value, used when the key is absent
}

// Holds reports whether the condition holds for a document. A nil condition
// always holds. An absent key takes its field's default (presence: present).
func (c *Condition) Holds(v Scalars) bool {
	if c == nil {
		return true
	}
	val, ok := lookup(v, c.Key)
	if !ok {
		if c.dflt == "" {
			return false
		}
		val = c.dflt
	}
	val = normBool(val)
	for _, want := range c.Values {
		if val == want {
			return true
		}
	}
	return false
}

// String describes the condition in French, e.g. "statut : termine ou abandon".
func (c *Condition) String() string {
	if c == nil {
		return ""
	}
	return c.Key + " : " + orList(c.Values)
}

// lookup calls v, which may be nil (a document with no scalar key).
func lookup(v Scalars, key string) (string, bool) {
	if v == nil {
		return "", false
	}
	return v(key)
}

func normBool(s string) string {
	switch {
	case strings.EqualFold(s, "true"):
		return "true"
	case strings.EqualFold(s, "false"):
		return "false"
	}
	return s
}

// Section is a level-2 heading a document of the type must have.
type Section struct {
	Title  string // as written in templates, e.g. "Moteurs et ressources"
	Prompt string // the guidance written under the heading as an HTML comment
	// Aliases are other titles accepted for the section ("alias" in the
	// type data): "Attentes de la bénéficiaire" for "Attentes du bénéficiaire".
	Aliases []string
	If      *Condition // required only when this holds (nil: always)
	// Optional sections are written by the template but never required
	// ("facultative: true"), e.g. the fiche's sections.
	Optional bool
}

// Field is a key a document may hold, or the shape of a list's items.
type Field struct {
	Key      string // "" for a list's Item
	Kind     Kind
	Required Requirement
	// RequiredIf, when set, restricts Required to documents where the
	// condition holds (fiche: date_sortie when statut is termine or abandon).
	RequiredIf *Condition
	// Rule is the rule id to report when the required key is missing; ""
	// means champ-manquant.
	Rule        string
	Values      []string // KindChoice: the allowed values
	Min, Max    *int     // KindInteger bounds, inclusive
	NonEmpty    bool     // KindList, KindText: empty counts as absent
	Item        *Field   // KindList: the items' shape
	Fields      []*Field // KindObject: the known sub-keys, in definition order
	Closed      bool     // KindObject: unknown sub-keys are flagged
	Pattern     string   // KindText: a Go regexp the whole value must match
	Label       string   // French, the key's name in reports ("Date d'entrée"); "" when not given
	Description string   // French, one or two sentences
	Default     string   // the value assumed when the key is absent ("" if none)
	// ValueLabels are the French names of values in reports (valeurs'
	// libelle: present → "Tenu"; an integer's levels: 0 → "aucun"); a
	// value without one is shown as written. Read-only.
	ValueLabels map[string]string
}

// Field returns the sub-field of an object field by key, or nil.
func (f *Field) Field(key string) *Field {
	if f == nil {
		return nil
	}
	for _, sub := range f.Fields {
		if sub.Key == key {
			return sub
		}
	}
	return nil
}

// Expected describes in French the value the field takes, for messages such
// as "attendu : un entier de 1 à 4".
func (f *Field) Expected() string {
	switch f.Kind {
	case KindDate:
		return "une date AAAA-MM-JJ"
	case KindInteger:
		switch {
		case f.Min != nil && f.Max != nil:
			return fmt.Sprintf("un entier de %d à %d", *f.Min, *f.Max)
		case f.Min != nil && *f.Min == 1:
			return "un entier positif"
		case f.Min != nil:
			return fmt.Sprintf("un entier supérieur ou égal à %d", *f.Min)
		case f.Max != nil:
			return fmt.Sprintf("un entier inférieur ou égal à %d", *f.Max)
		}
		return "un entier"
	case KindBoolean:
		return "true ou false"
	case KindChoice:
		if len(f.Values) == 1 {
			return f.Values[0]
		}
		return "une de ces valeurs : " + strings.Join(f.Values, ", ")
	case KindList:
		s := "une liste"
		if f.NonEmpty {
			s = "une liste non vide"
		}
		if f.Item != nil {
			switch f.Item.Kind {
			case KindObject:
				s += " d'éléments à clés"
			case KindText:
				s += " de textes"
			case KindDate:
				s += " de dates"
			default:
				s += " de « " + f.Item.Expected() + " »"
			}
		}
		return s
	case KindObject:
		if len(f.Fields) == 0 {
			return "un ensemble de clés"
		}
		keys := make([]string, len(f.Fields))
		for i, sub := range f.Fields {
			keys[i] = sub.Key
		}
		return "des clés parmi : " + strings.Join(keys, ", ")
	}
	if f.Pattern != "" {
		return "un texte de la forme " + f.Pattern
	}
	return "un texte"
}

// RequirementText describes in French when the field is required, for
// "acc types": "oui", "une fois finalisé", "si statut : termine ou abandon"…
func (f *Field) RequirementText() string {
	var s string
	switch f.Required {
	case Always:
		s = "oui"
	case Final:
		s = "une fois finalisé"
	default:
		return "non"
	}
	if f.RequiredIf != nil {
		if f.Required == Always {
			return "si " + f.RequiredIf.String()
		}
		s += ", si " + f.RequiredIf.String()
	}
	return s
}

func (f *Field) clone() *Field {
	c := *f
	return &c
}

// Phase is one of the three phases of the accompaniment (DESIGN §1).
type Phase struct {
	Name  string // accueil, construction, accompagnement
	Label string // "Accueil", "Construction du parcours", "Accompagnement"
	Rank  int    // 0, 1, 2
}

// Phases returns the three phases in order.
func Phases() []Phase {
	return []Phase{
		{"accueil", "Accueil", 0},
		{"construction", "Construction du parcours", 1},
		{"accompagnement", "Accompagnement", 2},
	}
}

func phaseByName(name string) (Phase, bool) {
	for _, p := range Phases() {
		if p.Name == name {
			return p, true
		}
	}
	return Phase{}, false
}

// PhaseLabel returns the French label of a phase name, or the name itself
// when it is not a phase.
func PhaseLabel(name string) string {
	if p, ok := phaseByName(name); ok {
		return p.Label
	}
	return name
}

// Keys whose meaning acc's own logic depends on.
const (
	keyType     = "type"
	keyStatus   = "statut"
	keyPresence = "presence"

	statusFinal   = "finalise"
	statusDraft   = "brouillon"
	presenceHeld  = "present"
	ficheTypeName = "fiche"
)

// Type is a document type: the fiche or an interview type.
type Type struct {
	Name        string // CLI name, e.g. "entretien-suivi"; "fiche" for the record sheet
	Label       string // "Entretien de suivi"
	Phase       string // accueil, construction, accompagnement; "" for the fiche
	Purpose     string // the default objectif_entretien, one sentence
	Description string // French, a few sentences for "acc types"
	PhaseRank   int    // 0 accueil, 1 construction, 2 accompagnement; -1 for the fiche
	// Rank is the methodology order: 1..6 for the built-in interviews in the
	// order of DESIGN §1 when no custom type is defined; custom types come
	// after the built-ins of their phase (by name) and the numbering is
	// renumbered to stay consecutive. 0 for the fiche. Documents of one date
	// are folded in this order.
	Rank      int
	Interview bool // false for the fiche
	Sections  []Section
	// Fields lists every key known to the type: for an interview, the common
	// keys first (type, beneficiaire, date, formateur, statut,
	// objectif_entretien, presence, relance, duree_minutes, modalite,
	// prochain_entretien, objectifs, suivi_objectifs, evaluation,
	// derogations; a type that refines one keeps its place), then the type's
	// own keys in the order of its definition file (base type's first).
	Fields  []*Field
	Builtin bool   // defined by acc, not overridden
	Base    string // "entretien", the base type's name, or "" (fiche)
	// Source is the definition file of an organisation's type ("" for a
	// built-in); TemplateSource the template file used ("" for a built-in one).
	Source, TemplateSource string
}

// Field returns the top-level field of the given key, or nil.
func (t *Type) Field(key string) *Field {
	for _, f := range t.Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// PhaseLabel returns the French label of the type's phase ("" for the fiche).
func (t *Type) PhaseLabel() string {
	if t.Phase == "" {
		return ""
	}
	return PhaseLabel(t.Phase)
}

// Held reports whether an interview took place: presence is present or
// absent from the document. Always true for the fiche.
func (t *Type) Held(v Scalars) bool {
	if !t.Interview {
		return true
	}
	val, ok := lookup(v, keyPresence)
	return !ok || val == presenceHeld
}

// Final reports whether the document is finalised (statut: finalise).
// Always true for the fiche, which has no draft state.
func (t *Type) Final(v Scalars) bool {
	if !t.Interview {
		return true
	}
	val, ok := lookup(v, keyStatus)
	return ok && val == statusFinal
}

// Requires reports whether field f (top-level, or a sub-field whose parent is
// present) must be present in a document whose top-level scalars are v.
// When it returns true and the key is absent (or empty while f.NonEmpty),
// the finding's rule is f.Rule, or champ-manquant.
func (t *Type) Requires(f *Field, v Scalars) bool {
	switch f.Required {
	case Optional:
		return false
	case Final:
		if !t.Final(v) || !t.Held(v) {
			return false
		}
	}
	return f.RequiredIf.Holds(v)
}

// RequiresSection reports whether a section heading must be present: the
// interview was held, the section is not optional and its condition holds.
// Drafts need their sections too (only section-vide waits for finalise).
func (t *Type) RequiresSection(s Section, v Scalars) bool {
	return !s.Optional && t.Held(v) && s.If.Holds(v)
}

// RequiredSections returns the sections a document whose top-level scalars
// are v must have.
func (t *Type) RequiredSections(v Scalars) []Section {
	var out []Section
	for _, s := range t.Sections {
		if t.RequiresSection(s, v) {
			out = append(out, s)
		}
	}
	return out
}

func orList(vals []string) string {
	switch len(vals) {
	case 0:
		return ""
	case 1:
		return vals[0]
	}
	return strings.Join(vals[:len(vals)-1], ", ") + " ou " + vals[len(vals)-1]
}
