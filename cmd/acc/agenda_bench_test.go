//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// BenchmarkAgenda10k measures acc agenda, in process, on a generated
// repository of 10,000 beneficiaries (100,000 documents), warm: each case's
// brief read from the cache (.git/acc/cache/report/suivi-*.pack) after one
// run outside the measure, judged on the day, its events kept, the output
// written; "froid" removes the cache before each run (every case read,
// parsed and judged, the pack written). ACC_BENCH_CACHE keeps the generated
// repository between runs.
//
//	ACC_BENCH_CACHE=/tmp/h9bench go test ./cmd/acc -run '^$' -bench Agenda10k -benchmem -benchtime 3x
func BenchmarkAgenda10k(b *testing.B) {
	benchFollowup(b, [][]string{{"agenda"}, {"agenda", "--json"}, {"agenda", "--ics", "--du", "2026-01-01", "--au", "2026-12-31"}})
}

// BenchmarkStatus10k measures acc status on the same repository: warm, the
// briefs and the documents in error read from the cache (counted once the
// same day, outside the measure); "froid" without the cache (the whole
// repository validated, every case parsed once). The uncommitted changes
// come from the Git index and the work tree, as always.
//
//	ACC_BENCH_CACHE=/tmp/h9bench go test ./cmd/acc -run '^$' -bench Status10k -benchmem -benchtime 3x
func BenchmarkStatus10k(b *testing.B) {
	benchFollowup(b, [][]string{{"status"}, {"status", "--json"}})
}

func benchFollowup(b *testing.B, runs [][]string) {
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
	run := func(b *testing.B, args []string) {
		var errb bytes.Buffer
		a := newApp(bytes.NewReader(nil), io.Discard, &errb, env)
		if code := a.run(append([]string{"-C", dir}, args...)); code != 0 {
			b.Fatalf("acc %v: code %d\n%s", args, code, errb.String())
		}
	}
	cacheDir := filepath.Join(dir, ".git", "acc", "cache", "report")
	for _, args := range runs {
		b.Run(args[len(args)-1], func(b *testing.B) {
			run(b, args) // the cache of the day, outside the measure
			for b.Loop() {
				run(b, args)
			}
		})
	}
	b.Run("froid", func(b *testing.B) {
		args := runs[0]
		for b.Loop() {
			b.StopTimer()
			if err := os.RemoveAll(cacheDir); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			run(b, args)
		}
	})
}
