package casefile

import (
	"sort"
	"strings"
)

// Commit actions (the Acc-Action trailer).
const (
	ActionInit   = "init"
	ActionNew    = "new"
	ActionEdit   = "edit"
	ActionCommit = "commit"
	ActionSync   = "sync"
	ActionPurge  = "purge"
	ActionRm     = "rm"
	ActionMv     = "mv"
	ActionImport = "import"
)

// Trailer keys of acc's commit messages.
const (
	TrailerAction      = "Acc-Action"
	TrailerBeneficiary = "Acc-Beneficiaire"
	TrailerType        = "Acc-Type"
)

// CommitMessage is a structured acc commit message: a French subject line,
// an optional body, and trailers that history queries read. It never holds a
// person's name, only ids.
type CommitMessage struct {
	Subject       string
	Body          string
	Action        string
	Beneficiaries []string
	Types         []string
}

// String formats the message as Git expects: subject, blank line, body,
// blank line, trailers (one Acc-Beneficiaire and Acc-Type per value, sorted,
// without duplicates).
func (m CommitMessage) String() string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(m.Subject))
	b.WriteString("\n\n")
	if body := strings.TrimSpace(m.Body); body != "" {
		b.WriteString(body)
		b.WriteString("\n\n")
	}
	b.WriteString(TrailerAction + ": " + m.Action + "\n")
	for _, id := range uniqSorted(m.Beneficiaries) {
		b.WriteString(TrailerBeneficiary + ": " + id + "\n")
	}
	for _, t := range uniqSorted(m.Types) {
		b.WriteString(TrailerType + ": " + t + "\n")
	}
	return b.String()
}

func uniqSorted(in []string) []string {
	s := append([]string(nil), in...)
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if v != "" && (i == 0 || v != s[i-1]) {
			out = append(out, v)
		}
	}
	return out
}

// ParseTrailers reads the trailers of the last paragraph of a commit message.
func ParseTrailers(msg string) map[string][]string {
	msg = strings.TrimRight(msg, "\n")
	i := strings.LastIndex(msg, "\n\n")
	last := msg[i+1:]
	out := map[string][]string{}
	for _, line := range strings.Split(last, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || strings.ContainsAny(k, " \t") || k == "" {
			continue
		}
		out[k] = append(out[k], strings.TrimSpace(v))
	}
	return out
}
