package report

import (
	"errors"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/validate"
)

// CaseloadEntry is what one case gives the caseload, whatever the day: it
// keeps the outlook of the case (casefile.Foresee: every concern with the
// days it applies), and AddEntry takes the concerns that apply on
// Options.Today when it aggregates the entry. A caller may therefore keep
// entries between runs (acc report does, per beneficiary, keyed by the
// content of the case files) and add them again on another day without
// reading the case again. An entry depends on the options it was made
// with, Today, AsOf and Organisation aside.
type CaseloadEntry struct {
	id, name, referent string
	status, phase      string    // known codes, or ""
	entry              string    // date_entree as written when valid
	lastHeld           time.Time // latest held interview or relance
	next               time.Time // the planned interview no document followed yet, while active
	reached, partial   int
	notReached, gaveUp int
	open               int            // open objectives
	concerns           []entryConcern // the outlook's concerns that are not waived
	satisfaction       int            // 1–4 from the latest finalised bilan, 0 when none
	// What a scope (Options.Scope) selects and counts by date.
	dispositif, exitReason string
	exit                   time.Time   // date_sortie, zero when none
	heldOn, missedOn       []time.Time // interviews held, missed (absent, excuse)
	reachedOn              []time.Time // the latest follow-up of each objective atteint
}

// gaps are the kinds of rythme concerns, by their index in an entry.
var gaps = []string{"", casefile.GapLong, casefile.GapShort, casefile.GapSince}

// entryConcern is a concern of the outlook, as the caseload shows it.
type entryConcern struct {
	rule, gap   string
	from, until time.Time // see casefile.Concern
	date        time.Time
	label       string // the objective's id, the draft's file name
}

// Entry summarises a case for the caseload. It keeps no reference to the
// case and is safe for concurrent use.
func (b *CaseloadBuilder) Entry(c *casefile.Case) *CaseloadEntry {
	s := b.s
	e := &CaseloadEntry{id: c.ID, name: c.ID}
	if f := c.Fiche; f != nil {
		if st := f.Statut(); s.labels.isFicheStatus(st) {
			e.status = st
		}
		e.referent = strings.Clone(f.Str("formateur_referent"))
		e.entry = dateStr(f, "date_entree")
		e.dispositif = strings.Clone(strings.TrimSpace(f.Str("dispositif")))
		e.exit, _ = f.Date("date_sortie")
		if !s.Anonymize {
			e.exitReason = strings.Clone(strings.TrimSpace(f.Str("motif_sortie")))
		}
		if n := strings.TrimSpace(f.Str("prenom") + " " + f.Str("nom")); n != "" {
			e.name = n
		}
	}
	if s.Anonymize {
		e.id, e.name = pseudoID(s.Salt, c.ID), Pseudonym(s.Salt, c.ID)
	}
	if p := s.phaseOf(c); slices.Contains(phases, p) {
		e.phase = p
	}
	o := casefile.Foresee(c, s.Rules, s.kinds)
	e.lastHeld, e.next = o.LastHeld, o.Planned
	for _, cn := range o.Concerns {
		if cn.Waived {
			continue
		}
		ec := entryConcern{rule: cn.Rule, gap: cn.Gap, from: cn.From, until: cn.Until, date: cn.Date}
		switch {
		case cn.Objective != nil:
			ec.label = strings.Clone(cn.Objective.ID)
		case cn.Rule == "brouillon-ancien":
			ec.label = path.Base(s.path(c.ID, cn.Doc.Path))
		}
		e.concerns = append(e.concerns, ec)
	}
	for _, d := range c.Interviews {
		if _, ok := s.kinds(d.Type()); !ok {
			continue
		}
		t, ok := d.Date("date")
		if !ok {
			t = casefile.DocDate(d, func(name string) bool { _, ok := s.kinds(name); return ok })
		}
		switch {
		case t.IsZero():
		case d.Held():
			e.heldOn = append(e.heldOn, t)
		default:
			e.missedOn = append(e.missedOn, t)
		}
	}
	for _, o := range c.Objectives {
		switch o.Status() {
		case "atteint":
			e.reached++
			if n := len(o.Followups); n > 0 {
				e.reachedOn = append(e.reachedOn, o.Followups[n-1].Date)
			}
		case "partiellement-atteint":
			e.partial++
		case "non-atteint":
			e.notReached++
		case "abandonne":
			e.gaveUp++
		default:
			e.open++
		}
	}
	// Satisfaction: the latest finalised bilan that gives one.
	for i := len(c.Interviews) - 1; i >= 0; i-- {
		d := c.Interviews[i]
		if s.kind(d) == TypeReview && d.Final() && d.Held() {
			if v, _ := d.Get("satisfaction"); v != nil {
				if n, ok := casefile.IntOf(v); ok && n >= 1 && n <= 4 {
					e.satisfaction = n
					break
				}
			}
		}
	}
	return e
}

