package ospftest

import (
	"testing"
	"time"

	"farend/internal/frrlab"
)

// TestFRRDifferential runs FAREND_OSPF_TOPOLOGIES (default 20) random
// topologies in FRR and requires farend to agree on every adjacency state
// and every OSPF route. FAREND_OSPF_SEED sets the first seed (default: a
// fixed one, so CI runs are repeatable; each seed is printed), and
// FAREND_OSPF_PARALLEL how many topologies run at once (default 3).
// FAREND_OSPF_SEEDS, a comma-separated list, runs exactly those seeds;
// FAREND_OSPF_TIMEOUT (seconds, default 60) bounds each topology's wait
// for agreement, and FAREND_OSPF_KEEP keeps the failing seeds' snapshots.
// Without root or FRR the test is skipped, except under CI=true, where it
// fails.
func TestFRRDifferential(t *testing.T) {
	(&frrlab.Differential{
		Env:        "FAREND_OSPF",
		Dir:        "ospftest",
		NSPrefix:   "fo",
		Topologies: 20,
		Timeout:    60 * time.Second,
		Prereq:     Prereq,
		Run:        RunOne,
		Configs:    func(seed int64) string { return Generate(seed).ConfigText() },
	}).Test(t)
}
