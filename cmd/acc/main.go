// Command acc keeps the case files of a vocational-training follow-up in a
// Git repository: it creates documents from templates, validates them,
// commits every change and writes reports. See the README.
package main

import (
	"os"
)

func main() {
	os.Exit(Main())
}

// Main runs acc with the process's arguments and streams and returns the
// exit code; testscript registers it as the "acc" command.
func Main() int {
	a := newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	return a.run(os.Args[1:])
}
