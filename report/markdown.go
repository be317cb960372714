package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes a report as CommonMark with GitHub tables, readable
// as plain text in any editor and rendered by forges.
func WriteMarkdown(w io.Writer, r Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	m := &md{w: bufio.NewWriterSize(w, 64<<10), l: labelsOf(r.head())}
	switch r := r.(type) {
	case *Beneficiary:
		m.beneficiary(r)
	case *Bundle:
		for i, b := range r.Beneficiaries {
			if i > 0 {
				m.line("* * *")
				m.line("")
			}
			m.beneficiary(b)
		}
	case *Caseload:
		m.caseload(r)
	case *Qualiopi:
		m.qualiopi(r)
	}
	return m.w.Flush()
}

type md struct {
	w *bufio.Writer
	l *labels // the report's (Header)
}

func (m *md) line(parts ...string) {
	for _, p := range parts {
		m.w.WriteString(p)
	}
	m.w.WriteByte('\n')
}

func (m *md) heading(level int, text string) {
	m.line(strings.Repeat("#", level), " ", mdInline(text))
	m.line("")
}

func (m *md) para(text string) {
	m.line(mdInline(text))
	m.line("")
}

// rawPara writes a paragraph of Markdown that is already escaped.
func (m *md) rawPara(text string) {
	m.line(text)
	m.line("")
}

// item writes "- **label** : value".
func (m *md) item(label, value string) {
	m.line("- **", mdInline(label), "** : ", mdInline(value))
}

// table writes a GitHub table; cells are escaped.
func (m *md) table(head []string, rows [][]string) {
	m.w.WriteString("|")
	for _, h := range head {
		m.w.WriteString(" " + mdCell(h) + " |")
	}
	m.w.WriteString("\n|")
	for range head {
		m.w.WriteString("---|")
	}
	m.w.WriteByte('\n')
	for _, r := range rows {
		m.w.WriteString("|")
		for _, c := range r {
			m.w.WriteString(" " + mdCell(c) + " |")
		}
		m.w.WriteByte('\n')
	}
	m.line("")
}

