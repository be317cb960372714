package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
)

// hookMarker identifies the pre-commit hook acc wrote: acc updates it freely, and
// refuses to replace any other without --force.
const hookMarker = "# acc-hook: pre-commit v1"

// hookOptions are acc hook's flag and what it needs from outside; the
// hook's check reads git's list of files on IO.In.
type hookOptions struct {
	deps
	Force bool // install: replace a hook acc did not write
}

func (a *app) hookCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "hook install [--force]",
		Short: "Installer le crochet Git qui vérifie les dossiers à chaque git commit",
		Long: `« acc hook install » écrit le crochet Git pre-commit du dépôt
(.git/hooks/pre-commit, ou le dossier de core.hooksPath) : à chaque
« git commit », tout fichier indexé du dossier acc est cherché pour une donnée
interdite (numéro de sécurité sociale, IBAN), quels que soient son nom et son
extension, et les documents de dossiers sont vérifiés comme par
« acc validate » ; le commit est refusé s'il reste une erreur. Ainsi même un commit
fait avec git, un éditeur ou une interface graphique passe par les règles
d'acc.`,
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	o := &hookOptions{deps: a.deps()}
	install := &cobra.Command{
		Use:   "install [--force]",
		Short: "Écrire le crochet pre-commit qui lance acc validate",
		Long: `Écrit le crochet Git pre-commit qui cherche une donnée interdite (NIR, IBAN)
dans tout fichier indexé du dossier acc (notes.txt, x.MD, fichier sans
extension, conflits/…), vérifie comme « acc validate » les documents de
dossiers indexés, et refuse le commit s'il reste une erreur. Le crochet
vérifie les fichiers tels qu'ils sont sur le disque : un document indexé puis
modifié encore (git add oublié) est refusé, pour que ce qui est vérifié soit
ce qui est enregistré.

Un crochet pre-commit qui n'a pas été écrit par acc n'est pas remplacé (code
2) ; --force le remplace, en gardant l'ancien sous pre-commit.avant-acc.`,
		Example: "  acc hook install\n  acc hook install --force",
		Args:    wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			return runHookInstall(o)
		},
	}
	install.Flags().BoolVar(&o.Force, "force", false, "remplacer un crochet pre-commit existant (gardé sous pre-commit.avant-acc)")
	// What the installed hook runs: hidden, its input is git's, not a person's.
	check := &cobra.Command{
		Use:    "verifier",
		Short:  "Vérifier ce qui est indexé (lancé par le crochet pre-commit)",
		Hidden: true,
		Args:   wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			return runHookCheck(o)
		},
	}
	c.AddCommand(install, check)
	return c
}

// runHookCheck is the pre-commit hook's work. Its standard input is what
// the hook got from git, NUL-separated (git diff -z: names are never
// quoted, whatever characters they hold), relative to the case-file
// folder: the staged files (added, copied, modified, renamed), an empty
// record, then the files changed on disk since they were staged.
//
// Every staged file is searched for a NIR or an IBAN, whatever its name,
// extension or folder (notes.txt, x.MD, a file without extension, conflits/):
// such data must never enter the history. The case documents
// (beneficiaires/<id>/*.md) are validated as a whole, as acc validate does.
func runHookCheck(o *hookOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	in, err := io.ReadAll(o.IO.In)
	if err != nil {
		return usageErr("lecture de la liste des fichiers indexés : %v", err)
	}
	staged, unstaged := hookInput(in)
	if len(staged) == 0 {
		return nil
	}
	// acc reads the files on disk: they must be what is being committed.
	var again []string
	for _, p := range staged {
		if unstaged[p] {
			again = append(again, p)
		}
	}
	if len(again) > 0 {
		fmt.Fprintln(o.IO.Err, "acc : ces fichiers ont été modifiés après « git add » ; indexez-les de nouveau pour qu'acc vérifie ce qui sera enregistré :")
		for _, p := range again {
			fmt.Fprintf(o.IO.Err, "  %s\n", termtext.Line(p))
		}
		return errFindings
	}
	docs, blocked, err := sortStaged(ws, staged)
	if err != nil {
		return err
	}
	var errs bool
	if len(docs) > 0 {
		findings, err := o.checkFiles(ws, docs)
		if err != nil {
			return err
		}
		errs = o.printFindings(findings)
	}
	for _, p := range blocked {
		fmt.Fprintf(o.IO.Err, "%s: erreur donnee-sensible: donnée interdite (numéro de sécurité sociale ou IBAN) dans ce fichier : retirez-la, elle ne doit pas entrer dans l'historique\n", termtext.Line(p))
	}
	if errs || len(blocked) > 0 {
		return errFindings
	}
	return nil
}

