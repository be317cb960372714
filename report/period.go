package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// Scope restricts a caseload or a Qualiopi report to a period, a programme
// (dispositif) and a referent trainer; the zero value keeps everyone.
type Scope struct {
	// From and To bound the period, both included; zero leaves that side
	// open. A person is in the period when accompanied during it: entered
	// on or before To, and not left before From.
	From, To time.Time
	// Dispositif keeps the fiches whose dispositif is this one, ignoring
	// case and accents; Formateur those whose formateur_referent contains
	// it, ignoring case and accents (as acc list --formateur).
	Dispositif, Formateur string
}

// IsSet reports whether the scope restricts anything.
func (s Scope) IsSet() bool {
	return !s.From.IsZero() || !s.To.IsZero() || strings.TrimSpace(s.Dispositif) != "" || strings.TrimSpace(s.Formateur) != ""
}

// periodSet reports whether the scope has a period.
func (s Scope) periodSet() bool { return !s.From.IsZero() || !s.To.IsZero() }

// in reports whether a day falls in the period (any known day when there is
// no period).
func (s Scope) in(t time.Time) bool {
	return !t.IsZero() && (s.From.IsZero() || !t.Before(s.From)) && (s.To.IsZero() || !t.After(s.To))
}

// keeps reports whether a person is in the scope, from the fiche's
// dispositif, formateur_referent, date_entree (zero when unknown) and
// date_sortie (zero when none).
func (s Scope) keeps(dispositif, referent string, entry, exit time.Time) bool {
	if d := strings.TrimSpace(s.Dispositif); d != "" && casefile.FoldText(strings.TrimSpace(dispositif)) != casefile.FoldText(d) {
		return false
	}
	if f := strings.TrimSpace(s.Formateur); f != "" && !strings.Contains(casefile.FoldText(referent), casefile.FoldText(f)) {
		return false
	}
	if !s.periodSet() {
		return true
	}
	if entry.IsZero() || !s.To.IsZero() && entry.After(s.To) {
		return false
	}
	return exit.IsZero() || s.From.IsZero() || !exit.Before(s.From)
}

// Perimeter is the scope as a report states it, in its title and its JSON.
type Perimeter struct {
	From       string `json:"du,omitempty"`
	To         string `json:"au,omitempty"`
	Dispositif string `json:"dispositif,omitempty"`
	Formateur  string `json:"formateur,omitempty"`
	Text       string `json:"libelle"` // French, as in the title
}

// perimeter describes the scope; nil when it restricts nothing.
func (s Scope) perimeter() *Perimeter {
	if !s.IsSet() {
		return nil
	}
	p := &Perimeter{From: isoDate(s.From), To: isoDate(s.To), Dispositif: strings.TrimSpace(s.Dispositif), Formateur: strings.TrimSpace(s.Formateur)}
	var parts []string
	switch {
	case p.From != "" && p.To != "":
		parts = append(parts, "du "+longDate(p.From)+" au "+longDate(p.To))
	case p.From != "":
		parts = append(parts, "à partir du "+longDate(p.From))
	case p.To != "":
		parts = append(parts, "jusqu'au "+longDate(p.To))
	}
	if p.Dispositif != "" {
		parts = append(parts, "dispositif « "+p.Dispositif+" »")
	}
	if p.Formateur != "" {
		parts = append(parts, "formateur « "+p.Formateur+" »")
	}
	p.Text = strings.Join(parts, ", ")
	return p
}

// scopeTitle is what a report's title adds for its scope.
func (h *Header) scopeTitle() string {
	if h.Perimeter == nil {
		return ""
	}
	return " — " + h.Perimeter.Text
}

