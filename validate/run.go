package validate

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/gctune"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
	"go.yaml.in/yaml/v3"
)

// RunOptions say what Run checks and with what.
type RunOptions struct {
	// Root is the case-file root: the folder of acc.yaml.
	Root string
	// Today is the date time-based rules judge against (--today, ACC_TODAY,
	// else the clock of the caller). Required.
	Today time.Time
	// Registry holds the document types; nil loads Root/.acc over the
	// built-in types.
	Registry *templates.Registry
	// Settings are the rules' severities and parameters. When nil, they are
	// read from Config (acc.yaml); when both are nil, the defaults apply.
	Settings *Settings
	Config   *casefile.Config

	// Paths restricts the run to these files or folders (absolute, or
	// relative to Root). A folder beneficiaires/<id> is checked whole; a
	// file gets its own checks, and the case-level rules of its beneficiary
	// run on all of that beneficiary's documents (DESIGN §5: they need the
	// whole fold). A path outside beneficiaires/, outside Root, or that does
	// not exist gives an ErrPath and nothing is checked. Empty: the whole
	// repository.
	Paths []string
	// Changed, when not nil, restricts the run to the documents changed
	// since a revision (acc validate --changed-since): see ChangeSet.
	Changed *ChangeSet

	// Cache, when not nil, keeps what was learnt about unchanged documents
	// between runs (see Cache).
	Cache Cache
	// Known, when not nil, tells the Git blob id of a case file (path
	// relative to Root, slash-separated) from its stat signature alone, when
	// something the caller trusts vouches for it: acc validate asks the Git
	// index (entries that are not racy, whose stat data the file still
	// has). Run asks it only about a document the cache knows but cannot
	// trust by the cache's own stamp (a file changed shortly before the
	// record was made, as right after a clone), before reading the file;
	// the answer must be safe for concurrent use.
	Known func(path string, st FileState) (sum [sha1.Size]byte, ok bool)
	// Workers is the number of beneficiaries checked in parallel;
	// 0 means GOMAXPROCS.
	Workers int

	// Documents, when not nil, is offered every beneficiary folder once
	// checked: WantDocuments (when not nil) sees the folder's Files and
	// Complete, and says whether Documents should receive its documents
	// parsed. A caller that keeps its own results per folder (acc report)
	// thereby reads and parses each file once, in this run, and only when
	// its content changed. Documents the cache knew are read and parsed for
	// the occasion. Both are called from the worker that checked the folder,
	// after its checks, so concurrently for different folders, and not for a
	// stray file or link directly under beneficiaires/.
	Documents     func(f *Folder)
	WantDocuments func(f *Folder) bool

	// Listed, when not nil, is given each folder the run lists (beneficiaires/
	// and the beneficiaries' folders, relative to Root, slash-separated),
	// with its modification and change times (nanoseconds) and inode read
	// before the listing (change time and inode zero where the system does
	// not give them), and the listing; called concurrently. acc validate
	// and acc report record them in the folder cache of acc commit and acc
	// status (gitstore.FolderRecorder).
	Listed func(dir string, mtime, ctime int64, ino uint64, ents []fs.DirEntry)

	// Progress, when not nil, is told after each beneficiary folder how
	// many of the run's folders are done (counts only, for a progress
	// line). Called from one goroutine, the one that feeds sink.
	Progress func(done, total int)

	// overlay holds unsaved texts checked in place of files (CheckText).
	overlay map[string][]byte
}

// ChangeSet lists the paths that changed since a revision, relative to Root
// (slash-separated), as Git reports them: added, modified, renamed (both
// sides) and deleted files. Run checks the changed documents that still
// exist and runs the case-level rules of every beneficiary they belong to
// (a deleted or edited document can break a reference elsewhere in its
// case). A change to acc.yaml or under .acc/ changes the rules themselves:
// the whole repository is checked. Other paths are ignored.
type ChangeSet struct {
	Paths []string
}

// Sink receives what Run finds, in a stable order: beneficiaries by folder
// name; within one, paths in order, each checked document's Document call
// followed by its findings by line, column and rule. Writer satisfies it.
// Run calls it from one goroutine.
type Sink interface {
	Document(path string)
	Finding(f Finding)
}

// WaiverSink is implemented by sinks that also want the waivers in force
// (for reports); Run calls Waiver after the findings of the waiver's
// beneficiary.
type WaiverSink interface {
	Waiver(w Waiver)
}

