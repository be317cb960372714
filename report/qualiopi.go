package report

import (
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// Indicator is a Qualiopi indicator (Référentiel national qualité) the
// methodology produces evidence for, with what acc looks for.
type Indicator struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	// Evidence says in French which documents prove it.
	Evidence string `json:"evidence"`
}

// Indicators is the mapping from the methodology to Qualiopi. Each line's
// check is the function of the same number in evidenceFor; a document
// counts only when finalised and held (presence: present).
//
//	 4 analyse du besoin        entretien initial + entretien de diagnostic
//	 5 objectifs                objectives with indicateur and echeance (co-élaboration) + signed contract
//	 8 positionnement           diagnostic rating the freins, with a written Compétences section
//	10 adaptation               suivis with a written Ajustements section, objective revisions,
//	                            waivers with their motif; Adaptations section when besoin_compensation
//	11 évaluation des acquis    evaluation in suivis/bilan; a finalised bilan once the fiche is termine
//	12 prévention des ruptures  every missed interview followed by a relance, no gap above the rythme
//	                            without a waiver, an abandon with its motif_sortie
//	30 recueil des appréciations the satisfaction of a finalised bilan
var Indicators = []Indicator{
	{4, "Analyse du besoin", "Entretien initial et entretien de diagnostic finalisés."},
	{5, "Objectifs de la prestation", "Objectifs avec indicateur et échéance (co-élaboration), contrat d'accompagnement signé."},
	{8, "Positionnement à l'entrée", "Diagnostic finalisé avec la grille des freins et la section Compétences rédigée."},
	{10, "Adaptation de la prestation", "Ajustements rédigés dans les suivis, objectifs révisés, dérogations motivées ; section Adaptations en cas de besoin de compensation."},
	{11, "Évaluation des acquis", "Évaluations (autonomie, interactions) des suivis et du bilan ; bilan finalisé en fin de parcours."},
	{12, "Prévention des ruptures de parcours", "Relance après chaque entretien manqué, rythme des entretiens tenu ou dérogation motivée, motif de sortie en cas d'abandon."},
	{30, "Recueil des appréciations", "Satisfaction du bénéficiaire notée au bilan."},
}

// Evidence states.
const (
	StateProven  = "preuve"   // the documents prove it
	StateMissing = "manquant" // something is missing (Missing says what)
	StatePending = "a-venir"  // the path has not reached that step yet
)

// Qualiopi is the audit evidence per indicator for each beneficiary.
type Qualiopi struct {
	Header
	Indicators    []Indicator        `json:"indicators"`
	Summary       []IndicatorSummary `json:"summary"`
	Beneficiaries []QualiopiRow      `json:"beneficiaries"`
}

// IndicatorSummary counts the beneficiaries per state for one indicator.
type IndicatorSummary struct {
	Number  int `json:"number"`
	Proven  int `json:"proven"`
	Missing int `json:"missing"`
	Pending int `json:"pending"`
}

// QualiopiRow is one beneficiary's evidence.
type QualiopiRow struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Referent string     `json:"referent"`
	Status   string     `json:"status"`
	Evidence []Evidence `json:"evidence"` // in the order of Indicators
	// What a scope (Options.Scope) selects by.
	dispositif  string
	entry, exit time.Time
}

// Evidence is the state of one indicator for one beneficiary.
type Evidence struct {
	Indicator int      `json:"indicator"`
	State     string   `json:"state"`
	Documents []string `json:"documents"` // the paths that prove it, in date order
	Missing   []string `json:"missing"`   // French: what is missing
	Pending   []string `json:"pending"`   // French: what is still to come
	// later is what is to come only until a day (see Evidence.on).
	later []later
}

// QualiopiBuilder collects the evidence one case at a time.
type QualiopiBuilder struct {
	s    *settings
	rows []QualiopiRow
}

// NewQualiopi starts a Qualiopi report.
func NewQualiopi(opt Options) (*QualiopiBuilder, error) {
	s, err := newSettings(opt)
	if err != nil {
		return nil, err
	}
	return &QualiopiBuilder{s: s}, nil
}

// BuildQualiopi builds the Qualiopi report from a sequence of cases (the
// findings are not used: the evidence is read from the documents).
func BuildQualiopi(cases iter.Seq2[*casefile.Case, []validate.Finding], opt Options) (*Qualiopi, error) {
	b, err := NewQualiopi(opt)
	if err != nil {
		return nil, err
	}
	for c, f := range cases {
		b.Add(c, f)
	}
	return b.Report(), nil
}

// Add collects the evidence of one case. The builder keeps no reference to it.
func (b *QualiopiBuilder) Add(c *casefile.Case, _ []validate.Finding) {
	b.AddRow(b.Row(c))
}

