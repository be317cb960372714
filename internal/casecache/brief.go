package casecache

import (
	"sort"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// briefKind names the pack of the briefs (acc status, acc agenda).
const briefKind = "suivi"

// Followed is what the cache gives of one beneficiary for acc status and
// acc agenda.
type Followed struct {
	Brief *casefile.Brief
	// Invalid lists the beneficiary's documents with at least one error
	// finding, in path order (only when asked).
	Invalid []string
}

// Briefs returns the brief of each beneficiary of ids (sorted), made with
// q's types and rules (q.Today aside: the caller judges the briefs). With
// invalid, it also lists each beneficiary's documents in error as of
// Today, validating what was not validated today, and in others the
// documents in error of beneficiaires/ that belong to no beneficiary of
// ids (a stray file, a folder whose name is not an id), as a whole
// validation of the repository would report them.
func (c *Cache) Briefs(q casefile.Query, ids []string, invalid bool) (out []Followed, others []string, err error) {
	k := &kind{
		name:   briefKind,
		counts: invalid,
		make: func(cs *casefile.Case) (any, []byte) {
			b := q.Brief(cs)
			enc, _ := b.MarshalBinary()
			return b, enc
		},
		decode: func(data []byte) (any, error) {
			b := new(casefile.Brief)
			return b, b.UnmarshalBinary(data)
		},
	}
	rs, err := c.collect(k, ids)
	if err != nil {
		return nil, nil, err
	}
	out = make([]Followed, len(rs))
	for i, r := range rs {
		out[i] = Followed{Brief: r.item.(*casefile.Brief), Invalid: r.invalid}
	}
	if invalid {
		if others, err = c.strayInvalid(ids); err != nil {
			return nil, nil, err
		}
	}
	return out, others, nil
}

// strayInvalid validates the entries of beneficiaires/ that a whole run of
// the validator checks and that are not the beneficiaries ids (stray .md
// files, links, folders whose name is not an id), and returns their
// documents in error, sorted. There are none in a tidy repository: then
// nothing is validated.
func (c *Cache) strayInvalid(ids []string) ([]string, error) {
	names, err := validate.Entries(c.Repo.Root)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	var paths []string
	for _, n := range names {
		if n != "" && !known[n] {
			paths = append(paths, c.Repo.Abs(casefile.BeneficiaryDir(n)))
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	by, err := c.findings(paths, nil)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, fs := range by {
		for _, f := range fs {
			if f.Severity == validate.Error && !seen[f.Path] {
				seen[f.Path] = true
				out = append(out, f.Path)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
