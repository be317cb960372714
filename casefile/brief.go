package casefile

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/binrec"
)

// Brief is what the listings (acc status, acc list, acc agenda) read of a
// case, whatever the day: the fiche's facts, and the outlook's concerns
// (Foresee: every concern with the days it applies, waived ones left out)
// and drafts, with the paths and titles they name. Query.SummaryOf,
// Query.AttentionOf and Brief.Events judge it on a day, so that a caller
// may keep briefs between runs (acc status and acc agenda do, keyed by the
// content of the case files) and get the answers a fresh judgement gives:
// the fresh answers (Summarize, Attention) go through a brief too.
type Brief struct {
	ID               string
	Prenom, Nom      string
	Statut, Referent string
	Dispositif       string
	Entree, Sortie   time.Time
	Phase            string // see Summary.Phase
	Interviews       int
	OpenObjectives   int
	Running          bool // see Case.Running
	LastContact      time.Time
	PurgeFrom        time.Time
	Planned          time.Time // see Outlook.Planned
	PlannedFrom      string    // the path of the document that plans it
	Concerns         []BriefConcern
	Drafts           []BriefDraft
}

// BriefConcern is a concern of the outlook that is not waived (see
// Concern).
type BriefConcern struct {
	Rule, Gap   string
	From, Until time.Time
	Date        time.Time
	Limit       int
	Path        string // the document where it shows
	// Objective is the objective's id, Intitule its title; Action the
	// action's label, ActionIndex its place from 1.
	Objective, Intitule string
	Action              string
	ActionIndex         int
}

// BriefDraft is a dated draft (see Draft).
type BriefDraft struct {
	Path          string
	Date, OldFrom time.Time
}

// applies reports whether something that applies from from (included)
// until until (excluded), zero leaving a side open, applies on day.
func applies(from, until, day time.Time) bool {
	return (from.IsZero() || !day.Before(from)) && (until.IsZero() || day.Before(until))
}

// Brief returns the brief of a case.
func (q Query) Brief(c *Case) *Brief { return q.BriefOf(c, Foresee(c, q.Rules, q.Kinds)) }

// BriefOf returns the brief of a case from its outlook.
func (q Query) BriefOf(c *Case, o *Outlook) *Brief {
	b := &Brief{ID: c.ID, Running: c.Running(), LastContact: o.LastContact, PurgeFrom: o.PurgeFrom, Planned: o.Planned}
	if f := c.Fiche; f != nil {
		b.Prenom, b.Nom = f.Str("prenom"), f.Str("nom")
		b.Statut = f.Statut()
		b.Referent = f.Str("formateur_referent")
		b.Dispositif = f.Str("dispositif")
		b.Entree, _ = f.Date("date_entree")
		b.Sortie, _ = f.Date("date_sortie")
	}
	for _, d := range c.Interviews {
		if p, ok := q.phase(q.InterviewType(d)); ok {
			b.Phase = p
			b.Interviews++
		}
	}
	for _, ob := range c.Objectives {
		if !ob.Closed() {
			b.OpenObjectives++
		}
	}
	if o.PlannedFrom != nil {
		b.PlannedFrom = o.PlannedFrom.Path
	}
	for _, cn := range o.Concerns {
		if cn.Waived {
			continue
		}
		bc := BriefConcern{Rule: cn.Rule, Gap: cn.Gap, From: cn.From, Until: cn.Until, Date: cn.Date, Limit: cn.Limit, ActionIndex: cn.ActionIndex}
		if cn.Doc != nil {
			bc.Path = cn.Doc.Path
		}
		if cn.Objective != nil {
			bc.Objective, bc.Intitule = cn.Objective.ID, strings.TrimSpace(cn.Objective.Intitule)
		}
		if cn.Action != nil {
			bc.Action = strings.TrimSpace(cn.Action.Libelle)
		}
		b.Concerns = append(b.Concerns, bc)
	}
	for _, d := range o.Drafts {
		b.Drafts = append(b.Drafts, BriefDraft{Path: d.Doc.Path, Date: d.Date, OldFrom: d.OldFrom})
	}
	return b
}

// on returns the concerns of the brief that apply on day.
func (b *Brief) on(day time.Time) []BriefConcern {
	day = Day(day)
	var out []BriefConcern
	for _, c := range b.Concerns {
		if applies(c.From, c.Until, day) {
			out = append(out, c)
		}
	}
	return out
}

