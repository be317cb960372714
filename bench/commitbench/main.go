// Command commitbench measures what `acc new` costs in Git against the peer the design
// targets name: `git add FILE && git commit -q`, on the same generated repositories of
// 1k, 10k and 100k documents (10 per beneficiary, a few hundred commits of history).
//
// Both sides are timed as processes (process start included): acc's side re-executes
// this program in -commit-one mode, which opens the repository, takes acc's lock,
// creates one document exclusively and commits it through internal/gitstore. The
// in-process time of the same work is printed too. Runs alternate between the two sides;
// medians are printed with the ratio, then the growth from the smallest to the largest
// repository.
//
//	go run ./bench/commitbench [-sizes 1000,10000,100000] [-runs 21] [-cache DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-commit-one" {
		if err := commitOne(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "commitbench:", err)
			os.Exit(3)
		}
		return
	}
	sizes := flag.String("sizes", "1000,10000,100000", "repository sizes, in documents")
	runs := flag.Int("runs", 21, "commits measured per side and size")
	commits := flag.Int("commits", 300, "commits of history in generated repositories")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "acc-commitbench"), "where generated repositories are kept")
	flag.Parse()
	if err := run(*sizes, *runs, *commits, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "commitbench:", err)
		os.Exit(1)
	}
}

type result struct {
	docs                 int
	acc, inProcess, peer time.Duration
}

func run(sizeList string, runs, commits int, cache string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []result
	stamp := time.Now().UnixNano()
	fmt.Printf("%-8s %12s %12s %14s %10s\n", "docs", "acc (proc)", "acc (in-proc)", "git add+commit", "git / acc")
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("taille invalide %q", f)
		}
		start := time.Now()
		dir, err := benchrepo.Cached(cache, n, commits)
		if err != nil {
			return err
		}
		if d := time.Since(start); d > time.Second {
			fmt.Fprintf(os.Stderr, "(%d documents generated in %v)\n", n, d.Round(time.Millisecond))
		}
		// git status once, so that both sides start from a refreshed index.
		if out, err := exec.Command("git", "-C", dir, "status", "--porcelain").CombinedOutput(); err != nil {
			return fmt.Errorf("git status: %v\n%s", err, out)
		}
		var acc, inProc, peer []time.Duration
		folders := n / benchrepo.DocsPerBeneficiary
		for r := 0; r < runs; r++ {
			id := benchrepo.BeneficiaryID((r * 7919) % folders)
			accPath := fmt.Sprintf("beneficiaires/%s/2026-12-09-acc-%d-%d.md", id, stamp, r)
			gitPath := fmt.Sprintf("beneficiaires/%s/2026-12-09-git-%d-%d.md", id, stamp, r)
			sides := []func() error{
				func() error {
					t := time.Now()
					out, err := exec.Command(self, "-commit-one", dir, accPath).CombinedOutput()
					if err != nil {
						return fmt.Errorf("acc: %v\n%s", err, out)
					}
					acc = append(acc, time.Since(t))
					return nil
				},
				func() error {
					if err := os.WriteFile(filepath.Join(dir, gitPath), []byte(document(id)), 0o644); err != nil {
						return err
					}
					t := time.Now()
					if out, err := exec.Command("git", "-C", dir, "add", gitPath).CombinedOutput(); err != nil {
						return fmt.Errorf("git add: %v\n%s", err, out)
					}
					if out, err := exec.Command("git", "-C", dir, "commit", "-q", "-m", "entretien-suivi : "+id).CombinedOutput(); err != nil {
						return fmt.Errorf("git commit: %v\n%s", err, out)
					}
					peer = append(peer, time.Since(t))
					return nil
				},
				func() error {
					t := time.Now()
					if err := commitOne(dir, accPath+".inproc.md"); err != nil {
						return err
					}
					inProc = append(inProc, time.Since(t))
					return nil
				},
			}
			if r%2 == 1 {
				sides[0], sides[1] = sides[1], sides[0]
			}
			for _, side := range sides {
				if err := side(); err != nil {
					return err
				}
			}
		}
		res := result{docs: n, acc: median(acc), inProcess: median(inProc), peer: median(peer)}
		results = append(results, res)
		fmt.Printf("%-8d %12s %12s %14s %9.1fx\n", n, ms(res.acc), ms(res.inProcess), ms(res.peer), float64(res.peer)/float64(res.acc))
	}
	if len(results) > 1 {
		first, last := results[0], results[len(results)-1]
		fmt.Printf("growth %d -> %d documents: acc %.1fx (in-process %.1fx), git %.1fx\n", first.docs, last.docs,
			float64(last.acc)/float64(first.acc), float64(last.inProcess)/float64(first.inProcess), float64(last.peer)/float64(first.peer))
	}
	return nil
}

// commitOne is what `acc new` does in Git: open, lock, create the document exclusively,
// commit, unlock.
func commitOne(dir, path string) error {
	s, err := gitstore.Open(dir)
	if err != nil {
		return err
	}
	ctx := context.Background()
	unlock, err := s.Lock(ctx, gitstore.DefaultLockTimeout, os.Stderr)
	if err != nil {
		return err
	}
	defer unlock()
	author, committer, ok, err := s.Identity()
	if err != nil {
		return err
	}
	if !ok {
		author.Name, author.Email = "Bench", "bench@example.org"
		committer = author
	}
	id := filepath.Base(filepath.Dir(path))
	_, err = s.Commit(ctx, []gitstore.Change{{Path: path, Content: []byte(document(id)), Exclusive: true}},
		"entretien-suivi : "+id+"\n\nAcc-Action: new\nAcc-Beneficiaire: "+id+"\nAcc-Type: entretien-suivi\n", author, committer)
	return err
}

func document(id string) string {
	return "---\ntype: entretien-suivi\nbeneficiaire: " + id + "\ndate: 2026-12-09\nformateur: Bench\nstatut: brouillon\nobjectif_entretien: Faire le point.\n---\n\n## Introduction\n\n## Déroulement\n\n## Conclusion\n"
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
