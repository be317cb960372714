// Command accbench times the real acc binary the way a user lives it, on
// generated case-file repositories (DESIGN §6: 10 documents per beneficiary,
// a few hundred commits of history), side by side with its peers in the same
// run, and prints medians and ratios.
//
// Every measured run starts from a fresh `git clone` of the generated
// repository: no .git/acc (acc's caches), as in continuous integration, the
// files just written by the checkout (then `sync`, so that the kernel's
// write-back of the checkout does not land inside the measure). Then:
//
//   - acc validate --format json, cold (the clone) and warm (a second run,
//     nothing changed), and acc validate (text) warm; output to a file. The
//     cold run comes right after the clone. At the end of each run, a warm
//     run of a copy whose files are 3 s older than its cold run (the
//     trainer's case: a clone of the morning; before December 2026,
//     validate's racy rule kept a 2 s margin, and this row was the only
//     one whose warm run knew the files by their stat data alone).
//     The cold runs also record acc commit's folder cache.
//     Peers: git grep over every document (reads them all: the floor of any
//     checker) and markdownlint-cli2 (installed with npm into a temporary
//     folder when npm can; skipped with a message otherwise).
//   - acc report --format json, cold (.git/acc removed: the same state as a
//     fresh clone for acc) and warm.
//   - acc commit after editing 10 files vs git add -A && git commit, then
//     acc validate --changed-since HEAD~1 (those 10 documents); and a
//     second commit of each (10 other files): the first acc commit of a
//     clone finds the folder cache the cold report recorded.
//   - acc new TYPE (with its commit) vs git add FILE && git commit.
//
// Each figure is the median over -runs runs (after one warm-up clone that is
// not counted) of the wall time of the process, its user and system CPU time
// and its peak resident memory (getrusage of the child). CPU time is less
// disturbed than wall time by other processes on a shared machine.
//
//	go run ./bench/accbench                      # 1k and 10k documents
//	go run ./bench/accbench -large               # and 100k
//	go run ./bench/accbench -sizes 100000 -runs 5 -markdown
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

func main() {
	sizes := flag.String("sizes", "1000,10000", "repository sizes, in documents")
	large := flag.Bool("large", false, "also measure 100,000 documents")
	runs := flag.Int("runs", 5, "measured runs per size (each on a fresh clone)")
	commits := flag.Int("commits", 300, "commits of history in generated repositories")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "acc-commitbench"), "where generated repositories are kept")
	peers := flag.Bool("peers", true, "measure markdownlint-cli2 (installed with npm into a temporary folder)")
	peerRuns := flag.Int("peer-runs", 0, "runs of markdownlint-cli2 per size (0: as -runs up to 10k documents, 1 above)")
	accBin := flag.String("acc", "", "acc binary to measure (default: built from this tree)")
	markdown := flag.Bool("markdown", false, "also print the results as the README's Markdown table")
	flag.Parse()
	list := *sizes
	if *large && !strings.Contains(list, "100000") {
		list += ",100000"
	}
	b := &bench{runs: *runs, commits: *commits, cache: *cache, peerRuns: *peerRuns}
	if err := b.run(list, *peers, *accBin, *markdown); err != nil {
		fmt.Fprintln(os.Stderr, "accbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	runs, commits, peerRuns int
	cache, tmp, acc, mdl    string
}

// sample is one process (or chain of processes) measured.
type sample struct {
	wall, user, sys time.Duration
	rssKB           int64 // peak resident memory, kilobytes (the largest process of a chain)
}

func (s *sample) add(o sample) {
	s.wall += o.wall
	s.user += o.user
	s.sys += o.sys
	s.rssKB = max(s.rssKB, o.rssKB)
}

// series is what one measure gave over the runs.
type series []sample

// median takes the median of each quantity separately.
func (s series) median() sample {
	if len(s) == 0 {
		return sample{}
	}
	pick := func(f func(sample) int64) int64 {
		v := make([]int64, len(s))
		for i, x := range s {
			v[i] = f(x)
		}
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return v[len(v)/2]
	}
	return sample{
		wall:  time.Duration(pick(func(x sample) int64 { return int64(x.wall) })),
		user:  time.Duration(pick(func(x sample) int64 { return int64(x.user) })),
		sys:   time.Duration(pick(func(x sample) int64 { return int64(x.sys) })),
		rssKB: pick(func(x sample) int64 { return x.rssKB }),
	}
}

// repo is one fresh clone.
type repo struct {
	b      *bench
	dir    string
	cloned time.Time // when the clone's files were written
}

func (r *repo) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Dir = r.dir
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "ACC_TODAY=2026-11-25")
	return c
}

