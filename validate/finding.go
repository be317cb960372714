// Package validate checks case files against the rules of acc (DESIGN §5)
// and writes the findings in the formats CI systems read.
package validate

import "strings"

// Severity of a finding.
type Severity int

// Severities, from the most serious.
const (
	Error Severity = iota
	Warning
	Info
	Off // the rule is turned off (desactive)
)

// String returns the JSON word: error, warning, info.
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return "off"
}

// French returns the word of the text format and acc.yaml: erreur,
// avertissement, info, desactive.
func (s Severity) French() string {
	switch s {
	case Error:
		return "erreur"
	case Warning:
		return "avertissement"
	case Info:
		return "info"
	}
	return "desactive"
}

// ParseSeverity reads a French severity word of acc.yaml.
func ParseSeverity(w string) (Severity, bool) {
	switch strings.TrimSpace(w) {
	case "erreur":
		return Error, true
	case "avertissement":
		return Warning, true
	case "info":
		return Info, true
	case "desactive":
		return Off, true
	}
	return 0, false
}

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