// countFindings returns the numbers of error and warning findings.
func countFindings(findings []validate.Finding) (errs, warnings int) {
	for _, f := range findings {
		switch f.Severity {
		case validate.Error:
			errs++
		case validate.Warning:
			warnings++
		}
	}
	return errs, warnings
}

// AddEntry aggregates an entry with the numbers of error and warning
// findings of its beneficiary (0 when validation did not run). The builder
// keeps no reference to the entry.
func (b *CaseloadBuilder) AddEntry(e *CaseloadEntry, errs, warnings int) {
	row, ok := b.scopedRow(e, errs, warnings)
	if !ok {
		return
	}
	b.addObjectives(&row, e)
	texts, overdue := todayConcerns(e.concerns, b.s.Today)
	row.Overdue = overdue
	b.obj[6] += overdue
	reasons := texts.reasons()
	row.Attention = len(reasons) > 0
	b.addAttention(row, reasons)
	if e.satisfaction > 0 {
		b.sat[e.satisfaction]++
	}
	b.addCounts(row)
	if !b.s.Anonymize {
		b.rows = append(b.rows, row)
	}
}

// scopedRow returns the entry's row, or false when the report's scope leaves
// the entry out; a scoped report also counts its interviews in the period.
func (b *CaseloadBuilder) scopedRow(e *CaseloadEntry, errs, warnings int) (Row, bool) {
	s := b.s
	var heldIn, missedIn int
	if s.Scope.IsSet() {
		entry, _ := casefile.ParseDate(e.entry)
		if !s.Scope.keeps(e.dispositif, e.referent, entry, e.exit) {
			return Row{}, false
		}
		heldIn, missedIn = b.addPeriod(e)
	}
	row := Row{ID: e.id, Name: e.name, Referent: e.referent, Status: e.status, Phase: e.phase, Entry: e.entry,
		LastContact: isoDate(e.lastHeld), Errors: errs, Warnings: warnings}
	active := row.Status == ficheInProgress || row.Status == ficheSuspended
	if active {
		row.NextInterview = isoDate(e.next)
	}
	if s.Scope.IsSet() {
		row.HeldInPeriod, row.MissedInPeriod = &heldIn, &missedIn
	}
	return row, true
}

// addObjectives fills the row's objective counts and adds them to the totals.
func (b *CaseloadBuilder) addObjectives(row *Row, e *CaseloadEntry) {
	closed := e.reached + e.partial + e.notReached + e.gaveUp
	row.Objectives = closed + e.open
	row.Reached = e.reached
	b.obj[0] += row.Objectives
	b.obj[1] += e.open
	b.obj[2] += e.reached
	b.obj[3] += e.partial
	b.obj[4] += e.notReached
	b.obj[5] += e.gaveUp
}

// reasonTexts holds, by kind of reason for attention, the French texts of
// the concerns that make it.
type reasonTexts struct {
	noContact, first, overdue, missed, dropout, drafts, undocumented, retention []string
}

// todayConcerns sorts the concerns that apply today by kind of reason, and
// counts the overdue objectives among them.
func todayConcerns(concerns []entryConcern, today time.Time) (t reasonTexts, overdue int) {
	for _, c := range concerns {
		if !c.from.IsZero() && today.Before(c.from) || !c.until.IsZero() && !today.Before(c.until) {
			continue
		}
		since := days(casefile.DaysBetween(c.date, today))
		day := shortDate(isoDate(c.date))
		switch c.rule {
		case "rythme":
			if c.gap == casefile.GapSince {
				t.noContact = append(t.noContact, "Aucun contact depuis "+since+" (dernier le "+day+")")
			}
		case "premier-entretien":
			t.first = append(t.first, "Aucun entretien depuis l'entrée le "+day+" ("+since+")")
		case "objectif-en-retard":
			overdue++
			t.overdue = append(t.overdue, c.label+" (échéance "+day+")")
		case "absence-sans-relance":
			t.missed = append(t.missed, day)
		case "decrochage":
			t.dropout = append(t.dropout, day)
		case "brouillon-ancien":
			t.drafts = append(t.drafts, c.label+" ("+since+")")
		case "entretien-non-documente":
			t.undocumented = append(t.undocumented, "Entretien prévu le "+day+" sans compte rendu")
		case "conservation":
			t.retention = append(t.retention, "Dernier contact le "+day+" : archivez, anonymisez ou purgez le dossier")
		}
	}
	return t, overdue
}

