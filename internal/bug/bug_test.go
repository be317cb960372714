package bug

import (
	"errors"
	"strings"
	"testing"
)

func TestCallInGoroutine(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		done <- Call(func() error {
			set(nil) // a real runtime panic: assignment to entry in nil map
			return nil
		})
	}()
	err := <-done
	var p *Panic
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want a *Panic", err)
	}
	if strings.Contains(err.Error(), "nil map") {
		t.Errorf("the message shows the panic value: %q", err.Error())
	}
	if !strings.Contains(p.Detail(), "nil map") || !strings.Contains(p.Detail(), "bug_test.go") {
		t.Errorf("Detail lacks the value or the stack:\n%s", p.Detail())
	}
	// Raised again in the caller, the original stack is kept.
	var again error
	func() {
		defer Recover(&again)
		panic(p)
	}()
	if again != error(p) {
		t.Errorf("re-raised panic not kept: %v", again)
	}
	want := errors.New("ordinaire")
	if err := Call(func() error { return want }); err != want {
		t.Errorf("Call = %v, want the ordinary error", err)
	}
}

func set(m map[string]int) { m["x"] = 1 }
