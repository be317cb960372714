//go:build unix

package gitstore

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// BenchmarkCommitOne measures what `acc new` costs in Git: open the repository, take
// acc's lock, write one new document (exclusive create) and commit it, release the lock,
// on generated repositories of 1k, 10k and 100k documents (300 commits of history).
// The 100k repository takes a few seconds to generate: it runs only with
// ACC_BENCH_LARGE=1. ACC_BENCH_CACHE=DIR keeps the generated repositories between runs
// (each run adds its commits to them).
func BenchmarkCommitOne(b *testing.B) {
	cache := benchCache(b)
	for _, n := range benchSizes() {
		dir, err := benchrepo.Cached(cache, n, 300)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ctx := context.Background()
			run := time.Now().UnixNano()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				unlock, err := s.Lock(ctx, 10*time.Second, nil)
				if err != nil {
					b.Fatal(err)
				}
				id := benchrepo.BeneficiaryID(i % (n / benchrepo.DocsPerBeneficiary))
				path := fmt.Sprintf("beneficiaires/%s/2026-12-09-entretien-suivi-%d-%d.md", id, run, i)
				_, err = s.Commit(ctx, []Change{{Path: path, Content: []byte("---\ntype: entretien-suivi\n---\n"), Exclusive: true}},
					"entretien-suivi : "+id+"\n\nAcc-Action: new\n", testSig, testSig)
				if err != nil {
					b.Fatal(err)
				}
				if err := unlock(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyHistory measures the check of incoming trees (verifypath.go) as a clone
// pays it: every commit of a history of n documents in 300 commits, each against its
// first parent ("clone"); and as a sync pays it for one commit received ("one").
func BenchmarkVerifyHistory(b *testing.B) {
	cache := benchCache(b)
	for _, n := range benchSizes() {
		dir, err := benchrepo.Cached(cache, n, 300)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		_, head, err := s.headCommit()
		if err != nil {
			b.Fatal(err)
		}
		all, err := newCommitGraph(s).all(head)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("clone-%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := s.verifyCommits(newCommitGraph(s), all); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("one-%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := s.verifyCommits(newCommitGraph(s), all[len(all)-1:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchSizes are the repository sizes the benchmarks measure: 1k and 10k
// documents, and 100k with ACC_BENCH_LARGE=1 (its generation takes a while).
func benchSizes() []int {
	sizes := []int{1_000, 10_000}
	if os.Getenv("ACC_BENCH_LARGE") != "" {
		sizes = append(sizes, 100_000)
	}
	return sizes
}

// benchCache is where generated repositories are kept: ACC_BENCH_CACHE,
// so that they survive between runs, else a folder of this benchmark.
func benchCache(b *testing.B) string {
	if dir := os.Getenv("ACC_BENCH_CACHE"); dir != "" {
		return dir
	}
	return b.TempDir()
}

// BenchmarkDoctorPaths measures acc doctor's check of the paths of the whole history
// (doctor_paths.go): every commit of the branches, n documents in 300 commits.
func BenchmarkDoctorPaths(b *testing.B) {
	cache := benchCache(b)
	for _, n := range benchSizes() {
		dir, err := benchrepo.Cached(cache, n, 300)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				found, commits, err := s.historyPaths()
				if err != nil || len(found) != 0 || commits != 300 {
					b.Fatal(err, len(found), commits)
				}
			}
		})
	}
}