// Report returns the Qualiopi report, beneficiaries by id.
func (b *QualiopiBuilder) Report() *Qualiopi {
	q := &Qualiopi{Header: b.s.header(KindQualiopi), Indicators: Indicators, Beneficiaries: b.rows}
	if q.Beneficiaries == nil {
		q.Beneficiaries = []QualiopiRow{}
	}
	slices.SortStableFunc(q.Beneficiaries, func(a, b QualiopiRow) int { return strings.Compare(a.ID, b.ID) })
	for i, ind := range Indicators {
		sum := IndicatorSummary{Number: ind.Number}
		for _, r := range q.Beneficiaries {
			switch r.Evidence[i].State {
			case StateProven:
				sum.Proven++
			case StateMissing:
				sum.Missing++
			default:
				sum.Pending++
			}
		}
		q.Summary = append(q.Summary, sum)
	}
	maskSensitive(q)
	return q
}

// evidenceCase holds what the checks need about one case.
type evidenceCase struct {
	s      *settings
	c      *casefile.Case
	status string
	// o is the outlook of the one judgement of the case: whether a step may
	// still come and by when, missed interviews, the pace. A row does not
	// depend on the day: what is to come until a day is decided when the
	// row is added (Evidence.on).
	o *casefile.Outlook
}

func (s *settings) newEvidenceCase(c *casefile.Case, status string) *evidenceCase {
	return &evidenceCase{s: s, c: c, status: status, o: casefile.Foresee(c, s.Rules, s.kinds)}
}

// of returns the outlook's concerns of a rule that are not waived; those
// the evidence reads do not depend on the day.
func (e *evidenceCase) concerns(rule string) []casefile.Concern {
	var out []casefile.Concern
	for _, c := range e.o.Concerns {
		if c.Rule == rule && !c.Waived {
			out = append(out, c)
		}
	}
	return out
}

// done reports whether an interview counts as evidence: finalised and held.
func done(d *casefile.Document) bool { return d.Final() && d.Held() }

func (e *evidenceCase) of(kind string) []*casefile.Document {
	var out []*casefile.Document
	for _, d := range e.c.Interviews {
		if e.s.kind(d) == kind {
			out = append(out, d)
		}
	}
	return out
}

func (e *evidenceCase) path(d *casefile.Document) string { return e.s.path(e.c.ID, d.Path) }

// toCome records what a step of that type still has to give: to come while
// the step may still come and its moment has not passed (as the judgement
// says: casefile.Judgement.Pending), missing after. Evidence whose moment
// has passed is missing, never to come.
func (e *evidenceCase) toCome(v *evidence, kind, pending, missing string) {
	if !e.o.MayCome(kind) {
		v.Missing = append(v.Missing, missing)
		return
	}
	v.Pending = append(v.Pending, pending)
	if due, ok := e.o.Due(kind); ok {
		v.later = append(v.later, later{pending: pending, missing: missing, due: due})
	}
}

// later is evidence to come until a day, missing after it. Without
// pending, the missing item is in Missing from the start and holds only
// after the day (a missed interview dated later is not missed yet).
type later struct {
	pending, missing string
	due              time.Time // the last day it is to come
}

// on returns the evidence on a day: what was to come until a day now
// past is missing.
func (ev Evidence) on(today time.Time) Evidence {
	var moved bool
	for _, l := range ev.later {
		if l.pending == "" {
			if i := slices.Index(ev.Missing, l.missing); i >= 0 && !today.After(l.due) {
				ev.Missing = slices.Delete(slices.Clone(ev.Missing), i, i+1)
				moved = true
			}
			continue
		}
		if !today.After(l.due) {
			continue
		}
		if i := slices.Index(ev.Pending, l.pending); i >= 0 {
			ev.Pending = slices.Delete(slices.Clone(ev.Pending), i, i+1)
			ev.Missing = append(slices.Clip(ev.Missing), l.missing)
			moved = true
		}
	}
	if moved {
		ev.later = nil
		v := evidence{Evidence: ev}
		return v.result()
	}
	return ev
}

// evidence accumulates one indicator's result.
type evidence struct {
	Evidence
	seen map[string]bool
}

func newEvidence(n int) *evidence {
	return &evidence{Evidence: Evidence{Indicator: n, Documents: []string{}, Missing: []string{}, Pending: []string{}}, seen: map[string]bool{}}
}

func (v *evidence) doc(p string) {
	if !v.seen[p] {
		v.seen[p] = true
		v.Documents = append(v.Documents, p)
	}
}

func (v *evidence) result() Evidence {
	switch {
	case len(v.Missing) > 0:
		v.State = StateMissing
	case len(v.Pending) > 0:
		v.State = StatePending
	default:
		v.State = StateProven
	}
	return v.Evidence
}

