// Package ospftest checks farend's OSPF engine (internal/ospf) against
// FRR: it generates random OSPF networks from a seed, runs each router as
// zebra, staticd, ospfd and ospf6d in its own network namespace joined by
// veth pairs, waits for the daemons to converge, and compares their
// neighbour states and OSPF routes with what farend predicts from the same
// frr.conf files (written into a snapshot's configs/, with each
// namespace's `ip -j -d link show` as hosts/<router>/ip-link.json, since
// the kernel owns the interface MTUs).
//
// Only documentation and benchmarking prefixes are used: 192.0.2.0/24
// (loopbacks), 198.18.0.0/16 (links), 198.19.0.0/16 (static routes),
// 2001:db8::/32 (IPv6), all inside namespaces the harness creates and
// removes.
package ospftest

import (
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
)

// Topology is one generated OSPF network.
type Topology struct {
	Seed    int64
	Routers []*Router
	Links   []*Link
	// Areas are the non-backbone areas with their types.
	Areas []Area
	// V3Fold are the non-backbone areas whose OSPFv3 interfaces go in
	// area 0 (see foldV3).
	V3Fold map[int]bool
}

// Area is a non-backbone area's configuration.
type Area struct {
	ID        int
	Type      string // "normal", "stub", "nssa"
	NoSummary bool
	// NSSADefault is ospf6d's `area N nssa default-information-originate`.
	NSSADefault bool
}

// Router is one router of a topology.
type Router struct {
	Name   string
	N      int // 1-based; the loopback is 192.0.2.N
	Home   int // area of the loopback
	RefBW  int // auto-cost reference-bandwidth; 0 for the default
	Ifaces []*Iface
	// Statics are `ip route` / `ipv6 route` lines.
	Statics     []string
	Redist      bool
	MetricType  int
	Metric      int
	DefaultOrig bool
	// RFC1583 is `ospf rfc1583compatibility` (OSPFv2).
	RFC1583 bool
	// DefaultMetric is ospfd's `default-metric` (0: none).
	DefaultMetric int
	// VLinks are OSPFv2 virtual links (GenerateVL); ospf6d 8.4 has none.
	VLinks []VLink
}

// Iface is one end of a link.
type Iface struct {
	Name      string
	Link      *Link
	Side      int // 1 or 2
	Addr4     netip.Prefix
	Addr6     netip.Prefix
	LL        netip.Addr
	MTU       int
	Cost      int // 0: default
	Bandwidth int // Mbit/s; 0: none
	Hello     int
	Dead      int
	MTUIgnore bool
	IfMTU6    int
	Passive   bool
	// Priority0 makes the interface ineligible as DR. On a broadcast link
	// the lower router id gets it, so the DR is the same whichever router
	// comes up first: the election does not preempt (RFC 2328 9.4), and
	// ospf6d's next hops depend on who the DR is
	// (ospf6d/ospf6_intra.c ospf6_intra_prefix_lsa_add, "directly
	// connected" prefixes of the router's own LSAs).
	Priority0 bool
}

// Link is a veth pair between two routers.
type Link struct {
	N    int
	A, B *Router
	IA   *Iface
	IB   *Iface
	Area int
	P2P  bool
}