// SummaryOf computes the summary of a brief as of Today.
func (q Query) SummaryOf(b *Brief) Summary {
	s := Summary{ID: b.ID, Prenom: b.Prenom, Nom: b.Nom, Statut: b.Statut, Referent: b.Referent, Dispositif: b.Dispositif,
		Entree: b.Entree, Sortie: b.Sortie, Phase: b.Phase, Interviews: b.Interviews, OpenObjectives: b.OpenObjectives,
		LastContact: b.LastContact, PurgeFrom: b.PurgeFrom, Planned: b.Planned}
	for _, c := range b.on(q.Today) {
		switch c.Rule {
		case "entretien-non-documente":
			s.Undocumented = true
		case "premier-entretien":
			s.NoFirstInterview = true
		case "objectif-en-retard":
			s.OverdueObjectives++
		case "action-en-retard":
			s.OverdueActions++
		}
	}
	return s
}

// AttentionOf lists what needs attention in a brief as of Today, in this
// order: the planned interview (passed, or within the horizon), overdue
// objectives and actions, then the other concerns (contact, first
// interview, missed interviews, retention), then drafts by date.
func (q Query) AttentionOf(b *Brief) []Attention {
	var out []Attention
	add := func(a Attention) {
		a.Days = DaysBetween(a.Date, q.Today)
		out = append(out, a)
	}
	concerns := b.on(q.Today)
	undocumented := false
	for _, c := range concerns {
		if c.Rule == "entretien-non-documente" {
			undocumented = true
			add(Attention{Kind: AttnUndocumented, Path: c.Path, Date: c.Date})
		}
	}
	if !b.Planned.IsZero() && !undocumented && b.Running && !b.Planned.Before(q.Today) &&
		DaysBetween(q.Today, b.Planned) <= q.Horizon {
		add(Attention{Kind: AttnPlanned, Path: b.PlannedFrom, Date: b.Planned})
	}
	for _, c := range concerns {
		switch c.Rule {
		case "objectif-en-retard":
			add(Attention{Kind: AttnObjective, Path: c.Path, Date: c.Date, Objective: c.Objective, Intitule: c.Intitule})
		case "action-en-retard":
			add(Attention{Kind: AttnAction, Path: c.Path, Date: c.Date, Objective: c.Objective, Intitule: c.Intitule, Action: c.Action})
		}
	}
	for _, c := range concerns {
		switch c.Rule {
		case "rythme":
			if c.Gap == GapSince {
				add(Attention{Kind: AttnNoContact, Path: c.Path, Date: c.Date, Limit: c.Limit})
			}
		case "premier-entretien":
			add(Attention{Kind: AttnFirstInterview, Path: c.Path, Date: c.Date, Limit: c.Limit})
		case "absence-sans-relance":
			add(Attention{Kind: AttnNoRelance, Path: c.Path, Date: c.Date})
		case "decrochage":
			add(Attention{Kind: AttnDropout, Path: c.Path, Date: c.Date})
		case "conservation":
			add(Attention{Kind: AttnRetention, Path: c.Path, Date: c.Date, Limit: c.Limit})
		}
	}
	day := Day(q.Today)
	for _, d := range b.Drafts {
		kind := AttnDraft
		if !d.OldFrom.IsZero() && !day.Before(d.OldFrom) {
			kind = AttnOldDraft
		}
		add(Attention{Kind: kind, Path: d.Path, Date: d.Date})
	}
	return out
}

