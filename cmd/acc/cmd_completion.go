package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
)

var completionShells = []string{"bash", "zsh", "fish"}

func (a *app) completionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Complétion des commandes dans votre shell (types, identifiants des bénéficiaires)",
		Long: `Écrit le script de complétion pour bash, zsh ou fish : la touche Tab complète
alors les commandes, les options, les types de documents (acc new <Tab>) et
les identifiants des bénéficiaires (acc new entretien-suivi -b <Tab>,
acc report <Tab>, acc log <Tab>).

Installation, une fois pour toutes (puis ouvrez un nouveau terminal) :

bash (il faut le paquet bash-completion) :
  acc completion bash > ~/.local/share/bash-completion/completions/acc

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
			if len(args) == 0 {
				return usageErr("shell manquant : acc completion bash, acc completion zsh ou acc completion fish")
			}
			root := c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.stdout, true)
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			}
			msg := fmt.Sprintf("shell « %s » non pris en charge", termtext.Arg(args[0]))
			if s := casefile.Suggest(args[0], completionShells); s != "" {
				msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
			}
			return usageErr("%s ; shells : %s", msg, strings.Join(completionShells, ", "))
		},
	}
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
