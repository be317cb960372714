package report

import (
	"cmp"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// Report is one of *Beneficiary, *Bundle, *Caseload and *Qualiopi, the
// models the writers accept.
type Report interface {
	head() *Header
}

// Header opens every report.
type Header struct {
	Version      int    `json:"version"`
	Kind         string `json:"kind"` // beneficiaire, beneficiaires, file-active, qualiopi
	Organisation string `json:"organisation"`
	Today        string `json:"today"`           // the date time-based judgements use
	AsOf         string `json:"as_of,omitempty"` // files as they stood at that date
	Anonymized   bool   `json:"anonymized"`
	// Perimeter is the scope of a caseload or Qualiopi report (--du, --au,
	// --dispositif, --formateur); absent when it covers everyone.
	Perimeter *Perimeter `json:"perimetre,omitempty"`

	labels *labels // from the type data; nil: acc's own types (labelsOf)
}

func (h *Header) head() *Header { return h }

// Report kinds.
const (
	KindBeneficiary   = "beneficiaire"
	KindBeneficiaries = "beneficiaires"
	KindCaseload      = "file-active"
	KindQualiopi      = "qualiopi"
)

// Beneficiary is the report on one beneficiary. Codes (statuses, types,
// phases) are the case files' own; writers translate them.
type Beneficiary struct {
	Header
	// ID is the folder's id, or the pseudonymous id when anonymised.
	ID string `json:"id"`
	// Name is "Prénom Nom", or the pseudonym when anonymised.
	Name   string  `json:"name"`
	Person *Person `json:"person,omitempty"` // nil when anonymised
	// Status is the fiche's statut ("" when missing).
	Status   string `json:"status"`
	Referent string `json:"referent,omitempty"`
	Entry    string `json:"entry,omitempty"`
	Exit     string `json:"exit,omitempty"`
	// Phase is the phase of the latest interview ("" before any).
	Phase string `json:"phase"`
	// LastContact is the latest held interview or relance.
	LastContact string       `json:"last_contact,omitempty"`
	Timeline    []Interview  `json:"timeline"`
	Objectives  []Objective  `json:"objectives"`
	Ratings     []Rating     `json:"ratings"`
	Barriers    *Barriers    `json:"barriers"` // nil when never assessed
	Commitments []Commitment `json:"commitments"`
	Waivers     []Waiver     `json:"waivers"`
	Next        NextSteps    `json:"next"`
	// Findings are what the validation still finds; nil (null) when the
	// validation was not run, empty when it found nothing.
	Findings []Finding `json:"findings"`
	// Privacy and Documents form the annex (left out when anonymised or
	// with Options.SummaryOnly).
	Privacy   *Privacy  `json:"privacy,omitempty"`
	Documents []DocText `json:"documents,omitempty"`
}

// Person is the identity of a beneficiary, left out when anonymised.
type Person struct {
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Programme  string `json:"programme,omitempty"`   // dispositif
	ExitReason string `json:"exit_reason,omitempty"` // motif_sortie
}

// Interview is a row of the timeline.
type Interview struct {
	Path      string `json:"path"`
	Date      string `json:"date"`
	Type      string `json:"type"`
	TypeLabel string `json:"type_label"`
	Phase     string `json:"phase"`
	Trainer   string `json:"trainer"`
	Status    string `json:"status"`   // brouillon, finalise
	Presence  string `json:"presence"` // present, absent, excuse
	Relance   string `json:"relance,omitempty"`
	Modality  string `json:"modality,omitempty"`
	Minutes   int    `json:"minutes,omitempty"`
	Purpose   string `json:"purpose,omitempty"` // objectif_entretien; left out when anonymised
	NextDate  string `json:"next,omitempty"`    // prochain_entretien
}

// Objective is the folded state of an objective with its history.
type Objective struct {
	ID        string `json:"id"`
	Title     string `json:"title,omitempty"`     // intitule; left out when anonymised
	Indicator string `json:"indicator,omitempty"` // indicateur; left out when anonymised
	Deadline  string `json:"deadline,omitempty"`
	Status    string `json:"status"` // en-cours, reporte, or a final status
	Closed    bool   `json:"closed"`
	Overdue   bool   `json:"overdue"`
	DaysLate  int    `json:"days_late,omitempty"`
	Retained  bool   `json:"retained"` // listed in a contract's objectifs_retenus
	// DeclaredOn and DeclaredIn are the date and path of the first declaration.
	DeclaredOn string        `json:"declared_on"`
	DeclaredIn string        `json:"declared_in"`
	Revisions  []Revision    `json:"revisions"`
	Followups  []Followup    `json:"followups"`
	Actions    []ActionState `json:"actions"`
}

// Revision is a later declaration of an objective that changed it.
type Revision struct {
	Date    string   `json:"date"`
	Path    string   `json:"path"`
	Changes []string `json:"changes"` // French sentences
}

// Followup is one suivi_objectifs entry.
type Followup struct {
	Date    string `json:"date"`
	Path    string `json:"path"`
	Status  string `json:"status"`
	Comment string `json:"comment,omitempty"` // left out when anonymised
}

// ActionState is a step of an objective as it stands.
type ActionState struct {
	Label       string `json:"label,omitempty"` // left out when anonymised
	Deadline    string `json:"deadline,omitempty"`
	Responsible string `json:"responsible,omitempty"` // beneficiaire, formateur, or a name ("autre" when anonymised)
	Done        bool   `json:"done"`
	Overdue     bool   `json:"overdue"`
}

// Rating is the evaluation of one interview (1–4; 0 when not given).
type Rating struct {
	Date         string `json:"date"`
	Path         string `json:"path"`
	Autonomy     int    `json:"autonomy"`
	Interactions int    `json:"interactions"`
}

// Barriers are the freins assessments, the first being the diagnosis.
type Barriers struct {
	Assessments []Assessment `json:"assessments"`
	// Domains has one row per domain, in the order of DESIGN §3.2; Levels[i]
	// belongs to Assessments[i] and is null when the domain was not assessed.
	Domains []BarrierDomain `json:"domains"`
	// Compensation is besoin_compensation as last stated (null if never).
	Compensation *bool `json:"compensation"`
}

// Assessment is a document that rates the barriers.
type Assessment struct {
	Date string `json:"date"`
	Path string `json:"path"`
}

// BarrierDomain is one domain's levels over time.
type BarrierDomain struct {
	Key    string `json:"key"`
	Levels []*int `json:"levels"`
}

// Initial returns the first assessed level and Current the last, or nil.
func (d BarrierDomain) Initial() *int {
	for _, l := range d.Levels {
		if l != nil {
			return l
		}
	}
	return nil
}

// Current returns the last assessed level, or nil.
func (d BarrierDomain) Current() *int {
	for i := len(d.Levels) - 1; i >= 0; i-- {
		if d.Levels[i] != nil {
			return d.Levels[i]
		}
	}
	return nil
}

// Commitment is a contractualisation.
type Commitment struct {
	Date     string   `json:"date"`
	Path     string   `json:"path"`
	Status   string   `json:"status"`
	SignedOn string   `json:"signed_on,omitempty"`
	Retained []string `json:"retained"`
	// The texts and names are left out when anonymised; the counts stay.
	Beneficiary      []string `json:"beneficiary,omitempty"`
	Trainer          []string `json:"trainer,omitempty"`
	Signatories      []string `json:"signatories,omitempty"`
	BeneficiaryCount int      `json:"beneficiary_count"`
	TrainerCount     int      `json:"trainer_count"`
	SignatoryCount   int      `json:"signatory_count"`
}

// Waiver is a derogation of a rule in a document.
type Waiver struct {
	Date   string `json:"date"`
	Path   string `json:"path"`
	Rule   string `json:"rule"`
	Reason string `json:"reason,omitempty"` // left out when anonymised
}

// NextSteps are what comes next.
type NextSteps struct {
	// Interview is the latest prochain_entretien given, when no document
	// exists on or after it; Late when it is before Today.
	Interview string `json:"interview,omitempty"`
	Late      bool   `json:"late"`
	// Suites is the latest bilan's suites (left out when anonymised), and
	// SuitesIn its path.
	Suites   string `json:"suites,omitempty"`
	SuitesIn string `json:"suites_in,omitempty"`
}

// Finding is a validation finding.
type Finding struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"` // error, warning, info
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

// Privacy is the data-protection notice of a right-of-access report.
type Privacy struct {
	InformedOn      string `json:"informed_on,omitempty"` // information_rgpd
	RetentionMonths int    `json:"retention_months"`
	// RetainFrom is the last contact as the rule conservation counts it
	// (latest held interview, relance or date_sortie); RetainUntil adds the
	// retention period.
	RetainFrom  string `json:"retain_from,omitempty"`
	RetainUntil string `json:"retain_until,omitempty"`
}

// DocText is the full content of one document, in plain French.
type DocText struct {
	Path   string  `json:"path"`
	Title  string  `json:"title"` // "Entretien de suivi du 7 avril 2026"
	Fields []Field `json:"fields"`
	// Body is the Markdown text after the frontmatter, without HTML
	// comments (the templates' prompts) and without its level-1 title.
	Body string `json:"body"`
}

// Field is a frontmatter key in French with its value or sub-fields, for
// reading: dates in words, codes as words. Key is the key as written ("" for
// list items).
type Field struct {
	Key      string  `json:"key,omitempty"`
	Label    string  `json:"label"`
	Value    string  `json:"value,omitempty"`
	Children []Field `json:"children,omitempty"`
}

// BuildBeneficiary builds the report on one case. findings are the
// validation findings of its documents (nil: validation not run).
func BuildBeneficiary(c *casefile.Case, findings []validate.Finding, opt Options) (*Beneficiary, error) {
	s, err := newSettings(opt)
	if err != nil {
		return nil, err
	}
	b := s.beneficiary(c, findings)
	maskSensitive(b)
	return b, nil
}

func (s *settings) beneficiary(c *casefile.Case, findings []validate.Finding) *Beneficiary {
	b := &Beneficiary{Header: s.header(KindBeneficiary), ID: c.ID, Name: c.ID}
	p := func(path string) string { return s.path(c.ID, path) }
	if f := c.Fiche; f != nil {
		b.Status = f.Statut()
		b.Referent = f.Str("formateur_referent")
		b.Entry = dateStr(f, "date_entree")
		b.Exit = dateStr(f, "date_sortie")
		person := &Person{FirstName: f.Str("prenom"), LastName: f.Str("nom"), Programme: f.Str("dispositif"), ExitReason: f.Str("motif_sortie")}
		if n := strings.TrimSpace(person.FirstName + " " + person.LastName); n != "" {
			b.Name = n
		}
		b.Person = person
	}
	if s.Anonymize {
		b.ID, b.Name, b.Person = pseudoID(s.Salt, c.ID), Pseudonym(s.Salt, c.ID), nil
	}
	b.Phase = s.phaseOf(c)
	j := s.judge(c)
	b.LastContact = isoDate(j.LastHeld)

	b.Timeline = []Interview{}
	b.Ratings = []Rating{}
	b.Commitments = []Commitment{}
	b.Waivers = []Waiver{}
	for _, d := range c.Interviews {
		date := dateStr(d, "date")
		info, _ := s.Types(d.Type())
		iv := Interview{
			Path: p(d.Path), Date: date, Type: d.Type(), TypeLabel: info.Label, Phase: info.Phase,
			Trainer: d.Str("formateur"), Status: d.Statut(), Presence: d.Presence(), Relance: dateStr(d, "relance"),
			Modality: d.Str("modalite"), NextDate: dateStr(d, "prochain_entretien"),
		}
		if iv.TypeLabel == "" {
			iv.TypeLabel = d.Type()
		}
		if v, _ := d.Get("duree_minutes"); v != nil {
			iv.Minutes, _ = casefile.IntOf(v)
		}
		if !s.Anonymize {
			iv.Purpose = d.Str("objectif_entretien")
		}
		b.Timeline = append(b.Timeline, iv)

		if ev, _ := d.Get("evaluation"); ev != nil && d.Held() {
			r := Rating{Date: date, Path: p(d.Path), Autonomy: scale4(ev, "autonomie"), Interactions: scale4(ev, "interactions")}
			if r.Autonomy != 0 || r.Interactions != 0 {
				b.Ratings = append(b.Ratings, r)
			}
		}
		if s.kind(d) == TypeContract {
			b.Commitments = append(b.Commitments, s.commitment(d, date, p(d.Path)))
		}
		if s.kind(d) == TypeReview {
			if su := d.Str("suites"); su != "" {
				b.Next.SuitesIn = p(d.Path)
				if !s.Anonymize {
					b.Next.Suites = su
				}
			}
		}
	}
	docs := c.Interviews
	if c.Fiche != nil {
		docs = append([]*casefile.Document{c.Fiche}, c.Interviews...)
	}
	for _, d := range docs {
		dv, _ := d.Get("derogations")
		for _, item := range seqItems(dv) {
			w := Waiver{Date: dateStr(d, "date"), Path: p(d.Path), Rule: str(item, "regle")}
			if !s.Anonymize {
				w.Reason = str(item, "motif")
			}
			b.Waivers = append(b.Waivers, w)
		}
	}
	b.Barriers = s.barriers(c, p)
	b.Objectives = make([]Objective, 0, len(c.Objectives))
	for _, o := range c.Objectives {
		b.Objectives = append(b.Objectives, s.objective(o, p, j))
	}
	b.Next.Interview, b.Next.Late = isoDate(j.Planned), j.Has("entretien-non-documente")
	if b.Status == ficheDone || b.Status == ficheDropped {
		b.Next.Interview, b.Next.Late = "", false
	}
	if findings != nil {
		b.Findings = s.findings(c.ID, findings)
	}
	if !s.Anonymize && !s.SummaryOnly {
		b.Privacy = s.privacy(c, j)
		for _, d := range docs {
			b.Documents = append(b.Documents, s.docText(d))
		}
	}
	return b
}

// path rewrites a case path for the report: the id is replaced by the
// pseudonymous id when anonymised.
func (s *settings) path(id, p string) string {
	if !s.Anonymize {
		return p
	}
	dir := casefile.BeneficiaryDir(id) + "/"
	if rest, ok := strings.CutPrefix(p, dir); ok {
		return casefile.BeneficiaryDir(pseudoID(s.Salt, id)) + "/" + rest
	}
	return strings.ReplaceAll(p, id, pseudoID(s.Salt, id))
}

// phaseOf returns the phase of the latest interview of a known type.
func (s *settings) phaseOf(c *casefile.Case) string {
	for i := len(c.Interviews) - 1; i >= 0; i-- {
		if t, ok := s.Types(c.Interviews[i].Type()); ok {
			return t.Phase
		}
	}
	return ""
}

func (s *settings) objective(o *casefile.Objective, p func(string) string, j *casefile.Judgement) Objective {
	out := Objective{
		ID: o.ID, Deadline: isoDate(o.Echeance), Status: o.Status(), Closed: o.Closed(), Retained: o.Retained,
		Revisions: []Revision{}, Followups: []Followup{}, Actions: []ActionState{},
	}
	if !s.Anonymize {
		out.Title, out.Indicator = o.Intitule, o.Indicateur
	}
	for _, c := range j.Of("objectif-en-retard") {
		if c.Objective == o {
			out.Overdue, out.DaysLate = true, c.Days
		}
	}
	if len(o.Revisions) > 0 {
		first := o.Revisions[0]
		out.DeclaredOn, out.DeclaredIn = isoDate(first.Date), p(first.Doc.Path)
	}
	out.Revisions = s.revisions(o, p)
	for _, f := range o.Followups {
		fu := Followup{Date: isoDate(f.Date), Path: p(f.Doc.Path), Status: f.Statut}
		if !s.Anonymize {
			fu.Comment = f.Commentaire
		}
		out.Followups = append(out.Followups, fu)
	}
	for i := range o.Actions {
		a := &o.Actions[i]
		as := ActionState{Deadline: isoDate(a.Echeance), Responsible: a.Responsable, Done: a.Fait}
		if s.Anonymize {
			if as.Responsible != "beneficiaire" && as.Responsible != "formateur" && as.Responsible != "" {
				as.Responsible = "autre"
			}
		} else {
			as.Label = a.Libelle
		}
		as.Overdue = j.ActionOverdue(a)
		out.Actions = append(out.Actions, as)
	}
	return out
}

// revisions replays the declarations of an objective and describes in
// French what each later one changed.
func (s *settings) revisions(o *casefile.Objective, p func(string) string) []Revision {
	out := []Revision{}
	t := &revisionTracker{s: s}
	for i, r := range o.Revisions {
		changes := t.read(r.Node, i > 0)
		if i > 0 && len(changes) > 0 {
			out = append(out, Revision{Date: isoDate(r.Date), Path: p(r.Doc.Path), Changes: changes})
		}
	}
	return out
}

// actionState is what one declaration says of an action.
type actionState struct {
	done     bool
	deadline time.Time
}

// revisionTracker holds an objective as the declarations read so far left
// it, so that each later declaration is described by what it changed.
type revisionTracker struct {
	s                *settings
	title, indicator string
	deadline         time.Time
	actions          map[string]actionState
	order            []string // action labels in declaration order
}

// actionCounts stand in for the action labels an anonymized report hides.
type actionCounts struct{ done, reopened, added, removed int }

// read advances the tracker over one declaration and returns its changes;
// compare is false for the original declaration, which only sets the state.
func (t *revisionTracker) read(node *yaml.Node, compare bool) []string {
	var changes []string
	var n actionCounts
	for _, pr := range casefile.Pairs(node) {
		v := casefile.Resolve(pr.Value)
		switch pr.Key.Value {
		case "intitule":
			changes = append(changes, t.text(&t.title, "intitulé modifié", casefile.Scalar(v), compare)...)
		case "indicateur":
			changes = append(changes, t.text(&t.indicator, "indicateur modifié", casefile.Scalar(v), compare)...)
		case "echeance":
			changes = append(changes, t.objectiveDeadline(v, compare)...)
		case "actions":
			changes = append(changes, t.actionList(v, compare, &n)...)
		}
	}
	if t.s.Anonymize {
		changes = append(changes, n.summary()...)
	}
	return changes
}

// text records a new value of a text field and describes the change.
func (t *revisionTracker) text(field *string, what, value string, compare bool) []string {
	if value == *field {
		return nil
	}
	*field = value
	if !compare {
		return nil
	}
	return []string{t.s.textChange(what, value)}
}

// objectiveDeadline records a new deadline of the objective; an unreadable
// date leaves the previous one standing.
func (t *revisionTracker) objectiveDeadline(v *yaml.Node, compare bool) []string {
	d, ok := casefile.DateOf(v)
	if !ok || d.Equal(t.deadline) {
		return nil
	}
	prev := t.deadline
	t.deadline = d
	if !compare {
		return nil
	}
	return []string{deadlineMove(prev, d)}
}

// deadlineMove describes the objective's deadline going from prev (zero when
// there was none) to next.
func deadlineMove(prev, next time.Time) string {
	switch {
	case prev.IsZero():
		return "échéance fixée au " + longDate(isoDate(next))
	case next.After(prev):
		return "échéance repoussée du " + longDate(isoDate(prev)) + " au " + longDate(isoDate(next))
	default:
		return "échéance avancée du " + longDate(isoDate(prev)) + " au " + longDate(isoDate(next))
	}
}

// actionList records a declaration's actions, keyed by label (the last of
// duplicate labels wins), and describes the added, done, reopened, moved and
// removed ones, counting them in n.
func (t *revisionTracker) actionList(v *yaml.Node, compare bool, n *actionCounts) []string {
	var changes []string
	next := map[string]actionState{}
	var nextOrder []string
	for _, item := range seqItems(v) {
		lib := str(item, "libelle")
		ech, _ := casefile.DateOf(get(item, "echeance"))
		f, _ := casefile.BoolOf(get(item, "fait"))
		a := actionState{done: f, deadline: ech}
		if _, dup := next[lib]; !dup {
			nextOrder = append(nextOrder, lib)
		}
		next[lib] = a
		if compare {
			changes = append(changes, t.action(lib, a, n)...)
		}
	}
	if compare {
		for _, lib := range t.order {
			if _, ok := next[lib]; !ok {
				n.removed++
				changes = append(changes, t.named("action retirée", lib)...)
			}
		}
	}
	t.actions, t.order = next, nextOrder
	return changes
}

// action compares one action with its state in the previous declaration.
func (t *revisionTracker) action(lib string, a actionState, n *actionCounts) []string {
	var changes []string
	prev, existed := t.actions[lib]
	switch {
	case !existed:
		n.added++
		changes = append(changes, t.named("action ajoutée", lib)...)
	case a.done && !prev.done:
		n.done++
		changes = append(changes, t.named("action faite", lib)...)
	case !a.done && prev.done:
		n.reopened++
		changes = append(changes, t.named("action rouverte", lib)...)
	}
	if existed && !a.deadline.IsZero() && !prev.deadline.IsZero() && !a.deadline.Equal(prev.deadline) {
		verb := "repoussée"
		if a.deadline.Before(prev.deadline) {
			verb = "avancée"
		}
		what := "échéance d'une action"
		if !t.s.Anonymize {
			what = "échéance de l'action « " + lib + " »"
		}
		changes = append(changes, what+" "+verb+" du "+longDate(isoDate(prev.deadline))+" au "+longDate(isoDate(a.deadline)))
	}
	return changes
}

// named describes a change to the action lib; an anonymized report names no
// action and reports the counts instead (actionCounts.summary).
func (t *revisionTracker) named(what, lib string) []string {
	if t.s.Anonymize {
		return nil
	}
	return []string{what + " : « " + lib + " »"}
}

// summary is the anonymized report's account of the action changes.
func (n actionCounts) summary() []string {
	var out []string
	for _, c := range []struct {
		n         int
		one, many string
	}{{n.done, "action faite", "actions faites"}, {n.reopened, "action rouverte", "actions rouvertes"},
		{n.added, "action ajoutée", "actions ajoutées"}, {n.removed, "action retirée", "actions retirées"}} {
		if c.n > 0 {
			out = append(out, plural(c.n, c.one, c.many))
		}
	}
	return out
}

func (s *settings) textChange(what, text string) string {
	if s.Anonymize || text == "" {
		return what
	}
	return what + " : « " + text + " »"
}

func (s *settings) commitment(d *casefile.Document, date, path string) Commitment {
	c := Commitment{Date: date, Path: path, Status: d.Statut(), SignedOn: dateStr(d, "signe_le"), Retained: []string{}}
	eng, _ := d.Get("engagements")
	ben := scalars(get(eng, "beneficiaire"))
	tr := scalars(get(eng, "formateur"))
	sig := scalars(get(d.Front, "signataires"))
	c.BeneficiaryCount, c.TrainerCount, c.SignatoryCount = len(ben), len(tr), len(sig)
	if !s.Anonymize {
		c.Beneficiary, c.Trainer, c.Signatories = ben, tr, sig
	}
	if ret, _ := d.Get("objectifs_retenus"); ret != nil {
		c.Retained = append(c.Retained, scalars(ret)...)
	}
	return c
}

func (s *settings) barriers(c *casefile.Case, p func(string) string) *Barriers {
	var b *Barriers
	levels := map[string][]*int{}
	var extra []string
	for _, d := range c.Interviews {
		if v, _ := d.Get("besoin_compensation"); v != nil {
			if bc, ok := casefile.BoolOf(v); ok {
				if b == nil {
					b = &Barriers{}
				}
				b.Compensation = &bc
			}
		}
		fr, _ := d.Get("freins")
		if fr == nil || fr.Kind != yaml.MappingNode {
			continue
		}
		if b == nil {
			b = &Barriers{}
		}
		i := len(b.Assessments)
		b.Assessments = append(b.Assessments, Assessment{Date: dateStr(d, "date"), Path: p(d.Path)})
		for _, pr := range casefile.Pairs(fr) {
			k := pr.Key.Value
			if !slices.Contains(s.labels.barrierKeys, k) && levels[k] == nil {
				extra = append(extra, k)
			}
			if levels[k] == nil {
				levels[k] = make([]*int, 0, 2)
			}
			for len(levels[k]) < i {
				levels[k] = append(levels[k], nil)
			}
			if n, ok := casefile.IntOf(casefile.Resolve(pr.Value)); ok && n >= 0 && n <= s.labels.barrierMax(k) && len(levels[k]) == i {
				levels[k] = append(levels[k], &n)
			}
		}
	}
	if b == nil {
		return nil
	}
	b.Assessments = append([]Assessment{}, b.Assessments...)
	for _, k := range append(slices.Clone(s.labels.barrierKeys), extra...) {
		l := levels[k]
		for len(l) < len(b.Assessments) {
			l = append(l, nil)
		}
		b.Domains = append(b.Domains, BarrierDomain{Key: k, Levels: l})
	}
	return b
}

func (s *settings) findings(id string, fs []validate.Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		if f.Severity == validate.Off {
			continue
		}
		out = append(out, Finding{Path: s.path(id, f.Path), Line: f.Line, Column: f.Column, Severity: f.Severity.String(), Rule: f.Rule, Message: f.Message})
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Rule, b.Rule))
	})
	return out
}

