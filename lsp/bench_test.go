package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// BenchmarkDidChangeToDiagnostics measures, in process, the time from a
// didChange of a ~2 KB document to its publishDiagnostics, in a generated
// repository of 10k documents (DESIGN §6: ≤ 50 ms median at 100k). The
// debounce is set to 1 µs so that the server's own work is measured, not
// the 150 ms an editor waits for the typing to pause. One op is one
// keystroke: an incremental insertion of one character in the body.
//
//	go test ./lsp -run '^$' -bench DidChange -benchtime 200x
//
// ACC_BENCH_100K=1 adds the 100k-document repository of the target (its
// generation takes a few minutes and about 1 GB of disk the first time).
func BenchmarkDidChangeToDiagnostics(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("ACC_BENCH_100K") == "1" {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			root, doc, text := benchDoc(b, n)
			c := newClient(b, time.Microsecond)
			c.initialize(root)
			uri := fileURI(doc)
			c.open(uri, text, 1)
			last := strings.Count(text, "\n")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v := i + 2
				c.notify("textDocument/didChange", DidChangeTextDocumentParams{TextDocument: VersionedTextDocumentIdentifier{URI: uri, Version: v},
					ContentChanges: []TextDocumentContentChangeEvent{{Range: &Range{Start: Position{Line: last, Character: 0}, End: Position{Line: last, Character: 0}}, Text: "x"}}})
				c.waitDiags(uri, v)
			}
		})
	}
}

// benchDoc returns a generated repository of n documents (kept under the
// system's temporary folder for later runs) and one of its interviews with
// a ~2 KB text.
func benchDoc(b *testing.B, n int) (root, doc, text string) {
	root = filepath.Join(os.TempDir(), fmt.Sprintf("acc-bench-lsp-v1-%d", n))
	if _, err := os.Stat(filepath.Join(root, "complete")); err != nil {
		os.RemoveAll(root)
		if err := benchrepo.Generate(root, n, 300); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "acc.yaml"), []byte("organisation: Bench\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(root, "complete"), nil, 0o644)
	}
	id := benchrepo.BeneficiaryID(n / benchrepo.DocsPerBeneficiary / 2)
	dir := filepath.Join(root, "beneficiaires", id)
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}

	for _, e := range ents {
		if strings.HasSuffix(e.Name(), "entretien-suivi.md") {
			doc = filepath.Join(dir, e.Name())
			break
		}
	}
	src, err := os.ReadFile(doc)
	if err != nil {
		b.Fatal(err)
	}
	text = string(src)
	for len(text) < 2048 {
		text += "Point sur les démarches : deux candidatures, une relance, un atelier CV. Paresseux ? Non : fatigué.\n"
	}
	return root, doc, text
}

// BenchmarkStartToFirstDiagnostics measures a server's start, initialize and
// the first document's diagnostics (DESIGN §6: ≤ 1 s at 100k documents).
//
//	go test ./lsp -run '^$' -bench StartToFirst -benchtime 20x
func BenchmarkStartToFirstDiagnostics(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("ACC_BENCH_100K") == "1" {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			root, doc, text := benchDoc(b, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := newClient(b, time.Microsecond)
				c.initialize(root)
				c.open(fileURI(doc), text, 1)
			}
		})
	}
}
