package ospf

import (
	"container/heap"
	"net/netip"
	"sort"

	"farend/internal/model"
)

// vertex is a router (rid) or a transit network (net) of the SPF tree.
type vertex struct {
	rid      netip.Addr
	net      *Iface
	lsa      *LSA
	dist     int
	nexthops []Nexthop
	done     bool
	idx      int
	// direct is the root's interface when the vertex is a network the
	// root is attached to.
	direct *Iface
}

type spfResult struct {
	routers map[netip.Addr]*vertex
	nets    map[*Iface]*vertex
	// transit is the area's TransitCapability: a router-LSA in the tree
	// has the V bit (RFC 2328 16.1 step 2).
	transit bool
}

type vheap []*vertex

func (h vheap) Len() int { return len(h) }
func (h vheap) Less(i, j int) bool {
	if h[i].dist != h[j].dist {
		return h[i].dist < h[j].dist
	}
	// RFC 2328 16.1 step 3: networks before routers at equal distance,
	// so that transit networks are examined first.
	return h[i].net != nil && h[j].net == nil
}
func (h vheap) Swap(i, j int)  { h[i], h[j] = h[j], h[i]; h[i].idx = i; h[j].idx = j }
func (h *vheap) Push(x any)    { v := x.(*vertex); v.idx = len(*h); *h = append(*h, v) }
func (h *vheap) Pop() any      { old := *h; v := old[len(old)-1]; *h = old[:len(old)-1]; return v }
func (h *vheap) fix(v *vertex) { heap.Fix(h, v.idx) }

// spf runs Dijkstra's algorithm over one area's LSDB from the instance
// (RFC 2328 16.1), with next hops per 16.1.1.
func spf(in *Instance, db *lsdb) *spfResult {
	res := &spfResult{routers: map[netip.Addr]*vertex{}, nets: map[*Iface]*vertex{}}
	self := db.routers[in.RouterID]
	if self == nil {
		return res
	}
	root := &vertex{rid: in.RouterID, lsa: self}
	res.routers[in.RouterID] = root
	h := &vheap{}
	heap.Push(h, root)
	for h.Len() > 0 {
		v := heap.Pop(h).(*vertex)
		v.done = true
		if v.net != nil {
			// Network vertex: edges to every attached router whose
			// router-LSA links back (RFC 2328 16.1 step 2b).
			for _, r := range v.lsa.attached {
				rl := db.routers[r.RouterID]
				if rl == nil || !linksTo(rl, linkTransit, netip.Addr{}, v.net) {
					continue
				}
				nh := v.nexthops
				if v.direct != nil {
					// 16.1.1: the parent is a network the root is on: the
					// next hop is the router's address on that network
					// (plus any equal-cost paths through other routers).
					nh = []Nexthop{gatewayOn(v.direct, rl, v.net)}
					for _, x := range v.nexthops {
						if x.Gateway.IsValid() {
							nh = mergeNexthops(nh, []Nexthop{x})
						}
					}
				}
				visit(h, res, db, rl, nil, v.dist, nh)
			}
			continue
		}
		if v.lsa.V {
			res.transit = true
		}
		for _, k := range v.lsa.links {
			switch k.kind {
			case linkVirtual:
				// A virtual link is a point-to-point backbone link whose
				// next hops, from the root, are those of the transit
				// area's path to its other end (RFC 2328 16.1.1).
				wl := db.routers[k.to]
				if wl == nil || !linksTo(wl, linkVirtual, v.rid, nil) {
					continue
				}
				nh := v.nexthops
				if v == root {
					nh = vlNexthops(k.local)
				}
				visit(h, res, db, wl, nil, v.dist+k.cost, nh)
			case linkP2P:
				wl := db.routers[k.to]
				if wl == nil || !linksTo(wl, linkP2P, v.rid, nil) {
					continue
				}
				nh := v.nexthops
				if v == root {
					nh = []Nexthop{hop(k.local, k.peer)}
				}
				visit(h, res, db, wl, nil, v.dist+k.cost, nh)
			case linkTransit:
				nl := db.networks[k.net]
				if nl == nil || !attachedTo(nl, v.rid) {
					continue
				}
				nh := v.nexthops
				var direct *Iface
				if v == root {
					nh = []Nexthop{{Iface: k.local.Name, f: k.local}}
					direct = k.local
				}
				w := visit(h, res, db, nl, k.net, v.dist+k.cost, nh)
				if w != nil && v == root && w.dist == v.dist+k.cost {
					w.direct = direct
				}
			}
		}
	}
	return res
}

