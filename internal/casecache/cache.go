package casecache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// Cache reads the cases of a work tree through the packs kept in Dir.
type Cache struct {
	Repo  *casefile.Repo
	Types *templates.Registry
	// Dir is where the packs are kept (the store's cache folder "report").
	Dir   string
	Today time.Time
	Ctx   context.Context
	// Progress, when set, is told how far a validation got; ProgressDone,
	// when set, is called when it ends (before anything else is written).
	Progress     func(done, total int)
	ProgressDone func()
	// Warn receives the loader's warnings (see casefile.Loader.Warn).
	Warn func(msg string)
	// Scan, when set, is what a scan of the work tree made in this run saw
	// of the beneficiary folders: the case files it vouches for are not
	// stat'ed again.
	Scan *Scan
	// Folders, when set, may give a validation of the whole repository
	// somewhere to record the folders it lists (validate.RunOptions.Listed)
	// and what to call once it is over; nil, nil when nothing is wanted.
	Folders func() (listed func(dir string, mtime, ctime int64, ino uint64, ents []fs.DirEntry), done func())
}

// packsKept is how many packs of one kind are kept (one per set of
// options, such as --anonymize).
const packsKept = 3

// OptionsError is an option a report builder refuses (a scope it cannot
// apply): bad input, not a repository problem.
type OptionsError struct{ Err error }

func (e *OptionsError) Error() string { return e.Err.Error() }
func (e *OptionsError) Unwrap() error { return e.Err }

// kind is what differs between the items the packs keep.
type kind struct {
	name string
	// options is a hash of everything an item depends on besides the case
	// and the types and rule settings.
	options string
	counts  bool                                 // findings are counted
	make    func(c *casefile.Case) (any, []byte) // the item of a case and its binary form
	decode  func(b []byte) (any, error)          // an item from its binary form
}

// result is what collect gives of one beneficiary, in id order.
type result struct {
	id             string
	item           any
	errs, warnings int
	invalid        []string
}

// beneficiary is the state of one beneficiary during collect.
type beneficiary struct {
	id       string
	rec      record
	known    bool // rec was read from the pack
	item     any  // nil until known
	counted  bool // rec's counts are today's
	changed  bool // rec must be written back
	fallback bool // read the old way, not kept
}

// reuse takes the item of the record, whose case files are unchanged
// (files: their current states); false when it cannot be decoded.
func (b *beneficiary) reuse(k *kind, files []validate.FileState) bool {
	item, err := k.decode(b.rec.item)
	if err != nil {
		return false
	}
	b.item = item
	b.changed = !slices.Equal(files, b.rec.files)
	b.rec.files = files
	return true
}

// sameContent reports whether two lists of states name the same files with
// the same contents.
func sameContent(a, b []validate.FileState) bool {
	return slices.EqualFunc(a, b, func(x, y validate.FileState) bool { return x.Name == y.Name && x.Sum == y.Sum })
}

func (c *Cache) settings() (*validate.Settings, error) {
	return validate.NewSettings(c.Repo.Config, casefile.ConfigFile)
}

func (c *Cache) loader() *casefile.Loader {
	return &casefile.Loader{Source: c.Repo, Types: c.Types, Warn: c.Warn}
}

// collect returns the item of each beneficiary of ids (sorted), from the
// pack of the kind where the case files are unchanged, and with its counts
// of findings of today for a kind that counts them.
func (c *Cache) collect(k *kind, ids []string) ([]result, error) {
	defer relaxGC()()
	settings, err := c.settings()
	if err != nil {
		return nil, err
	}
	packName := packName(k, validate.CacheKey(settings, c.Types))
	pack := validate.OpenPack(filepath.Join(c.Dir, packName))
	defer pack.Close()

	cases, index := newCases(ids)
	c.reuseUnchanged(k, pack, casefile.FormatDate(casefile.Day(c.Today)), cases)
	// The others are parsed once; a kind that counts also validates them,
	// and the unchanged ones counted on another day.
	builtin := c.Types == nil || c.Types == templates.Builtin()
	keep := func(b *beneficiary, f *validate.Folder) { c.keep(k, builtin, b, f) }
	if k.counts {
		if err := c.count(k, cases, index, keep); err != nil {
			return nil, err
		}
	} else {
		parallel(len(cases), runtime.GOMAXPROCS(0), func(i int) {
			if b := cases[i]; b.item == nil {
				keep(b, validate.ReadFolder(c.Repo.Root, b.id))
			}
		})
	}
	if err := c.loadRest(k, cases); err != nil {
		return nil, err
	}
	out := store(k, pack, cases)
	pack.Retain(func(id string) bool { _, ok := index[id]; return ok })
	if err := pack.Flush(); err == nil {
		prunePacks(c.Dir, k.name, packName)
	}
	return out, nil
}