// Events lists what is planned or due in the case, by date (then in the
// judgement's order): the interview planned by prochain_entretien while the
// fiche is en-cours, the relances of missed interviews
// (absence-sans-relance), the deadlines of open objectives and of actions
// not done while the accompaniment is active, and the drafts with the last
// day before brouillon-ancien applies.
func (b *Brief) Events() []Event {
	var out []Event
	concern := func(c BriefConcern, kind string) Event {
		return Event{Kind: kind, Rule: c.Rule, Date: c.Date, LateFrom: c.From, LateUntil: c.Until, Path: c.Path,
			Objective: c.Objective, Intitule: c.Intitule, Action: c.Action, ActionIndex: c.ActionIndex}
	}
	if !b.Planned.IsZero() && b.Running {
		e := Event{Kind: EventInterview, Date: b.Planned, Path: b.PlannedFrom}
		for _, c := range b.Concerns {
			if c.Rule == "entretien-non-documente" {
				e = concern(c, EventInterview)
			}
		}
		out = append(out, e)
	}
	for _, c := range b.Concerns {
		switch c.Rule {
		case "objectif-en-retard":
			out = append(out, concern(c, EventObjective))
		case "action-en-retard":
			out = append(out, concern(c, EventAction))
		case "absence-sans-relance":
			out = append(out, concern(c, EventRelance))
		case "brouillon-ancien":
			e := concern(c, EventDraft)
			e.Date = c.From.AddDate(0, 0, -1)
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Date.Before(out[k].Date) })
	return out
}

// briefFormat changes with the layout of the binary brief.
const briefFormat = 1

// MarshalBinary encodes the brief (encoding.BinaryMarshaler).
func (b *Brief) MarshalBinary() ([]byte, error) {
	e := binrec.Encoder{B: []byte{briefFormat}}
	e.Strs([]string{b.ID, b.Prenom, b.Nom, b.Statut, b.Referent, b.Dispositif, b.Phase, b.PlannedFrom})
	for _, t := range []time.Time{b.Entree, b.Sortie, b.LastContact, b.PurgeFrom, b.Planned} {
		e.Date(t)
	}
	e.Uint(uint64(b.Interviews))
	e.Uint(uint64(b.OpenObjectives))
	if b.Running {
		e.Uint(1)
	} else {
		e.Uint(0)
	}
	e.Uint(uint64(len(b.Concerns)))
	for _, c := range b.Concerns {
		e.Strs([]string{c.Rule, c.Gap, c.Path, c.Objective, c.Intitule, c.Action})
		e.Date(c.From)
		e.Date(c.Until)
		e.Date(c.Date)
		e.Int(c.Limit)
		e.Uint(uint64(c.ActionIndex))
	}
	e.Uint(uint64(len(b.Drafts)))
	for _, d := range b.Drafts {
		e.Str(d.Path)
		e.Date(d.Date)
		e.Date(d.OldFrom)
	}
	return e.B, nil
}

var errBadBrief = errors.New("résumé de dossier illisible")

// UnmarshalBinary decodes a brief written by MarshalBinary; anything
// damaged is an error (the caller reads the case again).
func (b *Brief) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != briefFormat {
		return errBadBrief
	}
	d := binrec.NewDecoder(data[1:], true)
	*b = Brief{}
	ss := d.Strs()
	if len(ss) != 8 {
		return errBadBrief
	}
	b.ID, b.Prenom, b.Nom, b.Statut, b.Referent, b.Dispositif, b.Phase, b.PlannedFrom = ss[0], ss[1], ss[2], ss[3], ss[4], ss[5], ss[6], ss[7]
	for _, t := range []*time.Time{&b.Entree, &b.Sortie, &b.LastContact, &b.PurgeFrom, &b.Planned} {
		*t = d.Date()
	}
	b.Interviews, b.OpenObjectives = d.SmallUint(), d.SmallUint()
	switch d.Uint() {
	case 0:
	case 1:
		b.Running = true
	default:
		return errBadBrief
	}
	if n := d.Count(); n > 0 {
		b.Concerns = make([]BriefConcern, n)
	}
	for i := range b.Concerns {
		c := &b.Concerns[i]
		ss := d.Strs()
		if len(ss) != 6 {
			return errBadBrief
		}
		c.Rule, c.Gap, c.Path, c.Objective, c.Intitule, c.Action = ss[0], ss[1], ss[2], ss[3], ss[4], ss[5]
		c.From, c.Until, c.Date = d.Date(), d.Date(), d.Date()
		c.Limit = d.Int()
		c.ActionIndex = d.SmallUint()
	}
	if n := d.Count(); n > 0 {
		b.Drafts = make([]BriefDraft, n)
	}
	for i := range b.Drafts {
		dr := &b.Drafts[i]
		dr.Path = d.Str()
		dr.Date, dr.OldFrom = d.Date(), d.Date()
	}
	if !d.Done() {
		return errBadBrief
	}
	return nil
}
