package main

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
)

// mvOptions are acc mv's arguments and what it needs from outside.
type mvOptions struct {
	deps
	OldID string // as typed: an id, a prefix or a name
	NewID string
}

func (a *app) mvCmd() *cobra.Command {
	o := &mvOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "mv ID NOUVEL-ID",
		Short: "Changer l'identifiant d'un bénéficiaire (une faute de frappe)",
		Long: `Renomme le dossier d'un bénéficiaire, l'identifiant (id) de sa fiche et le
champ beneficiaire de chacun de ses entretiens, en un seul enregistrement.
Seules ces valeurs changent : le reste de chaque fichier est gardé octet pour
octet. Le nouvel identifiant suit les règles des identifiants (minuscules sans
accent, chiffres, tirets) et ne doit pas déjà exister, même avec d'autres
majuscules. Les modifications non enregistrées du dossier doivent l'être
d'abord (acc commit).`,
		Example: "  acc mv jean-dupnt jean-dupont",
		Args:    cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.OldID, o.NewID = args[0], args[1]
			return runMv(o)
		},
	}
	c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return a.completeIDs(c, args, toComplete)
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return c
}

// runMv renames a beneficiary in one commit: the folder, the fiche's id and
// each interview's beneficiaire.
func runMv(o *mvOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	oldID, newID, err := o.ids(ws)
	if err != nil {
		return err
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	if err := mvAllowed(ws, oldID, newID); err != nil {
		return err
	}
	changes, types, err := mvChanges(ws, oldID, newID)
	if err != nil {
		return err
	}
	msg := casefile.CommitMessage{
		Subject: fmt.Sprintf("mv : %s devient %s", oldID, newID),
		Action:  casefile.ActionMv, Beneficiaries: []string{oldID, newID}, Types: types,
	}
	newDir := casefile.BeneficiaryDir(newID)
	if _, err := ws.store.Commit(o.Ctx, changes, msg.String(), author, committer); err != nil {
		if errIs(err, gitstore.ErrExists) {
			return usageErr("%s existe déjà : rien n'a été modifié", newDir)
		}
		return repoErr(err)
	}
	if err := shareFolder(ws, newID); err != nil {
		return err
	}
	fmt.Fprintln(o.IO.Out, o.RelPath(ws.repo.Abs(newDir)))
	fmt.Fprintf(o.IO.Err, "acc : enregistré (%s, %d fichiers)\n", msg.Subject, len(changes)/2)
	return nil
}

// ids reads the beneficiary designated and checks the new id.
func (o *mvOptions) ids(ws *workspace) (oldID, newID string, err error) {
	if err := casefile.CheckName(o.OldID); err != nil {
		return "", "", usageErr("ID %v", err)
	}
	// The one reading of a designated person (§4.2): an unknown id lists the
	// closest ones, an ambiguous prefix or name the candidates.
	if oldID, err = o.Resolve(ws, o.OldID, nil, "ID", ""); err != nil {
		return "", "", err
	}
	newID = o.NewID
	if err := checkIDRules(newID); err != nil {
		return "", "", usageErr("NOUVEL-ID : %v", err)
	}
	if newID == oldID {
		return "", "", usageErr("l'identifiant est déjà « %s » : rien à changer", oldID)
	}
	return oldID, newID, nil
}

// mvAllowed refuses a new id already taken (in any case) and a folder with
// changes not committed. Called under the lock.
func mvAllowed(ws *workspace, oldID, newID string) error {
	names, err := folderNames(ws)
	if err != nil {
		return err
	}
	if taken := idTaken(names, newID); taken != "" {
		return usageErr("%s : rien n'a été modifié", takenErr(newID, taken))
	}
	oldDir := casefile.BeneficiaryDir(oldID)
	// Only what the history holds is moved: a file edited or added by hand
	// would otherwise be carried into the commit unvalidated, or left behind.
	changed, deleted, untracked, err := ws.store.WorkChanges(oldDir, func(string) bool { return true })
	if err != nil {
		return repoErr(err)
	}
	if pending := append(append(changed, deleted...), untracked...); len(pending) > 0 {
		return usageErr("le dossier %s a des modifications non enregistrées (%s) : enregistrez-les d'abord (acc commit %s), puis relancez acc mv ; rien n'a été modifié", oldDir, strings.Join(pending, ", "), oldDir)
	}
	return nil
}

// mvChanges reads and rewrites every committed file of oldID's folder in
// memory, so that a refusal writes nothing: each file moves to newID's
// folder, and the id in the frontmatter of the fiche and the interviews
// changes. types are the document types moved, for the commit's trailers.
func mvChanges(ws *workspace, oldID, newID string) (changes []gitstore.Change, types []string, err error) {
	oldDir, newDir := casefile.BeneficiaryDir(oldID), casefile.BeneficiaryDir(newID)
	entries, err := ws.store.IndexEntries(oldDir)
	if err != nil {
		return nil, nil, repoErr(err)
	}
	types = []string{}
	for _, e := range entries {
		if e.Mode != 0o100644 && e.Mode != 0o100755 {
			return nil, nil, usageErr("%s n'est pas un fichier ordinaire (lien ou sous-module) : acc mv ne le déplace pas ; rien n'a été modifié", e.Path)
		}
		abs := ws.repo.Abs(e.Path)
		fi, err := os.Lstat(abs)
		if err != nil {
			return nil, nil, repoErr(err)
		}
		data, _, err := casefile.ReadFile(abs)
		if err != nil {
			return nil, nil, usageErr("%s : illisible ou trop gros (plus de %d Mo) : rien n'a été modifié", e.Path, casefile.MaxFileSize>>20)
		}
		rest := strings.TrimPrefix(e.Path, oldDir+"/")
		if !strings.Contains(rest, "/") && casefile.IsCaseFileName(rest) {
			key := "beneficiaire"
			if rest == casefile.FicheFile {
				key = "id"
			}
			if data, _, err = casefile.ReplaceTopValue(e.Path, data, key, oldID, newID); err != nil {
				return nil, nil, usageErr("%v : rien n'a été modifié", err)
			}
			if t := docType(ws, rest); t != "" {
				types = append(types, t)
			}
		}
		changes = append(changes,
			gitstore.Change{Path: path.Join(newDir, rest), Content: data, Exclusive: true, Perm: fi.Mode().Perm()},
			gitstore.Change{Path: e.Path, Delete: true})
	}
	if len(changes) == 0 {
		return nil, nil, usageErr("le dossier %s ne contient aucun document enregistré : rien à renommer", oldDir)
	}
	return changes, types, nil
}
