package casefile

import (
	"path"
	"strings"
	"time"
)

// Fiche statuses (DESIGN §3.1).
const (
	FicheInProgress = "en-cours"
	FicheSuspended  = "suspendu"
	FicheDone       = "termine"
	FicheDropped    = "abandon"
)

// FicheStatuses lists the statuses of a fiche, in the order of DESIGN §3.1.
var FicheStatuses = []string{FicheInProgress, FicheSuspended, FicheDone, FicheDropped}

// Interview statuses.
const (
	DocDraft = "brouillon"
	DocFinal = "finalise"
)

// Attention kinds: what `acc status` points at. They reuse the rule ids of
// DESIGN §5 where the meaning is the same.
const (
	// AttnPlanned is a planned interview (prochain_entretien) from today to
	// the horizon, with no interview documented on or after it yet.
	AttnPlanned = "entretien-prevu"
	// AttnUndocumented is a planned interview whose date has passed with no
	// interview, held or missed, on or after it.
	AttnUndocumented = "entretien-non-documente"
	// AttnObjective is an open objective past its deadline.
	AttnObjective = "objectif-en-retard"
	// AttnAction is an action not done past its deadline.
	AttnAction = "action-en-retard"
	// AttnOldDraft is a draft older than the brouillon-ancien limit.
	AttnOldDraft = "brouillon-ancien"
	// AttnDraft is a draft within the limit.
	AttnDraft = "brouillon"
)

// Query answers the questions of the read-side commands (status, list)
// about folded cases, as of a day. It applies the same definitions as the
// rules of DESIGN §5, so that `acc status`, `acc list` and `acc validate`
// agree.
type Query struct {
	// Today is the day time-based answers judge against (a case-file date:
	// midnight UTC).
	Today time.Time
	// Phase gives the phase of an interview type; ok is false for a name
	// that is not an interview type.
	Phase func(typ string) (phase string, ok bool)
	// DraftDays is brouillon-ancien's `jours`: a draft older than that is
	// old. A negative value makes no draft old.
	DraftDays int
	// RetentionMonths is conservation's `mois`.
	RetentionMonths int
	// Horizon is how many days ahead of Today a planned interview is
	// announced (AttnPlanned): 6 shows the coming week, today included.
	Horizon int
}

func (q Query) isInterview(typ string) bool {
	_, ok := q.phase(typ)
	return ok
}

func (q Query) phase(typ string) (string, bool) {
	if q.Phase == nil || typ == "" {
		return "", false
	}
	return q.Phase(typ)
}

// InterviewDate returns the date of an interview as the rules read it: the
// frontmatter's `date` when valid, else the file name's.
func (q Query) InterviewDate(d *Document) (time.Time, bool) {
	if t, ok := d.Date("date"); ok {
		return t, true
	}
	t := DocDate(d, q.isInterview)
	return t, !t.IsZero()
}

// InterviewType returns the type of an interview: the frontmatter's `type`,
// else the file name's.
func (q Query) InterviewType(d *Document) string {
	if t := d.Type(); t != "" {
		return t
	}
	if fn, ok := ParseFileName(path.Base(d.Path), q.isInterview); ok {
		return fn.Type
	}
	return ""
}

// FicheStatus returns the fiche's statut, "" when there is no fiche.
func (c *Case) FicheStatus() string {
	if c.Fiche == nil {
		return ""
	}
	return c.Fiche.Statut()
}

// Active reports whether the accompaniment still runs or is paused: the
// fiche says en-cours or suspendu, or cannot be read (the doubt goes to
// reporting, as the rules do).
func (c *Case) Active() bool {
	s := c.FicheStatus()
	return s != FicheDone && s != FicheDropped
}

// Running reports whether the accompaniment runs: the fiche says en-cours,
// or cannot be read.
func (c *Case) Running() bool {
	return c.Active() && c.FicheStatus() != FicheSuspended
}