// visit relaxes the edge to the vertex of LSA l (a router when net is nil)
// at distance d with next hops nh.
func visit(h *vheap, res *spfResult, db *lsdb, l *LSA, net *Iface, d int, nh []Nexthop) *vertex {
	var w *vertex
	if net != nil {
		w = res.nets[net]
		if w == nil {
			w = &vertex{net: net, lsa: l, dist: d, nexthops: nh}
			res.nets[net] = w
			heap.Push(h, w)
			return w
		}
	} else {
		w = res.routers[l.AdvRouter]
		if w == nil {
			w = &vertex{rid: l.AdvRouter, lsa: l, dist: d, nexthops: nh}
			res.routers[l.AdvRouter] = w
			heap.Push(h, w)
			return w
		}
	}
	if w.done || d > w.dist {
		return w
	}
	if d == w.dist {
		w.nexthops = mergeNexthops(w.nexthops, nh)
		return w
	}
	w.dist, w.nexthops, w.direct = d, nh, nil
	h.fix(w)
	return w
}

// linksTo reports whether router-LSA l has a link of kind back to rid
// (p2p) or to the network of DR interface net (transit).
func linksTo(l *LSA, kind int, rid netip.Addr, net *Iface) bool {
	for _, k := range l.links {
		if k.kind != kind {
			continue
		}
		if (kind == linkP2P || kind == linkVirtual) && k.to == rid || kind == linkTransit && k.net == net {
			return true
		}
	}
	return false
}

func attachedTo(n *LSA, rid netip.Addr) bool {
	for _, in := range n.attached {
		if in.RouterID == rid {
			return true
		}
	}
	return false
}

// hop is the next hop over the root's interface local to the neighbour's
// interface peer: its IPv4 address (OSPFv2) or link-local address
// (OSPFv3, RFC 5340 4.8.2).
func hop(local, peer *Iface) Nexthop {
	nh := Nexthop{Iface: local.Name, f: local}
	if peer != nil {
		nh.Neighbor = peer.Inst.Dev.Name
		if local.Inst.Version == 2 {
			nh.Gateway = peer.Addr.Addr()
		} else {
			nh.Gateway = peer.LinkLocal
		}
	}
	return nh
}

// gatewayOn is the next hop from the root's interface local to the router
// of LSA rl on the network of DR interface net.
func gatewayOn(local *Iface, rl *LSA, net *Iface) Nexthop {
	for _, k := range rl.links {
		if k.kind == linkTransit && k.net == net {
			return hop(local, k.local)
		}
	}
	return Nexthop{Iface: local.Name, f: local}
}

// intraRoutes turns an area's SPF tree into intra-area routes and routes
// to area border and AS boundary routers (RFC 2328 16.1 step 2 and 16.1
// stub networks; RFC 5340 4.8.3 for intra-area-prefix LSAs).
func intraRoutes(in *Instance, area model.AreaID, db *lsdb, res *spfResult, t *routeTable) {
	nssa := areaType(in, area) == model.AreaNSSA
	for rid, v := range res.routers {
		if rid == in.RouterID {
			continue
		}
		if v.lsa.B || v.lsa.E {
			t.addRouter(&routerRoute{rid: rid, area: area, cost: v.dist, nexthops: withAdv(v.nexthops, rid), abr: v.lsa.B, asbr: v.lsa.E, intra: true, nssa: nssa, lsa: v.lsa})
		}
	}
	add := func(p netip.Prefix, pn int32, cost int, nh []Nexthop, l *LSA) {
		t.offer(p, pn, croute{typ: PathIntra, area: area, cost: int32(cost), nexthops: nh, lsa: l})
	}
	// FRR ospf6d: the paths of a prefix are gathered first (frr6Paths).
	var paths map[netip.Prefix][]frr6Path
	if frr6(in) {
		paths = map[netip.Prefix][]frr6Path{}
		plain := add
		defer func() { frr6Resolve(paths, plain) }()
	}
	addFrom := func(adv netip.Addr, own bool, p netip.Prefix, pn int32, cost int, nh []Nexthop, l *LSA) {
		if paths == nil {
			add(p, pn, cost, nh, l)
			return
		}
		paths[p] = append(paths[p], frr6Path{adv: adv, own: own, pn: pn, cost: cost, nh: nh, lsa: l})
	}
	for _, v := range res.nets {
		nh := v.nexthops
		if frr6(in) && v.net.Inst == in {
			// ospf6d/ospf6_intra.c ospf6_intra_prefix_lsa_add: prefixes of
			// an intra-area-prefix LSA the router itself originated (here
			// as the DR) are "directly connected": the next hop is the
			// interface, whatever path the SPF found to the network.
			nh = []Nexthop{{Iface: v.net.Name, f: v.net}}
		}
		for _, p := range v.lsa.prefixes {
			addFrom(v.net.Inst.RouterID, v.net.Inst == in, p.prefix, p.pn, v.dist+p.metric, nh, v.lsa)
			if paths != nil && v.net.Inst != in && v.direct != nil && hasPrefix(v.direct, p.prefix) {
				// The path from the router's own intra-area-prefix LSA of
				// before its adjacency on the link was Full: ospf6d keeps
				// it (frr6Resolve), at the interface's cost, which is the
				// network's distance as the SPF reached it directly.
				paths[p.prefix] = append(paths[p.prefix], frr6Path{adv: in.RouterID, own: true, stale: true, cost: v.dist + p.metric, nh: []Nexthop{{Iface: v.direct.Name, f: v.direct}}})
			}
		}
	}
	for _, v := range res.routers {
		self := v.rid == in.RouterID
		for _, k := range v.lsa.links {
			if k.kind != linkStub {
				continue
			}
			nh := v.nexthops
			if self {
				nh = []Nexthop{{Iface: k.local.Name, f: k.local}}
			}
			add(k.prefix, k.pn, v.dist+k.cost, nh, v.lsa)
		}
	}
	if in.Version == 3 {
		for _, l := range db.lsas {
			if l.Type != LSAIntraPrefix {
				continue
			}
			v := res.routers[l.AdvRouter]
			if v == nil {
				continue
			}
			self := v.rid == in.RouterID
			for _, p := range l.prefixes {
				nh := v.nexthops
				if self {
					nh = []Nexthop{{Iface: p.iface.Name, f: p.iface}}
				}
				addFrom(l.AdvRouter, self, p.prefix, p.pn, v.dist+p.metric, nh, l)
			}
		}
	}
}

