package casefile

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kind is what the judgement knows of a document type: its place in the
// methodology (DESIGN §1).
type Kind struct {
	Label string // "Entretien de suivi"
	Phase string // accueil, construction, accompagnement
	Rank  int    // methodology order, 1..6 for the built-ins
	// Builtin is the built-in type the type counts as: its own name for a
	// built-in, the built-in it refines for an organisation's type based on
	// one, "" otherwise.
	Builtin string
}

// Kinds gives the Kind of an interview type; ok is false for a name that
// is not an interview type (the fiche, an unknown name).
type Kinds func(name string) (k Kind, ok bool)

// Built-in interview types whose place in the methodology the judgement
// knows (DESIGN §1).
const (
	TypeInitial    = "entretien-initial"
	TypeDiagnostic = "entretien-diagnostic"
	TypeCoElab     = "co-elaboration"
	TypeContract   = "contractualisation"
	TypeFollowUp   = "entretien-suivi"
	TypeReview     = "entretien-bilan"
)

// Concern is one answer of the judgement: a time- or phase-based rule that
// applies to a case on the day judged. validate turns it into a finding,
// status and list into an attention item or a filter, the reports into a
// reason, a flag or a piece of evidence.
type Concern struct {
	Rule     string
	Severity Severity // never SeverityOff: a rule turned off gives no concern
	Doc      *Document
	// Node is where the problem shows: a value, or the key of an empty one;
	// nil for line 1 of Doc.
	Node *yaml.Node
	// Key identifies the problem within Doc independently of its line.
	Key string
	// Waived is true when Doc waives the rule (derogations, DESIGN §5):
	// validate counts the waiver, every other reader leaves the concern out.
	Waived bool
	// From is the first day the concern applies, Until the first day it no
	// longer does; zero leaves that side open. A judgement on a day holds
	// only the concerns that apply that day.
	From, Until time.Time

	// Date is what the rule counts from: the deadline (objectif-en-retard,
	// action-en-retard), the draft's date (brouillon-ancien), the planned
	// day (entretien-non-documente), the earlier interview (rythme), the
	// missed interview's date (absence-sans-relance, decrochage), the
	// entry (premier-entretien), the last contact (conservation).
	Date time.Time
	// Days is the measure the rule compares with Limit: days late, the gap,
	// the draft's age, days since the entry, counted on the day judged
	// (only the gaps of rythme do not depend on it); months are not counted
	// (conservation compares dates).
	Days  int
	Limit int // the rule's parameter in force

	// Gap is rythme's kind of gap: GapLong, GapShort or GapSince.
	Gap string
	// Objective and Action name what is overdue; ActionIndex counts the
	// actions of the objective from 1.
	Objective   *Objective
	Action      *Action
	ActionIndex int
}

// Kinds of rythme concerns.
const (
	GapLong  = "ecart"     // two held interviews too far apart
	GapShort = "rapproche" // two held interviews too close
	GapSince = "depuis"    // no interview since the last one, fiche en-cours
)

// Draft is an interview still in brouillon, with its date.
type Draft struct {
	Doc  *Document
	Date time.Time
	Days int // its age on the day judged
	// Old is true when brouillon-ancien applies to it on the day judged
	// (rule on, older than its `jours`, not waived).
	Old bool
	// OldFrom is the first day it is old; zero when it never is.
	OldFrom time.Time
}

// Judgement is the one answer to the time- and phase-based questions about
// a case on a day (DESIGN §5.2): what is overdue, old, undocumented, without
// contact, to purge, and which step of the methodology is still to come.
// Every command reads it; none judges time on its own.
type Judgement struct {
	Today time.Time
	// Concerns are those that apply on Today, in a stable order: objectives
	// and actions, rythme, entretien-non-documente, brouillon-ancien,
	// absence-sans-relance, decrochage, premier-entretien, conservation.
	Concerns []Concern
	// Drafts lists every dated draft, old or not, in fold order.
	Drafts []Draft
	*Outlook
}

