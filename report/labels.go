package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// French words of the values of case files. Writers translate codes; models
// and JSON keep the codes.

var ficheStatusLabels = map[string]string{
	ficheInProgress: "En cours",
	ficheSuspended:  "Suspendu",
	ficheDone:       "Terminé",
	ficheDropped:    "Abandon",
}

// ficheStatuses in display order; "" collects missing or unknown values.
var ficheStatuses = []string{ficheInProgress, ficheSuspended, ficheDone, ficheDropped, ""}

func ficheStatusLabel(s string) string {
	if l, ok := ficheStatusLabels[s]; ok {
		return l
	}
	return "Non renseigné"
}

var phaseLabels = map[string]string{
	phaseWelcome: "Accueil",
	phaseBuild:   "Construction du parcours",
	phaseFollow:  "Accompagnement",
}

// phases in display order; "" collects beneficiaries with no interview yet.
var phases = []string{phaseWelcome, phaseBuild, phaseFollow, ""}

func phaseLabel(p string) string {
	if l, ok := phaseLabels[p]; ok {
		return l
	}
	if p == "" {
		return "Aucun entretien"
	}
	return p
}

var objectiveStatusLabels = map[string]string{
	"en-cours":              "En cours",
	"reporte":               "Reporté",
	"atteint":               "Atteint",
	"partiellement-atteint": "Partiellement atteint",
	"non-atteint":           "Non atteint",
	"abandonne":             "Abandonné",
}

func objectiveStatusLabel(s string) string {
	if l, ok := objectiveStatusLabels[s]; ok {
		return l
	}
	return s
}

func docStatusLabel(s string) string {
	switch s {
	case statusFinal:
		return "Finalisé"
	case statusDraft:
		return "Brouillon"
	case "":
		return "Non renseigné"
	}
	return s
}

func presenceLabel(p string) string {
	switch p {
	case "present", "":
		return "Tenu"
	case "absent":
		return "Absent"
	case "excuse":
		return "Excusé"
	}
	return p
}

func modalityLabel(m string) string {
	switch m {
	case "presentiel":
		return "présentiel"
	case "distanciel":
		return "à distance"
	case "telephone":
		return "téléphone"
	}
	return m
}

func responsibleLabel(r string) string {
	switch r {
	case "beneficiaire":
		return "bénéficiaire"
	case "formateur":
		return "formateur"
	}
	return r
}

// Barrier domains of the diagnostic (DESIGN §3.2), in display order.
var barrierKeys = []string{"mobilite", "logement", "sante", "contraintes_familiales", "langue", "numerique", "administratif", "financier"}

// barrierLabel names a barrier domain: its field's libelle in the type
// definitions (entretien-diagnostic's freins).
func barrierLabel(k string) string {
	if l, ok := casefile.BuiltinFieldLabel(k); ok {
		return l
	}
	return k
}

func barrierLevelLabel(l int) string {
	switch l {
	case 0:
		return "aucun"
	case 1:
		return "léger"
	case 2:
		return "important"
	case 3:
		return "bloquant"
	}
	return strconv.Itoa(l)
}

// Scales of the evaluation (DESIGN §3.2).
var autonomyScale = []string{
	"a besoin d'une aide constante",
	"a besoin d'un guidage ponctuel",
	"autonome en situation connue",
	"autonome et capable de transférer à des situations nouvelles",
}

var interactionScale = []string{
	"cadre non compris ou non respecté",
	"cadre compris, respecté de façon irrégulière",
	"cadre compris et le plus souvent respecté",
	"cadre pleinement compris et respecté",
}

func scaleLabel(scale []string, v int) string {
	if v >= 1 && v <= len(scale) {
		return scale[v-1]
	}
	return ""
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
func (s *settings) keyLabel(k string) string {
	if l, ok := s.FieldLabel(k); ok {
		return l
	}
	return k
}

// valueLabel writes a frontmatter scalar in plain French: dates in words,
// booleans as oui/non, enumerated codes as words.
func valueLabel(key, v string) string {
	if len(v) == 10 && v[4] == '-' && v[7] == '-' {
		if _, err := casefile.ParseDate(v); err == nil {
			return longDate(v)
		}
	}
	switch key {
	case "type":
		if t, ok := BuiltinTypes(v); ok {
			return t.Label
		}
		if v == "fiche" {
			return "Fiche du bénéficiaire"
		}
	case "statut":
		if l, ok := ficheStatusLabels[v]; ok {
			return l
		}
		if l, ok := objectiveStatusLabels[v]; ok {
			return l
		}
		return docStatusLabel(v)
	case "presence":
		return presenceLabel(v)
	case "modalite":
		return modalityLabel(v)
	case "responsable":
		return responsibleLabel(v)
	}
	switch strings.ToLower(v) {
	case "true":
		return "oui"
	case "false":
		return "non"
	}
	return v
}
