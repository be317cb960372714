//go:build unix

package gitstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// BenchmarkPurge measures acc purge (the plan shown before the confirmation, then the
// erasure) of one beneficiary on generated repositories of 1k and 10k documents (100k
// with ACC_BENCH_LARGE=1), 300 commits of history, packed. Each iteration erases from a
// fresh copy (git clone --mirror-like copy, not timed).
func BenchmarkPurge(b *testing.B) {
	cache := benchCache(b)
	for _, n := range benchSizes() {
		src, err := benchrepo.Cached(cache, n, 300)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ctx := context.Background()
			id := benchrepo.BeneficiaryID(n / benchrepo.DocsPerBeneficiary / 2)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := filepath.Join(b.TempDir(), "r")
				git(b, filepath.Dir(dir), "clone", "-q", "--no-local", src, dir)
				b.StartTimer()
				s, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				s.Erasure = testPolicy
				unlock, err := s.Lock(ctx, time.Second, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.PlanPurge(ctx, id); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Purge(ctx, id, testSig, testSig); err != nil {
					b.Fatal(err)
				}
				unlock()
			}
		})
	}
}
