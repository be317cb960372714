package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/progress"
	"github.com/acc-formation/acc/internal/termtext"
)

// app holds what every command needs: streams, environment, clock and the
// global flags. Commands never read os.* or time.Now directly.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	ctx    context.Context

	dir   string // -C
	today string // --today
	quiet bool   // --quiet: no progress line

	// progressDelay, when not zero, replaces the second of work before a
	// progress line shows: set only by the test binary
	// (ACC_TEST_PROGRESS_DELAY in main_test.go). Never set by Main.
	progressDelay time.Duration

	// panicAt makes acc panic at a named place ("commande", "goroutine"):
	// set only by the test binary (ACC_TEST_PANIC in main_test.go), so that
	// the scripts can check how a bug is reported. Never set by Main.
	panicAt string

	// editorErr is the process's own stderr, for the editor acc runs: it
	// draws on the terminal and must reach it untouched.
	editorErr io.Writer
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now, ctx: context.Background()}
}

func (a *app) run(args []string) (code int) {
	// stderr carries messages only: a control character that slipped into
	// one (a file name, a remote's words, a value) is escaped on its way.
	esc := termtext.NewWriter(a.stderr)
	a.editorErr, a.stderr = a.stderr, esc
	defer esc.Flush()
	// A panic is a bug in acc (DESIGN §4): exit 4 with a French message,
	// never a Go stack trace unless ACC_DEBUG=1. Panics in the goroutines
	// acc starts come back here as a *bug.Panic error (package bug).
	defer func() {
		if r := recover(); r != nil {
			p := bug.From(r)
			a.reportBug(p)
			code = exitCode(p)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a.ctx = ctx
	root := a.rootCmd()
	root.SetArgs(args)
	switch a.panicAt {
	case "commande":
		root.PersistentPreRun = func(*cobra.Command, []string) { panic("ACC_TEST_PANIC: commande") }
	case "goroutine":
		root.PersistentPreRunE = func(*cobra.Command, []string) error {
			done := make(chan error, 1)
			go func() { done <- bug.Call(func() error { panic("ACC_TEST_PANIC: goroutine") }) }()
			return <-done
		}
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		name := strings.Trim(strings.Fields(err.Error())[2], `"`)
		var names []string
		for _, c := range root.Commands() {
			names = append(names, c.Name())
		}
		msg := fmt.Sprintf("commande inconnue « %s »", termtext.Arg(name))
		if s := casefile.Suggest(name, names); s != "" {
			msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
		}
		err = usageErr("%s (voir « acc --help »)", msg)
	}
	code = exitCode(err)
	if p := (*bug.Panic)(nil); errors.As(err, &p) {
		a.reportBug(p)
		return code
	}
	if code == exitInterrupted {
		// The wrapped error ends in Go's English "context canceled".
		fmt.Fprintln(a.stderr, "acc : interrompu, rien n'a été perdu")
		return code
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(a.stderr, "acc : %s\n", msg)
	}
	return code
}

// reportBug tells the user that acc has a bug and what to send (exitCode
// gives it exit 4). The panic's value and stack may quote a file name or a
// value, so they are printed only when asked for with ACC_DEBUG=1.
func (a *app) reportBug(p *bug.Panic) {
	fmt.Fprint(a.stderr, `acc : erreur interne — c'est un bogue d'acc, pas une erreur de votre part.
Merci de le signaler aux mainteneurs d'acc en indiquant la version (acc --version)
et la commande lancée, sans noms ni identifiants de personnes. Vérifiez ensuite
le dépôt avec « acc doctor ».
`)
	if a.getenv("ACC_DEBUG") == "1" {
		fmt.Fprintf(a.stderr, "\nTrace technique (ACC_DEBUG=1 ; relisez-la avant de l'envoyer, elle peut citer un nom de fichier) :\n%s", p.Detail())
	} else {
		fmt.Fprintln(a.stderr, "Pour joindre la trace technique, relancez la commande avec ACC_DEBUG=1.")
	}
}

// workDir returns the directory commands run in: -C applied to the process's
// working directory.
func (a *app) workDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", repoErr(fmt.Errorf("dossier courant illisible : %w", err))
	}
	if a.dir == "" {
		return wd, nil
	}
	d := a.dir
	if !filepath.IsAbs(d) {
		d = filepath.Join(wd, d)
	}
	fi, err := os.Stat(d)
	if err != nil || !fi.IsDir() {
		return "", usageErr("-C %s : dossier introuvable", termtext.Arg(a.dir))
	}
	return d, nil
}

