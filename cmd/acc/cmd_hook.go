package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// hookMarker identifies the pre-commit hook acc wrote: acc updates it freely, and
// refuses to replace any other without --force.
const hookMarker = "# acc-hook: pre-commit v1"

func (a *app) hookCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "hook install [--force]",
		Short: "Installer le crochet Git qui vérifie les dossiers à chaque git commit",
		Long: `« acc hook install » écrit le crochet Git pre-commit du dépôt
(.git/hooks/pre-commit, ou le dossier de core.hooksPath) : à chaque
« git commit », les documents de dossiers indexés sont vérifiés par
« acc validate », et le commit est refusé s'ils ont une erreur, en particulier
une donnée interdite (numéro de sécurité sociale, IBAN). Ainsi même un commit
fait avec git, un éditeur ou une interface graphique passe par les règles
d'acc.`,
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	var force bool
	install := &cobra.Command{
		Use:   "install [--force]",
		Short: "Écrire le crochet pre-commit qui lance acc validate",
		Long: `Écrit le crochet Git pre-commit qui vérifie avec « acc validate » les documents
de dossiers indexés, et refuse le commit s'il reste une erreur. Le crochet
vérifie les fichiers tels qu'ils sont sur le disque : un document indexé puis
modifié encore (git add oublié) est refusé, pour que ce qui est vérifié soit
ce qui est enregistré.

Un crochet pre-commit qui n'a pas été écrit par acc n'est pas remplacé (code
2) ; --force le remplace, en gardant l'ancien sous pre-commit.avant-acc.`,
		Example: "  acc hook install\n  acc hook install --force",
		Args:    wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			return a.runHookInstall(force)
		},
	}
	install.Flags().BoolVar(&force, "force", false, "remplacer un crochet pre-commit existant (gardé sous pre-commit.avant-acc)")
	c.AddCommand(install)
	return c
}

func (a *app) runHookInstall(force bool) error {
	ws, err := a.open()
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	content := hookScript(ws.store.Prefix, exe)
	old, exists, err := ws.store.ReadHook("pre-commit")
	if err != nil {
		return repoErr(err)
	}
	backup := false
	switch {
	case exists && bytes.Equal(old, content):
		fmt.Fprintln(a.stdout, "Le crochet pre-commit d'acc est déjà installé.")
		return nil
	case exists && bytes.Contains(old, []byte(hookMarker)):
		// acc's own hook, from another version or another acc binary: updated.
	case exists && !force:
		dir, _ := ws.store.HooksDir()
		return usageErr("un crochet pre-commit existe déjà (%s/pre-commit) et n'a pas été écrit par acc : rien n'a été modifié ; "+
			"--force le remplace (l'ancien est gardé sous pre-commit.avant-acc)", a.relPath(dir))
	case exists:
		backup = true
	}
	path, saved, err := ws.store.WriteHook("pre-commit", content, backup)
	if err != nil {
		return repoErr(err)
	}
	fmt.Fprintf(a.stdout, "Crochet installé : %s\n", a.relPath(path))
	if saved != "" {
		fmt.Fprintf(a.stdout, "L'ancien crochet est gardé sous %s.\n", a.relPath(saved))
	}
	fmt.Fprintln(a.stdout, "Chaque git commit vérifiera les documents de dossiers indexés (acc validate) et sera refusé s'il reste une erreur.")
	return nil
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hookScript is the pre-commit hook: a POSIX sh script that lists the staged case files
// (git diff --cached, relative to the case-file folder prefix), refuses those changed
// again on disk since they were staged (acc validate reads the disk), then runs acc
// validate on them. acc is looked up on the PATH, then at the path of the acc that
// installed the hook.
func hookScript(prefix, exe string) []byte {
	pathspec := "beneficiaires/*.md"
	relative := "--relative"
	caseDir := "."
	if prefix != "" {
		pathspec = prefix + "/" + pathspec
		relative = "--relative=" + prefix
		caseDir = prefix
	}
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/sh
%s
# Crochet installé par « acc hook install » : avant chaque commit, les documents de
# dossiers d'accompagnement indexés sont vérifiés par « acc validate » ; une erreur,
# en particulier une donnée interdite (NIR, IBAN), refuse le commit.

case_dir=%s
acc_bin=%s

if command -v acc >/dev/null 2>&1; then
	acc=acc
elif [ -n "$acc_bin" ] && [ -x "$acc_bin" ]; then
	acc=$acc_bin
else
	echo "acc : programme introuvable (ni dans le PATH, ni $acc_bin) : commit refusé." >&2
	echo "acc : installez acc, ou retirez ce crochet ($0)." >&2
	exit 1
fi

# Git runs the hook from the work tree's root.
[ -f "$case_dir/acc.yaml" ] || exit 0

nl='
'
staged=$(git diff --cached --name-only --diff-filter=ACMR %s -- %s) || exit 1
[ -n "$staged" ] || exit 0
unstaged=$(git diff --name-only %s -- %s) || exit 1

# acc reads the files on disk: they must be what is being committed.
changed=
IFS=$nl
for f in $staged; do
	case "$nl$unstaged$nl" in
	*"$nl$f$nl"*) changed="$changed  $f$nl" ;;
	esac
done
unset IFS
if [ -n "$changed" ]; then
	echo "acc : ces documents ont été modifiés après « git add » ; indexez-les de nouveau pour qu'acc vérifie ce qui sera enregistré :" >&2
	printf '%%s' "$changed" >&2
	exit 1
fi

set -f
IFS=$nl
set -- $staged
unset IFS
set +f
"$acc" -C "$case_dir" validate -- "$@"
status=$?
if [ "$status" -ne 0 ]; then
	echo "acc : commit refusé : corrigez les erreurs ci-dessus (une donnée interdite doit être retirée du document)." >&2
fi
exit "$status"
`, hookMarker, shQuote(caseDir), shQuote(exe), relative, shQuote(pathspec), relative, shQuote(pathspec))
	return []byte(b.String())
}
