package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
)

// editOptions are acc edit's argument and flag and what it needs from
// outside (the editor among them).
type editOptions struct {
	deps
	Path    string // as typed, relative to the working folder; "" asks
	Message string
}

func (a *app) editCmd() *cobra.Command {
	o := &editOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "edit [CHEMIN] [-m MESSAGE]",
		Short: "Ouvrir un document dans l'éditeur, le vérifier et l'enregistrer",
		Long: `Ouvre le document dans votre éditeur ($ACC_EDITOR, sinon $VISUAL, sinon $EDITOR,
sinon celui du système : notepad sous Windows, TextEdit sous macOS, nano ou vi ailleurs).
À la fermeture de l'éditeur, acc vérifie le document, affiche ce qui manque et
l'enregistre dans Git, même incomplet : le dossier passe d'abord. Seule une
donnée interdite (numéro de sécurité sociale, IBAN) empêche l'enregistrement.
Si l'éditeur échoue, rien n'est enregistré et votre texte reste dans le fichier.

Sans CHEMIN, dans un terminal, acc propose le bénéficiaire (celui du dossier
courant, sinon une liste) puis ses documents.`,
		Example: "  acc edit beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md\n  ACC_EDITOR=\"code --wait\" acc edit fiche.md",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.Path = args[0]
			}
			return runEdit(o)
		},
	}
	c.Flags().StringVarP(&o.Message, "message", "m", "", "`MESSAGE` du commit (une ligne, sans nom de personne)")
	return c
}

// runEdit opens a document in the editor, then checks and commits it.
func runEdit(o *editOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	message, err := checkMessage(ws, o.Message)
	if err != nil {
		return err
	}
	rel, err := o.document(ws)
	if err != nil {
		return err
	}
	if editor, err := o.RunEditor(ws, rel); err != nil {
		return usageErr("l'éditeur « %s » a échoué (%v) : rien n'a été enregistré, votre texte est conservé dans %s", editor, err, o.RelPath(ws.repo.Abs(rel)))
	}
	return o.commitFiles(ws, []string{rel}, casefile.ActionEdit, message)
}

// document is the case file to edit: the one typed, which must exist, else
// the one chosen on a terminal.
func (o *editOptions) document(ws *workspace) (string, error) {
	if o.Path == "" {
		if !o.Prompter.interactive() {
			return "", usageErr("document manquant : acc edit CHEMIN, par exemple acc edit beneficiaires/jean-dupont/fiche.md")
		}
		return o.Prompter.chooseDocument(ws, "HEAD")
	}
	rel, err := casePath(ws, o.Path)
	if err != nil {
		if hint := o.sameNameDocuments(ws, o.Path); hint != "" && !errors.Is(err, errNameRefused) {
			return "", usageErr("%s n'est pas un document de dossier ici%s", termtext.Arg(o.Path), hint)
		}
		return "", err
	}
	if fi, err := os.Lstat(ws.repo.Abs(rel)); err != nil || !fi.Mode().IsRegular() {
		return "", usageErr("%s : document introuvable%s", termtext.Arg(o.Path), orElse(o.sameNameDocuments(ws, o.Path), " (acc new le crée)"))
	}
	return rel, nil
}

// casePath turns a user-typed path (relative to the working directory) into
// a case file's slash path relative to the case-file root, refusing what is
// not a Markdown file of a beneficiary's folder.
func casePath(ws *workspace, p string) (string, error) {
	abs := p
	if !strings.HasPrefix(p, "/") {
		abs = ws.wd + "/" + p
	}
	rel, err := ws.repo.Rel(abs)
	if err != nil {
		return "", usageErr("%v", err)
	}
	id, base, ok := casefile.SplitCasePath(rel)
	if !ok || casefile.CheckID(id) != nil || !casefile.IsCaseFileName(base) {
		return "", usageErr("%s n'est pas un document de dossier (beneficiaires/<id>/<fichier>.md)", termtext.Arg(p))
	}
	if why := pathRefusal(rel); why != "" {
		return "", usageErr("%s : %w, la copie de chaque collègue le refuserait (%s) ; renommez-le", termtext.Arg(p), errNameRefused, why)
	}
	return rel, nil
}

// errNameRefused is in casePath's error when the path has the shape of a
// document but a name a colleague's copy would refuse.
var errNameRefused = errors.New("nom refusé")

