package kerneltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"farend/internal/trace"
)

// defaultDiffSeed makes CI's cases the same on every run; set
// FAREND_DIFF_SEED to draw others.
const defaultDiffSeed = 20251124

// regressionsDir holds the cases that once made farend and the kernel
// disagree; TestRegressions replays them on every run.
const regressionsDir = "testdata/regressions"

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

// TestDifferential draws random cases (Gen) and, for each, builds the host
// in namespaces (one lab per topology and worker, reused), applies the
// case's configuration, writes the host's snapshot with `farend
// collect`'s code, asks `farend trace --json` about the packet, sends the
// packet, and compares the two answers (Compare). Any difference fails
// the test with both paths side by side, the command that runs that case
// alone, and the case saved under testdata/regressions/.
//
// FAREND_DIFF_CASES sets the number of cases (default 1000),
// FAREND_DIFF_SEED the seed (default a fixed one, so that CI runs the same
// cases every time), FAREND_DIFF_CASE runs one case of the seed only,
// FAREND_DIFF_WORKERS the number of labs working at once (default 2),
// FAREND_DIFF_MAXFAIL how many disagreements to report before stopping.
func TestDifferential(t *testing.T) {
	Require(t)
	seed := uint64(envInt(t, "FAREND_DIFF_SEED", defaultDiffSeed))
	gen := Gen{Seed: seed}
	runDifferential(t, seed, envInt(t, "FAREND_DIFF_CASES", 1000), gen.Case)
}

// runDifferential runs cases 0 to n-1 of a generator (case(index,
// attempt)), or FAREND_DIFF_CASE alone, on FAREND_DIFF_WORKERS labs at
// once, and reports every disagreement (TestDifferential).
func runDifferential(t *testing.T, seed uint64, n int, gen func(index, attempt int) Case) {
	first, last := 0, n
	if v := os.Getenv("FAREND_DIFF_CASE"); v != "" {
		first = envInt(t, "FAREND_DIFF_CASE", 0)
		last = first + 1
	}
	maxFail := envInt(t, "FAREND_DIFF_MAXFAIL", 10)
	workers := max(1, min(envInt(t, "FAREND_DIFF_WORKERS", 2), last-first))
	start := time.Now()

	next := make(chan int)
	var stop atomic.Bool
	var failures atomic.Int64
	var wg sync.WaitGroup
	stats := make([]*diffStats, workers)
	for w := range workers {
		// Each worker has labs of its own, built here, in the test's
		// goroutine (a failure to build one ends the test).
		pool := NewPool(t)
		for _, topo := range GenTopologies() {
			pool.Lab(t, topo)
		}
		snap := t.TempDir()
		st := newDiffStats()
		stats[w] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if stop.Load() {
					continue
				}
				c, err := applyCase(t, pool, gen, i, st)
				if err == nil {
					var res caseResult
					res, err = runCase(pool, c, snap, st)
					if err == nil && res.diff == "" {
						st.agree++
						continue
					}
					if err == nil {
						reportDiff(t, c, res, true)
						st.disagree++
						if failures.Add(1) >= int64(maxFail) {
							t.Errorf("stopping after %d disagreements (FAREND_DIFF_MAXFAIL)", maxFail)
							stop.Store(true)
						}
						continue
					}
				}
				t.Errorf("case %d of seed %d: %v", i, seed, err)
				stop.Store(true)
			}
		}()
	}
	for i := first; i < last; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	st := newDiffStats()
	for _, s := range stats {
		st.add(s)
	}
	st.wall = time.Since(start)
	t.Logf("seed %d, %d workers: %s", seed, workers, st)
}

// applyCase draws case i and applies it, drawing it again (attempt 1, 2
// ...) while the kernel refuses it. It counts the refusals.
func applyCase(t *testing.T, pool *Pool, gen func(index, attempt int) Case, i int, st *diffStats) (Case, error) {
	for attempt := 0; ; attempt++ {
		c := gen(i, attempt)
		lab, ok := pool.labs[c.Spec.Topology.Key()]
		if !ok {
			return c, fmt.Errorf("no lab for topology %s", c.Spec.Host)
		}
		t0 := time.Now()
		err := lab.Apply(context.Background(), c.Spec.Config)
		st.apply += time.Since(t0)
		if err == nil {
			return c, nil
		}
		st.refusals++
		why := refusalKind(err)
		st.refused[why]++
		if st.refused[why] <= 3 {
			t.Logf("case %s attempt %d refused: %v", c.Name(), attempt, firstLines(err.Error(), 4))
		}
		if attempt >= 20 {
			return c, fmt.Errorf("the kernel refused 20 versions of case %s in a row; last: %w", c.Name(), err)
		}
	}
}