// Generate builds a random topology of 2 to 12 routers from seed.
func Generate(seed int64) *Topology {
	rng := rand.New(rand.NewSource(seed))
	t := &Topology{Seed: seed}
	n := 2 + rng.Intn(11)
	areas := 0
	if n >= 3 {
		areas = rng.Intn(4)
	}
	types := []string{"normal", "stub", "nssa"}
	for i := 1; i <= areas; i++ {
		a := Area{ID: i, Type: types[rng.Intn(3)]}
		if a.Type != "normal" && rng.Intn(3) == 0 {
			a.NoSummary = true
		}
		t.Areas = append(t.Areas, a)
	}
	for i := 1; i <= n; i++ {
		r := &Router{Name: fmt.Sprintf("r%d", i), N: i}
		if i > 1 && areas > 0 && rng.Intn(2) == 0 {
			r.Home = 1 + rng.Intn(areas)
		}
		if rng.Intn(10) == 0 {
			r.RefBW = []int{1000, 40000, 400000}[rng.Intn(3)]
		}
		t.Routers = append(t.Routers, r)
	}
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	var pairs []pair
	for i := 1; i < n; i++ {
		j := rng.Intn(i)
		pairs = append(pairs, pair{j, i})
		seen[pair{j, i}] = true
	}
	for k := rng.Intn(n/2 + 1); k > 0; k-- {
		a, b := rng.Intn(n), rng.Intn(n)
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		if seen[pair{a, b}] {
			continue
		}
		seen[pair{a, b}] = true
		pairs = append(pairs, pair{a, b})
	}
	for li, p := range pairs {
		ra, rb := t.Routers[p.a], t.Routers[p.b]
		l := &Link{N: li + 1, A: ra, B: rb, P2P: rng.Intn(10) < 3}
		switch {
		case ra.Home == rb.Home:
			l.Area = ra.Home
		case ra.Home == 0:
			l.Area = rb.Home
		case rb.Home == 0:
			l.Area = ra.Home
		default:
			l.Area = []int{ra.Home, rb.Home}[rng.Intn(2)]
		}
		// Short timers for a quick convergence.
		hello, dead := 1, 6
		mk := func(r *Router, side int) *Iface {
			f := &Iface{Name: fmt.Sprintf("e%d", l.N), Link: l, Side: side, MTU: 1500, Hello: hello, Dead: dead}
			f.Addr4 = netip.MustParsePrefix(fmt.Sprintf("198.18.%d.%d/24", l.N, side))
			f.Addr6 = netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::%d/64", l.N, side))
			f.LL = netip.MustParseAddr(fmt.Sprintf("fe80::%x:%d", l.N, side))
			if rng.Intn(10) < 6 {
				f.Cost = 1 + rng.Intn(50)
			} else if rng.Intn(6) == 0 {
				f.Bandwidth = []int{100, 1000, 25000, 40000}[rng.Intn(4)]
			}
			if rng.Intn(20) == 0 {
				f.Passive = true
			}
			r.Ifaces = append(r.Ifaces, f)
			return f
		}
		l.IA, l.IB = mk(ra, 1), mk(rb, 2)
		if !l.P2P {
			l.IA.Priority0 = true // ra has the lower index, so the lower router id
		}
		switch x := rng.Intn(100); {
		case x < 5:
			l.IB.Dead = 7
		case x < 9:
			l.IB.Hello, l.IB.Dead = 2, 8
		}
		if rng.Intn(5) == 0 {
			f := []*Iface{l.IA, l.IB}[rng.Intn(2)]
			f.MTU = []int{1400, 1480, 9000}[rng.Intn(3)]
			hi, lo := l.IA, l.IB
			if lo.MTU > hi.MTU {
				hi, lo = lo, hi
			}
			switch rng.Intn(4) {
			case 0:
				hi.MTUIgnore = true
			case 1:
				hi.IfMTU6 = lo.MTU
			case 2:
				lo.MTUIgnore = true
			}
		}
		t.Links = append(t.Links, l)
	}
	t.V3Fold = foldV3(t)
	static := 0
	for _, r := range t.Routers {
		if rng.Intn(10) < 4 {
			for k := 1 + rng.Intn(2); k > 0; k-- {
				static++
				r.Statics = append(r.Statics, fmt.Sprintf("ip route 198.19.%d.0/24 Null0", static))
				r.Statics = append(r.Statics, fmt.Sprintf("ipv6 route 2001:db8:e%x::/48 Null0", static))
			}
			if len(r.Ifaces) > 0 && rng.Intn(3) == 0 {
				f := r.Ifaces[rng.Intn(len(r.Ifaces))]
				peer := f.Link.IA
				if peer == f {
					peer = f.Link.IB
				}
				static++
				r.Statics = append(r.Statics, fmt.Sprintf("ip route 198.19.%d.0/24 %s", static, peer.Addr4.Addr()))
			}
			if rng.Intn(10) < 8 {
				r.Redist = true
				if rng.Intn(3) == 0 {
					r.MetricType = 1
				}
				if rng.Intn(2) == 0 {
					r.Metric = 1 + rng.Intn(100)
				}
			}
		}
		if rng.Intn(12) == 0 {
			r.DefaultOrig = true
		}
	}
	setLate(t)
	return t
}

