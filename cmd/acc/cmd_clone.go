package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/progress"
)

// cloneOptions are acc clone's arguments and what it needs from outside.
type cloneOptions struct {
	deps
	URL string
	Dir string // "" is the address's last part, as git clone
}

func (a *app) cloneCmd() *cobra.Command {
	o := &cloneOptions{deps: a.deps()}
	return &cobra.Command{
		Use:   "clone ADRESSE [DOSSIER]",
		Short: "Rejoindre le dépôt partagé de l'équipe (copie de travail sur ce poste)",
		Long: `Crée DOSSIER (par défaut le nom du dépôt) avec une copie des dossiers de
l'équipe, prête pour « acc sync ». ADRESSE est celle du dépôt sur la forge
du centre (https://… ou ssh://… ou git@serveur:chemin), ou un dossier
partagé contenant un dépôt nu. Les protocoles non chiffrés (http://, git://)
sont refusés, sauf vers cette machine (localhost) : les dossiers contiennent
des données personnelles.

https : le jeton d'accès est lu dans la variable ACC_GIT_TOKEN (et
ACC_GIT_USER), sinon dans ~/.git-credentials. ssh : votre clé (ssh-agent,
ou ~/.ssh/id_ed25519…) ; le serveur doit être connu de ~/.ssh/known_hosts.`,
		Example: `  acc clone https://forge.centre.fr/equipe/dossiers.git
  acc clone git@forge.centre.fr:equipe/dossiers.git mes-dossiers`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(c *cobra.Command, args []string) error {
			o.URL = args[0]
			if len(args) == 2 {
				o.Dir = args[1]
			}
			return runClone(o)
		},
	}
}

// checkURL refuses, as bad input, an address acc must not use.
func checkRemoteURL(url string) error {
	if err := gitstore.CheckRemoteURL(url); err != nil {
		return usageErr("%v", err)
	}
	if gitstore.URLHasPassword(url) {
		return usageErr("l'adresse %s contient un mot de passe ou un jeton, qui serait écrit en clair dans .git/config : "+
			"retirez-le de l'adresse et donnez-le dans la variable ACC_GIT_TOKEN", gitstore.RedactURL(url))
	}
	return nil
}

// defaultCloneDir is the folder git clone would choose: the last part of the address,
// without .git.
func defaultCloneDir(url string) string {
	u := strings.TrimRight(url, "/")
	if i := strings.LastIndexAny(u, "/:"); i >= 0 {
		u = u[i+1:]
	}
	u = strings.TrimSuffix(u, ".git")
	if u == "" || u == "." || u == ".." {
		return ""
	}
	return u
}

// absRemote makes a local path given as an address absolute (from the folder acc runs
// in, after -C), as git clone does: the address is stored in .git/config.
func (d deps) absRemote(url string) (string, error) {
	if strings.Contains(url, "://") || filepath.IsAbs(url) {
		return url, nil
	}
	if i := strings.IndexByte(url, ':'); i > 0 && !strings.ContainsAny(url[:i], "/\\") {
		return url, nil // user@host:path
	}
	wd, err := d.WorkDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, url), nil
}

// runClone makes a working copy of the team's shared repository.
func runClone(o *cloneOptions) error {
	if err := checkRemoteURL(o.URL); err != nil {
		return err
	}
	url, err := o.absRemote(o.URL)
	if err != nil {
		return err
	}
	dir := o.Dir
	if dir == "" {
		if dir = defaultCloneDir(url); dir == "" {
			return usageErr("impossible de tirer un nom de dossier de %s : indiquez-le (acc clone ADRESSE DOSSIER)", gitstore.RedactURL(url))
		}
	}
	wd, err := o.WorkDir()
	if err != nil {
		return err
	}
	abs := dir
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(wd, abs)
	}
	return o.cloneInto(url, abs)
}

