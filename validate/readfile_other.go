//go:build !linux && !darwin

package validate

// readFile reads a regular file, refusing one larger than maxFileSize, and
// returns its stat signature too.
func readFile(name string) ([]byte, fileSig, error) { return readFileOS(name) }