// reasons are the row's reasons for attention, one per kind that has texts,
// in the report's order.
func (t reasonTexts) reasons() []Reason {
	var reasons []Reason
	add := func(kind string, texts []string) {
		if len(texts) > 0 {
			reasons = append(reasons, Reason{kind, strings.Join(texts, " ; ")})
		}
	}
	add(ReasonNoContact, t.noContact)
	add(ReasonFirstInterview, t.first)
	if len(t.overdue) > 0 {
		add(ReasonOverdue, []string{"Objectifs en retard : " + strings.Join(t.overdue, ", ")})
	}
	if len(t.missed) > 0 {
		add(ReasonNoRelance, []string{"Entretien manqué sans relance : " + listFr(t.missed)})
	}
	if len(t.dropout) > 0 {
		add(ReasonDropout, []string{"Deux entretiens manqués de suite (le " + listFr(t.dropout) + ") : risque de décrochage"})
	}
	if len(t.drafts) > 0 {
		add(ReasonOldDraft, []string{"Brouillon ouvert : " + strings.Join(t.drafts, ", ")})
	}
	add(ReasonUndocumented, t.undocumented)
	add(ReasonRetention, t.retention)
	return reasons
}

// addAttention counts the row's reasons and, unless anonymized, lists the
// row among those that need attention.
func (b *CaseloadBuilder) addAttention(row Row, reasons []Reason) {
	for _, r := range reasons {
		b.reasons[r.Kind]++
	}
	if row.Attention && !b.s.Anonymize {
		key := casefile.FoldText(row.Referent) + "\x00" + casefile.FoldText(row.Name) + "\x00" + row.ID
		b.att = append(b.att, AttentionRow{ID: row.ID, Name: row.Name, Referent: row.Referent, Status: row.Status, Reasons: reasons, sortKey: key})
	}
}

// addCounts adds the row to the counts by status, by phase and by trainer.
func (b *CaseloadBuilder) addCounts(row Row) {
	b.status[row.Status]++
	b.phase[row.Phase]++
	t := b.trainers[row.Referent]
	if t == nil {
		t = &trainerAgg{status: map[string]int{}}
		b.trainers[row.Referent] = t
	}
	t.total++
	t.status[row.Status]++
	t.overdue += row.Overdue
	if row.Attention {
		t.attention++
	}
}

// Row returns the evidence of one case: what Add keeps of it. It keeps no
// reference to the case and is safe for concurrent use. A row depends on
// the options it was made with, Today, AsOf and Organisation aside: it is
// the same on any day, and a caller may keep it between runs.
func (b *QualiopiBuilder) Row(c *casefile.Case) QualiopiRow {
	s := b.s
	row := QualiopiRow{ID: c.ID, Name: c.ID}
	if f := c.Fiche; f != nil {
		row.Status = f.Statut()
		row.Referent = strings.Clone(f.Str("formateur_referent"))
		row.dispositif = strings.Clone(strings.TrimSpace(f.Str("dispositif")))
		row.entry, _ = f.Date("date_entree")
		row.exit, _ = f.Date("date_sortie")
		if n := strings.TrimSpace(f.Str("prenom") + " " + f.Str("nom")); n != "" {
			row.Name = n
		}
	}
	if s.Anonymize {
		row.ID, row.Name = pseudoID(s.Salt, c.ID), Pseudonym(s.Salt, c.ID)
	}
	e := s.newEvidenceCase(c, row.Status)
	for _, ind := range Indicators {
		row.Evidence = append(row.Evidence, e.evidenceFor(ind.Number))
	}
	return row
}

// AddRow adds a row made by Row, on this run or an earlier one, as it
// stands on the report's day.
func (b *QualiopiBuilder) AddRow(r QualiopiRow) {
	if sc := b.s.Scope; sc.IsSet() && !sc.keeps(r.dispositif, r.Referent, r.entry, r.exit) {
		return
	}
	ev := make([]Evidence, len(r.Evidence))
	for i, e := range r.Evidence {
		ev[i] = e.on(b.s.Today)
	}
	r.Evidence = ev
	b.rows = append(b.rows, r)
}

// Binary forms of entries and rows, for callers that keep them between
// runs. The layout is private and versioned: a caller must tie what it
// keeps to the build of acc (validate.CacheKey does).

// entryFormat is the first byte of an encoded entry or row.
const entryFormat = 3

var errBadEntry = errors.New("rapport : entrée en cache illisible")

// end reports a damaged or partly read entry.
func end(d *binrec.Decoder) error {
	if !d.Done() {
		return errBadEntry
	}
	return nil
}

