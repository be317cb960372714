// Package poserr is the one error type for a problem at a place in a file:
// a case file's frontmatter, acc.yaml, a type or template definition, a Git
// config file, a row of an imported spreadsheet, a path given on the command
// line. It carries the cause as an error, as encoding/csv's ParseError does,
// so a caller branches with errors.Is on a package's sentinel and the
// command line maps it to an exit code in one place.
package poserr

import "fmt"

// Error is a problem in the file Path, at Line and Column (1-based; 0 when
// unknown or when the problem concerns the whole line or file).
type Error struct {
	Path   string
	Line   int
	Column int
	Err    error // the cause, in French
}

// Error gives the position as compilers and grep do when it is complete
// ("path:line:column: cause", which editors turn into a link), and with
// French spacing before the colon otherwise ("path:line : cause",
// "path : cause"), as every other acc message.
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.Path, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d : %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s : %v", e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// At returns a positioned error whose cause reads format and args.
func At(path string, line, col int, format string, args ...any) *Error {
	return &Error{Path: path, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

// Kind returns a cause that reads format and args and matches kind with
// errors.Is, without kind's own text: the message says what is wrong in
// the trainer's words, the kind lets a caller branch on it.
func Kind(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (k *kindError) Error() string { return k.msg }
func (k *kindError) Unwrap() error { return k.kind }
