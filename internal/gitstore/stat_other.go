//go:build !linux && !darwin

package gitstore

import "io/fs"

func fillSysStat(fs.FileInfo, *statInfo) {}

// sysFolderStamp gives no change time nor inode here (folderStampOf).
func sysFolderStamp(fs.FileInfo) (ctime int64, ino uint64) { return 0, 0 }
