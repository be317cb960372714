package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/validate"
)

// Exit codes (DESIGN §4).
const (
	exitOK       = 0
	exitFindings = 1 // work done, findings remain; sync stopped on a conflict
	exitUsage    = 2 // bad usage or bad input: nothing written
	exitRepo     = 3 // not a case-file repository, lock held, Git failure
	exitInternal = 4 // a bug: should never happen

	exitInterrupted = 130 // Ctrl-C or SIGTERM, as shells report 128+SIGINT
)

// exitError carries the exit code a command chose for an error whose kind
// only the command knows (a bad flag, a file named on the command line, a
// conflict that stops sync). It is built by usageErr, repoErr and
// findingsExit only; exitCode reads it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr reports bad usage or bad input (exit 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// repoErr reports a repository problem (exit 3).
func repoErr(err error) error { return &exitError{code: exitRepo, err: withHint(err)} }

// findingsExit reports work stopped with nothing lost but something left for
// the trainer to do (exit 1), such as a sync stopped on a conflict.
func findingsExit(err error) error { return &exitError{code: exitFindings, err: err} }

// errFindings is returned when the work was done but findings remain; the
// findings have been printed already.
var errFindings = findingsExit(errors.New(""))

// exitCode maps an error to the process exit code, in one place (DESIGN §4,
// README « Codes de sortie »). The first row that matches wins:
//
//	error                                              exit
//	nil                                                0
//	context.Canceled (Ctrl-C, SIGTERM)                 130
//	*bug.Panic, wrapped in anything (a bug)            4
//	validate.ErrPath (a path named on the command
//	  line that validate cannot check)                 2
//	usageErr, repoErr, findingsExit, errFindings       2, 3, 1, 1
//	casefile.ErrNotRepo                                3
//	*poserr.Error (acc.yaml, a type or template, a
//	  Git config file: the repository is broken)       3
//	anything else (Git, the file system)               3
//
// A bad input file named on the command line (a CSV to import) is a
// *poserr.Error too: its command wraps it with usageErr (exit 2).
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		// Ctrl-C wins over the wrapping (a lock wait interrupted is not a
		// repository problem).
		return exitInterrupted
	case errors.As(err, new(*bug.Panic)):
		// Before exitError: a panic carried back from a goroutine may have
		// been wrapped as a repository error on its way.
		return exitInternal
	case errors.Is(err, validate.ErrPath):
		// Whoever wrapped it, the path came from the command line.
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, casefile.ErrNotRepo), errors.As(err, new(*poserr.Error)):
		return exitRepo
	}
	return exitRepo
}
