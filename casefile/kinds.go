package casefile

import (
	"github.com/acc-formation/acc/templates"
)

// steps are the built-in interview types, the steps of the methodology in
// the order of DESIGN §1.
var steps = []string{TypeInitial, TypeDiagnostic, TypeCoElab, TypeContract, TypeFollowUp, TypeReview}

// IsStep reports whether name is one of the six built-in interview types.
func IsStep(name string) bool {
	for _, s := range steps {
		if s == name {
			return true
		}
	}
	return false
}

// BuiltinKind returns the Kind of one of acc's own interview types (no
// repository overrides), for callers that have no repository (the reports'
// default).
func BuiltinKind(name string) (Kind, bool) { return KindsOf(templates.Builtin())(name) }

// KindsOf returns the Kinds of a repository's types: its interview types
// (built-in, overridden or its own) with their phase and rank, from the type
// definitions.
func KindsOf(reg *templates.Registry) Kinds {
	return func(name string) (Kind, bool) {
		t, ok := reg.Lookup(name)
		if !ok || !t.Interview {
			return Kind{}, false
		}
		k := Kind{Label: t.Label, Phase: t.Phase, Rank: t.Rank}
		switch {
		case IsStep(t.Name):
			k.Builtin = t.Name
		case IsStep(t.Base):
			k.Builtin = t.Base
		}
		return k, true
	}
}

// FieldLabels returns the French names of frontmatter keys (the fields'
// libelle in the type definitions) of a repository's types, the fiche
// included, nested keys too: the first definition of a key that gives one
// names it. ok is false for a key no type names.
func FieldLabels(reg *templates.Registry) func(key string) (label string, ok bool) {
	m := map[string]string{}
	reg.EachField(func(_ *templates.Type, f *templates.Field) {
		if _, seen := m[f.Key]; !seen && f.Key != "" && f.Label != "" {
			m[f.Key] = f.Label
		}
	})
	return func(key string) (string, bool) {
		l, ok := m[key]
		return l, ok
	}
}
