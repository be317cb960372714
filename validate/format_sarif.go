package validate

import (
	"io"
	"net/url"
	"strings"
)

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	// sarifFingerprint names acc's partial fingerprint; bump its version
	// when Fingerprint's recipe changes, so code scanning does not match
	// old and new fingerprints.
	sarifFingerprint = "accFingerprint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	Language   string        `json:"language"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version,omitempty"`
	Rules   []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name,omitempty"`
	ShortDescription     *sarifText    `json:"shortDescription,omitempty"`
	FullDescription      *sarifText    `json:"fullDescription,omitempty"`
	Help                 *sarifText    `json:"help,omitempty"`
	DefaultConfiguration *sarifRuleCfg `json:"defaultConfiguration,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleCfg struct {
	Enabled *bool  `json:"enabled,omitempty"`
	Level   string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifLevel maps a severity to SARIF's levels.
func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "note"
	}
	return "none"
}

// sarifURI writes a slash path as a relative URI reference: percent-encoded
// (spaces, accents), and with "./" before a first segment holding a colon,
// which would read as a scheme.
func sarifURI(p string) string {
	u := (&url.URL{Path: p}).EscapedPath()
	first, _, _ := strings.Cut(u, "/")
	if strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}

// sarifWriter writes FormatSARIF. It keeps the results until Close, so that
// the rule descriptors of unknown rule ids can be listed before them.
type sarifWriter struct {
	w       io.Writer
	prefix  string
	rules   []sarifRule
	index   map[string]int // rule id → index in rules
	results []sarifResult
	log     *sarifLog
	closed  bool
	err     error
}

func newSARIFWriter(w io.Writer, o Options) *sarifWriter {
	s := &sarifWriter{w: w, prefix: o.GitPrefix, index: make(map[string]int, len(Rules))}
	for _, r := range Rules {
		cfg := &sarifRuleCfg{Level: sarifLevel(r.Default)}
		if r.Default == Off {
			disabled := false
			cfg.Enabled = &disabled
		}
		s.index[r.ID] = len(s.rules)
		s.rules = append(s.rules, sarifRule{
			ID:                   r.ID,
			Name:                 r.ID,
			ShortDescription:     &sarifText{r.Summary},
			FullDescription:      &sarifText{r.Help},
			Help:                 &sarifText{r.Help},
			DefaultConfiguration: cfg,
		})
	}
	s.log = &sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:       sarifTool{Driver: sarifDriver{Name: "acc", Version: o.ToolVersion}},
			Language:   "fr-FR",
			ColumnKind: "unicodeCodePoints",
		}},
	}
	return s
}

func (s *sarifWriter) Document(string) {}

func (s *sarifWriter) Finding(f Finding) {
	if s.closed || !reported(f) {
		return
	}
	i, ok := s.index[f.Rule]
	if !ok {
		i = len(s.rules)
		s.index[f.Rule] = i
		s.rules = append(s.rules, sarifRule{ID: f.Rule})
	}
	line, col := position(f)
	s.results = append(s.results, sarifResult{
		RuleID:    f.Rule,
		RuleIndex: i,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{f.Message},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: sarifURI(gitPath(s.prefix, f.Path)), URIBaseID: "%SRCROOT%"},
			Region:           sarifRegion{StartLine: line, StartColumn: col},
		}}},
		PartialFingerprints: map[string]string{sarifFingerprint: Fingerprint(f)},
	})
}

func (s *sarifWriter) Close(Summary) error {
	if s.closed {
		return s.err
	}
	s.closed = true
	run := &s.log.Runs[0]
	run.Tool.Driver.Rules = s.rules
	run.Results = s.results
	if run.Results == nil {
		run.Results = []sarifResult{}
	}
	b, err := marshalIndent(s.log, "")
	if err != nil {
		s.err = err
		return err
	}
	_, s.err = s.w.Write(append(b, '\n'))
	s.results = nil
	return s.err
}