func (s *settings) privacy(c *casefile.Case, j *casefile.Judgement) *Privacy {
	pv := &Privacy{RetentionMonths: s.Rules.RetentionMonths}
	for _, d := range c.Interviews {
		if t, ok := d.Date("information_rgpd"); ok {
			pv.InformedOn = isoDate(t)
			break
		}
	}
	if last := j.LastContact; !last.IsZero() {
		pv.RetainFrom = isoDate(last)
		pv.RetainUntil = isoDate(last.AddDate(0, s.Rules.RetentionMonths, 0))
	}
	return pv
}

// docText renders a whole document in plain French.
func (s *settings) docText(d *casefile.Document) DocText {
	dt := DocText{Path: d.Path, Fields: []Field{}}
	if path.Base(d.Path) == casefile.FicheFile {
		dt.Title = "Fiche du bénéficiaire"
	} else {
		label := d.Type()
		if t, ok := s.Types(label); ok {
			label = t.Label
		}
		if label == "" {
			label = path.Base(d.Path)
		}
		dt.Title = label
		if date := dateStr(d, "date"); date != "" {
			dt.Title += " du " + longDate(date)
		}
	}
	for _, pr := range casefile.Pairs(d.Front) {
		dt.Fields = append(dt.Fields, s.field(pr.Key.Value, casefile.Resolve(pr.Value)))
	}
	dt.Body = bodyText(d)
	return dt
}

