package ospf

import (
	"net/netip"
	"sort"

	"farend/internal/model"
)

// PathType is the kind of an OSPF route (RFC 2328 11). The zero PathType
// is unknown.
type PathType uint8

// Path types, in order of preference (RFC 2328 16.4.1 and 11: intra-area,
// inter-area, type 1 external, type 2 external; RFC 3101 ranks N1/N2 with
// E1/E2).
const (
	PathUnknown PathType = iota
	PathIntra
	PathInter
	PathE1
	PathE2
	PathN1
	PathN2
)

// Code is the IOS routing table code ("O", "O IA", "O E1", "O E2", "O
// N1", "O N2").
func (t PathType) Code() string {
	return [...]string{"?", "O", "O IA", "O E1", "O E2", "O N1", "O N2"}[t]
}

func (t PathType) String() string {
	return [...]string{"unknown", "intra-area", "inter-area", "external-1", "external-2", "nssa-1", "nssa-2"}[t]
}

// MarshalText prints the name.
func (t PathType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

func (t PathType) external() bool { return t >= PathE1 }
func (t PathType) type2() bool    { return t == PathE2 || t == PathN2 }

// Nexthop is one path of an OSPF route: an interface and a gateway (zero
// when the destination is directly connected).
type Nexthop struct {
	Iface   string     `json:"interface"`
	Gateway netip.Addr `json:"gateway,omitzero"`
	// Neighbor names the router the gateway belongs to.
	Neighbor string `json:"neighbor,omitempty"`
	f        *Iface
	// Inactive says why the router's RIB does not use this next hop
	// (zebra keeps it but installs the route without it); "" for a usable
	// one.
	Inactive string `json:"inactive,omitempty"`
	// adv is the border router the path leads to, for FRR ospfd's
	// per-path bookkeeping (ospf_path.adv_router).
	adv netip.Addr
	// viaVL marks ospfd's path over a virtual link (frrVLPath): another
	// path than one through the transit area with the same gateway.
	viaVL bool
}

// Route is one entry of an instance's OSPF routing table.
type Route struct {
	Prefix netip.Prefix `json:"prefix"`
	Type   PathType     `json:"type"`
	Area   model.AreaID `json:"area"`
	// Cost is the total cost (intra, inter, E1) or, for E2, the cost to
	// the ASBR or forwarding address; Type2 is the advertised E2 metric.
	Cost     int32     `json:"cost"`
	Type2    int32     `json:"type2_cost,omitempty"`
	Distance int32     `json:"distance"`
	Nexthops []Nexthop `json:"nexthops"`
	// lsa gave the route; more are the LSAs of equal-cost paths.
	lsa  *LSA
	more []*LSA
}

// AdvRouter is the router whose LSA gave the route (the ASBR of an
// external).
func (r *Route) AdvRouter() netip.Addr {
	if r.lsa == nil {
		return netip.Addr{}
	}
	return r.lsa.AdvRouter
}

// Tag is the external route tag.
func (r *Route) Tag() uint32 {
	if r.lsa == nil {
		return 0
	}
	return r.lsa.Tag
}

// LSAs lists the LSAs the route comes from.
func (r *Route) LSAs() []*LSA {
	if r.lsa == nil {
		return r.more
	}
	return append([]*LSA{r.lsa}, r.more...)
}

// Metric is what the RIB shows: the cost, or the type-2 metric of an E2
// or N2 route (IOS `show ip route`; FRR ospfd/ospf_zebra.c
// ospf_zebra_add: "api.metric = or->u.ext.type2_cost" for type 2, ospf6d
// ospf6_zebra.c likewise).
func (r *Route) Metric() int {
	if r.Type.type2() {
		return int(r.Type2)
	}
	return int(r.Cost)
}

// routerRoute is a route to an area border or AS boundary router.
type routerRoute struct {
	rid      netip.Addr
	area     model.AreaID
	cost     int
	nexthops []Nexthop
	abr      bool
	asbr     bool
	intra    bool
	// nssa is true when the router was reached in an NSSA area.
	nssa bool
	lsa  *LSA
}

// better compares two candidate routes to the same prefix: -1 when a is
// preferred, 1 when b is, 0 when they are equal (ECMP). RFC 2328 16.4.1
// and 16.4 (6): intra before inter before E1 before E2; E2 by the type-2
// metric; then (6c) the 16.4.1 preference where it applies (viaBB); then
// the cost (E2: the distance to the ASBR/forwarding address).
func better(a, b *croute) int {
	ra, rb := rank(a.typ), rank(b.typ)
	if ra != rb {
		if ra < rb {
			return -1
		}
		return 1
	}
	if a.typ.type2() && a.type2 != b.type2 {
		if a.type2 < b.type2 {
			return -1
		}
		return 1
	}
	if a.typ.external() && a.viaBB != b.viaBB {
		// RFC 2328 16.4 (6c): with RFC1583Compatibility disabled, paths
		// through intra-area non-backbone routes to the ASBR/forwarding
		// address win before costs are compared (FRR ospfd/ospf_route.c
		// ospf_route_cmp, ospf_asbr_route_cmp).
		if b.viaBB {
			return -1
		}
		return 1
	}
	if a.cost != b.cost {
		if a.cost < b.cost {
			return -1
		}
		return 1
	}
	return 0
}

// rank orders path types; N1/N2 rank as E1/E2 (RFC 3101 2.5).
func rank(t PathType) int {
	switch t {
	case PathN1:
		return int(PathE1)
	case PathN2:
		return int(PathE2)
	}
	return int(t)
}

// offer adds a candidate route to p to the table, keeping the best and
// merging equal-cost next hops. pn is p's number plus one in the domain
// (prefixIndex), or 0 when the caller does not know it.
func (t *routeTable) offer(p netip.Prefix, pn int32, r croute) bool {
	old := t.slot(p, pn, true)
	if old.typ == PathUnknown {
		*old = r
		return true
	}
	switch better(&r, old) {
	case -1:
		*old = r
		return true
	case 0:
		old.nexthops = mergePaths(old.nexthops, r.nexthops, t.advPaths && r.typ != PathIntra)
		if old.more == nil {
			old.more = new([]*LSA)
		}
		*old.more = append(*old.more, r.lsas()...)
	}
	if t.lastASBR && r.typ.external() && old.typ.external() {
		old.viaBB = r.viaBB
	}
	return false
}

func mergeNexthops(a, b []Nexthop) []Nexthop { return mergePaths(a, b, false) }

// withAdv sets the border router of every path.
func withAdv(ns []Nexthop, adv netip.Addr) []Nexthop {
	out := make([]Nexthop, len(ns))
	for i, n := range ns {
		n.adv = adv
		out[i] = n
	}
	return out
}

func mergePaths(a, b []Nexthop, byAdv bool) []Nexthop {
	out := append([]Nexthop(nil), a...)
	for _, x := range b {
		dup := false
		for _, y := range out {
			if x.Iface == y.Iface && x.Gateway == y.Gateway && x.viaVL == y.viaVL && (!byAdv || x.adv == y.adv) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	sortNexthops(out)
	return out
}

func sortNexthops(ns []Nexthop) {
	sort.Slice(ns, func(i, j int) bool {
		if ns[i].Gateway != ns[j].Gateway {
			return ns[i].Gateway.Less(ns[j].Gateway)
		}
		return ns[i].Iface < ns[j].Iface
	})
}

// addRouter records a route to an ABR or ASBR.
func (t *routeTable) addRouter(rr *routerRoute) {
	for _, x := range t.routers[rr.rid] {
		if x.area == rr.area && x.intra == rr.intra {
			switch {
			case rr.cost < x.cost:
				*x = *rr
			case rr.cost == x.cost:
				x.nexthops = mergePaths(x.nexthops, rr.nexthops, t.advPaths)
			}
			return
		}
	}
	t.routers[rr.rid] = append(t.routers[rr.rid], rr)
}

// Routes returns the instance's OSPF routes sorted by prefix, made anew
// from its table at each call.
func (in *Instance) Routes() []*Route {
	t := in.table
	if t == nil {
		return nil
	}
	if !t.frozen {
		return t.sorted()
	}
	rs := make([]Route, len(t.final))
	out := make([]*Route, len(t.final))
	for i := range rs {
		rs[i] = t.route(i)
		out[i] = &rs[i]
	}
	return out
}

func prefixCmp(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

func prefixLess(a, b netip.Prefix) bool {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c < 0
	}
	return a.Bits() < b.Bits()
}