// frr6Path is one intra-area path to a prefix as ospf6d keeps it: from
// the intra-area-prefix LSA of router adv (own: this router's).
type frr6Path struct {
	adv  netip.Addr
	own  bool
	pn   int32
	cost int
	nh   []Nexthop
	lsa  *LSA
	// stale marks a path ospf6d keeps from an LSA instance that no longer
	// lists the prefix: it counts for the next hops, it is no route.
	stale bool
}

// frr6Resolve offers the intra-area paths gathered for each prefix with
// the next hops ospf6d 8.4 ends up with. When a prefix has several
// equal-cost paths, ospf6_intra_prefix_route_ecmp_path rebuilds the next
// hops path by path in ospf6_path_cmp order (frr6PathFirst) with one ifp
// variable that a path from the router's own LSA sets (the interface of
// the prefix) and nothing resets: the paths after it contribute that
// interface instead of their own next hops. So a router whose own stub
// prefix is also reached over a neighbour at the same cost keeps only the
// interface when its router id sorts first, and both when it does not.
// The prefix of a transit link the router is attached to but not the DR
// of has such an own path too: until its first adjacency there was Full,
// the router listed the prefix in its own intra-area-prefix LSA
// (ospf6_intra.c ospf6_intra_prefix_lsa_originate_stub: full_count 0),
// and the route keeps that path beside the DR's when the costs are equal
// (seen in FRR 8.4.4 labs: `show ipv6 ospf6 route detail` says "Paths
// count: 2, Nexthop count: 1").
func frr6Resolve(paths map[netip.Prefix][]frr6Path, add func(netip.Prefix, int32, int, []Nexthop, *LSA)) {
	for p, ps := range paths {
		best := ps[0].cost
		var own []Nexthop
		for _, x := range ps {
			best = min(best, x.cost)
		}
		for _, x := range ps {
			if x.cost == best && x.own {
				own = x.nh
			}
		}
		if own != nil {
			var eq []int
			for i, x := range ps {
				if x.cost == best {
					eq = append(eq, i)
				}
			}
			if len(eq) > 1 {
				sort.SliceStable(eq, func(i, j int) bool { return frr6PathFirst(ps[eq[i]].adv, ps[eq[j]].adv) })
				sticky := false
				for _, i := range eq {
					sticky = sticky || ps[i].own
					if sticky {
						ps[i].nh = own
					}
				}
			}
		}
		for _, x := range ps {
			if !x.stale {
				add(p, x.pn, x.cost, x.nh, x.lsa)
			}
		}
	}
}

// frr6PathFirst reports whether ospf6d 8.4 sorts a path from router a's
// LSA before one from router b's. It keeps an intra-area route's paths
// sorted by advertising router with a plain comparison of the in_addr's
// 32-bit value (ospf6d/ospf6_route.c ospf6_path_cmp), which on a
// little-endian host (x86-64, arm64) orders by the last octet first
// (frr6Resolve).
func frr6PathFirst(a, b netip.Addr) bool {
	le := func(x netip.Addr) uint32 {
		q := x.As4()
		return uint32(q[0]) | uint32(q[1])<<8 | uint32(q[2])<<16 | uint32(q[3])<<24
	}
	return le(a) < le(b)
}

// hasPrefix reports whether interface f has an address in prefix p
// (ospf6d's if_lookup_prefix finds it).
func hasPrefix(f *Iface, p netip.Prefix) bool {
	for _, a := range f.If.Addrs {
		if a.Prefix.Masked() == p {
			return true
		}
	}
	return false
}