// newCases returns the state of each beneficiary of ids, in order, and the
// position of each id.
func newCases(ids []string) ([]*beneficiary, map[string]int) {
	cases := make([]*beneficiary, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		cases[i] = &beneficiary{id: id}
		index[id] = i
	}
	return cases, index
}

// reuseUnchanged takes from the pack the records of the beneficiaries whose
// files are unchanged: a stat of each file, in parallel. A kind that counts
// validates every beneficiary not counted on day, and the validator then
// tells whether the files changed (count).
func (c *Cache) reuseUnchanged(k *kind, pack *validate.PackCache, day string, cases []*beneficiary) {
	parallel(len(cases), 2*runtime.GOMAXPROCS(0), func(i int) {
		b := cases[i]
		data, written, ok := pack.GetStamped(b.id)
		if !ok {
			return
		}
		if b.rec, b.known = decodeRecord(data); !b.known || k.counts && b.rec.day != day {
			return
		}
		files, same, known := c.Scan.unchanged(casefile.BeneficiaryDir(b.id), b.rec.files, written)
		if !known {
			files, same = validate.Unchanged(c.Repo.Abs(casefile.BeneficiaryDir(b.id)), b.rec.files, written)
		}
		if same {
			b.counted = b.reuse(k, files) && k.counts
		}
	})
}

