package casefile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
	"go.yaml.in/yaml/v3"
)

// Severity is the severity of a rule, and of its findings.
type Severity int

// Severities, from the most serious.
const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
	SeverityOff // the rule is turned off (desactive)
)

// String returns the JSON word: error, warning, info.
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return "off"
}

// French returns the word of the text format and acc.yaml: erreur,
// avertissement, info, desactive.
func (s Severity) French() string {
	switch s {
	case SeverityError:
		return "erreur"
	case SeverityWarning:
		return "avertissement"
	case SeverityInfo:
		return "info"
	}
	return "desactive"
}

// ParseSeverity reads a French severity word of acc.yaml.
func ParseSeverity(w string) (Severity, bool) {
	switch strings.TrimSpace(w) {
	case "erreur":
		return SeverityError, true
	case "avertissement":
		return SeverityWarning, true
	case "info":
		return SeverityInfo, true
	case "desactive":
		return SeverityOff, true
	}
	return 0, false
}

// RuleInfo describes a rule: its stable id, default severity and French help.
type RuleInfo struct {
	ID       string
	Default  Severity
	Summary  string // one line, French: what the rule checks
	Help     string // French: why it matters and what to do
	Waivable bool   // false only for donnee-sensible
}

// Rules lists every rule of DESIGN §5, in the contract's order, read from
// the one table of rule ids, default severities and help: the data file
// templates/rules.yaml.
var Rules = rulesFromDefs(templates.Rules())

func rulesFromDefs(defs []templates.RuleDef) []RuleInfo {
	out := make([]RuleInfo, len(defs))
	for i, d := range defs {
		sev, _ := ParseSeverity(d.Default) // rules.yaml is checked when read
		out[i] = RuleInfo{ID: d.ID, Default: sev, Summary: d.Summary, Help: d.Help, Waivable: d.Waivable}
	}
	return out
}