// step requires a finalised, held interview of a type; it returns it.
func (e *evidenceCase) step(v *evidence, kind, what string) *casefile.Document {
	var draft bool
	for _, d := range e.of(kind) {
		if done(d) {
			v.doc(e.path(d))
			return d
		}
		draft = draft || d.Statut() == statusDraft
	}
	if draft {
		e.toCome(v, kind, what+" en brouillon", what+" resté en brouillon")
	} else {
		e.toCome(v, kind, what, what+" absent")
	}
	return nil
}

func (e *evidenceCase) evidenceFor(n int) Evidence {
	v := newEvidence(n)
	switch n {
	case 4:
		e.step(v, TypeInitial, "entretien initial finalisé")
		e.step(v, TypeDiagnostic, "entretien de diagnostic finalisé")
	case 5:
		e.objectives(v)
	case 8:
		e.positioning(v)
	case 10:
		e.adaptation(v)
	case 11:
		e.assessment(v)
	case 12:
		e.ruptures(v)
	case 30:
		e.satisfaction(v)
	}
	v.sortDocs()
	return v.result()
}

// sortDocs puts the documents in file-name order, which is date order
// within a beneficiary folder (fiche.md last).
func (v *evidence) sortDocs() { slices.Sort(v.Documents) }

func (e *evidenceCase) objectives(v *evidence) {
	objs := e.c.Objectives
	if len(objs) == 0 {
		e.toCome(v, TypeCoElab, "objectifs à définir en co-élaboration", "aucun objectif déclaré")
	}
	for _, o := range objs {
		if len(o.Revisions) > 0 {
			v.doc(e.path(o.Revisions[0].Doc))
		}
		var lacks []string
		if o.Intitule == "" {
			lacks = append(lacks, "d'intitulé")
		}
		if o.Indicateur == "" {
			lacks = append(lacks, "d'indicateur")
		}
		if o.Echeance.IsZero() {
			lacks = append(lacks, "d'échéance")
		}
		if len(lacks) > 0 {
			v.Missing = append(v.Missing, "objectif "+o.ID+" sans "+strings.Replace(listFr(lacks), " et ", " ni ", 1))
		}
	}
	var signed bool
	var unsigned *casefile.Document
	for _, d := range e.of(TypeContract) {
		if !done(d) {
			continue
		}
		if _, ok := d.Date("signe_le"); ok && len(scalars(get(d.Front, "signataires"))) > 0 {
			v.doc(e.path(d))
			signed = true
			break
		}
		unsigned = d
	}
	switch {
	case signed:
	case unsigned != nil:
		v.Missing = append(v.Missing, "contrat sans date de signature ou signataires ("+fileOf(e.path(unsigned))+")")
	default:
		e.toCome(v, TypeContract, "contrat d'accompagnement à signer", "contrat d'accompagnement signé absent")
	}
}

func (e *evidenceCase) positioning(v *evidence) {
	d := e.step(v, TypeDiagnostic, "entretien de diagnostic finalisé")
	if d == nil {
		return
	}
	fr, _ := d.Get("freins")
	assessed := 0
	for _, p := range casefile.Pairs(fr) {
		if n, ok := casefile.IntOf(casefile.Resolve(p.Value)); ok && n >= 0 && n <= 3 {
			assessed++
		}
	}
	if assessed == 0 {
		v.Missing = append(v.Missing, "grille des freins non renseignée ("+fileOf(e.path(d))+")")
	}
	if !written(d, "Compétences") {
		v.Missing = append(v.Missing, "section Compétences absente ou vide ("+fileOf(e.path(d))+")")
	}
}

// written reports whether a document has the level-2 section with text.
func written(d *casefile.Document, title string) bool {
	h, ok := d.Section(title)
	return ok && !h.Empty
}

func (e *evidenceCase) adaptation(v *evidence) {
	found := false
	for _, d := range e.c.Interviews {
		k := e.s.kind(d)
		if (k == TypeFollowUp || k == TypeReview) && done(d) && written(d, "Ajustements") {
			v.doc(e.path(d))
			found = true
		}
		if dv, _ := d.Get("derogations"); dv != nil {
			for _, item := range seqItems(dv) {
				if str(item, "motif") != "" {
					v.doc(e.path(d))
					found = true
				}
			}
		}
	}
	for _, o := range e.c.Objectives {
		for _, r := range o.Revisions[min(1, len(o.Revisions)):] {
			if slices.ContainsFunc(r.Fields, func(f string) bool { return f == "echeance" || f == "indicateur" || f == "intitule" }) {
				v.doc(e.path(r.Doc))
				found = true
			}
		}
	}
	// A stated need for compensation calls for written adaptations.
	for _, d := range e.of(TypeDiagnostic) {
		bc, _ := casefile.BoolOf(get(d.Front, "besoin_compensation"))
		if !bc {
			continue
		}
		if written(d, "Adaptations") {
			v.doc(e.path(d))
			found = true
		} else {
			v.Missing = append(v.Missing, "besoin de compensation sans section Adaptations rédigée ("+fileOf(e.path(d))+")")
		}
	}
	if !found && len(v.Missing) == 0 {
		e.toCome(v, TypeFollowUp, "ajustements à documenter lors des entretiens de suivi", "aucun ajustement documenté (section Ajustements des suivis)")
	}
}

