package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/casecache"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/report"
	"github.com/acc-formation/acc/validate"
)

// reportOptions are acc report's arguments and flags and what it needs
// from outside.
type reportOptions struct {
	deps
	IDs       []string // as typed: ids, their starts or names
	Format    string
	JSON      bool
	Output    string
	Anonymize bool
	Qualiopi  bool
	Summary   bool
	At        string
	// The scope of the caseload and the Qualiopi evidence.
	From, To, Dispositif, Formateur string
}

func (a *app) reportCmd() *cobra.Command {
	o := &reportOptions{deps: a.deps()}
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
			if o.JSON && c.Flags().Changed("format") && o.Format != "json" {
				return usageErr("--json et --format %s se contredisent", termtext.Arg(o.Format))
			}
			o.IDs = args
			return runReport(o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.Format, "format", "md", "format : md, html ou json")
	f.BoolVar(&o.JSON, "json", false, "raccourci pour --format json")
	f.StringVarP(&o.Output, "output", "o", "", "écrire dans `FICHIER` (remplacé d'un coup, jamais à moitié écrit)")
	f.BoolVar(&o.Anonymize, "anonymize", false, "pseudonymes, aucun texte libre, petits effectifs masqués")
	f.BoolVar(&o.Qualiopi, "qualiopi", false, "preuves par indicateur Qualiopi")
	f.BoolVar(&o.Summary, "synthese", false, "sans l'annexe du texte intégral des documents")
	f.StringVar(&o.At, "at", "", "les dossiers tels qu'ils étaient à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ) ou révision Git")
	f.StringVar(&o.From, "du", "", "file active ou Qualiopi : personnes accompagnées à partir de cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.StringVar(&o.To, "au", "", "file active ou Qualiopi : personnes accompagnées jusqu'à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.StringVar(&o.Dispositif, "dispositif", "", "file active ou Qualiopi : ce `DISPOSITIF` seulement")
	f.StringVar(&o.Formateur, "formateur", "", "file active ou Qualiopi : les bénéficiaires de ce référent (`NOM`, ou une partie)")
	c.ValidArgsFunction = a.completeIDs
	_ = c.RegisterFlagCompletionFunc("format", completeFixed(string(report.Markdown), string(report.HTML), string(report.JSON)))
	return c
}

// runReport writes the report of the caseload, of the Qualiopi evidence or
// of the beneficiaries named, as of today or as the files stood --at a date.
func runReport(o *reportOptions) error {
	format, err := o.format()
	if err != nil {
		return err
	}
	today, err := o.Today()
	if err != nil {
		return err
	}
	ws, err := o.Open()
	if err != nil {
		return err
	}
	opt, err := o.settings(ws, today)
	if err != nil {
		return err
	}
	src, err := caseSource(ws, o.At, &opt)
	if err != nil {
		return err
	}
	all, err := src.Beneficiaries()
	if err != nil {
		return repoErr(err)
	}
	ids, err := o.resolveIDs(ws, all)
	if err != nil {
		return err
	}
	var model report.Report
	if o.At == "" && len(ids) == 0 {
		// The caseload and the Qualiopi evidence of the whole caseload: from
		// the cache of what each case gives them.
		if model, err = o.caseCache(ws, today).Report(opt, all, o.Qualiopi); err != nil {
			return cacheErr(err)
		}
	} else if model, err = o.loadedReport(ws, ws.loader(src), today, opt, all, ids); err != nil {
		return err
	}
	return o.writeOutput(o.Output, "Rapport", func(w io.Writer) error { return report.Write(w, format, model) })
}

// format reads --format and --json.
func (o *reportOptions) format() (report.Format, error) {
	name := o.Format
	if o.JSON {
		name = "json"
	}
	format, err := report.ParseFormat(name)
	if err != nil {
		return "", usageErr("--format : %v", err)
	}
	return format, nil
}

// settings are the report's options: the date, the scope, acc.yaml's
// thresholds, the types, and the pseudonyms' salt (the root commit: the
// same in every clone) with --anonymize.
func (o *reportOptions) settings(ws *workspace, today time.Time) (report.Options, error) {
	opt := report.Options{Today: today, Anonymize: o.Anonymize, SummaryOnly: o.Summary}
	var err error
	if opt.Scope, err = reportScope(o, len(o.IDs) > 0); err != nil {
		return opt, err
	}
	opt.ApplyConfig(ws.repo.Config)
	opt.Registry = ws.reg
	if o.Anonymize {
		root, err := ws.store.RootCommit()
		if err != nil {
			return opt, repoErr(err)
		}
		opt.Salt = append([]byte("acc-pseudonymes\x00"), root[:]...)
	}
	return opt, nil
}

// resolveIDs reads what was typed for each beneficiary (an id, its start,
// a name) against the ids of the source.
func (o *reportOptions) resolveIDs(ws *workspace, all []string) ([]string, error) {
	ids := append([]string(nil), o.IDs...)
	for i, id := range ids {
		if contains(all, id) {
			continue
		}
		var err error
		if ids[i], err = o.Resolve(ws, id, append([]string{}, all...), "", o.At); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// loadedReport builds the report from the cases loaded one by one: the
// beneficiaries named (all when ids is empty), with --at from the history.
func (o *reportOptions) loadedReport(ws *workspace, load *casefile.Loader, today time.Time, opt report.Options, all, ids []string) (report.Report, error) {
	selected := all
	if len(ids) > 0 {
		selected = ids
	}
	// Validation findings, by beneficiary, for the files as they are now
	// (the Qualiopi evidence reads the documents, not the findings).
	var findings map[string][]validate.Finding
	if o.At == "" && !o.Qualiopi {
		var err error
		if findings, err = o.findingsByBeneficiary(ws, today, ids); err != nil {
			return nil, err
		}
	}
	switch {
	case o.Qualiopi:
		b, err := report.NewQualiopi(opt)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if err := load.Each(selected, func(c *casefile.Case) { b.Add(c, nil) }); err != nil {
			return nil, repoErr(err)
		}
		return b.Report(), nil
	case len(ids) == 0:
		b, err := report.NewCaseload(opt)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if err := load.Each(selected, func(c *casefile.Case) { b.Add(c, nil) }); err != nil {
			return nil, repoErr(err)
		}
		return b.Report(), nil
	}
	return beneficiariesReport(load, selected, findings, opt, o.At)
}

// beneficiariesReport is the report of the beneficiaries named: one, or a
// bundle of several.
func beneficiariesReport(load *casefile.Loader, selected []string, findings map[string][]validate.Finding, opt report.Options, at string) (report.Report, error) {
	var bs []*report.Beneficiary
	var berr error
	if err := load.Each(selected, func(c *casefile.Case) {
		b, err := report.BuildBeneficiary(c, findingsOrEmpty(findings, c.ID, at), opt)
		if err != nil && berr == nil {
			berr = err
		}
		bs = append(bs, b)
	}); err != nil {
		return nil, repoErr(err)
	}
	if berr != nil {
		return nil, usageErr("%v", berr)
	}
	if len(bs) == 1 {
		return bs[0], nil
	}
	model, err := report.NewBundle(opt, bs)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return model, nil
}

// reportScope checks the scope options: they restrict the caseload and the
// Qualiopi evidence, not the report of named beneficiaries.
func reportScope(o *reportOptions, named bool) (report.Scope, error) {
	var sc report.Scope
	var err error
	if sc.From, err = optionalDate("--du", o.From); err != nil {
		return sc, err
	}
	if sc.To, err = optionalDate("--au", o.To); err != nil {
		return sc, err
	}
	if !sc.From.IsZero() && !sc.To.IsZero() && sc.To.Before(sc.From) {
		return sc, usageErr("--du %s est après --au %s", o.From, o.To)
	}
	sc.Dispositif, sc.Formateur = strings.TrimSpace(o.Dispositif), strings.TrimSpace(o.Formateur)
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
func (d deps) findingsByBeneficiary(ws *workspace, today time.Time, ids []string) (map[string][]validate.Finding, error) {
	by, err := d.caseCache(ws, today).Findings(ids)
	return by, cacheErr(err)
}

// caseCache is the cache of what each case gives the whole-caseload
// answers, as of today, with the progress of its validations.
func (d deps) caseCache(ws *workspace, today time.Time) *casecache.Cache {
	rep := d.Progress()
	return &casecache.Cache{Repo: ws.repo, Types: ws.reg, Dir: ws.store.CacheDir("report"), Today: today, Ctx: d.Ctx,
		Progress: checkProgress(rep), ProgressDone: rep.Clear, Warn: ws.warnf, Folders: folderRecorder(ws)}
}

// folderRecorder offers a validation of the whole repository the store's
// folder recorder, when the copy has no folder cache yet.
func folderRecorder(ws *workspace) func() (func(string, int64, int64, uint64, []fs.DirEntry), func()) {
	return func() (func(string, int64, int64, uint64, []fs.DirEntry), func()) {
		if rec := ws.store.NewFolderRecorder(); rec != nil {
			return rec.Listed, rec.Save
		}
		return nil, nil
	}
}

// cacheErr maps the errors of the cache: options a report refuses are bad
// input; the validator's (a path it cannot check, a broken acc.yaml) and
// the others exitCode maps.
func cacheErr(err error) error {
	var oe *casecache.OptionsError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &oe):
		return usageErr("%v", oe.Err)
	}
	return err // exitCode maps the validator's and the loader's errors
}

// caseSource returns the case files of the work tree, or as they stood at
// a date or revision (--at), which it records in opt.AsOf.
func caseSource(ws *workspace, at string, opt *report.Options) (casefile.Source, error) {
	if at == "" {
		return ws.repo, nil
	}
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
	src, err := ws.store.Revision(rev)
	if errors.Is(err, gitstore.ErrUnknownRevision) {
		return nil, usageErr("--at : %v", err)
	}
	if err != nil {
		return nil, repoErr(err)
	}
	return src, nil
}

// writeOutput writes to stdout, or to a file replaced atomically; what
// ("Rapport", "Agenda") names it in the line that says where it went.
func (d deps) writeOutput(file, what string, write func(io.Writer) error) error {
	if file == "" {
		out := d.IO.terminalSafe()
		w := bufio.NewWriter(out)
		if err := write(w); err != nil {
			return repoErr(err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return out.Flush()
	}
	wd, err := d.WorkDir()
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
	d.saidWritten(wd, file, typed, what)
	return nil
}

// saidWritten tells on stderr where an output file went (a device such as
// /dev/stdout is not a file: nothing said), and warns when acc commit
// would take it: a Markdown file in a beneficiary's folder would enter the
// shared history with the case files. Elsewhere in the repository acc
// never commits it.
func (d deps) saidWritten(wd, file, typed, what string) {
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return
	}
	fmt.Fprintf(d.IO.Err, "%s écrit dans %s\n", what, termtext.Line(typed))
	repo, err := casefile.Open(wd)
	if err != nil {
		return
	}
	rel, err := repo.Rel(file)
	if err != nil {
		return
	}
	if id, base, ok := casefile.SplitCasePath(rel); ok && committableName(base) {
		fmt.Fprintf(d.IO.Err, "acc : attention, %s est dans le dossier de %s : le prochain « acc commit » l'enregistrerait dans l'historique comme un document du dossier (et acc validate le signale) ; écrivez-le hors de beneficiaires/, par exemple hors du dépôt\n",
			termtext.Line(typed), id)
	}
}