func (s *settings) field(key string, v *yaml.Node) Field {
	f := Field{Key: key, Label: s.labels.keyLabel(key)}
	if v == nil {
		return f
	}
	switch v.Kind {
	case yaml.ScalarNode:
		f.Value = s.labels.valueLabel(key, casefile.Scalar(v))
		if key == "type" {
			if t, ok := s.Types(v.Value); ok {
				f.Value = t.Label
			}
		}
	case yaml.MappingNode:
		for _, pr := range casefile.Pairs(v) {
			f.Children = append(f.Children, s.field(pr.Key.Value, casefile.Resolve(pr.Value)))
		}
	case yaml.SequenceNode:
		var vals []string
		allScalar := true
		for _, item := range v.Content {
			item = casefile.Resolve(item)
			if item == nil || item.Kind != yaml.ScalarNode {
				allScalar = false
				break
			}
			vals = append(vals, s.labels.valueLabel(key, casefile.Scalar(item)))
		}
		if allScalar && key != "signataires" && key != "beneficiaire" && key != "formateur" {
			f.Value = strings.Join(vals, ", ")
			break
		}
		for i, item := range v.Content {
			item = casefile.Resolve(item)
			if item == nil || item.Kind == yaml.ScalarNode {
				f.Children = append(f.Children, Field{Value: s.labels.valueLabel(key, casefile.Scalar(item))})
				continue
			}
			label := s.labels.item(key) + " " + strconv.Itoa(i+1)
			if id := str(item, "id"); id != "" {
				label = id
			} else if id := str(item, "objectif"); id != "" {
				label = id
			}
			child := s.field("", item)
			child.Label = label
			if item.Kind == yaml.MappingNode {
				// The id is the child's label already.
				child.Children = slices.DeleteFunc(child.Children, func(c Field) bool {
					return (c.Label == s.labels.keyLabel("id") || c.Label == s.labels.keyLabel("objectif")) && c.Value == label
				})
			}
			f.Children = append(f.Children, child)
		}
	}
	return f
}

