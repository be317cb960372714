package casefile

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/internal/poserr"
)

// Tests of the phases of NewRuleSettings; whole acc.yaml files are tested
// in validate/config_test.go and cmd/acc/errors_test.go.

func scalarAt(v string, line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: line, Column: 5}
}

func intAt(v string, line int) *yaml.Node {
	n := scalarAt(v, line)
	n.Tag = "!!int"
	return n
}

func newRuleReader() *ruleReader {
	return &ruleReader{cfg: &Config{}, path: "acc.yaml", s: DefaultRuleSettings()}
}

func wantErrAt(t *testing.T, err error, line int, part string) {
	t.Helper()
	var pe *poserr.Error
	if !errors.As(err, &pe) || pe.Path != "acc.yaml" || pe.Line != line || !strings.Contains(err.Error(), part) {
		t.Errorf("error = %v, want one at acc.yaml:%d saying %q", err, line, part)
	}
}

func TestSortedByLine(t *testing.T) {
	m := map[string]*yaml.Node{"c": scalarAt("", 9), "a": scalarAt("", 4), "b": scalarAt("", 2)}
	if got := sortedByLine(m, func(n *yaml.Node) *yaml.Node { return n }); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("order = %v", got)
	}
}

func TestRuleReaderErrAtFallsBackToTheFirstLine(t *testing.T) {
	rr := newRuleReader()
	wantErrAt(t, rr.errAt(nil, "x %d", 1), 1, "x 1")
	wantErrAt(t, rr.errAt(scalarAt("", 7), "y"), 7, "y")
}

func TestUnknownRuleAndParamMessages(t *testing.T) {
	if msg := unknownRuleMessage("rytme"); !strings.Contains(msg, "« rytme » inconnue") || !strings.Contains(msg, "vouliez-vous dire « rythme »") {
		t.Errorf("close rule: %q", msg)
	}
	if msg := unknownRuleMessage("zzzzzzzz"); !strings.Contains(msg, "acc validate --help") {
		t.Errorf("far rule: %q", msg)
	}
	for _, tc := range []struct{ id, p, want string }{
		{"donnee-sensible", "x", "n'a pas de paramètre"},
		{"rythme", "intervalle_max", "vouliez-vous dire « intervalle_max_jours »"},
		{"rythme", "zzzzzzzz", "paramètres possibles : severite, intervalle_max_jours, intervalle_min_jours"},
	} {
		if msg := unknownParamMessage(tc.id, tc.p, ruleParams[tc.id]); !strings.Contains(msg, tc.want) {
			t.Errorf("%s.%s: %q, want %q", tc.id, tc.p, msg, tc.want)
		}
	}
}

func TestRuleReaderRule(t *testing.T) {
	rr := newRuleReader()
	err := rr.rule("brouillon-ancien", RuleConfig{Severity: "info", SeverityNode: scalarAt("info", 3),
		Params: map[string]*yaml.Node{"jours": intAt("12", 4)}})
	if err != nil || rr.s.Severity("brouillon-ancien") != SeverityInfo || rr.s.DraftDays != 12 {
		t.Errorf("err %v, severity %v, days %d", err, rr.s.Severity("brouillon-ancien"), rr.s.DraftDays)
	}
	wantErrAt(t, rr.rule("regle-inconnue", RuleConfig{Key: scalarAt("regle-inconnue", 6)}), 6, "inconnue dans regles")
	wantErrAt(t, rr.rule("rythme", RuleConfig{Severity: "grave", SeverityNode: scalarAt("grave", 8)}), 8, "sévérité « grave » inconnue")
	wantErrAt(t, rr.rule("donnee-sensible", RuleConfig{Severity: "info", SeverityNode: scalarAt("info", 9)}), 9, "ni abaissée ni désactivée")
	// The first problem in file order is reported.
	wantErrAt(t, rr.rule("rythme", RuleConfig{Params: map[string]*yaml.Node{
		"intervalle_max_jours": intAt("-1", 12), "intervalle_min_jours": scalarAt("x", 11)}}), 11, "intervalle_min_jours")
}

func TestRuleReaderParams(t *testing.T) {
	rr := newRuleReader()
	for _, tc := range []struct {
		id, p string
		got   *int
	}{
		{"premier-entretien", "jours", &rr.s.FirstInterviewDays},
		{"brouillon-ancien", "jours", &rr.s.DraftDays},
		{"conservation", "mois", &rr.s.RetentionMonths},
		{"rythme", "intervalle_min_jours", &rr.s.RythmeMin},
		{"rythme", "intervalle_max_jours", &rr.s.RythmeMax},
	} {
		if err := rr.intParam(tc.id, tc.p, intAt("41", 2)); err != nil || *tc.got != 41 {
			t.Errorf("%s.%s: err %v, value %d", tc.id, tc.p, err, *tc.got)
		}
	}
	wantErrAt(t, rr.intParam("conservation", "mois", intAt("-3", 5)), 5, "entier positif ou nul")

	before := len(rr.s.JudgingWords)
	list := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{scalarAt("paresseux", 3), scalarAt("lent", 4)}}
	if err := rr.wordsParam("propos-jugeant", "mots", list); err != nil || !slices.Equal(rr.s.JudgingWords[before:], []string{"paresseux", "lent"}) {
		t.Errorf("list: err %v, words %v", err, rr.s.JudgingWords[before:])
	}
	if err := rr.wordsParam("propos-jugeant", "mots", scalarAt("borné", 5)); err != nil || rr.s.JudgingWords[len(rr.s.JudgingWords)-1] != "borné" {
		t.Errorf("one word: err %v, words %v", err, rr.s.JudgingWords)
	}
	blank := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{scalarAt("ok", 6), scalarAt(" ", 7)}}
	wantErrAt(t, rr.wordsParam("propos-jugeant", "mots", blank), 7, "liste de mots")
}
