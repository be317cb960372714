package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/validate"
)

type validateOptions struct {
	format       string
	json         bool
	outputs      []string
	changedSince string
	maxWarnings  int
	strict       bool
	noCache      bool
}

func (a *app) validateCmd() *cobra.Command {
	o := validateOptions{maxWarnings: -1}
	c := &cobra.Command{
		Use:   "validate [CHEMIN...]",
		Short: "Vérifier les dossiers : sections, objectifs SMART, rythme, données interdites",
		Long: `Vérifie les documents (tout le dépôt, ou les fichiers et dossiers donnés) selon
les règles d'acc : champs et sections obligatoires, objectifs SMART, ordre des
phases, rythme des entretiens, clôture par un bilan, données interdites…

Chaque constat indique le fichier, la ligne, la colonne, la règle et ce qu'il
faut faire. Code de sortie : 0 sans erreur, 1 s'il reste des erreurs (ou trop
d'avertissements avec --max-warnings ou --strict), 2 pour une commande
incorrecte, 3 pour un problème de dépôt.

Formats : text (par défaut), json, sarif, junit, github (par défaut quand
GITHUB_ACTIONS=true), gitlab (Code Quality).`,
		Example: `  acc validate
  acc validate beneficiaires/jean-dupont
  acc validate --today 2026-12-01 --strict
  acc validate --format sarif --output junit=rapport.xml > acc.sarif
  acc validate --changed-since origin/main`,
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("max-warnings") && o.maxWarnings < 0 {
				return usageErr("--max-warnings : nombre positif attendu")
			}
			return a.runValidate(args, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.format, "format", "", "format de sortie : text, json, sarif, junit, github, gitlab")
	f.BoolVar(&o.json, "json", false, "raccourci pour --format json")
	f.StringArrayVar(&o.outputs, "output", nil, "écrire aussi le `FORMAT=FICHIER` (répétable)")
	f.StringVar(&o.changedSince, "changed-since", "", "ne vérifier que les documents modifiés depuis la `REVISION` (et les règles de dossier de leurs bénéficiaires)")
	f.IntVar(&o.maxWarnings, "max-warnings", -1, "échouer au-delà de `N` avertissements")
	f.BoolVar(&o.strict, "strict", false, "échouer au moindre avertissement (--max-warnings 0)")
	f.BoolVar(&o.noCache, "sans-cache", false, "ne pas utiliser le cache de .git/acc/cache")
	return c
}

func (a *app) runValidate(args []string, o validateOptions) error {
	format := validate.DefaultFormat(a.getenv)
	switch {
	case o.json && o.format != "" && o.format != "json":
		return usageErr("--json et --format %s se contredisent", o.format)
	case o.json:
		format = validate.FormatJSON
	case o.format != "":
		f, err := validate.ParseFormat(o.format)
		if err != nil {
			return usageErr("--format : %v", err)
		}
		format = f
	}
	type output struct {
		format validate.Format
		file   string
	}
	var outs []output
	for _, spec := range o.outputs {
		f, file, err := validate.ParseOutput(spec)
		if err != nil {
			return usageErr("--output : %v", err)
		}
		outs = append(outs, output{f, file})
	}
	today, err := a.todayDate()
	if err != nil {
		return err
	}
	ws, err := a.open()
	if err != nil {
		return err
	}
	opts := validate.RunOptions{Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config}
	for _, p := range args {
		if !filepath.IsAbs(p) {
			p = filepath.Join(ws.wd, p)
		}
		opts.Paths = append(opts.Paths, p)
	}
	if o.changedSince != "" {
		changed, err := ws.store.ChangedSince(o.changedSince)
		if err != nil {
			if errors.Is(err, gitstore.ErrUnknownRevision) {
				return usageErr("--changed-since : %v", err)
			}
			return repoErr(err)
		}
		opts.Changed = &validate.ChangeSet{Paths: changed}
	}
	if !o.noCache {
		opts.Cache = validate.DirCache{Dir: ws.store.CacheDir("validate")}
	}
	wopts := validate.Options{GitPrefix: ws.store.Prefix, ToolVersion: version}
	if format == validate.FormatGitHub {
		if p := a.getenv("GITHUB_STEP_SUMMARY"); p != "" {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return repoErr(fmt.Errorf("GITHUB_STEP_SUMMARY : %w", err))
			}
			defer f.Close()
			wopts.StepSummary = f
		}
	}
	stdout := bufio.NewWriter(a.stdout)
	defer stdout.Flush()
	main, err := validate.NewWriter(format, flushEachLine(stdout, format), wopts)
	if err != nil {
		return usageErr("%v", err)
	}
	var counter validate.Counter
	writers := []validate.Writer{&counter, main}
	var files []*pendingFile
	for _, out := range outs {
		pf, err := newPendingFile(out.file)
		if err != nil {
			return usageErr("--output %s : %v", out.file, err)
		}
		defer pf.abort()
		w, err := validate.NewWriter(out.format, pf.buf, wopts)
		if err != nil {
			return usageErr("%v", err)
		}
		writers = append(writers, w)
		files = append(files, pf)
	}
	all := validate.Multi(writers...)
	if _, err := validate.Run(a.ctx, opts, all); err != nil {
		return validateErr(err)
	}
	if err := all.Close(counter.Summary); err != nil {
		return repoErr(err)
	}
	for _, pf := range files {
		if err := pf.commit(); err != nil {
			return repoErr(err)
		}
	}
	max := o.maxWarnings
	if o.strict {
		max = 0
	}
	s := counter.Summary
	if s.Errors > 0 || (max >= 0 && s.Warnings > max) {
		if s.Errors == 0 {
			stdout.Flush()
			fmt.Fprintf(a.stderr, "acc : %d avertissements, plus que les %d permis\n", s.Warnings, max)
		}
		return errFindings
	}
	return nil
}

// flushEachLine keeps streaming formats streaming: findings appear as they
// come, not when the buffer fills.
func flushEachLine(w *bufio.Writer, f validate.Format) io.Writer {
	if f == validate.FormatText || f == validate.FormatGitHub {
		return lineFlusher{w}
	}
	return w
}

type lineFlusher struct{ w *bufio.Writer }

func (l lineFlusher) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if err == nil && strings.HasSuffix(string(p), "\n") {
		err = l.w.Flush()
	}
	return n, err
}

// pendingFile is an --output file written to a temporary file and renamed
// into place once complete.
type pendingFile struct {
	path string
	tmp  *os.File
	buf  *bufio.Writer
}

func newPendingFile(path string) (*pendingFile, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	return &pendingFile{path: path, tmp: tmp, buf: bufio.NewWriter(tmp)}, nil
}

func (p *pendingFile) commit() error {
	if err := p.buf.Flush(); err != nil {
		return err
	}
	if err := p.tmp.Sync(); err != nil {
		return err
	}
	if err := p.tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(p.tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(p.tmp.Name(), p.path); err != nil {
		return err
	}
	p.tmp = nil
	return nil
}

func (p *pendingFile) abort() {
	if p.tmp != nil {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
	}
}
