package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/acc-formation/acc/internal/gitstore"
)

// TestHints: the store's errors about sync and purge name no acc command; the command
// layer adds the one to run.
func TestHints(t *testing.T) {
	for _, c := range []struct {
		err  error
		hint string
	}{
		{&gitstore.NoRemoteError{Name: "origin"}, "« acc clone ADRESSE DOSSIER »"},
		{&gitstore.ConflictPendingError{}, "« acc sync --resume »"},
		{&gitstore.PurgeRefusedError{Msg: "une synchronisation est inachevée", SyncPending: true}, "« acc sync --resume »"},
		{&gitstore.PurgePendingError{}, "« acc purge --appliquer »"},
		{gitstore.ErrPurgeDuringConflict, "« acc sync --annuler »"},
		{&gitstore.PurgeRemoteError{Refs: []string{"refs/heads/archive"}}, "relancez « acc sync »"},
	} {
		if strings.Contains(c.err.Error(), "acc ") {
			t.Errorf("the store names a command: %q", c.err)
		}
		got := repoErr(c.err).Error()
		if !strings.HasPrefix(got, c.err.Error()) || !strings.Contains(got, c.hint) {
			t.Errorf("%T: %q lacks %q", c.err, got, c.hint)
		}
		var ee *exitError
		if !errors.As(repoErr(c.err), &ee) || ee.code != exitRepo {
			t.Errorf("%T: exit code", c.err)
		}
	}
	if got := repoErr(errors.New("autre")).Error(); got != "autre" {
		t.Errorf("an error without hint changed: %q", got)
	}
}
