//go:build !unix

package gitstore

import "os"

// mapFile reads the whole file (no mapping here). A missing file gives no data.
func mapFile(path string) (data []byte, release func(), err error) {
	data, err = os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, func() {}, nil
	}
	return data, func() {}, err
}

// mmapFile cannot map here: packs are read through go-git, never read whole.
func mmapFile(path string) (data []byte, release func(), err error) {
	return nil, nil, errCannotMap
}
