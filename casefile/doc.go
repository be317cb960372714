// Package casefile is the domain of acc: case-file repositories, beneficiaries,
// documents with their positions, objectives, and the fold of a case over time.
//
// It also holds the one judgement of time and phase (Judge, Foresee): whether
// an objective or action is overdue, a draft old, a planned interview
// undocumented, a person without contact, without a first interview, at risk
// of dropping out or past the retention period, and whether a step of the
// methodology is still to come or missing. validate, status, list and the
// reports all ask it, with the rule settings of acc.yaml (RuleSettings), so
// that they give the same answer and a rule set to desactive disappears from
// all of them.
//
// It never touches Git; the Git store (internal/gitstore) does that.
package casefile
