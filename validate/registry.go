package validate

import (
	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// LoadRegistry loads a repository's document types and templates
// (templates.Load) and checks that a document created from each template
// the organisation changed would validate (CheckRegistry). accDir is the
// repository's .acc folder. Every command opens the types through it.
func LoadRegistry(accDir string) (*templates.Registry, error) {
	reg, err := templates.Load(accDir)
	if err != nil {
		return nil, err
	}
	if err := CheckRegistry(reg); err != nil {
		return nil, err
	}
	return reg, nil
}

// CheckRegistry checks the sample documents of the types and templates an
// organisation changed (templates.Registry.Drafts) with the document check
// of the validator, as a new draft: the first problem is a
// *poserr.Error naming the template (templates.Draft.Invalid).
func CheckRegistry(reg *templates.Registry) error {
	drafts := reg.Drafts()
	if len(drafts) == 0 {
		return nil
	}
	e := newEngine(DefaultSettings(), reg)
	for _, d := range drafts {
		if problem := e.draftProblem(d); problem != "" {
			return d.Invalid(problem)
		}
	}
	return nil
}

// draftProblem returns the first thing that makes a new document invalid:
// an interview that is not a draft, a finding of severity error under the
// default settings, or an unknown key (a template writes only keys its type
// knows). "" when there is none.
func (e *engine) draftProblem(d templates.Draft) string {
	r := &runner{e: e}
	ent, doc := r.checkOverlay(d.Path, d.ID, d.Doc, &result{})
	// Not a draft first: the checks of a finalised document follow from it.
	if doc != nil && doc.FrontErr == nil && d.Type.Interview {
		if st := doc.Statut(); st != casefile.DocDraft {
			return "statut vaut « " + st + " » au lieu de « " + casefile.DocDraft + " »"
		}
	}
	for _, f := range ent.findings {
		if f.Severity == Error || f.Rule == "champ-inconnu" {
			return f.Message
		}
	}
	return ""
}
