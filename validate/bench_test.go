package validate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// filler is a paragraph of an ordinary report, to bring documents to the
// ~2 KB of DESIGN §6.
const filler = "Jean a présenté les démarches faites depuis le dernier entretien : " +
	"deux candidatures envoyées, une relance téléphonique, un atelier CV suivi le mardi. " +
	"Il dit avoir besoin d'aide pour préparer les entretiens d'embauche et souhaite " +
	"une simulation avant la fin du mois. Nous avons convenu des prochaines étapes.\n"

// benchRepo returns a repository of n documents (10 per beneficiary, as in
// DESIGN §6), each about 2 KB, with a few findings. It is written once under
// the system's temporary folder and reused by later runs: files written just
// before a measure are still being flushed to disk, which would measure the
// disk rather than acc.
func benchRepo(b *testing.B, n int) string {
	b.Helper()
	root := filepath.Join(os.TempDir(), fmt.Sprintf("acc-bench-validate-v1-%d", n))
	if _, err := os.Stat(filepath.Join(root, "complete")); err == nil {
		return root
	}
	os.RemoveAll(root)
	if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "acc.yaml"), []byte("organisation: Bench\n"), 0o644)
	base := cleanCase()
	base[jd+"2026-04-20-entretien-suivi.md"] = strings.ReplaceAll(base[pSuivi2], "2026-04-13", "2026-04-20")
	base[jd+"2026-05-04-entretien-suivi.md"] = strings.ReplaceAll(base[pSuivi2], "2026-04-13", "2026-05-04")
	delete(base, "acc.yaml")
	for p, s := range base {
		s = strings.ReplaceAll(s, "Des faits observés, datés.\n", filler+"\n"+filler)
		base[p] = s
	}
	for i := 0; i < n/10; i++ {
		id := fmt.Sprintf("b-%06d", i)
		dir := filepath.Join(root, "beneficiaires", id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for p, content := range base {
			content = strings.ReplaceAll(content, "jean-dupont", id)
			if i%7 == 0 && strings.HasSuffix(p, "05-25-entretien-suivi.md") {
				content = strings.Replace(content, "statut: finalise", "statut: brouillon", 1)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), []byte(content), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	syncDisk()
	os.WriteFile(filepath.Join(root, "complete"), nil, 0o644)
	return root
}

type countSink struct{ docs, findings int }

func (c *countSink) Document(string) { c.docs++ }
func (c *countSink) Finding(Finding) { c.findings++ }

// peakHeap samples the live heap while f runs.
func peakHeap(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	return peak.Load()
}

// BenchmarkValidate validates generated repositories of 1k and 10k
// documents (100k with ACC_BENCH_LARGE=1): cold (no cache: every document
// read and parsed) and warm (the one-file pack filled by previous runs,
// opened and flushed by each run as acc validate does, nothing changed).
// Reported: docs/s and the peak live heap.
func BenchmarkValidate(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("ACC_BENCH_LARGE") == "1" {
		sizes = append(sizes, 100000)
	}
	reg := templates.Builtin()
	for _, n := range sizes {
		root := benchRepo(b, n)
		packFile := filepath.Join(b.TempDir(), "cache", "validation.pack")
		// open gives a run its cache and what to do after it.
		run := func(b *testing.B, open func() (Cache, func())) {
			b.Helper()
			var peak uint64
			var docs int
			runtime.GC()
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			for range b.N {
				var c countSink
				p := peakHeap(func() {
					cache, done := open()
					_, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Registry: reg, Cache: cache}, &c)
					if err != nil {
						b.Fatal(err)
					}
					done()
				})
				peak = max(peak, p)
				docs += c.docs
				if c.docs != n {
					b.Fatalf("%d documents checked, want %d", c.docs, n)
				}
			}
			b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "docs/s")
			// CPU time per document (user + system, all threads) does not
			// depend on what else the machine runs: on two idle cores the
			// throughput is at most 2 s / cpu-µs/doc.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(docs), "cpu-µs/doc")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		}
		b.Run(fmt.Sprintf("cold/%d", n), func(b *testing.B) { run(b, func() (Cache, func()) { return nil, func() {} }) })
		pack := func() (Cache, func()) {
			p := OpenPack(packFile)
			return p, func() {
				if err := p.Flush(); err != nil {
					b.Fatal(err)
				}
				p.Close()
			}
		}
		for range 2 { // fills the pack, then stamps again the records of files as recent as it
			c, done := pack()
			if _, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Registry: reg, Cache: c}, &countSink{}); err != nil {
				b.Fatal(err)
			}
			done()
		}
		b.Run(fmt.Sprintf("warm/%d", n), func(b *testing.B) { run(b, pack) })
	}
}