// foldV3 returns the non-backbone areas whose OSPFv3 interfaces go in
// area 0. FRR 8.4 ospf6d gives different results from run to run when a
// destination is reachable through two areas at one router: an ABR
// re-announces summaries of every area (no backbone-only rule), and of
// two paths to an ASBR the one it processes last decides whether its
// inter-area-router LSA is kept or deleted (ospf6d/ospf6_abr.c
// ospf6_abr_originate_summary_to_area: "This is the secondary path to the
// ASBR, ignore" deletes the summary); likewise an ABR re-announces
// another ABR's stub default into the backbone, and processing it deletes
// its own default from a no-summary area, in an order that changes from
// run to run. So OSPFv3 keeps a non-backbone area only when it has a
// single border router and that router is in no other non-backbone area;
// the other areas are folded into area 0, one at a time (a router in two
// non-backbone areas loses the higher one, an area with several border
// routers goes whole) until the rest qualify. OSPFv2 always keeps them.
func foldV3(t *Topology) map[int]bool {
	fold := map[int]bool{}
	v3 := func(a int) int {
		if fold[a] {
			return 0
		}
		return a
	}
	for {
		abrs := map[int]int{}
		worst := 0
		for _, r := range t.Routers {
			areas := map[int]bool{v3(r.Home): true}
			for _, f := range r.Ifaces {
				areas[v3(f.Link.Area)] = true
			}
			top := 0
			nonBB := 0
			for a := range areas {
				if a != 0 {
					nonBB++
					top = max(top, a)
				}
			}
			if nonBB > 1 {
				worst = top
				break
			}
			if len(areas) > 1 {
				for a := range areas {
					if a != 0 {
						abrs[a]++
					}
				}
			}
		}
		if worst == 0 {
			for a, n := range abrs {
				if n > 1 && (worst == 0 || a < worst) {
					worst = a
				}
			}
		}
		if worst == 0 {
			return fold
		}
		fold[worst] = true
	}
}

func (t *Topology) area(id int) Area {
	for _, a := range t.Areas {
		if a.ID == id {
			return a
		}
	}
	return Area{ID: id, Type: "normal"}
}

// inV3NSSA reports whether r redistributes and is in an OSPFv3 NSSA. Such
// a router redistributes into OSPFv2 only: FRR 8.4 ospf6d's routes from
// type-7 LSAs and their translations depend on the order of events.
// Type-7 LSAs of ospf6d always carry a forwarding address
// (ospf6d/ospf6_nssa.c ospf6_nssa_lsa_originate, ospf6_get_nssa_fwd_addr)
// and translated AS-external LSAs copy it (ospf6_lsa_translated_nssa_new);
// ospf6_asbr_lsa_add computes the route when the LSA arrives or its ASBR's
// border-router entry changes, gives up when no route to the forwarding
// address exists yet ("Fwd address not found") and is not called again
// when that route appears, so a router outside the NSSA may never get the
// route. And the first computation takes the next hops of the route to
// the forwarding address, but a recomputation of an existing route
// rebuilds them from the ASBR's border-router entry
// (ospf6_asbr_update_route_ecmp_path, "rebuild from brouter table"), so a
// neighbour of the ASBR shows the connected link or the ASBR's link-local
// address depending on how often the LSA was processed (seeds 2089 and
// 2110 showed both in two runs).
func (t *Topology) inV3NSSA(r *Router) bool {
	if !r.Redist {
		return false
	}
	areas := []int{r.Home}
	for _, f := range r.Ifaces {
		areas = append(areas, f.Link.Area)
	}
	for _, a := range areas {
		if x := t.v3Area(a); x != 0 && t.area(x).Type == "nssa" {
			return true
		}
	}
	return false
}

func redistLine(r *Router) string {
	s := " redistribute static"
	if r.Metric > 0 {
		s += fmt.Sprintf(" metric %d", r.Metric)
	}
	if r.MetricType == 1 {
		s += " metric-type 1"
	}
	return s
}

