package casefile

import "time"

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
	Path                string // the document where it is planned or shows
	// Objective is the objective's id, Intitule its title, Action the
	// action's label and ActionIndex its place from 1.
	Objective, Intitule string
	Action              string
	ActionIndex         int
}

// Late reports whether the event is late on a day: the rule that judges
// it applies then.
func (e Event) Late(day time.Time) bool {
	if e.Rule == "" {
		return false
	}
	return applies(e.LateFrom, e.LateUntil, Day(day))
}
