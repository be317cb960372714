package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/progress"
	"github.com/acc-formation/acc/internal/termtext"
)

// syncOptions are acc sync's flags and what it needs from outside.
type syncOptions struct {
	deps
	Resume bool
	Keep   string // with Resume: "locale", "distante" or ""
	Abort  bool
}

func (a *app) syncCmd() *cobra.Command {
	o := &syncOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "sync [--resume [--garder locale|distante]] [--annuler]",
		Short: "Échanger les dossiers avec le dépôt partagé de l'équipe",
		Long: `Récupère les enregistrements de vos collègues sur le dépôt partagé (le remote
« origin », ou celui que nomme « remote: » dans acc.yaml), place les vôtres
à la suite, vérifie les documents reçus et envoie le tout. L'historique reste
une seule ligne ; chaque document étant un fichier, deux formateurs qui ont
travaillé sur des documents différents n'ont jamais de conflit.

Un même document modifié des deux côtés arrête la synchronisation sans rien
perdre : votre branche ne bouge pas, vos commits sont aussi gardés sur une
branche acc-conflit-…, et la version du dépôt partagé est écrite dans
conflits/<chemin du document>. Reportez dans le document le texte à garder,
puis « acc sync --resume » termine. Un document créé des deux côtés sous le
même nom est renommé (-2), un même identifiant de bénéficiaire aussi.

Codes de sortie : 0 synchronisé ; 1 arrêt sur un conflit (rien n'est perdu) ;
3 dépôt partagé non configuré, injoignable ou qui refuse l'envoi (votre dépôt
est alors laissé tel qu'il était).`,
		Example: `  acc sync
  acc sync --resume                     # après avoir reporté le texte à garder
  acc sync --resume --garder distante   # prendre la version du dépôt partagé`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runSync(o)
		},
	}
	c.Flags().BoolVar(&o.Resume, "resume", false, "terminer une synchronisation arrêtée sur un conflit")
	c.Flags().StringVar(&o.Keep, "garder", "", "avec --resume : `VERSION` à garder pour chaque document en conflit, locale (la vôtre) ou distante (celle du dépôt partagé)")
	c.Flags().BoolVar(&o.Abort, "annuler", false, "abandonner une synchronisation arrêtée sur un conflit (vos documents restent tels quels)")
	_ = c.RegisterFlagCompletionFunc("garder", completeFixed("locale", "distante"))
	return c
}

// runSync exchanges the commits with the shared repository: after a
// conflict, --resume records the trainer's choice first and --annuler
// gives up.
func runSync(o *syncOptions) error {
	switch {
	case o.Keep != "" && o.Keep != "locale" && o.Keep != "distante":
		return usageErr("--garder %s : « locale » ou « distante » attendu", termtext.Arg(o.Keep))
	case o.Keep != "" && !o.Resume:
		return usageErr("--garder va avec --resume")
	case o.Abort && o.Resume:
		return usageErr("--annuler et --resume s'excluent")
	}
	ws, err := o.Open()
	if err != nil {
		return err
	}
	unlock, err := o.Lock(ws)
	if err != nil {
		return err
	}
	defer unlock()
	if o.Abort {
		return o.abortSync(ws)
	}
	_, committer, err := o.Identity(ws)
	if err != nil {
		return err
	}
	findingsErr, err := o.resumeFirst(ws)
	if err != nil {
		return err
	}
	res, err := o.sync(ws, committer)
	if unclean := new(*gitstore.PurgeRemoteError); err != nil && errors.As(err, unclean) && res != nil {
		// The branch was synchronised: say so before naming what the erasure missed.
		o.printSync(res)
	}
	if err != nil {
		return o.syncError(res, err)
	}
	if res.Conflict != nil {
		o.printConflict(res.Conflict)
		return findingsExit(errors.New("synchronisation arrêtée sur un conflit : rien n'est perdu"))
	}
	o.printSync(res)
	for _, k := range res.KeptBeside {
		fmt.Fprintf(o.IO.Err, "acc : %s a été modifié : conservé (supprimez-le quand vous n'en aurez plus besoin)\n", termtext.Line(k))
	}
	o.reportReceived(ws, res)
	o.noteUncommitted(ws)
	if findingsErr {
		return errFindings
	}
	return nil
}

