package report

import (
	"errors"
	"path"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/validate"
)

// CaseloadEntry is what one case gives the caseload, whatever the day:
// AddEntry judges time (overdue objectives, contact gaps, old drafts, late
// interviews) against Options.Today when it aggregates the entry. A caller
// may therefore keep entries between runs (acc report does, per
// beneficiary, keyed by the content of the case files) and add them again
// on another day without reading the case again. An entry depends on the
// options it was made with, Today, AsOf and Organisation aside.
type CaseloadEntry struct {
	id, name, referent string
	status, phase      string // known codes, or ""
	entry              string // date_entree as written when valid
	entryDate          time.Time
	lastHeld           time.Time // latest held interview or relance
	next               time.Time // the planned interview no document followed yet
	reached, partial   int
	notReached, gaveUp int
	open               []openObjective // in declaration order
	missed             []string        // dates (dd/mm/yyyy) of interviews missed without relance
	drafts             []draftDoc      // drafts with a valid date, in fold order
	satisfaction       int             // 1–4 from the latest finalised bilan, 0 when none
}

type openObjective struct {
	id       string
	deadline time.Time
}

type draftDoc struct {
	file string
	date time.Time
}

// Entry summarises a case for the caseload. It keeps no reference to the
// case and is safe for concurrent use.
func (b *CaseloadBuilder) Entry(c *casefile.Case) *CaseloadEntry {
	s := b.s
	e := &CaseloadEntry{id: c.ID, name: c.ID}
	if f := c.Fiche; f != nil {
		e.status = known(f.Statut(), ficheStatusLabels)
		e.referent = strings.Clone(f.Str("formateur_referent"))
		e.entry = dateStr(f, "date_entree")
		e.entryDate, _ = f.Date("date_entree")
		if n := strings.TrimSpace(f.Str("prenom") + " " + f.Str("nom")); n != "" {
			e.name = n
		}
	}
	if s.Anonymize {
		e.id, e.name = pseudoID(s.Salt, c.ID), Pseudonym(s.Salt, c.ID)
	}
	e.phase = known(s.phaseOf(c), phaseLabels)
	e.lastHeld = lastHeld(c)
	if next, _ := s.nextInterview(c); next != "" {
		e.next, _ = casefile.ParseDate(next)
	}
	for _, o := range c.Objectives {
		switch o.Status() {
		case "atteint":
			e.reached++
		case "partiellement-atteint":
			e.partial++
		case "non-atteint":
			e.notReached++
		case "abandonne":
			e.gaveUp++
		default:
			e.open = append(e.open, openObjective{strings.Clone(o.ID), o.Echeance})
		}
	}
	for _, d := range c.Interviews {
		if d.Presence() == "absent" && d.Str("relance") == "" {
			e.missed = append(e.missed, shortDate(dateStr(d, "date")))
		}
		if d.Statut() == statusDraft {
			if t, ok := d.Date("date"); ok {
				e.drafts = append(e.drafts, draftDoc{path.Base(s.path(c.ID, d.Path)), t})
			}
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
	s := b.s
	row := Row{ID: e.id, Name: e.name, Referent: e.referent, Status: e.status, Phase: e.phase, Entry: e.entry,
		LastContact: isoDate(e.lastHeld), Errors: errs, Warnings: warnings}
	active := row.Status == ficheInProgress || row.Status == ficheSuspended
	next := isoDate(e.next)
	late := !e.next.IsZero() && e.next.Before(s.Today)
	if active {
		row.NextInterview = next
	}

	// Objectives.
	closed := e.reached + e.partial + e.notReached + e.gaveUp
	row.Objectives = closed + len(e.open)
	row.Reached = e.reached
	b.obj[0] += row.Objectives
	b.obj[1] += len(e.open)
	b.obj[2] += e.reached
	b.obj[3] += e.partial
	b.obj[4] += e.notReached
	b.obj[5] += e.gaveUp
	var overdueIDs []string
	for _, o := range e.open {
		// A closed file's open objectives are not "late": nobody works on them.
		if active && !o.deadline.IsZero() && o.deadline.Before(s.Today) {
			row.Overdue++
			b.obj[6]++
			overdueIDs = append(overdueIDs, o.id+" (échéance "+shortDate(isoDate(o.deadline))+")")
		}
	}

	// Reasons for attention.
	var reasons []Reason
	if row.Status == ficheInProgress {
		last := e.lastHeld
		since := "depuis l'entrée"
		if last.IsZero() {
			last = e.entryDate
		} else {
			since = "dernier le " + shortDate(isoDate(last))
		}
		if !last.IsZero() {
			if gap := casefile.DaysBetween(last, s.Today); gap > s.MaxGapDays {
				reasons = append(reasons, Reason{ReasonNoContact, "Aucun contact depuis " + days(gap) + " (" + since + ")"})
			}
		}
	}
	if len(overdueIDs) > 0 {
		reasons = append(reasons, Reason{ReasonOverdue, "Objectifs en retard : " + strings.Join(overdueIDs, ", ")})
	}
	if active && len(e.missed) > 0 {
		reasons = append(reasons, Reason{ReasonNoRelance, "Entretien manqué sans relance : " + listFr(e.missed)})
	}
	var drafts []string
	for _, d := range e.drafts {
		if age := casefile.DaysBetween(d.date, s.Today); age > s.DraftMaxDays {
			drafts = append(drafts, d.file+" ("+days(age)+")")
		}
	}
	if len(drafts) > 0 {
		reasons = append(reasons, Reason{ReasonOldDraft, "Brouillon ouvert : " + strings.Join(drafts, ", ")})
	}
	if active && late {
		reasons = append(reasons, Reason{ReasonUndocumented, "Entretien prévu le " + shortDate(next) + " sans compte rendu"})
	}
	for _, r := range reasons {
		b.reasons[r.Kind]++
	}
	row.Attention = len(reasons) > 0
	if row.Attention && !s.Anonymize {
		key := casefile.FoldText(row.Referent) + "\x00" + casefile.FoldText(row.Name) + "\x00" + row.ID
		b.att = append(b.att, AttentionRow{ID: row.ID, Name: row.Name, Referent: row.Referent, Status: row.Status, Reasons: reasons, sortKey: key})
	}
	if e.satisfaction > 0 {
		b.sat[e.satisfaction]++
	}

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
	if !s.Anonymize {
		b.rows = append(b.rows, row)
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

// AddRow adds a row made by Row, on this run or an earlier one.
func (b *QualiopiBuilder) AddRow(r QualiopiRow) { b.rows = append(b.rows, r) }

// Binary forms of entries and rows, for callers that keep them between
// runs. The layout is private and versioned: a caller must tie what it
// keeps to the build of acc (validate.CacheKey does).

// entryFormat is the first byte of an encoded entry or row.
const entryFormat = 1

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
	w.Date(e.entryDate)
	w.Date(e.lastHeld)
	w.Date(e.next)
	for _, n := range []int{e.reached, e.partial, e.notReached, e.gaveUp, e.satisfaction} {
		w.Uint(uint64(n))
	}
	w.Uint(uint64(len(e.open)))
	for _, o := range e.open {
		w.Str(o.id)
		w.Date(o.deadline)
	}
	w.Strs(e.missed)
	w.Uint(uint64(len(e.drafts)))
	for _, d := range e.drafts {
		w.Str(d.file)
		w.Date(d.date)
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
	x.entryDate, x.lastHeld, x.next = d.Date(), d.Date(), d.Date()
	for _, n := range []*int{&x.reached, &x.partial, &x.notReached, &x.gaveUp, &x.satisfaction} {
		*n = d.SmallUint()
	}
	if x.satisfaction > 4 {
		return errBadEntry
	}
	if n := d.Count(); n > 0 {
		x.open = make([]openObjective, n)
		for i := range x.open {
			x.open[i] = openObjective{d.Str(), d.Date()}
		}
	}
	if n := d.Count(); n > 0 {
		x.missed = make([]string, n)
		for i := range x.missed {
			x.missed[i] = d.Str()
		}
	}
	if n := d.Count(); n > 0 {
		x.drafts = make([]draftDoc, n)
		for i := range x.drafts {
			x.drafts[i] = draftDoc{d.Str(), d.Date()}
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
	}
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
	}
	if err := end(d); err != nil {
		return err
	}
	*r = x
	return nil
}
