package ospftest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"farend/internal/frrlab"
)

// Outcome is the result of one topology.
type Outcome = frrlab.Outcome

// RunOne generates the topology of seed, runs it in FRR, and compares.
// It polls FRR every second until FRR agrees with farend for three polls
// in a row, or until timeout, and then reports the last difference.
func RunOne(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
	return Runner(Generate)(ctx, seed, prefix, base, timeout)
}

// RunOneVL is RunOne with GenerateVL's virtual-link topologies.
func RunOneVL(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
	return Runner(GenerateVL)(ctx, seed, prefix, base, timeout)
}

// Runner returns RunOne for the topologies of gen.
func Runner(gen func(int64) *Topology) func(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
	return func(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
		return runOne(ctx, gen(seed), prefix, base, timeout)
	}
}

func runOne(ctx context.Context, t *Topology, prefix, base string, timeout time.Duration) (Outcome, error) {
	seed := t.Seed
	start := time.Now()
	o := Outcome{Seed: seed, Routers: len(t.Routers), Links: len(t.Links)}
	dir := filepath.Join(base, fmt.Sprintf("seed-%d", seed))
	lab, err := Start(ctx, t, prefix, filepath.Join(dir, "run"))
	defer lab.Close()
	if err != nil {
		return o, err
	}
	snap := filepath.Join(dir, "snapshot")
	o.Snapshot = snap
	if err := lab.WriteSnapshot(ctx, snap); err != nil {
		return o, err
	}
	want, err := Predict(snap)
	if err != nil {
		return o, err
	}
	o.Lines = frrlab.Count(want.Lines)
	var last State
	o.Diff, err = frrlab.Poll(ctx, timeout, want.Lines, func() (map[string][]string, error) {
		got, err := lab.Observe(ctx, want)
		last = got
		return got.Lines, err
	})
	if err != nil {
		return o, err
	}
	// What FRR showed last, beside the snapshot (kept with _KEEP): the
	// recorded verdicts of tests that replay a topology without FRR.
	if err := os.WriteFile(filepath.Join(dir, "frr.txt"), []byte(last.Text()), 0o644); err != nil {
		return o, err
	}
	o.Took = time.Since(start)
	if h, err := time.ParseDuration(os.Getenv("FAREND_OSPF_HOLD")); err == nil {
		// Debugging: keep the lab running to look at it with vtysh.
		fmt.Fprintf(os.Stderr, "seed %d: holding the lab for %s: vtysh --vty_socket %s/<router>\n", seed, h, lab.Dir)
		time.Sleep(h)
	}
	return o, nil
}

// ConfigText prints every router's frr.conf of a topology, for a failure
// report.
func (t *Topology) ConfigText() string {
	var b strings.Builder
	for _, r := range t.Routers {
		fmt.Fprintf(&b, "--- %s.conf\n%s", r.Name, t.Config(r))
	}
	return b.String()
}