var refusalLine = regexp.MustCompile(`kerneltest: (\S+)`)

// refusalKind names what refused a case (iptables-restore, ip ...).
func refusalKind(err error) string {
	if m := refusalLine.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return "other"
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, " | ")
}

// caseResult is what one case gave.
type caseResult struct {
	obs    Observation
	farend []byte
	diff   string
	snap   string
}

// runCase collects the applied case's snapshot into snap, asks farend,
// injects the packet and compares. An error is the harness's, not a
// disagreement.
func runCase(pool *Pool, c Case, snap string, st *diffStats) (caseResult, error) {
	ctx := context.Background()
	res := caseResult{snap: snap}
	lab, ok := pool.labs[c.Spec.Topology.Key()]
	if !ok {
		return res, fmt.Errorf("no lab for topology %s", c.Spec.Host)
	}
	t0 := time.Now()
	if err := lab.Collect(ctx, snap); err != nil {
		return res, fmt.Errorf("case %s: collect: %w", c.Name(), err)
	}
	t1 := time.Now()
	js, err := FarendTrace(snap, c.Spec.Host, c.In, c.Packet)
	if err != nil {
		return res, fmt.Errorf("case %s: %w", c.Name(), err)
	}
	res.farend = js
	t2 := time.Now()
	obs, err := lab.Inject(ctx, c.In, c.Packet)
	if err != nil {
		return res, fmt.Errorf("case %s: inject: %w", c.Name(), err)
	}
	t3 := time.Now()
	res.obs = obs
	res.diff = Compare(obs, js)
	if st != nil {
		st.collect += t1.Sub(t0)
		st.farend += t2.Sub(t1)
		st.inject += t3.Sub(t2)
		st.count(obs, js)
	}
	return res, nil
}

// reportDiff fails t with everything needed to look into a disagreement,
// saves the case under testdata/regressions (when save) and keeps a copy
// of the snapshot.
func reportDiff(t *testing.T, c Case, res caseResult, save bool) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "case %s (%s), packet %s in on %s of %s\n", c.Name(), c.Note, c.Packet, c.In, c.Spec.Host)
	b.WriteString(res.diff)
	b.WriteString("\n")
	b.WriteString(res.obs.String())
	fmt.Fprintf(&b, "  kernel events:\n    %s\n", strings.Join(res.obs.Events, "\n    "))
	var tr trace.Trace
	if err := json.Unmarshal(res.farend, &tr); err == nil {
		var tb bytes.Buffer
		trace.WriteText(&tb, tr)
		fmt.Fprintf(&b, "farend:\n%s\n", indent(tb.String(), "  "))
	}
	fmt.Fprintf(&b, "configuration:\n%s", indent(configText(c.Spec.Config), "  "))
	keep, err := os.MkdirTemp("", "farend-diff-"+c.Name()+"-")
	if err == nil {
		err = os.CopyFS(keep, os.DirFS(res.snap))
	}
	if err == nil {
		args := FarendArgs(keep, c.Spec.Host, c.In, c.Packet)
		fmt.Fprintf(&b, "snapshot kept in %s; ask farend again with:\n  go run ./cmd/farend %s\n", keep, strings.Join(args[:len(args)-1], " "))
	}
	if save {
		if p, err := saveRegression(c); err != nil {
			fmt.Fprintf(&b, "could not save the case: %v\n", err)
		} else {
			fmt.Fprintf(&b, "case saved as %s (TestRegressions replays it)\n", p)
		}
		test := "TestDifferential"
		if c.Kind == "nft" {
			test = "TestDifferentialNFT"
		}
		fmt.Fprintf(&b, "run this case alone:\n  FAREND_DIFF_SEED=%d FAREND_DIFF_CASE=%d go test ./internal/kerneltest -run '%s$' -v\n", c.Seed, c.Index, test)
	}
	t.Error(b.String())
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

// configText prints a Config as the commands that would make it.
func configText(c Config) string {
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
	fmt.Fprintf(&b, "iptables-restore <<EOF\n%sEOF\n", c.IPTables)
	fmt.Fprintf(&b, "ip6tables-restore <<EOF\n%sEOF\n", c.IP6Tables)
	return b.String()
}

