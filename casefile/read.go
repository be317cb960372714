package casefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize bounds what acc reads of one case file: a larger file is
// refused before it is read (a case file is a few kilobytes; 16 MiB is far
// beyond any real one and keeps a hostile file from exhausting memory).
const MaxFileSize = 16 << 20

// ErrTooLarge is returned by ReadFile for a file over MaxFileSize.
var ErrTooLarge = errors.New("fichier de plus de 16 Mio")

// ErrNotRegular is returned by ReadFile for a symbolic link or a special
// file: a case file that is a link is never followed (it could bring a file
// from outside the repository into a report).
var ErrNotRegular = errors.New("pas un fichier ordinaire")

// ReadFile reads a case file, the one way every command reads one: a
// symbolic link or a special file is refused, as is a file over MaxFileSize
// (without reading it). It returns the file's stat too.
func ReadFile(name string) ([]byte, fs.FileInfo, error) {
	lfi, err := os.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	if !lfi.Mode().IsRegular() {
		return nil, nil, ErrNotRegular
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() || !os.SameFile(lfi, fi) {
		return nil, nil, ErrNotRegular // replaced by a link meanwhile
	}
	if fi.Size() > MaxFileSize {
		return nil, nil, fmt.Errorf("%w : %d octets", ErrTooLarge, fi.Size())
	}
	// One read of the size fstat gave (a file being written meanwhile is
	// read as it stood; the next run sees the change).
	buf := make([]byte, fi.Size(), fi.Size()+512)
	n, err := io.ReadFull(f, buf)
	buf = buf[:n]
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf, fi, nil // it shrank
	case err != nil:
		return nil, nil, err
	}
	if fi.Size() > 0 {
		return buf, fi, nil
	}
	// Size 0 may mean "unknown" (some virtual file systems): read to the end.
	rest, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(rest) > MaxFileSize {
		return nil, nil, fmt.Errorf("%w : plus de %d octets", ErrTooLarge, MaxFileSize)
	}
	return append(buf, rest...), fi, nil
}

// CheckSize refuses content over MaxFileSize, for case files that come from
// elsewhere than the work tree (a past revision).
func CheckSize(n int) error {
	if n > MaxFileSize {
		return fmt.Errorf("%w : %d octets", ErrTooLarge, n)
	}
	return nil
}
