package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/acc-formation/acc/internal/bug"
)

// DefaultLockTimeout is how long a command waits for acc's lock unless ACC_LOCK_TIMEOUT
// says otherwise.
const DefaultLockTimeout = 10 * time.Second

// ParseLockTimeout reads ACC_LOCK_TIMEOUT: a Go duration ("500ms", "2m") or a number of
// seconds ("10", "0.5"). An empty value gives DefaultLockTimeout.
func ParseLockTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultLockTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, fmt.Errorf("ACC_LOCK_TIMEOUT invalide : %q (une durée comme 10s ou 500ms, ou un nombre de secondes)", v)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("ACC_LOCK_TIMEOUT invalide : %q (durée négative)", v)
	}
	return d, nil
}

// LockedError is returned by Lock when another process still holds acc's lock when the
// timeout expires.
type LockedError struct {
	PID   int       // 0 when the holder has not written its name yet
	Host  string    // host name of the holder
	Since time.Time // when it took the lock
}

func (e *LockedError) Error() string {
	if e.PID == 0 {
		return "le dépôt est verrouillé par un autre processus acc"
	}
	msg := fmt.Sprintf("le dépôt est verrouillé par le processus %d", e.PID)
	if e.Host != "" {
		msg += " sur l'hôte " + e.Host
	}
	if !e.Since.IsZero() {
		msg += " depuis " + e.Since.Local().Format("2006-01-02 15:04:05")
	}
	return msg
}

// ErrNotLocked is returned by operations that write to the repository when the Store does
// not hold acc's lock.
var ErrNotLocked = errors.New("erreur interne : écriture dans le dépôt sans tenir le verrou acc")

// heldLock is acc's lock while this Store holds it. Its file holds a header line
// "<pid> <host> <since>" followed by records of what the holder is doing (see
// recover.go); both are written through f, a second descriptor on the locked file.
type heldLock struct {
	fl     *flock.Flock
	f      *os.File
	path   string
	hdrLen int64
	off    int64
	depth  int
	// dirty keeps the records on release: the next holder must repair something.
	dirty bool
}

// lockPath is acc's lock file: one per Git repository, shared by linked worktrees.
func (s *Store) lockPath() string { return filepath.Join(s.CommonDir, "acc", "lock") }

// infoPath is the file that holds the holder's line and records: the lock file itself,
// except on Windows, where the locked byte range cannot be written through a second
// handle.
func (s *Store) infoPath() string {
	if runtime.GOOS == "windows" {
		return s.lockPath() + ".info"
	}
	return s.lockPath()
}

// Lock takes acc's lock on the repository, waiting up to timeout, and returns the function
// that releases it. Locks are reentrant within one Store.
//
// The lock is a flock(2) on <common git dir>/acc/lock, released by the kernel if the
// process dies; the file is never deleted. When the lock is taken and the file still
// holds a previous holder's content, that holder died while holding it: a French message
// goes to warn (if not nil), the files it left (temporary files, the Git lock files it
// created) are removed, and an interrupted commit is finished or dropped (see Recover). On timeout Lock returns a *LockedError naming the holder; when
// ctx is cancelled it returns an error wrapping ctx.Err().
func (s *Store) Lock(ctx context.Context, timeout time.Duration, warn io.Writer) (unlock func() error, err error) {
	if s.lock != nil {
		s.lock.depth++
		return s.unlockFunc(s.lock), nil
	}
	path := s.lockPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("création du dossier du verrou acc : %w", err)
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("prise du verrou acc %s : %w", path, err)
	}
	if !ok {
		if s.OnLockWait != nil {
			s.OnLockWait(readHolder(s.infoPath()))
		}
		if err := waitLock(ctx, fl, timeout); err != nil {
			if errors.Is(err, errLockTimeout) {
				return nil, readHolder(s.infoPath())
			}
			return nil, err
		}
	}
	f, err := os.OpenFile(s.infoPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("ouverture du verrou acc %s : %w", path, err)
	}
	h := &heldLock{fl: fl, f: f, path: path, depth: 1}
	prev, err := io.ReadAll(f)
	if err != nil {
		h.release(false)
		return nil, fmt.Errorf("lecture du verrou acc %s : %w", path, err)
	}
	s.lock = h
	s.recovery = Recovery{}
	if len(bytes.TrimSpace(prev)) > 0 {
		rec, err := s.recoverFrom(prev, warn)
		s.recovery = rec
		if err != nil {
			// Keep the dead holder's records for the next attempt.
			s.lock = nil
			h.release(false)
			return nil, err
		}
	}
	host, _ := os.Hostname()
	hdr := fmt.Sprintf("%d %s %s\n", os.Getpid(), hostField(host), s.now().Format(time.RFC3339Nano))
	if err := h.reset([]byte(hdr)); err != nil {
		s.lock = nil
		h.release(false)
		return nil, err
	}
	return s.unlockFunc(h), nil
}

