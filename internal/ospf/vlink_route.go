package ospf

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// vlNexthops are the next hops of the backbone's paths that start with
// virtual link f: those of the transit area's path to its other end (RFC
// 2328 16.1.1). IOS is taken to follow the RFC (not checked against a
// real IOS). ospfd keeps one (ospfd/ospf_spf.c ospf_nexthop_calculation:
// "vl_data can only reference one nexthop, so no ECMP to backbone through
// VLinks") and turns it into a path of its own way (frrVLPath).
func vlNexthops(f *Iface) []Nexthop {
	if !isFRR(f.Inst) {
		return f.vl.nexthops
	}
	out := []Nexthop{}
	for _, nh := range f.vl.nexthops {
		if x, ok := frrVLPath(f, nh); ok {
			out = append(out, x)
		}
	}
	return out
}

// frrVLPath is the path ospfd 8.4 makes of the virtual link's next hop
// nh. The next hop carries the position of the root's link in its
// transit-area router-LSA (lsa_pos), but the backbone's routes look that
// position up among the backbone's interfaces
// (ospfd/ospf_route.c ospf_route_copy_nexthops_from_vertex calls
// ospf_if_lookup_by_lsa_pos with the area whose SPF runs): the interface
// whose links in the backbone router-LSA hold that position gives the
// path its interface. When it is the virtual link itself (ifindex 0),
// zebra resolves the gateway over the connected route and the path
// works; when it is another backbone interface, zebra finds the gateway
// off that interface and keeps the next hop inactive
// (zebra/zebra_nhg.c nexthop_active); when none holds it, the path is
// dropped.
func frrVLPath(f *Iface, nh Nexthop) (Nexthop, bool) {
	in := f.Inst
	tl, bl := in.dbs[f.vl.transit].routers[in.RouterID], in.dbs[0].routers[in.RouterID]
	if tl == nil || bl == nil || nh.f == nil {
		return Nexthop{}, false
	}
	r, ok := lsaRanges(in, tl, f.vl.transit)[nh.f]
	if !ok || r[0] == r[1] {
		return Nexthop{}, false
	}
	pos := r[0]
	rs := lsaRanges(in, bl, 0)
	for _, g := range frrOIFList(in, 0) {
		x, ok := rs[g]
		if !ok || pos < x[0] || pos >= x[1] {
			continue
		}
		if g.vl != nil {
			return Nexthop{Iface: nh.Iface, Gateway: nh.Gateway, Neighbor: nh.Neighbor, f: g, viaVL: true}, true
		}
		return Nexthop{Iface: g.Name, Gateway: nh.Gateway, Neighbor: nh.Neighbor, f: g, viaVL: true,
			Inactive: fmt.Sprintf("ospfd 8.4 gives the path over virtual link %s the interface %s (it looks the transit area's link position %d up among the backbone's interfaces: ospf_route.c ospf_route_copy_nexthops_from_vertex), and zebra does not use a gateway that is not on that interface (zebra_nhg.c nexthop_active)", f.Name, g.Name, pos)}, true
	}
	return Nexthop{}, false
}

// frrOIFList is ospfd's interface list of an area as router_lsa_link_set
// walks it: interfaces in the order they were created (name order when
// the process is configured after the interfaces: ifaceOrder), only
// those that are up, then the virtual links, created when their lines
// are read (ospfd/ospf_interface.c ospf_vl_new, ospf_area_add_if
// appends).
func frrOIFList(in *Instance, area model.AreaID) []*Iface {
	var out []*Iface
	for _, g := range ifaceOrder(in) {
		if g.Area == area && g.Up {
			out = append(out, g)
		}
	}
	if area == 0 {
		for _, g := range in.vlinks {
			if g.Up {
				out = append(out, g)
			}
		}
	}
	return out
}

// lsaRanges gives each interface of frrOIFList the positions of its links
// in the router-LSA l: [begin, end) (ospfd/ospf_lsa.c router_lsa_link_set
// sets oi->lsa_pos_beg and lsa_pos_end so).
func lsaRanges(in *Instance, l *LSA, area model.AreaID) map[*Iface][2]int {
	count := map[*Iface]int{}
	for _, k := range l.links {
		count[k.local]++
	}
	out := map[*Iface][2]int{}
	n := 0
	for _, g := range frrOIFList(in, area) {
		out[g] = [2]int{n, n + count[g]}
		n += count[g]
	}
	return out
}