// itemLabel names the items of a list in the annex: "Action 2".

// bodyText returns a document's body without HTML comments and without its
// level-1 title (the report gives its own).
func bodyText(d *casefile.Document) string {
	src := string(d.Src)
	if d.HasFront && d.BodyLine > 1 {
		for i, line := 0, 1; i < len(src); i++ {
			if src[i] == '\n' {
				line++
				if line == d.BodyLine {
					src = src[i+1:]
					break
				}
			}
		}
	}
	src = stripComments(src)
	var out []string
	titleDone := false
	for _, line := range strings.Split(src, "\n") {
		if !titleDone && strings.TrimSpace(line) != "" {
			titleDone = true
			if strings.HasPrefix(line, "# ") {
				continue
			}
		}
		out = append(out, strings.TrimRight(line, " \t"))
	}
	body := strings.TrimSpace(strings.Join(out, "\n"))
	// Comments removed leave runs of blank lines.
	for strings.Contains(body, "\n\n\n") {
		body = strings.ReplaceAll(body, "\n\n\n", "\n\n")
	}
	return body
}

func stripComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return b.String()
		}
		s = s[i+4+j+3:]
	}
}

// Small YAML helpers.

func get(m *yaml.Node, key string) *yaml.Node {
	v, _ := casefile.Get(casefile.Resolve(m), key)
	return v
}

func str(m *yaml.Node, key string) string { return casefile.Scalar(get(m, key)) }

func seqItems(n *yaml.Node) []*yaml.Node {
	n = casefile.Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		out = append(out, casefile.Resolve(it))
	}
	return out
}

func scalars(n *yaml.Node) []string {
	var out []string
	for _, it := range seqItems(n) {
		if v := casefile.Scalar(it); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func dateStr(d *casefile.Document, key string) string {
	t, ok := d.Date(key)
	if !ok {
		return ""
	}
	return isoDate(t)
}

// scale4 returns a 1–4 rating, 0 when absent or out of range.
func scale4(m *yaml.Node, key string) int {
	n, ok := casefile.IntOf(get(m, key))
	if !ok || n < 1 || n > 4 {
		return 0
	}
	return n
}
