//go:build !linux

package gitstore

// quickStat has no shortcut outside Linux: every entry takes the portable
// path (os.Lstat).
func (s *Store) quickStat(entries []IndexEntry) []statVerdict {
	return make([]statVerdict, len(entries))
}