var errLockTimeout = errors.New("timeout")

// waitLock blocks in flock(2) rather than polling: the kernel wakes a blocked waiter as
// soon as the lock is released, so a waiting acc is not starved by a script that runs
// acc in a loop. A blocked flock cannot be interrupted; on timeout or cancellation the
// waiting goroutine is abandoned and releases the lock as soon as it gets it.
func waitLock(ctx context.Context, fl *flock.Flock, timeout time.Duration) error {
	var mu sync.Mutex
	abandoned := false
	res := make(chan error, 1)
	go func() {
		err := bug.Call(fl.Lock)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			if err == nil {
				_ = fl.Unlock()
			}
			return
		}
		res <- err
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var stop error
	select {
	case err := <-res:
		if err != nil {
			return fmt.Errorf("prise du verrou acc : %w", err)
		}
		return nil
	case <-timer.C:
		stop = errLockTimeout
	case <-ctx.Done():
		stop = fmt.Errorf("attente du verrou acc interrompue : %w", ctx.Err())
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case err := <-res:
		// Got it at the last moment.
		if err != nil {
			return fmt.Errorf("prise du verrou acc : %w", err)
		}
		return nil
	default:
		abandoned = true
		return stop
	}
}

func hostField(h string) string {
	if h == "" || strings.ContainsAny(h, " \t\n") {
		return "?"
	}
	return h
}

func (s *Store) unlockFunc(h *heldLock) func() error {
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		h.depth--
		if h.depth > 0 {
			return nil
		}
		if s.lock == h {
			s.lock = nil
		}
		return h.release(!h.dirty)
	}
}

// reset replaces the file's content with hdr (the holder's line), dropping records.
func (h *heldLock) reset(hdr []byte) error {
	if err := h.f.Truncate(0); err != nil {
		return fmt.Errorf("écriture du verrou acc : %w", err)
	}
	if _, err := h.f.WriteAt(hdr, 0); err != nil {
		return fmt.Errorf("écriture du verrou acc : %w", err)
	}
	h.hdrLen, h.off = int64(len(hdr)), int64(len(hdr))
	return nil
}

// record appends one line describing something the holder created or is about to do. A
// plain write is enough: the page cache survives the death of the process, which is what
// the records are for.
func (h *heldLock) record(line string) error {
	return h.writeRecords([]byte(line + "\n"))
}

// writeRecords appends whole lines, each ended by "\n", in one write.
func (h *heldLock) writeRecords(lines []byte) error {
	n, err := h.f.WriteAt(lines, h.off)
	h.off += int64(n)
	if err != nil {
		return fmt.Errorf("écriture du verrou acc : %w", err)
	}
	return nil
}

// clearRecords forgets every record, keeping the header; a dirty lock keeps them for the
// next holder.
func (h *heldLock) clearRecords() error {
	if h.dirty {
		return nil
	}
	if err := h.f.Truncate(h.hdrLen); err != nil {
		h.dirty = true
		return fmt.Errorf("écriture du verrou acc : %w", err)
	}
	h.off = h.hdrLen
	return nil
}

// release empties the file (a clean release) and unlocks it.
func (h *heldLock) release(clean bool) error {
	var err error
	if clean {
		err = h.f.Truncate(0)
	}
	if cerr := h.f.Close(); err == nil {
		err = cerr
	}
	if uerr := h.fl.Unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("libération du verrou acc : %w", err)
	}
	return nil
}

// readHolder reads the holder's line from the lock file, for messages.
func readHolder(path string) *LockedError {
	data, err := os.ReadFile(path)
	if err != nil {
		return &LockedError{}
	}
	return parseHolder(data)
}

func parseHolder(data []byte) *LockedError {
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	e := &LockedError{}
	if len(fields) >= 1 {
		e.PID, _ = strconv.Atoi(fields[0])
	}
	if len(fields) >= 2 && fields[1] != "?" {
		e.Host = fields[1]
	}
	if len(fields) >= 3 {
		e.Since, _ = time.Parse(time.RFC3339Nano, fields[2])
	}
	return e
}

// requireLock returns the held lock or ErrNotLocked.
func (s *Store) requireLock() (*heldLock, error) {
	if s.lock == nil {
		return nil, ErrNotLocked
	}
	return s.lock, nil
}
