//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// BenchmarkAgenda10k measures acc agenda, in process, on a generated
// repository of 10,000 beneficiaries (100,000 documents): every case read
// from the work tree, judged once (casefile.Foresee) and its events kept,
// the table written. ACC_BENCH_CACHE keeps the generated repository
// between runs.
//
//	go test ./cmd/acc -run '^$' -bench Agenda10k -benchmem
func BenchmarkAgenda10k(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git introuvable : le dépôt de mesure est créé par git fast-import")
	}
	cache := os.Getenv("ACC_BENCH_CACHE")
	if cache == "" {
		cache = b.TempDir()
	}
	dir, err := benchrepo.Cached(cache, 100_000, 300)
	if err != nil {
		b.Fatal(err)
	}
	// benchrepo writes no acc.yaml: the repository needs one.
	if err := os.WriteFile(dir+"/acc.yaml", []byte("organisation: Centre de mesure\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	env := func(k string) string {
		if k == "ACC_TODAY" {
			return "2026-11-25"
		}
		return ""
	}
	for _, args := range [][]string{{"agenda"}, {"agenda", "--json"}, {"agenda", "--ics", "--du", "2026-01-01", "--au", "2026-12-31"}} {
		b.Run(args[len(args)-1], func(b *testing.B) {
			for b.Loop() {
				var errb bytes.Buffer
				a := newApp(bytes.NewReader(nil), io.Discard, &errb, env)
				if code := a.run(append([]string{"-C", dir}, args...)); code != 0 {
					b.Fatalf("acc %v: code %d\n%s", args, code, errb.String())
				}
			}
		})
	}
}
