package bgp

// The decision process compares two paths step by step, as FRR's
// bgpd/bgp_route.c bgp_path_info_cmp does (called from
// bgp_best_selection) and as Cisco documents it ("BGP Best Path
// Selection Algorithm", BGP Configuration Guide); RFC 4271 9.1.2.2 is
// the standard's core (AS path length, origin, MED within one
// neighbouring AS, eBGP over iBGP, IGP cost, router id/peer address):
//
//  1. highest weight (vendor extension, local to the router)
//  2. highest LOCAL_PREF
//  3. locally originated (network, redistribute) over learned
//  4. shortest AS_PATH
//  5. lowest ORIGIN (IGP < EGP < incomplete)
//  6. lowest MED, only between paths from the same neighbouring AS (the
//     leftmost AS; both empty counts as the same: FRR aspath_cmp_left);
//     a missing MED is 0 (RFC 4271 9.1.2.2 c; no `bgp bestpath med
//     missing-as-worst`)
//  7. eBGP over iBGP
//  8. lowest IGP metric to the next hop
//  9. both eBGP: the older path (FRR without `bgp bestpath
//     compare-routerid`; IOS likewise): arrival order, which farend
//     cannot know: reported as a tie, decided by the next steps
//  10. lowest router id (ORIGINATOR_ID when reflected)
//  11. shortest CLUSTER_LIST
//  12. lowest peer address
//
// step names the step that decided, for the reason text.
type step struct {
	name string
	cmp  func(a, b *Path) int // <0: a better
}

func cmpU(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolBetter(a, b bool) int {
	switch {
	case a && !b:
		return -1
	case b && !a:
		return 1
	}
	return 0
}

func firstAS(p *Path) uint32 {
	if len(p.ASPath) == 0 {
		return 0
	}
	return p.ASPath[0]
}

func rid(p *Path) [4]byte {
	if p.OriginatorID.IsValid() {
		return p.OriginatorID.As4()
	}
	if p.FromRID.IsValid() {
		return p.FromRID.As4()
	}
	return [4]byte{}
}

var steps = []step{
	{"weight", func(a, b *Path) int { return -cmpU(a.Weight, b.Weight) }},
	{"local preference", func(a, b *Path) int { return -cmpU(a.LocalPref, b.LocalPref) }},
	{"locally originated", func(a, b *Path) int { return boolBetter(a.Local, b.Local) }},
	{"AS path length", func(a, b *Path) int { return cmpU(uint32(len(a.ASPath)), uint32(len(b.ASPath))) }},
	{"origin", func(a, b *Path) int { return cmpU(uint32(a.Origin), uint32(b.Origin)) }},
	{"MED", func(a, b *Path) int {
		if firstAS(a) != firstAS(b) {
			return 0
		}
		return cmpU(a.MED, b.MED)
	}},
	{"eBGP over iBGP", func(a, b *Path) int { return boolBetter(a.EBGP, b.EBGP) }},
	{"IGP metric to the next hop", func(a, b *Path) int { return cmpU(uint32(a.IGPMetric), uint32(b.IGPMetric)) }},
	{"router id", func(a, b *Path) int {
		x, y := rid(a), rid(b)
		for i := range x {
			if c := cmpU(uint32(x[i]), uint32(y[i])); c != 0 {
				return c
			}
		}
		return 0
	}},
	{"cluster list length", func(a, b *Path) int { return cmpU(uint32(len(a.ClusterList)), uint32(len(b.ClusterList))) }},
	{"peer address", func(a, b *Path) int { return a.FromAddr.Compare(b.FromAddr) }},
}

// ageStep is the index of "router id": two eBGP paths still equal before
// it are decided by age on FRR and IOS.
const ageStep = 8

// compare returns <0 when a is better, the deciding step, and whether
// the decision rests on path age (both eBGP, equal up to step 9).
func compare(a, b *Path) (int, string, bool) {
	for i, st := range steps {
		if i == ageStep && a.EBGP && b.EBGP && !a.Local && !b.Local {
			return 0, "age (the older path wins)", true
		}
		if c := st.cmp(a, b); c != 0 {
			return c, st.name, false
		}
	}
	return 0, "equal", false
}

// selectBest picks the best valid path, in the order FRR compares them
// (each candidate against the best so far: bgp_best_selection).
func selectBest(s *Speaker, paths []*Path) (*Path, string, bool) {
	var best *Path
	why, tie := "only path", false
	for _, p := range paths {
		if p.Invalid != "" {
			continue
		}
		if best == nil {
			best = p
			continue
		}
		c, w, t := compare(p, best)
		if t {
			tie = true
			// Until the age is known, keep the lower router id / peer
			// address (what FRR does with compare-routerid).
			c2, w2, _ := compareFrom(p, best, ageStep)
			c, w = c2, w+"; then "+w2
		}
		if c < 0 {
			best, why = p, w
		} else if why == "only path" || c > 0 {
			why = w
		}
	}
	return best, why, tie
}

func compareFrom(a, b *Path, from int) (int, string, bool) {
	for _, st := range steps[from:] {
		if c := st.cmp(a, b); c != 0 {
			return c, st.name, false
		}
	}
	return 0, "equal", false
}
