package main

import (
	"context"
	"io"
	"time"

	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/progress"
)

// ioStreams are where a command reads and writes: the process's streams in
// acc (stderr escaped by app.run), bytes.Buffers in a unit test.
type ioStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// deps is what a command takes from outside besides its flags, as gh's
// IOStreams and Factory (cli/cli pkg/cmd/issue/list): a.deps() wires acc's,
// a unit test its own (fake streams, a fixed date, a repository in a
// temporary folder), and a runX(opts) reads nothing else. The functions are
// called when the command runs, after the global flags (-C, --today) are
// parsed.
type deps struct {
	Ctx    context.Context
	IO     ioStreams
	Getenv func(string) string
	// Now is the clock (commit dates, lock ages); Today is what the rules
	// read.
	Now func() time.Time
	// WorkDir is the working folder: the process's, after -C.
	WorkDir func() (string, error)
	// Today is --today, else ACC_TODAY, else the clock's date.
	Today func() (time.Time, error)
	// Open opens the case-file repository around the working folder (-C).
	Open func() (*workspace, error)
	// RelPath shows an absolute path relative to the working folder, escaped.
	RelPath func(string) string
	// Prompter asks the user questions on the terminal (the app, prompt.go).
	Prompter prompter
	// EditorCommand is the editor's command line ($ACC_EDITOR, $VISUAL...).
	EditorCommand func() (string, error)
	// RunEditor opens a case file in the editor and waits for it to close;
	// editor is the command line run.
	RunEditor func(ws *workspace, rel string) (editor string, err error)
	// Progress is where long work reports its progress (nothing in a pipe).
	Progress func() progress.Reporter
	// LockTimeout is how long to wait for the repository lock
	// (ACC_LOCK_TIMEOUT).
	LockTimeout func() (time.Duration, error)
	// Lock takes the repository lock; the returned func releases it.
	Lock func(*workspace) (unlock func(), err error)
	// Identity reads who is writing: the trainer's Git identity, else
	// acc.yaml's formateur (said on stderr).
	Identity func(*workspace) (author, committer gitstore.Signature, err error)
	// LockAsTrainer takes the lock and reads who is writing, for a commit.
	LockAsTrainer func(*workspace) (unlock func(), author, committer gitstore.Signature, err error)
	// Resolve reads what a person typed to designate a beneficiary
	// (app.resolveBeneficiary: asks again on a terminal).
	Resolve func(ws *workspace, query string, ids []string, flag, at string) (string, error)
}

// prompter asks the user questions: app's methods in acc, a script of
// answers in a unit test.
type prompter interface {
	// interactive tells whether questions may be asked (stdin and stdout
	// are a terminal).
	interactive() bool
	prompt(question string) (string, error)
	choose(question string, choices, labels []string) (string, error)
	choosePerson(ws *workspace, question string, ids []string) (string, error)
	chooseDocument(ws *workspace, rev string) (string, error)
}

// deps wires the app's streams, clock and repository to a command.
func (a *app) deps() deps {
	return deps{
		Ctx:           a.ctx,
		IO:            ioStreams{In: a.stdin, Out: a.stdout, Err: a.stderr},
		Getenv:        a.getenv,
		Now:           a.now,
		WorkDir:       a.workDir,
		Today:         a.todayDate,
		Open:          a.open,
		RelPath:       a.relPath,
		Prompter:      a,
		EditorCommand: a.editorCommand,
		RunEditor:     a.runEditor,
		Progress:      a.progress,
		LockTimeout:   a.lockTimeout,
		Lock:          a.lock,
		Identity:      a.identity,
		LockAsTrainer: a.lockAsTrainer,
		Resolve:       a.resolveBeneficiary,
	}
}