// mdInline escapes text for a Markdown paragraph, list item or cell:
// characters that would start markup (emphasis, code, links, HTML tags),
// and a leading character that would start a block. Line breaks become
// spaces. A "<" before a space, as in "< 5", is left alone.
func mdInline(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '[', ']':
			b.WriteByte('\\')
		case '<':
			if i+1 < len(s) && startsTag(s[i+1]) {
				b.WriteByte('\\')
			}
		case '_':
			before := i == 0 || !isWordByte(s[i-1])
			after := i+1 == len(s) || !isWordByte(s[i+1])
			if before || after {
				b.WriteByte('\\')
			}
		case '\r', '\n':
			c = ' '
		}
		b.WriteByte(c)
	}
	s = b.String()
	if s != "" && strings.ContainsRune("#-+>=", rune(s[0])) {
		s = `\` + s
	}
	return s
}

func mdCell(s string) string {
	return strings.ReplaceAll(mdInline(s), "|", `\|`)
}

// startsTag reports whether "<" followed by c could open HTML.
func startsTag(c byte) bool {
	l := c | 0x20
	return l >= 'a' && l <= 'z' || c == '/' || c == '!' || c == '?'
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// beneficiary writes a beneficiary report, one section after the other.
func (m *md) beneficiary(b *Beneficiary) {
	m.heading(1, "Dossier d'accompagnement — "+b.Name)
	m.para(b.issued())
	m.line("> ", mdInline(b.intro()))
	m.line("")

	m.benIdentity(b)
	m.benTimeline(b)
	m.benObjectives(b)
	m.benRatings(b)
	m.benBarriers(b)
	m.benCommitments(b)
	m.benWaivers(b)
	m.benNext(b)
	m.benValidation(b)
	m.benPrivacy(b)
	m.benAnnex(b)
}

// benIdentity writes who the person is and where the case stands.
func (m *md) benIdentity(b *Beneficiary) {
	m.heading(2, "Identité et programme")
	if b.Anonymized {
		m.item("Pseudonyme", b.Name)
	} else {
		m.item("Prénom et nom", b.Name)
	}
	m.item("Identifiant du dossier", b.ID)
	if p := b.Person; p != nil && p.Programme != "" {
		m.item("Dispositif", p.Programme)
	}
	if b.Referent != "" {
		m.item("Formateur référent", b.Referent)
	}
	if b.Entry != "" {
		m.item("Entrée", longDate(b.Entry))
	}
	if b.Exit != "" {
		m.item("Sortie", longDate(b.Exit))
	}
	if p := b.Person; p != nil && p.ExitReason != "" {
		m.item("Motif de sortie", p.ExitReason)
	}
	m.item("Statut", m.l.ficheStatus(b.Status))
	m.item("Phase actuelle", phaseLabel(b.Phase))
	if b.LastContact != "" {
		m.item("Dernier contact", longDate(b.LastContact))
	}
	m.line("")
}

// benTimeline writes the table of interviews.
func (m *md) benTimeline(b *Beneficiary) {
	m.heading(2, "Parcours")
	if len(b.Timeline) == 0 {
		m.para("Aucun entretien pour l'instant.")
	} else {
		rows := make([][]string, 0, len(b.Timeline))
		for _, iv := range b.Timeline {
			rows = append(rows, []string{shortDate(iv.Date), iv.TypeLabel, phaseLabel(iv.Phase), iv.Trainer, iv.presence(m.l), iv.modality(m.l), m.l.docStatus(iv.Status)})
		}
		m.table([]string{"Date", "Entretien", "Phase", "Formateur", "Présence", "Modalité", "Compte rendu"}, rows)
	}
}

// benObjectives writes the objectives: a summary table, then each one.
func (m *md) benObjectives(b *Beneficiary) {
	m.heading(2, "Objectifs")
	if len(b.Objectives) == 0 {
		m.para("Aucun objectif déclaré pour l'instant.")
	} else {
		rows := make([][]string, 0, len(b.Objectives))
		for _, o := range b.Objectives {
			rows = append(rows, []string{o.heading(), shortDate(o.Deadline), m.l.objectiveStatus(o.Status), o.alert()})
		}
		m.table([]string{"Objectif", "Échéance", "Statut", "Alerte"}, rows)
		for _, o := range b.Objectives {
			m.objective(o, b.Anonymized)
		}
	}
}

// benRatings writes the evaluations of autonomy and interactions.
func (m *md) benRatings(b *Beneficiary) {
	m.heading(2, "Autonomie et interactions")
	if len(b.Ratings) == 0 {
		m.para("Aucune évaluation pour l'instant.")
	} else {
		m.para("Autonomie : de 1 (a besoin d'une aide constante) à 4 (autonome et capable de transférer). Interactions : de 1 (cadre non compris ou non respecté) à 4 (cadre pleinement compris et respecté).")
		rows := make([][]string, 0, len(b.Ratings))
		for _, r := range b.Ratings {
			rows = append(rows, []string{shortDate(r.Date), m.l.ratingText("autonomie", r.Autonomy), m.l.ratingText("interactions", r.Interactions)})
		}
		m.table([]string{"Date", "Autonomie", "Interactions"}, rows)
	}
}

// benBarriers writes the barriers section.
func (m *md) benBarriers(b *Beneficiary) {
	m.heading(2, "Freins")
	if b.Barriers == nil {
		m.para("Freins non évalués pour l'instant.")
	} else {
		m.barriers(b.Barriers)
	}
}

// benCommitments writes the signed contracts.
func (m *md) benCommitments(b *Beneficiary) {
	m.heading(2, "Engagements signés")
	if len(b.Commitments) == 0 {
		m.para("Aucun contrat d'accompagnement pour l'instant.")
	}
	for _, c := range b.Commitments {
		m.commitment(c, b.Anonymized)
	}
}

// commitment writes one contract: when and by whom it was signed, and
// each side's commitments.
func (m *md) commitment(c Commitment, anon bool) {
	m.heading(3, c.heading())
	m.item("Signé le", c.signed())
	if c.Status == statusDraft {
		m.item("Compte rendu", "brouillon")
	}
	if len(c.Signatories) > 0 {
		m.item("Signataires", strings.Join(c.Signatories, ", "))
	}
	if len(c.Retained) > 0 {
		m.item("Objectifs retenus", strings.Join(c.Retained, ", "))
	}
	if anon {
		m.item("Engagements", c.counts())
	}
	m.line("")
	for _, part := range []struct {
		title string
		items []string
	}{{"Engagements du bénéficiaire", c.Beneficiary}, {"Engagements du formateur", c.Trainer}} {
		if len(part.items) == 0 {
			continue
		}
		m.rawPara("**" + mdInline(part.title) + "** :")
		for _, it := range part.items {
			m.line("- ", mdInline(it))
		}
		m.line("")
	}
}

// benWaivers writes the waivers of rules.
func (m *md) benWaivers(b *Beneficiary) {
	m.heading(2, "Dérogations")
	if len(b.Waivers) == 0 {
		m.para("Aucune dérogation.")
	} else {
		rows := make([][]string, 0, len(b.Waivers))
		for _, w := range b.Waivers {
			row := []string{shortDate(w.Date), fileOf(w.Path), w.Rule}
			if !b.Anonymized {
				row = append(row, w.Reason)
			}
			rows = append(rows, row)
		}
		head := []string{"Date", "Document", "Règle"}
		if !b.Anonymized {
			head = append(head, "Motif")
		}
		m.table(head, rows)
	}
}

// benNext writes the next interview and the suites of the review.
func (m *md) benNext(b *Beneficiary) {
	m.heading(2, "Prochaines étapes")
	m.item("Prochain entretien", b.nextInterview())
	if b.Next.Suites != "" {
		m.item("Suites prévues au bilan", b.Next.Suites)
	} else if b.Next.SuitesIn != "" {
		m.item("Suites prévues au bilan", "renseignées dans "+fileOf(b.Next.SuitesIn))
	}
	m.line("")
}

// benValidation writes what validate says of the case.
func (m *md) benValidation(b *Beneficiary) {
	m.heading(2, "Validation")
	m.para(b.validationText())
	if len(b.Findings) > 0 {
		rows := make([][]string, 0, len(b.Findings))
		for _, f := range b.Findings {
			rows = append(rows, []string{fileOf(f.Path), strconv.Itoa(f.Line), severityLabel(f.Severity), f.Rule, f.Message})
		}
		m.table([]string{"Document", "Ligne", "Gravité", "Règle", "Message"}, rows)
	}
}

// benPrivacy writes the data-protection notice.
func (m *md) benPrivacy(b *Beneficiary) {
	if b.Privacy != nil {
		m.heading(2, "Données personnelles")
		for _, l := range b.privacyLines() {
			m.line("- ", mdInline(l))
		}
		m.line("")
	}
}

// benAnnex writes the full text of every document.
func (m *md) benAnnex(b *Beneficiary) {
	if len(b.Documents) > 0 {
		m.heading(2, "Annexe : contenu intégral du dossier")
		for _, d := range b.Documents {
			m.heading(3, d.Title)
			m.para("Fichier : " + d.Path)
			m.heading(4, "Informations enregistrées")
			m.fields(d.Fields, 0)
			m.line("")
			if d.Body != "" {
				m.body(d.Body, 2)
				m.line("")
			}
		}
	}
}

func (m *md) objective(o Objective, anon bool) {
	m.heading(3, o.heading())
	if o.Indicator != "" {
		m.item("Indicateur", o.Indicator)
	}
	if o.Deadline != "" {
		m.item("Échéance", longDate(o.Deadline))
	} else {
		m.item("Échéance", "non fixée")
	}
	st := m.l.objectiveStatus(o.Status)
	if o.Overdue {
		st += " — en retard de " + days(o.DaysLate)
	}
	m.item("Statut", st)
	yes := "non"
	if o.Retained {
		yes = "oui"
	}
	m.item("Retenu au contrat", yes)
	if o.DeclaredOn != "" {
		m.item("Déclaré le", longDate(o.DeclaredOn)+" ("+fileOf(o.DeclaredIn)+")")
	}
	m.line("")
	if len(o.Revisions) > 0 {
		m.rawPara("**Révisions** :")
		for _, r := range o.Revisions {
			m.line("- ", mdInline(longDate(r.Date)+" : "+strings.Join(r.Changes, " ; ")))
		}
		m.line("")
	}
	if len(o.Followups) > 0 {
		m.rawPara("**Suivi** :")
		rows := make([][]string, 0, len(o.Followups))
		for _, f := range o.Followups {
			row := []string{shortDate(f.Date), m.l.objectiveStatus(f.Status)}
			if !anon {
				row = append(row, f.Comment)
			}
			rows = append(rows, row)
		}
		head := []string{"Date", "Statut"}
		if !anon {
			head = append(head, "Commentaire")
		}
		m.table(head, rows)
	}
	if len(o.Actions) > 0 {
		m.rawPara("**Actions** :")
		rows := make([][]string, 0, len(o.Actions))
		for _, a := range o.Actions {
			rows = append(rows, []string{a.label(), shortDate(a.Deadline), responsibleLabel(a.Responsible), a.state()})
		}
		m.table([]string{"Action", "Échéance", "Responsable", "État"}, rows)
	}
}

func (a ActionState) label() string {
	if a.Label == "" {
		return "—"
	}
	return a.Label
}

func (a ActionState) state() string {
	switch {
	case a.Done:
		return "faite"
	case a.Overdue:
		return "en retard"
	}
	return "à faire"
}

func (m *md) barriers(b *Barriers) {
	m.para("Niveaux de 0 (aucun frein) à 3 (frein bloquant) ; « — » : domaine non évalué.")
	head := []string{"Domaine"}
	for i, a := range b.Assessments {
		head = append(head, a.heading(i))
	}
	if len(b.Assessments) > 1 {
		head = append(head, "Évolution")
	}
	rows := make([][]string, 0, len(b.Domains))
	for _, d := range b.Domains {
		row := []string{m.l.barrier(d.Key)}
		for _, l := range d.Levels {
			row = append(row, m.l.levelText(d.Key, l))
		}
		if len(b.Assessments) > 1 {
			row = append(row, d.trend())
		}
		rows = append(rows, row)
	}
	if len(b.Assessments) > 0 {
		m.table(head, rows)
	}
	if b.Compensation != nil {
		v := "non"
		if *b.Compensation {
			v = "oui"
		}
		m.item("Besoin de compensation (handicap)", v)
		m.line("")
	}
}

func (m *md) fields(fs []Field, depth int) {
	indent := strings.Repeat("  ", depth)
	for _, f := range fs {
		switch {
		case f.Label == "":
			m.line(indent, "- ", mdInline(f.Value))
		case len(f.Children) > 0:
			m.line(indent, "- **", mdInline(f.Label), "** :")
			m.fields(f.Children, depth+1)
		default:
			m.line(indent, "- **", mdInline(f.Label), "** : ", mdInline(f.Value))
		}
	}
}

// body writes a document's Markdown body with its headings moved down by
// shift levels, so that they sit under the report's own.
func (m *md) body(body string, shift int) {
	fence := false
	for _, l := range strings.Split(body, "\n") {
		t := strings.TrimLeft(l, " ")
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(l, "#") {
			n := len(l) - len(strings.TrimLeft(l, "#"))
			if n <= 6 && (len(l) == n || l[n] == ' ') {
				l = strings.Repeat("#", min(6, n+shift)) + l[n:]
			}
		}
		m.line(l)
	}
}

// caseload writes the caseload report, one section after the other.
func (m *md) caseload(r *Caseload) {
	title := "File active"
	if r.Organisation != "" {
		title += " — " + r.Organisation
	}
	title += r.scopeTitle()
	m.heading(1, title)
	m.para(r.issued())
	if r.Anonymized {
		m.line("> ", mdInline(anonymizedNotice))
		m.line("")
	}

	m.clSummary(r)
	if r.Period != nil {
		m.period(r)
	}

	m.clTables(r)
	m.clObjectives(r)
	m.clSatisfaction(r)
	m.clAttention(r)
	m.clRows(r)
}

// clSummary writes the key figures.
func (m *md) clSummary(r *Caseload) {
	m.heading(2, "Synthèse")
	m.item("Bénéficiaires", r.Total.String())
	m.item("Taux d'abandon", r.dropOutText())
	m.item("Satisfaction moyenne au bilan", r.satisfactionText())
	o := r.Objectives
	m.item("Objectifs", o.Total.String()+", dont "+o.Reached.String()+" atteints et "+o.Overdue.String()+" en retard")
	if !r.Anonymized {
		m.item("Bénéficiaires à suivre de près", strconv.Itoa(len(r.Attention)))
	}
	m.line("")
}

// clTables writes the beneficiaries by fiche status, by phase and by trainer.
func (m *md) clTables(r *Caseload) {
	m.heading(2, "Bénéficiaires par statut")
	rows := [][]string{}
	for _, t := range r.ByStatus {
		if t.Key == "" && t.Count.N == 0 && !t.Count.Suppressed {
			continue
		}
		rows = append(rows, []string{m.l.ficheStatus(t.Key), t.Count.String()})
	}
	rows = append(rows, []string{"Total", r.Total.String()})
	m.table([]string{"Statut de la fiche", "Bénéficiaires"}, rows)

	m.heading(2, "Bénéficiaires par phase")
	m.para("Phase du dernier entretien.")
	rows = [][]string{}
	for _, t := range r.ByPhase {
		rows = append(rows, []string{phaseLabel(t.Key), t.Count.String()})
	}
	m.table([]string{"Phase", "Bénéficiaires"}, rows)

	m.heading(2, "Par formateur référent")
	head, trows := r.trainerTable()
	m.table(head, trows)
}

// clObjectives writes the objectives by status.
func (m *md) clObjectives(r *Caseload) {
	o := r.Objectives
	m.heading(2, "Objectifs")
	m.table([]string{"Statut", "Objectifs"}, [][]string{
		{"En cours ou reportés", o.Open.String()},
		{"dont en retard", o.Overdue.String()},
		{"Atteints", o.Reached.String()},
		{"Partiellement atteints", o.Partial.String()},
		{"Non atteints", o.NotReached.String()},
		{"Abandonnés", o.Abandoned.String()},
		{"Total", o.Total.String()},
	})
}

// clSatisfaction writes the distribution of the review's satisfaction.
func (m *md) clSatisfaction(r *Caseload) {
	m.heading(2, "Satisfaction")
	m.para("Note donnée par le bénéficiaire au bilan, de 1 à 4 (dernier bilan finalisé de chacun).")
	rows := [][]string{}
	for _, t := range r.Satisfaction.Distribution {
		rows = append(rows, []string{t.Key + " sur 4", t.Count.String()})
	}
	rows = append(rows, []string{"Réponses", r.Satisfaction.Responses.String()})
	m.table([]string{"Note", "Bénéficiaires"}, rows)
}

// clAttention writes who needs attention, and why.
func (m *md) clAttention(r *Caseload) {
	m.heading(2, "À suivre de près")
	m.para(r.attentionCriteria())
	rows := [][]string{}
	for _, t := range r.AttentionByReason {
		rows = append(rows, []string{reasonLabel(t.Key), t.Count.String()})
	}
	m.table([]string{"Motif", "Bénéficiaires"}, rows)
	if !r.Anonymized {
		if len(r.Attention) == 0 {
			m.para("Aucun bénéficiaire à signaler.")
		} else {
			rows = make([][]string, 0, len(r.Attention))
			for _, a := range r.Attention {
				texts := make([]string, len(a.Reasons))
				for i, rs := range a.Reasons {
					texts[i] = rs.Text
				}
				rows = append(rows, []string{a.Name + " (" + a.ID + ")", a.Referent, strings.Join(texts, " ; ")})
			}
			m.table([]string{"Bénéficiaire", "Référent", "Motifs"}, rows)
		}
	}
}

// clRows writes one row per case file (not when anonymized).
func (m *md) clRows(r *Caseload) {
	if !r.Anonymized {
		m.heading(2, "Dossiers")
		rows := make([][]string, 0, len(r.Beneficiaries))
		for _, b := range r.Beneficiaries {
			rows = append(rows, b.cells(m.l))
		}
		m.table(rowHead, rows)
	}
}

var rowHead = []string{"Bénéficiaire", "Référent", "Statut", "Phase", "Entrée", "Dernier contact", "Prochain entretien", "Objectifs", "Validation"}

func (b Row) cells(l *labels) []string {
	obj := strconv.Itoa(b.Objectives)
	if b.Objectives > 0 {
		obj += " (" + plural(b.Reached, "atteint", "atteints")
		if b.Overdue > 0 {
			obj += ", " + strconv.Itoa(b.Overdue) + " en retard"
		}
		obj += ")"
	}
	val := "—"
	if b.Errors+b.Warnings > 0 {
		val = plural(b.Errors, "erreur", "erreurs") + ", " + plural(b.Warnings, "avert.", "avert.")
	}
	return []string{b.Name + " (" + b.ID + ")", b.Referent, l.ficheStatus(b.Status), phaseLabel(b.Phase),
		shortDate(b.Entry), shortDate(b.LastContact), shortDate(b.NextInterview), obj, val}
}

func (r *Caseload) trainerTable() ([]string, [][]string) {
	l := labelsOf(&r.Header)
	head := []string{"Formateur référent", "Total"}
	n := len(l.ficheStatuses)
	if !r.hasUnknownStatus() {
		n--
	}
	for _, k := range l.ficheStatuses[:n] {
		head = append(head, l.ficheStatus(k))
	}
	head = append(head, "À suivre", "Objectifs en retard")
	rows := make([][]string, 0, len(r.Trainers))
	for _, t := range r.Trainers {
		name := t.Name
		if name == "" {
			name = "Non renseigné"
		}
		row := []string{name, t.Total.String()}
		for _, s := range t.ByStatus[:n] {
			row = append(row, s.Count.String())
		}
		row = append(row, t.Attention.String(), t.OverdueObjectives.String())
		rows = append(rows, row)
	}
	return head, rows
}

func (m *md) qualiopi(q *Qualiopi) {
	title := "Preuves Qualiopi"
	if q.Organisation != "" {
		title += " — " + q.Organisation
	}
	title += q.scopeTitle()
	m.heading(1, title)
	m.para(q.issued())
	if q.Anonymized {
		m.line("> ", mdInline("Version anonymisée : les personnes sont désignées par un pseudonyme stable, qui remplace aussi l'identifiant dans les chemins des documents."))
		m.line("")
	}
	m.para(qualiopiIntro)

	m.heading(2, "Indicateurs et preuves attendues")
	rows := make([][]string, 0, len(q.Indicators))
	for _, i := range q.Indicators {
		rows = append(rows, []string{strconv.Itoa(i.Number), i.Title, i.Evidence})
	}
	m.table([]string{"Indicateur", "Intitulé", "Ce qui fait preuve"}, rows)

	m.heading(2, "Synthèse")
	rows = make([][]string, 0, len(q.Summary))
	for _, s := range q.Summary {
		rows = append(rows, []string{strconv.Itoa(s.Number) + " — " + indicatorTitle(s.Number), strconv.Itoa(s.Proven), strconv.Itoa(s.Missing), strconv.Itoa(s.Pending)})
	}
	m.table([]string{"Indicateur", "Preuve", "Manquant", "À venir"}, rows)

	m.heading(2, "Par bénéficiaire")
	if len(q.Beneficiaries) == 0 {
		m.para("Aucun bénéficiaire.")
	}
	for _, b := range q.Beneficiaries {
		m.heading(3, b.Name)
		m.item("Dossier", b.folder())
		if b.Referent != "" {
			m.item("Formateur référent", b.Referent)
		}
		m.item("Statut", m.l.ficheStatus(b.Status))
		m.line("")
		rows := make([][]string, 0, len(b.Evidence))
		for _, e := range b.Evidence {
			rows = append(rows, []string{strconv.Itoa(e.Indicator) + " — " + indicatorTitle(e.Indicator), stateLabel(e.State), e.text()})
		}
		m.table([]string{"Indicateur", "État", "Détail"}, rows)
	}
}