// BenchmarkParse measures casefile.Parse alone on a 2 KB document.
func BenchmarkParse(b *testing.B) {
	src := []byte(strings.ReplaceAll(cleanCase()[pSuivi2], "Des faits observés, datés.\n", filler+"\n"+filler))
	b.SetBytes(int64(len(src)))
	for range b.N {
		casefile.Parse(pSuivi2, src)
	}
}

// BenchmarkCheckDocument measures the per-document checks after parsing.
func BenchmarkCheckDocument(b *testing.B) {
	src := []byte(strings.ReplaceAll(cleanCase()[pSuivi2], "Des faits observés, datés.\n", filler+"\n"+filler))
	e := newEngine(DefaultSettings(), templates.Builtin())
	d := casefile.Parse(pSuivi2, src)
	b.SetBytes(int64(len(src)))
	for range b.N {
		e.checkDocument(d, "jean-dupont")
	}
}

// BenchmarkValidateChanged checks 10 changed documents of the largest
// generated repository (--changed-since), without a cache, as acc validate
// --changed-since does (reading their folders costs less than loading the
// pack).
func BenchmarkValidateChanged(b *testing.B) {
	n := 10000
	if os.Getenv("ACC_BENCH_LARGE") == "1" {
		n = 100000
	}
	root := benchRepo(b, n)
	reg := templates.Builtin()
	var changed []string
	for i := range 10 {
		changed = append(changed, fmt.Sprintf("beneficiaires/b-%06d/2026-04-13-entretien-suivi.md", i*(n/100)))
	}
	b.ResetTimer()
	for range b.N {
		var c countSink
		if _, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Registry: reg, Changed: &ChangeSet{Paths: changed}}, &c); err != nil {
			b.Fatal(err)
		}
		if c.docs != 10 {
			b.Fatalf("%d documents", c.docs)
		}
	}
}

// BenchmarkValidateWarmPack measures a warm run as acc validate --format
// json makes it, in process: the pack opened, nothing changed since the
// run that filled it (same day: the folders' verdicts hold), JSON encoded
// and discarded, the pack closed. 10k documents (100k with
// ACC_BENCH_LARGE=1); cpu-µs/doc is the figure that does not depend on the
// machine's other work.
func BenchmarkValidateWarmPack(b *testing.B) {
	sizes := []int{10000}
	if os.Getenv("ACC_BENCH_LARGE") == "1" {
		sizes = append(sizes, 100000)
	}
	reg := templates.Builtin()
	for _, n := range sizes {
		root := benchRepo(b, n)
		pack := filepath.Join(b.TempDir(), "validation.pack")
		run := func() int {
			p := OpenPack(pack)
			defer p.Close()
			var c Counter
			w, _ := NewWriter(FormatJSON, io.Discard, Options{})
			all := Multi(&c, w)
			if _, err := Run(context.Background(), RunOptions{Root: root, Today: fixtureToday, Registry: reg, Cache: p}, all); err != nil {
				b.Fatal(err)
			}
			all.Close(c.Summary)
			if err := p.Flush(); err != nil {
				b.Fatal(err)
			}
			return c.Summary.Documents
		}
		run() // cold: fills the pack
		run() // stamps again the records of files as recent as the pack
		b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
			cpu0 := cpuTime()
			docs := 0
			for range b.N {
				docs += run()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(docs), "cpu-µs/doc")
		})
	}
}
