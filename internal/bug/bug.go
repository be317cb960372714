// Package bug turns a panic — a bug in acc — into an error that reaches the
// command line, which reports it with exit 4 (DESIGN §4). A panic in a
// goroutine cannot be recovered by the goroutine that started it, so every
// goroutine acc starts runs its work through Call (or Recover), and its
// result carries the panic back to the command.
package bug

import (
	"fmt"
	"runtime/debug"
)

// Panic is a recovered panic: its value and the stack of the goroutine that
// panicked. Neither is shown to the user unless ACC_DEBUG=1: a panic value
// may quote data (a file name, a value) that is personal.
type Panic struct {
	Value any
	Stack []byte
}

// Error says only that it is a bug; the command line adds what to do.
func (p *Panic) Error() string { return "erreur interne d'acc" }

// Detail is the panic value and stack, for ACC_DEBUG=1.
func (p *Panic) Detail() string { return fmt.Sprintf("panic: %v\n\n%s", p.Value, p.Stack) }

// From returns r (a value recover returned) as a *Panic, keeping the
// original stack when r is already one (a panic carried from a goroutine
// and raised again).
func From(r any) *Panic {
	if p, ok := r.(*Panic); ok {
		return p
	}
	return &Panic{Value: r, Stack: debug.Stack()}
}

// Recover, deferred, turns a panic of the calling function into *errp:
//
//	defer bug.Recover(&err)
func Recover(errp *error) {
	if r := recover(); r != nil {
		*errp = From(r)
	}
}

// Call runs fn and returns its error, or its panic as a *Panic.
func Call(fn func() error) (err error) {
	defer Recover(&err)
	return fn()
}
