package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/progress"
	"github.com/acc-formation/acc/internal/termtext"
)

// erasurePolicy tells the store who a beneficiary is and what names them (the domain's
// rules, in casefile).
var erasurePolicy = &gitstore.PurgePolicy{
	Dir:     casefile.BeneficiariesDir,
	Fiche:   casefile.FicheFile,
	CheckID: casefile.CheckID,
	Names:   casefile.FicheNames,
	Matcher: casefile.MentionMatcher,
}

// purgeOptions are acc purge's argument and flags and what it needs from
// outside.
type purgeOptions struct {
	deps
	ID     string // the beneficiary to erase; "" with Apply
	Yes    bool   // no confirmation asked
	DryRun bool
	Apply  bool // apply the erasures recorded in .acc/purges
}

func (a *app) purgeCmd() *cobra.Command {
	o := &purgeOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "purge ID [--yes] | purge --appliquer",
		Short: "Effacer un bénéficiaire des fichiers et de tout l'historique (droit à l'effacement)",
		Long: `Efface définitivement le dossier d'un bénéficiaire : ses fichiers, et toute trace
dans l'historique Git de ce dépôt (chaque commit de chaque branche, étiquette et
branche distante suivie, les messages qui le nomment, les journaux de
références, les objets Git, le cache d'acc). L'effacement est enregistré par un
commit « purge : dossier effacé » qui ne contient qu'une empreinte, jamais
l'identifiant ni le nom : acc sync l'applique ensuite aux autres copies du dépôt
et au dépôt partagé.

acc montre d'abord ce qui sera effacé, puis demande de retaper l'identifiant
(ou --yes, pour un script). Sans terminal et sans --yes, rien n'est effacé
(code 2).

--appliquer applique à cette copie les effacements enregistrés dans
.acc/purges (après un « git pull », par exemple) et termine un effacement
interrompu.`,
		Example: `  acc purge jean-dupont --dry-run
  acc purge jean-dupont
  acc purge b-2026-k7f3 --yes
  acc purge --appliquer`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case o.Apply && (len(args) > 0 || o.DryRun):
				return usageErr("--appliquer ne prend ni identifiant ni --dry-run")
			case !o.Apply && len(args) == 0:
				return usageErr("identifiant manquant : acc purge ID (voir « acc list beneficiaires »)")
			case !o.Apply:
				o.ID = args[0]
			}
			return runPurge(o)
		},
	}
	f := c.Flags()
	f.BoolVar(&o.Yes, "yes", false, "effacer sans demander de retaper l'identifiant")
	f.BoolVarP(&o.DryRun, "dry-run", "n", false, "montrer ce qui serait effacé, sans rien effacer")
	f.BoolVar(&o.Apply, "appliquer", false, "appliquer à cette copie les effacements enregistrés (.acc/purges)")
	return c
}

// finishInterruptedPurge finishes an erasure that a kill interrupted, before any other
// command writes (called with the lock held): until it is finished, a commit or a sync
// could keep or send what was being erased.
func (a *app) finishInterruptedPurge(ws *workspace) error {
	if !ws.store.PendingPurge() {
		return nil
	}
	fmt.Fprintln(a.stderr, "acc : un effacement (acc purge) a été interrompu : il est terminé d'abord")
	author, committer, ok, err := ws.store.Identity()
	if err != nil {
		return repoErr(err)
	}
	if !ok {
		author.Name = ws.repo.Config.Formateur
		if author.Name == "" {
			author.Name = "acc"
		}
		committer.Name = author.Name
	}
	rep, err := ws.store.ResumePurge(a.ctx, author, committer)
	if err != nil {
		return purgeErr(fmt.Errorf("%w ; relancez « acc purge --appliquer » pour le terminer", err))
	}
	if rep != nil {
		printPurgeDone(a.stderr, rep)
	}
	return nil
}