// pathRefusal is why a colleague's copy would refuse to receive a file at
// rel (gitstore.CheckPath), "" when it would take it.
func pathRefusal(rel string) string {
	var ue *gitstore.UnsafePathError
	if err := gitstore.CheckPath(rel); errors.As(err, &ue) {
		return ue.Reason
	} else if err != nil {
		return err.Error()
	}
	return ""
}

// editorCommand returns the editor command line, as the user wrote it.
func (a *app) editorCommand() (string, error) {
	for _, k := range []string{"ACC_EDITOR", "VISUAL", "EDITOR"} {
		if v := strings.TrimSpace(a.getenv(k)); v != "" {
			return v, nil
		}
	}
	if e := defaultEditor(runtime.GOOS, a.getenv("PATH")); e != "" {
		return e, nil
	}
	return "", usageErr("%s", noEditorMessage(runtime.GOOS))
}

// runEditor opens rel in the user's editor and waits for it to close; an
// editor that fails or is cancelled (vim's :cq, a non-zero exit) is an error.
func (a *app) runEditor(ws *workspace, rel string) (string, error) {
	editor, err := a.editorCommand()
	if err != nil {
		return "", err
	}
	cmd := editorProcess(a.ctx, editor, ws.repo.Abs(rel))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.stdin, a.stdout, a.editorErr
	if cmd.Stderr == nil {
		cmd.Stderr = a.stderr
	}
	if f, ok := a.stdout.(*os.File); !ok || f == nil {
		cmd.Stdout = cmd.Stderr // keep stdout for the path alone
	}
	return editor, cmd.Run()
}

// commitFiles validates the given case files as they are on disk, then
// commits them in one commit. A file with sensitive data is left out of the
// commit (it stays on disk); the other findings are printed and reported by
// the exit code, after the commit.
func (d deps) commitFiles(ws *workspace, rels []string, action, message string) error {
	return d.commitChecked(ws, rels, action, message, true)
}

// commitChecked is commitFiles; show false keeps the findings off stderr for
// a caller that reports them itself (acc validate --fix).
func (d deps) commitChecked(ws *workspace, rels []string, action, message string, show bool) error {
	unlock, err := d.Lock(ws)
	if err != nil {
		return err
	}
	defer unlock()
	findings, err := d.checkFiles(ws, existing(ws, rels))
	if err != nil {
		return err
	}
	blocked, badName := setAside(findings, rels)
	changes, kept, ids, types := pendingChanges(ws, rels, func(rel string) bool { return blocked[rel] || badName[rel] != "" })
	errs := hasError(findings)
	if show {
		d.printFindings(findings)
	}
	for p := range blocked {
		fmt.Fprintf(d.IO.Err, "acc : %s n'est PAS enregistré : il contient une donnée interdite (numéro de sécurité sociale ou IBAN). Supprimez-la puis relancez acc commit ; le fichier reste sur le disque.\n", termtext.Line(p))
	}
	for _, p := range rels {
		if why := badName[p]; why != "" {
			fmt.Fprintf(d.IO.Err, "acc : %s n'est PAS enregistré : son nom serait refusé par la copie de chaque collègue (%s) ; renommez-le puis relancez acc commit.\n", termtext.Line(p), why)
		}
	}
	if len(changes) == 0 {
		if len(blocked) > 0 || len(badName) > 0 {
			return errFindings
		}
		fmt.Fprintln(d.IO.Err, "acc : aucun changement à enregistrer")
		return nil
	}
	author, committer, err := d.Identity(ws)
	if err != nil {
		return err
	}
	msg := casefile.CommitMessage{Subject: commitSubject(ws, action, kept, message), Action: action, Beneficiaries: ids, Types: types}
	_, err = ws.store.Commit(d.Ctx, changes, msg.String(), author, committer)
	switch {
	case errors.Is(err, gitstore.ErrNoChanges):
		fmt.Fprintln(d.IO.Err, "acc : aucun changement à enregistrer")
	case err != nil:
		return repoErr(err)
	default:
		fmt.Fprintf(d.IO.Err, "acc : enregistré (%s)\n", termtext.Line(msg.Subject))
	}
	if errs || len(blocked) > 0 || len(badName) > 0 {
		return errFindings
	}
	return nil
}

// setAside finds the files a commit leaves out: those with sensitive data
// (blocked), and those whose name a colleague's copy would refuse to receive
// (a line break, ":", "nul.md", a folder that is not an id…: gitstore.CheckPath),
// with why; the others are recorded.
func setAside(findings []validate.Finding, rels []string) (blocked map[string]bool, badName map[string]string) {
	blocked, badName = map[string]bool{}, map[string]string{}
	for _, f := range sensitive(findings) {
		blocked[f.Path] = true
	}
	for _, rel := range rels {
		if why := pathRefusal(rel); why != "" {
			badName[rel] = why
		}
	}
	return blocked, badName
}

