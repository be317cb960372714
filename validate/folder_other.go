//go:build !linux

package validate

import (
	"io/fs"
	"os"
	"path/filepath"
)

// folderFiles reads the files of one beneficiary folder by path.
type folderFiles struct{ path string }

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
