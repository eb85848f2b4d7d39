package ospftest

import (
	"testing"
	"time"

	"farend/internal/frrlab"
)

// TestFRRVirtualLinks runs FAREND_OSPFVL_TOPOLOGIES (default 6) random
// virtual-link topologies (GenerateVL) in FRR and requires farend to
// agree on every adjacency state, the virtual links' included, and every
// OSPF route. Its knobs are TestFRRDifferential's with FAREND_OSPFVL_ in
// place of FAREND_OSPF_: FAREND_OSPFVL_SEED sets the first seed (default:
// a fixed one, so CI runs are repeatable; each seed is printed),
// FAREND_OSPFVL_PARALLEL how many topologies run at once (default 3),
// FAREND_OSPFVL_SEEDS, a comma-separated list, runs exactly those seeds,
// FAREND_OSPFVL_TIMEOUT (seconds, default 60) bounds each topology's wait
// for agreement, and FAREND_OSPFVL_KEEP keeps the failing seeds'
// snapshots (FAREND_OSPF_HOLD holds each lab as in TestFRRDifferential).
// Without root or FRR the test is skipped, except under CI=true, where it
// fails.
func TestFRRVirtualLinks(t *testing.T) {
	(&frrlab.Differential{
		Env:        "FAREND_OSPFVL",
		Dir:        "ospfvltest",
		NSPrefix:   "fv",
		Topologies: 6,
		Timeout:    60 * time.Second,
		Prereq:     Prereq,
		Run:        RunOneVL,
		Configs:    func(seed int64) string { return GenerateVL(seed).ConfigText() },
	}).Test(t)
}
