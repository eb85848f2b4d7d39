package kerneltest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// What the differential tests share: single-host (TestDifferential,
// TestDifferentialNFT) and multi-host (TestMultiHostDifferential) cases
// are drawn, applied, run and reported the same way, by different types.

func envInt(t *testing.T, key string, def int) int {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number >= 0", key, v)
	}
	return n
}

// diffKnobs are a differential test's environment variables, named
// <prefix>_CASE (one case only), <prefix>_WORKERS (default workers) and
// <prefix>_MAXFAIL (how many disagreements to report before stopping,
// default 10).
type diffKnobs struct {
	prefix  string
	workers int
}

// caseStats are a differential test's counts: runStats and its own.
type caseStats[S any] interface {
	fmt.Stringer
	counts() *runStats
	add(o S)
}

// runCases runs cases 0 to n-1 of seed, or <prefix>_CASE alone, on
// <prefix>_WORKERS workers at once, and logs the sum of their stats.
// newWorker, called in the test's goroutine (a failure to build a lab
// ends the test), builds one worker's labs and returns the function that
// runs case i on them and counts into st: whether farend and the kernel
// disagreed (it has reported so), or the harness's error.
func runCases[S caseStats[S]](t *testing.T, knobs diffKnobs, seed uint64, n int, newStats func() S, newWorker func(st S) func(i int) (bool, error)) {
	first, last := 0, n
	if os.Getenv(knobs.prefix+"_CASE") != "" {
		first = envInt(t, knobs.prefix+"_CASE", 0)
		last = first + 1
	}
	maxFail := envInt(t, knobs.prefix+"_MAXFAIL", 10)
	workers := max(1, min(envInt(t, knobs.prefix+"_WORKERS", knobs.workers), last-first))
	start := time.Now()

	next := make(chan int)
	var stop atomic.Bool
	var failures atomic.Int64
	var wg sync.WaitGroup
	stats := make([]S, workers)
	for w := range workers {
		st := newStats()
		stats[w] = st
		run := newWorker(st)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if stop.Load() {
					continue
				}
				disagree, err := run(i)
				switch {
				case err != nil:
					t.Errorf("case %d of seed %d: %v", i, seed, err)
					stop.Store(true)
				case !disagree:
					st.counts().agree++
				default:
					st.counts().disagree++
					if failures.Add(1) >= int64(maxFail) {
						t.Errorf("stopping after %d disagreements (%s_MAXFAIL)", maxFail, knobs.prefix)
						stop.Store(true)
					}
				}
			}
		}()
	}
	for i := first; i < last; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	st := newStats()
	for _, s := range stats {
		st.add(s)
	}
	st.counts().wall = time.Since(start)
	t.Logf("seed %d, %d workers: %s", seed, workers, st)
}

// applyDrawn draws a case (attempt 0, 1 ...) and applies it, drawing it
// again while the kernel refuses it, 20 times in a row at the most.
// apply says whether the kernel refused the case (refusal) or the
// harness failed (err: no lab for the case, it ends the draw); refused
// hears of each refusal, after it is counted.
func applyDrawn[C interface{ Name() string }](st *runStats, draw func(attempt int) C, apply func(c C) (refusal, err error), refused func(c C, attempt int, err error)) (C, error) {
	for attempt := 0; ; attempt++ {
		c := draw(attempt)
		t0 := time.Now()
		refusal, err := apply(c)
		st.apply += time.Since(t0)
		if err != nil {
			return c, err
		}
		if refusal == nil {
			return c, nil
		}
		st.refusals++
		refused(c, attempt, refusal)
		if attempt >= 20 {
			return c, fmt.Errorf("the kernel refused 20 versions of case %s in a row; last: %w", c.Name(), refusal)
		}
	}
}

// runStats are what every differential test counts, for the log:
// agreement, refusals, time per phase, and what the kernel did with the
// packets (so that a change of the generator that stops reaching some
// code shows).
type runStats struct {
	agree, disagree, refusals      int
	apply, collect, farend, inject time.Duration
	wall                           time.Duration
	fates                          map[string]int
	drops                          map[string]int
	targets                        map[string]int
	timedOut                       int
}

func newRunStats() runStats {
	return runStats{fates: map[string]int{}, drops: map[string]int{}, targets: map[string]int{}}
}

func (s *runStats) counts() *runStats { return s }

// addRun adds o's counts to s.
func (s *runStats) addRun(o *runStats) {
	s.agree += o.agree
	s.disagree += o.disagree
	s.refusals += o.refusals
	s.apply += o.apply
	s.collect += o.collect
	s.farend += o.farend
	s.inject += o.inject
	s.timedOut += o.timedOut
	addCounts(s.fates, o.fates)
	addCounts(s.drops, o.drops)
	addCounts(s.targets, o.targets)
}