// purgeErr maps the store's erasure errors to exit codes and chooses the hint.
func purgeErr(err error) error {
	var unknown *gitstore.PurgeUnknownError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &unknown):
		return usageErr("%v : rien n'a été effacé", err)
	case errors.Is(err, casefile.ErrBadID):
		return usageErr("%v", err)
	}
	return repoErr(err)
}

// runPurge erases a beneficiary from the files and the whole history,
// after showing what will go and a confirmation; with Apply, it applies the
// erasures recorded by others.
func runPurge(o *purgeOptions) error {
	if o.Apply {
		return o.applyPurges()
	}
	id := o.ID
	if err := casefile.CheckName(id); err != nil {
		return usageErr("%v", err)
	}
	if err := casefile.CheckID(id); err != nil {
		return usageErr("%v", err)
	}
	ws, err := o.Open()
	if err != nil {
		return err
	}
	rep := o.Progress()
	defer rep.Clear()
	plan, err := o.plan(ws, rep)
	if plan == nil || err != nil {
		return err
	}
	printPurgePlan(o.IO.Out, plan)
	if o.DryRun {
		fmt.Fprintln(o.IO.Out, "Simulation : rien n'a été effacé.")
		return nil
	}
	if err := o.confirm(); err != nil {
		return err
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	ws.store.Progress = purgeProgress(rep, false)
	done, err := ws.store.Purge(o.Ctx, id, author, committer)
	rep.Clear()
	if err != nil {
		if done != nil && len(done.Refs) > 0 {
			fmt.Fprintln(o.IO.Err, "acc : l'effacement a été interrompu ; relancez « acc purge --appliquer » pour le terminer")
		}
		return purgeErr(err)
	}
	printPurgeDone(o.IO.Out, done)
	return nil
}

// plan says what erasing o.ID would do, after finishing an interrupted
// erasure (which may have been this one: then nil, nil, said on stdout).
func (o *purgeOptions) plan(ws *workspace, rep progress.Reporter) (*gitstore.PurgeReport, error) {
	ws.store.Progress = purgeProgress(rep, true)
	finished := false
	if ws.store.PendingPurge() {
		// Finish the interrupted erasure first (taking the lock does): it
		// may be this one.
		unlock, err := o.Lock(ws)
		if err != nil {
			return nil, err
		}
		unlock()
		finished = true
	}
	plan, err := ws.store.PlanPurge(o.Ctx, o.ID)
	rep.Clear()
	if err == nil {
		return plan, nil
	}
	var unknown *gitstore.PurgeUnknownError
	if finished && errors.As(err, &unknown) {
		fmt.Fprintf(o.IO.Out, "Plus rien à effacer pour « %s ».\n", o.ID)
		return nil, nil
	}
	if errors.As(err, &unknown) {
		ids, _ := ws.repo.Beneficiaries()
		if s := casefile.Suggest(o.ID, ids); s != "" {
			return nil, usageErr("%v : vouliez-vous dire « %s » ? Rien n'a été effacé", err, s)
		}
	}
	return nil, purgeErr(err)
}

// confirm asks to type the id again, unless --yes; without a terminal,
// --yes is required.
func (o *purgeOptions) confirm() error {
	if o.Yes {
		return nil
	}
	if !o.Prompter.interactive() {
		return usageErr("confirmation requise : relancez dans un terminal pour retaper l'identifiant, ou ajoutez --yes ; rien n'a été effacé")
	}
	ans, err := o.Prompter.prompt(fmt.Sprintf("Effacement définitif. Pour confirmer, tapez l'identifiant (%s) : ", o.ID))
	if err != nil || ans != o.ID {
		return usageErr("confirmation incorrecte : rien n'a été effacé")
	}
	return nil
}

// purgeProgress words an erasure's steps for the progress line; planning:
// the history is only gone through, to say what the erasure would do.
func purgeProgress(rep progress.Reporter, planning bool) func(gitstore.Phase, int, int) {
	if rep == progress.Nop {
		return nil
	}
	return func(p gitstore.Phase, done, total int) {
		switch {
		case p == gitstore.PhaseRewrite && planning:
			rep.Report("Examen de l'historique", done, total, "commits")
		case p == gitstore.PhaseRewrite:
			rep.Report("Réécriture de l'historique", done, total, "commits")
		case p == gitstore.PhaseRepack:
			rep.Report("Compactage", done, total, "objets")
		}
	}
}

// applyPurges applies to this copy the erasures recorded in .acc/purges,
// and finishes an interrupted one.
func (o *purgeOptions) applyPurges() error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	prog := o.Progress()
	defer prog.Clear()
	ws.store.Progress = purgeProgress(prog, false)
	resumed, err := ws.store.ResumePurge(o.Ctx, author, committer)
	prog.Clear()
	if err != nil {
		return purgeErr(err)
	}
	if resumed != nil {
		fmt.Fprintln(o.IO.Out, "Effacement interrompu terminé.")
		printPurgeDone(o.IO.Out, resumed)
	}
	records, err := ws.store.PurgeRecords(gitstore.Hash{})
	if err != nil {
		return repoErr(err)
	}
	rep, err := ws.store.ApplyPurges(o.Ctx, records)
	prog.Clear()
	if err != nil {
		return purgeErr(err)
	}
	if len(rep.IDs) == 0 {
		if resumed == nil {
			fmt.Fprintf(o.IO.Out, "%s enregistré(s) dans %s : rien à effacer dans cette copie.\n", countOf(len(records), "effacement", "effacements"), gitstore.PurgeRecordsFile)
		}
		return nil
	}
	printPurgeDone(o.IO.Out, rep)
	return nil
}

