package bgptest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"farend/internal/frrlab"
)

// Outcome is the result of one topology; Ties counts the prefixes left
// out of the comparison.
type Outcome struct {
	frrlab.Outcome
	Ties int
}

// RunOne generates the topology of seed, runs it in FRR, and compares.
// It polls FRR every second until FRR agrees with farend for three polls
// in a row, or until timeout, and then reports the last difference.
func RunOne(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
	t := Generate(seed)
	start := time.Now()
	o := Outcome{Outcome: frrlab.Outcome{Seed: seed, Routers: len(t.Routers), Links: len(t.Links)}}
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
	want, _, err := Predict(snap)
	if err != nil {
		return o, err
	}
	o.Lines = frrlab.Count(want.Lines)
	o.Ties = len(want.Ties)
	o.Diff, err = frrlab.Poll(ctx, timeout, want.Lines, func() (map[string][]string, error) {
		got, err := lab.Observe(ctx, want)
		return got.Lines, err
	})
	if h, err := time.ParseDuration(os.Getenv("FAREND_BGP_HOLD")); err == nil {
		// Debugging: keep the lab running to look at it with vtysh.
		fmt.Fprintf(os.Stderr, "seed %d: holding the lab for %s: vtysh --vty_socket %s/<router>\n", seed, h, lab.Dir)
		time.Sleep(h)
	}
	if err != nil {
		return o, err
	}
	o.Took = time.Since(start)
	return o, nil
}
