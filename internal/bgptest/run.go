package bgptest

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// Outcome is the result of one topology.
type Outcome struct {
	Seed     int64
	Routers  int
	Links    int
	Lines    int
	Ties     int
	Diff     []string
	Took     time.Duration
	Snapshot string
}

// RunOne generates the topology of seed, runs it in FRR, and compares.
// It polls FRR every second until FRR agrees with farend for three polls
// in a row, or until timeout, and then reports the last difference.
func RunOne(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error) {
	t := Generate(seed)
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
	want, _, err := Predict(snap)
	if err != nil {
		return o, err
	}
	for _, ls := range want.Lines {
		o.Lines += len(ls)
	}
	o.Ties = len(want.Ties)
	agree := 0
	deadline := time.Now().Add(timeout)
	for {
		got, err := lab.Observe(ctx, want)
		if err != nil {
			return o, err
		}
		o.Diff = Diff(want, got)
		if len(o.Diff) == 0 {
			agree++
		} else {
			agree = 0
		}
		if agree >= 3 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return o, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	o.Took = time.Since(start)
	return o, nil
}
