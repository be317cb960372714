package validate

import (
	"io"
	"slices"
	"strconv"
	"strings"
)

// GitHub's escaping of workflow commands, as @actions/core's command.ts
// does it: the message (escapeData) and the property values
// (escapeProperty), which also end at ":" and ",".
var (
	githubData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// githubCommand maps a severity to its workflow command.
func githubCommand(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "notice"
}

// githubLine is a finding as a workflow command, with its newline.
func githubLine(p string, f Finding) string {
	line, col := position(f)
	return "::" + githubCommand(f.Severity) +
		" file=" + githubProperty.Replace(p) +
		",line=" + strconv.Itoa(line) +
		",col=" + strconv.Itoa(col) +
		",title=" + githubProperty.Replace(f.Rule) +
		"::" + githubData.Replace(f.Message) + "\n"
}

type githubKey struct {
	severity Severity
	rule     string
}

// githubWriter writes FormatGitHub.
type githubWriter struct {
	out     sticky
	prefix  string
	summary io.Writer
	counts  map[githubKey]int
	closed  bool
}

func newGitHubWriter(w io.Writer, o Options) *githubWriter {
	return &githubWriter{out: sticky{w: w}, prefix: o.GitPrefix, summary: o.StepSummary, counts: map[githubKey]int{}}
}

func (g *githubWriter) Document(string) {}

func (g *githubWriter) Finding(f Finding) {
	if g.closed || !reported(f) {
		return
	}
	g.counts[githubKey{f.Severity, f.Rule}]++
	g.out.WriteString(githubLine(gitPath(g.prefix, f.Path), f))
}

func (g *githubWriter) Close(s Summary) error {
	if g.closed {
		return g.out.err
	}
	g.closed = true
	g.out.WriteString(s.String() + "\n")
	if g.summary != nil {
		step := sticky{w: g.summary}
		step.WriteString(g.stepSummary(s))
		if g.out.err == nil {
			g.out.err = step.err
		}
	}
	return g.out.err
}

// stepSummary is the Markdown appended to $GITHUB_STEP_SUMMARY: a table of
// the counts by rule and severity, errors first then in the order of Rules
// (unknown rules last, by id), and the summary line.
func (g *githubWriter) stepSummary(s Summary) string {
	order := make(map[string]int, len(Rules))
	for i, r := range Rules {
		order[r.ID] = i
	}
	keys := make([]githubKey, 0, len(g.counts))
	for k := range g.counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b githubKey) int {
		if a.severity != b.severity {
			return int(a.severity) - int(b.severity)
		}
		ia, oka := order[a.rule]
		ib, okb := order[b.rule]
		switch {
		case oka && okb:
			return ia - ib
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a.rule, b.rule)
	})
	var b strings.Builder
	b.WriteString("### acc validate\n\n")
	if len(keys) == 0 {
		b.WriteString("Aucun problème trouvé.\n\n")
	} else {
		b.WriteString("| règle | sévérité | nombre |\n|---|---|---:|\n")
		for _, k := range keys {
			b.WriteString("| `" + markdownCell(k.rule) + "` | " + k.severity.French() + " | " + strconv.Itoa(g.counts[k]) + " |\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("**" + s.String() + "**\n\n")
	return b.String()
}

// markdownCell keeps a value inside its table cell.
func markdownCell(s string) string {
	return strings.NewReplacer("|", "\\|", "`", "'", "\n", " ", "\r", " ").Replace(s)
}
