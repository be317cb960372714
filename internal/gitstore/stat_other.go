//go:build !linux && !darwin

package gitstore

import "io/fs"

func fillSysStat(fs.FileInfo, *statInfo) {}

// folderStampOf is the stamp of a folder from its lstat: its modification
// time only, the system giving no change time nor inode here.
func folderStampOf(fi fs.FileInfo) folderStamp {
	return folderStamp{mtime: fi.ModTime().UnixNano()}
}
