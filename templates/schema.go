package templates

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// datePattern is the JSON Schema pattern of a YYYY-MM-DD date (the
// calendar itself is checked by acc validate).
const datePattern = `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`

// obj is a JSON object that keeps its keys in insertion order, so that the
// schemas acc writes are stable and readable.
type obj struct {
	keys []string
	vals map[string]any
}

func newObj() *obj { return &obj{vals: map[string]any{}} }

func (o *obj) set(k string, v any) *obj {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Schema returns the JSON Schema (draft 2020-12) of a type's frontmatter, for
// editors: French titles and descriptions, enums, date patterns, unknown keys
// refused where acc flags them, always-required keys in "required", and the
// keys required once finalised (or under a condition) in if/then clauses.
// Requirements that depend on other documents (objectives, rhythm…) are left
// to acc validate.
func (r *Registry) Schema(typeName string) ([]byte, error) {
	t, err := r.lookupErr(typeName)
	if err != nil {
		return nil, err
	}
	root := newObj()
	root.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	root.set("title", "acc — "+t.Label)
	var desc strings.Builder
	if t.Interview {
		desc.WriteString("Frontmatter d'un document de type « " + t.Label + " » (phase " + t.PhaseLabel() + "). ")
		desc.WriteString("Objectif : " + t.Purpose)
		desc.WriteString(" Les clés exigées « une fois finalisé » le sont quand statut vaut finalise et que l'entretien a eu lieu (presence: present).")
	} else {
		desc.WriteString("Frontmatter de la fiche du bénéficiaire (fiche.md).")
	}
	if t.Description != "" {
		desc.WriteString(" " + t.Description)
	}
	root.set("description", desc.String())
	root.set("type", "object")
	props := newObj()
	var required []string
	for _, f := range t.Fields {
		always := f.Required == Always && f.RequiredIf == nil
		props.set(f.Key, fieldSchema(t, f, always))
		if always {
			required = append(required, f.Key)
		}
	}
	root.set("properties", props)
	if len(required) > 0 {
		root.set("required", required)
	}
	root.set("additionalProperties", false)

	var allOf []any
	if fin := finalSchema(t.Fields); fin != nil {
		cond := newObj()
		if t.Interview {
			cond.set("properties", newObj().
				set(keyStatus, newObj().set("const", statusFinal)).
				set(keyPresence, newObj().set("const", presenceHeld)))
			cond.set("required", []string{keyStatus})
			allOf = append(allOf, newObj().set("if", cond).set("then", fin))
		} else {
			// The fiche has no draft state: its "finalise" keys are plain requirements.
			allOf = append(allOf, fin)
		}
	}
	for _, f := range t.Fields {
		if f.RequiredIf == nil || f.Required == Optional {
			continue
		}
		cond := conditionSchema(t, f.RequiredIf)
		if f.Required == Final && t.Interview {
			cond = newObj().set("allOf", []any{cond, newObj().
				set("properties", newObj().
					set(keyStatus, newObj().set("const", statusFinal)).
					set(keyPresence, newObj().set("const", presenceHeld))).
				set("required", []string{keyStatus})})
		}
		then := newObj().set("required", []string{f.Key})
		if ne := nonEmptySchema(f); ne != nil {
			then.set("properties", newObj().set(f.Key, ne))
		}
		allOf = append(allOf, newObj().set("if", cond).set("then", then))
	}
	if len(allOf) > 0 {
		root.set("allOf", allOf)
	}
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// fieldSchema is the schema of one value; nonEmpty adds the NonEmpty
// constraint (for keys required everywhere the schema applies).
func fieldSchema(t *Type, f *Field, nonEmpty bool) *obj {
	o := newObj()
	desc := f.Description
	if f.Key != "" {
		req := f.RequirementText()
		if req != "non" {
			if desc != "" && !strings.HasSuffix(desc, ".") {
				desc += "."
			}
			desc = strings.TrimSpace(desc + " Exigé : " + req + ".")
		}
		if f.Rule != "" {
			desc += " Si la clé manque : règle " + f.Rule + "."
		}
	}
	if desc != "" {
		o.set("description", desc)
	}
	switch f.Kind {
	case KindText:
		o.set("type", "string")
		if f.Pattern != "" {
			o.set("pattern", "^(?:"+f.Pattern+")$")
		}
		if nonEmpty && f.NonEmpty {
			o.set("minLength", 1)
		}
	case KindDate:
		o.set("type", "string")
		o.set("format", "date")
		o.set("pattern", datePattern)
	case KindInteger:
		o.set("type", "integer")
		if f.Min != nil {
			o.set("minimum", *f.Min)
		}
		if f.Max != nil {
			o.set("maximum", *f.Max)
		}
	case KindBoolean:
		o.set("type", "boolean")
	case KindChoice:
		o.set("type", "string")
		if len(f.Values) == 1 {
			o.set("const", f.Values[0])
		} else {
			o.set("enum", f.Values)
		}
	case KindList:
		o.set("type", "array")
		if f.Item != nil {
			o.set("items", fieldSchema(t, f.Item, true))
		}
		if nonEmpty && f.NonEmpty {
			o.set("minItems", 1)
		}
	case KindObject:
		o.set("type", "object")
		if len(f.Fields) > 0 {
			props := newObj()
			var req []string
			for _, sub := range f.Fields {
				always := sub.Required == Always && sub.RequiredIf == nil
				props.set(sub.Key, fieldSchema(t, sub, always))
				if always {
					req = append(req, sub.Key)
				}
			}
			o.set("properties", props)
			if len(req) > 0 {
				o.set("required", req)
			}
		}
		if f.Closed {
			o.set("additionalProperties", false)
		}
	}
	if f.Default != "" {
		o.set("default", typed(f, f.Default))
	}
	return o
}

// finalSchema gathers the requirements of fields marked requis: finalise
// (without condition), at every depth; nil when there are none.
func finalSchema(fields []*Field) *obj {
	var req []string
	props := newObj()
	for _, f := range fields {
		var p *obj
		if f.Required == Final && f.RequiredIf == nil {
			req = append(req, f.Key)
			p = nonEmptySchema(f)
		}
		var sub *obj
		switch {
		case f.Kind == KindObject:
			sub = finalSchema(f.Fields)
		case f.Kind == KindList && f.Item != nil && f.Item.Kind == KindObject:
			if s := finalSchema(f.Item.Fields); s != nil {
				sub = newObj().set("items", s)
			}
		}
		if sub != nil {
			if p == nil {
				p = sub
			} else {
				for _, k := range sub.keys {
					p.set(k, sub.vals[k])
				}
			}
		}
		if p != nil {
			props.set(f.Key, p)
		}
	}
	if len(req) == 0 && len(props.keys) == 0 {
		return nil
	}
	o := newObj()
	if len(req) > 0 {
		o.set("required", req)
	}
	if len(props.keys) > 0 {
		o.set("properties", props)
	}
	return o
}

func nonEmptySchema(f *Field) *obj {
	if !f.NonEmpty {
		return nil
	}
	switch f.Kind {
	case KindList:
		return newObj().set("minItems", 1)
	case KindText:
		return newObj().set("minLength", 1)
	}
	return nil
}

// conditionSchema is the "if" of a Condition.
func conditionSchema(t *Type, c *Condition) *obj {
	f := t.Field(c.Key)
	vals := make([]any, len(c.Values))
	holdsByDefault := false
	for i, v := range c.Values {
		vals[i] = typed(f, v)
		if f != nil && f.Default == v {
			holdsByDefault = true
		}
	}
	o := newObj().set("properties", newObj().set(c.Key, newObj().set("enum", vals)))
	if !holdsByDefault {
		o.set("required", []string{c.Key})
	}
	return o
}

// typed converts a value written as text to its JSON type for field f.
func typed(f *Field, v string) any {
	if f == nil {
		return v
	}
	switch f.Kind {
	case KindBoolean:
		return v == "true"
	case KindInteger:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
}
