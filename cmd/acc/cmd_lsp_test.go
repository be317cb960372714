package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// lspFrames frames JSON-RPC messages as an editor sends them on stdin.
func lspFrames(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return b.String()
}

func TestRunLSP(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)

	// A session: initialize, shutdown, exit; the answers on stdout, the
	// server's capabilities among them.
	in := lspFrames(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"rootUri":"file://`+r.dir+`","capabilities":{}}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	)
	d, out, _ := r.deps(in)
	err := runLSP(&lspOptions{deps: d})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out.String(), "Content-Length: ", `"id":1`, `"capabilities"`, `"textDocumentSync"`, `"id":2`)

	// A bad date is refused before anything is read: exit 2, nothing written.
	d, out, _ = r.deps(in)
	d.Today = func() (time.Time, error) { return time.Time{}, usageErr("--today : date invalide") }
	err = runLSP(&lspOptions{deps: d})
	wantExit(t, err, exitUsage)
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out)
	}
}
