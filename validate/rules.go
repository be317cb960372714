package validate

import "github.com/acc-formation/acc/casefile"

// RuleInfo describes a rule: its stable id, default severity and French
// help. The table lives in casefile, beside the judgement that applies the
// time rules (casefile.Judge).
type RuleInfo = casefile.RuleInfo

// Rules lists every rule of DESIGN §5, in the contract's order.
var Rules = casefile.Rules

// Rule returns the description of a rule id.
func Rule(id string) (RuleInfo, bool) { return casefile.Rule(id) }