// Outlook is what the judgement of a case is on any day: every concern
// with the days it applies, the drafts with the day they become old, and
// the facts the rules count from. It depends on the case and the settings
// only, so that a caller may keep what it derives from it between runs
// (the reports do) and judge it again on another day (On).
type Outlook struct {
	// Concerns are every concern the case raises on some day (see
	// Concern.From), in the order of Judgement.Concerns.
	Concerns []Concern
	// Drafts lists every dated draft, with the day it becomes old.
	Drafts []Draft
	// Planned is the interview planned by the latest plan (prochain_entretien)
	// that no interview, held or missed, followed yet, with the document that
	// plans it; zero when none is pending.
	Planned     time.Time
	PlannedFrom *Document
	// LastContact is the last contact as conservation counts it: the latest
	// held interview, relance or date_sortie; date_entree when there is none.
	LastContact time.Time
	// LastHeld is the latest held interview or relance: the last time
	// someone spoke to the person; zero when none.
	LastHeld time.Time
	// PurgeFrom is the first day the case is past the retention period; zero
	// when conservation is off or there is no date to count from.
	PurgeFrom time.Time

	c       *Case
	kinds   Kinds
	rules   *RuleSettings
	maxRank int // highest rank of a held interview (by built-in kind)
}

// judge holds what the rules share while judging one case.
type judge struct {
	*Outlook
	// dated are the interviews of a known type with a usable date, held or
	// missed, in fold order; held those that took place.
	dated, held []*Document
	dates       map[*Document]time.Time
}

// Judge judges a case on a day with a repository's rule settings (nil: the
// defaults of DESIGN §5) and its types. A rule set to desactive gives no
// concern, whatever asks.
func Judge(c *Case, rules *RuleSettings, kinds Kinds, today time.Time) *Judgement {
	return Foresee(c, rules, kinds).On(today)
}

// On returns the judgement of the outlook's case on a day.
func (o *Outlook) On(today time.Time) *Judgement {
	j := &Judgement{Today: Day(today), Outlook: o}
	for _, c := range o.Concerns {
		if !applies(c.From, c.Until, j.Today) {
			continue
		}
		if c.Gap != GapLong && c.Gap != GapShort {
			c.Days = DaysBetween(c.Date, j.Today)
		}
		j.Concerns = append(j.Concerns, c)
	}
	for _, d := range o.Drafts {
		d.Days = DaysBetween(d.Date, j.Today)
		d.Old = !d.OldFrom.IsZero() && !j.Today.Before(d.OldFrom)
		j.Drafts = append(j.Drafts, d)
	}
	return j
}

// Foresee returns the outlook of a case (see Judge for the arguments).
func Foresee(c *Case, rules *RuleSettings, kinds Kinds) *Outlook {
	if rules == nil {
		rules = defaultRules
	}
	if kinds == nil {
		kinds = func(string) (Kind, bool) { return Kind{}, false }
	}
	j := &judge{Outlook: &Outlook{c: c, kinds: kinds, rules: rules}, dates: map[*Document]time.Time{}}
	for _, d := range c.Interviews {
		k, ok := kinds(d.Type())
		if !ok {
			continue
		}
		t, ok := j.dateOf(d)
		if !ok {
			continue
		}
		j.dates[d] = t
		j.dated = append(j.dated, d)
		if d.Held() {
			j.held = append(j.held, d)
			if b, ok := kinds(k.Builtin); ok && k.Builtin != "" && b.Rank > j.maxRank {
				j.maxRank = b.Rank
			}
		}
	}
	j.objectives()
	j.rythme()
	j.undocumented()
	j.drafts()
	j.missed()
	j.firstInterview()
	j.retention()
	return j.Outlook
}

// dateOf returns the date of an interview: the frontmatter's when valid,
// else the file name's.
func (j *judge) dateOf(d *Document) (time.Time, bool) {
	if t, ok := d.Date("date"); ok {
		return t, true
	}
	t := DocDate(d, func(name string) bool { _, ok := j.kinds(name); return ok })
	return t, !t.IsZero()
}

// add records a concern when its rule is on.
func (j *judge) add(c Concern) {
	sev := j.rules.Severity(c.Rule)
	if sev == SeverityOff {
		return
	}
	c.Severity = sev
	c.Waived = waives(c.Doc, c.Rule)
	j.Concerns = append(j.Concerns, c)
}

