package ospftest

import "math/rand"

// setLate draws the options added to the generator after its first
// topologies ran in CI, from a random stream of their own so that the
// rest of a seed's topology does not change with them: RFC 1583
// compatibility on about a quarter of the routers, and ospf6d's `nssa
// default-information-originate` in about half of the NSSAs without
// no-summary (ospfd 8.4 has no such command), and ospfd's
// `default-metric` on about a quarter of the routers (drawn last, so the
// options before it stayed as they were).
func setLate(t *Topology) {
	rng := rand.New(rand.NewSource(t.Seed*7919 + 1583))
	for _, r := range t.Routers {
		r.RFC1583 = rng.Intn(4) == 0
	}
	for i := range t.Areas {
		// Not with no-summary: the ABR's type-3 default and its type-7
		// default then both reach ospf6d's route table as best routes
		// (ospf6d/ospf6_asbr.c ospf6_asbr_lsa_add looks up only the
		// list's head), and zebra keeps whichever was handed over last
		// (seen in FRR 8.4.4 with Generate seed 7006 before this rule: the N2 default
		// instead of the inter-area one RFC 2328 16.4 step 6a prefers).
		a := &t.Areas[i]
		a.NSSADefault = a.Type == "nssa" && !a.NoSummary && rng.Intn(2) == 0
	}
	for _, r := range t.Routers {
		if rng.Intn(4) == 0 {
			r.DefaultMetric = 1 + rng.Intn(60)
		}
	}
}
