package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
)

var completionShells = []string{"bash", "zsh", "fish"}

// completionOptions are acc completion's argument and what it needs from
// outside: the streams, and the command tree it describes.
type completionOptions struct {
	deps
	Root  *cobra.Command
	Shell string // "" when none was given
}

func (a *app) completionCmd() *cobra.Command {
	o := &completionOptions{deps: a.deps()}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Complétion des commandes dans votre shell (types, identifiants des bénéficiaires)",
		Long: `Écrit le script de complétion pour bash, zsh ou fish : la touche Tab complète
alors les commandes, les options, les types de documents (acc new <Tab>) et
les identifiants des bénéficiaires (acc new entretien-suivi -b <Tab>,
acc report <Tab>, acc log <Tab>).

Installation, une fois pour toutes (puis ouvrez un nouveau terminal) :

bash (avec le paquet bash-completion) :
  acc completion bash > ~/.local/share/bash-completion/completions/acc
bash sans le paquet bash-completion (rien d'autre à installer) :
  echo 'source <(acc completion bash)' >> ~/.bashrc

zsh :
  mkdir -p ~/.zfunc
  acc completion zsh > ~/.zfunc/_acc
  et dans ~/.zshrc, avant « compinit » :  fpath=(~/.zfunc $fpath)
  (si la complétion n'est pas encore activée, ajoutez aussi :
   autoload -U compinit; compinit)

fish :
  acc completion fish > ~/.config/fish/completions/acc.fish

Pour essayer sans rien installer : source <(acc completion bash) (ou zsh).`,
		Example:           "  acc completion bash > ~/.local/share/bash-completion/completions/acc",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: cobra.FixedCompletions(completionShells, cobra.ShellCompDirectiveNoFileComp),
		RunE: func(c *cobra.Command, args []string) error {
			o.Root, o.Shell = c.Root(), ""
			if len(args) > 0 {
				o.Shell = args[0]
			}
			return runCompletion(o)
		},
	}
}

// runCompletion writes the completion script of the shell named.
func runCompletion(o *completionOptions) error {
	switch o.Shell {
	case "":
		return usageErr("shell manquant : acc completion bash, acc completion zsh ou acc completion fish")
	case "bash":
		return writeBashCompletion(o.IO.Out, o.Root)
	case "zsh":
		return o.Root.GenZshCompletion(o.IO.Out)
	case "fish":
		return o.Root.GenFishCompletion(o.IO.Out, true)
	}
	msg := fmt.Sprintf("shell « %s » non pris en charge", termtext.Arg(o.Shell))
	if s := casefile.Suggest(o.Shell, completionShells); s != "" {
		msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
	}
	return usageErr("%s ; shells : %s", msg, strings.Join(completionShells, ", "))
}