// measure runs a command with its output sent to a file (as a CI job
// redirects it), and returns its times and memory; exit 1 (findings) is not a
// failure.
func (r *repo) measure(name string, args ...string) (sample, error) {
	c := r.cmd(name, args...)
	out, err := os.Create(filepath.Join(r.b.tmp, "output"))
	if err != nil {
		return sample{}, err
	}
	defer out.Close()
	var stderr bytes.Buffer
	c.Stdout, c.Stderr = out, &stderr
	start := time.Now()
	err = c.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return sample{}, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	ps := c.ProcessState
	return sample{wall: wall, user: ps.UserTime(), sys: ps.SystemTime(), rssKB: peakRSS(ps)}, nil
}

// chain measures commands one after the other, summing their times.
func (r *repo) chain(cmds ...[]string) (sample, error) {
	var s sample
	for _, c := range cmds {
		x, err := r.measure(c[0], c[1:]...)
		if err != nil {
			return s, err
		}
		s.add(x)
	}
	return s, nil
}

func (r *repo) must(name string, args ...string) error {
	if out, err := r.cmd(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// source returns the generated repository of n documents with an acc.yaml
// committed, kept under the cache folder.
func (b *bench) source(n int) (string, error) {
	gen, err := benchrepo.Cached(b.cache, n, b.commits)
	if err != nil {
		return "", err
	}
	dir := gen + "-acc"
	if _, err := os.Stat(dir + ".complete"); err == nil {
		return dir, nil
	}
	os.RemoveAll(dir)
	if out, err := exec.Command("git", "clone", "-q", gen, dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("git clone: %v\n%s", err, out)
	}
	r := &repo{b: b, dir: dir}
	if err := os.WriteFile(filepath.Join(dir, "acc.yaml"), []byte("organisation: Banc d'essai\n"), 0o644); err != nil {
		return "", err
	}
	for _, args := range [][]string{{"add", "acc.yaml"}, {"-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-qm", "acc.yaml"}} {
		if err := r.must("git", args...); err != nil {
			return "", err
		}
	}
	return dir, os.WriteFile(dir+".complete", nil, 0o644)
}

// clone makes a fresh clone of src, as a CI job gets it.
func (b *bench) clone(src string, i int) (*repo, error) {
	dir := filepath.Join(b.tmp, fmt.Sprintf("clone-%d", i))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if out, err := exec.Command("git", "clone", "-q", src, dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git clone: %v\n%s", err, out)
	}
	r := &repo{b: b, dir: dir}
	for _, kv := range [][2]string{{"user.name", "Bench"}, {"user.email", "bench@example.org"}, {"gc.auto", "0"}} {
		if err := r.must("git", "config", kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	// The checkout's write-back belongs to the clone, not to the measure.
	exec.Command("sync").Run()
	r.cloned = time.Now()
	return r, nil
}

// installMarkdownlint installs markdownlint-cli2 with npm into the temporary
// folder, returning its executable or why it could not.
func (b *bench) installMarkdownlint() (string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm introuvable")
	}
	dir := filepath.Join(b.tmp, "npm")
	c := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "markdownlint-cli2")
	if out, err := c.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install markdownlint-cli2 : %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "markdownlint-cli2")
	if _, err := os.Stat(bin); err != nil {
		return "", err
	}
	return bin, nil
}

// row names one line of the results.
type row struct {
	what, peer string
	acc, other sample
	hasPeer    bool
	note       string
}

func (b *bench) run(sizeList string, peers bool, accBin string, markdown bool) error {
	var err error
	if b.tmp, err = os.MkdirTemp("", "accbench"); err != nil {
		return err
	}
	defer os.RemoveAll(b.tmp)
	b.acc = accBin
	if b.acc == "" {
		b.acc = filepath.Join(b.tmp, "acc")
		if out, err := exec.Command("go", "build", "-o", b.acc, "./cmd/acc").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	if peers {
		if b.mdl, err = b.installMarkdownlint(); err != nil {
			fmt.Printf("markdownlint-cli2 non mesuré : %v\n", err)
		} else if out, err := exec.Command(b.mdl, "--help").Output(); err == nil {
			fmt.Printf("pair : %s\n", strings.SplitN(string(out), "\n", 2)[0])
		}
	}
	fmt.Printf("machine : %d cœurs visibles, charge moyenne au départ %s\n", runtime.NumCPU(), loadAvg())
	// The clones' file system matters (see bench/clonebench): say which.
	fmt.Printf("clones écrits dans %s (TMPDIR pour choisir un autre disque)\n", b.tmp)
	type result struct {
		n    int
		rows []row
	}
	var results []result
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < benchrepo.DocsPerBeneficiary {
			return fmt.Errorf("taille invalide %q", f)
		}
		rows, err := b.size(n)
		if err != nil {
			return err
		}
		results = append(results, result{n, rows})
	}
	fmt.Printf("\ncharge moyenne à la fin %s\n", loadAvg())
	if markdown {
		for _, r := range results {
			fmt.Printf("\n%d documents (%d bénéficiaires), médianes de %d passages :\n\n", r.n, r.n/benchrepo.DocsPerBeneficiary, b.runs)
			fmt.Println("| mesure | acc : mur (utilisateur + système), mémoire | pair | pair/acc |")
			fmt.Println("|---|---|---|---|")
			for _, x := range r.rows {
				peer, ratio := "—", "—"
				if x.hasPeer {
					peer = x.peer + " " + cell(x.other)
					ratio = fmt.Sprintf("%.1f×", float64(x.other.wall)/float64(x.acc.wall))
				}
				what := x.what
				if x.note != "" {
					what += " (" + x.note + ")"
				}
				fmt.Printf("| %s | %s | %s | %s |\n", what, cell(x.acc), peer, ratio)
			}
		}
	}
	return nil
}

func (b *bench) size(n int) ([]row, error) {
	src, err := b.source(n)
	if err != nil {
		return nil, err
	}
	peerRuns := b.peerRuns
	if peerRuns <= 0 {
		peerRuns = b.runs
		if n > 10000 {
			peerRuns = 1
		}
	}
	var cold, warm, warmOld, warmText, grep, mdl, repCold, repWarm, accCommit, accCommit2, changed, gitCommit, gitCommit2, accNew, gitNew series
	for i := -1; i < b.runs; i++ { // run -1 is the warm-up
		r, err := b.clone(src, i+1)
		if err != nil {
			return nil, err
		}
		keep := func(s *series, x sample, err error) error {
			if err == nil && i >= 0 {
				*s = append(*s, x)
			}
			return err
		}
		x, err := r.measure(b.acc, "validate", "--format", "json")
		if err := keep(&cold, x, err); err != nil {
			return nil, err
		}
		x, err = r.measure(b.acc, "validate", "--format", "json")
		if err := keep(&warm, x, err); err != nil {
			return nil, err
		}
		x, err = r.measure(b.acc, "validate")
		if err := keep(&warmText, x, err); err != nil {
			return nil, err
		}
		x, err = r.measure("git", "grep", "-c", "-e", "^## ", "--", "beneficiaires")
		if err := keep(&grep, x, err); err != nil {
			return nil, err
		}
		if b.mdl != "" && i < peerRuns {
			// markdownlint-cli2 exits 1 on findings, like acc.
			x, err = r.measure(b.mdl, "beneficiaires/**/*.md")
			if err := keep(&mdl, x, err); err != nil {
				return nil, err
			}
		}
		if err := os.RemoveAll(filepath.Join(r.dir, ".git", "acc")); err != nil {
			return nil, err
		}
		x, err = r.measure(b.acc, "report", "--format", "json")
		if err := keep(&repCold, x, err); err != nil {
			return nil, err
		}
		x, err = r.measure(b.acc, "report", "--format", "json")
		if err := keep(&repWarm, x, err); err != nil {
			return nil, err
		}
		edit := func(round int) {
			for k := 0; k < 10; k++ {
				id := benchrepo.BeneficiaryID((round*10 + k) % (n / benchrepo.DocsPerBeneficiary))
				p := filepath.Join(r.dir, "beneficiaires", id, "fiche.md")
				data, _ := os.ReadFile(p)
				os.WriteFile(p, append(data, fmt.Sprintf("\nNote %d.\n", round)...), 0o644)
			}
		}
		edit(0)
		x, err = r.measure(b.acc, "commit")
		if err := keep(&accCommit, x, err); err != nil {
			return nil, err
		}
		// The 10 documents of that commit, the cache warm.
		x, err = r.measure(b.acc, "validate", "--changed-since", "HEAD~1")
		if err := keep(&changed, x, err); err != nil {
			return nil, err
		}
		// A trainer's next commit: acc knows the folders by now (its
		// folder cache, written by the first commit).
		edit(2)
		x, err = r.measure(b.acc, "commit")
		if err := keep(&accCommit2, x, err); err != nil {
			return nil, err
		}
		edit(1)
		x, err = r.chain([]string{"git", "add", "-A"}, []string{"git", "commit", "-qm", "pair"})
		if err := keep(&gitCommit, x, err); err != nil {
			return nil, err
		}
		edit(3)
		x, err = r.chain([]string{"git", "add", "-A"}, []string{"git", "commit", "-qm", "pair"})
		if err := keep(&gitCommit2, x, err); err != nil {
			return nil, err
		}
		id := benchrepo.BeneficiaryID(0)
		x, err = r.measure(b.acc, "new", "entretien-suivi", "-b", id, "--date", "2027-01-04")
		if err := keep(&accNew, x, err); err != nil {
			return nil, err
		}
		file := "beneficiaires/" + id + "/2027-01-05-note.md"
		if err := os.WriteFile(filepath.Join(r.dir, file), []byte("---\ntype: note\n---\n"), 0o644); err != nil {
			return nil, err
		}
		x, err = r.chain([]string{"git", "add", file}, []string{"git", "commit", "-qm", "pair"})
		if err := keep(&gitNew, x, err); err != nil {
			return nil, err
		}
		// A trainer's warm run: the copy's files were written well before
		// the cold run (a clone of the morning, checked in the afternoon).
		if err := os.RemoveAll(filepath.Join(r.dir, ".git", "acc")); err != nil {
			return nil, err
		}
		time.Sleep(time.Until(r.cloned.Add(3 * time.Second)))
		if _, err := r.measure(b.acc, "validate", "--format", "json"); err != nil {
			return nil, err
		}
		x, err = r.measure(b.acc, "validate", "--format", "json")
		if err := keep(&warmOld, x, err); err != nil {
			return nil, err
		}
		os.RemoveAll(r.dir)
	}
	rows := []row{
		{what: "acc validate --format json, froid", acc: cold.median(), peer: "git grep (lit tout)", other: grep.median(), hasPeer: true},
		{what: "acc validate --format json, chaud", acc: warm.median()},
		{what: "acc validate (texte), chaud", acc: warmText.median()},
		{what: "acc validate --format json, chaud, copie de plus de 3 s", acc: warmOld.median()},
		{what: "acc report --format json, froid", acc: repCold.median()},
		{what: "acc report --format json, chaud", acc: repWarm.median()},
		{what: "acc validate --changed-since, 10 documents", acc: changed.median()},
		{what: "acc commit, 10 fichiers modifiés, 1er après le clone", acc: accCommit.median(), peer: "git add -A && git commit", other: gitCommit.median(), hasPeer: true},
		{what: "acc commit, 10 fichiers modifiés, le suivant", acc: accCommit2.median(), peer: "git add -A && git commit", other: gitCommit2.median(), hasPeer: true},
		{what: "acc new", acc: accNew.median(), peer: "git add && git commit", other: gitNew.median(), hasPeer: true},
	}
	if len(mdl) > 0 {
		rows = append(rows[:1], append([]row{{what: "acc validate --format json, froid", acc: cold.median(),
			peer: "markdownlint-cli2", other: mdl.median(), hasPeer: true, note: fmt.Sprintf("pair : %d passage(s)", len(mdl))}}, rows[1:]...)...)
	}
	c := cold.median()
	fmt.Printf("\n%d documents (%d bénéficiaires), médianes de %d passages, chacun sur un clone neuf\n", n, n/benchrepo.DocsPerBeneficiary, b.runs)
	for _, x := range rows {
		line := fmt.Sprintf("  %-36s %s", x.what, cell(x.acc))
		if x.hasPeer {
			line += fmt.Sprintf("   | %s %s   pair/acc %.1f× (mur), %.1f× (CPU)", x.peer, cell(x.other),
				float64(x.other.wall)/float64(x.acc.wall), float64(x.other.user+x.other.sys)/float64(x.acc.user+x.acc.sys))
		}
		fmt.Println(line)
	}
	fmt.Printf("  validation froide : %.0f documents/s (mur), %.0f documents par seconde de CPU\n",
		float64(n)/c.wall.Seconds(), float64(n)/(c.user+c.sys).Seconds())
	return rows, nil
}

// cell formats a sample: wall (user + system), peak memory.
func cell(s sample) string {
	return fmt.Sprintf("%s (%s + %s), %d Mo", dur(s.wall), dur(s.user), dur(s.sys), (s.rssKB+512)/1024)
}

func dur(d time.Duration) string {
	if d >= time.Second {
		return strings.Replace(fmt.Sprintf("%.2f s", d.Seconds()), ".", ",", 1)
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "inconnue"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "inconnue"
	}
	return strings.Join(f[:3], " ")
}
