package casefile

import (
	"errors"
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/templates"
)

// IsCaseFileName reports whether a file of a beneficiary's folder is a case
// file, by its base name: a Markdown file (.md) that is not hidden. Every
// reader of case files (the work tree, a past revision, the validator, the
// commit, the sync) asks this one question; attachments, hidden files and
// sub-folders are not case files.
func IsCaseFileName(name string) bool {
	return strings.HasSuffix(name, ".md") && !strings.HasPrefix(name, ".")
}

// IsCasePath reports whether a slash path relative to the case-file root
// names a case file: beneficiaires/<id>/<name> with a valid id and a case
// file name (IsCaseFileName).
func IsCasePath(p string) bool {
	id, base, ok := SplitCasePath(p)
	return ok && CheckID(id) == nil && IsCaseFileName(base)
}

// Source is where case files come from: the work tree (a Repo), or a past
// revision (the Git store provides one). Load and Loader read cases through
// it, so that every command sees the same files.
type Source interface {
	// Beneficiaries returns the ids of the beneficiary folders, sorted;
	// entries that are not folders or whose name is not a valid id are
	// left out.
	Beneficiaries() ([]string, error)
	// CaseFiles returns the slash paths (relative to the case-file root) of
	// a beneficiary's case files (IsCaseFileName, not folders), sorted.
	// Entries that are not regular files may be listed: ReadCaseFile
	// refuses them.
	CaseFiles(id string) ([]string, error)
	// ReadCaseFile reads a case file, bounded as ReadFile: ErrNotRegular
	// for a link or a special file, ErrTooLarge over MaxFileSize.
	ReadCaseFile(rel string) ([]byte, error)
}

// ReadCaseFile reads a case file of the work tree (see ReadFile): a link is
// never followed (DESIGN §5.1), it could bring a file from outside the
// repository into a report; the validator reports it (emplacement).
func (r *Repo) ReadCaseFile(rel string) ([]byte, error) {
	b, _, err := ReadFile(r.Abs(rel))
	return b, err
}

// Loader loads beneficiaries' cases from a Source: every file read, parsed,
// made canonical with the repository's types and folded.
type Loader struct {
	Source Source
	// Types are the repository's types; nil for the built-in ones.
	Types *templates.Registry
	// Warn, when set, receives the French warnings about the files a case
	// was loaded without (too large) or without their frontmatter (too many
	// YAML aliases); the validator reports both as errors.
	Warn func(msg string)
}

func (l *Loader) types() *templates.Registry {
	if l.Types == nil {
		return templates.Builtin()
	}
	return l.Types
}

// Load loads one beneficiary's case.
func (l *Loader) Load(id string) (*Case, error) {
	c, warns, err := l.load(id)
	l.warn(warns)
	return c, err
}

func (l *Loader) warn(warns []string) {
	if l.Warn == nil {
		return
	}
	for _, w := range warns {
		l.Warn(w)
	}
}

// load is Load, returning the warnings instead: a file too large is left
// out, an alias bomb is kept without its frontmatter; the other files are
// read.
func (l *Loader) load(id string) (*Case, []string, error) {
	files, err := l.Source.CaseFiles(id)
	if err != nil {
		return nil, nil, err
	}
	reg := l.types()
	var fiche *Document
	var docs []*Document
	var warns []string
	for _, f := range files {
		b, err := l.Source.ReadCaseFile(f)
		if errors.Is(err, ErrNotRegular) {
			continue
		}
		if errors.Is(err, ErrTooLarge) {
			warns = append(warns, fmt.Sprintf("%s : fichier de plus de 16 Mio ignoré (un compte rendu n'est pas si long) ; acc validate le signale", termtext.Line(f)))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lecture de %s : %w", f, err)
		}
		d := Parse(f, b)
		if reg != templates.Builtin() {
			d.CanonicalizeWith(reg) // the organisation's own choices
		}
		if d.Overflow {
			warns = append(warns, fmt.Sprintf("%s : frontmatter ignoré, trop d'alias YAML ; acc validate le signale", termtext.Line(f)))
		}
		if path.Base(f) == FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return NewCase(id, fiche, docs, RankOf(reg)), warns, nil
}

// RankOf returns the methodology order of the interview types of a
// repository's types, for NewCase.
func RankOf(reg *templates.Registry) func(name string) (int, bool) {
	return func(name string) (int, bool) {
		t, ok := reg.Lookup(name)
		if !ok || !t.Interview {
			return 0, false
		}
		return t.Rank, true
	}
}

// Each loads the cases of ids in parallel and hands them to fn in order,
// from one goroutine; at most a few cases are held at once. It stops
// handing cases at the first error, which it returns (a panic while loading
// comes back as a *bug.Panic).
func (l *Loader) Each(ids []string, fn func(*Case)) error {
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		c     *Case
		warns []string
		err   error
	}
	slots := make([]chan result, len(ids))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, workers*2)
	var wg sync.WaitGroup
	go func() {
		for i, id := range ids {
			sem <- struct{}{}
			wg.Add(1)
			go func(i int, id string) {
				defer wg.Done()
				var c *Case
				var warns []string
				err := bug.Call(func() (err error) { c, warns, err = l.load(id); return err })
				slots[i] <- result{c, warns, err}
			}(i, id)
		}
	}()
	var first error
	for i := range ids {
		r := <-slots[i]
		<-sem
		if r.err != nil && first == nil {
			first = r.err
		}
		if first == nil {
			l.warn(r.warns)
			fn(r.c)
		}
	}
	wg.Wait()
	return first
}