func (e *evidenceCase) assessment(v *evidence) {
	rated, followed := false, false
	for _, d := range e.c.Interviews {
		k := e.s.kind(d)
		if (k == TypeFollowUp || k == TypeReview) && done(d) {
			followed = true
			if ev := get(d.Front, "evaluation"); scale4(ev, "autonomie") > 0 || scale4(ev, "interactions") > 0 {
				v.doc(e.path(d))
				rated = true
			}
		}
	}
	if e.status == ficheDone {
		e.step(v, TypeReview, "entretien de bilan finalisé")
	}
	if !rated {
		if followed {
			v.Missing = append(v.Missing, "aucune évaluation de l'autonomie et des interactions")
		} else {
			e.toCome(v, TypeFollowUp, "évaluations à porter dans les entretiens de suivi", "aucune évaluation de l'autonomie et des interactions")
		}
	}
}

func (e *evidenceCase) ruptures(v *evidence) {
	s := e.s
	followed := false
	// Missed interviews and the pace are the judgement's concerns
	// (absence-sans-relance, rythme): a rule turned off asks for no evidence.
	noRelance := map[*casefile.Document]time.Time{}
	for _, c := range e.concerns("absence-sans-relance") {
		noRelance[c.Doc] = c.From
	}
	for _, d := range e.c.Interviews {
		switch d.Presence() {
		case "absent":
			if from, ok := noRelance[d]; ok {
				m := "entretien manqué du " + shortDate(dateStr(d, "date")) + " sans relance"
				v.Missing = append(v.Missing, m)
				if !from.IsZero() {
					// Not missed before its day (Evidence.on).
					v.later = append(v.later, later{missing: m, due: from.AddDate(0, 0, -1)})
				}
			} else if _, ok := d.Date("relance"); ok {
				v.doc(e.path(d))
			}
		case "excuse":
			v.doc(e.path(d))
		}
		if k := s.kind(d); (k == TypeFollowUp || k == TypeReview) && done(d) {
			followed = true
		}
	}
	// From the contract on, a gap above the maximum needs a waiver of the
	// rule rythme, with its motif, on the later interview.
	for _, c := range e.o.Concerns {
		if c.Rule != "rythme" || c.Gap != casefile.GapLong {
			continue
		}
		if c.Waived && waived(c.Doc, "rythme") {
			v.doc(e.path(c.Doc))
		} else {
			v.Missing = append(v.Missing, "écart de "+days(c.Days)+" sans entretien avant celui du "+shortDate(isoDate(c.Date.AddDate(0, 0, c.Days)))+", sans dérogation motivée")
		}
	}
	if e.status == ficheDropped {
		if f := e.c.Fiche; f != nil && f.Str("motif_sortie") != "" {
			v.doc(e.s.path(e.c.ID, f.Path))
		} else {
			v.Missing = append(v.Missing, "abandon sans motif de sortie sur la fiche")
		}
	}
	if !followed && len(v.Documents) == 0 && len(v.Missing) == 0 {
		e.toCome(v, TypeFollowUp, "suivi régulier à documenter", "aucun entretien de suivi finalisé")
		return
	}
	if len(v.Missing) == 0 {
		// The regular follow-up is itself the prevention: show it.
		for _, d := range e.of(TypeFollowUp) {
			if done(d) {
				v.doc(e.path(d))
			}
		}
	}
}

// waived reports whether a document waives a rule with a motif.
func waived(d *casefile.Document, rule string) bool {
	dv, _ := d.Get("derogations")
	for _, item := range seqItems(dv) {
		if str(item, "regle") == rule && str(item, "motif") != "" {
			return true
		}
	}
	return false
}

func (e *evidenceCase) satisfaction(v *evidence) {
	for _, d := range e.of(TypeReview) {
		if !done(d) {
			continue
		}
		if n, ok := casefile.IntOf(get(d.Front, "satisfaction")); ok && n >= 1 && n <= 4 {
			v.doc(e.path(d))
			return
		}
	}
	e.toCome(v, TypeReview, "satisfaction à recueillir au bilan", "aucune appréciation du bénéficiaire recueillie (satisfaction du bilan)")
}

func fileOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
