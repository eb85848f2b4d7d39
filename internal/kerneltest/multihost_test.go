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

// defaultMultiSeed makes CI's multi-host cases the same on every run.
const defaultMultiSeed = 20260301

// multiRegressionsDir holds the multi-host cases that once made farend and
// the kernels disagree; TestMultiHostRegressions replays them.
const multiRegressionsDir = "testdata/multihost-regressions"

func multiEnvInt(t *testing.T, key string, def int) int {
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

// multiPool builds one MultiLab per topology on demand and removes them
// at the end of the test.
type multiPool struct {
	labs map[string]*MultiLab
}

func newMultiPool(t testing.TB) *multiPool {
	t.Helper()
	Require(t)
	p := &multiPool{labs: map[string]*MultiLab{}}
	t.Cleanup(func() {
		for _, l := range p.labs {
			if err := l.Close(); err != nil {
				t.Errorf("closing lab: %v", err)
			}
		}
	})
	return p
}

func (p *multiPool) lab(t testing.TB, topo MultiTopology) *MultiLab {
	t.Helper()
	k := topo.Key()
	if l, ok := p.labs[k]; ok {
		return l
	}
	l, err := NewMultiLab(context.Background(), topo)
	if err != nil {
		t.Fatalf("building lab %s: %v", topo.Name, err)
	}
	p.labs[k] = l
	return l
}

// TestMultiHostDifferential draws random chains of two or three hosts
// (MultiGen) and, for each case, applies every host's configuration,
// collects every host's snapshot with `farend collect`'s code, asks
// farend's network trace about the packet arriving on h1's edge link,
// sends the packet, follows it through the hosts' kernels and compares
// the two paths hop by hop (CompareMulti). A difference fails the test
// with both sides, the command that runs the case alone, and the case
// saved under testdata/multihost-regressions/.
//
// FAREND_MULTI_CASES sets the number of cases (default 100),
// FAREND_MULTI_SEED the seed (default a fixed one), FAREND_MULTI_CASE
// runs one case of the seed only, FAREND_MULTI_WORKERS the number of
// lab sets working at once (default 1), FAREND_MULTI_MAXFAIL how many
// disagreements to report before stopping (default 10).
func TestMultiHostDifferential(t *testing.T) {
	Require(t)
	seed := uint64(multiEnvInt(t, "FAREND_MULTI_SEED", defaultMultiSeed))
	n := multiEnvInt(t, "FAREND_MULTI_CASES", 100)
	first, last := 0, n
	if os.Getenv("FAREND_MULTI_CASE") != "" {
		first = multiEnvInt(t, "FAREND_MULTI_CASE", 0)
		last = first + 1
	}
	maxFail := multiEnvInt(t, "FAREND_MULTI_MAXFAIL", 10)
	workers := max(1, min(multiEnvInt(t, "FAREND_MULTI_WORKERS", 1), last-first))
	gen := MultiGen{Seed: seed}
	verbose := os.Getenv("FAREND_MULTI_VERBOSE") != ""
	start := time.Now()

	next := make(chan int)
	var stop atomic.Bool
	var failures atomic.Int64
	var wg sync.WaitGroup
	stats := make([]*multiStats, workers)
	for w := range workers {
		pool := newMultiPool(t)
		for _, topo := range MultiTopologies() {
			pool.lab(t, topo)
		}
		snap := t.TempDir()
		st := newMultiStats()
		stats[w] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if stop.Load() {
					continue
				}
				c, err := applyMultiCase(t, pool, gen, i, st)
				if err == nil {
					var res multiResult
					res, err = runMultiCase(pool, c, snap, st)
					if verbose {
						t.Logf("case %s: %s | farend %s on %s", c.Name(), oneLine(res.obs), res.tr.Disposition, lastHop(res.tr))
					}
					if err == nil && res.diff == "" {
						st.agree++
						continue
					}
					if err == nil {
						reportMulti(t, c, res, true)
						st.disagree++
						if failures.Add(1) >= int64(maxFail) {
							t.Errorf("stopping after %d disagreements (FAREND_MULTI_MAXFAIL)", maxFail)
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
	st := newMultiStats()
	for _, s := range stats {
		st.add(s)
	}
	st.wall = time.Since(start)
	t.Logf("seed %d, %d workers: %s", seed, workers, st)
}

// applyMultiCase draws case i and applies it, drawing it again while the
// kernel refuses it.
func applyMultiCase(t *testing.T, pool *multiPool, gen MultiGen, i int, st *multiStats) (MultiCase, error) {
	for attempt := 0; ; attempt++ {
		c := gen.Case(i, attempt)
		lab, ok := pool.labs[c.Topology.Key()]
		if !ok {
			return c, fmt.Errorf("no lab for topology %s", c.Topology.Name)
		}
		t0 := time.Now()
		err := lab.Apply(context.Background(), c.Configs)
		st.apply += time.Since(t0)
		if err == nil {
			return c, nil
		}
		st.refusals++
		if st.refusals <= 3 {
			t.Logf("case %s attempt %d refused: %v", c.Name(), attempt, strings.Join(strings.SplitN(err.Error(), "\n", 5)[:min(4, len(strings.SplitN(err.Error(), "\n", 5)))], " | "))
		}
		if attempt >= 20 {
			return c, fmt.Errorf("the kernel refused 20 versions of case %s in a row; last: %w", c.Name(), err)
		}
	}
}

// multiResult is what one case gave.
type multiResult struct {
	obs  MultiObservation
	tr   trace.Trace
	diff string
	snap string
}

// runMultiCase collects the applied case's snapshot, asks farend, injects
// the packet and compares. An error is the harness's.
func runMultiCase(pool *multiPool, c MultiCase, snapRoot string, st *multiStats) (multiResult, error) {
	ctx := context.Background()
	snap := filepath.Join(snapRoot, c.Topology.Name)
	res := multiResult{snap: snap}
	lab, ok := pool.labs[c.Topology.Key()]
	if !ok {
		return res, fmt.Errorf("no lab for topology %s", c.Topology.Name)
	}
	t0 := time.Now()
	if err := lab.Collect(ctx, snap); err != nil {
		return res, fmt.Errorf("case %s: collect: %w", c.Name(), err)
	}
	t1 := time.Now()
	tr, err := FarendNetworkTrace(snap, c.From(), c.In, c.Packet)
	if err != nil {
		return res, fmt.Errorf("case %s: farend: %w", c.Name(), err)
	}
	res.tr = tr
	t2 := time.Now()
	obs, err := lab.Inject(ctx, c.In, c.Packet)
	if err != nil {
		return res, fmt.Errorf("case %s: inject: %w", c.Name(), err)
	}
	t3 := time.Now()
	res.obs = obs
	res.diff = CompareMulti(obs, tr)
	if st != nil {
		st.collect += t1.Sub(t0)
		st.farend += t2.Sub(t1)
		st.inject += t3.Sub(t2)
		st.count(obs, tr)
	}
	return res, nil
}

// reportMulti fails t with both sides of a disagreement, saves the case
// (when save) and keeps a copy of the snapshot.
func reportMulti(t *testing.T, c MultiCase, res multiResult, save bool) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "case %s (%s topology %s), packet %s in on %s:%s\n", c.Name(), c.Note, c.Topology.Name, c.Packet, c.From(), c.In)
	b.WriteString(res.diff)
	b.WriteString("\n")
	b.WriteString(res.obs.String())
	for i, v := range res.obs.Visits {
		if i >= 6 {
			break
		}
		fmt.Fprintf(&b, "  kernel events on %s (hop %d):\n    %s\n", v.Host, i+1, strings.Join(v.Events, "\n    "))
	}
	var tb bytes.Buffer
	trace.WriteText(&tb, res.tr)
	fmt.Fprintf(&b, "farend:\n%s\n", multiIndent(tb.String(), "  "))
	for i, h := range c.Topology.Hosts {
		fmt.Fprintf(&b, "configuration of %s:\n%s", h.Name, multiIndent(multiConfigText(c.Configs[i]), "  "))
	}
	keep, err := os.MkdirTemp("", "farend-multi-"+c.Name()+"-")
	if err == nil {
		err = os.CopyFS(keep, os.DirFS(res.snap))
	}
	if err == nil {
		fmt.Fprintf(&b, "snapshot kept in %s; ask farend again with:\n  go run ./cmd/farend %s\n", keep, strings.Join(FarendNetworkArgs(keep, c.From(), c.In, c.Packet), " "))
	}
	if save {
		if p, err := saveMultiRegression(c); err != nil {
			fmt.Fprintf(&b, "could not save the case: %v\n", err)
		} else {
			fmt.Fprintf(&b, "case saved as %s (TestMultiHostRegressions replays it)\n", p)
		}
		fmt.Fprintf(&b, "run this case alone:\n  FAREND_MULTI_SEED=%d FAREND_MULTI_CASE=%d go test ./internal/kerneltest -run 'TestMultiHostDifferential$' -v\n", c.Seed, c.Index)
	}
	t.Error(b.String())
}

func multiIndent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

// multiConfigText prints a Config as the commands that would make it.
func multiConfigText(c Config) string {
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
	if c.IPTables != "" {
		fmt.Fprintf(&b, "iptables-restore <<EOF\n%sEOF\n", c.IPTables)
	}
	if c.IP6Tables != "" {
		fmt.Fprintf(&b, "ip6tables-restore <<EOF\n%sEOF\n", c.IP6Tables)
	}
	return b.String()
}

func saveMultiRegression(c MultiCase) (string, error) {
	if err := os.MkdirAll(multiRegressionsDir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	p := filepath.Join(multiRegressionsDir, c.Name()+".json")
	return p, os.WriteFile(p, append(b, '\n'), 0o644)
}

// TestMultiHostRegressions replays every case saved under
// testdata/multihost-regressions: each once made farend and the kernels
// disagree, and must agree now.
func TestMultiHostRegressions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(multiRegressionsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Logf("no saved cases in %s", multiRegressionsDir)
		return
	}
	pool := newMultiPool(t)
	snap := t.TempDir()
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c MultiCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			lab := pool.lab(t, c.Topology)
			if err := lab.Apply(context.Background(), c.Configs); err != nil {
				t.Fatalf("apply: %v", err)
			}
			res, err := runMultiCase(pool, c, snap, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case res.diff != "" && c.FarendBug != "":
				t.Logf("known farend bug (%s):\n%s", c.FarendBug, res.diff)
			case res.diff != "":
				reportMulti(t, c, res, false)
			case c.FarendBug != "":
				t.Errorf("farend now agrees with the kernel: remove farend_bug from %s (%s)", f, c.FarendBug)
			}
		})
	}
}

