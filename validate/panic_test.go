package validate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/bug"
)

// panicCache is a Cache with a bug: it panics in the worker goroutine that
// checks a beneficiary.
type panicCache struct{}

func (panicCache) Get(string) ([]byte, bool) { panic("cache en panne") }
func (panicCache) Put(string, []byte) error  { return nil }

// A panic in a worker goroutine does not kill the process: it is raised
// again in the caller's goroutine as a *bug.Panic with the worker's stack,
// where the command line turns it into exit 4.
func TestRunWorkerPanic(t *testing.T) {
	root := genRepo(t, 6)
	var got any
	func() {
		defer func() { got = recover() }()
		Run(context.Background(), RunOptions{Root: root, Today: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Cache: panicCache{}, Workers: 3}, &Counter{})
	}()
	p, ok := got.(*bug.Panic)
	if !ok {
		t.Fatalf("recovered %v (%T), want a *bug.Panic", got, got)
	}
	if p.Value != "cache en panne" || !strings.Contains(string(p.Stack), "panic_test.go") {
		t.Errorf("value %v, stack of the worker expected:\n%s", p.Value, p.Stack)
	}
	var err error = p
	if !errors.As(err, new(*bug.Panic)) {
		t.Error("not an error the command line recognises")
	}
}
