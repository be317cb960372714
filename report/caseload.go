package report

import (
	"cmp"
	"iter"
	"slices"
	"strconv"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// Caseload is the report on every beneficiary ("file active").
type Caseload struct {
	Header
	MaxGapDays   int `json:"max_gap_days"`   // no contact for longer needs attention
	DraftMaxDays int `json:"draft_max_days"` // a draft older needs attention

	Total    Count        `json:"total"`
	ByStatus []Tally      `json:"by_status"` // fiche statut; key "" for missing or unknown
	ByPhase  []Tally      `json:"by_phase"`  // phase of the latest interview; key "" for none yet
	Trainers []TrainerRow `json:"trainers"`

	Objectives   ObjectiveStats `json:"objectives"`
	DropOut      DropOut        `json:"drop_out"`
	Satisfaction Satisfaction   `json:"satisfaction"`

	// Period holds the figures of the scope (Options.Scope): entries,
	// exits, interviews, per programme; absent without a scope.
	Period *PeriodStats `json:"period,omitempty"`

	// AttentionByReason counts the active beneficiaries per reason.
	AttentionByReason []Tally `json:"attention_by_reason"`
	// Attention and Beneficiaries list people: null when anonymised.
	Attention     []AttentionRow `json:"attention"`
	Beneficiaries []Row          `json:"beneficiaries"`

	criteria string // French: what puts a beneficiary on the attention list
}

// Count is a number of beneficiaries (or objectives) that an anonymised
// report may suppress: it is then null in JSON and its value is not kept.
// A count from 1 to 4 reads "< 5"; a larger one hidden only so that a small
// one cannot be found by subtraction (Complement) reads "masqué".
type Count struct {
	N          int
	Suppressed bool
	Complement bool
}

// MarshalJSON writes the number, or null when suppressed.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Suppressed {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(c.N), 10), nil
}

// String writes the number, "< 5" or "masqué".
func (c Count) String() string {
	switch {
	case c.Complement:
		return "masqué"
	case c.Suppressed:
		return "<" + nbsp + "5"
	}
	return strconv.Itoa(c.N)
}

// Tally is a count under a key (a status, a phase, a reason).
type Tally struct {
	Key   string `json:"key"`
	Count Count  `json:"count"`
}

// TrainerRow is a trainer's caseload (formateur_referent).
type TrainerRow struct {
	Name              string  `json:"name"` // "" when the fiche gives none
	Total             Count   `json:"total"`
	ByStatus          []Tally `json:"by_status"`
	Attention         Count   `json:"attention"`          // beneficiaries needing attention
	OverdueObjectives Count   `json:"overdue_objectives"` // objectives past their deadline
}

// ObjectiveStats counts the objectives of every beneficiary by status.
type ObjectiveStats struct {
	Total      Count `json:"total"`
	Open       Count `json:"open"` // en-cours, reporte
	Reached    Count `json:"reached"`
	Partial    Count `json:"partial"`
	NotReached Count `json:"not_reached"`
	Abandoned  Count `json:"abandoned"`
	Overdue    Count `json:"overdue"` // open, past the deadline, fiche en-cours or suspendu
}

// DropOut is abandon / (termine + abandon).
type DropOut struct {
	Dropped   Count    `json:"dropped"`
	Completed Count    `json:"completed"`
	Rate      *float64 `json:"rate"` // null with no exit, or when a count is suppressed
}

// Satisfaction summarises the ratings (1–4) of the finalised bilans, the
// latest one per beneficiary.
type Satisfaction struct {
	Responses    Count    `json:"responses"`
	Mean         *float64 `json:"mean"`         // null without responses, or fewer than 5 when anonymised
	Distribution []Tally  `json:"distribution"` // keys "1" to "4"
}

// AttentionRow is a beneficiary who needs attention, with the reasons.
type AttentionRow struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Referent string   `json:"referent"`
	Status   string   `json:"status"`
	Reasons  []Reason `json:"reasons"`
	sortKey  string
}

// Reasons why a beneficiary needs attention.
const (
	ReasonNoContact      = "sans-contact"            // en-cours, no interview for more than MaxGapDays since the contract (rule rythme)
	ReasonOverdue        = "objectif-en-retard"      // an open objective past its deadline
	ReasonNoRelance      = "absence-sans-relance"    // a missed interview without relance
	ReasonOldDraft       = "brouillon-ancien"        // a draft older than DraftMaxDays
	ReasonUndocumented   = "entretien-non-documente" // a planned interview passed without a document
	ReasonFirstInterview = "premier-entretien"       // en-cours, no interview held in time after the entry
	ReasonDropout        = "decrochage"              // two missed interviews in a row
	ReasonRetention      = "conservation"            // past the retention period
)

var reasonKinds = []string{ReasonNoContact, ReasonOverdue, ReasonNoRelance, ReasonOldDraft, ReasonUndocumented,
	ReasonFirstInterview, ReasonDropout, ReasonRetention}

