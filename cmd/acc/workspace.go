package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// workspace is an opened case-file repository with its Git store and types.
type workspace struct {
	repo  *casefile.Repo
	reg   *templates.Registry
	store *gitstore.Store
	wd    string
	// warn receives the French warnings about case files left out of a
	// listing or a report (too large, alias bomb).
	warn io.Writer
}

// open opens the case-file repository around the working directory.
func (a *app) open() (*workspace, error) {
	wd, err := a.workDir()
	if err != nil {
		return nil, err
	}
	repo, err := casefile.Open(wd)
	if err != nil {
		return nil, err
	}
	// A rule setting acc.yaml gets wrong is a repository problem for every
	// command, found before anything is written, not after a commit.
	if _, err := validate.NewSettings(repo.Config, ""); err != nil {
		return nil, repoErr(err)
	}
	reg, err := validate.LoadRegistry(repo.Abs(casefile.AccDir))
	if err != nil {
		return nil, repoErr(a.relLoadError(err))
	}
	store, err := gitstore.Open(repo.Root)
	if err != nil {
		return nil, repoErr(err)
	}
	store.Clock = a.now
	store.Getenv = a.getenv
	store.Erasure = erasurePolicy
	return &workspace{repo: repo, reg: reg, store: store, wd: wd, warn: a.stderr}, nil
}

// loader loads cases from src (the work tree, or a past revision), with
// the repository's types, warning on ws.warn about the files it leaves out.
func (ws *workspace) loader(src casefile.Source) *casefile.Loader {
	return &casefile.Loader{Source: src, Types: ws.reg, Warn: ws.warnf}
}

// warnf writes a warning about a case file to ws.warn.
func (ws *workspace) warnf(msg string) {
	if ws.warn != nil {
		fmt.Fprintf(ws.warn, "acc : %s\n", msg)
	}
}

// lockTimeout returns ACC_LOCK_TIMEOUT (a Go duration such as "2s", or a
// number of seconds), 10 s by default.
func (a *app) lockTimeout() (time.Duration, error) {
	s := strings.TrimSpace(a.getenv("ACC_LOCK_TIMEOUT"))
	if s == "" {
		return 10 * time.Second, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), nil
	}
	return 0, usageErr("ACC_LOCK_TIMEOUT=« %s » : durée attendue, par exemple 10s ou 30", termtext.Arg(s))
}

// lock takes the repository lock; the returned func releases it (calling
// it again does nothing).
func (a *app) lock(ws *workspace) (func(), error) {
	timeout, err := a.lockTimeout()
	if err != nil {
		return nil, err
	}
	unlock, err := ws.store.Lock(a.ctx, timeout, a.stderr)
	if err != nil {
		return nil, repoErr(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			if err := unlock(); err != nil {
				fmt.Fprintf(a.stderr, "acc : libération du verrou : %v\n", err)
			}
		})
	}
	if err := a.finishInterruptedPurge(ws); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// identity returns the author and committer of the next commit: the trainer's
// own Git identity, else acc.yaml's formateur with a hint.
func (a *app) identity(ws *workspace) (author, committer gitstore.Signature, err error) {
	author, committer, ok, err := ws.store.Identity()
	if err != nil {
		return author, committer, repoErr(err)
	}
	if !ok {
		name := ws.repo.Config.Formateur
		if name == "" {
			return author, committer, usageErr("qui êtes-vous ? Git ne connaît pas votre nom et acc.yaml n'a pas de « formateur » : lancez git config --global user.name \"Prénom Nom\"")
		}
		fmt.Fprintf(a.stderr, "acc : Git ne connaît pas votre nom, « %s » (acc.yaml) est utilisé ; pour signer en votre nom : git config --global user.name \"Prénom Nom\"\n", name)
		author.Name, committer.Name = name, name
	}
	return author, committer, nil
}

// relLoadError shows the path of a broken type or template file relative to
// the working directory, as every other path acc prints.
func (a *app) relLoadError(err error) error {
	var pe *poserr.Error
	if errors.As(err, &pe) && filepath.IsAbs(pe.Path) {
		c := *pe
		c.Path = a.relPath(pe.Path)
		return &c
	}
	return err
}

// lockAsTrainer takes the repository lock and reads who is writing: what
// every command that commits needs first. The lock is released again when
// the identity can't be read.
func (a *app) lockAsTrainer(ws *workspace) (unlock func(), author, committer gitstore.Signature, err error) {
	if unlock, err = a.lock(ws); err != nil {
		return nil, author, committer, err
	}
	if author, committer, err = a.identity(ws); err != nil {
		unlock()
		return nil, author, committer, err
	}
	return unlock, author, committer, nil
}
