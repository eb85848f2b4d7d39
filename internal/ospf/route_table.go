package ospf

import (
	"net/netip"
	"slices"
	"unsafe"

	"farend/internal/model"
)

// prefixIndex numbers the destinations of one routing domain (the
// instances joined by adjacencies): every prefix an LSA of the domain
// carries gets a small integer when the LSA enters an LSDB, so that each
// instance's table is an array indexed by it instead of a map of its
// own (a thousand maps of thousands of prefixes cost several times the
// memory and time of one shared map and arrays). It is written only while
// LSAs are added, in the sequential phases of Compute, and read by the
// parallel ones.
type prefixIndex struct {
	ids  map[netip.Prefix]int32
	list []netip.Prefix
	// order lists the ids by prefix (sortOrder).
	order []int32
}

func newPrefixIndex() *prefixIndex { return &prefixIndex{ids: map[netip.Prefix]int32{}} }

// add numbers p and returns its number plus one (a "pn": the zero pn
// means not numbered).
func (x *prefixIndex) add(p netip.Prefix) int32 {
	id, ok := x.ids[p]
	if !ok {
		id = int32(len(x.list))
		x.ids[p] = id
		x.list = append(x.list, p)
	}
	return id + 1
}

// addLSA numbers the prefixes an LSA can give routes to and notes their
// numbers in the LSA, so that offering its routes needs no lookup.
func (x *prefixIndex) addLSA(l *LSA) {
	if l.Prefix.IsValid() {
		l.pn = x.add(l.Prefix)
	}
	for i := range l.links {
		if k := &l.links[i]; k.kind == linkStub {
			k.pn = x.add(k.prefix)
		}
	}
	for i := range l.prefixes {
		p := &l.prefixes[i]
		p.pn = x.add(p.prefix)
	}
}

// sortOrder sorts the ids by prefix, for the tables' final order.
func (x *prefixIndex) sortOrder() {
	x.order = make([]int32, len(x.list))
	for i := range x.order {
		x.order[i] = int32(i)
	}
	slices.SortFunc(x.order, func(a, b int32) int { return prefixCmp(x.list[a], x.list[b]) })
}

// routeTable is an instance's OSPF routing table: while Compute builds
// it, routes by prefix number (dense, and extra for a prefix the index
// lacks); once done, frozen into compact records sorted by prefix.
type routeTable struct {
	pidx    *prefixIndex
	dense   []croute
	extra   map[netip.Prefix]*croute
	routers map[netip.Addr][]*routerRoute
	// advPaths keeps equal-cost paths apart that share a next hop but
	// lead to different border routers: FRR ospfd merges inter-area and
	// external paths by (next hop, interface, advertising router)
	// (ospfd/ospf_route.c ospf_route_copy_nexthops, ospf_path_lookup), so
	// zebra gets the same next hop twice.
	advPaths bool
	// lastASBR: FRR ospfd compares the next external LSA with the ASBR
	// route of the last one examined, not of the one kept (ospf_ase.c
	// ospf_ase_calculate_route sets or->u.ext.asbr = asbr_route whatever
	// the outcome), so an external route's viaBB becomes that of every
	// LSA offered for its prefix.
	lastASBR bool

	// The frozen table (freeze): one record a route, sorted by prefix;
	// the prefixes they number (the index's list, or a copy with the
	// extra ones), their distinct next-hop sets, the LSAs of equal-cost
	// paths by record, and the administrative distance by path type.
	frozen bool
	final  []froute
	plist  []netip.Prefix
	nhs    [][]Nexthop
	more   map[int32][]*LSA
	dist   [PathN2 + 1]int32
}

// croute is a route while Compute builds the table: a Route without its
// prefix (the slot it is in says it) and distance (set when frozen), in
// 56 bytes instead of 112. The zero croute (PathUnknown) is no route.
type croute struct {
	nexthops []Nexthop
	// lsa gave the route; more are the LSAs of equal-cost paths (a
	// pointer, as few routes have them).
	lsa   *LSA
	more  *[]*LSA
	cost  int32
	type2 int32
	area  model.AreaID
	typ   PathType
	// viaBB marks an external route whose path to the ASBR or forwarding
	// address is not intra-area in a non-backbone area; set only where
	// RFC 2328 16.4 (6c) applies (RFC1583Compatibility disabled), so that
	// better ranks it below one that is (16.4.1).
	viaBB bool
}

func (c *croute) lsas() []*LSA {
	var more []*LSA
	if c.more != nil {
		more = *c.more
	}
	if c.lsa == nil {
		return more
	}
	return append([]*LSA{c.lsa}, more...)
}

// route is c as a Route to p.
func (c *croute) route(p netip.Prefix) Route {
	r := Route{Prefix: p, Type: c.typ, Area: c.area, Cost: c.cost, Type2: c.type2, Nexthops: c.nexthops, lsa: c.lsa}
	if c.more != nil {
		r.more = *c.more
	}
	return r
}

// froute is a route of a frozen table, in 32 bytes: its prefix and
// next-hop set are numbers.
type froute struct {
	lsa   *LSA
	pfx   int32 // in plist
	area  model.AreaID
	cost  int32
	type2 int32
	nh    int32 // in nhs
	typ   PathType
}

func newRouteTable(pidx *prefixIndex) *routeTable {
	return &routeTable{pidx: pidx, routers: map[netip.Addr][]*routerRoute{}}
}