// Config renders a router's frr.conf.
func (t *Topology) Config(r *Router) string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	w("frr version 8.4.4")
	w("frr defaults traditional")
	w("hostname %s", r.Name)
	w("!")
	w("interface lo")
	w(" ip address 192.0.2.%d/32", r.N)
	w(" ipv6 address 2001:db8:ffff::%x/128", r.N)
	w(" ip ospf area %d", r.Home)
	w(" ipv6 ospf6 area %d", t.v3Area(r.Home))
	w("exit")
	for _, f := range r.Ifaces {
		l := f.Link
		w("interface %s", f.Name)
		w(" ip address %s", f.Addr4)
		w(" ipv6 address %s", f.Addr6)
		w(" ipv6 address %s/64", f.LL)
		if f.Bandwidth > 0 {
			w(" bandwidth %d", f.Bandwidth)
		}
		for _, v := range []string{"ip ospf", "ipv6 ospf6"} {
			if v == "ip ospf" {
				w(" %s area %d", v, l.Area)
			} else {
				w(" %s area %d", v, t.v3Area(l.Area))
			}
			if l.P2P {
				w(" %s network point-to-point", v)
			}
			if f.Cost > 0 {
				w(" %s cost %d", v, f.Cost)
			}
			w(" %s hello-interval %d", v, f.Hello)
			w(" %s dead-interval %d", v, f.Dead)
			if f.MTUIgnore {
				w(" %s mtu-ignore", v)
			}
			if f.Priority0 {
				w(" %s priority 0", v)
			}
			if f.Passive {
				w(" %s passive", v)
			}
		}
		if f.IfMTU6 > 0 {
			w(" ipv6 ospf6 ifmtu %d", f.IfMTU6)
		}
		w("exit")
	}
	for _, s := range r.Statics {
		w("%s", s)
	}
	for _, v := range []string{"ospf", "ospf6"} {
		w("router %s", v)
		w(" %s router-id 192.0.2.%d", v, r.N)
		if r.RefBW > 0 {
			w(" auto-cost reference-bandwidth %d", r.RefBW)
		}
		used := map[int]bool{t.area4or6(v, r.Home): true}
		for _, f := range r.Ifaces {
			used[t.area4or6(v, f.Link.Area)] = true
		}
		for _, a := range t.Areas {
			if !used[a.ID] || a.Type == "normal" {
				continue
			}
			ns := ""
			if a.NoSummary {
				ns = " no-summary"
			}
			nd := ""
			if a.NSSADefault && v == "ospf6" && a.Type == "nssa" {
				nd = " default-information-originate"
			}
			w(" area %d %s%s%s", a.ID, a.Type, ns, nd)
		}
		if v == "ospf" {
			for _, vl := range r.VLinks {
				w(" area %d virtual-link 192.0.2.%d hello-interval %d dead-interval %d", vl.Area, vl.Peer, vl.Hello, vl.Dead)
			}
		}
		if r.Redist && (v == "ospf" || !t.inV3NSSA(r)) {
			w("%s", redistLine(r))
		}
		if r.DefaultOrig && v == "ospf" {
			w(" default-information originate always")
		}
		if r.RFC1583 && v == "ospf" {
			w(" ospf rfc1583compatibility")
		}
		if r.DefaultMetric > 0 && v == "ospf" {
			w(" default-metric %d", r.DefaultMetric)
		}
		w(" timers throttle spf 0 50 200")
		w("exit")
	}
	return b.String()
}

// area4or6 is the area an OSPFv2 ("ospf") or OSPFv3 ("ospf6") interface
// of area a is in.
func (t *Topology) area4or6(v string, a int) int {
	if v == "ospf6" {
		return t.v3Area(a)
	}
	return a
}

func (t *Topology) v3Area(a int) int {
	if t.V3Fold[a] {
		return 0
	}
	return a
}

// Addresses renders only the interface addresses of a router's frr.conf,
// which the harness applies before the rest.
func (t *Topology) Addresses(r *Router) string {
	var b strings.Builder
	for _, line := range strings.Split(t.Config(r), "\n") {
		if strings.HasPrefix(line, "interface ") || strings.HasPrefix(line, " ip address ") || strings.HasPrefix(line, " ipv6 address ") || line == "exit" {
			b.WriteString(line + "\n")
		}
		if strings.HasPrefix(line, "router ") {
			break
		}
	}
	return b.String()
}