// Summary is what listings show of one beneficiary.
type Summary struct {
	ID                string
	Prenom, Nom       string
	Statut            string // the fiche's
	Referent          string // formateur_referent
	Dispositif        string
	Entree, Sortie    time.Time
	Phase             string // phase of the latest interview of a known type, "" before any
	Interviews        int
	LastContact       time.Time // see Query.LastContact
	Planned           time.Time // see Query.Planned; zero when none is pending or the file is closed
	Undocumented      bool      // Planned has passed while the file is en-cours (entretien-non-documente)
	OpenObjectives    int
	OverdueObjectives int
	OverdueActions    int
	// PurgeFrom is the first day the case is past the retention period
	// (rule conservation); zero when there is no date to count from.
	PurgeFrom time.Time
}

// Name returns "Prénom Nom", or the id when the fiche gives neither.
func (s Summary) Name() string {
	if n := strings.TrimSpace(s.Prenom + " " + s.Nom); n != "" {
		return n
	}
	return s.ID
}

// Late counts what is overdue: objectives, actions, and a planned interview
// that was not documented.
func (s Summary) Late() int {
	n := s.OverdueObjectives + s.OverdueActions
	if s.Undocumented {
		n++
	}
	return n
}

// ToPurge reports whether the case is past the retention period as of
// today (rule conservation).
func (s Summary) ToPurge(today time.Time) bool {
	return !s.PurgeFrom.IsZero() && !today.Before(s.PurgeFrom)
}

// Summarize computes the summary of a case.
func (q Query) Summarize(c *Case) Summary {
	s := Summary{ID: c.ID}
	if f := c.Fiche; f != nil {
		s.Prenom, s.Nom = f.Str("prenom"), f.Str("nom")
		s.Statut = f.Statut()
		s.Referent = f.Str("formateur_referent")
		s.Dispositif = f.Str("dispositif")
		s.Entree, _ = f.Date("date_entree")
		s.Sortie, _ = f.Date("date_sortie")
	}
	for _, d := range c.Interviews {
		if p, ok := q.phase(q.InterviewType(d)); ok {
			s.Phase = p
			s.Interviews++
		}
	}
	s.LastContact = q.LastContact(c)
	if !s.LastContact.IsZero() {
		// The same arithmetic as the rule: the limit is last contact + mois,
		// and the case is due the day after.
		s.PurgeFrom = s.LastContact.AddDate(0, q.RetentionMonths, 0).AddDate(0, 0, 1)
	}
	if p, _, ok := q.Planned(c); ok && c.Active() {
		s.Planned = p
		s.Undocumented = c.Running() && p.Before(q.Today)
	}
	for _, o := range c.Objectives {
		if !o.Closed() {
			s.OpenObjectives++
		}
		if q.ObjectiveOverdue(c, o) {
			s.OverdueObjectives++
		}
		for _, a := range o.Actions {
			if q.ActionOverdue(c, o, a) {
				s.OverdueActions++
			}
		}
	}
	return s
}

// LastContact returns the day of the last contact with the person, as the
// rule conservation counts it: the latest held interview, relance or
// date_sortie; date_entree when there is none; zero when nothing is dated.
func (q Query) LastContact(c *Case) time.Time {
	var last time.Time
	later := func(t time.Time, ok bool) {
		if ok && t.After(last) {
			last = t
		}
	}
	for _, d := range c.Interviews {
		if !q.isInterview(d.Type()) {
			continue
		}
		if d.Held() {
			later(q.InterviewDate(d))
		}
		later(d.Date("relance"))
	}
	if c.Fiche != nil {
		later(c.Fiche.Date("date_sortie"))
		if last.IsZero() {
			later(c.Fiche.Date("date_entree"))
		}
	}
	return last
}

// Planned returns the interview planned by the latest interview (in fold
// order) that gives a prochain_entretien, with that interview, when no
// interview — held or missed — is dated on or after it: the interview still
// to hold or to document. ok is false when there is none.
func (q Query) Planned(c *Case) (day time.Time, from *Document, ok bool) {
	var plan *Document
	for _, d := range c.Interviews {
		if v, _ := d.Get("prochain_entretien"); !IsNull(v) {
			plan = d
		}
	}
	if plan == nil {
		return time.Time{}, nil, false
	}
	// Like the rule, only the latest plan counts, even when its date is
	// unreadable (champ-invalide says so).
	day, ok = plan.Date("prochain_entretien")
	if !ok {
		return time.Time{}, nil, false
	}
	from = plan
	for _, d := range c.Interviews {
		if !q.isInterview(d.Type()) {
			continue
		}
		if t, ok := q.InterviewDate(d); ok && !t.Before(day) {
			return time.Time{}, nil, false
		}
	}
	return day, from, true
}