// cloneInto clones the remote into abs, which must be absent or an empty folder outside
// any acc repository.
func (d deps) cloneInto(url, abs string) error {
	if fi, err := os.Stat(abs); err == nil {
		if !fi.IsDir() {
			return usageErr("%s existe et n'est pas un dossier", d.RelPath(abs))
		}
		if entries, err := os.ReadDir(abs); err != nil || len(entries) > 0 {
			return usageErr("%s existe et n'est pas vide : choisissez un autre dossier", d.RelPath(abs))
		}
	}
	if root, err := casefile.FindRoot(filepath.Dir(abs)); err == nil {
		return usageErr("%s est dans le dépôt acc %s : choisissez un dossier en dehors", d.RelPath(abs), d.RelPath(root))
	}
	timeout, err := d.LockTimeout()
	if err != nil {
		return err
	}
	rep := d.Progress()
	defer rep.Clear()
	_, res, err := gitstore.Clone(d.Ctx, url, abs, gitstore.CloneOptions{Getenv: d.Getenv, Clock: d.Now, LockTimeout: timeout,
		Warn: progress.Writer(d.IO.Err, rep), Progress: storeProgress(rep)})
	rep.Clear()
	if err != nil {
		var ie *gitstore.InsecureURLError
		switch {
		case errors.As(err, &ie):
			return usageErr("%v", err)
		case errors.Is(err, context.Canceled):
			return err
		}
		return repoErr(fmt.Errorf("%w ; rien n'a été créé", err))
	}
	rel := d.RelPath(abs)
	if res.EmptyRemote {
		fmt.Fprintf(d.IO.Out, "Dépôt partagé vide : dépôt Git préparé dans %s.\n", rel)
		fmt.Fprintf(d.IO.Err, "Prochaine étape : acc init -C %s --organisation \"Nom du centre\", puis acc -C %s sync pour le publier\n", rel, rel)
		return nil
	}
	docs := 0
	if repo, err := casefile.Open(abs); err == nil {
		if ids, err := repo.Beneficiaries(); err == nil {
			docs = len(ids)
		}
		fmt.Fprintf(d.IO.Out, "Dépôt de l'équipe copié dans %s : %d bénéficiaire%s.\n", rel, docs, syncPlural(docs))
		fmt.Fprintf(d.IO.Err, "Prochaine étape : cd %s ; « acc sync » échange vos enregistrements avec l'équipe\n", rel)
		return nil
	}
	fmt.Fprintf(d.IO.Out, "Dépôt copié dans %s.\n", rel)
	fmt.Fprintf(d.IO.Err, "acc : attention, ce dépôt ne contient pas de acc.yaml à sa racine : ce n'est peut-être pas un dépôt de dossiers acc\n")
	return nil
}

// join runs first in acc init --remote, before anything is written: it refuses an
// address acc must not use, and when the remote already holds the team's repository it
// clones it into dir instead (done is then true). An empty remote lets init go on;
// initPublish then pushes the first commit.
func (o *initOptions) join(dir string) (done bool, err error) {
	if err := checkRemoteURL(o.Remote); err != nil {
		return false, err
	}
	if o.Remote, err = o.absRemote(o.Remote); err != nil {
		return false, err
	}
	info, err := gitstore.ProbeRemote(o.Ctx, o.Remote, o.Getenv, 0)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return false, err
		}
		return false, repoErr(fmt.Errorf("%w ; rien n'a été créé", err))
	}
	if info.Empty {
		return false, nil
	}
	fmt.Fprintf(o.IO.Err, "acc : le dépôt partagé contient déjà les dossiers de l'équipe : copie dans %s (--organisation est ignoré)\n", o.RelPath(dir))
	return true, o.cloneInto(o.Remote, dir)
}

// initPublish configures the remote after init's first commit and publishes it.
func (d deps) initPublish(ws *workspace, url string) error {
	_, branch, err := ws.store.Head()
	if err != nil {
		return repoErr(err)
	}
	if err := ws.store.AddRemote(gitstore.DefaultRemote, url, branch); err != nil {
		return repoErr(err)
	}
	_, committer, err := d.Identity(ws)
	if err != nil {
		return err
	}
	res, err := ws.store.Sync(d.Ctx, gitstore.SyncOptions{Remote: gitstore.DefaultRemote, Committer: committer})
	if err != nil {
		return repoErr(fmt.Errorf("dépôt créé, mais sa publication a échoué : %w ; relancez acc sync", err))
	}
	if res.Pushed {
		fmt.Fprintf(d.IO.Out, "Publié sur %s : vos collègues le rejoignent avec « acc clone %s »\n", res.URL, res.URL)
	}
	return nil
}