var reasonLabels = map[string]string{
	ReasonNoContact:      "Sans contact depuis trop longtemps",
	ReasonOverdue:        "Objectifs en retard",
	ReasonNoRelance:      "Entretien manqué sans relance",
	ReasonOldDraft:       "Brouillon ancien",
	ReasonUndocumented:   "Entretien prévu sans compte rendu",
	ReasonFirstInterview: "Premier entretien non tenu",
	ReasonDropout:        "Risque de décrochage",
	ReasonRetention:      "Durée de conservation dépassée",
}

func reasonLabel(k string) string {
	if l, ok := reasonLabels[k]; ok {
		return l
	}
	return k
}

// Reason is one cause for attention, described in French.
type Reason struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Row summarises one beneficiary in the caseload.
type Row struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Referent      string `json:"referent"`
	Status        string `json:"status"`
	Phase         string `json:"phase"`
	Entry         string `json:"entry,omitempty"`
	LastContact   string `json:"last_contact,omitempty"` // latest held interview or relance
	NextInterview string `json:"next_interview,omitempty"`
	Objectives    int    `json:"objectives"`
	Reached       int    `json:"reached"`
	Overdue       int    `json:"overdue"`
	Errors        int    `json:"errors"` // validation findings, when the validation ran
	Warnings      int    `json:"warnings"`
	Attention     bool   `json:"attention"`
	// HeldInPeriod and MissedInPeriod count the interviews held and missed
	// in the scope's period; absent without a scope.
	HeldInPeriod   *int `json:"held_in_period,omitempty"`
	MissedInPeriod *int `json:"missed_in_period,omitempty"`
}

// CaseloadBuilder aggregates cases one at a time, keeping one summary row
// per beneficiary and never the documents, so that memory does not grow
// with the text of the caseload.
type CaseloadBuilder struct {
	s        *settings
	rows     []Row
	att      []AttentionRow
	trainers map[string]*trainerAgg
	status   map[string]int
	phase    map[string]int
	reasons  map[string]int
	obj      [7]int // total, open, reached, partial, not reached, abandoned, overdue
	sat      [5]int // index 1..4
	period   *periodAgg
}

type trainerAgg struct {
	total, attention, overdue int
	status                    map[string]int
}

// NewCaseload starts a caseload report.
func NewCaseload(opt Options) (*CaseloadBuilder, error) {
	s, err := newSettings(opt)
	if err != nil {
		return nil, err
	}
	return &CaseloadBuilder{s: s, trainers: map[string]*trainerAgg{}, status: map[string]int{}, phase: map[string]int{}, reasons: map[string]int{}}, nil
}

// BuildCaseload builds the caseload report from a sequence of cases with
// their validation findings (nil findings: validation not run). The
// sequence is consumed once; each case may be dropped once yielded.
func BuildCaseload(cases iter.Seq2[*casefile.Case, []validate.Finding], opt Options) (*Caseload, error) {
	b, err := NewCaseload(opt)
	if err != nil {
		return nil, err
	}
	for c, f := range cases {
		b.Add(c, f)
	}
	return b.Report(), nil
}

// Add aggregates one case. The builder keeps no reference to it. It is
// AddEntry of the case's Entry with the counts of its findings.
func (b *CaseloadBuilder) Add(c *casefile.Case, findings []validate.Finding) {
	errs, warnings := countFindings(findings)
	b.AddEntry(b.Entry(c), errs, warnings)
}

// Report returns the caseload report. Call it once, after every Add.
func (b *CaseloadBuilder) Report() *Caseload {
	s := b.s
	r := &Caseload{Header: s.header(KindCaseload), MaxGapDays: s.Rules.RythmeMax, DraftMaxDays: s.Rules.DraftDays, criteria: attentionCriteria(s.Rules)}
	for _, n := range b.status {
		r.Total.N += n
	}
	for _, k := range s.labels.ficheStatuses {
		r.ByStatus = append(r.ByStatus, Tally{k, Count{N: b.status[k]}})
	}
	for _, k := range phases {
		r.ByPhase = append(r.ByPhase, Tally{k, Count{N: b.phase[k]}})
	}
	names := make([]string, 0, len(b.trainers))
	for n := range b.trainers {
		names = append(names, n)
	}
	slices.SortFunc(names, foldCompare)
	for _, n := range names {
		t := b.trainers[n]
		tr := TrainerRow{Name: n, Total: Count{N: t.total}, Attention: Count{N: t.attention}, OverdueObjectives: Count{N: t.overdue}}
		for _, k := range s.labels.ficheStatuses {
			tr.ByStatus = append(tr.ByStatus, Tally{k, Count{N: t.status[k]}})
		}
		r.Trainers = append(r.Trainers, tr)
	}
	o := b.obj
	r.Objectives = ObjectiveStats{Count{N: o[0]}, Count{N: o[1]}, Count{N: o[2]}, Count{N: o[3]}, Count{N: o[4]}, Count{N: o[5]}, Count{N: o[6]}}
	for _, k := range reasonKinds {
		r.AttentionByReason = append(r.AttentionByReason, Tally{k, Count{N: b.reasons[k]}})
	}
	for i := 1; i <= 4; i++ {
		r.Satisfaction.Responses.N += b.sat[i]
		r.Satisfaction.Distribution = append(r.Satisfaction.Distribution, Tally{strconv.Itoa(i), Count{N: b.sat[i]}})
	}
	r.Period = b.periodStats()
	if s.Anonymize {
		r.suppress()
	} else {
		r.Attention = b.att
		if r.Attention == nil {
			r.Attention = []AttentionRow{}
		}
		// By trainer, then name, ignoring case and accents.
		slices.SortFunc(r.Attention, func(a, b AttentionRow) int { return cmp.Compare(a.sortKey, b.sortKey) })
		r.Beneficiaries = b.rows
		if r.Beneficiaries == nil {
			r.Beneficiaries = []Row{}
		}
		slices.SortStableFunc(r.Beneficiaries, func(a, b Row) int { return cmp.Compare(a.ID, b.ID) })
	}

	// Rates come last: they must not reveal a suppressed count.
	dropped, completed := r.ByStatus[3].Count, r.ByStatus[2].Count
	r.DropOut = DropOut{Dropped: dropped, Completed: completed}
	if !dropped.Suppressed && !completed.Suppressed && dropped.N+completed.N > 0 {
		rate := float64(dropped.N) / float64(dropped.N+completed.N)
		r.DropOut.Rate = &rate
	}
	if n := r.Satisfaction.Responses; n.N > 0 && !n.Suppressed && (!s.Anonymize || n.N >= 5) {
		sum := 0
		for i := 1; i <= 4; i++ {
			sum += i * b.sat[i]
		}
		mean := float64(sum) / float64(n.N)
		r.Satisfaction.Mean = &mean
	}
	maskSensitive(r)
	return r
}