// abortSync gives up a sync stopped on a conflict (--annuler).
func (o *syncOptions) abortSync(ws *workspace) error {
	pending, err := ws.store.PendingConflict()
	if err != nil {
		return repoErr(err)
	}
	if pending == nil {
		fmt.Fprintln(o.IO.Err, "acc : aucune synchronisation en attente")
		return nil
	}
	kept, err := ws.store.AbortSync()
	if err != nil {
		return repoErr(err)
	}
	for _, k := range kept {
		fmt.Fprintf(o.IO.Err, "acc : %s a été modifié : conservé\n", termtext.Line(k))
	}
	fmt.Fprintln(o.IO.Err, "acc : synchronisation abandonnée ; vos documents sont tels que vous les avez laissés (relancez acc sync quand vous voulez)")
	return nil
}

// resumeFirst records, with --resume, the choice made on the pending
// conflict; findings tells whether the documents kept hold errors.
func (o *syncOptions) resumeFirst(ws *workspace) (findings bool, err error) {
	if !o.Resume {
		return false, nil
	}
	pending, err := ws.store.PendingConflict()
	if err != nil {
		return false, repoErr(err)
	}
	if pending == nil {
		fmt.Fprintln(o.IO.Err, "acc : aucune synchronisation en attente : synchronisation normale")
		return false, nil
	}
	return o.resolveConflict(ws, pending, o.Keep)
}

// sync runs the store's sync with acc's policy, and says its notes.
func (o *syncOptions) sync(ws *workspace, committer gitstore.Signature) (*gitstore.SyncResult, error) {
	rep := o.Progress()
	defer rep.Clear()
	ws.store.Progress = storeProgress(rep)
	res, err := ws.store.Sync(o.Ctx, gitstore.SyncOptions{
		Remote:       ws.repo.Config.Remote,
		Resume:       o.Resume,
		Committer:    committer,
		Relocate:     relocator(ws),
		Rewrite:      rewriteID,
		FixupMessage: func(paths []string) string { return syncMessage(ws, "sync : versions intégrées rétablies", paths) },
	})
	rep.Clear()
	if res != nil {
		for _, n := range res.Notes {
			fmt.Fprintf(o.IO.Err, "acc : %s\n", termtext.Line(n))
		}
	}
	return res, err
}