// transitSummaries is RFC 2328 16.3: an area border router attached to
// transit areas (areas a Full virtual link runs through) examines their
// summary-LSAs too. They may offer a shorter path to a destination whose
// route is in the backbone (intra- or inter-area): the cheaper path
// replaces the next hops and the cost, an equal one adds its next hops;
// the route stays a backbone route either way. The same holds for the
// routes to AS boundary routers (type-4 summaries). FRR: ospfd/ospf_ia.c
// ospf_examine_transit_summaries, process_transit_summary_lsa.
func transitSummaries(r *Result, in *Instance) {
	changed := map[netip.Prefix]*croute{}
	for _, a := range in.Areas {
		res := in.spf[a]
		if a == 0 || res == nil || !res.transit {
			continue
		}
		for _, l := range in.dbs[a].lsas {
			if l.Type != LSASummary && l.Type != LSAASBRSummary || l.origin == in {
				continue
			}
			abr := in.table.intraABR(l.AdvRouter, a)
			if abr == nil {
				continue
			}
			iac := abr.cost + l.Metric
			if l.Type == LSAASBRSummary {
				for _, x := range in.table.routers[l.ASBR] {
					if x.area != 0 || iac > x.cost {
						continue
					}
					if iac < x.cost {
						x.cost, x.nexthops = iac, abr.nexthops
					} else {
						x.nexthops = mergePaths(x.nexthops, abr.nexthops, in.table.advPaths)
					}
					in.transitNow[transitKey{netip.PrefixFrom(l.ASBR, 32), true}] = transitRoute{router: true, cost: int32(x.cost), nexthops: x.nexthops}
					r.unused[in][l] = fmt.Sprintf("used for the backbone's route to ASBR %s through the transit area %s (RFC 2328 16.3)", l.ASBR, a)
				}
				continue
			}
			rt := in.table.get(l.Prefix)
			if rt == nil || rt.area != 0 || rt.typ != PathIntra && rt.typ != PathInter || iac > int(rt.cost) {
				continue
			}
			if iac < int(rt.cost) {
				rt.cost, rt.nexthops = int32(iac), abr.nexthops
			} else {
				rt.nexthops = mergePaths(rt.nexthops, abr.nexthops, in.table.advPaths)
			}
			if rt.more == nil {
				rt.more = new([]*LSA)
			}
			*rt.more = append(*rt.more, l)
			r.unused[in][l] = ""
			changed[l.Prefix] = rt
		}
	}
	for p, rt := range changed {
		in.transitNow[transitKey{p, false}] = transitRoute{cost: rt.cost, nexthops: rt.nexthops}
	}
}

// transitRoute is a backbone route as the transit areas' summaries left
// it. ospfd originates its summary-LSAs from its routing table after this
// step (ospfd/ospf_spf.c ospf_spf_calculate_schedule_worker runs
// ospf_ia_routing, then the ABR task), so a route that now leaves through
// a transit area is not announced into it, and with its new cost
// elsewhere; farend computes the summaries first, so it uses the last
// computation's result and computes again until they agree
// (settleTransit).
// transitKey names a backbone route: a prefix, or an AS boundary router
// (its id as a /32, router set).
type transitKey struct {
	p      netip.Prefix
	router bool
}

type transitRoute struct {
	// router is set for the route to an AS boundary router (keyed by its
	// id as a /32), from type-4 summaries.
	router   bool
	cost     int32
	nexthops []Nexthop
}

// settleTransit makes this computation's transit-area changes the ones
// the next computation summarizes with, and reports whether they differ
// from those this one used.
func settleTransit(ins []*Instance) bool {
	changed := false
	for _, in := range ins {
		if len(in.transitNow) != len(in.transitPrev) {
			changed = true
		}
		for p, t := range in.transitNow {
			o, ok := in.transitPrev[p]
			if !ok || o.router != t.router || o.cost != t.cost || !sameNexthops(o.nexthops, t.nexthops) {
				changed = true
			}
		}
		in.transitPrev = in.transitNow
	}
	return changed
}

func sameNexthops(a, b []Nexthop) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Iface != b[i].Iface || a[i].Gateway != b[i].Gateway || a[i].viaVL != b[i].viaVL {
			return false
		}
	}
	return true
}

// transitReason says why an ABR's summary in a transit area gives no
// route: 16.3 only improves backbone routes.
func transitReason(a model.AreaID) string {
	return fmt.Sprintf("area %s is a transit area (a virtual link runs through it): its summaries may only shorten backbone routes (RFC 2328 16.3), and this one does not", a)
}

// pruneNoPaths drops the routes and border-router entries left without a
// path: ospfd's paths over a virtual link can vanish (frrVLPath), and such
// entries are removed after the inter-area step, which may have given them
// paths through a transit area (ospfd/ospf_spf.c
// ospf_spf_calculate_schedule_worker: ospf_ia_routing, then
// ospf_prune_unreachable_networks and _routers).
func pruneNoPaths(in *Instance) {
	in.table.each(func(_ netip.Prefix, c *croute) {
		if len(c.nexthops) == 0 && (c.typ == PathIntra || c.typ == PathInter) {
			*c = croute{}
		}
	})
	for rid, rs := range in.table.routers {
		kept := rs[:0]
		for _, x := range rs {
			if len(x.nexthops) > 0 {
				kept = append(kept, x)
			}
		}
		if len(kept) == 0 {
			delete(in.table.routers, rid)
		} else {
			in.table.routers[rid] = kept
		}
	}
}