// keep makes the item of b from its folder f as read (nil when it could
// not be), or marks b for the loader when the folder is not kept whole.
// builtin says whether c.Types is the built-in registry.
func (c *Cache) keep(k *kind, builtin bool, b *beneficiary, f *validate.Folder) {
	if f == nil || !f.Complete {
		b.fallback = true
		return
	}
	var fiche *casefile.Document
	var docs []*casefile.Document
	for _, d := range f.Documents {
		if d.Overflow {
			// Read through the loader, which warns, every time.
			b.fallback = true
			return
		}
		d.Src = nil // the items read only the frontmatter and the headings
		if !builtin {
			d.CanonicalizeWith(c.Types) // as the loader does
		}
		if path.Base(d.Path) == casefile.FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	b.item, b.rec.item = k.make(casefile.NewCase(b.id, fiche, docs, casefile.RankOf(c.types())))
	b.rec.files, b.changed = f.Files, true
	// The counts were of other files: a kind that counts counts again
	// (count, after this), one that does not leaves them to the next.
	b.rec.day, b.rec.errs, b.rec.warnings, b.rec.invalid = "", 0, 0, nil
}

// loadRest reads anything else (links, unreadable files, too large ones,
// alias bombs) through the loader, which names them on Warn, and does not
// keep it.
func (c *Cache) loadRest(k *kind, cases []*beneficiary) error {
	var again []string
	for _, b := range cases {
		if b.item == nil {
			b.fallback = true
			again = append(again, b.id)
		}
	}
	if len(again) == 0 {
		return nil
	}
	i := 0
	return c.loader().Each(again, func(cs *casefile.Case) {
		for cases[i].id != cs.ID {
			i++
		}
		cases[i].item, _ = k.make(cs)
	})
}

// store writes back to the pack the records that changed, forgets those
// read through the loader, and returns the results in order.
func store(k *kind, pack *validate.PackCache, cases []*beneficiary) []result {
	out := make([]result, len(cases))
	for i, b := range cases {
		out[i] = result{id: b.id, item: b.item}
		if k.counts {
			out[i].errs, out[i].warnings, out[i].invalid = b.rec.errs, b.rec.warnings, b.rec.invalid
		}
		switch {
		case b.fallback:
			pack.Forget(b.id)
		case b.changed:
			pack.Put(b.id, b.rec.encode())
		}
	}
	return out
}

func (c *Cache) types() *templates.Registry {
	if c.Types == nil {
		return templates.Builtin()
	}
	return c.Types
}

// count validates the beneficiaries whose findings were not counted today,
// and parses through the validator those whose item is unknown (keep
// receives their documents). The validator keeps its own pack.
func (c *Cache) count(k *kind, cases []*beneficiary, index map[string]int, keep func(*beneficiary, *validate.Folder)) error {
	var paths []string
	for _, b := range cases {
		if !b.counted {
			paths = append(paths, c.Repo.Abs(casefile.BeneficiaryDir(b.id)))
		}
	}
	if len(paths) == 0 {
		return nil
	}
	if len(paths) == len(cases) {
		paths = nil // the whole repository: one listing instead of a stat per folder
	}
	vpack := ValidationPack(c.Dir)
	defer vpack.Close()
	counts := &countSink{by: map[string]*counted{}}
	opts := validate.RunOptions{Root: c.Repo.Root, Today: c.Today, Registry: c.Types, Config: c.Repo.Config,
		Cache: vpack, Paths: paths, Progress: c.Progress,
		WantDocuments: func(f *validate.Folder) bool {
			i, ok := index[f.Name]
			if !ok || !f.Complete {
				return false // not a beneficiary, or read the old way
			}
			b := cases[i]
			return !(b.known && sameContent(b.rec.files, f.Files) && b.reuse(k, f.Files))
		},
		Documents: func(f *validate.Folder) { keep(cases[index[f.Name]], f) },
	}
	if paths == nil && c.Folders != nil {
		if listed, done := c.Folders(); listed != nil {
			opts.Listed = listed
			defer done()
		}
	}
	_, err := validate.Run(c.ctx(), opts, counts)
	if errors.Is(err, validate.ErrPath) && opts.Paths != nil {
		// A folder went away since it was listed: the whole repository.
		counts.by, opts.Paths = map[string]*counted{}, nil
		_, err = validate.Run(c.ctx(), opts, counts)
	}
	if c.ProgressDone != nil {
		c.ProgressDone()
	}
	if err != nil {
		return err
	}
	day := casefile.FormatDate(casefile.Day(c.Today))
	for _, b := range cases {
		if b.counted {
			continue
		}
		b.rec.day, b.rec.errs, b.rec.warnings, b.rec.invalid = day, 0, 0, nil
		if n := counts.by[b.id]; n != nil {
			b.rec.errs, b.rec.warnings, b.rec.invalid = n.errs, n.warnings, n.invalid
		}
		b.changed = true
	}
	RetainBeneficiaries(c.Repo, vpack)
	vpack.Flush()
	return nil
}

func (c *Cache) ctx() context.Context {
	if c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// counted is what countSink found for one beneficiary.
type counted struct {
	errs, warnings int
	invalid        []string // documents with an error, in the validator's order
}

// countSink counts the errors and warnings of each beneficiary and lists
// its documents in error.
type countSink struct{ by map[string]*counted }

func (s *countSink) Document(string) {}
func (s *countSink) Finding(f validate.Finding) {
	if f.Severity != validate.Error && f.Severity != validate.Warning {
		return
	}
	id, _, _ := casefile.SplitCasePath(f.Path)
	n := s.by[id]
	if n == nil {
		n = new(counted)
		s.by[id] = n
	}
	if f.Severity == validate.Warning {
		n.warnings++
		return
	}
	n.errs++
	if !slices.Contains(n.invalid, f.Path) {
		n.invalid = append(n.invalid, f.Path)
		slices.Sort(n.invalid)
	}
}

// packName names the pack of a kind of item made with these options and
// validation settings (validate.CacheKey).
func packName(k *kind, validation string) string {
	h := sha256.New()
	fmt.Fprintf(h, "acc-report-cache/%d\x00%s\x00%s\x00%s", recordFormat, k.name, validation, k.options)
	return k.name + "-" + hex.EncodeToString(h.Sum(nil))[:16] + ".pack"
}

// prunePacks removes the packs of a kind but the current one and the most
// recent others, packsKept in all.
func prunePacks(dir, kind, current string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type pack struct {
		name string
		mod  time.Time
	}
	var packs []pack
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), kind+"-") && strings.HasSuffix(e.Name(), ".pack") && e.Name() != current {
			if fi, err := e.Info(); err == nil {
				packs = append(packs, pack{e.Name(), fi.ModTime()})
			}
		}
	}
	slices.SortFunc(packs, func(a, b pack) int { return b.mod.Compare(a.mod) })
	for _, p := range packs[min(len(packs), packsKept-1):] {
		os.Remove(filepath.Join(dir, p.name))
	}
}

// parallel calls fn(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// ValidationPack opens the validator's one-file cache in dir, shared by the
// caches of this package and whole-repository runs of acc validate.
func ValidationPack(dir string) *validate.PackCache {
	return validate.OpenPack(filepath.Join(dir, "validation.pack"))
}

// RetainBeneficiaries drops the pack's records of beneficiaries whose
// folder is gone (an erased person leaves nothing behind in the cache
// either).
func RetainBeneficiaries(repo *casefile.Repo, pack *validate.PackCache) {
	ents, err := os.ReadDir(repo.Abs(casefile.BeneficiariesDir))
	if err != nil {
		return
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		names[e.Name()] = true
	}
	pack.Retain(func(name string) bool { return names[name] })
}
