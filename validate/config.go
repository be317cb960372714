package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/casefile"
	"go.yaml.in/yaml/v3"
)

// ConfigError is a problem in acc.yaml's `regles:` (an unknown rule or
// parameter, a value of the wrong kind, a rule that cannot be lowered). The
// command line reports it as a repository problem (exit 3, as a broken
// acc.yaml), before any command writes anything. Msg is French.
type ConfigError struct {
	Path   string // acc.yaml, relative to the case-file root
	Line   int
	Column int
	Msg    string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
}

// Settings are the rule severities and parameters of a repository, read from
// acc.yaml's `regles:` over the defaults of DESIGN §5.
type Settings struct {
	severity map[string]Severity

	// RythmeMax and RythmeMin bound the gap in days between held interviews
	// (rythme: intervalle_max_jours, intervalle_min_jours).
	RythmeMax, RythmeMin int
	// DraftDays is brouillon-ancien's `jours`.
	DraftDays int
	// RetentionMonths is conservation's `mois`.
	RetentionMonths int
	// JudgingWords is the default list plus propos-jugeant's `mots`.
	JudgingWords []string

	words *wordMatcher
}

// Rule parameters: name → kind ("int" or "words"), per rule.
var ruleParams = map[string]map[string]string{
	"rythme":           {"intervalle_max_jours": "int", "intervalle_min_jours": "int"},
	"brouillon-ancien": {"jours": "int"},
	"conservation":     {"mois": "int"},
	"propos-jugeant":   {"mots": "words"},
}

// DefaultSettings returns the settings of a repository whose acc.yaml says
// nothing about rules.
func DefaultSettings() *Settings {
	s := &Settings{
		severity:        map[string]Severity{},
		RythmeMax:       42,
		RythmeMin:       2,
		DraftDays:       7,
		RetentionMonths: 24,
		JudgingWords:    append([]string(nil), DefaultJudgingWords...),
	}
	for _, r := range Rules {
		s.severity[r.ID] = r.Default
	}
	s.words = newWordMatcher(s.JudgingWords)
	return s
}

// NewSettings reads the rule settings of acc.yaml (cfg may be nil). path
// names acc.yaml in errors, relative to the case-file root. An unknown rule
// or parameter, a parameter of the wrong kind, and an attempt to lower or
// turn off donnee-sensible give a *ConfigError at the offending line.
func NewSettings(cfg *casefile.Config, path string) (*Settings, error) {
	s := DefaultSettings()
	if cfg == nil {
		return s, nil
	}
	if path == "" {
		path = casefile.ConfigFile
	}
	errAt := func(n *yaml.Node, format string, args ...any) error {
		e := &ConfigError{Path: path, Line: 1, Column: 1, Msg: fmt.Sprintf(format, args...)}
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
			if sug := suggestPrefix(id, ids); sug != "" {
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
			if !info.Waivable && sev != Error {
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
				case suggestPrefix(p, known) != "":
					msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", suggestPrefix(p, known))
				default:
					msg += " ; paramètres possibles : severite, " + strings.Join(known, ", ")
				}
				return nil, errAt(paramKey(cfg, rc, p, v), "%s", msg)
			}
			switch kind {
			case "int":
				n, ok := casefile.IntOf(v)
				if !ok || n < 0 {
					return nil, errAt(v, "règle « %s » : « %s » doit être un nombre entier positif ou nul", id, p)
				}
				switch p {
				case "intervalle_max_jours":
					s.RythmeMax = n
				case "intervalle_min_jours":
					s.RythmeMin = n
				case "jours":
					s.DraftDays = n
				case "mois":
					s.RetentionMonths = n
				}
			case "words":
				items := []*yaml.Node{v}
				if v != nil && v.Kind == yaml.SequenceNode {
					items = v.Content
				}
				for _, it := range items {
					w := casefile.Scalar(casefile.Resolve(it))
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
	s.words = newWordMatcher(s.JudgingWords)
	return s, nil
}

// paramKey returns the key node of a rule's parameter in acc.yaml, for
// positions; the value node when it cannot be found.
func paramKey(cfg *casefile.Config, rc casefile.RuleConfig, param string, value *yaml.Node) *yaml.Node {
	regles, _ := casefile.Get(cfg.Node, "regles")
	for _, p := range casefile.Pairs(regles) {
		if p.Key != rc.Key {
			continue
		}
		if _, k := casefile.Get(casefile.Resolve(p.Value), param); k != nil {
			return k
		}
	}
	return value
}

// suggestPrefix is casefile.Suggest, also accepting a word cut short
// (intervalle_max for intervalle_max_jours, final for finalise): the only
// candidate that starts with it.
func suggestPrefix(w string, candidates []string) string {
	if s := casefile.Suggest(w, candidates); s != "" {
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

// Severity returns the severity of a rule in this repository; Off when it
// is turned off.
func (s *Settings) Severity(rule string) Severity {
	if sev, ok := s.severity[rule]; ok {
		return sev
	}
	return Error
}

// fingerprint identifies the settings, for the cache.
func (s *Settings) fingerprint() string {
	var b strings.Builder
	ids := make([]string, 0, len(s.severity))
	for id := range s.severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.WriteString(id + "=" + strconv.Itoa(int(s.severity[id])) + ";")
	}
	fmt.Fprintf(&b, "%d;%d;%d;%d;", s.RythmeMax, s.RythmeMin, s.DraftDays, s.RetentionMonths)
	for _, w := range s.JudgingWords {
		b.WriteString(w + "\x00")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