// suppress hides the small counts of an anonymised caseload: every count
// from 1 to 4, then, wherever a line of cells adds up to a published total,
// enough other cells for the hidden ones not to be derived by subtraction.
func (r *Caseload) suppress() {
	var lines []sumLine
	cells := func(ts []Tally) []*Count {
		out := make([]*Count, len(ts))
		for i := range ts {
			out[i] = &ts[i].Count
		}
		return out
	}
	lines = append(lines, sumLine{&r.Total, cells(r.ByStatus)}, sumLine{&r.Total, cells(r.ByPhase)})
	var totals []*Count
	for i := range r.Trainers {
		t := &r.Trainers[i]
		totals = append(totals, &t.Total)
		lines = append(lines, sumLine{&t.Total, cells(t.ByStatus)})
	}
	lines = append(lines, sumLine{&r.Total, totals})
	for j := range r.ByStatus {
		var col []*Count
		for i := range r.Trainers {
			col = append(col, &r.Trainers[i].ByStatus[j].Count)
		}
		lines = append(lines, sumLine{&r.ByStatus[j].Count, col})
	}
	o := &r.Objectives
	lines = append(lines, sumLine{&o.Total, []*Count{&o.Open, &o.Reached, &o.Partial, &o.NotReached, &o.Abandoned}})
	lines = append(lines, sumLine{&r.Satisfaction.Responses, cells(r.Satisfaction.Distribution)})

	others := []*Count{&o.Overdue}
	others = append(others, cells(r.AttentionByReason)...)
	for i := range r.Trainers {
		others = append(others, &r.Trainers[i].Attention, &r.Trainers[i].OverdueObjectives)
	}
	if r.Period != nil {
		pl, po := r.Period.suppressLines(&r.Total)
		lines = append(lines, pl...)
		others = append(others, po...)
	}
	var all []*Count
	for _, l := range lines {
		all = append(all, l.total)
		all = append(all, l.cells...)
	}
	all = append(all, others...)
	for _, c := range all {
		if c.N > 0 && c.N < 5 {
			c.Suppressed = true
		}
	}
	complementary(lines)
	for _, c := range all {
		if c.Suppressed {
			c.N = 0
		}
	}
}

// sumLine is a set of cells whose sum is total.
type sumLine struct {
	total *Count
	cells []*Count
}

// complementary applies complementary suppression. In a line whose total
// is shown, the hidden cells add up to the total minus the shown ones: when
// only one cell is hidden, or the hidden ones add up to less than 5, the
// smallest other non-zero cell is hidden too (or the total, when there is
// none). Repeated until stable, since a cell belongs to several lines.
func complementary(lines []sumLine) {
	hide := func(c *Count) {
		c.Suppressed = true
		c.Complement = c.N >= 5
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			if l.total.Suppressed {
				continue
			}
			hidden, hiddenSum := 0, 0
			var smallest *Count
			for _, c := range l.cells {
				switch {
				case c.Suppressed:
					hidden++
					hiddenSum += c.N
				case c.N > 0 && (smallest == nil || c.N < smallest.N):
					smallest = c
				}
			}
			if hidden == 0 || hidden > 1 && hiddenSum >= 5 {
				continue
			}
			if smallest != nil {
				hide(smallest)
			} else {
				hide(l.total)
			}
			changed = true
		}
	}
}

func foldCompare(a, b string) int {
	return cmp.Or(cmp.Compare(casefile.FoldText(a), casefile.FoldText(b)), cmp.Compare(a, b))
}
