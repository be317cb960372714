package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/report"
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
dossier. --synthese retire l'annexe.

--qualiopi : les preuves par indicateur Qualiopi (4, 5, 8, 10, 11, 12, 30) et
ce qui manque, pour chaque bénéficiaire.

--anonymize : pseudonymes stables au lieu des noms, aucun texte libre, effectifs
inférieurs à 5 masqués, pour un rapport qui quitte l'organisation.

--at DATE : le rapport tel que les dossiers étaient à cette date (historique Git).`,
		Example: `  acc report
  acc report elodie-n-guessan --format html -o elodie.html
  acc report --qualiopi --format html -o audit.html
  acc report --anonymize --format json
  acc report jean-dupont --at 2026-06-30`,
		RunE: func(c *cobra.Command, args []string) error {
			if o.json && c.Flags().Changed("format") && o.format != "json" {
				return usageErr("--json et --format %s se contredisent", o.format)
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
	f.StringVar(&o.at, "at", "", "les dossiers tels qu'ils étaient à cette `DATE` (AAAA-MM-JJ) ou révision Git")
	c.ValidArgsFunction = a.completeIDs
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
	opt.ApplyConfig(ws.repo.Config)
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
	for _, id := range ids {
		if err := casefile.CheckID(id); err != nil || !contains(all, id) {
			msg := fmt.Sprintf("bénéficiaire « %s » inconnu", id)
			if o.at != "" {
				msg += fmt.Sprintf(" à la date --at %s", o.at)
			}
			if s := casefile.Suggest(id, all); s != "" {
				msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
			}
			return usageErr("%s", msg)
		}
	}
	selected := all
	if len(ids) > 0 {
		selected = ids
	}
	// Validation findings, by beneficiary, for the files as they are now.
	var findings map[string][]validate.Finding
	if o.at == "" {
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
		if err := src.each(selected, func(c *casefile.Case) { b.Add(c, findings[c.ID]) }); err != nil {
			return err
		}
		model = b.Report()
	case len(ids) == 0:
		b, err := report.NewCaseload(opt)
		if err != nil {
			return usageErr("%v", err)
		}
		if err := src.each(selected, func(c *casefile.Case) { b.Add(c, findingsOrEmpty(findings, c.ID, o.at)) }); err != nil {
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
	return a.writeOutput(o.output, func(w io.Writer) error { return report.Write(w, format, model) })
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
	opts := validate.RunOptions{Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config,
		Cache: validate.DirCache{Dir: ws.store.CacheDir("validate")}}
	for _, id := range ids {
		opts.Paths = append(opts.Paths, ws.repo.Abs(casefile.BeneficiaryDir(id)))
	}
	sink := &groupSink{by: map[string][]validate.Finding{}}
	if _, err := validate.Run(a.ctx, opts, sink); err != nil {
		return nil, validateErr(err)
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

func (a *app) caseSource(ws *workspace, at string, opt *report.Options) (*caseSource, error) {
	src := &caseSource{ws: ws}
	if at == "" {
		src.ids = func() ([]string, error) {
			ids, err := ws.repo.Beneficiaries()
			if err != nil {
				return nil, repoErr(err)
			}
			return ids, nil
		}
		src.list = ws.repo.CaseFiles
		src.read = func(rel string) ([]byte, error) { return os.ReadFile(ws.repo.Abs(rel)) }
		return src, nil
	}
	rev := at
	if d, err := casefile.ParseDate(at); err == nil {
		local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
		h, err := ws.store.CommitAt(local)
		if err != nil {
			return nil, usageErr("--at %s : %v", at, err)
		}
		rev = h.String()
		opt.AsOf = d
	} else if len(at) == 10 && at[4] == '-' {
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
	src.read = func(rel string) ([]byte, error) { return ws.store.ReadAt(rel, rev) }
	return src, nil
}

// load parses and folds one beneficiary's case.
func (s *caseSource) load(id string) (*casefile.Case, error) {
	files, err := s.list(id)
	if err != nil {
		return nil, repoErr(err)
	}
	var fiche *casefile.Document
	var docs []*casefile.Document
	for _, f := range files {
		b, err := s.read(f)
		if err != nil {
			return nil, repoErr(fmt.Errorf("lecture de %s : %w", f, err))
		}
		d := casefile.Parse(f, b)
		if path.Base(f) == casefile.FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return casefile.NewCase(id, fiche, docs, s.ws.rank), nil
}

// each loads the cases in parallel and hands them to fn in order, from one
// goroutine; at most a few cases are held at once.
func (s *caseSource) each(ids []string, fn func(*casefile.Case)) error {
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		c   *casefile.Case
		err error
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
				c, err := s.load(id)
				slots[i] <- result{c, err}
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
			fn(r.c)
		}
	}
	wg.Wait()
	return first
}

// writeOutput writes to stdout, or to a file replaced atomically.
func (a *app) writeOutput(file string, write func(io.Writer) error) error {
	if file == "" {
		w := bufio.NewWriter(a.stdout)
		if err := write(w); err != nil {
			return repoErr(err)
		}
		return w.Flush()
	}
	wd, err := a.workDir()
	if err != nil {
		return err
	}
	typed := file
	if !filepath.IsAbs(file) {
		file = filepath.Join(wd, file)
	}
	// A report holds personal data: readable by its owner only, as the case
	// files are.
	pf, err := newPendingFile(file, 0o600)
	if err != nil {
		return usageErr("-o %s : %v", typed, err)
	}
	defer pf.abort()
	if err := write(pf.buf); err != nil {
		return repoErr(err)
	}
	if err := pf.commit(); err != nil {
		return repoErr(err)
	}
	return nil
}