// slot is where the route to p is kept (empty when there is none), with
// pn p's number plus one when known, else 0. Unless add is true, a slot
// that does not exist yet is not made and slot returns nil. A slot of
// dense stays in place for a phase of Compute: dense grows only when the
// index grew, between phases.
func (t *routeTable) slot(p netip.Prefix, pn int32, add bool) *croute {
	if t.pidx != nil {
		// A number from an LSA of another domain would not match: look
		// the prefix up then.
		id, ok := pn-1, pn > 0 && int(pn) <= len(t.pidx.list) && t.pidx.list[pn-1] == p
		if !ok {
			id, ok = t.pidx.ids[p]
		}
		if ok {
			if int(id) >= len(t.dense) {
				if !add {
					return nil
				}
				// Room for the few destinations later phases add (area
				// ranges, stub defaults), to grow once at most.
				n := len(t.pidx.list)
				d := make([]croute, n+n/64+4)
				copy(d, t.dense)
				t.dense = d
			}
			return &t.dense[id]
		}
	}
	c := t.extra[p]
	if c == nil && add {
		if t.extra == nil {
			t.extra = map[netip.Prefix]*croute{}
		}
		c = new(croute)
		t.extra[p] = c
	}
	return c
}

// get returns the route to p, or nil.
func (t *routeTable) get(p netip.Prefix) *croute {
	if c := t.slot(p, 0, false); c != nil && c.typ != PathUnknown {
		return c
	}
	return nil
}

// each calls f for every route, in no particular order.
func (t *routeTable) each(f func(netip.Prefix, *croute)) {
	for i := range t.dense {
		if c := &t.dense[i]; c.typ != PathUnknown {
			f(t.pidx.list[i], c)
		}
	}
	for p, c := range t.extra {
		if c.typ != PathUnknown {
			f(p, c)
		}
	}
}

// inOrder reports whether the index's order covers the table, so that
// walking it gives the routes by prefix.
func (t *routeTable) inOrder() bool {
	return len(t.extra) == 0 && t.pidx != nil && len(t.pidx.order) == len(t.pidx.list)
}

// sorted lists the routes by prefix, as Routes.
func (t *routeTable) sorted() []*Route {
	n := 0
	t.each(func(netip.Prefix, *croute) { n++ })
	rs := make([]Route, 0, n)
	t.each(func(p netip.Prefix, c *croute) { rs = append(rs, c.route(p)) })
	slices.SortFunc(rs, func(a, b Route) int { return prefixCmp(a.Prefix, b.Prefix) })
	out := make([]*Route, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// freeze turns the finished table into sorted compact records and drops
// the rest, with dist the administrative distance by path type.
func (t *routeTable) freeze(dist func(PathType) int) {
	for pt := range t.dist {
		t.dist[pt] = int32(dist(PathType(pt)))
	}
	n := 0
	t.each(func(netip.Prefix, *croute) { n++ })
	t.final = make([]froute, 0, n)
	t.plist = nil
	if t.pidx != nil {
		t.plist = t.pidx.list[:len(t.pidx.list):len(t.pidx.list)]
	}
	// Next-hop sets are told apart by identity, which keeps a nil set
	// apart from an empty one too.
	type nhKey struct {
		p *Nexthop
		n int
	}
	nhIDs := map[nhKey]int32{}
	// Routes next to each other often share their next hops (those of
	// one border router): the last set is tried before the map.
	last, lastID := nhKey{}, int32(-1)
	emit := func(id int32, c *croute) {
		k := nhKey{unsafe.SliceData(c.nexthops), len(c.nexthops)}
		nh := lastID
		if k != last || nh < 0 {
			var ok bool
			if nh, ok = nhIDs[k]; !ok {
				nh = int32(len(t.nhs))
				nhIDs[k] = nh
				t.nhs = append(t.nhs, c.nexthops)
			}
			last, lastID = k, nh
		}
		if c.more != nil && len(*c.more) > 0 {
			if t.more == nil {
				t.more = map[int32][]*LSA{}
			}
			t.more[int32(len(t.final))] = *c.more
		}
		t.final = append(t.final, froute{lsa: c.lsa, pfx: id, area: c.area, cost: c.cost, type2: c.type2, nh: nh, typ: c.typ})
	}
	if t.inOrder() {
		for _, id := range t.pidx.order {
			if int(id) < len(t.dense) && t.dense[id].typ != PathUnknown {
				emit(id, &t.dense[id])
			}
		}
	} else {
		type entry struct {
			p netip.Prefix
			c *croute
		}
		var es []entry
		t.each(func(p netip.Prefix, c *croute) { es = append(es, entry{p, c}) })
		slices.SortFunc(es, func(a, b entry) int { return prefixCmp(a.p, b.p) })
		for _, e := range es {
			id, ok := int32(0), false
			if t.pidx != nil {
				id, ok = t.pidx.ids[e.p]
			}
			if !ok {
				id = int32(len(t.plist))
				t.plist = append(t.plist, e.p)
			}
			emit(id, e.c)
		}
	}
	t.frozen, t.dense, t.extra = true, nil, nil
}

// route is record i of a frozen table as a Route.
func (t *routeTable) route(i int) Route {
	f := &t.final[i]
	return Route{Prefix: t.plist[f.pfx], Type: f.typ, Area: f.area, Cost: f.cost, Type2: f.type2, Distance: t.dist[f.typ],
		Nexthops: t.nhs[f.nh], lsa: f.lsa, more: t.more[int32(i)]}
}
