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

func (a *app) mvCmd() *cobra.Command {
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
			return a.runMv(args[0], args[1])
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

func (a *app) runMv(oldID, newID string) error {
	ws, err := a.open()
	if err != nil {
		return err
	}
	if err := casefile.CheckName(oldID); err != nil {
		return usageErr("ID %v", err)
	}
	// The one reading of a designated person (§4.2): an unknown id lists the
	// closest ones, an ambiguous prefix or name the candidates.
	if oldID, err = a.resolveBeneficiary(ws, oldID, nil, "ID", ""); err != nil {
		return err
	}
	if err := checkIDRules(newID); err != nil {
		return usageErr("NOUVEL-ID : %v", err)
	}
	if newID == oldID {
		return usageErr("l'identifiant est déjà « %s » : rien à changer", oldID)
	}
	unlock, author, committer, err := a.lockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	names, err := folderNames(ws)
	if err != nil {
		return err
	}
	if taken := idTaken(names, newID); taken != "" {
		return usageErr("%s : rien n'a été modifié", takenErr(newID, taken))
	}
	oldDir, newDir := casefile.BeneficiaryDir(oldID), casefile.BeneficiaryDir(newID)
	// Only what the history holds is moved: a file edited or added by hand
	// would otherwise be carried into the commit unvalidated, or left behind.
	changed, deleted, untracked, err := ws.store.WorkChanges(oldDir, func(string) bool { return true })
	if err != nil {
		return repoErr(err)
	}
	if pending := append(append(changed, deleted...), untracked...); len(pending) > 0 {
		return usageErr("le dossier %s a des modifications non enregistrées (%s) : enregistrez-les d'abord (acc commit %s), puis relancez acc mv ; rien n'a été modifié", oldDir, strings.Join(pending, ", "), oldDir)
	}
	entries, err := ws.store.IndexEntries(oldDir)
	if err != nil {
		return repoErr(err)
	}
	// Every file is read and rewritten in memory first: a refusal writes
	// nothing.
	var changes []gitstore.Change
	types := []string{}
	for _, e := range entries {
		if e.Mode != 0o100644 && e.Mode != 0o100755 {
			return usageErr("%s n'est pas un fichier ordinaire (lien ou sous-module) : acc mv ne le déplace pas ; rien n'a été modifié", e.Path)
		}
		abs := ws.repo.Abs(e.Path)
		fi, err := os.Lstat(abs)
		if err != nil {
			return repoErr(err)
		}
		data, _, err := casefile.ReadFile(abs)
		if err != nil {
			return usageErr("%s : illisible ou trop gros (plus de %d Mo) : rien n'a été modifié", e.Path, casefile.MaxFileSize>>20)
		}
		rest := strings.TrimPrefix(e.Path, oldDir+"/")
		if !strings.Contains(rest, "/") && casefile.IsCaseFileName(rest) {
			key := "beneficiaire"
			if rest == casefile.FicheFile {
				key = "id"
			}
			out, _, err := casefile.ReplaceTopValue(e.Path, data, key, oldID, newID)
			if err != nil {
				return usageErr("%v : rien n'a été modifié", err)
			}
			data = out
			if t := docType(ws, rest); t != "" {
				types = append(types, t)
			}
		}
		changes = append(changes,
			gitstore.Change{Path: path.Join(newDir, rest), Content: data, Exclusive: true, Perm: fi.Mode().Perm()},
			gitstore.Change{Path: e.Path, Delete: true})
	}
	if len(changes) == 0 {
		return usageErr("le dossier %s ne contient aucun document enregistré : rien à renommer", oldDir)
	}
	msg := casefile.CommitMessage{
		Subject: fmt.Sprintf("mv : %s devient %s", oldID, newID),
		Action:  casefile.ActionMv, Beneficiaries: []string{oldID, newID}, Types: types,
	}
	if _, err := ws.store.Commit(a.ctx, changes, msg.String(), author, committer); err != nil {
		if errIs(err, gitstore.ErrExists) {
			return usageErr("%s existe déjà : rien n'a été modifié", newDir)
		}
		return repoErr(err)
	}
	if err := shareFolder(ws, newID); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, a.relPath(ws.repo.Abs(newDir)))
	fmt.Fprintf(a.stderr, "acc : enregistré (%s, %d fichiers)\n", msg.Subject, len(changes)/2)
	return nil
}
