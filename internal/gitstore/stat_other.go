//go:build !linux && !darwin

package gitstore

import "io/fs"

func fillSysStat(fs.FileInfo, *statInfo) {}
