//go:build !linux

package gitstore

import "time"

// quickScan has no shortcut outside Linux: every entry takes the portable
// path (os.Lstat) and the folder is read by dirCache.read.
func (s *Store) quickScan(dc *dirCache, f *folder, racy time.Time, op *folderOpener) ([]statVerdict, error) {
	return nil, nil
}

// folderOpener keeps nothing open outside Linux.
type folderOpener struct{}

func (o *folderOpener) close() {}