// waives reports whether a document waives a rule (derogations), with or
// without motif: a waiver without motif still silences its rule, and
// derogation-sans-motif reports it.
func waives(d *Document, rule string) bool {
	if d == nil {
		return false
	}
	if info, ok := Rule(rule); !ok || !info.Waivable {
		return false
	}
	ws, _ := d.Get("derogations")
	if ws == nil || ws.Kind != yaml.SequenceNode {
		return false
	}
	for _, item := range ws.Content {
		rn, _ := Get(Resolve(item), "regle")
		if strings.TrimSpace(Scalar(rn)) == rule {
			return true
		}
	}
	return false
}

// Has reports whether the judgement holds a concern of that rule that is
// not waived.
func (j *Judgement) Has(rule string) bool {
	for _, c := range j.Concerns {
		if c.Rule == rule && !c.Waived {
			return true
		}
	}
	return false
}

// Of returns the concerns of a rule that are not waived.
func (j *Judgement) Of(rule string) []Concern {
	var out []Concern
	for _, c := range j.Concerns {
		if c.Rule == rule && !c.Waived {
			out = append(out, c)
		}
	}
	return out
}

// ToPurge reports whether the case is past the retention period (rule
// conservation).
func (j *Judgement) ToPurge() bool { return j.Has("conservation") }

// ObjectiveOverdue reports whether the judgement finds o overdue (rule
// objectif-en-retard).
func (j *Judgement) ObjectiveOverdue(o *Objective) bool {
	for _, c := range j.Of("objectif-en-retard") {
		if c.Objective == o {
			return true
		}
	}
	return false
}

// ActionOverdue reports whether the judgement finds an action (an element
// of an objective's Actions) overdue (rule action-en-retard).
func (j *Judgement) ActionOverdue(a *Action) bool {
	for _, c := range j.Of("action-en-retard") {
		if c.Action == a {
			return true
		}
	}
	return false
}

// Late reports whether an objective is late: overdue, or with an overdue
// action.
func (j *Judgement) Late(o *Objective) bool {
	for _, c := range j.Concerns {
		if c.Objective == o && !c.Waived && (c.Rule == "objectif-en-retard" || c.Rule == "action-en-retard") {
			return true
		}
	}
	return false
}

// lastGiving returns the node of key in the latest declaration of o that
// gives it, with its document.
func lastGiving(o *Objective, key string) (*yaml.Node, *Document) {
	for i := len(o.Revisions) - 1; i >= 0; i-- {
		r := o.Revisions[i]
		if v, _ := Get(r.Node, key); !IsNull(v) {
			return v, r.Doc
		}
	}
	return nil, nil
}

// objectives applies objectif-en-retard and action-en-retard while the
// accompaniment is active (en-cours or suspendu), to open objectives of a
// valid id and a known status (a wrong one is champ-invalide already).
func (j *judge) objectives() {
	if !j.c.Active() {
		return
	}
	for _, o := range j.c.Objectives {
		if !CheckObjectiveID(o.ID) || o.Closed() || !knownObjectiveStatus(o.Status()) {
			continue
		}
		if !o.Echeance.IsZero() {
			n, d := lastGiving(o, "echeance")
			if d == nil {
				d = o.Last().Doc
				n, _ = Get(o.Last().Node, "id")
			}
			j.add(Concern{Rule: "objectif-en-retard", Doc: d, Node: n, Key: "objectifs[" + o.ID + "].echeance",
				Date: o.Echeance, From: after(o.Echeance, 0), Objective: o})
		}
		for i := range o.Actions {
			a := &o.Actions[i]
			if a.Fait || a.Echeance.IsZero() {
				continue
			}
			ech, _ := Get(a.Node, "echeance")
			j.add(Concern{Rule: "action-en-retard", Doc: a.Doc, Node: ech,
				Key:  "objectifs[" + o.ID + "].actions[" + strconv.Itoa(i+1) + "]",
				Date: a.Echeance, From: after(a.Echeance, 0), Objective: o, Action: a, ActionIndex: i + 1})
		}
	}
}