// PeriodStats are the caseload's figures over its scope: what happened in
// the period (the whole history without --du/--au), among the people in
// scope.
type PeriodStats struct {
	Entries Count `json:"entries"` // date_entree in the period
	Exits   Count `json:"exits"`   // date_sortie in the period
	// ExitsByStatus counts those exits by fiche statut (termine, abandon;
	// "" for another or no statut).
	ExitsByStatus []Tally `json:"exits_by_status"`
	// ExitReasons counts those exits by motif_sortie as written (trimmed);
	// null when anonymised (free text).
	ExitReasons []Tally `json:"exit_reasons"`
	// ReachedByLeavers counts the objectives reached by the people who
	// left in the period.
	ReachedByLeavers Count `json:"reached_by_leavers"`
	// Reached counts the objectives whose latest follow-up, in the period,
	// says atteint.
	Reached Count `json:"objectives_reached"`
	// MeanDurationDays is the mean length of the accompaniments that ended
	// in the period, from date_entree to date_sortie; null without one, or
	// with fewer than 5 when anonymised.
	MeanDurationDays *float64 `json:"mean_duration_days"`
	Held             Count    `json:"interviews_held"`   // interviews held in the period
	Missed           Count    `json:"interviews_missed"` // presence absent or excuse, in the period
	// ByProgramme gives the same figures per dispositif ("" for none).
	ByProgramme []ProgrammeRow `json:"by_programme"`
	// ByMonth counts the entries and exits of the period per month, from
	// the period's first month to its last (without bounds, those of the
	// data), the latest maxMonths at most.
	ByMonth []MonthRow `json:"by_month"`
}

// MonthRow is a month's entries and exits.
type MonthRow struct {
	Month   string `json:"month"` // AAAA-MM
	Entries Count  `json:"entries"`
	Exits   Count  `json:"exits"`
}

// maxMonths bounds the monthly series: ten years.
const maxMonths = 120

// ProgrammeRow is a programme's figures over the scope.
type ProgrammeRow struct {
	Name    string `json:"name"`
	Total   Count  `json:"total"` // people in scope
	Entries Count  `json:"entries"`
	Exits   Count  `json:"exits"`
	Reached Count  `json:"objectives_reached"`
	Held    Count  `json:"interviews_held"`
	Missed  Count  `json:"interviews_missed"`
}

// periodAgg accumulates PeriodStats.
type periodAgg struct {
	entries, exits, reached, leaversReached, held, missed int
	exitStatus                                            map[string]int
	reasons                                               map[string]int
	durationSum, durations                                int
	programmes                                            map[string]*[6]int // total, entries, exits, reached, held, missed
	months                                                map[string]*[2]int // AAAA-MM: entries, exits
}

// month counts an entry (0) or an exit (1) in its month.
func (p *periodAgg) month(t time.Time, i int) {
	k := t.Format("2006-01")
	m := p.months[k]
	if m == nil {
		m = new([2]int)
		p.months[k] = m
	}
	m[i]++
}

// addPeriod counts an entry in scope; it returns the interviews held and
// missed in the period, for the person's row.
func (b *CaseloadBuilder) addPeriod(e *CaseloadEntry) (held, missed int) {
	sc := b.s.Scope
	p := b.period
	if p == nil {
		p = &periodAgg{exitStatus: map[string]int{}, reasons: map[string]int{}, programmes: map[string]*[6]int{}, months: map[string]*[2]int{}}
		b.period = p
	}
	entry, _ := casefile.ParseDate(e.entry)
	prog := p.programmes[e.dispositif]
	if prog == nil {
		prog = new([6]int)
		p.programmes[e.dispositif] = prog
	}
	prog[0]++
	if sc.in(entry) {
		p.entries++
		prog[1]++
		p.month(entry, 0)
	}
	if sc.in(e.exit) {
		p.exits++
		p.month(e.exit, 1)
		prog[2]++
		p.exitStatus[e.status]++
		p.leaversReached += e.reached
		if r := strings.TrimSpace(e.exitReason); r != "" && !b.s.Anonymize {
			p.reasons[r]++
		}
		if !entry.IsZero() && !e.exit.Before(entry) {
			p.durationSum += casefile.DaysBetween(entry, e.exit)
			p.durations++
		}
	}
	for _, t := range e.reachedOn {
		if sc.in(t) {
			p.reached++
			prog[3]++
		}
	}
	for _, t := range e.heldOn {
		if sc.in(t) {
			held++
		}
	}
	for _, t := range e.missedOn {
		if sc.in(t) {
			missed++
		}
	}
	p.held += held
	p.missed += missed
	prog[4] += held
	prog[5] += missed
	return held, missed
}

