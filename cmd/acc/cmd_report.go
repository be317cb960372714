package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/report"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

type reportOptions struct {
	format    string
	json      bool
	output    string
	anonymize bool
	qualiopi  bool
	summary   bool
	at        string
	// The scope of the caseload and the Qualiopi evidence.
	from, to, dispositif, formateur string
}

func (a *app) reportCmd() *cobra.Command {
	var o reportOptions
	c := &cobra.Command{
		Use:   "report [ID...]",
		Short: "Écrire la synthèse d'un bénéficiaire, de la file active ou l'audit Qualiopi",
		Long: `Sans identifiant : la file active (bénéficiaires par phase, par statut et par
formateur, objectifs atteints et en retard, personnes qui demandent de
l'attention, taux d'abandon, satisfaction moyenne).

Avec un ou plusieurs identifiants : le dossier de chaque personne (parcours,
objectifs et leurs révisions, évaluations, freins, engagements, suites, et ce
que la vérification trouve encore), suivi en annexe du texte intégral de ses
documents — le document à remettre à une personne qui demande l'accès à son
dossier. --synthese retire l'annexe. Un identifiant peut être abrégé (son
début) ou remplacé par le prénom ou le nom de la personne.

--qualiopi : les preuves par indicateur Qualiopi (4, 5, 8, 10, 11, 12, 30) et
ce qui manque, pour chaque bénéficiaire.

--anonymize : pseudonymes stables au lieu des noms, aucun texte libre, effectifs
inférieurs à 5 masqués, pour un rapport qui quitte l'organisation.

--at DATE : le rapport tel que les dossiers étaient à cette date (historique Git).

Périmètre de la file active et de l'audit Qualiopi (combinables) :
  --du D, --au D    les personnes accompagnées sur la période (entrées avant
                    sa fin, pas sorties avant son début) ; la file active
                    ajoute ce qui s'y est passé : entrées, sorties et leurs
                    motifs, durée moyenne des parcours, entretiens tenus et
                    manqués, objectifs atteints, par dispositif ;
  --dispositif X    les fiches de ce dispositif (majuscules et accents
                    ignorés) ;
  --formateur X     les fiches de ce référent (une partie du nom suffit).
Le titre et le JSON (perimetre) disent le périmètre retenu.`,
		Example: `  acc report
  acc report elodie-n-guessan --format html -o elodie.html
  acc report --qualiopi --format html -o audit.html
  acc report --anonymize --format json
  acc report jean-dupont --at 2026-06-30
  acc report --du 2026-01-01 --au 2026-06-30 --dispositif PLIE`,
		RunE: func(c *cobra.Command, args []string) error {
			if o.json && c.Flags().Changed("format") && o.format != "json" {
				return usageErr("--json et --format %s se contredisent", termtext.Arg(o.format))
			}
			return a.runReport(args, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.format, "format", "md", "format : md, html ou json")
	f.BoolVar(&o.json, "json", false, "raccourci pour --format json")
	f.StringVarP(&o.output, "output", "o", "", "écrire dans `FICHIER` (remplacé d'un coup, jamais à moitié écrit)")
	f.BoolVar(&o.anonymize, "anonymize", false, "pseudonymes, aucun texte libre, petits effectifs masqués")
	f.BoolVar(&o.qualiopi, "qualiopi", false, "preuves par indicateur Qualiopi")
	f.BoolVar(&o.summary, "synthese", false, "sans l'annexe du texte intégral des documents")
	f.StringVar(&o.at, "at", "", "les dossiers tels qu'ils étaient à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ) ou révision Git")
	f.StringVar(&o.from, "du", "", "file active ou Qualiopi : personnes accompagnées à partir de cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.StringVar(&o.to, "au", "", "file active ou Qualiopi : personnes accompagnées jusqu'à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.StringVar(&o.dispositif, "dispositif", "", "file active ou Qualiopi : ce `DISPOSITIF` seulement")
	f.StringVar(&o.formateur, "formateur", "", "file active ou Qualiopi : les bénéficiaires de ce référent (`NOM`, ou une partie)")
	c.ValidArgsFunction = a.completeIDs
	_ = c.RegisterFlagCompletionFunc("format", completeFixed(string(report.Markdown), string(report.HTML), string(report.JSON)))
	return c
}

func (a *app) runReport(ids []string, o reportOptions) error {
	if o.json {
		o.format = "json"
	}
	format, err := report.ParseFormat(o.format)
	if err != nil {
		return usageErr("--format : %v", err)
	}
	today, err := a.todayDate()
	if err != nil {
		return err
	}
	ws, err := a.open()
	if err != nil {
		return err
	}
	opt := report.Options{Today: today, Anonymize: o.anonymize, SummaryOnly: o.summary}
	if opt.Scope, err = reportScope(o, len(ids) > 0); err != nil {
		return err
	}
	opt.ApplyConfig(ws.repo.Config)
	opt.FieldLabel = casefile.FieldLabels(ws.reg)
	opt.Types = func(name string) (report.TypeInfo, bool) {
		t, ok := ws.reg.Lookup(name)
		if !ok || !t.Interview {
			return report.TypeInfo{}, false
		}
		return report.TypeInfo{Label: t.Label, Phase: t.Phase, Rank: t.Rank, Base: t.Base}, true
	}
	if o.anonymize {
		root, err := ws.store.RootCommit()
		if err != nil {
			return repoErr(err)
		}
		opt.Salt = append([]byte("acc-pseudonymes\x00"), root[:]...)
	}
	src, err := a.caseSource(ws, o.at, &opt)
	if err != nil {
		return err
	}
	all, err := src.ids()
	if err != nil {
		return err
	}
	for i, id := range ids {
		if contains(all, id) {
			continue
		}
		if ids[i], err = a.resolveBeneficiary(ws, id, append([]string{}, all...), "", o.at); err != nil {
			return err
		}
	}
	if o.at == "" && len(ids) == 0 {
		// The caseload and the Qualiopi evidence of the whole caseload: from
		// the cache of what each case gives them (summaryReport).
		model, err := a.summaryReport(ws, opt, today, all, o.qualiopi)
		if err != nil {
			return err
		}
		return a.writeOutput(o.output, "Rapport", func(w io.Writer) error { return report.Write(w, format, model) })
	}
	selected := all
	if len(ids) > 0 {
		selected = ids
	}
	// Validation findings, by beneficiary, for the files as they are now
	// (the Qualiopi evidence reads the documents, not the findings).
	var findings map[string][]validate.Finding
	if o.at == "" && !o.qualiopi {
		if findings, err = a.findingsByBeneficiary(ws, today, ids); err != nil {
			return err
		}
	}
	var model report.Report
	switch {
	case o.qualiopi:
		b, err := report.NewQualiopi(opt)
		if err != nil {
			return usageErr("%v", err)
		}
		if err := src.each(selected, func(c *casefile.Case) { b.Add(c, nil) }); err != nil {
			return err
		}
		model = b.Report()
	case len(ids) == 0:
		b, err := report.NewCaseload(opt)
		if err != nil {
			return usageErr("%v", err)
		}
		if err := src.each(selected, func(c *casefile.Case) { b.Add(c, nil) }); err != nil {
			return err
		}
		model = b.Report()
	default:
		var bs []*report.Beneficiary
		var berr error
		if err := src.each(selected, func(c *casefile.Case) {
			b, err := report.BuildBeneficiary(c, findingsOrEmpty(findings, c.ID, o.at), opt)
			if err != nil && berr == nil {
				berr = err
			}
			bs = append(bs, b)
		}); err != nil {
			return err
		}
		if berr != nil {
			return usageErr("%v", berr)
		}
		if len(bs) == 1 {
			model = bs[0]
		} else if model, err = report.NewBundle(opt, bs); err != nil {
			return usageErr("%v", err)
		}
	}
	return a.writeOutput(o.output, "Rapport", func(w io.Writer) error { return report.Write(w, format, model) })
}

// reportScope checks the scope options: they restrict the caseload and the
// Qualiopi evidence, not the report of named beneficiaries.
func reportScope(o reportOptions, named bool) (report.Scope, error) {
	var sc report.Scope
	var err error
	if sc.From, err = optionalDate("--du", o.from); err != nil {
		return sc, err
	}
	if sc.To, err = optionalDate("--au", o.to); err != nil {
		return sc, err
	}
	if !sc.From.IsZero() && !sc.To.IsZero() && sc.To.Before(sc.From) {
		return sc, usageErr("--du %s est après --au %s", o.from, o.to)
	}
	sc.Dispositif, sc.Formateur = strings.TrimSpace(o.dispositif), strings.TrimSpace(o.formateur)
	if sc.IsSet() && named {
		return sc, usageErr("--du, --au, --dispositif et --formateur restreignent la file active ou l'audit Qualiopi : retirez les identifiants (acc report --du … ou acc report --qualiopi --du …)")
	}
	return sc, nil
}

func findingsOrEmpty(m map[string][]validate.Finding, id, at string) []validate.Finding {
	if at != "" {
		return nil // not validated: the report says so
	}
	if f := m[id]; f != nil {
		return f
	}
	return []validate.Finding{}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// findingsByBeneficiary validates the repository (or the given
// beneficiaries) and groups the findings by beneficiary id.
func (a *app) findingsByBeneficiary(ws *workspace, today time.Time, ids []string) (map[string][]validate.Finding, error) {
	opts := validate.RunOptions{Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config}
	var vpack *validate.PackCache
	if len(ids) == 0 {
		// As acc validate: the pack for a whole run only.
		vpack = validationPack(ws)
		defer vpack.Close()
		opts.Cache = vpack
	}
	for _, id := range ids {
		opts.Paths = append(opts.Paths, ws.repo.Abs(casefile.BeneficiaryDir(id)))
	}
	sink := &groupSink{by: map[string][]validate.Finding{}}
	rep := a.progress()
	defer rep.Clear()
	opts.Progress = checkProgress(rep)
	_, err := validate.Run(a.ctx, opts, sink)
	rep.Clear()
	if err != nil {
		return nil, err
	}
	if vpack != nil {
		retainBeneficiaries(ws, vpack)
		vpack.Flush()
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

// caseSource reads beneficiaries' case files from the work tree, or from
// the Git history for --at.
type caseSource struct {
	ids  func() ([]string, error)
	read func(rel string) ([]byte, error)
	list func(id string) ([]string, error)
	ws   *workspace
}

// workTreeCases reads the case files as they are on disk.
func workTreeCases(ws *workspace) *caseSource {
	return &caseSource{
		ws: ws,
		ids: func() ([]string, error) {
			ids, err := ws.repo.Beneficiaries()
			if err != nil {
				return nil, repoErr(err)
			}
			return ids, nil
		},
		list: ws.repo.CaseFiles,
		read: func(rel string) ([]byte, error) {
			// A case file that is a link is never followed (DESIGN §5.1):
			// it could bring a file from outside the repository into a
			// report. The validator reports it (emplacement).
			b, _, err := casefile.ReadFile(ws.repo.Abs(rel))
			return b, err
		},
	}
}

// caseSource reads the case files from the work tree, or as they stood at a
// date or revision (--at), which it records in opt.AsOf.
func (a *app) caseSource(ws *workspace, at string, opt *report.Options) (*caseSource, error) {
	if at == "" {
		return workTreeCases(ws), nil
	}
	src := &caseSource{ws: ws}
	rev := at
	if d, err := casefile.ParseUserDate(at); err == nil {
		local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
		h, err := ws.store.CommitAt(local)
		if err != nil {
			return nil, usageErr("--at %s : %v", termtext.Arg(at), err)
		}
		rev = h.String()
		opt.AsOf = d
	} else if casefile.DateLike(at) {
		return nil, usageErr("--at : %v", err)
	}
	if _, err := ws.store.ListAt("", rev); err != nil {
		if errors.Is(err, gitstore.ErrUnknownRevision) {
			return nil, usageErr("--at : %v", err)
		}
		return nil, repoErr(err)
	}
	src.ids = func() ([]string, error) {
		ents, err := ws.store.ListAt(casefile.BeneficiariesDir, rev)
		if errors.Is(err, gitstore.ErrNotInRevision) {
			return nil, nil
		}
		if err != nil {
			return nil, repoErr(err)
		}
		var ids []string
		for _, e := range ents {
			if e.Dir && casefile.CheckID(e.Name) == nil {
				ids = append(ids, e.Name)
			}
		}
		return ids, nil
	}
	src.list = func(id string) ([]string, error) {
		ents, err := ws.store.ListAt(casefile.BeneficiaryDir(id), rev)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, e := range ents {
			if !e.Dir && path.Ext(e.Name) == ".md" {
				out = append(out, casefile.BeneficiaryDir(id)+"/"+e.Name)
			}
		}
		return out, nil
	}
	src.read = func(rel string) ([]byte, error) {
		b, err := ws.store.ReadAt(rel, rev)
		if err == nil {
			err = casefile.CheckSize(len(b))
		}
		return b, err
	}
	return src, nil
}

// load parses and folds one beneficiary's case, writing to ws.warn the
// files it left out.
func (s *caseSource) load(id string) (*casefile.Case, error) {
	c, warns, err := s.loadNoting(id)
	s.warnAll(warns)
	return c, err
}

func (s *caseSource) warnAll(warns []string) {
	if s.ws.warn == nil {
		return
	}
	for _, w := range warns {
		fmt.Fprintf(s.ws.warn, "acc : %s\n", w)
	}
}

// loadNoting is load, returning the warnings instead: a file too large is
// left out, an alias bomb is kept without its frontmatter (the validator
// reports both as errors naming the file); the other files are read.
func (s *caseSource) loadNoting(id string) (*casefile.Case, []string, error) {
	files, err := s.list(id)
	if err != nil {
		return nil, nil, repoErr(err)
	}
	var fiche *casefile.Document
	var docs []*casefile.Document
	var warns []string
	for _, f := range files {
		b, err := s.read(f)
		if errors.Is(err, casefile.ErrNotRegular) {
			continue
		}
		if errors.Is(err, casefile.ErrTooLarge) {
			warns = append(warns, fmt.Sprintf("%s : fichier de plus de 16 Mio ignoré (un compte rendu n'est pas si long) ; acc validate le signale", termtext.Line(f)))
			continue
		}
		if err != nil {
			return nil, nil, repoErr(fmt.Errorf("lecture de %s : %w", f, err))
		}
		d := casefile.Parse(f, b)
		if s.ws.reg != templates.Builtin() {
			d.CanonicalizeWith(s.ws.reg) // the organisation's own choices
		}
		if d.Overflow {
			warns = append(warns, fmt.Sprintf("%s : frontmatter ignoré, trop d'alias YAML ; acc validate le signale", termtext.Line(f)))
		}
		if path.Base(f) == casefile.FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return casefile.NewCase(id, fiche, docs, s.ws.rank), warns, nil
}

// each loads the cases in parallel and hands them to fn in order, from one
// goroutine; at most a few cases are held at once.
func (s *caseSource) each(ids []string, fn func(*casefile.Case)) error {
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		c     *casefile.Case
		warns []string
		err   error
	}
	slots := make([]chan result, len(ids))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, workers*2)
	var wg sync.WaitGroup
	go func() {
		for i, id := range ids {
			sem <- struct{}{}
			wg.Add(1)
			go func(i int, id string) {
				defer wg.Done()
				var c *casefile.Case
				var warns []string
				err := bug.Call(func() (err error) { c, warns, err = s.loadNoting(id); return err })
				slots[i] <- result{c, warns, err}
			}(i, id)
		}
	}()
	var first error
	for i := range ids {
		r := <-slots[i]
		<-sem
		if r.err != nil && first == nil {
			first = r.err
		}
		if first == nil {
			s.warnAll(r.warns)
			fn(r.c)
		}
	}
	wg.Wait()
	return first
}

// writeOutput writes to stdout, or to a file replaced atomically; what
// ("Rapport", "Agenda") names it in the line that says where it went.
func (a *app) writeOutput(file, what string, write func(io.Writer) error) error {
	if file == "" {
		out := a.terminalSafe()
		w := bufio.NewWriter(out)
		if err := write(w); err != nil {
			return repoErr(err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return out.Flush()
	}
	wd, err := a.workDir()
	if err != nil {
		return err
	}
	typed := file
	if !filepath.IsAbs(file) {
		file = filepath.Join(wd, file)
	}
	pf, err := newPendingFile(file)
	if err != nil {
		return usageErr("-o %s : %v", termtext.Arg(typed), err)
	}
	defer pf.abort()
	if err := write(pf.buf); err != nil {
		return repoErr(err)
	}
	if err := pf.commit(); err != nil {
		return repoErr(err)
	}
	a.saidWritten(wd, file, typed, what)
	return nil
}

// saidWritten tells on stderr where an output file went (a device such as
// /dev/stdout is not a file: nothing said), and warns when acc commit
// would take it: a Markdown file in a beneficiary's folder would enter the
// shared history with the case files. Elsewhere in the repository acc
// never commits it.
func (a *app) saidWritten(wd, file, typed, what string) {
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return
	}
	fmt.Fprintf(a.stderr, "%s écrit dans %s\n", what, termtext.Line(typed))
	repo, err := casefile.Open(wd)
	if err != nil {
		return
	}
	rel, err := repo.Rel(file)
	if err != nil {
		return
	}
	if id, base, ok := casefile.SplitCasePath(rel); ok && committableName(base) {
		fmt.Fprintf(a.stderr, "acc : attention, %s est dans le dossier de %s : le prochain « acc commit » l'enregistrerait dans l'historique comme un document du dossier (et acc validate le signale) ; écrivez-le hors de beneficiaires/, par exemple hors du dépôt\n",
			termtext.Line(typed), id)
	}
}

// The caseload and the Qualiopi evidence of the whole caseload keep, per
// beneficiary, what the case gives them (report.CaseloadEntry,
// report.QualiopiRow), with the identity of the case files it was made from
// (validate.FileState: Git blob ids and stat signatures), in one pack file
// per kind of report under .git/acc/cache/report; the caseload also keeps
// the beneficiary's numbers of errors and warnings and the day they were
// counted. A beneficiary whose files are unchanged is then neither read nor
// validated again the same day, and only validated (from the validator's
// own pack, without parsing) on another day. Beneficiaries that changed are
// validated and parsed once: the validator hands their parsed documents over
// (validate.RunOptions.Documents). See report/README.md, "Performance".

// summaryFormat changes with the layout of summaryRecord.
const summaryFormat = 1

// summaryPacksKept is how many packs of one kind are kept (one per set of
// options, such as --anonymize).
const summaryPacksKept = 3

// summaryRecord is what the pack keeps of one beneficiary.
type summaryRecord struct {
	files          []validate.FileState
	item           []byte // the binary CaseloadEntry or QualiopiRow
	day            string // the day errs and warnings were counted; "" when not
	errs, warnings int
}

func (r *summaryRecord) encode() []byte {
	b := []byte{summaryFormat}
	b = binary.AppendUvarint(b, uint64(len(r.files)))
	for _, f := range r.files {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = append(b, f.Sum[:]...)
		b = binary.AppendVarint(b, f.Size)
		b = binary.AppendVarint(b, f.Mtime)
		b = binary.AppendVarint(b, f.Ctime)
		b = binary.AppendUvarint(b, f.Ino)
	}
	b = binary.AppendUvarint(b, uint64(len(r.item)))
	b = append(b, r.item...)
	b = binary.AppendUvarint(b, uint64(len(r.day)))
	b = append(b, r.day...)
	b = binary.AppendUvarint(b, uint64(r.errs))
	return binary.AppendUvarint(b, uint64(r.warnings))
}

// decodeSummaryRecord reads a record; ok is false for anything malformed.
func decodeSummaryRecord(b []byte) (r summaryRecord, ok bool) {
	if len(b) == 0 || b[0] != summaryFormat {
		return r, false
	}
	b = b[1:]
	bad := false
	uvarint := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	varint := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	bytesOf := func() []byte {
		n := uvarint()
		if bad || n > uint64(len(b)) {
			bad = true
			return nil
		}
		v := b[:n:n]
		b = b[n:]
		return v
	}
	n := uvarint()
	if bad || n > uint64(len(b)) {
		return r, false
	}
	r.files = make([]validate.FileState, n)
	for i := range r.files {
		f := &r.files[i]
		f.Name = string(bytesOf())
		if bad || len(b) < len(f.Sum) {
			return r, false
		}
		copy(f.Sum[:], b)
		b = b[len(f.Sum):]
		f.Size, f.Mtime, f.Ctime = varint(), varint(), varint()
		f.Ino = uvarint()
	}
	r.item = bytesOf()
	r.day = string(bytesOf())
	r.errs, r.warnings = int(uvarint()), int(uvarint())
	return r, !bad && len(b) == 0 && r.errs >= 0 && r.warnings >= 0
}

// summaryKind is what differs between the caseload and the Qualiopi
// evidence in summaryReport.
type summaryKind struct {
	name     string
	counts   bool                                 // findings are counted (the caseload)
	make     func(c *casefile.Case) (any, []byte) // the item of a case and its binary form
	decode   func(b []byte) (any, error)          // an item from its binary form
	add      func(item any, errs, warnings int)   // aggregate, in id order
	finalize func() report.Report
}

func newSummaryKind(opt report.Options, qualiopi bool) (*summaryKind, error) {
	if qualiopi {
		b, err := report.NewQualiopi(opt)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		return &summaryKind{
			name: report.KindQualiopi,
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
			add:      func(item any, _, _ int) { b.AddRow(item.(report.QualiopiRow)) },
			finalize: func() report.Report { return b.Report() },
		}, nil
	}
	b, err := report.NewCaseload(opt)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return &summaryKind{
		name:   report.KindCaseload,
		counts: true,
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
		add:      func(item any, errs, warnings int) { b.AddEntry(item.(*report.CaseloadEntry), errs, warnings) },
		finalize: func() report.Report { return b.Report() },
	}, nil
}

// summaryCase is the state of one beneficiary during summaryReport.
type summaryCase struct {
	id             string
	rec            summaryRecord
	known          bool // rec was read from the pack
	item           any  // nil until known
	counted        bool // rec.errs and rec.warnings are today's
	changed        bool // rec must be written back
	fallback       bool // read the old way, not kept
	errs, warnings int
}

// reuse takes the item of the record, whose case files are unchanged
// (files: their current states); false when it cannot be decoded.
func (sc *summaryCase) reuse(kind *summaryKind, files []validate.FileState) bool {
	item, err := kind.decode(sc.rec.item)
	if err != nil {
		return false
	}
	sc.item = item
	sc.changed = !slices.Equal(files, sc.rec.files)
	sc.rec.files = files
	return true
}

// sameContent reports whether two lists of states name the same files with
// the same contents.
func sameContent(a, b []validate.FileState) bool {
	return slices.EqualFunc(a, b, func(x, y validate.FileState) bool { return x.Name == y.Name && x.Sum == y.Sum })
}

// summaryReport builds the caseload (or, with qualiopi, the Qualiopi
// evidence) of the beneficiaries ids, sorted, through the cache.
func (a *app) summaryReport(ws *workspace, opt report.Options, today time.Time, ids []string, qualiopi bool) (report.Report, error) {
	defer relaxReportGC()()
	kind, err := newSummaryKind(opt, qualiopi)
	if err != nil {
		return nil, err
	}
	settings, err := validate.NewSettings(ws.repo.Config, casefile.ConfigFile)
	if err != nil {
		return nil, repoErr(err)
	}
	day := casefile.FormatDate(casefile.Day(today))
	dir := ws.store.CacheDir("report")
	packName := summaryPackName(kind.name, validate.CacheKey(settings, ws.reg), opt)
	pack := validate.OpenPack(filepath.Join(dir, packName))
	defer pack.Close()

	cases := make([]*summaryCase, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		cases[i] = &summaryCase{id: id}
		index[id] = i
	}
	// Which beneficiaries are unchanged: a stat of each file, in parallel.
	// The caseload validates every beneficiary not counted today, and the
	// validator then tells whether the files changed (countFindings).
	parallel(len(cases), 2*runtime.GOMAXPROCS(0), func(i int) {
		sc := cases[i]
		data, written, ok := pack.GetStamped(sc.id)
		if !ok {
			return
		}
		if sc.rec, sc.known = decodeSummaryRecord(data); !sc.known || kind.counts && sc.rec.day != day {
			return
		}
		if files, same := validate.Unchanged(ws.repo.Abs(casefile.BeneficiaryDir(sc.id)), sc.rec.files, written); same {
			sc.counted = sc.reuse(kind, files) && kind.counts
		}
	})

	// The others are parsed once; the caseload also validates them, and the
	// unchanged ones counted on another day.
	keep := func(sc *summaryCase, f *validate.Folder) {
		if f == nil || !f.Complete {
			sc.fallback = true
			return
		}
		var fiche *casefile.Document
		var docs []*casefile.Document
		for _, d := range f.Documents {
			d.Src = nil // the summaries read only the frontmatter and the headings
			if path.Base(d.Path) == casefile.FicheFile {
				fiche = d
			} else {
				docs = append(docs, d)
			}
		}
		sc.item, sc.rec.item = kind.make(casefile.NewCase(sc.id, fiche, docs, ws.rank))
		sc.rec.files, sc.changed = f.Files, true
	}
	if kind.counts {
		if err := a.countFindings(ws, today, kind, cases, index, keep); err != nil {
			return nil, err
		}
	} else {
		parallel(len(cases), runtime.GOMAXPROCS(0), func(i int) {
			if sc := cases[i]; sc.item == nil {
				keep(sc, validate.ReadFolder(ws.repo.Root, sc.id))
			}
		})
	}

	// Anything else (links, unreadable files) is read as it always was, and
	// not kept.
	var again []string
	for _, sc := range cases {
		if sc.item == nil {
			sc.fallback = true
			again = append(again, sc.id)
		}
	}
	if len(again) > 0 {
		i := 0
		err := workTreeCases(ws).each(again, func(c *casefile.Case) {
			for cases[i].id != c.ID {
				i++
			}
			cases[i].item, _ = kind.make(c)
		})
		if err != nil {
			return nil, err
		}
	}

	for _, sc := range cases {
		kind.add(sc.item, sc.errs, sc.warnings)
		switch {
		case sc.fallback:
			pack.Forget(sc.id)
		case sc.changed:
			pack.Put(sc.id, sc.rec.encode())
		}
	}
	pack.Retain(func(id string) bool { _, ok := index[id]; return ok })
	if err := pack.Flush(); err == nil {
		pruneSummaryPacks(dir, kind.name, packName)
	}
	return kind.finalize(), nil
}

// countFindings validates the beneficiaries whose findings were not counted
// today, and parses through the validator those whose item is unknown
// (keep receives their documents). The validator keeps its own pack.
func (a *app) countFindings(ws *workspace, today time.Time, kind *summaryKind, cases []*summaryCase, index map[string]int, keep func(*summaryCase, *validate.Folder)) error {
	var paths []string
	for _, sc := range cases {
		if sc.counted {
			sc.errs, sc.warnings = sc.rec.errs, sc.rec.warnings
		} else {
			paths = append(paths, ws.repo.Abs(casefile.BeneficiaryDir(sc.id)))
		}
	}
	if len(paths) == 0 {
		return nil
	}
	if len(paths) == len(cases) {
		paths = nil // the whole repository: one listing instead of a stat per folder
	}
	vpack := validationPack(ws)
	defer vpack.Close()
	counts := &countSink{by: map[string]*[2]int{}}
	opts := validate.RunOptions{Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config,
		Cache: vpack, Paths: paths,
		WantDocuments: func(f *validate.Folder) bool {
			i, ok := index[f.Name]
			if !ok || !f.Complete {
				return false // not a beneficiary, or read the old way
			}
			sc := cases[i]
			return !(sc.known && sameContent(sc.rec.files, f.Files) && sc.reuse(kind, f.Files))
		},
		Documents: func(f *validate.Folder) { keep(cases[index[f.Name]], f) },
	}
	rep := a.progress()
	defer rep.Clear()
	opts.Progress = checkProgress(rep)
	_, err := validate.Run(a.ctx, opts, counts)
	if errors.Is(err, validate.ErrPath) && opts.Paths != nil {
		// A folder went away since it was listed: the whole repository.
		counts.by, opts.Paths = map[string]*[2]int{}, nil
		_, err = validate.Run(a.ctx, opts, counts)
	}
	rep.Clear()
	if err != nil {
		return err
	}
	for _, sc := range cases {
		if sc.counted {
			continue
		}
		if c := counts.by[sc.id]; c != nil {
			sc.errs, sc.warnings = c[0], c[1]
		}
		sc.rec.day, sc.rec.errs, sc.rec.warnings = casefile.FormatDate(casefile.Day(today)), sc.errs, sc.warnings
		sc.changed = true
	}
	retainBeneficiaries(ws, vpack)
	vpack.Flush()
	return nil
}

// countSink counts the errors and warnings of each beneficiary.
type countSink struct{ by map[string]*[2]int }

func (s *countSink) Document(string) {}
func (s *countSink) Finding(f validate.Finding) {
	if f.Severity != validate.Error && f.Severity != validate.Warning {
		return
	}
	id, _, _ := casefile.SplitCasePath(f.Path)
	c := s.by[id]
	if c == nil {
		c = new([2]int)
		s.by[id] = c
	}
	if f.Severity == validate.Error {
		c[0]++
	} else {
		c[1]++
	}
}

// summaryPackName names the pack of a kind of report made with these
// options: a hash of everything an item depends on besides the case.
func summaryPackName(kind, validation string, opt report.Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "acc-report-cache/%d\x00%s\x00%s\x00%t\x00%d\x00%d\x00%d\x00", summaryFormat, kind, validation,
		opt.Anonymize, opt.MaxGapDays, opt.DraftMaxDays, opt.RetentionMonths)
	h.Write(opt.Salt)
	return kind + "-" + hex.EncodeToString(h.Sum(nil))[:16] + ".pack"
}

// pruneSummaryPacks removes the packs of a kind but the current one and the
// most recent others, summaryPacksKept in all.
func pruneSummaryPacks(dir, kind, current string) {
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
	for _, p := range packs[min(len(packs), summaryPacksKept-1):] {
		os.Remove(filepath.Join(dir, p.name))
	}
}

// relaxReportGC raises the garbage collector's target as validate.Run does
// (parsing makes much short-lived garbage, and at the default target the
// collector keeps the two cores from working in parallel), for the whole
// report, and bounds the heap with a soft limit, since the live heap holds
// the validator's pack (about 8 KB per beneficiary) and would otherwise grow
// fivefold before a collection. GOGC and GOMEMLIMIT set by the user win. It
// returns the function that restores both.
func relaxReportGC() func() {
	restoreGC := func() {}
	if old := debug.SetGCPercent(400); old != 100 {
		debug.SetGCPercent(old)
	} else {
		restoreGC = func() { debug.SetGCPercent(old) }
	}
	restoreLimit := func() {}
	if old := debug.SetMemoryLimit(-1); old == math.MaxInt64 {
		debug.SetMemoryLimit(reportMemoryLimit)
		restoreLimit = func() { debug.SetMemoryLimit(old) }
	}
	return func() { restoreLimit(); restoreGC() }
}

// reportMemoryLimit is the soft limit of the heap during a report: above
// the live heap of 10,000 beneficiaries (150–200 MB), well under what the
// relaxed target would let it reach.
const reportMemoryLimit = 320 << 20

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

// validationPack opens the validator's one-file cache, shared by acc report
// and whole-repository runs of acc validate.
func validationPack(ws *workspace) *validate.PackCache {
	return validate.OpenPack(filepath.Join(ws.store.CacheDir("report"), "validation.pack"))
}

// retainBeneficiaries drops the pack's records of beneficiaries whose folder
// is gone (an erased person leaves nothing behind in the cache either).
func retainBeneficiaries(ws *workspace, pack *validate.PackCache) {
	ents, err := os.ReadDir(ws.repo.Abs(casefile.BeneficiariesDir))
	if err != nil {
		return
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		names[e.Name()] = true
	}
	pack.Retain(func(name string) bool { return names[name] })
}
