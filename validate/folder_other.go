//go:build !linux

package validate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// folderFiles reads the files of one beneficiary folder by path.
type folderFiles struct {
	path string
	// mtime is the folder's modification time read before its listing,
	// when the opener knows it (zero otherwise).
	mtime time.Time
}

// openFolder lists a folder, sorted by name.
func openFolder(path string) (*folderFiles, []fs.DirEntry, error) {
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, nil, err
	}
	return &folderFiles{path: path}, ents, nil
}

// stat returns the signature of an entry, not following a link.
func (d *folderFiles) stat(name string) (fileSig, error) {
	fi, err := os.Lstat(filepath.Join(d.path, name))
	if err != nil {
		return fileSig{}, err
	}
	return statSig(fi), nil
}

// read reads a file of the folder as readFile does.
func (d *folderFiles) read(name string) ([]byte, fileSig, error) {
	return readFile(filepath.Join(d.path, name))
}

func (d *folderFiles) close() {}

// unitOpener opens the beneficiaries' folders by path, after an lstat: a
// link to a folder is never followed.
type unitOpener struct{}

func newUnitOpener(string, bool) *unitOpener { return &unitOpener{} }

// open opens and lists the folder at path; what is not a folder is refused.
func (o *unitOpener) open(path, name string) (*folderFiles, []fs.DirEntry, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.IsDir() {
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("pas un dossier")}
	}
	d, ents, err := openFolder(path)
	if d != nil {
		d.mtime = fi.ModTime()
	}
	return d, ents, err
}

func (o *unitOpener) close() {}
