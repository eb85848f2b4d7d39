package kerneltest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"farend/internal/trace"
)

// defaultMultiSeed makes CI's multi-host cases the same on every run.
const defaultMultiSeed = 20260301

// multiRegressionsDir holds the multi-host cases that once made farend and
// the kernels disagree; TestMultiHostRegressions replays them.
const multiRegressionsDir = "testdata/multihost-regressions"

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
	seed := uint64(envInt(t, "FAREND_MULTI_SEED", defaultMultiSeed))
	n := envInt(t, "FAREND_MULTI_CASES", 100)
	gen := MultiGen{Seed: seed}
	verbose := os.Getenv("FAREND_MULTI_VERBOSE") != ""
	runCases(t, diffKnobs{prefix: "FAREND_MULTI", workers: 1}, seed, n, newMultiStats, func(st *multiStats) func(int) (bool, error) {
		pool := newMultiPool(t)
		for _, topo := range MultiTopologies() {
			pool.lab(t, topo)
		}
		snap := t.TempDir()
		return func(i int) (bool, error) {
			c, err := applyMultiCase(t, pool, gen, i, st)
			if err != nil {
				return false, err
			}
			res, err := runMultiCase(pool, c, snap, st)
			if verbose {
				t.Logf("case %s: %s | farend %s on %s", c.Name(), oneLine(res.obs), res.tr.Disposition, lastHop(res.tr))
			}
			if err != nil || res.diff == "" {
				return false, err
			}
			reportMulti(t, c, res, true)
			return true, nil
		}
	})
}

// applyMultiCase draws case i and applies it, drawing it again while the
// kernel refuses it.
func applyMultiCase(t *testing.T, pool *multiPool, gen MultiGen, i int, st *multiStats) (MultiCase, error) {
	return applyDrawn(&st.runStats, func(attempt int) MultiCase { return gen.Case(i, attempt) },
		func(c MultiCase) (error, error) {
			lab, ok := pool.labs[c.Topology.Key()]
			if !ok {
				return nil, fmt.Errorf("no lab for topology %s", c.Topology.Name)
			}
			return lab.Apply(context.Background(), c.Configs), nil
		},
		func(c MultiCase, attempt int, err error) {
			if st.refusals <= 3 {
				t.Logf("case %s attempt %d refused: %v", c.Name(), attempt, firstLines(err.Error(), 4))
			}
		})
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
	fmt.Fprintf(&b, "farend:\n%s\n", indent(tb.String(), "  "))
	for i, h := range c.Topology.Hosts {
		fmt.Fprintf(&b, "configuration of %s:\n%s", h.Name, indent(configText(c.Configs[i], true), "  "))
	}
	keepSnapshot(&b, "farend-multi-"+c.Name()+"-", res.snap, func(keep string) []string {
		return FarendNetworkArgs(keep, c.From(), c.In, c.Packet)
	})
	if save {
		saveDisagreement(&b, func() (string, error) { return saveMultiRegression(c) }, "TestMultiHostRegressions", "FAREND_MULTI", c.Seed, c.Index, "TestMultiHostDifferential")
	}
	t.Error(b.String())
}

// saveMultiRegression writes c as testdata/multihost-regressions/<name>.json.
func saveMultiRegression(c MultiCase) (string, error) {
	return saveCase(multiRegressionsDir, c.Name(), c)
}

// TestMultiHostRegressions replays every case saved under
// testdata/multihost-regressions: each once made farend and the kernels
// disagree, and must agree now.
func TestMultiHostRegressions(t *testing.T) {
	files := savedCases(t, multiRegressionsDir)
	if len(files) == 0 {
		return
	}
	pool := newMultiPool(t)
	snap := t.TempDir()
	for _, f := range files {
		name, c := loadCase[MultiCase](t, f)
		t.Run(name, func(t *testing.T) {
			res := replayMulti(t, pool, c, snap)
			checkFarend(t, c, res, c.FarendBug, "remove farend_bug from "+f)
		})
	}
}

// replayMulti applies a written or saved case on its lab and runs it.
func replayMulti(t *testing.T, pool *multiPool, c MultiCase, snap string) multiResult {
	t.Helper()
	lab := pool.lab(t, c.Topology)
	if err := lab.Apply(context.Background(), c.Configs); err != nil {
		t.Fatalf("apply: %v", err)
	}
	res, err := runMultiCase(pool, c, snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkFarend fails t when farend disagrees with the kernel about c, but
// for a known farend bug (bug, not ""), whose difference it logs; a known
// bug farend no longer has fails t too (unmark says what to do then).
func checkFarend(t *testing.T, c MultiCase, res multiResult, bug, unmark string) {
	t.Helper()
	switch {
	case res.diff != "" && bug != "":
		t.Logf("known farend bug (%s):\n%s", bug, res.diff)
	case res.diff != "":
		reportMulti(t, c, res, false)
	case bug != "":
		t.Errorf("farend now agrees with the kernel: %s (%s)", unmark, bug)
	}
}

// multiStats counts what the multi-host cases did, for the log: runStats,
// how many hosts the packets visited, the loops, and farend's
// dispositions.
type multiStats struct {
	runStats
	hops       map[int]int
	farendDisp map[string]int
	looped     int
}

func newMultiStats() *multiStats {
	return &multiStats{runStats: newRunStats(), hops: map[int]int{}, farendDisp: map[string]int{}}
}

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
		s.countDrop(obs.DropReason)
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
	s.addRun(&o.runStats)
	s.looped += o.looped
	addCounts(s.hops, o.hops)
	addCounts(s.farendDisp, o.farendDisp)
}

func (s *multiStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d cases, %d agree, %d disagree; %d refused by the kernel and drawn again; wall %v",
		s.agree+s.disagree, s.agree, s.disagree, s.refusals, s.wall.Round(time.Millisecond))
	b.WriteString(s.perCase())
	fmt.Fprintf(&b, "\n  kernel fates: %v; hosts visited: %v (5 = 5 or more); %d looped; drop reasons: %v; %d ended by silence",
		s.fates, s.hops, s.looped, s.drops, s.timedOut)
	fmt.Fprintf(&b, "\n  farend dispositions: %v", s.farendDisp)
	b.WriteString("\n  matched in the kernels' traces:")
	b.WriteString(s.targetCounts(" [%s]=%d"))
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
