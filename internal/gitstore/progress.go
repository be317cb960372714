package gitstore

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
)

// progress tells Store.Progress, if set.
func (s *Store) progress(p Phase, done, total int) {
	if s.Progress != nil {
		s.Progress(p, done, total)
	}
}
