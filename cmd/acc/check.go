package main

import (
	"bufio"

	"github.com/acc-formation/acc/validate"
)

// checkFiles validates the given case files (slash paths relative to the
// case-file root) with the case-level rules of their beneficiaries, and
// returns the findings that point at those files.
func (d deps) checkFiles(ws *workspace, rels []string) ([]validate.Finding, error) {
	today, err := d.Today()
	if err != nil {
		return nil, err
	}
	findings, _, err := validate.Check(d.Ctx, validate.RunOptions{
		Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config, Paths: rels,
	})
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range rels {
		want[r] = true
	}
	var out []validate.Finding
	for _, f := range findings {
		if want[f.Path] && f.Severity != validate.Off {
			out = append(out, f)
		}
	}
	return out, nil
}

// printFindings writes findings in the text format (one a line) to stderr
// and reports whether any is an error.
func (d deps) printFindings(findings []validate.Finding) (errs bool) {
	w := bufio.NewWriter(d.IO.Err)
	for _, f := range findings {
		w.WriteString(validate.TextLine(f))
		errs = errs || f.Severity == validate.Error
	}
	w.Flush()
	return errs
}

// reportWritten validates files acc has just written and committed, prints
// the findings on stderr and returns errFindings when errors remain: the
// record comes first, the findings follow.
func (d deps) reportWritten(ws *workspace, rels ...string) error {
	findings, err := d.checkFiles(ws, rels)
	if err != nil {
		return err
	}
	if d.printFindings(findings) {
		return errFindings
	}
	return nil
}

// sensitive returns the donnee-sensible findings among findings.
func sensitive(findings []validate.Finding) []validate.Finding {
	var out []validate.Finding
	for _, f := range findings {
		if f.Rule == "donnee-sensible" {
			out = append(out, f)
		}
	}
	return out
}
