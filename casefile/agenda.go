package casefile

import (
	"sort"
	"time"
)

// Kinds of planned events (Event.Kind), as acc agenda names them.
const (
	EventInterview = "entretien-prevu"       // prochain_entretien
	EventRelance   = "relance"               // a missed interview to follow up
	EventObjective = "echeance-objectif"     // an open objective's deadline
	EventAction    = "echeance-action"       // an action not done, its deadline
	EventDraft     = "brouillon-a-finaliser" // a draft, the last day before it is old
)

// Event is something planned or due in a case, on a day: what acc agenda
// shows. Every event comes from the outlook (DESIGN §5.2): its day and the
// day it becomes late are those the rules judge, so that agenda, status
// and validate agree; a rule turned off or waived gives no deadline.
type Event struct {
	Kind string
	// Date is the day planned (interview), or the last day before the item
	// is late (deadline, draft); a missed interview's day for a relance.
	Date time.Time
	// Rule is the rule that judges the event late, and LateFrom and
	// LateUntil the days it does (see Concern.From, Until); Rule is "" when
	// no rule does (entretien-non-documente off, a suspended case).
	Rule                string
	LateFrom, LateUntil time.Time
	Doc                 *Document // where it is planned or shows
	Objective           *Objective
	Action              *Action
	ActionIndex         int
}

// Late reports whether the event is late on a day: the rule that judges
// it applies then.
func (e Event) Late(day time.Time) bool {
	if e.Rule == "" {
		return false
	}
	day = Day(day)
	return (e.LateFrom.IsZero() || !day.Before(e.LateFrom)) && (e.LateUntil.IsZero() || day.Before(e.LateUntil))
}

// Events lists what is planned or due in the case, by date (then in the
// judgement's order): the interview planned by prochain_entretien while the
// fiche is en-cours, the relances of missed interviews
// (absence-sans-relance), the deadlines of open objectives and of actions
// not done while the accompaniment is active, and the drafts with the last
// day before brouillon-ancien applies.
func (o *Outlook) Events() []Event {
	var out []Event
	concern := func(c Concern) Event {
		return Event{Rule: c.Rule, Date: c.Date, LateFrom: c.From, LateUntil: c.Until, Doc: c.Doc,
			Objective: c.Objective, Action: c.Action, ActionIndex: c.ActionIndex}
	}
	if !o.Planned.IsZero() && o.c.Running() {
		e := Event{Kind: EventInterview, Date: o.Planned, Doc: o.PlannedFrom}
		for _, c := range o.Concerns {
			if c.Rule == "entretien-non-documente" && !c.Waived {
				e = concern(c)
				e.Kind = EventInterview
			}
		}
		out = append(out, e)
	}
	for _, c := range o.Concerns {
		if c.Waived {
			continue
		}
		var e Event
		switch c.Rule {
		case "objectif-en-retard":
			e = concern(c)
			e.Kind = EventObjective
		case "action-en-retard":
			e = concern(c)
			e.Kind = EventAction
		case "absence-sans-relance":
			e = concern(c)
			e.Kind = EventRelance
		case "brouillon-ancien":
			e = concern(c)
			e.Kind = EventDraft
			e.Date = c.From.AddDate(0, 0, -1)
		default:
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Date.Before(out[k].Date) })
	return out
}