// periodStats returns the figures of the scope; nil without a scope.
func (b *CaseloadBuilder) periodStats() *PeriodStats {
	if !b.s.Scope.IsSet() {
		return nil
	}
	p := b.period
	if p == nil {
		p = &periodAgg{exitStatus: map[string]int{}, reasons: map[string]int{}, programmes: map[string]*[6]int{}, months: map[string]*[2]int{}}
	}
	st := &PeriodStats{Entries: Count{N: p.entries}, Exits: Count{N: p.exits}, Reached: Count{N: p.reached},
		ReachedByLeavers: Count{N: p.leaversReached}, Held: Count{N: p.held}, Missed: Count{N: p.missed}}
	for _, k := range []string{ficheDone, ficheDropped, ""} {
		n := p.exitStatus[k]
		if k == "" {
			n = p.exits - p.exitStatus[ficheDone] - p.exitStatus[ficheDropped]
		}
		st.ExitsByStatus = append(st.ExitsByStatus, Tally{k, Count{N: n}})
	}
	if !b.s.Anonymize {
		st.ExitReasons = []Tally{}
		keys := make([]string, 0, len(p.reasons))
		for k := range p.reasons {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, foldCompare)
		for _, k := range keys {
			st.ExitReasons = append(st.ExitReasons, Tally{k, Count{N: p.reasons[k]}})
		}
	}
	if p.durations > 0 && (!b.s.Anonymize || p.durations >= 5) {
		m := float64(p.durationSum) / float64(p.durations)
		st.MeanDurationDays = &m
	}
	names := make([]string, 0, len(p.programmes))
	for n := range p.programmes {
		names = append(names, n)
	}
	slices.SortFunc(names, foldCompare)
	st.ByProgramme = []ProgrammeRow{}
	for _, n := range names {
		v := p.programmes[n]
		st.ByProgramme = append(st.ByProgramme, ProgrammeRow{Name: n, Total: Count{N: v[0]}, Entries: Count{N: v[1]},
			Exits: Count{N: v[2]}, Reached: Count{N: v[3]}, Held: Count{N: v[4]}, Missed: Count{N: v[5]}})
	}
	st.ByMonth = []MonthRow{}
	first, last := b.s.Scope.From, b.s.Scope.To
	for k := range p.months {
		t, _ := time.Parse("2006-01", k)
		if b.s.Scope.From.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
		if b.s.Scope.To.IsZero() && (last.IsZero() || t.After(last)) {
			last = t
		}
	}
	if !first.IsZero() && !last.IsZero() {
		first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		if lo := time.Date(last.Year(), last.Month()-maxMonths+1, 1, 0, 0, 0, 0, time.UTC); first.Before(lo) {
			first = lo
		}
		for t := first; !t.After(last); t = t.AddDate(0, 1, 0) {
			k := t.Format("2006-01")
			row := MonthRow{Month: k}
			if m := p.months[k]; m != nil {
				row.Entries.N, row.Exits.N = m[0], m[1]
			}
			st.ByMonth = append(st.ByMonth, row)
		}
	}
	return st
}

// suppressLines returns the sums of the period figures and their small
// counts, for the caseload's suppression.
func (st *PeriodStats) suppressLines(total *Count) (lines []sumLine, others []*Count) {
	var statusCells []*Count
	for i := range st.ExitsByStatus {
		statusCells = append(statusCells, &st.ExitsByStatus[i].Count)
	}
	lines = append(lines, sumLine{&st.Exits, statusCells})
	var totals, entries, exits, reached, held, missed []*Count
	for i := range st.ByProgramme {
		p := &st.ByProgramme[i]
		totals = append(totals, &p.Total)
		entries = append(entries, &p.Entries)
		exits = append(exits, &p.Exits)
		reached = append(reached, &p.Reached)
		held = append(held, &p.Held)
		missed = append(missed, &p.Missed)
	}
	lines = append(lines, sumLine{total, totals}, sumLine{&st.Entries, entries}, sumLine{&st.Exits, exits},
		sumLine{&st.Reached, reached}, sumLine{&st.Held, held}, sumLine{&st.Missed, missed})
	var mEntries, mExits []*Count
	for i := range st.ByMonth {
		mEntries = append(mEntries, &st.ByMonth[i].Entries)
		mExits = append(mExits, &st.ByMonth[i].Exits)
	}
	lines = append(lines, sumLine{&st.Entries, mEntries}, sumLine{&st.Exits, mExits})
	others = append(others, &st.ReachedByLeavers)
	return lines, others
}

// periodTable is a table of the period section, shared by the Markdown and
// HTML writers so that both say the same thing.
type periodTable struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// periodView is the period section of a caseload: facts, then tables.
type periodView struct {
	Intro  string
	Facts  [][2]string
	Tables []periodTable
}

