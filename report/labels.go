package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// labels name the codes of case files in French from the type data (a
// libelle per field and per value, templates/types), so that an
// organisation's own types are named in its reports without code. Writers
// translate codes with them; models and JSON keep the codes. Built once per
// report from the registry (settings), carried by the Header.
type labels struct {
	field func(key string) (string, bool)
	// values holds, per key, the libelle of each value (first definition
	// of the key that names it); choice marks the keys of choix fields,
	// whose values the full-text annex names.
	values map[string]map[string]string
	choice map[string]bool
	fields map[string]*templates.Field // first definition of each key
	types  func(name string) (TypeInfo, bool)

	// ficheStatuses are the values of the fiche's statut in display order,
	// then "" for missing or unknown values.
	ficheStatuses []string
	// barrierKeys are the barrier domains of the diagnostic (the sub-keys
	// of freins, DESIGN §3.2), in display order.
	barrierKeys []string
}

func newLabels(reg *templates.Registry) *labels {
	l := &labels{field: casefile.FieldLabels(reg), values: map[string]map[string]string{},
		choice: map[string]bool{}, fields: map[string]*templates.Field{}, types: typesOf(reg)}
	reg.EachField(func(_ *templates.Type, f *templates.Field) {
		if f.Key == "" {
			return
		}
		if l.fields[f.Key] == nil {
			l.fields[f.Key] = f
		}
		if f.Kind == templates.KindChoice {
			l.choice[f.Key] = true
		}
		for v, name := range f.ValueLabels {
			if l.values[f.Key] == nil {
				l.values[f.Key] = map[string]string{}
			}
			if _, seen := l.values[f.Key][v]; !seen {
				l.values[f.Key][v] = name
			}
		}
	})
	if st := reg.Fiche().Field("statut"); st != nil {
		l.ficheStatuses = append(slices.Clone(st.Values), "")
	}
	if fr := l.fields["freins"]; fr != nil {
		for _, f := range fr.Fields {
			l.barrierKeys = append(l.barrierKeys, f.Key)
		}
	}
	return l
}

// typesOf describes a registry's interview types for the reports.
func typesOf(reg *templates.Registry) func(name string) (TypeInfo, bool) {
	return func(name string) (TypeInfo, bool) {
		t, ok := reg.Lookup(name)
		if !ok || !t.Interview {
			return TypeInfo{}, false
		}
		return TypeInfo{Label: t.Label, Phase: t.Phase, Rank: t.Rank, Base: t.Base}, true
	}
}

var builtinLabels = sync.OnceValue(func() *labels { return newLabels(templates.Builtin()) })

// labelsOf returns a header's labels: acc's own types' for a model built
// without settings.
func labelsOf(h *Header) *labels {
	if h == nil || h.labels == nil {
		return builtinLabels()
	}
	return h.labels
}

// value returns the libelle of a value of a key, ok false when the type
// data gives none.
func (l *labels) value(key, v string) (string, bool) {
	name, ok := l.values[key][v]
	return name, ok
}

// fieldValue names a value of a key in the reports: its libelle, else the
// value as written.
func (l *labels) fieldValue(key, v string) string {
	if name, ok := l.value(key, v); ok {
		return name
	}
	return v
}

func (l *labels) ficheStatus(s string) string {
	if name, ok := l.value("statut", s); ok && slices.Contains(l.ficheStatuses, s) {
		return name
	}
	return "Non renseigné"
}

// isFicheStatus reports whether s is a value of the fiche's statut.
func (l *labels) isFicheStatus(s string) bool { return s != "" && slices.Contains(l.ficheStatuses, s) }

func (l *labels) docStatus(s string) string {
	if s == "" {
		return "Non renseigné"
	}
	return l.fieldValue("statut", s)
}

func (l *labels) objectiveStatus(s string) string { return l.fieldValue("statut", s) }

// presence names the attendance of an interview; an absent key is the
// field's default.
func (l *labels) presence(p string) string {
	if p == "" {
		if f := l.fields["presence"]; f != nil && f.Default != "" {
			p = f.Default
		}
	}
	return l.fieldValue("presence", p)
}

