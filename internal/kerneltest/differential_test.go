package kerneltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
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
	runCases(t, diffKnobs{prefix: "FAREND_DIFF", workers: 2}, seed, n, newDiffStats, func(st *diffStats) func(int) (bool, error) {
		// Each worker has labs of its own, built here, in the test's
		// goroutine (a failure to build one ends the test).
		pool := NewPool(t)
		for _, topo := range GenTopologies() {
			pool.Lab(t, topo)
		}
		snap := t.TempDir()
		return func(i int) (bool, error) {
			c, err := applyCase(t, pool, gen, i, st)
			if err != nil {
				return false, err
			}
			res, err := runCase(pool, c, snap, st)
			if err != nil || res.diff == "" {
				return false, err
			}
			reportDiff(t, c, res, true)
			return true, nil
		}
	})
}

// applyCase draws case i and applies it, drawing it again (attempt 1, 2
// ...) while the kernel refuses it. It counts the refusals.
func applyCase(t *testing.T, pool *Pool, gen func(index, attempt int) Case, i int, st *diffStats) (Case, error) {
	return applyDrawn(&st.runStats, func(attempt int) Case { return gen(i, attempt) },
		func(c Case) (error, error) {
			lab, ok := pool.labs[c.Spec.Topology.Key()]
			if !ok {
				return nil, fmt.Errorf("no lab for topology %s", c.Spec.Host)
			}
			return lab.Apply(context.Background(), c.Spec.Config), nil
		},
		func(c Case, attempt int, err error) {
			why := refusalKind(err)
			st.refused[why]++
			if st.refused[why] <= 3 {
				t.Logf("case %s attempt %d refused: %v", c.Name(), attempt, firstLines(err.Error(), 4))
			}
		})
}

var refusalLine = regexp.MustCompile(`kerneltest: (\S+)`)

// refusalKind names what refused a case (iptables-restore, ip ...).
func refusalKind(err error) string {
	if m := refusalLine.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return "other"
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
	fmt.Fprintf(&b, "configuration:\n%s", indent(configText(c.Spec.Config, false), "  "))
	keepSnapshot(&b, "farend-diff-"+c.Name()+"-", res.snap, func(keep string) []string {
		args := FarendArgs(keep, c.Spec.Host, c.In, c.Packet)
		return args[:len(args)-1]
	})
	if save {
		test := "TestDifferential"
		if c.Kind == "nft" {
			test = "TestDifferentialNFT"
		}
		saveDisagreement(&b, func() (string, error) { return saveRegression(c) }, "TestRegressions", "FAREND_DIFF", c.Seed, c.Index, test)
	}
	t.Error(b.String())
}

// saveRegression writes c as testdata/regressions/<name>.json.
func saveRegression(c Case) (string, error) { return saveCase(regressionsDir, c.Name(), c) }

// TestRegressions replays every case saved under testdata/regressions:
// each once made farend and the kernel disagree, and must agree now.
func TestRegressions(t *testing.T) {
	files := savedCases(t, regressionsDir)
	if len(files) == 0 {
		return
	}
	pool := NewPool(t)
	snap := t.TempDir()
	for _, f := range files {
		name, c := loadCase[Case](t, f)
		t.Run(name, func(t *testing.T) {
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

// diffStats counts what the single-host cases did, for the log: runStats,
// what refused the cases drawn again, and farend's undecided answers.
type diffStats struct {
	runStats
	refused       map[string]int
	farendUnknown int
}

func newDiffStats() *diffStats {
	return &diffStats{runStats: newRunStats(), refused: map[string]int{}}
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
		s.countDrop(obs.DropReason)
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
	s.addRun(&o.runStats)
	s.farendUnknown += o.farendUnknown
	addCounts(s.refused, o.refused)
}

func (s *diffStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d cases, %d agree, %d disagree; %d refused by the kernel and drawn again %v; wall %v",
		s.agree+s.disagree, s.agree, s.disagree, s.refusals, s.refused, s.wall.Round(time.Millisecond))
	b.WriteString(s.perCase())
	fmt.Fprintf(&b, "\n  kernel fates: %v; drop reasons: %v; %d ended by silence (no tracepoint); %d farend answers with undecidable alternatives", s.fates, s.drops, s.timedOut, s.farendUnknown)
	b.WriteString("\n  matched in the kernel's trace:")
	b.WriteString(s.targetCounts(" %s=%d"))
	return b.String()
}
