package gitstore

import (
	"errors"
	"sort"

	"github.com/acc-formation/acc/casefile"
)

// Revision is the case files as they stood in a commit: a casefile.Source
// (acc report --at). It lists and reads exactly what the work tree would
// (casefile.IsCaseFileName); a link or a gitlink is listed and refused on
// read (casefile.ErrNotRegular), as in the work tree. Entries that are not
// case files are not checked either: a hidden file in a beneficiary's
// folder, which the store refuses to check out, is left out as the work
// tree's listing leaves it out, rather than failing the listing.
type Revision struct {
	s   *Store
	rev string // the commit's hash, resolved once
}

var _ casefile.Source = (*Revision)(nil)

// Revision returns the case files of a revision (a commit, a branch, a
// tag); it fails with ErrUnknownRevision (as *RevisionError) for a revision
// that does not exist.
func (s *Store) Revision(rev string) (*Revision, error) {
	h, err := s.resolve(rev)
	if err != nil {
		return nil, err
	}
	return &Revision{s: s, rev: h.String()}, nil
}

// Beneficiaries returns the ids of the beneficiary folders of the revision,
// sorted; none when it has no beneficiaires/ folder.
func (r *Revision) Beneficiaries() ([]string, error) {
	ents, err := r.s.listAt(casefile.BeneficiariesDir, r.rev, func(e treeEntry) bool {
		return e.isTree() && casefile.CheckID(e.name) == nil
	})
	if errors.Is(err, ErrNotInRevision) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		ids = append(ids, e.name)
	}
	sort.Strings(ids)
	return ids, nil
}

// CaseFiles returns the slash paths of a beneficiary's case files in the
// revision, sorted.
func (r *Revision) CaseFiles(id string) ([]string, error) {
	dir := casefile.BeneficiaryDir(id)
	ents, err := r.s.listAt(dir, r.rev, func(e treeEntry) bool {
		return !e.isTree() && casefile.IsCaseFileName(e.name)
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		out = append(out, dir+"/"+e.name)
	}
	sort.Strings(out)
	return out, nil
}

// ReadCaseFile reads a case file of the revision: a link or a gitlink is
// refused (casefile.ErrNotRegular), as is a blob over casefile.MaxFileSize
// (casefile.ErrTooLarge), before it is inflated.
func (r *Revision) ReadCaseFile(rel string) ([]byte, error) {
	b, err := r.s.readAt(rel, r.rev, true)
	if err == nil {
		// readAt refuses a blob it knows to be too large before inflating
		// it; one whose size the object store could not tell is refused
		// here, as every reader refuses it.
		err = casefile.CheckSize(len(b))
	}
	return b, err
}