// Stats describe a run.
type Stats struct {
	Documents     int // documents checked (Document calls)
	Beneficiaries int // folders whose case-level rules ran
	Read          int // documents read from disk
	Parsed        int // documents parsed
	Cached        int // documents whose results came from the cache
	Listed        int // beneficiary folders listed (the others known by their record)
}

// ErrPath is the cause of a path given to Run that it cannot check: a
// *poserr.Error without a line, which the command line reports as bad
// usage (exit 2).
var ErrPath = errors.New("chemin impossible à vérifier")

// pathErr reports raw, a path given to Run, as one it cannot check.
func pathErr(raw, format string, args ...any) error {
	return &poserr.Error{Path: raw, Err: poserr.Kind(ErrPath, format, args...)}
}

// Run checks the case files of a repository and streams the findings to
// sink. It returns a *poserr.Error when acc.yaml's rules are wrong or a
// type definition is broken, one wrapping ErrPath for a path it cannot
// check, or the context's error; problems with the case files themselves
// (including unreadable files) are findings.
func Run(ctx context.Context, opts RunOptions, sink Sink) (Stats, error) {
	var st Stats
	if opts.Today.IsZero() {
		return st, errors.New("validate: RunOptions.Today manquant")
	}
	if opts.Root == "" {
		return st, errors.New("validate: RunOptions.Root manquant")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return st, err
	}
	opts.Root = root
	s := opts.Settings
	if s == nil {
		if s, err = NewSettings(opts.Config, casefile.ConfigFile); err != nil {
			return st, err
		}
	}
	reg := opts.Registry
	if reg == nil {
		if reg, err = LoadRegistry(filepath.Join(root, casefile.AccDir)); err != nil {
			return st, err
		}
	}
	e := newEngine(s, reg)
	units, err := plan(root, opts.Paths, opts.Changed, opts.Listed)
	if err != nil {
		return st, err
	}
	r := &runner{e: e, root: root, today: casefile.Day(opts.Today), cache: opts.Cache, known: opts.Known,
		docs: opts.Documents, wantDocs: opts.WantDocuments, overlay: opts.overlay, progress: opts.Progress, listed: opts.Listed}
	if opts.Cache != nil {
		r.fp = fingerprint(s, reg)
	}
	if ft, ok := opts.Cache.(folderTimer); ok {
		r.folderTimes = ft.FolderTimes
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Measured: cold runs about 1.5× faster on two cores with a relaxed
	// collector.
	defer gctune.Relax(gcPercent, memoryLimit)()
	r.folders = newUnitOpener(filepath.Join(root, casefile.BeneficiariesDir))
	defer r.folders.close()
	return r.run(ctx, units, workers, sink)
}

// gcPercent is the garbage collector's target while Run runs.
const gcPercent = 400

// memoryLimit is the soft limit of the heap while Run runs: the live heap
// holds a one-file cache (PackCache, about 8 KB per beneficiary) and would
// otherwise grow fivefold before a collection under gcPercent.
const memoryLimit = 200 << 20

// Check runs Run and returns the findings in order, for callers that want
// them all (acc new, edit and commit on a few files; tests).
func Check(ctx context.Context, opts RunOptions) ([]Finding, []Waiver, error) {
	var c collector
	_, err := Run(ctx, opts, &c)
	return c.findings, c.waivers, err
}

type collector struct {
	findings []Finding
	waivers  []Waiver
	docs     []string
}

func (c *collector) Document(p string)   { c.docs = append(c.docs, p) }
func (c *collector) Finding(f Finding)   { c.findings = append(c.findings, f) }
func (c *collector) Waiver(w Waiver)     { c.waivers = append(c.waivers, w) }
func (c *collector) Close(Summary) error { return nil }

// unit is one entry of beneficiaires/ checked as a whole: a beneficiary
// folder, or a stray file or link.
type unit struct {
	name string // the entry's name under beneficiaires/
	// selected lists the documents whose own findings are reported; nil
	// means all of them.
	selected map[string]bool
}

func (u *unit) selects(p string) bool { return u.selected == nil || u.selected[p] }

// plan lists the units to check, sorted by name.
func plan(root string, paths []string, changed *ChangeSet, listed func(string, int64, int64, uint64, []fs.DirEntry)) ([]*unit, error) {
	byName := map[string]*unit{}
	all := false
	add := func(name, file string) {
		u := byName[name]
		if u == nil {
			u = &unit{name: name, selected: map[string]bool{}}
			byName[name] = u
		}
		if file == "" {
			u.selected = nil
		} else if u.selected != nil {
			u.selected[file] = true
		}
	}
	switch {
	case changed != nil:
		for _, p := range changed.Paths {
			p = path.Clean(filepath.ToSlash(p))
			if p == casefile.ConfigFile || p == casefile.AccDir || strings.HasPrefix(p, casefile.AccDir+"/") {
				all = true
				continue
			}
			parts := strings.Split(p, "/")
			if len(parts) < 2 || parts[0] != casefile.BeneficiariesDir || parts[1] == "" || strings.HasPrefix(parts[1], ".") {
				continue
			}
			switch {
			case len(parts) == 2:
				if _, err := os.Lstat(filepath.Join(root, casefile.BeneficiariesDir, parts[1])); err == nil {
					add(parts[1], "")
				}
			case len(parts) == 3 && casefile.IsCaseFileName(parts[2]):
				// A deleted document still changes its case: check the
				// case-level rules of the folder if it is there.
				if _, err := os.Lstat(filepath.Join(root, casefile.BeneficiariesDir, parts[1])); err != nil {
					continue
				}
				if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
					add(parts[1], p)
				} else {
					add(parts[1], "\x00") // nothing of its own to report
				}
			}
		}
	case len(paths) > 0:
		for _, raw := range paths {
			p, err := relPath(root, raw)
			if err != nil {
				return nil, err
			}
			if p == "." || p == casefile.BeneficiariesDir {
				all = true
				continue
			}
			parts := strings.Split(p, "/")
			if parts[0] != casefile.BeneficiariesDir || len(parts) > 3 {
				return nil, pathErr(raw, "n'est pas un document de dossier : indiquez beneficiaires/<id> ou beneficiaires/<id>/<fichier>.md")
			}
			fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil, pathErr(raw, "introuvable")
				}
				return nil, pathErr(raw, "inaccessible (%s)", ioReason(err))
			}
			if len(parts) == 2 {
				add(parts[1], "")
				continue
			}
			if !casefile.IsCaseFileName(parts[2]) || fi.IsDir() {
				return nil, pathErr(raw, "n'est pas un document de dossier (fichier .md attendu)")
			}
			add(parts[1], p)
		}
	default:
		all = true
	}
	if all {
		names, err := listBeneficiaries(root, listed)
		if err != nil {
			return nil, err
		}
		out := make([]*unit, len(names))
		for i, n := range names {
			out[i] = &unit{name: n}
		}
		return out, nil
	}
	out := make([]*unit, 0, len(byName))
	for _, u := range byName {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// relPath makes a user path relative to root, refusing paths outside it.
func relPath(root, raw string) (string, error) {
	p := filepath.FromSlash(raw)
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	p = filepath.Clean(p)
	inside := func(p string) (string, bool) {
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	if rel, ok := inside(p); ok {
		return rel, nil
	}
	// The root is free of symlinks (casefile.FindRoot); the path may go
	// through one (a working folder under /tmp on macOS). Resolve its folder,
	// never the file itself: a case file that is a link is reported, not
	// followed.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
		if rel, ok := inside(filepath.Join(dir, filepath.Base(p))); ok {
			return rel, nil
		}
	}
	return "", pathErr(raw, "hors du dépôt de dossiers (%s)", root)
}

// listBeneficiaries returns the entries of beneficiaires/ to check, sorted:
// every folder, link and .md file (hidden entries and other files, such as
// .gitkeep, are skipped).
func listBeneficiaries(root string, listed func(string, int64, int64, uint64, []fs.DirEntry)) ([]string, error) {
	dir := filepath.Join(root, casefile.BeneficiariesDir)
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s : %w", casefile.BeneficiariesDir, err)
	}
	if !fi.IsDir() {
		// A link or a file where the folder should be: one unit reports it.
		return []string{""}, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", casefile.BeneficiariesDir, err)
	}
	if listed != nil {
		sig := statSig(fi)
		listed(casefile.BeneficiariesDir, sig.Mtime, sig.Ctime, sig.Ino, ents)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		if e.Type().IsRegular() && !strings.HasSuffix(n, ".md") {
			continue
		}
		names = append(names, n)
	}
	return names, nil
}

func ioReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission refusée"
	case errors.Is(err, fs.ErrNotExist):
		return "introuvable"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// runner checks units with a pool of workers and emits their results in
// order.
type runner struct {
	e        *engine
	root     string
	today    time.Time
	cache    Cache
	known    func(string, FileState) ([sha1.Size]byte, bool)
	fp       string
	docs     func(*Folder)
	wantDocs func(*Folder) bool
	progress func(done, total int)
	overlay  map[string][]byte
	folders  *unitOpener
	listed   func(string, int64, int64, uint64, []fs.DirEntry)
	// folderTimes, when not nil, tells whether records may vouch for their
	// folders' entries (a cache whose file system moves a folder's time
	// when an entry is created: PackCache.FolderTimes).
	folderTimes func() bool
}

// folderTimer is a cache that says whether folder times can be trusted
// where it is kept.
type folderTimer interface{ FolderTimes() bool }

// result is what one unit gives.
type result struct {
	docs     []string // documents checked and selected, sorted
	findings []Finding
	waivers  []Waiver
	read     int
	parsed   int
	cached   int
	listed   bool
	caseRan  bool
	panic    *bug.Panic // a bug in a rule, raised again by the caller
	// encoded holds the findings as the sink's preEncoder encodes them,
	// finding i ending at ends[i]; nil when the sink has none.
	encoded []byte
	ends    []int
	final   bool     // findings already masked and sorted (a verdict)
	pending *pending // the cache record to write once findings are final
}