// saveRegression writes c as testdata/regressions/<seed>-<index>.json.
func saveRegression(c Case) (string, error) {
	if err := os.MkdirAll(regressionsDir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	p := filepath.Join(regressionsDir, c.Name()+".json")
	return p, os.WriteFile(p, append(b, '\n'), 0o644)
}

// TestRegressions replays every case saved under testdata/regressions:
// each once made farend and the kernel disagree, and must agree now.
func TestRegressions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(regressionsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Logf("no saved cases in %s", regressionsDir)
		return
	}
	pool := NewPool(t)
	snap := t.TempDir()
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c Case
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			lab := pool.Lab(t, c.Spec.Topology)
			if err := lab.Apply(context.Background(), c.Spec.Config); err != nil {
				t.Fatalf("apply: %v", err)
			}
			res, err := runCase(pool, c, snap, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.diff != "" {
				reportDiff(t, c, res, false)
			}
		})
	}
}

// diffStats counts what the cases did, for the log: agreement, time per
// phase, refusals, and what the kernel did with the packets (so that a
// change of the generator that stops reaching some code shows).
type diffStats struct {
	agree, disagree, refusals      int
	refused                        map[string]int
	apply, collect, farend, inject time.Duration
	wall                           time.Duration
	fates                          map[string]int
	drops                          map[string]int
	targets                        map[string]int
	timedOut                       int
	farendUnknown                  int
}

func newDiffStats() *diffStats {
	return &diffStats{refused: map[string]int{}, fates: map[string]int{}, drops: map[string]int{}, targets: map[string]int{}}
}

var targetWord = regexp.MustCompile(`(?:-m|-j|-g) (\S+)`)

func (s *diffStats) count(obs Observation, js []byte) {
	fate := string(obs.Fate)
	if obs.Packet.Is6() {
		fate += "/v6"
	} else {
		fate += "/v4"
	}
	s.fates[fate]++
	if obs.Fate == FateDropped {
		why := obs.DropReason
		if why == "" {
			why = "unknown"
		}
		s.drops[why]++
	}
	if obs.TimedOut {
		s.timedOut++
	}
	for _, st := range obs.Steps {
		for _, m := range targetWord.FindAllStringSubmatch(st.Text, -1) {
			s.targets[m[0]]++
		}
		if st.Text == "" && !st.Policy {
			// A native nft rule (iptables-save does not show it): its
			// family and verdict.
			v, _, _ := strings.Cut(st.Verdict, " ")
			s.targets["nft "+st.Family+" "+v]++
		}
		if st.Policy {
			s.targets["policy "+st.Verdict]++
		}
	}
	var tr trace.Trace
	if json.Unmarshal(js, &tr) == nil && len(tr.Alternatives) > 0 {
		s.farendUnknown++
	}
}

// add adds o's counts to s.
func (s *diffStats) add(o *diffStats) {
	s.agree += o.agree
	s.disagree += o.disagree
	s.refusals += o.refusals
	s.apply += o.apply
	s.collect += o.collect
	s.farend += o.farend
	s.inject += o.inject
	s.timedOut += o.timedOut
	s.farendUnknown += o.farendUnknown
	for k, v := range o.refused {
		s.refused[k] += v
	}
	for k, v := range o.fates {
		s.fates[k] += v
	}
	for k, v := range o.drops {
		s.drops[k] += v
	}
	for k, v := range o.targets {
		s.targets[k] += v
	}
}

func (s *diffStats) String() string {
	total := s.agree + s.disagree
	var b strings.Builder
	fmt.Fprintf(&b, "%d cases, %d agree, %d disagree; %d refused by the kernel and drawn again %v; wall %v",
		total, s.agree, s.disagree, s.refusals, s.refused, s.wall.Round(time.Millisecond))
	if total > 0 {
		per := func(d time.Duration) time.Duration { return (d / time.Duration(total)).Round(100 * time.Microsecond) }
		fmt.Fprintf(&b, "\n  per case: apply %v, collect %v, farend %v, inject+observe %v", per(s.apply), per(s.collect), per(s.farend), per(s.inject))
	}
	fmt.Fprintf(&b, "\n  kernel fates: %v; drop reasons: %v; %d ended by silence (no tracepoint); %d farend answers with undecidable alternatives", s.fates, s.drops, s.timedOut, s.farendUnknown)
	keys := make([]string, 0, len(s.targets))
	for k := range s.targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("\n  matched in the kernel's trace:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, s.targets[k])
	}
	return b.String()
}
