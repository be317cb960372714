package casefile

import (
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/internal/textkey"
	"github.com/acc-formation/acc/templates"
)

// Forgiving input, exact storage (DESIGN §4.2): a choice written with other
// case or accents ("Finalisé", "Présentiel", "partiellement atteint") and a
// boolean written oui/non are what the trainer meant. They are read as the
// canonical value in the one place every reader goes through, the parsed
// frontmatter, so that validate, status, list, reports, JSON and the fold of
// objectives all see "finalise", "presentiel", true. The file is not
// rewritten.

// CanonicalChoice returns the allowed value that s designates, case,
// accents, spaces and underscores aside ("Partiellement atteint" →
// "partiellement-atteint"), and whether there is one.
func CanonicalChoice(s string, values []string) (string, bool) {
	for _, v := range values {
		if s == v {
			return v, true
		}
	}
	k := choiceKey(s)
	for _, v := range values {
		if choiceKey(v) == k {
			return v, true
		}
	}
	return "", false
}

func choiceKey(s string) string {
	f := textkey.Fold(strings.TrimSpace(s))
	f = strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' {
			return '-'
		}
		return r
	}, f)
	return f
}

// CanonicalBool returns the boolean that s designates: true/false in any
// case, and the French oui/non.
func CanonicalBool(s string) (value, ok bool) {
	switch textkey.Fold(strings.TrimSpace(s)) {
	case "true", "oui":
		return true, true
	case "false", "non":
		return false, true
	}
	return false, false
}

// Canonicalize rewrites in place the values of fields' choice and boolean
// keys held by the mapping m (nested objects and lists of objects too) to
// their canonical form. Node positions are kept. Values that designate
// nothing are left as written, for the validator to report.
func Canonicalize(m *yaml.Node, fields []*templates.Field) {
	for _, p := range Pairs(m) {
		for _, f := range fields {
			if f.Key == p.Key.Value {
				canonicalValue(f, Resolve(p.Value), 0)
				break
			}
		}
	}
}

func canonicalValue(f *templates.Field, v *yaml.Node, depth int) {
	if f == nil || v == nil || depth > 16 {
		return
	}
	switch {
	case v.Kind == yaml.ScalarNode && f.Kind == templates.KindChoice:
		if v.Tag != "!!null" {
			if c, ok := CanonicalChoice(v.Value, f.Values); ok && c != v.Value {
				v.Value, v.Tag, v.Style = c, "!!str", 0
			}
		}
	case v.Kind == yaml.ScalarNode && f.Kind == templates.KindBoolean:
		if b, ok := CanonicalBool(v.Value); ok && (v.Tag == "!!str" || v.Tag == "!!bool") {
			v.Tag, v.Style, v.Value = "!!bool", 0, "false"
			if b {
				v.Value = "true"
			}
		}
	case v.Kind == yaml.MappingNode && f.Kind == templates.KindObject:
		for _, p := range Pairs(v) {
			for _, sub := range f.Fields {
				if sub.Key == p.Key.Value {
					canonicalValue(sub, Resolve(p.Value), depth+1)
					break
				}
			}
		}
	case v.Kind == yaml.SequenceNode && f.Kind == templates.KindList:
		for _, it := range v.Content {
			canonicalValue(f.Item, Resolve(it), depth+1)
		}
	}
}

// canonicalizeBuiltin canonicalises a parsed document with acc's own type
// definitions (the fiche, or the type its `type` names).
func (d *Document) canonicalizeBuiltin() { d.CanonicalizeWith(templates.Builtin()) }

// CanonicalizeWith canonicalises a parsed document with a repository's type
// definitions, for its own types and choices (Parse applies acc's own).
func (d *Document) CanonicalizeWith(reg *templates.Registry) {
	if d.Front == nil || reg == nil {
		return
	}
	var t *templates.Type
	if path.Base(d.Path) == FicheFile {
		t = reg.Fiche()
	} else if tt, ok := reg.Lookup(d.Type()); ok {
		t = tt
	}
	if t != nil {
		Canonicalize(d.Front, t.Fields)
	}
}