// pendingChanges turns the files not skipped into a commit's changes (a
// file gone from the disk is deleted), with the ids and types its message
// names.
func pendingChanges(ws *workspace, rels []string, skip func(string) bool) (changes []gitstore.Change, kept, ids, types []string) {
	for _, rel := range rels {
		if skip(rel) {
			continue
		}
		// A document replaced by a folder is gone: its record is deleted,
		// the folder stays untracked (git add -A would add what it holds).
		fi, statErr := os.Lstat(ws.repo.Abs(rel))
		gone := statErr != nil || fi.IsDir()
		changes = append(changes, gitstore.Change{Path: rel, FromDisk: !gone, Delete: gone})
		kept = append(kept, rel)
		id, base, _ := casefile.SplitCasePath(rel)
		ids = append(ids, id)
		types = append(types, docType(ws, base))
	}
	return changes, kept, ids, types
}

// existing keeps the paths that exist on disk, not as folders (deleted
// files are not validated).
func existing(ws *workspace, rels []string) []string {
	var out []string
	for _, r := range rels {
		if fi, err := os.Lstat(ws.repo.Abs(r)); err == nil && !fi.IsDir() {
			out = append(out, r)
		}
	}
	return out
}

// docType returns the document type a case file's name says.
func docType(ws *workspace, base string) string {
	if base == casefile.FicheFile {
		return "fiche"
	}
	if fn, ok := casefile.ParseFileName(base, func(s string) bool { _, ok := ws.rank(s); return ok }); ok {
		return fn.Type
	}
	return ""
}

// commitSubject builds a French subject line that names documents by type,
// beneficiary id and date, never a person's name.
func commitSubject(ws *workspace, action string, rels []string, message string) string {
	if message != "" {
		return message
	}
	if len(rels) == 1 {
		subj := docSubject(ws, rels[0])
		if _, err := os.Lstat(ws.repo.Abs(rels[0])); err != nil {
			return subj + " supprimé"
		}
		return subj + " modifié"
	}
	ids := map[string]bool{}
	for _, r := range rels {
		id, _, _ := casefile.SplitCasePath(r)
		ids[id] = true
	}
	if len(ids) == 1 {
		id, _, _ := casefile.SplitCasePath(rels[0])
		return fmt.Sprintf("%s : %d documents modifiés", id, len(rels))
	}
	return fmt.Sprintf("%d documents modifiés (%d bénéficiaires)", len(rels), len(ids))
}

// docSubject names one document in a commit subject by type, beneficiary id
// and date: "entretien-suivi : jean-dupont (2026-12-09)".
func docSubject(ws *workspace, rel string) string {
	id, base, _ := casefile.SplitCasePath(rel)
	t := docType(ws, base)
	if t == "" {
		t = path.Base(rel)
	}
	subj := t + " : " + id
	if fn, ok := casefile.ParseFileName(base, func(s string) bool { _, ok := ws.rank(s); return ok }); ok {
		subj += " (" + casefile.FormatDate(fn.Date) + ")"
	}
	return subj
}

// sameNameDocuments looks, when a typed path names no document (acc edit
// run from another folder), for the documents of that file name in every
// beneficiary's folder, and returns a French hint naming them as paths to
// type from here; "" when there is none.
func (d deps) sameNameDocuments(ws *workspace, typed string) string {
	base := path.Base(strings.ReplaceAll(typed, "\\", "/"))
	if !committableName(base) {
		return ""
	}
	ids, err := ws.repo.Beneficiaries()
	if err != nil {
		return ""
	}
	const shown = 5
	var found []string
	more := 0
	for _, id := range ids {
		rel := casefile.BeneficiaryDir(id) + "/" + base
		if fi, err := os.Lstat(ws.repo.Abs(rel)); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if len(found) == shown {
			more++
			continue
		}
		found = append(found, d.RelPath(ws.repo.Abs(rel)))
	}
	switch {
	case len(found) == 0:
		return ""
	case len(found) == 1:
		return fmt.Sprintf(" ; vouliez-vous dire : acc edit %s ?", found[0])
	}
	hint := " ; documents de ce nom : " + strings.Join(found, ", ")
	if more > 0 {
		hint += fmt.Sprintf(" (et %d autre%s)", more, plural(more))
	}
	return hint
}

// orElse returns s, else def when s is empty.
func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
