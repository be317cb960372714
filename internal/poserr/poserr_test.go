package poserr

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	cause := errors.New("clé inconnue")
	for _, c := range []struct {
		e    *Error
		want string
	}{
		{&Error{Path: "acc.yaml", Line: 3, Column: 5, Err: cause}, "acc.yaml:3:5: clé inconnue"},
		{&Error{Path: "import.csv", Line: 2, Err: cause}, "import.csv:2 : clé inconnue"},
		{&Error{Path: "../dehors.md", Err: cause}, "../dehors.md : clé inconnue"},
		// A column without a line says nothing a reader could find.
		{&Error{Path: "f", Column: 4, Err: cause}, "f : clé inconnue"},
		{At("types/a.yaml", 7, 2, "type « %s » inconnu", "chaine"), "types/a.yaml:7:2: type « chaine » inconnu"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

var errKind = errors.New("genre")

func TestUnwrapThroughWrapping(t *testing.T) {
	e := &Error{Path: "f", Line: 1, Err: fmt.Errorf("lecture : %w", fs.ErrNotExist)}
	wrapped := fmt.Errorf("chargement : %w", e)
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Error("the cause is lost through wrapping")
	}
	var pe *Error
	if !errors.As(wrapped, &pe) || pe != e {
		t.Error("errors.As does not find the positioned error")
	}
	k := &Error{Path: "f", Err: Kind(errKind, "introuvable (%s)", "x")}
	if got := k.Error(); got != "f : introuvable (x)" {
		t.Errorf("a kind adds its own text: %q", got)
	}
	if !errors.Is(fmt.Errorf("a : %w", fmt.Errorf("b : %w", k)), errKind) {
		t.Error("errors.Is does not see the kind through two wraps")
	}
	if errors.Is(k, fs.ErrNotExist) {
		t.Error("a kind matches another sentinel")
	}
}
