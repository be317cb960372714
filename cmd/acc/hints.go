package main

import (
	"errors"
	"fmt"

	"github.com/acc-formation/acc/internal/gitstore"
)

// withHint adds to an error of the store the next step the trainer can take: the store
// says what happened (typed errors), the command layer says which acc command to run.
func withHint(err error) error {
	var (
		noRemote *gitstore.NoRemoteError
		conflict *gitstore.ConflictPendingError
		refused  *gitstore.PurgeRefusedError
		pending  *gitstore.PurgePendingError
		unclean  *gitstore.PurgeRemoteError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &noRemote):
		return fmt.Errorf("%w : ajoutez-le avec « git remote add %s ADRESSE » "+
			"(ou rejoignez le dépôt de l'équipe avec « acc clone ADRESSE DOSSIER »)", err, noRemote.Name)
	case errors.As(err, &conflict):
		return fmt.Errorf("%w : terminez-la avec « acc sync --resume » (ou « acc sync --annuler »)", err)
	case errors.As(err, &refused) && refused.SyncPending:
		return fmt.Errorf("%w : terminez-la (« acc sync --resume ») puis recommencez", err)
	case errors.As(err, &pending):
		return fmt.Errorf("%w ; terminez-le avec « acc purge --appliquer »", err)
	case errors.Is(err, gitstore.ErrPurgeDuringConflict):
		return fmt.Errorf("%w : abandonnez-la (« acc sync --annuler ») puis relancez « acc sync »", err)
	case errors.As(err, &unclean):
		return fmt.Errorf("%w ; si la forge protège ces références, autorisez-y la réécriture (« force push ») "+
			"ou supprimez-les, puis relancez « acc sync »", err)
	}
	return err
}

// doctorAdvice gives the acc command that fixes a problem the store's doctor found.
func doctorAdvice(c gitstore.Check) string {
	if c.ID == "effacements" && c.Status == gitstore.CheckProblem {
		return "acc purge --appliquer"
	}
	return c.Advice
}