// todayDate returns --today, else ACC_TODAY, else the clock's date.
func (a *app) todayDate() (time.Time, error) {
	s, from := a.today, "--today"
	if s == "" {
		s, from = a.getenv("ACC_TODAY"), "ACC_TODAY"
	}
	if s == "" {
		return casefile.Day(a.now()), nil
	}
	t, err := casefile.ParseUserDate(s)
	if err != nil {
		return time.Time{}, usageErr("%s : %v", from, err)
	}
	return t, nil
}

// interactive reports whether we may ask the user questions.
func (a *app) interactive() bool {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	o, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(o.Fd()))
}

// progress returns where long work reports its progress: a line on
// stderr when stderr is a terminal, nothing in a pipe, in CI (CI set, as
// every CI service does) or with --quiet. The line goes to the raw stderr:
// its carriage returns would be escaped by a.stderr, and it holds counts
// and phases only, never untrusted text.
func (a *app) progress() progress.Reporter {
	if a.quiet || a.getenv("CI") != "" {
		return progress.Nop
	}
	f, ok := a.editorErr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return progress.Nop
	}
	t := progress.NewTerminal(f, a.now)
	if a.progressDelay > 0 {
		t.Delay = a.progressDelay
	}
	return t
}

// relPath returns p (absolute) relative to the working directory after -C,
// as Git prints paths, for display: escaped (termtext.Line), since a file
// name may hold any character.
func (a *app) relPath(p string) string {
	wd, err := a.workDir()
	if err != nil {
		return termtext.Line(p)
	}
	if r, err := filepath.EvalSymlinks(wd); err == nil {
		wd = r
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil {
		return termtext.Line(p)
	}
	return termtext.Line(rel)
}

const usageTemplate = `Utilisation :{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [commande]{{end}}{{if gt (len .Aliases) 0}}

Alias :
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Exemples :
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commandes :{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Options :
{{frenchFlags .LocalFlags}}{{end}}{{if .HasAvailableInheritedFlags}}

Options globales :
{{frenchFlags .InheritedFlags}}{{end}}{{if .HasAvailableSubCommands}}

« {{.CommandPath}} [commande] --help » pour l'aide d'une commande.{{end}}
`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "acc",
		Short: "Dossiers d'accompagnement versionnés dans Git",
		Long: `acc tient les dossiers d'accompagnement des bénéficiaires d'une formation :
un dossier par personne, un fichier Markdown par entretien, chaque modification
enregistrée dans Git. acc crée les documents à partir de modèles, les vérifie
(acc validate) et produit des rapports (acc report).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetUsageTemplate(usageTemplate)
	root.SetHelpTemplate(`{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%s (voir « %s --help »)", frenchFlagError(err), c.CommandPath())
	})
	root.PersistentFlags().StringVarP(&a.dir, "directory", "C", "", "travailler dans `DOSSIER` comme si acc y avait été lancé")
	root.PersistentFlags().StringVar(&a.today, "today", "", "date du jour `JJ/MM/AAAA` (ou AAAA-MM-JJ) pour les règles liées au temps (ou ACC_TODAY)")
	root.PersistentFlags().BoolP("help", "h", false, "afficher l'aide")
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "ne pas afficher la progression des opérations longues")
	root.CompletionOptions.DisableDefaultCmd = true // acc completion is ours, in French
	root.SetHelpCommand(&cobra.Command{Use: "help [commande]", Short: "Aide d'une commande", Hidden: true, DisableFlagsInUseLine: true,
		Run: func(c *cobra.Command, args []string) {
			cmd, _, err := c.Root().Find(args)
			if cmd == nil || err != nil {
				cmd = c.Root()
			}
			_ = cmd.Help()
		}})
	root.AddCommand(
		a.initCmd(),
		a.syncCmd(),
		a.cloneCmd(),
		a.newCmd(),
		a.typesCmd(),
		a.editCmd(),
		a.commitCmd(),
		a.validateCmd(),
		a.reportCmd(),
		a.statusCmd(),
		a.agendaCmd(),
		a.listCmd(),
		a.logCmd(),
		a.showCmd(),
		a.completionCmd(),
		a.purgeCmd(),
		a.doctorCmd(),
		a.hookCmd(),
		a.rmCmd(),
		a.mvCmd(),
		a.importCmd(),
		a.lspCmd(),
	)
	root.Version = version
	root.SetVersionTemplate("acc {{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "afficher la version d'acc")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// Usage lines list their options in French below; cobra's "[flags]" would be English.
		c.DisableFlagsInUseLine = true
		for _, sub := range c.Commands() {
			if sub.Flags().Lookup("help") == nil {
				sub.Flags().BoolP("help", "h", false, "afficher l'aide")
			}
			sub.Args = wrapArgs(sub.Args)
			walk(sub)
		}
	}
	walk(root)
	return root
}