// countDrop counts the kernel's drop reason of a dropped packet.
func (s *runStats) countDrop(why string) {
	if why == "" {
		why = "unknown"
	}
	s.drops[why]++
}

// perCase is the mean time per case of each phase ("" without cases).
func (s *runStats) perCase() string {
	total := s.agree + s.disagree
	if total == 0 {
		return ""
	}
	per := func(d time.Duration) time.Duration { return (d / time.Duration(total)).Round(100 * time.Microsecond) }
	return fmt.Sprintf("\n  per case: apply %v, collect %v, farend %v, inject+observe %v", per(s.apply), per(s.collect), per(s.farend), per(s.inject))
}

// targetCounts prints the targets counted, in order, each as format
// (of the target and its count).
func (s *runStats) targetCounts(format string) string {
	keys := make([]string, 0, len(s.targets))
	for k := range s.targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, format, k, s.targets[k])
	}
	return b.String()
}

func addCounts[K comparable](dst, src map[K]int) {
	for k, v := range src {
		dst[k] += v
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, " | ")
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

// configText prints a Config as the commands that would make it; an
// empty iptables or ip6tables ruleset is printed as loaded too, unless
// omitEmpty.
func configText(c Config, omitEmpty bool) string {
	var b strings.Builder
	for _, s := range c.Sysctls {
		fmt.Fprintf(&b, "sysctl -w %s=%s\n", s.Key, s.Value)
	}
	for _, r := range c.Routes {
		fam := "ip"
		if r.Is6() {
			fam = "ip -6"
		}
		fmt.Fprintf(&b, "%s route add %s\n", fam, r.Args())
	}
	for _, r := range c.Rules {
		fam := "ip"
		if r.Is6() {
			fam = "ip -6"
		}
		fmt.Fprintf(&b, "%s rule add %s\n", fam, r.Args())
	}
	// Loaded in this order (Lab.Apply): the native ruleset, then
	// iptables-nft's.
	if c.NFT != "" {
		fmt.Fprintf(&b, "nft -f - <<EOF\n%sEOF\n", c.NFT)
	}
	if c.IPTables != "" || !omitEmpty {
		fmt.Fprintf(&b, "iptables-restore <<EOF\n%sEOF\n", c.IPTables)
	}
	if c.IP6Tables != "" || !omitEmpty {
		fmt.Fprintf(&b, "ip6tables-restore <<EOF\n%sEOF\n", c.IP6Tables)
	}
	return b.String()
}

// keepSnapshot copies a disagreement's snapshot to a new temporary
// directory (named pattern, as os.MkdirTemp takes it) and writes to b how
// to ask farend again there (args: farend's arguments for the directory).
func keepSnapshot(b *strings.Builder, pattern, snap string, args func(keep string) []string) {
	keep, err := os.MkdirTemp("", pattern)
	if err == nil {
		err = os.CopyFS(keep, os.DirFS(snap))
	}
	if err == nil {
		fmt.Fprintf(b, "snapshot kept in %s; ask farend again with:\n  go run ./cmd/farend %s\n", keep, strings.Join(args(keep), " "))
	}
}

// saveDisagreement saves a case farend and the kernel disagreed on (save)
// and writes to b where, the test that replays it (replay), and the
// command that runs the case alone: test, with the environment variables
// <prefix>_SEED and <prefix>_CASE.
func saveDisagreement(b *strings.Builder, save func() (string, error), replay, prefix string, seed uint64, index int, test string) {
	if p, err := save(); err != nil {
		fmt.Fprintf(b, "could not save the case: %v\n", err)
	} else {
		fmt.Fprintf(b, "case saved as %s (%s replays it)\n", p, replay)
	}
	fmt.Fprintf(b, "run this case alone:\n  %s_SEED=%d %s_CASE=%d go test ./internal/kerneltest -run '%s$' -v\n", prefix, seed, prefix, index, test)
}

// saveCase writes c as dir/<name>.json.
func saveCase(dir, name string, c any) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name+".json")
	return p, os.WriteFile(p, append(b, '\n'), 0o644)
}

// savedCases are the files of the cases saved in dir, in order; it logs
// when there are none.
func savedCases(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Logf("no saved cases in %s", dir)
	}
	sort.Strings(files)
	return files
}

// loadCase reads a saved case; the name is its subtest's.
func loadCase[C any](t *testing.T, f string) (name string, c C) {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return strings.TrimSuffix(filepath.Base(f), ".json"), c
}