// withPrefix keeps the candidates that start with prefix.
func withPrefix(candidates []string, prefix string) []string {
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// completionIDs returns the beneficiary ids of the repository around the
// working directory (after -C); none outside a repository.
func (a *app) completionIDs() []string {
	wd, err := a.workDir()
	if err != nil {
		return nil
	}
	repo, err := casefile.Open(wd)
	if err != nil {
		return nil
	}
	ids, _ := repo.Beneficiaries()
	return ids
}

// completeIDs completes beneficiary ids, leaving out those already given.
func (a *app) completeIDs(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, id := range withPrefix(a.completionIDs(), toComplete) {
		if !contains(args, id) {
			out = append(out, id)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeIDsOrFiles completes a beneficiary id, else a file name.
func (a *app) completeIDsOrFiles(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if ids := withPrefix(a.completionIDs(), toComplete); len(ids) > 0 && !strings.ContainsAny(toComplete, "/.") {
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveDefault
}

// completeFiles completes one file name.
func (a *app) completeFiles(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveDefault
}

// interviewTypeCompletions returns the interview types with their labels.
func (a *app) interviewTypeCompletions(toComplete string) []string {
	reg, _, err := a.registry()
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range reg.Types() {
		if t.Interview && strings.HasPrefix(t.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(t.Name, t.Label))
		}
	}
	return out
}

// completeInterviewTypes completes interview type names.
func (a *app) completeInterviewTypes(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.interviewTypeCompletions(toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeNewArgs completes acc new's first argument: a type, or
// "beneficiaire".
func (a *app) completeNewArgs(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := a.interviewTypeCompletions(toComplete)
	if strings.HasPrefix(beneficiaryWord, toComplete) {
		out = append(out, cobra.CompletionWithDesc(beneficiaryWord, "nouveau bénéficiaire"))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeListArgs completes what acc list lists.
func (a *app) completeListArgs(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return withPrefix(listKinds, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeListStatuts completes --statut for the listing given so far.
func (a *app) completeListStatuts(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	kind := listBeneficiaries
	if len(args) > 0 {
		if k, err := parseListKind(args[0]); err == nil {
			kind = k
		}
	}
	return withPrefix(listStatuts(kind), toComplete), cobra.ShellCompDirectiveNoFileComp
}

// bashFiledir matches the calls of cobra's script to bash-completion's
// _filedir, which a bare bash does not have.
var bashFiledir = regexp.MustCompile(`\b_filedir\b`)

// writeBashCompletion writes cobra's bash script, made to work in a bare
// bash (DESIGN §4): cobra's script calls _get_comp_words_by_ref and
// _filedir from the bash-completion package; they are routed through
// acc's own functions, which call the package's when it is loaded and
// otherwise do a minimal job themselves. No global name of the package is
// defined, so nothing pretends bash-completion is there.
func writeBashCompletion(w io.Writer, root *cobra.Command) error {
	var b bytes.Buffer
	if err := root.GenBashCompletionV2(&b, true); err != nil {
		return err
	}
	name := root.Name()
	script := strings.ReplaceAll(b.String(), "_get_comp_words_by_ref \"$@\"", "__"+name+"_comp_words_by_ref \"$@\"")
	script = bashFiledir.ReplaceAllString(script, "__"+name+"_filedir")
	if _, err := io.WriteString(w, script); err != nil {
		return err
	}
	_, err := io.WriteString(w, strings.ReplaceAll(bashShim, "__PROG", "__"+name))
	return err
}

// bashShim stands in for bash-completion's _get_comp_words_by_ref (words
// that bash split on "=" or ":" glued back as that package does with -n)
// and _filedir (files, directories, files by extension).
const bashShim = `
# Without the bash-completion package: minimal stand-ins for its functions.
__PROG_comp_words_by_ref()
{
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref "$@"
        return
    fi
    local __PROG_x=
    if [[ $1 == -n ]]; then
        __PROG_x=$2
        shift 2
    fi
    local -a __PROG_w=()
    local __PROG_c=0 __PROG_i __PROG_j=-1 __PROG_g=0 __PROG_s
    for ((__PROG_i = 0; __PROG_i < ${#COMP_WORDS[@]}; __PROG_i++)); do
        __PROG_s=${COMP_WORDS[__PROG_i]}
        if ((__PROG_j >= 0)) && [[ -n $__PROG_x && -n $__PROG_s && -z ${__PROG_s//[$__PROG_x]/} ]]; then
            __PROG_w[__PROG_j]+=$__PROG_s
            __PROG_g=1
        elif ((__PROG_g)); then
            __PROG_w[__PROG_j]+=$__PROG_s
            __PROG_g=0
        else
            __PROG_j=$((__PROG_j + 1))
            __PROG_w[__PROG_j]=$__PROG_s
        fi
        if ((__PROG_i == COMP_CWORD)); then
            __PROG_c=$__PROG_j
        fi
    done
    local __PROG_v
    for __PROG_v in "$@"; do
        case $__PROG_v in
        cur) cur=${__PROG_w[__PROG_c]-} ;;
        prev) prev=${__PROG_w[__PROG_c - 1]-} ;;
        words) words=("${__PROG_w[@]}") ;;
        cword) cword=$__PROG_c ;;
        esac
    done
}

__PROG_filedir()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir "$@"
        return
    fi
    local IFS=$'\n' __PROG_e
    if [[ $1 == -d ]]; then
        COMPREPLY+=($(compgen -d -- "$cur"))
        return
    fi
    if [[ -z $1 ]]; then
        COMPREPLY+=($(compgen -f -- "$cur"))
        return
    fi
    COMPREPLY+=($(compgen -d -- "$cur"))
    for __PROG_e in ${1//|/$'\n'}; do
        COMPREPLY+=($(compgen -f -X "!*.$__PROG_e" -- "$cur"))
    done
}
`

// completeFixed completes a flag's fixed values, never file names.
func completeFixed(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(values, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeTypes completes every document type name (fiche included).
func (a *app) completeTypes(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	reg, _, err := a.registry()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, t := range reg.Types() {
		if strings.HasPrefix(t.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(t.Name, t.Label))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
