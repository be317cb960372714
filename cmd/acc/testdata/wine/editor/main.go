// Command editor is the scripted editor of cmd/acc/wine_test.go, built for
// Windows: called as `editor --crlf PATH`, it adds a line to the document
// and writes it back with Windows line endings, as Notepad would. Any other
// call fails, so that a launch that mangles the command line is seen.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "--crlf" {
		fmt.Fprintf(os.Stderr, "editor: unexpected arguments %q\n", os.Args[1:])
		os.Exit(5)
	}
	path := os.Args[2]
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "editor:", err)
		os.Exit(6)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	text = strings.TrimRight(text, "\n") + "\n\nTexte saisi sous Windows.\n"
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(text, "\n", "\r\n")), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "editor:", err)
		os.Exit(7)
	}
}
