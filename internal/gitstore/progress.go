package gitstore

import "io"

// Phase names a long step of the Store's work, for a progress line: the
// caller words it (Store.Progress).
type Phase int

const (
	// PhaseRewrite: an erasure rewrites the history, counted in commits.
	PhaseRewrite Phase = iota
	// PhaseRepack: an erasure repacks the objects kept, counted in objects.
	PhaseRepack
	// PhaseWrite: a commit writes its files and their blobs, counted in
	// files.
	PhaseWrite
	// PhaseCheckout: a clone or a sync writes the files it brought into the
	// work tree, counted in files.
	PhaseCheckout
)

// progress tells Store.Progress, if set.
func (s *Store) progress(p Phase, done, total int) {
	if s.Progress != nil {
		s.Progress(p, done, total)
	}
}

// Phases of the exchanges with a remote, counted in kilobytes (total 0):
// go-git says nothing of the objects as they come, the pack's bytes are what
// acc sees pass.
const (
	// PhaseReceive: a fetch (clone, sync) receives the remote's objects.
	PhaseReceive Phase = iota + 100
	// PhaseSend: a push (sync) sends the local objects.
	PhaseSend
)

// byteCounter passes writes through and tells Store.Progress the
// kilobytes passed so far.
type byteCounter struct {
	w io.Writer
	s *Store
	p Phase
	n int64
}

func (c *byteCounter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.s.progress(c.p, int(c.n/1000), 0)
	return n, err
}

// countingPackWriter is the pack writer of a fetch, counted.
type countingPackWriter struct {
	byteCounter
	c io.Closer
}

func (w *countingPackWriter) Close() error { return w.c.Close() }

// PackfileWriter counts the bytes of the pack go-git receives when the
// store wants progress (go-git writes a fetched pack through it). The pack
// is indexed by acc's receiver (packrecv.go) when the store is known.
func (c *captureStorage) PackfileWriter() (io.WriteCloser, error) {
	var w io.WriteCloser
	var err error
	if c.store != nil {
		w, err = newPackReceiver(c.store.CommonDir)
	} else {
		w, err = c.configlessStorage.PackfileWriter()
	}
	if err != nil || c.store == nil || c.store.Progress == nil {
		return w, err
	}
	return &countingPackWriter{byteCounter{w: w, s: c.store, p: PhaseReceive}, w}, nil
}