// hookInput reads the hook's NUL-separated records: the staged files, an
// empty record, then the files changed on disk since they were staged.
func hookInput(in []byte) (staged []string, unstaged map[string]bool) {
	unstaged = map[string]bool{}
	list := &staged
	for _, rec := range strings.Split(string(in), "\x00") {
		switch {
		case rec == "" && list == &staged:
			list = nil
		case rec == "":
		case list == nil:
			unstaged[rec] = true
		default:
			staged = append(staged, rec)
		}
	}
	return staged, unstaged
}

// sortStaged parts the staged files: the case documents, validated as a
// whole, and the other files that hold a NIR or an IBAN.
func sortStaged(ws *workspace, staged []string) (docs, blocked []string, err error) {
	for _, p := range staged {
		if _, base, ok := casefile.SplitCasePath(p); ok && casefile.IsCaseFileName(base) {
			docs = append(docs, p)
			continue
		}
		found, err := fileHasSensitive(ws.repo.Abs(p))
		if err != nil {
			return nil, nil, repoErr(fmt.Errorf("lecture de %s : %w", termtext.Line(p), err))
		}
		if found {
			blocked = append(blocked, p)
		}
	}
	return docs, blocked, nil
}

// fileHasSensitive reports whether the regular file at name holds a NIR or an
// IBAN. It reads in chunks that overlap by more than the longest such
// number written with separators, so that a file of any size is searched in
// bounded memory. A link or a special file is not read (its target is not
// what is committed).
func fileHasSensitive(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	defer f.Close()
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		return false, nil
	}
	const chunk, overlap = 1 << 20, 256
	buf := make([]byte, overlap+chunk)
	kept := 0
	for {
		n, err := io.ReadFull(f, buf[kept:])
		if validate.HasSensitive(buf[:kept+n]) {
			return true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		kept = copy(buf, buf[kept+n-overlap:kept+n])
	}
}

// runHookInstall writes the pre-commit hook, never over another's
// without --force.
func runHookInstall(o *hookOptions) error {
	ws, err := o.Open()
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
		fmt.Fprintln(o.IO.Out, "Le crochet pre-commit d'acc est déjà installé.")
		return nil
	case exists && bytes.Contains(old, []byte(hookMarker)):
		// acc's own hook, from another version or another acc binary: updated.
	case exists && !o.Force:
		dir, _ := ws.store.HooksDir()
		return usageErr("un crochet pre-commit existe déjà (%s/pre-commit) et n'a pas été écrit par acc : rien n'a été modifié ; "+
			"--force le remplace (l'ancien est gardé sous pre-commit.avant-acc)", o.RelPath(dir))
	case exists:
		backup = true
	}
	path, saved, err := ws.store.WriteHook("pre-commit", content, backup)
	if err != nil {
		return repoErr(err)
	}
	fmt.Fprintf(o.IO.Out, "Crochet installé : %s\n", o.RelPath(path))
	if saved != "" {
		fmt.Fprintf(o.IO.Out, "L'ancien crochet est gardé sous %s.\n", o.RelPath(saved))
	}
	fmt.Fprintln(o.IO.Out, "Chaque git commit vérifiera les documents de dossiers indexés (acc validate) et sera refusé s'il reste une erreur.")
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
	relative := "--relative"
	caseDir := "."
	if prefix != "" {
		relative = shQuote("--relative=" + prefix)
		caseDir = prefix
	}
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/sh
%s
# Crochet installé par « acc hook install » : avant chaque commit, tout fichier indexé
# du dossier acc est cherché pour une donnée interdite (NIR, IBAN), quels que soient son
# nom et son extension, et les documents de dossiers sont vérifiés comme par
# « acc validate » ; une erreur refuse le commit.

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

# Every staged file of the case-file folder (any name, any extension), then
# an empty record, then the files changed again on disk since « git add »:
# NUL-separated (-z), so that git never quotes a name.
list=$(mktemp "${TMPDIR:-/tmp}/acc-crochet.XXXXXX") || exit 1
trap 'rm -f "$list"' EXIT
trap 'exit 1' HUP INT TERM
if ! { git diff --cached --name-only -z --diff-filter=ACMR %s -- "$case_dir" &&
	printf '\000' &&
	git diff --name-only -z %s -- "$case_dir"; } >"$list"; then
	echo "acc : git diff a échoué : commit refusé." >&2
	exit 1
fi
"$acc" -C "$case_dir" hook verifier <"$list"
status=$?
if [ "$status" -ne 0 ]; then
	echo "acc : commit refusé : corrigez les erreurs ci-dessus (une donnée interdite doit être retirée du document)." >&2
fi
exit "$status"
`, hookMarker, shQuote(caseDir), shQuote(exe), relative, relative)
	return []byte(b.String())
}
