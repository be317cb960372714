package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of the reports.
type Format string

// Formats.
const (
	Markdown Format = "md"
	HTML     Format = "html"
	JSON     Format = "json"
)

// ParseFormat reads a --format value: md (or markdown), html, json.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "md", "markdown", "":
		return Markdown, nil
	case "html", "htm":
		return HTML, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("format de rapport « %s » inconnu : md, html ou json", s)
}

// Write writes a report in a format.
func Write(w io.Writer, f Format, r Report) error {
	switch f {
	case Markdown:
		return WriteMarkdown(w, r)
	case HTML:
		return WriteHTML(w, r)
	case JSON:
		return WriteJSON(w, r)
	}
	return fmt.Errorf("format de rapport « %s » inconnu : md, html ou json", f)
}

// WriteJSON writes a report as indented JSON (shape in README.md).
func WriteJSON(w io.Writer, r Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func checkReport(r Report) error {
	var isNil bool
	switch r := r.(type) {
	case *Beneficiary:
		isNil = r == nil
	case *Bundle:
		isNil = r == nil
	case *Caseload:
		isNil = r == nil
	case *Qualiopi:
		isNil = r == nil
	default:
		return fmt.Errorf("rapport de type %T inconnu", r)
	}
	if isNil {
		return fmt.Errorf("rapport vide")
	}
	return nil
}

// Bundle is the report on several beneficiaries (acc report ID ID…).
type Bundle struct {
	Header
	Beneficiaries []*Beneficiary `json:"beneficiaries"`
}

// NewBundle gathers beneficiary reports built with the same options.
func NewBundle(opt Options, bs []*Beneficiary) (*Bundle, error) {
	s, err := newSettings(opt)
	if err != nil {
		return nil, err
	}
	if bs == nil {
		bs = []*Beneficiary{}
	}
	return &Bundle{Header: s.header(KindBeneficiaries), Beneficiaries: bs}, nil
}
