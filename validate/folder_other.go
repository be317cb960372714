//go:build !linux

package validate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// folderFiles reads the files of one beneficiary folder by path.
type folderFiles struct {
	path string
	// sig is the folder's own stat signature, read before any listing
	// (zero when the opener did not read it).
	sig fileSig
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

func newUnitOpener(string) *unitOpener { return &unitOpener{} }

// open looks at the folder at path, without listing it
// (folderFiles.entries); what is not a folder is refused.
func (o *unitOpener) open(path, name string) (*folderFiles, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("pas un dossier")}
	}
	return &folderFiles{path: path, sig: statSig(fi)}, nil
}

// entries lists the folder, sorted by name.
func (d *folderFiles) entries() ([]fs.DirEntry, error) { return os.ReadDir(d.path) }

func (o *unitOpener) close() {}