func countOf(n int, one, many string) string {
	if n <= 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func refShort(name string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/", "refs/remotes/"} {
		if strings.HasPrefix(name, p) {
			return strings.TrimPrefix(name, p)
		}
	}
	return name
}

// printPurgePlan says what an erasure will do.
func printPurgePlan(w io.Writer, p *gitstore.PurgeReport) {
	id := p.IDs[0]
	fmt.Fprintf(w, "Effacement de « %s » :\n", id)
	fmt.Fprintf(w, "  - le dossier %s/%s : %s sur le disque (y compris ceux qui ne sont pas enregistrés) ;\n",
		casefile.BeneficiariesDir, id, countOf(p.Files, "fichier", "fichiers"))
	if p.Commits > 0 {
		fmt.Fprintf(w, "  - l'historique : présent dans %s ; %s, dont %s (ils ne concernaient que cette personne) ;\n",
			countOf(p.Commits, "commit", "commits"), countOf(p.Rewritten, "commit réécrit", "commits réécrits"),
			countOf(p.Dropped, "supprimé", "supprimés"))
	} else {
		fmt.Fprintln(w, "  - l'historique : aucun commit ne contient ce dossier ;")
	}
	if len(p.Refs) > 0 {
		var names []string
		for _, r := range p.Refs {
			names = append(names, refShort(r.Name))
		}
		fmt.Fprintf(w, "  - références réécrites : %s ;\n", strings.Join(names, ", "))
	}
	fmt.Fprintln(w, "  - les journaux de références (reflog), les objets Git devenus inutiles et le cache d'acc.")
	printRefAdvice(w, p.Refs)
	fmt.Fprintln(w, "C'est définitif : rien ne pourra être récupéré depuis ce dépôt.")
}

// refAdvice says, for a reference outside branches, tags and remote-tracking branches,
// what the erasure does to it and what is left to do ("" for the ordinary kinds).
func refAdvice(r gitstore.RefChange) string {
	switch {
	case strings.HasPrefix(r.Name, "refs/notes/"):
		return "notes Git : les notes qui nomment la personne sont supprimées, les autres suivent leurs commits réécrits"
	case strings.HasPrefix(r.Name, "refs/replace/") && r.New.IsZero():
		return "remplacement (git replace) supprimé : il remplaçait un commit réécrit ; recréez-le si besoin (git replace)"
	case strings.HasPrefix(r.Name, "refs/original/"):
		return "sauvegarde laissée par git filter-branch : réécrite ; supprimez-la si elle ne sert plus (git update-ref -d " + r.Name + ")"
	case strings.HasPrefix(r.Name, "refs/pull/"), strings.HasPrefix(r.Name, "refs/merge-requests/"):
		return "demande de fusion d'une forge : réécrite ici, mais la forge garde la sienne : demandez son effacement à l'administrateur"
	case strings.HasPrefix(r.Name, "refs/heads/"), strings.HasPrefix(r.Name, "refs/tags/"),
		strings.HasPrefix(r.Name, "refs/remotes/"), strings.HasPrefix(r.Name, "refs/acc/"):
		return ""
	case r.New.IsZero():
		return "référence supprimée (elle ne contenait que la personne)"
	}
	return "référence réécrite ; acc ne sait pas quel outil l'a créée : vérifiez qu'aucune copie n'en existe ailleurs"
}

