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
	rr := &ruleReader{cfg: cfg, path: path, s: s}
	// Map iteration order is random: report the first problem in file order.
	for _, id := range sortedByLine(cfg.Rules, func(rc RuleConfig) *yaml.Node { return rc.Key }) {
		if err := rr.rule(id, cfg.Rules[id]); err != nil {
			return nil, err
		}
	}
	if s.RythmeMin > s.RythmeMax {
		rc := cfg.Rules["rythme"]
		return nil, rr.errAt(rc.Params["intervalle_min_jours"], "règle « rythme » : intervalle_min_jours (%d) dépasse intervalle_max_jours (%d)", s.RythmeMin, s.RythmeMax)
	}
	return s, nil
}

// ruleReader applies the entries of acc.yaml's regles to s, one by one.
type ruleReader struct {
	cfg  *Config
	path string // acc.yaml, as errors name it
	s    *RuleSettings
}

// errAt is an error at node n of acc.yaml (its first line when n has no
// position).
func (rr *ruleReader) errAt(n *yaml.Node, format string, args ...any) error {
	e := poserr.At(rr.path, 1, 1, format, args...)
	if n != nil && n.Line > 0 {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// rule applies the entry rc of rule id: its severity, then its parameters
// in file order.
func (rr *ruleReader) rule(id string, rc RuleConfig) error {
	info, ok := Rule(id)
	if !ok {
		return rr.errAt(rc.Key, "%s", unknownRuleMessage(id))
	}
	if rc.Severity != "" {
		sev, ok := ParseSeverity(rc.Severity)
		if !ok {
			return rr.errAt(rc.SeverityNode, "règle « %s » : sévérité « %s » inconnue ; valeurs possibles : erreur, avertissement, info, desactive", id, rc.Severity)
		}
		if !info.Waivable && sev != SeverityError {
			return rr.errAt(rc.SeverityNode, "la règle « %s » ne peut être ni abaissée ni désactivée : sa sévérité reste erreur", id)
		}
		rr.s.severity[id] = sev
	}
	allowed := ruleParams[id]
	for _, p := range sortedByLine(rc.Params, func(v *yaml.Node) *yaml.Node { return v }) {
		v := rc.Params[p]
		kind, ok := allowed[p]
		if !ok {
			return rr.errAt(paramKey(rr.cfg, rc, p, v), "%s", unknownParamMessage(id, p, allowed))
		}
		var err error
		switch kind {
		case "int":
			err = rr.intParam(id, p, v)
		case "words":
			err = rr.wordsParam(id, p, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// intParam sets the integer parameter p of rule id to v.
func (rr *ruleReader) intParam(id, p string, v *yaml.Node) error {
	n, ok := IntOf(v)
	if !ok || n < 0 {
		return rr.errAt(v, "règle « %s » : « %s » doit être un nombre entier positif ou nul", id, p)
	}
	switch p {
	case "intervalle_max_jours":
		rr.s.RythmeMax = n
	case "intervalle_min_jours":
		rr.s.RythmeMin = n
	case "jours":
		if id == "premier-entretien" {
			rr.s.FirstInterviewDays = n
		} else {
			rr.s.DraftDays = n
		}
	case "mois":
		rr.s.RetentionMonths = n
	}
	return nil
}

// wordsParam adds the words of v, a word or a list of them, to the
// judging words.
func (rr *ruleReader) wordsParam(id, p string, v *yaml.Node) error {
	items := []*yaml.Node{v}
	if v != nil && v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, it := range items {
		w := Scalar(Resolve(it))
		if strings.TrimSpace(w) == "" {
			return rr.errAt(it, "règle « %s » : « %s » est une liste de mots, par exemple [paresseux, ingérable]", id, p)
		}
		rr.s.JudgingWords = append(rr.s.JudgingWords, w)
	}
	return nil
}

// sortedByLine returns the keys of m in the order of their nodes' lines
// in acc.yaml.
func sortedByLine[V any](m map[string]V, node func(V) *yaml.Node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keyLine(node(m[keys[i]])) < keyLine(node(m[keys[j]])) })
	return keys
}

// unknownRuleMessage names the unknown rule id with the closest known one,
// or points to the list.
func unknownRuleMessage(id string) string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	msg := fmt.Sprintf("règle « %s » inconnue dans regles", id)
	if sug := SuggestPrefix(id, ids); sug != "" {
		return msg + fmt.Sprintf(" : vouliez-vous dire « %s » ?", sug)
	}
	return msg + " ; « acc validate --help » liste les règles"
}

// unknownParamMessage names the unknown parameter p of rule id with the
// closest of the allowed ones, or lists them.
func unknownParamMessage(id, p string, allowed map[string]string) string {
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
	return msg
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