// rythme measures the gaps between consecutive held interviews from the
// first contractualisation on (shown on the later interview's date), and,
// while the fiche is en-cours, the gap from the last one to today (shown
// on the fiche's statut: a waiver of the last interview covers the gap
// before it, not the silence after).
func (j *judge) rythme() {
	start := -1
	for i, d := range j.held {
		if d.Type() == TypeContract {
			start = i
			break
		}
	}
	if start < 0 {
		return
	}
	maxGap, minGap := j.rules.RythmeMax, j.rules.RythmeMin
	run := j.held[start:]
	for i := 1; i < len(run); i++ {
		prev, cur := run[i-1], run[i]
		gap := DaysBetween(j.dates[prev], j.dates[cur])
		dn, _ := cur.Get("date")
		switch {
		case gap > maxGap:
			j.add(Concern{Rule: "rythme", Gap: GapLong, Doc: cur, Node: dn, Key: "rythme:ecart", Date: j.dates[prev], Days: gap, Limit: maxGap})
		case gap < minGap:
			j.add(Concern{Rule: "rythme", Gap: GapShort, Doc: cur, Node: dn, Key: "rythme:rapproche", Date: j.dates[prev], Days: gap, Limit: minGap})
		}
	}
	if !j.c.Running() {
		return
	}
	last := run[len(run)-1]
	{
		d, n := last, (*yaml.Node)(nil)
		if f := j.c.Fiche; f != nil && f.Front != nil {
			d = f
			n, _ = f.Get("statut")
		} else {
			n, _ = last.Get("date")
		}
		j.add(Concern{Rule: "rythme", Gap: GapSince, Doc: d, Node: n, Key: "rythme:depuis", Date: j.dates[last], From: after(j.dates[last], maxGap), Limit: maxGap})
	}
}

// undocumented finds the pending plan and applies entretien-non-documente
// to it while the fiche is en-cours: the prochain_entretien of the latest
// interview (in fold order) that gives one — even unreadable, then nothing
// is pending (champ-invalide says so) — when no interview, held or missed,
// is dated on or after it.
func (j *judge) undocumented() {
	var plan *yaml.Node
	var from *Document
	for _, d := range j.c.Interviews {
		if v, _ := d.Get("prochain_entretien"); !IsNull(v) {
			plan, from = v, d
		}
	}
	p, ok := DateOf(plan)
	if !ok {
		return
	}
	for _, d := range j.dated {
		if !j.dates[d].Before(p) {
			return
		}
	}
	if j.c.Active() {
		j.Planned, j.PlannedFrom = p, from
	}
	if j.c.Running() {
		j.add(Concern{Rule: "entretien-non-documente", Doc: from, Node: plan, Key: "prochain_entretien", Date: p, From: after(p, 0)})
	}
}

// drafts applies brouillon-ancien, counted from the document's date,
// whatever the fiche says.
func (j *judge) drafts() {
	on := j.rules.On("brouillon-ancien")
	for _, d := range j.dated {
		if d.Statut() != DocDraft {
			continue
		}
		dr := Draft{Doc: d, Date: j.dates[d]}
		st, _ := d.Get("statut")
		n := len(j.Concerns)
		j.add(Concern{Rule: "brouillon-ancien", Doc: d, Node: st, Key: "statut", Date: j.dates[d], From: after(j.dates[d], j.rules.DraftDays), Limit: j.rules.DraftDays})
		if on && len(j.Concerns) > n && !j.Concerns[n].Waived {
			dr.OldFrom = j.Concerns[n].From
		}
		j.Drafts = append(j.Drafts, dr)
	}
}

// missed applies absence-sans-relance (an interview missed, presence:
// absent, without a relance; Node is the empty relance key, nil when the
// key is absent) and, while the fiche is en-cours, decrochage: two missed
// interviews in a row, once per run of misses, on the second. Both apply
// from the missed interview's day: one dated later is not missed yet.
func (j *judge) missed() {
	for _, d := range j.dated {
		if d.Presence() != "absent" {
			continue
		}
		// An interview dated after the day judged cannot have been missed
		// yet: the concern applies from its day on.
		if v, k := d.Get("relance"); IsNull(v) || v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "" {
			j.add(Concern{Rule: "absence-sans-relance", Doc: d, Node: k, Key: "relance", Date: j.dates[d], From: j.dates[d]})
		}
	}
	if !j.c.Running() {
		return
	}
	streak := 0
	for _, d := range j.dated {
		if d.Held() {
			streak = 0
			continue
		}
		streak++
		if streak == 2 {
			pn, _ := d.Get("presence")
			j.add(Concern{Rule: "decrochage", Doc: d, Node: pn, Key: "presence", Date: j.dates[d], From: j.dates[d]})
		}
	}
}