// syncError maps Sync's errors to exit codes and says in what state the repository is.
func (o *syncOptions) syncError(res *gitstore.SyncResult, err error) error {
	var pending *gitstore.ConflictPendingError
	var re *gitstore.RemoteError
	switch {
	case errors.As(err, &pending):
		o.printConflict(pending.Conflict)
		return findingsExit(withHint(err))
	case errors.As(err, &re):
		switch {
		case res != nil && res.RolledBack:
			err = fmt.Errorf("%w ; votre dépôt est revenu à son état d'avant la synchronisation, rien n'est perdu", err)
		case re.Kind == gitstore.RemoteInterrupted || (res != nil && res.After != res.Before && !res.After.IsZero()):
			err = fmt.Errorf("%w ; les enregistrements reçus sont intégrés à votre dépôt, relancez acc sync pour envoyer les vôtres (rien n'est perdu)", err)
		default:
			err = fmt.Errorf("%w ; rien n'a été modifié", err)
		}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return repoErr(err)
}

// printSync writes what the sync did, on stdout.
func (o *syncOptions) printSync(res *gitstore.SyncResult) {
	switch {
	case res.Received == 0 && !res.Pushed:
		fmt.Fprintf(o.IO.Out, "Déjà à jour avec %s (%s).\n", termtext.Line(res.Remote), termtext.Line(res.Branch))
	default:
		fmt.Fprintf(o.IO.Out, "Synchronisé avec %s (%s) : %d enregistrement%s reçu%s, %d envoyé%s.\n", termtext.Line(res.Remote), termtext.Line(res.Branch),
			res.Received, syncPlural(res.Received), syncPlural(res.Received), res.Sent, syncPlural(res.Sent))
	}
	if res.Resumed {
		fmt.Fprintln(o.IO.Out, "Conflit résolu : synchronisation terminée.")
	}
	if res.Purges > 0 {
		fmt.Fprintf(o.IO.Out, "%d effacement%s (acc purge) appliqué%s à l'historique.\n", res.Purges, syncPlural(res.Purges), syncPlural(res.Purges))
	}
	// Relocations: a whole beneficiary (created on both sides), or single documents.
	moved := map[[2]string]bool{}
	for _, r := range res.Renamed {
		fromID, _, ok1 := casefile.SplitCasePath(r.From)
		toID, _, ok2 := casefile.SplitCasePath(r.To)
		if ok1 && ok2 && fromID != toID {
			if !moved[[2]string{fromID, toID}] {
				moved[[2]string{fromID, toID}] = true
				fmt.Fprintf(o.IO.Out, "Le bénéficiaire %s a aussi été créé par un collègue : le vôtre devient %s "+
					"(deux « Jean Dupont » sont deux personnes ; si c'est la même, regroupez les documents dans un seul dossier).\n", fromID, toID)
			}
			continue
		}
		fmt.Fprintf(o.IO.Out, "%s a aussi été créé par un collègue : votre version est enregistrée sous %s.\n", termtext.Line(r.From), termtext.Line(path.Base(r.To)))
	}
}

func syncPlural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// printConflict explains, on stderr, what conflicts and how to finish.
func (o *syncOptions) printConflict(c *gitstore.Conflict) {
	var b strings.Builder
	n := len(c.Files)
	if n == 1 {
		fmt.Fprintln(&b, "acc : synchronisation arrêtée : un document a été modifié de votre côté et sur le dépôt partagé. Rien n'est perdu.")
	} else {
		fmt.Fprintf(&b, "acc : synchronisation arrêtée : %d documents ont été modifiés de votre côté et sur le dépôt partagé. Rien n'est perdu.\n", n)
	}
	for _, f := range c.Files {
		mine, theirs := authorNames(f.LocalAuthors, "vous"), authorNames(f.RemoteAuthors, "un collègue")
		fmt.Fprintf(&b, "  %s\n", termtext.Line(f.Path))
		switch {
		case f.LocalDeleted:
			fmt.Fprintf(&b, "    votre version (%s) : supprimé\n", mine)
		case f.Added:
			fmt.Fprintf(&b, "    votre version (%s, créé aussi de l'autre côté) : dans le fichier lui-même\n", mine)
		default:
			fmt.Fprintf(&b, "    votre version (%s) : dans le fichier lui-même\n", mine)
		}
		if f.RemoteDeleted {
			fmt.Fprintf(&b, "    version du dépôt partagé (%s) : supprimé\n", theirs)
		} else {
			fmt.Fprintf(&b, "    version du dépôt partagé (%s) : %s\n", theirs, termtext.Line(f.Beside))
		}
	}
	if c.Branch != "" {
		fmt.Fprintf(&b, "Vos enregistrements sont aussi conservés sur la branche %s.\n", c.Branch)
	}
	b.WriteString("Pour terminer :\n")
	b.WriteString("  1. dans chaque document, reportez le texte à garder (comparez avec la version du dépôt partagé) ;\n")
	b.WriteString("     pour garder une suppression, supprimez le document ;\n")
	b.WriteString("  2. lancez « acc sync --resume ».\n")
	b.WriteString("Sans rien modifier : « acc sync --resume --garder distante » prend la version du dépôt partagé,\n")
	b.WriteString("« acc sync --resume --garder locale » garde la vôtre. « acc sync --annuler » abandonne.\n")
	fmt.Fprint(o.IO.Err, b.String())
}

func authorNames(list []string, fallback string) string {
	if len(list) == 0 {
		return fallback
	}
	return strings.Join(list, ", ")
}

// resolveConflict records the trainer's choice for each conflicting document as one
// commit (Acc-Action: sync) before the sync resumes. keep is "", "locale" or
// "distante". A document holding sensitive data stops everything (exit 1).
func (o *syncOptions) resolveConflict(ws *workspace, c *gitstore.Conflict, keep string) (findings bool, err error) {
	changes, rels, check, err := conflictChoice(ws, c, keep)
	if err != nil || len(changes) == 0 {
		return false, err
	}
	if len(check) > 0 {
		fs, err := o.checkFiles(ws, check)
		if err != nil {
			return false, err
		}
		if bad := sensitive(fs); len(bad) > 0 {
			o.printFindings(bad)
			return false, findingsExit(fmt.Errorf("%s contient une donnée interdite (numéro de sécurité sociale ou IBAN) : "+
				"supprimez-la puis relancez acc sync --resume ; rien n'a été enregistré ni envoyé", bad[0].Path))
		}
		findings = o.printFindings(fs)
	}
	author, committer, err := o.Identity(ws)
	if err != nil {
		return false, err
	}
	msg := syncMessage(ws, "sync : conflit résolu", rels)
	if _, err := ws.store.Commit(o.Ctx, changes, msg, author, committer); err != nil && !errors.Is(err, gitstore.ErrNoChanges) {
		return false, repoErr(err)
	}
	fmt.Fprintf(o.IO.Err, "acc : votre choix est enregistré (%s)\n", termtext.Line(strings.Join(rels, ", ")))
	return findings, nil
}

// conflictChoice reads the trainer's choice on each conflicting document:
// the changes to commit, the paths they touch (rels) and the case files to
// check. A document changed since the conflict refuses --garder.
func conflictChoice(ws *workspace, c *gitstore.Conflict, keep string) (changes []gitstore.Change, rels, check []string, err error) {
	for _, f := range c.Files {
		if f.Outside {
			// Outside the case-file folder acc does not write: what the branch holds
			// (committed with git) is the choice.
			if keep == "distante" {
				return nil, nil, nil, usageErr("%s est hors du dossier acc : enregistrez la version voulue avec git, puis relancez acc sync --resume", f.Path)
			}
			continue
		}
		abs := ws.repo.Abs(f.Path)
		disk, derr := os.ReadFile(abs)
		onDisk := derr == nil
		headHash, inHead, err := ws.store.HeadBlob(f.Path)
		if err != nil {
			return nil, nil, nil, repoErr(err)
		}
		same := onDisk == inHead && (!onDisk || gitstore.BlobHash(disk) == headHash)
		switch keep {
		case "locale":
			if !same {
				return nil, nil, nil, usageErr("%s a été modifié depuis le conflit : sans --garder, c'est ce texte qui est gardé ; rien n'a été fait", f.Path)
			}
		case "distante":
			data, ok, err := ws.store.RemoteVersion(f)
			if err != nil {
				return nil, nil, nil, repoErr(err)
			}
			remoteSame := onDisk == ok && (!onDisk || bytes.Equal(disk, data))
			if !same && !remoteSame {
				return nil, nil, nil, usageErr("%s a été modifié depuis le conflit : sans --garder, c'est ce texte qui est gardé ; rien n'a été fait", f.Path)
			}
			if remoteSame && same {
				continue
			}
			if ok {
				changes = append(changes, gitstore.Change{Path: f.Path, Content: data})
			} else {
				changes = append(changes, gitstore.Change{Path: f.Path, Delete: true})
			}
			rels = append(rels, f.Path)
		default:
			if same {
				continue
			}
			changes = append(changes, gitstore.Change{Path: f.Path, FromDisk: onDisk, Delete: !onDisk})
			rels = append(rels, f.Path)
			if _, base, ok := casefile.SplitCasePath(f.Path); ok && onDisk && casefile.IsCaseFileName(base) {
				check = append(check, f.Path)
			}
		}
	}
	return changes, rels, check, nil
}

// syncMessage is the message of a commit acc sync writes: the subject, the ids and
// types touched as trailers (never a name), Acc-Action: sync.
func syncMessage(ws *workspace, subject string, paths []string) string {
	var ids, types []string
	for _, p := range paths {
		if id, base, ok := casefile.SplitCasePath(p); ok {
			ids = append(ids, id)
			if t := docType(ws, base); t != "" {
				types = append(types, t)
			}
		}
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		uniq := ids[:1]
		for _, id := range ids[1:] {
			if id != uniq[len(uniq)-1] {
				uniq = append(uniq, id)
			}
		}
		if len(uniq) <= 3 {
			subject += " (" + strings.Join(uniq, ", ") + ")"
		}
	}
	return casefile.CommitMessage{Subject: subject, Action: casefile.ActionSync, Beneficiaries: ids, Types: types}.String()
}

// relocator decides where our copy of a document created on both sides goes: an
// interview takes the next free suffix (-2, -3 …, as acc new does on one day); a
// record sheet means the same id was given to two beneficiaries: ours takes the next
// free id, with all the documents we created in that folder.
func relocator(ws *workspace) func(string, func(string) bool) (string, string, bool) {
	isType := func(s string) bool { _, ok := ws.rank(s); return ok }
	return func(p string, exists func(string) bool) (string, string, bool) {
		id, base, ok := casefile.SplitCasePath(p)
		if !ok {
			return "", "", false
		}
		if base == casefile.FicheFile {
			for n := 2; n < 1000; n++ {
				nid := suffixedID(id, n)
				if casefile.CheckID(nid) != nil || exists(casefile.BeneficiaryDir(nid)+"/") {
					continue
				}
				return casefile.BeneficiaryDir(id) + "/", casefile.BeneficiaryDir(nid) + "/", true
			}
			return "", "", false
		}
		fn, ok := casefile.ParseFileName(base, isType)
		if !ok {
			return "", "", false
		}
		for n := max(fn.N, 1) + 1; n < 1000; n++ {
			fn.N = n
			np := path.Join(casefile.BeneficiariesDir, id, fn.String())
			if !exists(np) {
				return p, np, true
			}
		}
		return "", "", false
	}
}

// suffixedID is id-n, cut to the 64 characters an id may hold.
func suffixedID(id string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(id)+len(suffix) > 64 {
		id = strings.TrimRight(id[:64-len(suffix)], "-")
	}
	return id + suffix
}

var frontKey = regexp.MustCompile(`^(id|beneficiaire)(\s*:\s*)(["']?)([a-z0-9-]+)(["']?)(\s*(?:#.*)?)$`)

// rewriteID adapts a document moved to another beneficiary's folder: the id (fiche.md)
// or beneficiaire (interviews) of its frontmatter becomes the new folder's id. The rest
// of the file is kept byte for byte.
func rewriteID(from, to string, content []byte) []byte {
	fromID, _, ok1 := casefile.SplitCasePath(from)
	toID, _, ok2 := casefile.SplitCasePath(to)
	if !ok1 || !ok2 || fromID == toID {
		return content
	}
	lines := bytes.SplitAfter(content, []byte("\n"))
	inFront, seenOpen := false, false
	for i, l := range lines {
		t := strings.TrimRight(string(l), "\r\n")
		if i == 0 {
			t = strings.TrimPrefix(t, "\ufeff")
		}
		if strings.TrimSpace(t) == "---" {
			if !seenOpen {
				seenOpen, inFront = true, true
				continue
			}
			break
		}
		if !seenOpen {
			if strings.TrimSpace(t) != "" {
				break
			}
			continue
		}
		if !inFront {
			break
		}
		m := frontKey.FindStringSubmatch(t)
		if m == nil || m[4] != fromID {
			continue
		}
		eol := string(l[len(strings.TrimRight(string(l), "\r\n")):])
		lines[i] = []byte(m[1] + m[2] + m[3] + toID + m[5] + m[6] + eol)
	}
	return bytes.Join(lines, nil)
}

// reportReceived validates the documents the sync changed and prints the findings, for
// information: they are the team's documents, the exit code does not change.
func (o *syncOptions) reportReceived(ws *workspace, res *gitstore.SyncResult) {
	var rels []string
	for _, p := range res.Changed {
		if _, base, ok := casefile.SplitCasePath(p); ok && casefile.IsCaseFileName(base) {
			if _, err := os.Lstat(ws.repo.Abs(p)); err == nil {
				rels = append(rels, p)
			}
		}
	}
	if len(rels) == 0 {
		return
	}
	fs, err := o.checkFiles(ws, rels)
	if err != nil {
		fmt.Fprintf(o.IO.Err, "acc : vérification des documents reçus impossible : %v\n", err)
		return
	}
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(o.IO.Err, "acc : constats dans les documents reçus ou renommés (%d) :\n", len(fs))
	o.printFindings(fs)
}

// noteUncommitted reminds that changes not recorded were not sent.
func (o *syncOptions) noteUncommitted(ws *workspace) {
	changed, deleted, untracked, err := ws.store.WorkChanges(casefile.BeneficiariesDir, casefile.IsCaseFileName)
	if err != nil {
		return
	}
	n := len(changed) + len(deleted) + len(untracked)
	if n > 0 {
		fmt.Fprintf(o.IO.Err, "acc : %d document%s modifié%s mais non enregistré%s n'%s pas été envoyé%s : acc commit, puis acc sync\n",
			n, syncPlural(n), syncPlural(n), syncPlural(n), map[bool]string{true: "ont", false: "a"}[n > 1], syncPlural(n))
	}
}

// storeProgress words the Store's long steps for the progress line: the
// exchanges with the remote, in kilobytes, and those of an erasure the
// remote brings.
func storeProgress(rep progress.Reporter) func(gitstore.Phase, int, int) {
	if rep == progress.Nop {
		return nil
	}
	erasure := purgeProgress(rep, false)
	return func(p gitstore.Phase, done, total int) {
		switch p {
		case gitstore.PhaseReceive:
			rep.Report("Réception", done, 0, "Ko")
		case gitstore.PhaseSend:
			rep.Report("Envoi", done, 0, "Ko")
		case gitstore.PhaseCheckout:
			rep.Report("Écriture des fichiers reçus", done, total, "fichiers")
		default:
			erasure(p, done, total)
		}
	}
}