func printRefAdvice(w io.Writer, refs []gitstore.RefChange) {
	for _, r := range refs {
		if a := refAdvice(r); a != "" {
			fmt.Fprintf(w, "  - %s : %s ;\n", r.Name, a)
		}
	}
}

// printPurgeDone says what an erasure did, and what it cannot do.
func printPurgeDone(w io.Writer, r *gitstore.PurgeReport) {
	what := "« " + strings.Join(r.IDs, " », « ") + " »"
	fmt.Fprintf(w, "Effacé : %s — %s, %s dont %s, %s, %s.\n", what,
		countOf(r.Files, "fichier", "fichiers"),
		countOf(r.Rewritten, "commit réécrit", "commits réécrits"), countOf(r.Dropped, "supprimé", "supprimés"),
		countOf(len(r.Refs), "référence mise à jour", "références mises à jour"),
		countOf(r.Objects, "objet Git supprimé", "objets Git supprimés"))
	printRefAdvice(w, r.Refs)
	if !r.Commit.IsZero() {
		fmt.Fprintf(w, "Effacement enregistré par le commit %s (%s) : une empreinte, sans identifiant ni nom.\n",
			r.Commit.String()[:10], gitstore.PurgeRecordsFile)
	}
	printPurgeLimits(w, r)
}

// printPurgeLimits tells plainly what acc cannot erase from here.
func printPurgeLimits(w io.Writer, r *gitstore.PurgeReport) {
	fmt.Fprintln(w, "Ce qu'acc ne peut pas effacer d'ici :")
	if len(r.Remotes) > 0 {
		fmt.Fprintf(w, "  - le dépôt partagé (%s) et les copies des autres formateurs : lancez « acc sync » ici, qui y publie\n"+
			"    l'effacement, puis sur chaque autre poste ; une copie qui ne se synchronise pas garde le dossier ;\n",
			termtext.Line(strings.Join(r.Remotes, ", ")))
		fmt.Fprintln(w, "  - une forge (GitLab, GitHub, Gitea…) peut garder les anciens commits accessibles par leur\n"+
			"    identifiant jusqu'à son propre nettoyage : demandez-le à l'administrateur ou à l'hébergeur ;")
	} else {
		fmt.Fprintln(w, "  - les copies de ce dépôt faites à la main (git clone, copie du dossier, clé USB) ;")
	}
	fmt.Fprintln(w, "  - les sauvegardes (poste, serveur) : le dossier y disparaîtra quand elles expireront ;")
	fmt.Fprintln(w, "  - les documents exportés (rapports HTML ou PDF, courriels, impressions).")
	if len(r.Mentions) > 0 {
		fmt.Fprintf(w, "Attention : ces fichiers nomment encore la personne (acc ne les modifie pas) : %s\n", termtext.Line(strings.Join(r.Mentions, ", ")))
	}
	for _, n := range r.RefNames {
		fmt.Fprintf(w, "Attention : la référence %s porte l'identifiant dans son nom : renommez-la (git branch -m).\n", termtext.Line(n))
	}
	if r.Alternates {
		fmt.Fprintln(w, "Attention : ce dépôt emprunte des objets à un autre (.git/objects/info/alternates) : effacez-y aussi.")
	}
}
