package bgptest

import (
	"context"
	"testing"
	"time"

	"farend/internal/frrlab"
)

// TestFRRDifferential runs FAREND_BGP_TOPOLOGIES (default 8) random
// topologies in FRR and requires farend to agree on every session state,
// best path and installed BGP route (ties of arrival order excepted).
// FAREND_BGP_SEED sets the first seed (default: a fixed one, so CI runs
// are repeatable; each seed is printed), and FAREND_BGP_PARALLEL how many
// topologies run at once (default 3). FAREND_BGP_SEEDS, a comma-separated
// list, runs exactly those seeds; FAREND_BGP_TIMEOUT (seconds, default
// 45) bounds each topology's wait for agreement, and FAREND_BGP_KEEP
// keeps the failing seeds' snapshots. Without root or FRR the test is
// skipped, except under CI=true, where it fails.
func TestFRRDifferential(t *testing.T) {
	(&frrlab.Differential{
		Env:        "FAREND_BGP",
		Dir:        "bgptest",
		NSPrefix:   "fb",
		Topologies: 8,
		Timeout:    45 * time.Second,
		Prereq:     Prereq,
		Run: func(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (frrlab.Outcome, error) {
			o, err := RunOne(ctx, seed, prefix, base, timeout)
			return o.Outcome, err
		},
		Configs: func(seed int64) string { return Generate(seed).ConfigText() },
	}).Test(t)
}
