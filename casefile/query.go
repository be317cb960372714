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
	// AttnNoContact is a fiche en-cours with no interview for longer than
	// rythme's intervalle_max_jours (since the contract).
	AttnNoContact = "rythme"
	// AttnFirstInterview is a fiche en-cours whose first interview has not
	// been held in time (premier-entretien).
	AttnFirstInterview = "premier-entretien"
	// AttnNoRelance is an interview missed without relance.
	AttnNoRelance = "absence-sans-relance"
	// AttnDropout is a second missed interview in a row (decrochage).
	AttnDropout = "decrochage"
	// AttnRetention is a case past the retention period (conservation).
	AttnRetention = "conservation"
)

// Query answers the questions of the read-side commands (status, list)
// about folded cases, as of a day. Every time- and phase-based answer is
// the judgement's (Judge), so that `acc status`, `acc list`, the reports
// and `acc validate` agree.
type Query struct {
	// Today is the day time-based answers judge against (a case-file date:
	// midnight UTC).
	Today time.Time
	// Kinds gives the interview types of the repository.
	Kinds Kinds
	// Rules are the repository's rule settings (nil: the defaults).
	Rules *RuleSettings
	// Horizon is how many days ahead of Today a planned interview is
	// announced (AttnPlanned): 6 shows the coming week, today included.
	Horizon int
}

func (q Query) isInterview(typ string) bool {
	_, ok := q.phase(typ)
	return ok
}

func (q Query) phase(typ string) (string, bool) {
	if q.Kinds == nil || typ == "" {
		return "", false
	}
	k, ok := q.Kinds(typ)
	return k.Phase, ok
}

// Judge judges a case as of Today (see the function Judge).
func (q Query) Judge(c *Case) *Judgement { return Judge(c, q.Rules, q.Kinds, q.Today) }

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
	LastContact       time.Time // see Judgement.LastContact
	Planned           time.Time // see Judgement.Planned; zero when none is pending or the file is closed
	Undocumented      bool      // entretien-non-documente
	NoFirstInterview  bool      // premier-entretien
	OpenObjectives    int
	OverdueObjectives int // objectif-en-retard
	OverdueActions    int // action-en-retard
	// PurgeFrom is the first day the case is past the retention period
	// (rule conservation); zero when there is no date to count from or the
	// rule is off.
	PurgeFrom time.Time
}

// Name returns "Prénom Nom", or the id when the fiche gives neither.
func (s Summary) Name() string {
	if n := strings.TrimSpace(s.Prenom + " " + s.Nom); n != "" {
		return n
	}
	return s.ID
}

// Late counts what is overdue: objectives, actions, a planned interview
// that was not documented, a first interview not held in time.
func (s Summary) Late() int {
	n := s.OverdueObjectives + s.OverdueActions
	if s.Undocumented {
		n++
	}
	if s.NoFirstInterview {
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
func (q Query) Summarize(c *Case) Summary { return q.SummaryOf(q.Brief(c)) }

// SummarizeJudged computes the summary of a case from its judgement (on
// Today).
func (q Query) SummarizeJudged(c *Case, j *Judgement) Summary {
	return q.SummaryOf(q.BriefOf(c, j.Outlook))
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
	Kind string // one of the Attn* kinds
	Path string // the document where it shows
	// Date is the planned interview's day, the deadline, or the draft's date.
	Date      time.Time
	Objective string // objective id, for AttnObjective and AttnAction
	Intitule  string // the objective's title
	Action    string // action label, for AttnAction
	// Days is Today minus Date, in days: how late (positive), or how far
	// ahead (negative) for a planned interview; a draft's age.
	Days int
	// Limit is the rule's parameter (days, or months for AttnRetention).
	Limit int
}

// Attention lists what needs attention in a case as of Today (see
// AttentionOf). A waived concern is not listed.
func (q Query) Attention(c *Case) []Attention { return q.AttentionOf(q.Brief(c)) }

// Contact reports whether an attention item calls for contacting the
// person (an interview to hold or to document, a deadline passed), rather
// than for paperwork (a draft, a case to archive).
func (a Attention) Contact() bool {
	return a.Kind != AttnDraft && a.Kind != AttnOldDraft && a.Kind != AttnRetention
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
