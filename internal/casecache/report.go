package casecache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gctune"
	"github.com/acc-formation/acc/report"
	"github.com/acc-formation/acc/validate"
)

// Report builds the caseload (or, with qualiopi, the Qualiopi evidence) of
// the beneficiaries ids, sorted, through the cache. A builder refusing opt
// gives an *OptionsError.
func (c *Cache) Report(opt report.Options, ids []string, qualiopi bool) (report.Report, error) {
	if qualiopi {
		b, err := report.NewQualiopi(opt)
		if err != nil {
			return nil, &OptionsError{err}
		}
		k := &kind{
			name:    report.KindQualiopi,
			options: reportOptions(opt),
			make: func(c *casefile.Case) (any, []byte) {
				r := b.Row(c)
				enc, _ := r.MarshalBinary()
				return r, enc
			},
			decode: func(data []byte) (any, error) {
				var r report.QualiopiRow
				err := r.UnmarshalBinary(data)
				return r, err
			},
		}
		rs, err := c.collect(k, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			b.AddRow(r.item.(report.QualiopiRow))
		}
		return b.Report(), nil
	}
	b, err := report.NewCaseload(opt)
	if err != nil {
		return nil, &OptionsError{err}
	}
	k := &kind{
		name:    report.KindCaseload,
		options: reportOptions(opt),
		counts:  true,
		make: func(c *casefile.Case) (any, []byte) {
			e := b.Entry(c)
			enc, _ := e.MarshalBinary()
			return e, enc
		},
		decode: func(data []byte) (any, error) {
			e := new(report.CaseloadEntry)
			err := e.UnmarshalBinary(data)
			return e, err
		},
	}
	rs, err := c.collect(k, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		b.AddEntry(r.item.(*report.CaseloadEntry), r.errs, r.warnings)
	}
	return b.Report(), nil
}

// reportOptions is a hash of the report options an item depends on besides
// the case.
func reportOptions(opt report.Options) string {
	h := sha256.New()
	// The rule settings are in the pack's name already (validate.CacheKey).
	fmt.Fprintf(h, "%t\x00", opt.Anonymize)
	h.Write(opt.Salt)
	return hex.EncodeToString(h.Sum(nil))
}

// Findings validates the work tree (or the given beneficiaries only) and
// groups the findings by beneficiary id; a whole-repository run goes
// through the validator's pack.
func (c *Cache) Findings(ids []string) (map[string][]validate.Finding, error) {
	var paths []string
	for _, id := range ids {
		paths = append(paths, c.Repo.Abs(casefile.BeneficiaryDir(id)))
	}
	if len(ids) > 0 {
		return c.findings(paths, nil)
	}
	// As acc validate: the pack for a whole run only.
	vpack := ValidationPack(c.Dir)
	defer vpack.Close()
	by, err := c.findings(nil, vpack)
	if err == nil {
		RetainBeneficiaries(c.Repo, vpack)
		vpack.Flush()
	}
	return by, err
}

// findings validates paths (the whole work tree when nil) and groups the
// findings by beneficiary id.
func (c *Cache) findings(paths []string, vpack *validate.PackCache) (map[string][]validate.Finding, error) {
	opts := validate.RunOptions{Root: c.Repo.Root, Today: c.Today, Registry: c.Types, Config: c.Repo.Config, Progress: c.Progress, Paths: paths}
	if vpack != nil {
		opts.Cache = vpack
	}
	sink := &groupSink{by: map[string][]validate.Finding{}}
	_, err := validate.Run(c.ctx(), opts, sink)
	if c.ProgressDone != nil {
		c.ProgressDone()
	}
	if err != nil {
		return nil, err
	}
	return sink.by, nil
}

type groupSink struct{ by map[string][]validate.Finding }

func (g *groupSink) Document(string) {}
func (g *groupSink) Finding(f validate.Finding) {
	if f.Severity == validate.Off {
		return
	}
	id, _, _ := casefile.SplitCasePath(f.Path)
	g.by[id] = append(g.by[id], f)
}

// relaxGC raises the garbage collector's target as validate.Run does
// (parsing makes much short-lived garbage, and at the default target the
// collector keeps the two cores from working in parallel), for the whole
// collection, and bounds the heap with a soft limit, since the live heap
// holds the validator's pack (about 8 KB per beneficiary) and would
// otherwise grow fivefold before a collection. GOGC and GOMEMLIMIT set by
// the user win. It returns the function that restores both.
func relaxGC() func() { return gctune.Relax(400, memoryLimit) }

// memoryLimit is the soft limit of the heap during a collection: above the
// live heap of 10,000 beneficiaries (150–200 MB), well under what the
// relaxed target would let it reach.
const memoryLimit = 320 << 20