// wrapArgs turns cobra's English argument errors into French usage errors.
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		return nil
	}
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return usageErr("arguments incorrects pour « %s » : %s (voir « %s --help »)", c.CommandPath(), frenchArgsError(err), c.CommandPath())
		}
		return nil
	}
}

func frenchArgsError(err error) string {
	s := err.Error()
	switch {
	case strings.HasPrefix(s, "accepts at most"), strings.HasPrefix(s, "accepts between"), strings.HasPrefix(s, "accepts "):
		return "trop d'arguments ou pas assez"
	case strings.HasPrefix(s, "requires at least"):
		return "argument manquant"
	case strings.HasPrefix(s, "unknown command"):
		if f := strings.Fields(s); len(f) > 2 {
			return "argument en trop « " + strings.Trim(f[2], `"`) + " »"
		}
		return "argument en trop"
	}
	return s
}

func frenchFlagError(err error) string {
	// The value typed is echoed escaped and cut (termtext.Arg): it may be
	// anything, of any length. The parser's reason would repeat it.
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) {
		msg := fmt.Sprintf("valeur incorrecte « %s » pour l'option --%s", termtext.Arg(ive.GetValue()), ive.GetFlag().Name)
		var ne *strconv.NumError
		if cause := errors.Unwrap(ive); cause != nil && !errors.As(cause, &ne) {
			msg += " : " + termtext.Line(cause.Error()) // acc's own French reason
		}
		return msg
	}
	var vre *pflag.ValueRequiredError
	if errors.As(err, &vre) {
		// pflag says "'b' in -b"; the trainer typed -b or --beneficiaire.
		if vre.GetSpecifiedShortnames() != "" {
			return "valeur manquante pour l'option -" + vre.GetSpecifiedName()
		}
		return "valeur manquante pour l'option --" + vre.GetSpecifiedName()
	}
	s := err.Error()
	switch {
	case strings.HasPrefix(s, "unknown flag: "):
		return "option inconnue " + termtext.Arg(strings.TrimPrefix(s, "unknown flag: "))
	case strings.HasPrefix(s, "unknown shorthand flag: "):
		return "option inconnue " + termtext.Arg(strings.TrimPrefix(s, "unknown shorthand flag: "))
	case strings.HasPrefix(s, "flag needs an argument: "):
		return "valeur manquante pour l'option " + strings.TrimPrefix(s, "flag needs an argument: ")
	case strings.HasPrefix(s, "invalid argument "):
		return "valeur incorrecte : " + strings.TrimPrefix(s, "invalid argument ")
	}
	return termtext.Line(s)
}

// errIs is errors.Is, kept short for the commands.
var errIs = errors.Is

// version is acc's version, set at build time with
// -ldflags "-X main.version=...".
var version = "dev"
