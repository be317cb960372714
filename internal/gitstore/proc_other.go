//go:build !unix

package gitstore

func processAlive(pid int) (alive, known bool) { return false, false }

func isLinkUnsupported(err error) bool { return true }
