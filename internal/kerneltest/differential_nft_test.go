package kerneltest

import "testing"

// TestDifferentialNFT is TestDifferential for hosts that filter with
// native nftables, some next to an iptables-nft ruleset (GenNFT): 500
// cases by default (FAREND_DIFF_NFT_CASES), of the same default seed;
// FAREND_DIFF_SEED, FAREND_DIFF_CASE, FAREND_DIFF_WORKERS and
// FAREND_DIFF_MAXFAIL work as there. Disagreements are saved under
// testdata/regressions as nft-<seed>-<index>.json.
func TestDifferentialNFT(t *testing.T) {
	Require(t)
	seed := uint64(envInt(t, "FAREND_DIFF_SEED", defaultDiffSeed))
	gen := GenNFT{Seed: seed}
	runDifferential(t, seed, envInt(t, "FAREND_DIFF_NFT_CASES", 500), gen.Case)
}
