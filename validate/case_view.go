package validate

import (
	"path"

	"github.com/acc-formation/acc/casefile"
)

// CaseOf folds the case of the beneficiary folder name under root as it is
// on disk, with d (an unsaved buffer of that folder) in place of its file:
// the editor's objective completion and hover show what the rules see.
func (x *Fixer) CaseOf(root, name string, d *casefile.Document) *casefile.Case {
	var fiche *casefile.Document
	var interviews []*casefile.Document
	add := func(doc *casefile.Document) {
		if path.Base(doc.Path) == casefile.FicheFile {
			fiche = doc
		} else {
			interviews = append(interviews, doc)
		}
	}
	seen := false
	if f := ReadFolder(root, name); f != nil {
		for _, doc := range f.Documents {
			if doc.Path == d.Path {
				doc, seen = d, true
			}
			add(doc)
		}
	}
	if !seen {
		add(d)
	}
	return casefile.NewCase(name, fiche, interviews, x.e.rank)
}
