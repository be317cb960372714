package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
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

// exitError carries the exit code an error maps to.
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

// errFindings is returned when the work was done but findings remain; the
// findings have been printed already.
var errFindings = &exitError{code: exitFindings, err: errors.New("")}

// exitCode maps an error to the process exit code, in one place.
func exitCode(err error) int {
	var ee *exitError
	var pe *casefile.ParseError
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
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, casefile.ErrNotRepo), errors.As(err, &pe):
		return exitRepo
	}
	return exitRepo
}