func (l *labels) modality(m string) string { return l.fieldValue("modalite", m) }

// barrier names a barrier domain: its field's libelle.
func (l *labels) barrier(k string) string {
	if name, ok := l.field(k); ok {
		return name
	}
	return k
}

// barrierLevel names a barrier's level (its field's valeurs).
func (l *labels) barrierLevel(k string, n int) string {
	return l.fieldValue(k, strconv.Itoa(n))
}

// barrierMax is the highest level of a barrier domain (its field's max), 3
// for a domain the type data does not bound.
func (l *labels) barrierMax(k string) int {
	if f := l.fields[k]; f != nil && f.Max != nil {
		return *f.Max
	}
	return 3
}

// rating names a level of an evaluation scale (autonomie, interactions).
func (l *labels) rating(key string, v int) string {
	name, _ := l.value(key, strconv.Itoa(v))
	return name
}

// item names an element of a list key (its element's libelle: "Action",
// "Objectif"), "Élément" when the type data gives none.
func (l *labels) item(key string) string {
	if f := l.fields[key]; f != nil && f.Item != nil && f.Item.Label != "" {
		return f.Item.Label
	}
	return "Élément"
}

// phaseLabel names a phase of the methodology (templates.Phases); ""
// collects beneficiaries with no interview yet.
func phaseLabel(p string) string {
	for _, ph := range templates.Phases() {
		if ph.Name == p {
			return ph.Label
		}
	}
	if p == "" {
		return "Aucun entretien"
	}
	return p
}

// phases in display order; "" collects beneficiaries with no interview yet.
var phases = func() []string {
	var out []string
	for _, ph := range templates.Phases() {
		out = append(out, ph.Name)
	}
	return append(out, "")
}()

func responsibleLabel(r string) string {
	switch r {
	case "beneficiaire":
		return "bénéficiaire"
	case "formateur":
		return "formateur"
	}
	return r
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// longDate writes an ISO date as "2 février 2026"; anything else is kept.
func longDate(iso string) string {
	t, err := casefile.ParseDate(iso)
	if err != nil {
		return iso
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// shortDate writes an ISO date as "02/02/2026", for tables.
func shortDate(iso string) string {
	t, err := casefile.ParseDate(iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return casefile.FormatDate(t)
}

const nbsp = "\u00a0"

// decimal writes a number with one decimal and a French comma: "3,5".
func decimal(f float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64), ".", ",", 1)
}

// percent writes a ratio as "33" + nbsp + "%".
func percent(f float64) string {
	return strconv.Itoa(int(math.Round(f*100))) + nbsp + "%"
}

// plural returns "1 objectif" or "3 objectifs".
func plural(n int, one, many string) string {
	if n < 2 { // French: 0 and 1 take the singular
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func days(n int) string { return plural(n, "jour", "jours") }

// listFr joins words as "a, b et c".
func listFr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

func severityLabel(s string) string {
	switch s {
	case "error":
		return "Erreur"
	case "warning":
		return "Avertissement"
	case "info":
		return "Info"
	}
	return s
}

// keyLabel names a frontmatter key in French, for the full-text annex: the
// field's libelle in the type definitions, else the key itself.
func (l *labels) keyLabel(k string) string {
	if name, ok := l.field(k); ok {
		return name
	}
	return k
}

// valueLabel writes a frontmatter scalar in plain French: dates in words,
// booleans as oui/non, interview types and the values of choix fields by
// their libelle.
func (l *labels) valueLabel(key, v string) string {
	if len(v) == 10 && v[4] == '-' && v[7] == '-' {
		if _, err := casefile.ParseDate(v); err == nil {
			return longDate(v)
		}
	}
	switch key {
	case "type":
		if t, ok := l.types(v); ok {
			return t.Label
		}
		if v == "fiche" {
			return "Fiche du bénéficiaire"
		}
	case "statut":
		return l.docStatus(v)
	case "presence":
		return l.presence(v)
	case "responsable":
		return responsibleLabel(v)
	}
	if l.choice[key] {
		return l.fieldValue(key, v)
	}
	switch strings.ToLower(v) {
	case "true":
		return "oui"
	case "false":
		return "non"
	}
	return v
}