// multiStats counts what the cases did, for the log.
type multiStats struct {
	agree, disagree, refusals      int
	apply, collect, farend, inject time.Duration
	wall                           time.Duration
	fates                          map[string]int
	hops                           map[int]int
	drops                          map[string]int
	farendDisp                     map[string]int
	targets                        map[string]int
	looped, timedOut               int
}

func newMultiStats() *multiStats {
	return &multiStats{fates: map[string]int{}, hops: map[int]int{}, drops: map[string]int{}, farendDisp: map[string]int{}, targets: map[string]int{}}
}

var multiTargetWord = regexp.MustCompile(`-j (\S+)`)

func (s *multiStats) count(obs MultiObservation, tr trace.Trace) {
	fam := "/v4"
	if obs.Packet.Is6() {
		fam = "/v6"
	}
	f := string(obs.Fate)
	if obs.Fate == MultiUnresolved && obs.Edge {
		f += "-edge"
	}
	s.fates[f+fam]++
	h := len(obs.Visits)
	if h > 4 {
		h = 5
	}
	s.hops[h]++
	if obs.Looped {
		s.looped++
	}
	if obs.TimedOut {
		s.timedOut++
	}
	if obs.Fate == MultiDropped {
		why := obs.DropReason
		if why == "" {
			why = "unknown"
		}
		s.drops[why]++
	}
	s.farendDisp[string(tr.Disposition)]++
	for _, v := range obs.Visits {
		for _, st := range v.Steps {
			k := st.Table + " " + st.Chain
			if st.Policy {
				k += " policy " + st.Verdict
			} else {
				k += " " + st.Verdict
			}
			s.targets[k]++
		}
	}
}

