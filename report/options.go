package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// Version is the version of the JSON shape (README.md). It changes only when
// a field is removed or changes meaning; new fields may appear at any time.
const Version = 1

// Options are what every report needs besides the case files. The zero value
// is not usable: Today is required, and Salt when Anonymize is set.
type Options struct {
	// Today is the date time-based judgements use (overdue objectives,
	// contact gaps, old drafts): --today, ACC_TODAY or the clock's date.
	Today time.Time
	// AsOf, when not zero, is the date the files are shown as they stood
	// (--at DATE); it only appears in the header.
	AsOf time.Time
	// Organisation is acc.yaml's organisation.
	Organisation string

	// Anonymize replaces names and ids by stable pseudonyms, leaves out every
	// free text and suppresses counts below 5 in caseload tables.
	Anonymize bool
	// Salt is the per-repository secret the pseudonyms are derived from.
	// Without it a pseudonym could be reversed by hashing candidate ids.
	Salt []byte

	// SummaryOnly leaves out the annex of a beneficiary report: the full
	// text of every document and the data-protection notice. By default a
	// beneficiary report holds everything the files hold about the person,
	// so that it answers a right-of-access request as is.
	SummaryOnly bool

	// Registry holds the repository's document types (templates.Load): the
	// labels of types, fields and values, the phases and methodology order,
	// the barrier domains. Nil means acc's own types (templates.Builtin).
	Registry *templates.Registry

	// Rules are the repository's rule settings: the reports judge time and
	// phase with casefile.Judge, as validate, status and list do, so that a
	// rule set to desactive disappears from them too, and show its
	// parameters (rythme's gap, brouillon-ancien's days, conservation's
	// months). Nil means the defaults of DESIGN §5.
	Rules *casefile.RuleSettings

	// Scope restricts the caseload and the Qualiopi evidence to a period,
	// a programme, a trainer (acc report --du, --au, --dispositif,
	// --formateur); the zero value keeps everyone.
	Scope Scope
}

// ApplyConfig copies what the reports use from acc.yaml: the organisation and
// the rule settings (casefile.NewRuleSettings). Rule settings that acc.yaml
// gets wrong are left as they are: opening the repository reports them.
func (o *Options) ApplyConfig(cfg *casefile.Config) {
	if cfg == nil {
		return
	}
	o.Organisation = cfg.Organisation
	rules, err := casefile.NewRuleSettings(cfg, "")
	if err != nil {
		return
	}
	o.Rules = rules
}

// Errors of invalid options.
var (
	ErrNoToday = errors.New("rapport : date du jour manquante (--today)")
	ErrNoSalt  = errors.New("rapport : anonymisation impossible sans sel propre au dépôt")
)

func (o Options) check() error {
	if o.Today.IsZero() {
		return ErrNoToday
	}
	if o.Anonymize && len(o.Salt) == 0 {
		return ErrNoSalt
	}
	return nil
}

// settings are Options with defaults applied.
type settings struct {
	Options
	today  string
	labels *labels
}

// Types describes an interview type (not the fiche) from the registry.
func (s *settings) Types(name string) (TypeInfo, bool) { return s.labels.types(name) }

func newSettings(o Options) (*settings, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	s := &settings{Options: o}
	s.Today = casefile.Day(o.Today)
	s.today = casefile.FormatDate(s.Today)
	if o.Registry == nil {
		s.labels = builtinLabels()
	} else {
		s.labels = newLabels(o.Registry)
	}
	if s.Rules == nil {
		s.Rules = casefile.DefaultRuleSettings()
	}
	return s, nil
}

// judge is the one judgement of time and phase of a case (casefile.Judge),
// on the report's day.
func (s *settings) judge(c *casefile.Case) *casefile.Judgement {
	return casefile.Judge(c, s.Rules, s.kinds, s.Today)
}

// kinds gives the judgement the methodology's view of the types.
func (s *settings) kinds(name string) (casefile.Kind, bool) {
	t, ok := s.Types(name)
	if !ok {
		return casefile.Kind{}, false
	}
	k := casefile.Kind{Phase: t.Phase, Rank: t.Rank}
	switch {
	case casefile.IsStep(name):
		k.Builtin = name
	case casefile.IsStep(t.Base):
		k.Builtin = t.Base
	}
	return k, true
}

func (s *settings) header(kind string) Header {
	h := Header{Version: Version, Kind: kind, Organisation: s.Organisation, Today: s.today, Anonymized: s.Anonymize, labels: s.labels}
	if kind == KindCaseload || kind == KindQualiopi {
		h.Perimeter = s.Scope.perimeter()
	}
	if !s.AsOf.IsZero() {
		h.AsOf = casefile.FormatDate(s.AsOf)
	}
	return h
}

// kind returns the built-in type a document counts as for the methodology:
// its own type when built-in, else its base type when that is built-in, else "".
func (s *settings) kind(d *casefile.Document) string {
	k, _ := s.kinds(d.Type())
	return k.Builtin
}

// TypeInfo is what reports need to know about an interview type. The CLI
// builds it from templates.Type (Label, Phase, Rank, Base).
type TypeInfo struct {
	Label string // "Entretien de suivi"
	Phase string // accueil, construction, accompagnement
	Rank  int    // methodology order, 1..6 for the built-ins
	// Base is the built-in type an organisation's type refines, if any: a
	// custom follow-up based on entretien-suivi counts as one in the
	// Qualiopi evidence.
	Base string
}

// Built-in type names (DESIGN §1): the domain's, under the names report's code uses.
const (
	TypeInitial     = casefile.TypeInitial
	TypeDiagnostic  = casefile.TypeDiagnostic
	TypeCoElab      = casefile.TypeCoElab
	TypeContract    = casefile.TypeContract
	TypeFollowUp    = casefile.TypeFollowUp
	TypeReview      = casefile.TypeReview
	phaseWelcome    = "accueil"
	phaseBuild      = "construction"
	phaseFollow     = "accompagnement"
	statusFinal     = "finalise"
	statusDraft     = "brouillon"
	ficheInProgress = "en-cours"
	ficheSuspended  = "suspendu"
	ficheDone       = "termine"
	ficheDropped    = "abandon"
)

// BuiltinTypes describes acc's own interview types (DESIGN §1), from their
// definitions (templates/types), as a rank function for casefile.NewCase.
func BuiltinTypes(name string) (TypeInfo, bool) {
	k, ok := casefile.BuiltinKind(name)
	if !ok {
		return TypeInfo{}, false
	}
	base := ""
	if k.Builtin != name {
		base = k.Builtin
	}
	return TypeInfo{Label: k.Label, Phase: k.Phase, Rank: k.Rank, Base: base}, true
}

// Pseudonym returns the stable pseudonym of a beneficiary id under a
// repository's salt, e.g. "Bénéficiaire 7F3A-K2QD": 40 bits of an
// HMAC-SHA256, so that collisions stay improbable at 100,000 beneficiaries
// (about 1 chance in 200) and the id cannot be recovered without the salt.
func Pseudonym(salt []byte, id string) string {
	return "Bénéficiaire " + pseudoCode(salt, id)
}

var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

func pseudoCode(salt []byte, id string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(id))
	c := crockford.EncodeToString(m.Sum(nil)[:5])
	return c[:4] + "-" + c[4:]
}

// pseudoID is the pseudonym used in place of the id in paths and JSON.
func pseudoID(salt []byte, id string) string {
	return "b-" + strings.ToLower(pseudoCode(salt, id))
}