// Rule returns the description of a rule id.
func Rule(id string) (RuleInfo, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// DefaultJudgingWords is the default list of propos-jugeant: words that
// qualify the person instead of describing facts. acc.yaml extends it with
// `regles: { propos-jugeant: { mots: [...] } }`. Matching ignores case and
// accents, works on whole words, and accepts a plural s or x.
var DefaultJudgingWords = []string{
	"paresseux", "paresseuse", "fainéant", "fainéante", "feignant", "feignante",
	"incapable", "menteur", "menteuse", "mythomane", "manipulateur", "manipulatrice",
	"profiteur", "profiteuse", "idiot", "idiote", "stupide", "débile",
	"irrécupérable", "caractériel", "caractérielle", "bon à rien", "bonne à rien",
}

// RuleSettings are the rule severities and parameters of a repository, read from
// acc.yaml's `regles:` over the defaults of DESIGN §5.
type RuleSettings struct {
	severity map[string]Severity

	// RythmeMax and RythmeMin bound the gap in days between held interviews
	// (rythme: intervalle_max_jours, intervalle_min_jours).
	RythmeMax, RythmeMin int
	// DraftDays is brouillon-ancien's `jours`.
	DraftDays int
	// RetentionMonths is conservation's `mois`.
	RetentionMonths int
	// FirstInterviewDays is premier-entretien's `jours`.
	FirstInterviewDays int
	// JudgingWords is the default list plus propos-jugeant's `mots`.
	JudgingWords []string
}

// Rule parameters: name → kind ("int" or "words"), per rule.
var ruleParams = map[string]map[string]string{
	"rythme":            {"intervalle_max_jours": "int", "intervalle_min_jours": "int"},
	"brouillon-ancien":  {"jours": "int"},
	"conservation":      {"mois": "int"},
	"premier-entretien": {"jours": "int"},
	"propos-jugeant":    {"mots": "words"},
}

// DefaultRuleSettings returns the settings of a repository whose acc.yaml says
// nothing about rules.
func DefaultRuleSettings() *RuleSettings {
	s := &RuleSettings{
		severity:           map[string]Severity{},
		RythmeMax:          42,
		RythmeMin:          2,
		DraftDays:          7,
		RetentionMonths:    24,
		FirstInterviewDays: 30,
		JudgingWords:       append([]string(nil), DefaultJudgingWords...),
	}
	for _, r := range Rules {
		s.severity[r.ID] = r.Default
	}
	return s
}

// NewRuleSettings reads the rule settings of acc.yaml (cfg may be nil). path
// names acc.yaml in errors, relative to the case-file root. An unknown rule
// or parameter, a parameter of the wrong kind, and an attempt to lower or
// turn off donnee-sensible give a *poserr.Error at the offending line; the
// command line reports it as a repository problem (exit 3, as a broken
// acc.yaml), before any command writes anything.
func NewRuleSettings(cfg *Config, path string) (*RuleSettings, error) {
	s := DefaultRuleSettings()
	if cfg == nil {
		return s, nil
	}
	if path == "" {
		path = ConfigFile
	}
	errAt := func(n *yaml.Node, format string, args ...any) error {
		e := poserr.At(path, 1, 1, format, args...)
		if n != nil && n.Line > 0 {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	// Map iteration order is random: report the first problem in file order.
	names := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		names = append(names, id)
	}
	sort.Slice(names, func(i, j int) bool { return keyLine(cfg.Rules[names[i]].Key) < keyLine(cfg.Rules[names[j]].Key) })
	for _, id := range names {
		rc := cfg.Rules[id]
		info, ok := Rule(id)
		if !ok {
			msg := fmt.Sprintf("règle « %s » inconnue dans regles", id)
			if sug := SuggestPrefix(id, ids); sug != "" {
				msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", sug)
			} else {
				msg += " ; « acc validate --help » liste les règles"
			}
			return nil, errAt(rc.Key, "%s", msg)
		}
		if rc.Severity != "" {
			sev, ok := ParseSeverity(rc.Severity)
			if !ok {
				return nil, errAt(rc.SeverityNode, "règle « %s » : sévérité « %s » inconnue ; valeurs possibles : erreur, avertissement, info, desactive", id, rc.Severity)
			}
			if !info.Waivable && sev != SeverityError {
				return nil, errAt(rc.SeverityNode, "la règle « %s » ne peut être ni abaissée ni désactivée : sa sévérité reste erreur", id)
			}
			s.severity[id] = sev
		}
		params := make([]string, 0, len(rc.Params))
		for p := range rc.Params {
			params = append(params, p)
		}
		sort.Slice(params, func(i, j int) bool { return keyLine(rc.Params[params[i]]) < keyLine(rc.Params[params[j]]) })
		allowed := ruleParams[id]
		for _, p := range params {
			v := rc.Params[p]
			kind, ok := allowed[p]
			if !ok {
				known := sortedParamNames(allowed)
				msg := fmt.Sprintf("règle « %s » : paramètre « %s » inconnu", id, p)
				switch {
				case len(known) == 0:
					msg += " ; cette règle n'a pas de paramètre, seulement « severite »"
				case SuggestPrefix(p, known) != "":
					msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", SuggestPrefix(p, known))
				default:
					msg += " ; paramètres possibles : severite, " + strings.Join(known, ", ")
				}
				return nil, errAt(paramKey(cfg, rc, p, v), "%s", msg)
			}
			switch kind {
			case "int":
				n, ok := IntOf(v)
				if !ok || n < 0 {
					return nil, errAt(v, "règle « %s » : « %s » doit être un nombre entier positif ou nul", id, p)
				}
				switch p {
				case "intervalle_max_jours":
					s.RythmeMax = n
				case "intervalle_min_jours":
					s.RythmeMin = n
				case "jours":
					if id == "premier-entretien" {
						s.FirstInterviewDays = n
					} else {
						s.DraftDays = n
					}
				case "mois":
					s.RetentionMonths = n
				}
			case "words":
				items := []*yaml.Node{v}
				if v != nil && v.Kind == yaml.SequenceNode {
					items = v.Content
				}
				for _, it := range items {
					w := Scalar(Resolve(it))
					if strings.TrimSpace(w) == "" {
						return nil, errAt(it, "règle « %s » : « %s » est une liste de mots, par exemple [paresseux, ingérable]", id, p)
					}
					s.JudgingWords = append(s.JudgingWords, w)
				}
			}
		}
	}
	if s.RythmeMin > s.RythmeMax {
		rc := cfg.Rules["rythme"]
		return nil, errAt(rc.Params["intervalle_min_jours"], "règle « rythme » : intervalle_min_jours (%d) dépasse intervalle_max_jours (%d)", s.RythmeMin, s.RythmeMax)
	}
	return s, nil
}

// paramKey returns the key node of a rule's parameter in acc.yaml, for
// positions; the value node when it cannot be found.
func paramKey(cfg *Config, rc RuleConfig, param string, value *yaml.Node) *yaml.Node {
	regles, _ := Get(cfg.Node, "regles")
	for _, p := range Pairs(regles) {
		if p.Key != rc.Key {
			continue
		}
		if _, k := Get(Resolve(p.Value), param); k != nil {
			return k
		}
	}
	return value
}

// SuggestPrefix is Suggest, also accepting a word cut short
// (intervalle_max for intervalle_max_jours, final for finalise): the only
// candidate that starts with it.
func SuggestPrefix(w string, candidates []string) string {
	if s := Suggest(w, candidates); s != "" {
		return s
	}
	if len(w) < 4 {
		return ""
	}
	found := ""
	for _, c := range candidates {
		if strings.HasPrefix(c, w) {
			if found != "" {
				return "" // entretien-… matches several types
			}
			found = c
		}
	}
	return found
}

func keyLine(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line*10000 + n.Column
}

func sortedParamNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Severity returns the severity of a rule in this repository; SeverityOff when it
// is turned off.
func (s *RuleSettings) Severity(rule string) Severity {
	if s == nil {
		s = defaultRules
	}
	if sev, ok := s.severity[rule]; ok {
		return sev
	}
	return SeverityError
}

// defaultRules judges when no settings are given.
var defaultRules = DefaultRuleSettings()

// On reports whether a rule is turned on: a rule set to desactive in
// acc.yaml disappears from every judgement.
func (s *RuleSettings) On(rule string) bool { return s.Severity(rule) != SeverityOff }

// WithSeverity returns a copy of the settings where rule has severity sev,
// as if acc.yaml said so (tests, and callers that judge one rule alone).
func (s *RuleSettings) WithSeverity(rule string, sev Severity) *RuleSettings {
	if s == nil {
		s = defaultRules
	}
	c := *s
	c.severity = make(map[string]Severity, len(s.severity)+1)
	for k, v := range s.severity {
		c.severity[k] = v
	}
	c.severity[rule] = sev
	return &c
}