func (s *multiStats) add(o *multiStats) {
	s.agree += o.agree
	s.disagree += o.disagree
	s.refusals += o.refusals
	s.apply += o.apply
	s.collect += o.collect
	s.farend += o.farend
	s.inject += o.inject
	s.looped += o.looped
	s.timedOut += o.timedOut
	for k, v := range o.fates {
		s.fates[k] += v
	}
	for k, v := range o.hops {
		s.hops[k] += v
	}
	for k, v := range o.drops {
		s.drops[k] += v
	}
	for k, v := range o.farendDisp {
		s.farendDisp[k] += v
	}
	for k, v := range o.targets {
		s.targets[k] += v
	}
}

func (s *multiStats) String() string {
	total := s.agree + s.disagree
	var b strings.Builder
	fmt.Fprintf(&b, "%d cases, %d agree, %d disagree; %d refused by the kernel and drawn again; wall %v",
		total, s.agree, s.disagree, s.refusals, s.wall.Round(time.Millisecond))
	if total > 0 {
		per := func(d time.Duration) time.Duration { return (d / time.Duration(total)).Round(100 * time.Microsecond) }
		fmt.Fprintf(&b, "\n  per case: apply %v, collect %v, farend %v, inject+observe %v", per(s.apply), per(s.collect), per(s.farend), per(s.inject))
	}
	fmt.Fprintf(&b, "\n  kernel fates: %v; hosts visited: %v (5 = 5 or more); %d looped; drop reasons: %v; %d ended by silence",
		s.fates, s.hops, s.looped, s.drops, s.timedOut)
	fmt.Fprintf(&b, "\n  farend dispositions: %v", s.farendDisp)
	keys := make([]string, 0, len(s.targets))
	for k := range s.targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("\n  matched in the kernels' traces:")
	for _, k := range keys {
		fmt.Fprintf(&b, " [%s]=%d", k, s.targets[k])
	}
	return b.String()
}

// oneLine sums an observation up: the hops and the fate.
func oneLine(o MultiObservation) string {
	var hops []string
	for i, v := range o.Visits {
		if i == 6 {
			hops = append(hops, fmt.Sprintf("...(%d)", len(o.Visits)))
			break
		}
		hops = append(hops, hopKey(v.Host, v.In))
	}
	s := fmt.Sprintf("%s: %s -> %s on %s", o.Packet, strings.Join(hops, " "), o.Fate, o.Host)
	if o.OutInterface != "" {
		s += " out " + o.OutInterface
	}
	if o.NextHop.IsValid() {
		s += " to " + o.NextHop.String()
	}
	if o.DropReason != "" {
		s += " " + o.DropReason
	}
	if o.Looped {
		s += " (loop)"
	}
	return s
}

func lastHop(tr trace.Trace) string {
	if len(tr.Hops) == 0 {
		return "?"
	}
	return tr.Hops[len(tr.Hops)-1].Node
}
