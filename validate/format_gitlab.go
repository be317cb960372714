package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
)

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// gitlabSeverity maps a finding to GitLab Code Quality's severities (info,
// minor, major, critical, blocker); see FormatGitLab.
func gitlabSeverity(f Finding) string {
	switch f.Severity {
	case Error:
		if f.Rule == "donnee-sensible" {
			return "critical"
		}
		return "major"
	case Warning:
		return "minor"
	}
	return "info"
}

// gitlabWriter writes FormatGitLab, streaming the issues.
type gitlabWriter struct {
	out     *buffered
	issues  jsonArray
	prefix  string
	used    map[string]bool // fingerprints written, to keep them unique
	repeats map[string]int  // occurrences of each Fingerprint so far
	closed  bool
}

func newGitLabWriter(w io.Writer, o Options) *gitlabWriter {
	out := newBuffered(w)
	return &gitlabWriter{out: out, issues: jsonArray{out: out}, prefix: o.GitPrefix, used: map[string]bool{}, repeats: map[string]int{}}
}

// fingerprint returns Fingerprint(f) the first time, and for the n-th
// repeat within the run a hash of it and n, never one already written.
func (g *gitlabWriter) fingerprint(f Finding) string {
	base := Fingerprint(f)
	n := g.repeats[base]
	fp := base
	for (n > 0 && fp == base) || g.used[fp] {
		n++
		sum := sha256.Sum256([]byte(base + "#" + strconv.Itoa(n)))
		fp = hex.EncodeToString(sum[:16])
	}
	if n == 0 {
		n = 1
	}
	g.repeats[base] = n
	g.used[fp] = true
	return fp
}

func (g *gitlabWriter) Document(string) {}

func (g *gitlabWriter) Finding(f Finding) {
	if g.closed || !reported(f) {
		return
	}
	line, _ := position(f)
	g.issues.add(gitlabIssue{
		Description: f.Rule + ": " + f.Message,
		CheckName:   f.Rule,
		Fingerprint: g.fingerprint(f),
		Severity:    gitlabSeverity(f),
		Location: gitlabLocation{
			Path:  gitPath(g.prefix, f.Path),
			Lines: gitlabLines{Begin: line},
		},
	})
}

func (g *gitlabWriter) Close(Summary) error {
	if !g.closed {
		g.closed = true
		g.issues.close()
		g.out.WriteString("\n")
	}
	return g.out.flush()
}
