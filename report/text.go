package report

import (
	"strconv"
	"strings"

	"github.com/acc-formation/acc/casefile"
)

// French sentences shared by the Markdown and HTML writers, so that both
// say the same thing.

func (h *Header) issued() string {
	s := "Document établi le " + longDate(h.Today)
	if h.Organisation != "" {
		s = h.Organisation + " — d" + s[1:]
	}
	if h.AsOf != "" {
		s += ", d'après le dossier tel qu'il était le " + longDate(h.AsOf)
	}
	return s + "."
}

const anonymizedNotice = "Version anonymisée : les personnes sont désignées par un pseudonyme stable, aucun texte libre n'est reproduit et, dans les tableaux d'effectifs, les nombres inférieurs à 5 sont remplacés par « <" + nbsp + "5 », et ceux qui permettraient de les retrouver par différence par « masqué »."

func (b *Beneficiary) intro() string {
	switch {
	case b.Anonymized:
		return anonymizedNotice
	case b.Privacy != nil:
		return "Ce document rassemble toutes les informations que contient ce dossier d'accompagnement : " +
			"d'abord une synthèse du parcours, puis, en annexe, le contenu intégral de chaque document. " +
			"Il peut être remis à la personne concernée lorsqu'elle demande à accéder à ses données."
	}
	return "Synthèse du dossier d'accompagnement."
}

// presence describes the attendance of an interview.
func (iv Interview) presence(l *labels) string {
	switch iv.Presence {
	case "absent":
		if iv.Relance != "" {
			return "Absent, relance le " + shortDate(iv.Relance)
		}
		return "Absent, sans relance"
	}
	return l.presence(iv.Presence)
}

func (iv Interview) modality(l *labels) string {
	var parts []string
	if iv.Modality != "" {
		parts = append(parts, l.modality(iv.Modality))
	}
	if iv.Minutes > 0 {
		parts = append(parts, strconv.Itoa(iv.Minutes)+nbsp+"min")
	}
	return strings.Join(parts, ", ")
}

func (o Objective) heading() string {
	if o.Title == "" {
		return o.ID
	}
	return o.ID + " — " + o.Title
}

func (o Objective) alert() string {
	if o.Overdue {
		return "En retard de " + days(o.DaysLate)
	}
	return ""
}

// ratingText writes a level of an evaluation scale (key autonomie or
// interactions) with its libelle.
func (l *labels) ratingText(key string, v int) string {
	if v == 0 {
		return "—"
	}
	return strconv.Itoa(v) + " — " + l.rating(key, v)
}

// levelText writes a barrier's level with its libelle; "—" when not
// assessed.
func (l *labels) levelText(key string, n *int) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n) + " — " + l.barrierLevel(key, *n)
}

func (d BarrierDomain) trend() string {
	a, b := d.Initial(), d.Current()
	switch {
	case a == nil || b == nil:
		return "—"
	case *b < *a:
		return "en baisse (" + strconv.Itoa(*a) + " → " + strconv.Itoa(*b) + ")"
	case *b > *a:
		return "en hausse (" + strconv.Itoa(*a) + " → " + strconv.Itoa(*b) + ")"
	}
	return "stable"
}

func (a Assessment) heading(i int) string {
	if i == 0 {
		return "Diagnostic du " + shortDate(a.Date)
	}
	return "Réévaluation du " + shortDate(a.Date)
}

func (c Commitment) heading() string {
	return "Contrat du " + longDate(c.Date)
}

func (c Commitment) signed() string {
	if c.SignedOn == "" {
		return "non signé"
	}
	return longDate(c.SignedOn)
}

func (c Commitment) counts() string {
	return plural(c.BeneficiaryCount, "engagement", "engagements") + " du bénéficiaire, " +
		plural(c.TrainerCount, "engagement", "engagements") + " du formateur, " +
		plural(c.SignatoryCount, "signataire", "signataires")
}

func (b *Beneficiary) nextInterview() string {
	n := b.Next
	switch {
	case b.Status == ficheDone || b.Status == ficheDropped:
		if b.Exit != "" {
			return "aucun (parcours clos le " + longDate(b.Exit) + ")"
		}
		return "aucun (parcours clos)"
	case n.Interview == "":
		return "aucun entretien planifié"
	case n.Late:
		return "prévu le " + longDate(n.Interview) + ", date passée sans compte rendu"
	}
	return longDate(n.Interview)
}

func findingSummary(fs []Finding) string {
	var e, w, i int
	for _, f := range fs {
		switch f.Severity {
		case "error":
			e++
		case "warning":
			w++
		default:
			i++
		}
	}
	return plural(e, "erreur", "erreurs") + ", " + plural(w, "avertissement", "avertissements") + ", " + plural(i, "info", "infos")
}

func (b *Beneficiary) validationText() string {
	switch {
	case b.Findings == nil:
		return "La validation n'a pas été exécutée pour ce rapport."
	case len(b.Findings) == 0:
		return "La validation ne relève aucun problème dans ce dossier."
	}
	return "La validation relève encore " + findingSummary(b.Findings) + " :"
}

