package ospftest

import (
	"fmt"
	"math/rand"
	"net/netip"
	"sort"
)

// VLink is one end of an OSPFv2 virtual link (RFC 2328 15): through the
// transit area Area to the router whose loopback (and router id) is
// 192.0.2.Peer, with its hello and dead intervals.
type VLink struct {
	Area  int
	Peer  int
	Hello int
	Dead  int
}

// GenerateVL builds a random topology that needs an OSPFv2 virtual link:
// a backbone (area 0) of 1 to 3 routers, one of them, A, also in a normal
// transit area X (1 to 3) of 2 to 5 routers in all, and an area Y (another
// of 1 to 3; normal, or sometimes stub) of 1 to 3 further routers attached
// only through a router B of X. Y reaches the backbone only over the
// virtual link A-B through X, configured on both ends with hello 1 and
// dead 4 (the defaults 10/40 make FRR take over a minute). Sometimes:
// another backbone router is a second border router of X (transit-area
// summaries, RFC 2328 16.3), one end's hello differs (no adjacency), or
// only one end configures the link; costs and redistributed statics are
// random, and a router of a normal Y redistributes, so that its externals
// cross the virtual link.
//
// OSPFv3 has no virtual links in ospf6d 8.4, and B is a router in two
// non-backbone areas, which foldV3 rules out (ospf6d's summaries then
// depend on the order of events), as it rules out X's second border
// router. So X's OSPFv3 interfaces go in area 0: OSPFv3 then sees
// backbone and X as one area 0 and Y as an area with the single border
// router B, which foldV3 accepts as it is.
func GenerateVL(seed int64) *Topology {
	rng := rand.New(rand.NewSource(seed))
	t := &Topology{Seed: seed}
	x := 1 + rng.Intn(3)
	y := 1 + rng.Intn(2)
	if y >= x {
		y++
	}
	ya := Area{ID: y, Type: "normal"}
	if rng.Intn(3) == 0 {
		ya.Type = "stub"
		if rng.Intn(3) == 0 {
			ya.NoSummary = true
		}
	}
	t.Areas = []Area{{ID: x, Type: "normal"}, ya}
	sort.Slice(t.Areas, func(i, j int) bool { return t.Areas[i].ID < t.Areas[j].ID })
	t.V3Fold = map[int]bool{x: true}

	add := func(home int) *Router {
		n := len(t.Routers) + 1
		r := &Router{Name: fmt.Sprintf("r%d", n), N: n, Home: home}
		if rng.Intn(10) == 0 {
			r.RefBW = []int{1000, 40000, 400000}[rng.Intn(3)]
		}
		t.Routers = append(t.Routers, r)
		return r
	}
	var bb, xs, ys []*Router
	for k := 1 + rng.Intn(3); k > 0; k-- {
		bb = append(bb, add(0))
	}
	for k := 1 + rng.Intn(4); k > 0; k-- {
		xs = append(xs, add(x))
	}
	for k := 1 + rng.Intn(3); k > 0; k-- {
		ys = append(ys, add(y))
	}
	a := bb[rng.Intn(len(bb))]
	b := xs[rng.Intn(len(xs))]
	if rng.Intn(3) == 0 {
		b.Home = y
	}

	type pair struct{ a, b int }
	seen := map[pair]bool{}
	link := func(ra, rb *Router, area int) {
		if ra.N > rb.N {
			ra, rb = rb, ra
		}
		if seen[pair{ra.N, rb.N}] {
			return
		}
		seen[pair{ra.N, rb.N}] = true
		l := &Link{N: len(t.Links) + 1, A: ra, B: rb, Area: area, P2P: rng.Intn(10) < 3}
		mk := func(r *Router, side int) *Iface {
			f := &Iface{Name: fmt.Sprintf("e%d", l.N), Link: l, Side: side, MTU: 1500, Hello: 1, Dead: 6}
			f.Addr4 = netip.MustParsePrefix(fmt.Sprintf("198.18.%d.%d/24", l.N, side))
			f.Addr6 = netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::%d/64", l.N, side))
			f.LL = netip.MustParseAddr(fmt.Sprintf("fe80::%x:%d", l.N, side))
			if rng.Intn(10) < 6 {
				f.Cost = 1 + rng.Intn(50)
			} else if rng.Intn(6) == 0 {
				f.Bandwidth = []int{100, 1000, 25000, 40000}[rng.Intn(4)]
			}
			r.Ifaces = append(r.Ifaces, f)
			return f
		}
		l.IA, l.IB = mk(ra, 1), mk(rb, 2)
		if !l.P2P {
			l.IA.Priority0 = true // the lower router id, as in Generate
		}
		t.Links = append(t.Links, l)
	}
	// A connected graph per area: a random tree, sometimes one more link.
	graph := func(members []*Router, area int) {
		for i := 1; i < len(members); i++ {
			link(members[rng.Intn(i)], members[i], area)
		}
		if len(members) >= 3 && rng.Intn(3) == 0 {
			i, j := rng.Intn(len(members)), rng.Intn(len(members))
			if i != j {
				link(members[i], members[j], area)
			}
		}
	}
	graph(bb, 0)
	graph(append([]*Router{a}, xs...), x)
	graph(append([]*Router{b}, ys...), y)
	if len(bb) > 1 && rng.Intn(3) == 0 {
		a2 := bb[rng.Intn(len(bb))]
		for a2 == a {
			a2 = bb[rng.Intn(len(bb))]
		}
		link(a2, xs[rng.Intn(len(xs))], x)
	}

	a.VLinks = []VLink{{Area: x, Peer: b.N, Hello: 1, Dead: 4}}
	b.VLinks = []VLink{{Area: x, Peer: a.N, Hello: 1, Dead: 4}}
	switch {
	case rng.Intn(6) == 0:
		// Mismatched hello intervals: the adjacency must not come up.
		[]*Router{a, b}[rng.Intn(2)].VLinks[0].Hello = 2
	case rng.Intn(8) == 0:
		[]*Router{a, b}[rng.Intn(2)].VLinks = nil
	}

	static := 0
	statics := func(r *Router) {
		for k := 1 + rng.Intn(2); k > 0; k-- {
			static++
			r.Statics = append(r.Statics, fmt.Sprintf("ip route 198.19.%d.0/24 Null0", static))
			r.Statics = append(r.Statics, fmt.Sprintf("ipv6 route 2001:db8:e%x::/48 Null0", static))
		}
		// A router only in a stub area originates no AS-external LSAs.
		if ya.Type == "stub" && r.Home == y && r != b {
			return
		}
		r.Redist = true
		if rng.Intn(3) == 0 {
			r.MetricType = 1
		}
		if rng.Intn(2) == 0 {
			r.Metric = 1 + rng.Intn(100)
		}
	}
	for _, r := range t.Routers {
		if rng.Intn(4) == 0 {
			statics(r)
		}
		if rng.Intn(12) == 0 {
			r.DefaultOrig = true
		}
	}
	if ya.Type == "normal" && rng.Intn(3) != 0 {
		if r := ys[rng.Intn(len(ys))]; len(r.Statics) == 0 {
			statics(r)
		}
	}
	setLate(t)
	return t
}