func (r *runner) run(ctx context.Context, units []*unit, workers int, sink Sink) (Stats, error) {
	var st Stats
	if workers > len(units) {
		workers = max(len(units), 1)
	}
	type job struct {
		u   *unit
		out chan *result
	}
	jobs := make(chan job)
	enc, _ := sink.(preEncoder)
	// window bounds the results waiting to be emitted, so that memory stays
	// flat whatever the caseload.
	window := make(chan chan *result, 2*workers)
	parent := ctx
	if err := parent.Err(); err != nil {
		return st, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- r.safeUnit(j.u, enc)
			}
		}()
	}
	go func() {
		defer close(window)
		defer close(jobs)
		for _, u := range units {
			out := make(chan *result, 1)
			select {
			case window <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{u, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	ws, _ := sink.(WaiverSink)
	var err error
	done := 0
	for out := range window {
		var res *result
		select {
		case res = <-out:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		emit(res, sink, ws, &st)
		done++
		if r.progress != nil {
			r.progress(done, len(units))
		}
	}
	cancel()
	// Drain so that the producer and the workers end.
	go func() {
		for range window {
		}
	}()
	wg.Wait()
	if err == nil {
		err = parent.Err()
	}
	return st, err
}

// finish puts a unit's result in the order and form emit passes on, on the
// worker that checked the unit: findings masked and sorted, and encoded when
// the sink's main writer can encode them alone (preEncoder).
func finish(res *result, enc preEncoder) {
	if !res.final {
		normalize(res)
	}
	if enc == nil {
		return
	}
	res.ends = make([]int, len(res.findings))
	if len(res.findings) > 0 {
		res.encoded = (*encodedPool.Get().(*[]byte))[:0]
	}
	for i, f := range res.findings {
		res.encoded = enc.encodeFinding(res.encoded, f)
		res.ends[i] = len(res.encoded)
	}
}

// encodedPool recycles the buffers of encoded findings once emitted: a warm
// run at 100k documents encodes some 130 MB of JSON, and fresh buffers each
// time made the heap, and the page faults, grow with it.
var encodedPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// normalize masks and sorts the findings of a unit.
func normalize(res *result) {
	// Every finding reaches the writers (text, JSON, SARIF, JUnit, GitHub,
	// GitLab) and the reports through here: the one place where a message
	// that quotes a value is kept from repeating a NIR or an IBAN.
	for i := range res.findings {
		res.findings[i] = masked(res.findings[i])
	}
	sortFindings(res.findings)
	for i := range res.waivers {
		res.waivers[i].Motif = MaskSensitive(res.waivers[i].Motif)
	}
}

// emit passes a unit's result to the sink: each document's Document call
// followed by its findings, paths in order.
func emit(res *result, sink Sink, ws WaiverSink, st *Stats) {
	if res.panic != nil {
		panic(res.panic)
	}
	st.Read += res.read
	st.Parsed += res.parsed
	st.Cached += res.cached
	if res.listed {
		st.Listed++
	}
	if res.caseRan {
		st.Beneficiaries++
	}
	enc, _ := sink.(preEncoder)
	finding := func(i int) {
		if res.ends == nil || enc == nil {
			sink.Finding(res.findings[i])
			return
		}
		start := 0
		if i > 0 {
			start = res.ends[i-1]
		}
		enc.findingEncoded(res.findings[i], res.encoded[start:res.ends[i]])
	}
	fi := 0
	for _, d := range res.docs {
		for fi < len(res.findings) && res.findings[fi].Path < d {
			finding(fi)
			fi++
		}
		sink.Document(d)
		st.Documents++
		for fi < len(res.findings) && res.findings[fi].Path == d {
			finding(fi)
			fi++
		}
	}
	for ; fi < len(res.findings); fi++ {
		finding(fi)
	}
	if res.encoded != nil {
		b := res.encoded[:0]
		encodedPool.Put(&b) // a pointer: a slice in an interface allocates (SA6002)
		res.encoded = nil
	}
	if ws != nil {
		for _, w := range res.waivers {
			ws.Waiver(w)
		}
	}
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// docEntry is what checking one document gives: its own findings (before
// waivers) and its facts for the case-level rules. It is what the cache
// stores.
type docEntry struct {
	path     string
	sum      [sha1.Size]byte // Git blob id of the content
	sig      fileSig         // the file's stat when it was read
	findings []Finding
	facts    *casefile.Document
	// broken marks a file that could not be read: the case-level rules of
	// its beneficiary do not run on a partial fold.
	broken bool
	// body is the encoded findings and facts of an entry read from the
	// cache, decoded by decode (or decodeFindings) when they are needed;
	// factsAt is where its facts start once its findings are decoded.
	body    string
	factsAt int
}

// fileSig is a file's stat signature (see statSig).
type fileSig struct {
	Size, Mtime int64
	Ino         uint64
	Ctime       int64
}

// unit checks one entry of beneficiaires/.
// safeUnit is unit run in a worker goroutine: a panic there would kill the
// process, so it comes back as a result and is raised again by the caller,
// whose command reports it as a bug (exit 4).
func (r *runner) safeUnit(u *unit, enc preEncoder) (res *result) {
	defer func() {
		if p := recover(); p != nil {
			res = &result{panic: bug.From(p)}
		}
	}()
	res = r.unit(u)
	finish(res, enc)
	if p := res.pending; p != nil {
		v := p.verdict
		if p.whole && v == nil {
			v = &verdict{day: r.today, caseRan: res.caseRan, findings: res.findings, waivers: res.waivers}
		}
		if !p.whole {
			v = nil
		}
		r.store(p.name, p.old, p.entries, v, p.folder)
		res.pending = nil
	}
	return res
}

// pending is what a unit leaves to store in the cache once its findings
// are final.
type pending struct {
	name    string
	old     *cached
	entries []*docEntry
	whole   bool     // every document of the folder was selected
	verdict *verdict // the record's, when it was reused
	folder  fileSig  // the folder's own signature, read before its case files were known
}

func (r *runner) unit(u *unit) *result {
	res := &result{}
	rel := unitPath(u.name)
	abs := filepath.Join(r.root, filepath.FromSlash(rel))
	// The folder is opened first: only what cannot be opened as a folder is
	// looked at (10,000 lstat calls spared at 100k documents).
	dir, err := r.folders.open(abs, u.name)
	if err != nil {
		fi, lerr := os.Lstat(abs)
		switch {
		case lerr != nil:
			res.findings = append(res.findings, forced("emplacement", rel, "illisible (%s) : vérifiez les droits du dossier", ioReason(lerr)))
		case !fi.IsDir():
			r.notFolder(u, rel, fi.Mode(), res)
		default:
			res.findings = append(res.findings, forced("emplacement", rel, "dossier illisible (%s) : vérifiez ses droits", ioReason(err)))
		}
		return res
	}
	defer dir.close()
	old := r.load(u.name)
	// A folder whose own signature is the one its record proves is not
	// listed again: its case files are the record's (the getdents calls
	// and the file system's work to list were a tenth of a warm run).
	var ents []fs.DirEntry
	known := false
	trackTimes := r.folderTimes != nil && old != nil && r.folderTimes()
	if trackTimes {
		ents, known = old.listing(dir.sig, abs)
	}
	if !known {
		res.listed = true
		if ents, err = dir.entries(); err != nil {
			res.findings = append(res.findings, forced("emplacement", rel, "dossier illisible (%s) : vérifiez ses droits", ioReason(err)))
			return res
		}
		if r.listed != nil && dir.sig.Mtime != 0 && u.name != "" {
			r.listed(rel, dir.sig.Mtime, dir.sig.Ctime, dir.sig.Ino, ents)
		}
	}
	s := r.scanFolder(u, rel, dir, ents, old, res)
	whole := u.selected == nil && r.overlay == nil
	res.pending = &pending{name: u.name, old: old, entries: s.entries, whole: whole}
	if r.overlay == nil && r.folderTimes != nil && r.folderTimes() {
		res.pending.folder = dir.sig
	}
	if v := old.reusable(s.entries, r.today); whole && v != nil {
		// Same documents, same day: the folder's findings are those of the
		// record (TestFastPathsAgreeWithSlowPath).
		replay(s.entries, v, res)
	} else {
		r.redecode(u, dir, s, res)
		r.judge(u, rel, s, res)
	}
	if r.docs != nil {
		r.offer(u.name, s.entries, s.parsed, res)
	}
	return res
}

// unitPath is the slash path of the entry name under beneficiaires/; the
// empty name stands for beneficiaires/ itself.
func unitPath(name string) string {
	if name == "" {
		return casefile.BeneficiariesDir
	}
	return path.Join(casefile.BeneficiariesDir, name)
}

// notFolder reports an entry of beneficiaires/ that is not a folder.
func (r *runner) notFolder(u *unit, rel string, mode fs.FileMode, res *result) {
	switch {
	case mode&fs.ModeSymlink != 0:
		res.findings = append(res.findings, r.finding("emplacement", rel, "lien symbolique : un dossier de bénéficiaire doit être un vrai dossier ou fichier, jamais un lien (il n'est pas suivi)"))
	case mode.IsRegular():
		// A document outside any beneficiary folder: still scanned for
		// sensitive data.
		ent := r.document(rel, "", u.selects(rel))
		ent.findings = append(ent.findings, r.finding("emplacement", rel, "document hors d'un dossier de bénéficiaire : déplacez-le dans beneficiaires/<id>/"))
		res.findings = append(res.findings, ent.findings...)
		res.docs = append(res.docs, rel)
		res.read++
		res.parsed++
	default:
		res.findings = append(res.findings, r.finding("emplacement", rel, "ni dossier ni fichier ordinaire : supprimez-le"))
	}
}

// folderScan is what one pass over a beneficiary folder's case files found,
// entry by entry.
type folderScan struct {
	entries  []*docEntry
	parsed   []*casefile.Document // what this run parsed, by entry
	names    []string             // file names, by entry
	broken   bool                 // some entry could not be read
	hasFiche bool
}

// scanFolder checks (or takes from the cache record old) each case file of
// the folder rel.
func (r *runner) scanFolder(u *unit, rel string, dir *folderFiles, ents []fs.DirEntry, old *cached, res *result) *folderScan {
	badDir := ""
	if err := casefile.CheckID(u.name); err != nil {
		badDir = err.Error()
	}
	s := &folderScan{}
	for _, de := range ents {
		n := de.Name()
		if !caseFile(de) {
			continue // attachments, sub-folders and hidden files are not case files
		}
		p := rel + "/" + n
		s.hasFiche = s.hasFiche || n == casefile.FicheFile
		var ent *docEntry
		var d *casefile.Document
		switch t := de.Type(); {
		case t&fs.ModeSymlink != 0:
			ent = &docEntry{path: p, facts: &casefile.Document{Path: p}}
			ent.findings = append(ent.findings, r.finding("emplacement", p, "lien symbolique : un document doit être un fichier ordinaire du dossier, jamais un lien (il n'est pas suivi)"))
		case !t.IsRegular():
			ent = &docEntry{path: p, facts: &casefile.Document{Path: p}}
			ent.findings = append(ent.findings, r.finding("emplacement", p, "n'est pas un fichier ordinaire : remplacez-le par le document"))
		default:
			ent, d = r.cachedOrCheck(p, u.name, dir, n, old, res)
		}
		if badDir != "" && u.selects(p) {
			res.findings = append(res.findings, r.finding("emplacement", p, "le dossier « %s » n'est pas un identifiant valide (%s) : renommez-le", u.name, strings.TrimPrefix(badDir, casefile.ErrBadID.Error()+" : ")))
		}
		s.broken = s.broken || ent.broken
		s.entries = append(s.entries, ent)
		s.names = append(s.names, n)
		s.parsed = append(s.parsed, d)
	}
	return s
}

// replay takes the folder's findings from the verdict v of its record.
func replay(entries []*docEntry, v *verdict, res *result) {
	for _, ent := range entries {
		res.docs = append(res.docs, ent.path)
	}
	res.findings, res.waivers, res.caseRan = v.findings, v.waivers, v.caseRan
	res.final, res.pending.verdict = true, v
}

// redecode decodes the cached entries' bodies; a body that passed the
// record's checksum but does not decode sends its file to be checked.
func (r *runner) redecode(u *unit, dir *folderFiles, s *folderScan, res *result) {
	var slab []yaml.Node
	for i, ent := range s.entries {
		if ent.body != "" && !ent.decode(&slab) {
			s.entries[i], s.parsed[i] = r.cachedOrCheck(ent.path, u.name, dir, s.names[i], nil, res)
		}
	}
}

// judge gathers the documents' findings and runs the case-level rules on
// the whole folder, then applies its waivers.
func (r *runner) judge(u *unit, rel string, s *folderScan, res *result) {
	fiche, interviews, waivers := gather(u, s.entries, res)
	if !s.hasFiche {
		res.findings = append(res.findings, r.finding("emplacement", rel+"/"+casefile.FicheFile, "le dossier « %s » n'a pas de fiche.md : créez la fiche du bénéficiaire (acc new beneficiaire)", u.name))
	}
	if !s.broken {
		res.findings = append(res.findings, r.e.checkCase(u.name, fiche, interviews, r.today)...)
		res.caseRan = true
	}
	res.findings = applyWaivers(res.findings, waivers)
	for _, w := range waivers {
		if u.selects(w.Path) {
			res.waivers = append(res.waivers, w)
		}
	}
}

// gather adds the selected entries' paths and findings to res and sorts the
// folder's facts: its fiche, its interviews and every waiver they declare
// (selected or not, since a waiver applies to the whole folder).
func gather(u *unit, entries []*docEntry, res *result) (fiche *casefile.Document, interviews []*casefile.Document, waivers []Waiver) {
	for _, ent := range entries {
		if u.selects(ent.path) {
			res.docs = append(res.docs, ent.path)
			res.findings = append(res.findings, ent.findings...)
		}
		if ent.facts == nil {
			continue
		}
		waivers = append(waivers, waiversOf(ent.facts)...)
		if path.Base(ent.path) == casefile.FicheFile {
			fiche = ent.facts
		} else {
			interviews = append(interviews, ent.facts)
		}
	}
	return fiche, interviews, waivers
}

// offer hands the documents of a folder to RunOptions.Documents when
// WantDocuments asks for them, reading and parsing those the cache knew.
func (r *runner) offer(name string, entries []*docEntry, parsed []*casefile.Document, res *result) {
	f := &Folder{Name: name, Complete: true}
	usable := func(e *docEntry) bool { return !e.broken && e.sum != ([sha1.Size]byte{}) }
	for _, e := range entries {
		if !usable(e) {
			f.Complete = false
			continue
		}
		f.Files = append(f.Files, stateOf(path.Base(e.path), e.sum, e.sig))
	}
	if r.wantDocs != nil && !r.wantDocs(f) {
		return
	}
	f.Files = f.Files[:0]
	for i, e := range entries {
		if !usable(e) {
			continue
		}
		st := stateOf(path.Base(e.path), e.sum, e.sig)
		d := parsed[i]
		if d == nil {
			src, sig, err := readFile(filepath.Join(r.root, filepath.FromSlash(e.path)))
			if err != nil {
				f.Complete = false
				continue
			}
			// It may have changed since it was checked: Files say what
			// was parsed.
			st = stateOf(st.Name, blobID(src), sig)
			res.read++
			res.parsed++
			d = casefile.Parse(e.path, src)
		}
		f.Documents = append(f.Documents, d)
		f.Files = append(f.Files, st)
	}
	r.docs(f)
}

// finding builds a finding at line 1, column 1 with the rule's severity.
func (r *runner) finding(rule, p, format string, args ...any) Finding {
	return Finding{Path: p, Line: 1, Column: 1, Severity: r.e.s.Severity(rule), Rule: rule,
		Message: fmt.Sprintf(format, args...), Key: rule}
}

// forced builds an error that no setting lowers: a file or folder that
// cannot be read is never passed over silently.
func forced(rule, p, format string, args ...any) Finding {
	return Finding{Path: p, Line: 1, Column: 1, Severity: Error, Rule: rule,
		Message: fmt.Sprintf(format, args...), Key: "illisible"}
}

// cachedOrCheck returns the entry of a document: from the cache when its
// stat signature or its content is unchanged, else read, parsed and checked;
// and the parsed document, nil when the entry came from the cache.
func (r *runner) cachedOrCheck(p, id string, dir *folderFiles, name string, old *cached, res *result) (*docEntry, *casefile.Document) {
	if src, ok := r.overlay[p]; ok {
		return r.checkOverlay(p, id, src, res)
	}
	var prev *docEntry
	if old != nil {
		prev = old.byPath[p]
	}
	if prev != nil && (!old.written.IsZero() || r.known != nil) {
		if sig, err := dir.stat(name); err == nil {
			if old.trusted(prev, sig) {
				res.cached++
				return prev, nil
			}
			if r.known != nil {
				if sum, ok := r.known(p, stateOf(name, [sha1.Size]byte{}, sig)); ok && sum == prev.sum {
					res.cached++
					if prev.sig == sig {
						return prev, nil
					}
					e := *prev
					e.sig = sig
					return &e, nil
				}
			}
		}
	}
	res.read++
	src, sig, err := dir.read(name)
	if err != nil {
		ent := &docEntry{path: p, broken: true}
		msg := "fichier illisible (%s) : rendez-le lisible ; les règles du dossier (rythme, séquence, objectifs…) n'ont pas été vérifiées pour ce bénéficiaire"
		if errors.Is(err, casefile.ErrTooLarge) {
			msg = "fichier de plus de 16 Mio (%s) : un compte rendu n'est pas si long ; les règles du dossier n'ont pas été vérifiées pour ce bénéficiaire"
		}
		ent.findings = append(ent.findings, forced("frontmatter-invalide", p, msg, ioReason(err)))
		return ent, nil
	}
	sum := blobID(src)
	if prev != nil && prev.sum == sum {
		res.cached++
		if prev.sig == sig && !r.wouldTrust(sig) {
			return prev, nil
		}
		// Same content: either a new stat (touched, checked out again) or
		// a record too close to the file's times to be trusted, that this
		// run's stamp would make trusted (a cold run right after a clone):
		// record it again so that the next run need not read the file.
		e := *prev
		e.sig = sig
		return &e, nil
	}
	res.parsed++
	d := casefile.Parse(p, src)
	return &docEntry{path: p, sum: sum, sig: sig, findings: r.e.checkDocument(d, id), facts: factsOf(d)}, d
}

// wouldTrust reports whether a record put by this run would let later runs
// trust a file of signature sig without reading it.
func (r *runner) wouldTrust(sig fileSig) bool {
	s, ok := r.cache.(stamper)
	return ok && trustedAt(sig, s.Stamp())
}

// document parses and checks a file outside a beneficiary folder.
func (r *runner) document(p, id string, _ bool) *docEntry {
	src, _, err := readFile(filepath.Join(r.root, filepath.FromSlash(p)))
	if err != nil {
		return &docEntry{path: p, broken: true, findings: []Finding{forced("frontmatter-invalide", p, "fichier illisible (%s)", ioReason(err))}}
	}
	d := casefile.Parse(p, src)
	c := &docCheck{e: r.e, d: d, base: path.Base(p)}
	c.checkText()
	return &docEntry{path: p, findings: c.out}
}

// readFile is the one reader of case files (casefile.ReadFile), with the
// file's stat signature.
func readFile(name string) ([]byte, fileSig, error) {
	src, fi, err := casefile.ReadFile(name)
	if err != nil {
		return nil, fileSig{}, err
	}
	return src, statSig(fi), nil
}

// blobID returns the Git blob id of content: the key under which Git itself
// knows the file, so that a caller may one day take it from the index.
func blobID(src []byte) [sha1.Size]byte {
	h := sha1.New()
	io.WriteString(h, "blob "+strconv.Itoa(len(src))+"\x00")
	h.Write(src)
	var out [sha1.Size]byte
	h.Sum(out[:0])
	return out
}