// AppendBinary appends the binary form of the entry to b.
func (e *CaseloadEntry) AppendBinary(b []byte) ([]byte, error) {
	w := &binrec.Encoder{B: append(b, entryFormat)}
	for _, s := range []string{e.id, e.name, e.referent, e.status, e.phase, e.entry} {
		w.Str(s)
	}
	w.Date(e.lastHeld)
	w.Date(e.next)
	for _, n := range []int{e.reached, e.partial, e.notReached, e.gaveUp, e.satisfaction, e.open} {
		w.Uint(uint64(n))
	}
	w.Uint(uint64(len(e.concerns)))
	for _, c := range e.concerns {
		w.Uint(uint64(slices.IndexFunc(casefile.Rules, func(r casefile.RuleInfo) bool { return r.ID == c.rule })))
		w.Uint(uint64(slices.Index(gaps, c.gap)))
		w.Date(c.from)
		w.Date(c.until)
		w.Date(c.date)
		w.Str(c.label)
	}
	w.Str(e.dispositif)
	w.Str(e.exitReason)
	w.Date(e.exit)
	for _, ds := range [][]time.Time{e.heldOn, e.missedOn, e.reachedOn} {
		w.Uint(uint64(len(ds)))
		for _, t := range ds {
			w.Date(t)
		}
	}
	return w.B, nil
}

// MarshalBinary returns the binary form of the entry.
func (e *CaseloadEntry) MarshalBinary() ([]byte, error) { return e.AppendBinary(nil) }

// UnmarshalBinary reads an entry written by MarshalBinary by the same build.
func (e *CaseloadEntry) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != entryFormat {
		return errBadEntry
	}
	d := binrec.NewDecoder(b[1:], false)
	var x CaseloadEntry
	for _, s := range []*string{&x.id, &x.name, &x.referent, &x.status, &x.phase, &x.entry} {
		*s = d.Str()
	}
	x.lastHeld, x.next = d.Date(), d.Date()
	for _, n := range []*int{&x.reached, &x.partial, &x.notReached, &x.gaveUp, &x.satisfaction, &x.open} {
		*n = d.SmallUint()
	}
	if x.satisfaction > 4 {
		return errBadEntry
	}
	if n := d.Count(); n > 0 {
		x.concerns = make([]entryConcern, n)
		for i := range x.concerns {
			// Rule and gap as indexes: decoding them allocates nothing.
			rule, gap := d.SmallUint(), d.SmallUint()
			if rule >= len(casefile.Rules) || gap >= len(gaps) {
				return errBadEntry
			}
			x.concerns[i] = entryConcern{rule: casefile.Rules[rule].ID, gap: gaps[gap], from: d.Date(), until: d.Date(), date: d.Date(), label: d.Str()}
		}
	}
	x.dispositif, x.exitReason, x.exit = d.Str(), d.Str(), d.Date()
	for _, ds := range []*[]time.Time{&x.heldOn, &x.missedOn, &x.reachedOn} {
		if n := d.Count(); n > 0 {
			*ds = make([]time.Time, n)
			for i := range *ds {
				(*ds)[i] = d.Date()
			}
		}
	}
	if err := end(d); err != nil {
		return err
	}
	*e = x
	return nil
}

// AppendBinary appends the binary form of the row to b.
func (r QualiopiRow) AppendBinary(b []byte) ([]byte, error) {
	w := &binrec.Encoder{B: append(b, entryFormat)}
	w.Str(r.ID)
	w.Str(r.Name)
	w.Str(r.Referent)
	w.Str(r.Status)
	w.Uint(uint64(len(r.Evidence)))
	for _, ev := range r.Evidence {
		w.Uint(uint64(ev.Indicator))
		w.Str(ev.State)
		w.Strs(ev.Documents)
		w.Strs(ev.Missing)
		w.Strs(ev.Pending)
		w.Uint(uint64(len(ev.later)))
		for _, l := range ev.later {
			w.Str(l.pending)
			w.Str(l.missing)
			w.Date(l.due)
		}
	}
	w.Str(r.dispositif)
	w.Date(r.entry)
	w.Date(r.exit)
	return w.B, nil
}

// MarshalBinary returns the binary form of the row.
func (r QualiopiRow) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// UnmarshalBinary reads a row written by MarshalBinary by the same build.
func (r *QualiopiRow) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != entryFormat {
		return errBadEntry
	}
	d := binrec.NewDecoder(b[1:], false)
	x := QualiopiRow{ID: d.Str(), Name: d.Str(), Referent: d.Str(), Status: d.Str()}
	x.Evidence = make([]Evidence, d.Count())
	for i := range x.Evidence {
		x.Evidence[i] = Evidence{Indicator: d.SmallUint(), State: d.Str(), Documents: d.Strs(), Missing: d.Strs(), Pending: d.Strs()}
		if n := d.Count(); n > 0 {
			x.Evidence[i].later = make([]later, n)
			for k := range x.Evidence[i].later {
				x.Evidence[i].later[k] = later{pending: d.Str(), missing: d.Str(), due: d.Date()}
			}
		}
	}
	x.dispositif, x.entry, x.exit = d.Str(), d.Date(), d.Date()
	if err := end(d); err != nil {
		return err
	}
	*r = x
	return nil
}
