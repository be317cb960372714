package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/atomicfile"
	"github.com/acc-formation/acc/internal/casecache"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/progress"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// validateOptions are acc validate's flags and what it needs from outside.
type validateOptions struct {
	deps
	// Fix applies the safe fixes and commits them (app.fixSafely): --fix's
	// first step.
	Fix func(*workspace, validate.RunOptions) error

	Paths        []string // as typed, relative to the working folder
	Format       string
	JSON         bool
	Outputs      []string // FORMAT=FICHIER
	ChangedSince string
	MaxWarnings  int // -1: no limit
	Strict       bool
	NoCache      bool
	FixFirst     bool
}

// ruleList lists the rules for the help, from the one rule table.
func ruleList() string {
	var b strings.Builder
	for _, r := range validate.Rules {
		fmt.Fprintf(&b, "  %-24s %-13s %s\n", r.ID, r.Default.French(), r.Summary)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (a *app) validateCmd() *cobra.Command {
	o := &validateOptions{deps: a.deps(), Fix: a.fixSafely, MaxWarnings: -1}
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
GITHUB_ACTIONS=true), gitlab (Code Quality).

Règles, avec leur sévérité par défaut (acc.yaml, regles:, les règle) :
` + ruleList(),
		Example: `  acc validate
  acc validate beneficiaires/jean-dupont
  acc validate --today 2026-12-01 --strict
  acc validate --format sarif --output junit=rapport.xml > acc.sarif
  acc validate --changed-since origin/main`,
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("max-warnings") && o.MaxWarnings < 0 {
				return usageErr("--max-warnings : nombre positif attendu")
			}
			if c.Flags().Changed("changed-since") && strings.TrimSpace(o.ChangedSince) == "" {
				return usageErr("--changed-since : révision vide (par exemple --changed-since origin/main)")
			}
			if o.ChangedSince != "" && len(args) > 0 {
				return usageErr("--changed-since et des chemins ne se combinent pas : donnez l'un ou l'autre")
			}
			o.Paths = args
			return runValidate(o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.Format, "format", "", "format de sortie : text, json, sarif, junit, github, gitlab")
	f.BoolVar(&o.JSON, "json", false, "raccourci pour --format json")
	f.StringArrayVar(&o.Outputs, "output", nil, "écrire aussi le `FORMAT=FICHIER` (répétable)")
	f.StringVar(&o.ChangedSince, "changed-since", "", "ne vérifier que les documents modifiés depuis la `REVISION` (et les règles de dossier de leurs bénéficiaires)")
	f.IntVar(&o.MaxWarnings, "max-warnings", -1, "échouer au-delà de `N` avertissements")
	f.BoolVar(&o.Strict, "strict", false, "échouer au moindre avertissement (--max-warnings 0)")
	f.BoolVar(&o.NoCache, "sans-cache", false, "ne pas utiliser le cache de .git/acc/cache")
	formats := make([]string, 0, len(validate.Formats()))
	for _, f := range validate.Formats() {
		formats = append(formats, string(f))
	}
	_ = c.RegisterFlagCompletionFunc("format", completeFixed(formats...))
	_ = c.RegisterFlagCompletionFunc("changed-since", cobra.NoFileCompletions)
	f.BoolVar(&o.FixFirst, "fix", false, "appliquer d'abord les corrections sûres (sections et champs obligatoires manquants, titres mal orthographiés) et les enregistrer")
	return c
}

// runValidate checks the documents and writes the findings in every format
// asked for; errFindings when errors remain, or more warnings than allowed.
func runValidate(o *validateOptions) error {
	format, outs, err := o.formats()
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
	opts, typed, err := o.runOptions(ws, today)
	if err != nil {
		return err
	}
	var pack *validate.PackCache
	if !o.NoCache && len(opts.Paths) == 0 && opts.Changed == nil {
		// The one-file pack shared with acc report: on a fresh clone,
		// creating one cache file per beneficiary cost more than reading
		// every document (validate/README.md). A run on a few paths or
		// changes does without: reading their folders costs less than
		// loading the pack (76 MB at 100k documents).
		pack = casecache.ValidationPack(ws.store.CacheDir("report"))
		defer pack.Close()
		opts.Cache = pack
		opts.Known = indexKnown(ws.store)
	}
	if o.FixFirst {
		if err := o.Fix(ws, opts); err != nil {
			return err
		}
	}
	rep := o.Progress()
	opts.Progress = checkProgress(rep)
	sinks, err := o.sinks(ws, format, outs, rep)
	defer sinks.close()
	defer rep.Clear() // before the last of stdout is written
	if err != nil {
		return err
	}
	if pack != nil {
		if listed, done := folderRecorder(ws)(); listed != nil {
			opts.Listed = listed
			defer done()
		}
	}
	_, err = validate.Run(o.Ctx, opts, sinks.all)
	rep.Clear()
	if err != nil {
		var pe *poserr.Error
		if errors.Is(err, validate.ErrPath) && errors.As(err, &pe) && typed[pe.Path] != "" {
			pe.Path = typed[pe.Path]
		}
		return err
	}
	if pack != nil {
		casecache.RetainBeneficiaries(ws.repo, pack)
		pack.Flush()
	}
	if err := sinks.commit(); err != nil {
		return repoErr(err)
	}
	return o.verdict(sinks.counter.Summary, sinks.stdout)
}

// validateOutput is one --output FORMAT=FICHIER.
type validateOutput struct {
	format validate.Format
	file   string
}

// formats reads --format, --json and --output.
func (o *validateOptions) formats() (validate.Format, []validateOutput, error) {
	format := validate.DefaultFormat(o.Getenv)
	switch {
	case o.JSON && o.Format != "" && o.Format != "json":
		return "", nil, usageErr("--json et --format %s se contredisent", termtext.Arg(o.Format))
	case o.JSON:
		format = validate.FormatJSON
	case o.Format != "":
		f, err := validate.ParseFormat(o.Format)
		if err != nil {
			return "", nil, usageErr("--format : %v", err)
		}
		format = f
	}
	var outs []validateOutput
	for _, spec := range o.Outputs {
		f, file, err := validate.ParseOutput(spec)
		if err != nil {
			return "", nil, usageErr("%v", err) // names --output and the spec already
		}
		outs = append(outs, validateOutput{f, file})
	}
	return format, outs, nil
}

// runOptions says what to check: the paths typed (typed maps each absolute
// path back to what the user typed, for messages), or the changes since
// --changed-since, or everything.
func (o *validateOptions) runOptions(ws *workspace, today time.Time) (opts validate.RunOptions, typed map[string]string, err error) {
	opts = validate.RunOptions{Root: ws.repo.Root, Today: today, Registry: ws.reg, Config: ws.repo.Config}
	typed = map[string]string{}
	for _, p := range o.Paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(ws.wd, p)
		}
		typed[abs] = p
		opts.Paths = append(opts.Paths, abs)
	}
	if o.ChangedSince != "" {
		changed, err := ws.store.ChangedSince(o.ChangedSince)
		if err != nil {
			if errors.Is(err, gitstore.ErrUnknownRevision) {
				return opts, nil, usageErr("--changed-since : %v", err)
			}
			return opts, nil, repoErr(err)
		}
		opts.Changed = &validate.ChangeSet{Paths: changed}
	}
	return opts, typed, nil
}

// validateSinks are where the findings go: a counter, stdout in the main
// format, and each --output file (written atomically on commit).
type validateSinks struct {
	counter validate.Counter
	all     validate.Writer
	stdout  *bufio.Writer
	files   []*pendingFile
	cleanup []func()
}

// sinks opens the writers. close must be called even on error.
func (o *validateOptions) sinks(ws *workspace, format validate.Format, outs []validateOutput, rep progress.Reporter) (*validateSinks, error) {
	s := &validateSinks{stdout: bufio.NewWriterSize(o.IO.Out, 64<<10)}
	wopts := validate.Options{GitPrefix: ws.store.Prefix, ToolVersion: version}
	if format == validate.FormatGitHub {
		if p := o.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return s, repoErr(fmt.Errorf("GITHUB_STEP_SUMMARY=%s : impossible d'y écrire (%s)", p, outputErrReason(err)))
			}
			s.cleanup = append(s.cleanup, func() { f.Close() })
			wopts.StepSummary = f
		}
	}
	out := io.Writer(s.stdout)
	if f, ok := o.IO.Out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// The findings may share the terminal with the progress line.
		out = progress.Writer(flushEachLine(s.stdout, format), rep)
	}
	main, err := validate.NewWriter(format, out, wopts)
	if err != nil {
		return s, usageErr("%v", err)
	}
	writers := []validate.Writer{&s.counter, main}
	for _, out := range outs {
		// Like every path on the command line, relative to the folder after -C.
		file := out.file
		if !filepath.IsAbs(file) {
			file = filepath.Join(ws.wd, file)
		}
		pf, err := newPendingFile(file)
		if err != nil {
			return s, usageErr("--output %s : %v", termtext.Arg(out.file), err)
		}
		s.cleanup = append(s.cleanup, pf.abort)
		w, err := validate.NewWriter(out.format, pf.buf, wopts)
		if err != nil {
			return s, usageErr("%v", err)
		}
		writers = append(writers, w)
		s.files = append(s.files, pf)
	}
	s.all = validate.Multi(writers...)
	return s, nil
}

// commit writes the summaries and puts the --output files in place.
func (s *validateSinks) commit() error {
	if err := s.all.Close(s.counter.Summary); err != nil {
		return err
	}
	for _, pf := range s.files {
		if err := pf.commit(); err != nil {
			return err
		}
	}
	return nil
}

// close flushes stdout and drops what commit did not put in place.
func (s *validateSinks) close() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
	s.stdout.Flush()
}

// verdict is the exit of a run that went through: errFindings with errors
// left, or more warnings than --max-warnings (--strict: none) allows.
func (o *validateOptions) verdict(s validate.Summary, stdout *bufio.Writer) error {
	max := o.MaxWarnings
	if o.Strict {
		max = 0
	}
	if s.Errors == 0 && (max < 0 || s.Warnings <= max) {
		return nil
	}
	if s.Errors == 0 {
		stdout.Flush()
		if max == 0 {
			fmt.Fprintf(o.IO.Err, "acc : %s, alors qu'aucun n'est permis (--strict ou --max-warnings 0)\n", warningCount(s.Warnings))
		} else {
			fmt.Fprintf(o.IO.Err, "acc : %s, plus que les %d permis (--max-warnings)\n", warningCount(s.Warnings), max)
		}
	}
	return errFindings
}

// flushEachLine keeps streaming formats streaming on a terminal: findings
// appear as they come, not when the buffer fills. Into a file or a pipe the
// buffer is written whole (a write per line was most of a warm run's system
// time at 100k documents, some 400k lines).
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

// warningCount writes "1 avertissement", "2 avertissements" (0 and 1 are
// singular in French).
func warningCount(n int) string {
	if n <= 1 {
		return fmt.Sprintf("%d avertissement", n)
	}
	return fmt.Sprintf("%d avertissements", n)
}

// pendingFile is an output file (report -o, validate --output), written
// through atomicfile: a reader never sees half a report, and the file is
// readable by its owner only, whatever the mode of the file it replaces (a
// report or a list of findings names beneficiaries). A device or a FIFO
// (/dev/null, /dev/stdout) is written through, never replaced.
type pendingFile struct {
	f   *atomicfile.File
	buf *bufio.Writer
}

// newPendingFile prepares path. Errors are French.
func newPendingFile(path string) (*pendingFile, error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("le dossier %s n'existe pas", dir)
	}
	f, err := atomicfile.Create(path, 0o600)
	if errors.Is(err, atomicfile.ErrIsDir) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("impossible d'écrire dans %s (%s)", dir, outputErrReason(err))
	}
	return &pendingFile{f: f, buf: bufio.NewWriter(f)}, nil
}

// outputErrReason is the French reason of a file-system error, without the path.
func outputErrReason(err error) string {
	switch {
	case errors.Is(err, os.ErrPermission):
		return "permission refusée"
	case errors.Is(err, os.ErrNotExist):
		return "introuvable"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (p *pendingFile) commit() error {
	if err := p.buf.Flush(); err != nil {
		return err
	}
	return p.f.Commit()
}

func (p *pendingFile) abort() { p.f.Abort() }

// checkProgress turns a Reporter into validate's callback: the folders
// checked, the phase acc validate and acc report share.
func checkProgress(rep progress.Reporter) func(done, total int) {
	if rep == progress.Nop {
		return nil
	}
	return func(done, total int) { rep.Report("Vérification", done, total, "dossiers") }
}

// indexKnown vouches for the content of case files by the Git index, for
// the documents the validation cache knows but cannot trust by its own
// stamp (changed shortly before the record was made: a warm run right after
// a clone would otherwise read them all again). The index is read once, on
// the first question; an entry answers only when it is not racy and the
// file still has its stat data (gitstore.CleanIndexLookup), else the file
// is read.
func indexKnown(st *gitstore.Store) func(string, validate.FileState) ([20]byte, bool) {
	lookup := st.CleanIndexLookup(casefile.BeneficiariesDir)
	return func(p string, fs validate.FileState) ([20]byte, bool) {
		return lookup(p, fs.Size, fs.Mtime, fs.Ctime, fs.Ino)
	}
}
