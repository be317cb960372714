package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/casefile"
)

// Settings are the rule severities and parameters of a repository
// (casefile.RuleSettings, which the judgement of time and phase reads too),
// with what the document checks derive from them.
type Settings struct {
	*casefile.RuleSettings
	words *wordMatcher
}

// DefaultJudgingWords is the default list of propos-jugeant.
var DefaultJudgingWords = casefile.DefaultJudgingWords

// DefaultSettings returns the settings of a repository whose acc.yaml says
// nothing about rules.
func DefaultSettings() *Settings { return withRules(casefile.DefaultRuleSettings()) }

// NewSettings reads the rule settings of acc.yaml (see
// casefile.NewRuleSettings).
func NewSettings(cfg *casefile.Config, path string) (*Settings, error) {
	r, err := casefile.NewRuleSettings(cfg, path)
	if err != nil {
		return nil, err
	}
	return withRules(r), nil
}

func withRules(r *casefile.RuleSettings) *Settings {
	return &Settings{RuleSettings: r, words: newWordMatcher(r.JudgingWords)}
}

// fingerprint identifies the settings, for the cache.
func (s *Settings) fingerprint() string {
	var b strings.Builder
	ids := make([]string, 0, len(Rules))
	for _, r := range Rules {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.WriteString(id + "=" + strconv.Itoa(int(s.Severity(id))) + ";")
	}
	fmt.Fprintf(&b, "%d;%d;%d;%d;%d;", s.RythmeMax, s.RythmeMin, s.DraftDays, s.RetentionMonths, s.FirstInterviewDays)
	for _, w := range s.JudgingWords {
		b.WriteString(w + "\x00")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