func (r *Caseload) periodView() *periodView {
	st := r.Period
	if st == nil {
		return nil
	}
	v := &periodView{Intro: "Personnes accompagnées sur la période (entrées avant sa fin, sorties après son début), " +
		"et ce qui s'y est passé : entrées, sorties, entretiens tenus et manqués, objectifs atteints."}
	if r.Perimeter == nil || r.Perimeter.From == "" && r.Perimeter.To == "" {
		v.Intro = "Sans période (--du, --au), les chiffres portent sur tout l'historique des personnes retenues."
	}
	duration := "sans objet (aucune sortie)"
	switch {
	case st.MeanDurationDays != nil:
		duration = strings.Replace(strconvFloat(*st.MeanDurationDays), ".", ",", 1) + " jours"
	case r.Anonymized && st.Exits.N != 0 || st.Exits.Suppressed:
		duration = "non communiquée (moins de 5 sorties)"
	}
	v.Facts = [][2]string{
		{"Entrées", st.Entries.String()},
		{"Sorties", st.Exits.String()},
		{"Durée moyenne des parcours terminés sur la période", duration},
		{"Objectifs atteints sur la période", st.Reached.String()},
		{"Objectifs atteints par les personnes sorties", st.ReachedByLeavers.String()},
		{"Entretiens tenus", st.Held.String()},
		{"Entretiens manqués (absence, excusée ou non)", st.Missed.String()},
	}
	rows := [][]string{}
	for _, t := range st.ExitsByStatus {
		if t.Key == "" && t.Count.N == 0 && !t.Count.Suppressed {
			continue
		}
		rows = append(rows, []string{labelsOf(&r.Header).ficheStatus(t.Key), t.Count.String()})
	}
	v.Tables = append(v.Tables, periodTable{"Sorties par statut de la fiche", []string{"Statut", "Sorties"}, rows})
	if st.ExitReasons != nil {
		rows = [][]string{}
		for _, t := range st.ExitReasons {
			rows = append(rows, []string{t.Key, t.Count.String()})
		}
		if len(rows) > 0 {
			v.Tables = append(v.Tables, periodTable{"Motifs de sortie", []string{"Motif de sortie", "Sorties"}, rows})
		}
	}
	rows = [][]string{}
	for _, p := range st.ByProgramme {
		name := p.Name
		if name == "" {
			name = "Sans dispositif"
		}
		rows = append(rows, []string{name, p.Total.String(), p.Entries.String(), p.Exits.String(), p.Reached.String(), p.Held.String(), p.Missed.String()})
	}
	if len(st.ByMonth) > 0 {
		months := make([][]string, 0, len(st.ByMonth))
		for _, m := range st.ByMonth {
			months = append(months, []string{monthLabel(m.Month), m.Entries.String(), m.Exits.String()})
		}
		v.Tables = append(v.Tables, periodTable{"Entrées et sorties par mois", []string{"Mois", "Entrées", "Sorties"}, months})
	}
	v.Tables = append(v.Tables, periodTable{"Par dispositif", []string{"Dispositif", "Personnes", "Entrées", "Sorties", "Objectifs atteints", "Entretiens tenus", "Entretiens manqués"}, rows})
	return v
}

// strconvFloat writes a mean with one decimal.
func strconvFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (m *md) period(r *Caseload) {
	v := r.periodView()
	m.heading(2, "Sur la période")
	m.para(v.Intro)
	for _, f := range v.Facts {
		m.item(f[0], f[1])
	}
	m.line("")
	for _, t := range v.Tables {
		m.para(t.Caption + " :")
		m.table(t.Head, t.Rows)
	}
}

// frenchMonths are the months' names, January first.
var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// monthLabel writes AAAA-MM as "juin 2026".
func monthLabel(k string) string {
	t, err := time.Parse("2006-01", k)
	if err != nil {
		return k
	}
	return frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// monthsChart draws the entries and exits of each month of the period.
func (st *PeriodStats) monthsChart() *barChart {
	if st == nil || len(st.ByMonth) == 0 {
		return nil
	}
	in := make([]barInput, 0, len(st.ByMonth))
	for _, m := range st.ByMonth {
		in = append(in, barInput{Label: monthLabel(m.Month), Parts: []barPart{
			{m.Entries.N, m.Entries.Suppressed, "c-ok", "Entrées"}, {m.Exits.N, m.Exits.Suppressed, "c-bad", "Sorties"},
		}})
	}
	return barsChart("chart-months", "Entrées et sorties par mois", in, true)
}
