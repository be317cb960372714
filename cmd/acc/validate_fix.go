package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/atomicfile"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
)

// fixMessage is the subject of the commit of acc validate --fix: it names
// no one (the trailers name the beneficiaries, as for every commit).
const fixMessage = "Corrections sûres (acc validate --fix)"

// fixSafely applies the safe fixes (DESIGN §5.2) of the documents opts
// selects and commits them as acc commit would. A file without a fix is
// never rewritten; a file with a donnee-sensible finding is never touched.
// The findings that remain are left to the run that follows.
func (a *app) fixSafely(ws *workspace, opts validate.RunOptions) error {
	unlock, err := a.lock(ws)
	if err != nil {
		return err
	}
	defer unlock()
	findings, _, err := validate.Check(a.ctx, opts)
	if err != nil {
		return err
	}
	fixer, err := validate.NewFixer(validate.RunOptions{Registry: ws.reg, Config: ws.repo.Config})
	if err != nil {
		return err
	}
	byPath := map[string][]validate.Finding{}
	var order []string
	touchy := map[string]bool{}
	for _, f := range findings {
		if f.Rule == "donnee-sensible" {
			touchy[f.Path] = true
		}
		if byPath[f.Path] == nil {
			order = append(order, f.Path)
		}
		byPath[f.Path] = append(byPath[f.Path], f)
	}
	var fixed []string
	count := 0
	for _, p := range order {
		if touchy[p] {
			continue
		}
		if _, _, ok := casefile.SplitCasePath(p); !ok {
			continue
		}
		abs := ws.repo.Abs(p)
		src, fi, err := casefile.ReadFile(abs)
		if err != nil {
			continue // reported by the run that follows
		}
		fixes := fixer.Fixes(p, src, byPath[p])
		if len(fixes) == 0 {
			continue
		}
		out := validate.ApplyEdits(src, validate.Merge(fixes))
		if bytes.Equal(out, src) {
			continue
		}
		if err := atomicfile.WriteFile(abs, out, fi.Mode().Perm()); err != nil {
			return repoErr(fmt.Errorf("%s : écriture impossible (%s)", termtext.Line(p), outputErrReason(err)))
		}
		fixed = append(fixed, p)
		count += len(fixes)
	}
	if len(fixed) == 0 {
		fmt.Fprintln(a.stderr, "acc : aucune correction sûre à appliquer")
		return nil
	}
	fmt.Fprintf(a.stderr, "acc : %d correction%s sûre%s appliquée%s dans %d fichier%s\n",
		count, plural(count), plural(count), plural(count), len(fixed), plural(len(fixed)))
	if err := a.deps().commitChecked(ws, fixed, casefile.ActionCommit, fixMessage, false); err != nil && !errors.Is(err, errFindings) {
		return err
	}
	return nil
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// hasError reports whether some finding is an error.
func hasError(findings []validate.Finding) bool {
	for _, f := range findings {
		if f.Severity == validate.Error {
			return true
		}
	}
	return false
}