// firstInterview applies premier-entretien: a fiche en-cours whose
// date_entree is more than `jours` days ago, with no interview held yet
// (an interview dated after the day judged is not held yet).
func (j *judge) firstInterview() {
	f := j.c.Fiche
	if f == nil || f.Statut() != FicheInProgress {
		return
	}
	entree, ok := f.Date("date_entree")
	if !ok {
		return
	}
	var first time.Time
	for _, d := range j.held {
		if t := j.dates[d]; first.IsZero() || t.Before(first) {
			first = t
		}
	}
	limit := j.rules.FirstInterviewDays
	n, _ := f.Get("date_entree")
	j.add(Concern{Rule: "premier-entretien", Doc: f, Node: n, Key: "date_entree", Date: entree, From: after(entree, limit), Until: first, Limit: limit})
}

// after returns the first day more than n days after t.
func after(t time.Time, n int) time.Time { return t.AddDate(0, 0, n+1) }

// retention computes the last contact and applies conservation: the last
// contact is older than `mois` months.
func (j *judge) retention() {
	var last time.Time
	later := func(t time.Time, ok bool) {
		if ok && t.After(last) {
			last = t
		}
	}
	for _, d := range j.dated {
		if d.Held() {
			later(j.dates[d], true)
		}
		later(d.Date("relance"))
	}
	j.LastHeld = last
	f := j.c.Fiche
	if f != nil {
		later(f.Date("date_sortie"))
		if last.IsZero() {
			later(f.Date("date_entree"))
		}
	}
	j.LastContact = last
	if last.IsZero() || f == nil || f.Front == nil || !j.rules.On("conservation") {
		return
	}
	months := j.rules.RetentionMonths
	j.PurgeFrom = after(last.AddDate(0, months, 0), 0)
	j.add(Concern{Rule: "conservation", Doc: f, Key: "conservation", Date: last, From: j.PurgeFrom, Limit: months})
	if j.Concerns[len(j.Concerns)-1].Waived {
		j.PurgeFrom = time.Time{}
	}
}

// Pending reports whether a step of the methodology (a built-in interview
// type) is still to come rather than missing: the accompaniment is active,
// no held interview of a later step exists, and the step's moment has not
// passed (see Due).
func (j *Judgement) Pending(step string) bool {
	if !j.MayCome(step) {
		return false
	}
	due, ok := j.Due(step)
	return !ok || !j.Today.After(due)
}

// MayCome reports whether a step of the methodology may still come, time
// aside: the accompaniment is active and no held interview of a later step
// exists.
func (o *Outlook) MayCome(step string) bool {
	if !o.c.Active() {
		return false
	}
	k, ok := o.kinds(step)
	return !ok || o.maxRank <= k.Rank
}

// Due returns the day by which a step of the methodology is expected,
// counted from date_entree: the accueil (entretien initial, diagnostic)
// within premier-entretien's `jours`; the construction (co-élaboration,
// contractualisation) one rythme interval (intervalle_max_jours) later;
// the first follow-up one more interval later. The bilan has no such day:
// it closes the accompaniment. ok is false when there is no date to count
// from, or for the bilan and types that are not built-in steps.
func (j *Outlook) Due(step string) (time.Time, bool) {
	if j.c.Fiche == nil {
		return time.Time{}, false
	}
	entree, ok := j.c.Fiche.Date("date_entree")
	if !ok {
		return time.Time{}, false
	}
	days := j.rules.FirstInterviewDays
	switch step {
	case TypeInitial, TypeDiagnostic:
	case TypeCoElab, TypeContract:
		days += j.rules.RythmeMax
	case TypeFollowUp:
		days += 2 * j.rules.RythmeMax
	default:
		return time.Time{}, false
	}
	return entree.AddDate(0, 0, days), true
}