// ObjectiveOverdue reports whether an objective is past its deadline and
// still open while the accompaniment is active (rule objectif-en-retard).
func (q Query) ObjectiveOverdue(c *Case, o *Objective) bool {
	return q.followed(c, o) && !o.Echeance.IsZero() && o.Echeance.Before(q.Today)
}

// ActionOverdue reports whether an action of an open objective is past its
// deadline and not done while the accompaniment is active (rule
// action-en-retard).
func (q Query) ActionOverdue(c *Case, o *Objective, a Action) bool {
	return q.followed(c, o) && !a.Fait && !a.Echeance.IsZero() && a.Echeance.Before(q.Today)
}

// followed reports whether an objective's deadlines are watched: a valid
// id, an open, known status, an active accompaniment.
func (q Query) followed(c *Case, o *Objective) bool {
	return c.Active() && CheckObjectiveID(o.ID) && knownObjectiveStatus(o.Status()) && !o.Closed()
}

// ObjectiveStatuses lists the statuses of an objective's follow-up
// (DESIGN §3.4): the open ones, then the final ones.
var ObjectiveStatuses = append([]string{StatusOpen, StatusPostponed}, FinalStatuses...)

func knownObjectiveStatus(s string) bool {
	for _, v := range ObjectiveStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Attention is one thing about a case that needs the trainer's attention.
type Attention struct {
	Kind string    // one of the Attn* kinds
	Doc  *Document // where it shows
	// Date is the planned interview's day, the deadline, or the draft's date.
	Date      time.Time
	Objective string // objective id, for AttnObjective and AttnAction
	Action    string // action label, for AttnAction
	// Days is Today minus Date, in days: how late (positive), or how far
	// ahead (negative) for a planned interview; a draft's age.
	Days int
}

// Attention lists what needs attention in a case as of Today, in this
// order: the planned interview (passed, or within the horizon), overdue
// objectives and their overdue actions, then drafts by date. Planned
// interviews are about running accompaniments (fiche en-cours); objectives
// and actions about active ones (en-cours or suspendu); drafts are listed
// whatever the fiche says.
func (q Query) Attention(c *Case) []Attention {
	var out []Attention
	add := func(a Attention) {
		a.Days = DaysBetween(a.Date, q.Today)
		out = append(out, a)
	}
	if day, from, ok := q.Planned(c); ok && c.Running() {
		switch {
		case day.Before(q.Today):
			add(Attention{Kind: AttnUndocumented, Doc: from, Date: day})
		case DaysBetween(q.Today, day) <= q.Horizon:
			add(Attention{Kind: AttnPlanned, Doc: from, Date: day})
		}
	}
	for _, o := range c.Objectives {
		if q.ObjectiveOverdue(c, o) {
			add(Attention{Kind: AttnObjective, Doc: o.Last().Doc, Date: o.Echeance, Objective: o.ID})
		}
		for _, a := range o.Actions {
			if q.ActionOverdue(c, o, a) {
				add(Attention{Kind: AttnAction, Doc: a.Doc, Date: a.Echeance, Objective: o.ID, Action: strings.TrimSpace(a.Libelle)})
			}
		}
	}
	for _, d := range c.Interviews {
		if d.Statut() != DocDraft || !q.isInterview(d.Type()) {
			continue
		}
		t, ok := q.InterviewDate(d)
		if !ok {
			continue
		}
		kind := AttnDraft
		if q.DraftDays >= 0 && DaysBetween(t, q.Today) > q.DraftDays {
			kind = AttnOldDraft
		}
		add(Attention{Kind: kind, Doc: d, Date: t})
	}
	return out
}

// Contact reports whether an attention item calls for contacting the
// person (an interview to hold or to document, a deadline passed), rather
// than for paperwork (a draft).
func (a Attention) Contact() bool {
	return a.Kind != AttnDraft && a.Kind != AttnOldDraft
}

// InterviewRow is what listings show of one interview.
type InterviewRow struct {
	Doc       *Document
	Date      time.Time // zero when neither the frontmatter nor the name gives one
	Type      string
	Phase     string // "" for an unknown type
	Statut    string
	Presence  string
	Formateur string
}

// InterviewRows returns the interviews of a case in fold order.
func (q Query) InterviewRows(c *Case) []InterviewRow {
	out := make([]InterviewRow, 0, len(c.Interviews))
	for _, d := range c.Interviews {
		r := InterviewRow{Doc: d, Type: q.InterviewType(d), Statut: d.Statut(), Presence: d.Presence(), Formateur: d.Str("formateur")}
		r.Date, _ = q.InterviewDate(d)
		r.Phase, _ = q.phase(r.Type)
		out = append(out, r)
	}
	return out
}

// Late reports whether an objective is late: past its deadline, or with
// an action past its own, while it is followed (see ObjectiveOverdue).
func (q Query) Late(c *Case, o *Objective) bool {
	if q.ObjectiveOverdue(c, o) {
		return true
	}
	for _, a := range o.Actions {
		if q.ActionOverdue(c, o, a) {
			return true
		}
	}
	return false
}

// Pseudo-statuses of objectives that filters accept.
const (
	ObjectivesOpen   = "ouvert" // en-cours or reporte
	ObjectivesClosed = "clos"   // a final status
)

// Filter selects the rows of listings; a zero field selects everything.
// Each field applies to what the listing shows: see the Match methods.
type Filter struct {
	Beneficiaries []string
	// Formateur matches a trainer's name ignoring case and accents; a part of
	// the name is enough ("sophie" matches "Sophie Vasseur").
	Formateur string
	Statuts   []string
	Phases    []string
	Types     []string
	// From and To bound a date, both included; zero leaves that side open.
	From, To time.Time
	Late     bool
	ToPurge  bool
}

func anyOf(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func (f Filter) trainer(name string) bool {
	if f.Formateur == "" {
		return true
	}
	return strings.Contains(FoldText(name), FoldText(strings.TrimSpace(f.Formateur)))
}

func (f Filter) between(t time.Time) bool {
	if f.From.IsZero() && f.To.IsZero() {
		return true
	}
	return !t.IsZero() && !t.Before(f.From) && (f.To.IsZero() || !t.After(f.To))
}

// MatchBeneficiary selects a beneficiary: by id, referent trainer, fiche
// status, current phase, date_entree in the range, something late (see
// Summary.Late), past the retention period.
func (f Filter) MatchBeneficiary(s Summary, today time.Time) bool {
	return anyOf(f.Beneficiaries, s.ID) && f.trainer(s.Referent) && anyOf(f.Statuts, s.Statut) &&
		anyOf(f.Phases, s.Phase) && f.between(s.Entree) && (!f.Late || s.Late() > 0) &&
		(!f.ToPurge || s.ToPurge(today))
}

// MatchInterview selects an interview of the beneficiary s: by beneficiary
// id, the interview's trainer, its statut (brouillon, finalise), the phase
// and name of its type, its date in the range.
func (f Filter) MatchInterview(s Summary, r InterviewRow) bool {
	return anyOf(f.Beneficiaries, s.ID) && f.trainer(r.Formateur) && anyOf(f.Statuts, r.Statut) &&
		anyOf(f.Phases, r.Phase) && anyOf(f.Types, r.Type) && f.between(r.Date)
}

// MatchObjective selects an objective of the beneficiary s: by beneficiary
// id, referent trainer, status (or ouvert, clos), the beneficiary's current
// phase, the deadline in the range, late (see Query.Late).
func (f Filter) MatchObjective(s Summary, o *Objective, late bool) bool {
	if len(f.Statuts) > 0 {
		st, ok := o.Status(), false
		for _, w := range f.Statuts {
			ok = ok || w == st || w == ObjectivesOpen && !o.Closed() || w == ObjectivesClosed && o.Closed()
		}
		if !ok {
			return false
		}
	}
	return anyOf(f.Beneficiaries, s.ID) && f.trainer(s.Referent) && anyOf(f.Phases, s.Phase) &&
		f.between(o.Echeance) && (!f.Late || late)
}