func (b *Beneficiary) privacyLines() []string {
	p := b.Privacy
	informed := "date non renseignée dans le dossier"
	if p.InformedOn != "" {
		informed = "le " + longDate(p.InformedOn) + ", lors de l'entretien initial"
	}
	keep := strconv.Itoa(p.RetentionMonths) + " mois après le dernier contact ou la sortie"
	if p.RetainUntil != "" {
		keep += " (le " + longDate(p.RetainFrom) + "), soit jusqu'au " + longDate(p.RetainUntil)
	}
	return []string{
		"Finalité : le suivi de l'accompagnement individuel pendant le parcours de formation.",
		"Information de la personne sur l'usage de ses données : " + informed + ".",
		"Destinataires : les formateurs et formatrices de l'organisme qui assurent l'accompagnement.",
		"Durée de conservation : " + keep + " ; le dossier est ensuite archivé, anonymisé ou supprimé.",
		"Droits : la personne peut demander à l'organisme l'accès à ses données, leur rectification ou leur effacement, et adresser une réclamation à la CNIL.",
		"Le dossier est tenu sous forme de documents versionnés : l'historique des modifications est conservé avec eux.",
	}
}

func (r *Caseload) dropOutText() string {
	d := r.DropOut
	if d.Rate == nil {
		if d.Dropped.Suppressed || d.Completed.Suppressed {
			return "non communiqué (effectifs inférieurs à 5)"
		}
		return "sans objet (aucune sortie)"
	}
	return percent(*d.Rate) + " (" + plural(d.Dropped.N, "abandon", "abandons") + " sur " + plural(d.Dropped.N+d.Completed.N, "sortie", "sorties") + ")"
}

func (r *Caseload) satisfactionText() string {
	s := r.Satisfaction
	if s.Mean == nil {
		if s.Responses.Suppressed || r.Anonymized && s.Responses.N > 0 {
			return "non communiquée (moins de 5 réponses)"
		}
		return "aucune réponse"
	}
	return decimal(*s.Mean) + " sur 4 (" + plural(s.Responses.N, "réponse", "réponses") + ")"
}

func (r *Caseload) attentionCriteria() string { return r.criteria }

// attentionCriteria says in French which concerns put a beneficiary on the
// attention list: those of the rules that are on.
func attentionCriteria(rules *casefile.RuleSettings) string {
	var parts []string
	on := rules.On
	if on("rythme") {
		parts = append(parts, "les bénéficiaires en cours sans entretien depuis plus de "+days(rules.RythmeMax)+" après le contrat")
	}
	if on("premier-entretien") {
		parts = append(parts, "ceux sans entretien "+days(rules.FirstInterviewDays)+" après leur entrée")
	}
	if on("objectif-en-retard") {
		parts = append(parts, "ceux dont un objectif a dépassé son échéance")
	}
	if on("absence-sans-relance") {
		parts = append(parts, "un entretien manqué sans relance")
	}
	if on("decrochage") {
		parts = append(parts, "deux entretiens manqués de suite")
	}
	if on("entretien-non-documente") {
		parts = append(parts, "un entretien prévu passé sans compte rendu")
	}
	if on("conservation") {
		parts = append(parts, "un dernier contact de plus de "+plural(rules.RetentionMonths, "mois", "mois"))
	}
	if on("brouillon-ancien") {
		parts = append(parts, "tout brouillon ouvert depuis plus de "+days(rules.DraftDays))
	}
	if len(parts) == 0 {
		return "Aucune règle de suivi n'est active (acc.yaml) : personne n'est signalé."
	}
	return "Sont signalés : " + listFr(parts) + "."
}

// hasUnknownStatus reports whether the "Non renseigné" status column is needed.
func (r *Caseload) hasUnknownStatus() bool {
	c := r.ByStatus[len(r.ByStatus)-1].Count
	return c.N > 0 || c.Suppressed
}

func stateLabel(s string) string {
	switch s {
	case StateProven:
		return "Preuve"
	case StateMissing:
		return "Manquant"
	case StatePending:
		return "À venir"
	}
	return s
}

// evidenceText describes an indicator's evidence for a beneficiary in one
// line: what is missing or to come, then the documents (base names).
func (e Evidence) text() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "manquant : "+strings.Join(e.Missing, " ; "))
	}
	if len(e.Pending) > 0 {
		parts = append(parts, "à venir : "+strings.Join(e.Pending, " ; "))
	}
	if len(e.Documents) > 0 {
		names := make([]string, len(e.Documents))
		for i, d := range e.Documents {
			names[i] = fileOf(d)
		}
		parts = append(parts, "preuves : "+strings.Join(names, ", "))
	}
	return strings.Join(parts, " — ")
}

func indicatorTitle(n int) string {
	for _, i := range Indicators {
		if i.Number == n {
			return i.Title
		}
	}
	return ""
}

// folder returns the beneficiary folder of a Qualiopi row's documents.
func (r QualiopiRow) folder() string { return "beneficiaires/" + r.ID + "/" }

const qualiopiIntro = "Pour chaque bénéficiaire et chaque indicateur du Référentiel national qualité que la méthode d'accompagnement documente, les documents qui en apportent la preuve, ou ce qui manque. Un document ne compte que s'il est finalisé et que l'entretien a eu lieu. « À venir » : le parcours n'a pas encore atteint cette étape."
