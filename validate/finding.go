// Package validate checks case files against the rules of acc (DESIGN §5)
// and writes the findings in the formats CI systems read.
package validate

import "github.com/acc-formation/acc/casefile"

// Severity of a finding: casefile's, which the rule settings use.
type Severity = casefile.Severity

// Severities, from the most serious.
const (
	Error   = casefile.SeverityError
	Warning = casefile.SeverityWarning
	Info    = casefile.SeverityInfo
	Off     = casefile.SeverityOff // the rule is turned off (desactive)
)

// ParseSeverity reads a French severity word of acc.yaml.
func ParseSeverity(w string) (Severity, bool) { return casefile.ParseSeverity(w) }

// Finding is one problem found in a case file.
type Finding struct {
	// Path is slash-separated, relative to the case-file root (the folder of
	// acc.yaml). Writers that need Git-root paths add the prefix.
	Path     string
	Line     int // 1-based
	Column   int // 1-based, in characters
	Severity Severity
	Rule     string // stable rule id, e.g. "champ-manquant"
	Message  string // French, says what to do; never repeats sensitive values
	// Key identifies the problem within its document independently of its
	// line (e.g. "objectifs[O2].indicateur"), so that fingerprints survive
	// edits elsewhere in the file.
	Key string
}
