package report

import (
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
)

const benchBeneficiaries = 10_000

type genFiles struct {
	id    string
	files map[string]string
}

func genAll(n int) []genFiles {
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	out := make([]genFiles, n)
	for i := range out {
		out[i].id, out[i].files = genSources(i, start)
	}
	return out
}

// BenchmarkCaseload10k measures the caseload report of 10,000 generated
// beneficiaries (about 100,000 documents) the way the CLI builds it:
// documents parsed and folded on every core, cases aggregated one at a time
// and dropped, the report written. Only the disk reads are left out: the
// sources are generated in memory beforehand. DESIGN §6 targets ≤ 3 s cold
// for the whole command.
func BenchmarkCaseload10k(b *testing.B) {
	srcs := genAll(benchBeneficiaries)
	for _, f := range []Format{Markdown, HTML, JSON} {
		b.Run(string(f), func(b *testing.B) {
			opt := Options{Today: today, Organisation: "Centre de test"}
			for b.Loop() {
				builder, err := NewCaseload(opt)
				if err != nil {
					b.Fatal(err)
				}
				for c := range parseParallel(srcs) {
					builder.Add(c, nil)
				}
				if err := Write(io.Discard, f, builder.Report()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCaseloadBuild10k measures only what this package adds: the
// aggregation of 10,000 parsed cases and the writing of the report.
func BenchmarkCaseloadBuild10k(b *testing.B) {
	srcs := genAll(benchBeneficiaries)
	cases := make([]*casefile.Case, 0, len(srcs))
	for c := range parseParallel(srcs) {
		cases = append(cases, c)
	}
	opt := Options{Today: today, Organisation: "Centre de test"}
	for b.Loop() {
		builder, err := NewCaseload(opt)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cases {
			builder.Add(c, nil)
		}
		if err := WriteMarkdown(io.Discard, builder.Report()); err != nil {
			b.Fatal(err)
		}
	}
}

// parseParallel parses and folds the generated beneficiaries on every core
// and hands the cases over one at a time, in no particular order.
func parseParallel(srcs []genFiles) <-chan *casefile.Case {
	out := make(chan *casefile.Case, 64)
	jobs := make(chan int, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range jobs {
				out <- parseCase(srcs[i].id, srcs[i].files)
			}
		})
	}
	go func() {
		for i := range srcs {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(out)
	}()
	return out
}

// BenchmarkCaseloadEntries10k measures the warm path of acc report: 10,000
// entries kept from an earlier run decoded from their binary form,
// aggregated against today and the report written. The CLI adds a stat of
// every case file and the reading of its pack.
func BenchmarkCaseloadEntries10k(b *testing.B) {
	srcs := genAll(benchBeneficiaries)
	opt := Options{Today: today, Organisation: "Centre de test"}
	made, _ := NewCaseload(opt)
	var kept [][]byte
	for c := range parseParallel(srcs) {
		enc, err := made.Entry(c).MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		kept = append(kept, enc)
	}
	for b.Loop() {
		builder, err := NewCaseload(opt)
		if err != nil {
			b.Fatal(err)
		}
		for _, enc := range kept {
			var e CaseloadEntry
			if err := e.UnmarshalBinary(enc); err != nil {
				b.Fatal(err)
			}
			builder.AddEntry(&e, 1, 2)
		}
		if err := WriteMarkdown(io.Discard, builder.Report()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQualiopiRows10k is the same for the Qualiopi evidence.
func BenchmarkQualiopiRows10k(b *testing.B) {
	srcs := genAll(benchBeneficiaries)
	opt := Options{Today: today, Organisation: "Centre de test"}
	made, _ := NewQualiopi(opt)
	var kept [][]byte
	for c := range parseParallel(srcs) {
		enc, err := made.Row(c).MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		kept = append(kept, enc)
	}
	for b.Loop() {
		builder, err := NewQualiopi(opt)
		if err != nil {
			b.Fatal(err)
		}
		for _, enc := range kept {
			var r QualiopiRow
			if err := r.UnmarshalBinary(enc); err != nil {
				b.Fatal(err)
			}
			builder.AddRow(r)
		}
		if err := WriteMarkdown(io.Discard, builder.Report()); err != nil {
			b.Fatal(err)
		}
	}
}
