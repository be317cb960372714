//go:build !unix

// Command clonebench measures acc clone and acc sync against git; it reads
// the children's CPU time and peak memory through getrusage, so it runs on
// Unix systems only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "clonebench : mesure disponible sur Linux et macOS seulement (getrusage)")
	os.Exit(2)
}
