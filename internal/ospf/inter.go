package ospf

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// summarize originates an ABR's summary-LSAs (RFC 2328 12.4.3, as FRR
// ospfd/ospf_abr.c ospf_abr_process_network_rt, ospf_abr_announce_network
// and ospf_abr_process_router_rt do it). First pass (backbone false):
// intra-area routes into every other area, type-4 for intra-area ASBRs,
// and the default into stub and NSSA areas. Second pass: the inter-area
// routes learned from the backbone into the other areas, only with an
// active backbone connection (ospf_abr_process_network_rt: "ALT ABR: No BB
// connection, skip not intra-area routes").
func summarize(in *Instance, backbone bool) {
	if backbone && !in.activeBB {
		return
	}
	type agg struct {
		area  model.AreaID
		rng   model.AreaRange
		cost  int
		found bool
	}
	var aggs []*agg
	announce := func(x model.AreaID, p netip.Prefix, cost int, what string) {
		if l := in.dbs[x].summary(in, LSASummary, p, netip.Addr{}); l != nil {
			if cost < l.Metric {
				l.Metric = cost
			}
			return
		}
		l := &LSA{Type: LSASummary, Area: x, AdvRouter: in.RouterID, Prefix: p, Metric: cost, origin: in, What: what}
		in.dbs[x].add(l)
		in.lsas = append(in.lsas, l)
	}
	for _, rt := range in.Routes() {
		want := PathIntra
		if backbone {
			want = PathInter
		}
		if rt.Type != want || (backbone && rt.Area != 0) {
			continue
		}
		if t, ok := in.transitPrev[transitKey{rt.Prefix, false}]; ok && rt.Area == 0 {
			// ospfd summarizes its routing table as the transit areas'
			// summaries left it (transitSummaries).
			rt.Cost, rt.Nexthops = t.cost, t.nexthops
		}
		for _, x := range in.Areas {
			if x == rt.Area || nexthopsIn(rt.Nexthops, x) {
				continue
			}
			ar := in.Proc.Area(x)
			if areaType(in, x) != model.AreaNormal && ar != nil && ar.NoSummary {
				continue
			}
			if rt.Type == PathInter {
				if x != 0 {
					announce(x, rt.Prefix, int(rt.Cost), fmt.Sprintf("inter-area route from area %s, cost %d", rt.Area, rt.Cost))
				}
				continue
			}
			if src := in.Proc.Area(rt.Area); src != nil {
				if rng, ok := rangeOf(src, rt.Prefix); ok {
					var a *agg
					for _, g := range aggs {
						if g.area == x && g.rng.Prefix == rng.Prefix {
							a = g
						}
					}
					if a == nil {
						a = &agg{area: x, rng: rng}
						aggs = append(aggs, a)
					}
					a.found = true
					a.cost = max(a.cost, int(rt.Cost))
					continue
				}
			}
			announce(x, rt.Prefix, int(rt.Cost), fmt.Sprintf("intra-area route of area %s, cost %d", rt.Area, rt.Cost))
		}
	}
	// Area ranges (RFC 2328 12.4.3: one summary for the range with the
	// largest component cost; `not-advertise` suppresses it).
	for _, a := range aggs {
		if a.rng.NotAdvertise {
			continue
		}
		c := a.cost
		if a.rng.Cost > 0 {
			c = a.rng.Cost
		}
		announce(a.area, a.rng.Prefix, c, "area range "+a.rng.Prefix.String()+" at "+a.rng.Pos.String())
	}
	// Type-4 summaries for AS boundary routers (ospf_abr_announce_rtr): not
	// for ASBRs reached through an NSSA, not into stub or NSSA areas.
	for rid := range in.table.routers {
		best := findASBR(in, rid)
		if best == nil || best.nssa {
			continue
		}
		if backbone != !best.intra || (!best.intra && best.area != 0) {
			continue
		}
		bestNH, bestCost := best.nexthops, best.cost
		if t, ok := in.transitPrev[transitKey{netip.PrefixFrom(rid, 32), true}]; ok && best.area == 0 {
			bestNH, bestCost = t.nexthops, int(t.cost)
		}
		for _, x := range in.Areas {
			if x == best.area || nexthopsIn(bestNH, x) || areaType(in, x) != model.AreaNormal {
				continue
			}
			if !best.intra && x == 0 {
				continue
			}
			if in.dbs[x].summary(in, LSAASBRSummary, netip.Prefix{}, rid) != nil {
				continue
			}
			l := &LSA{Type: LSAASBRSummary, Area: x, AdvRouter: in.RouterID, ASBR: rid, Metric: bestCost, origin: in,
				What: fmt.Sprintf("ASBR %s reached through area %s, cost %d", rid, best.area, bestCost)}
			in.dbs[x].add(l)
			in.lsas = append(in.lsas, l)
		}
	}
	if backbone {
		return
	}
	// FRR ospfd/ospf_abr.c ospf_abr_announce_stub_defaults: an ABR
	// announces a type-3 default into every stub and NSSA area with the
	// area's default-cost (1 unless set; OSPF_AREA_DEFAULT_COST... in
	// ospf_area_new: default_cost = 1).
	for _, x := range in.Areas {
		t := areaType(in, x)
		if x == 0 || t == model.AreaNormal {
			continue
		}
		if ar := in.Proc.Area(x); t == model.AreaNSSA && !isFRR(in) && (ar == nil || !ar.NoSummary) {
			// IOS injects a type-3 default only into a totally stubby
			// NSSA (OSPF Command Reference, "area nssa": no-summary; a
			// plain NSSA gets a default only from
			// default-information-originate, as a type-7 LSA). Not
			// checked against a real IOS.
			continue
		}
		cost := 1
		if ar := in.Proc.Area(x); ar != nil && ar.DefaultCost.Value > 0 {
			cost = ar.DefaultCost.Value
		}
		announce(x, defaultPrefix(in), cost, "default route into "+t.String()+" area "+x.String())
	}
}

// rangeOf returns the area's range covering p.
func rangeOf(a *model.OSPFArea, p netip.Prefix) (model.AreaRange, bool) {
	for _, r := range a.Ranges {
		if r.Prefix.Bits() <= p.Bits() && r.Prefix.Contains(p.Addr()) && r.Prefix.Addr().Is4() == p.Addr().Is4() {
			return r, true
		}
	}
	return model.AreaRange{}, false
}

// nexthopsIn reports whether a route leaves through an interface of area
// x (FRR ospf_abr_nexthops_belong_to_area: such a route is not announced
// back into x).
func nexthopsIn(nh []Nexthop, x model.AreaID) bool {
	for _, n := range nh {
		if n.f != nil && n.f.Area == x {
			return true
		}
	}
	return false
}

// findASBR picks the routing table entry for an AS boundary router (RFC
// 2328 16.4.1 and FRR ospfd/ospf_ase.c ospf_find_asbr_route): intra-area
// paths through non-backbone areas first, then the least cost, then the
// largest area id.
//
// FRR ospf6d keeps one border-router table ordered by path type, then
// cost (ospf6d/ospf6_route.c ospf6_route_cmp), and uses its best entry
// (ospf6d/ospf6_asbr.c ospf6_asbr_lsa_add: ospf6_route_lookup in
// brouter_table): an intra-area route wins over a cheaper inter-area one.
func findASBR(in *Instance, rid netip.Addr) *routerRoute {
	rs := in.table.routers[rid]
	if frr6(in) {
		var best *routerRoute
		for _, r := range rs {
			if !r.asbr {
				continue
			}
			if best == nil || r.intra && !best.intra || r.intra == best.intra && r.cost < best.cost {
				best = r
			}
		}
		return best
	}
	// FRR ospfd chooses among every entry for the router, ASBR or not,
	// and only then checks the E-bit of the chosen one (ospf_ase.c
	// ospf_ase_calculate_route: "Originating router is not an ASBR"): an
	// ASBR that is also reached intra-area through a stub area, where its
	// router-LSA has no E-bit (ospf_lsa.c router_lsa_flags), gets no
	// external routes. RFC 2328 16.4.1 prunes among the ASBR's entries.
	frr := isFRR(in)
	usable := func(r *routerRoute) bool { return frr || r.asbr }
	var chosen []*routerRoute
	for _, r := range rs {
		if usable(r) && r.intra && r.area != 0 && pref16_4_1(in) {
			chosen = append(chosen, r)
		}
	}
	if len(chosen) == 0 {
		for _, r := range rs {
			if usable(r) {
				chosen = append(chosen, r)
			}
		}
	}
	var best *routerRoute
	for _, r := range chosen {
		if best == nil || r.cost < best.cost || r.cost == best.cost && best.area < r.area {
			best = r
		}
	}
	if best != nil && !best.asbr {
		return nil
	}
	return best
}

// interArea computes inter-area routes from summary-LSAs (RFC 2328 16.2,
// FRR ospfd/ospf_ia.c ospf_ia_routing): an ABR with an active backbone
// connection examines only the backbone's summaries; any other router
// examines those of every area it is in.
func interArea(r *Result, in *Instance) {
	for _, a := range in.Areas {
		db := in.dbs[a]
		examine := !(in.ABR && in.activeBB) || a == 0
		for _, l := range db.lsas {
			if l.Type != LSASummary && l.Type != LSAASBRSummary {
				continue
			}
			if l.origin == in {
				r.unused[in][l] = "originated by this router"
				continue
			}
			if !examine {
				r.unused[in][l] = abrReason(in, a)
				if res := in.spf[a]; res != nil && res.transit {
					r.unused[in][l] = transitReason(a)
				}
				continue
			}
			if why := peIgnores(in, l); why != "" {
				r.unused[in][l] = why
				continue
			}
			if l.Type == LSASummary && l.Prefix.Bits() == 0 && in.ABR && areaType(in, a) != model.AreaNormal {
				// ospfd/ospf_ia.c process_summary_lsa: "Ignore summary
				// default from a stub area".
				r.unused[in][l] = "an ABR ignores the default summary of a stub or NSSA area (FRR ospfd/ospf_ia.c process_summary_lsa)"
				continue
			}
			abr := in.table.intraABR(l.AdvRouter, a)
			if abr == nil {
				r.unused[in][l] = fmt.Sprintf("no intra-area route to its ABR %s in area %s (RFC 2328 16.2 step 3)", l.AdvRouter, a)
				continue
			}
			cost := abr.cost + l.Metric
			if l.Type == LSASummary {
				in.table.offer(l.Prefix, l.pn, croute{typ: PathInter, area: a, cost: int32(cost), nexthops: abr.nexthops, lsa: l})
				continue
			}
			if in.table.intraRouter(l.ASBR, a) {
				// RFC 2328 16.2 step 6: intra-area paths are always
				// preferred (FRR ospfd/ospf_ia.c ospf_ia_router_route:
				// ospf_route_cmp ranks the intra-area entry of the same
				// area first).
				r.unused[in][l] = fmt.Sprintf("an intra-area route to %s in area %s exists, which is always preferred (RFC 2328 16.2 step 6)", l.ASBR, a)
				continue
			}
			in.table.addRouter(&routerRoute{rid: l.ASBR, area: a, cost: cost, nexthops: abr.nexthops, asbr: true, lsa: l})
		}
	}
}

// abrReason says why an ABR ignores the summaries of a non-backbone area.
func abrReason(in *Instance, a model.AreaID) string {
	if in.Proc.VPNPE {
		return fmt.Sprintf("not used: IOS runs `%s` as a PE router attached to the MPLS VPN superbackbone (no `capability vrf-lite`; RFC 4577 4.2), which makes it an area border router, and an ABR uses only the backbone's summary LSAs (RFC 2328 16.2): summaries received in area %s are ignored. For plain VRF-lite add `capability vrf-lite` under `%s`", procLine(in), a, procLine(in))
	}
	return "not used: this router is an area border router with a Full neighbour in area 0, and an ABR examines only the backbone's summary LSAs (RFC 2328 16.2; RFC 3509; FRR ospfd/ospf_ia.c ospf_ia_routing)"
}

// intraABR is the intra-area route through area a to the area border
// router rid (the last one when there are several), or nil: RFC 2328 16.2
// step 3 and 16.3 price a summary by it.
func (t *routeTable) intraABR(rid netip.Addr, a model.AreaID) *routerRoute {
	var abr *routerRoute
	for _, x := range t.routers[rid] {
		if x.area == a && x.abr && x.intra {
			abr = x
		}
	}
	return abr
}

// intraRouter reports whether the table has an intra-area route through
// area a to the router rid.
func (t *routeTable) intraRouter(rid netip.Addr, a model.AreaID) bool {
	for _, x := range t.routers[rid] {
		if x.area == a && x.intra {
			return true
		}
	}
	return false
}

// pref16_4_1 reports whether RFC 2328 16.4.1 applies: the preference for
// intra-area non-backbone paths to an ASBR or forwarding address, which
// RFC1583Compatibility turns off (RFC 2328 appendix C.1; FRR ospfd
// ospf_find_asbr_route and ospf_route_cmp check OSPF_RFC1583_COMPATIBLE).
// FRR ospf6d never applies the preference (ospf6d/ospf6_route.c
// ospf6_route_cmp, ospf6_asbr.c); an IOS OSPFv3 process is taken to apply
// it as the RFC says (not checked against IOS).
func pref16_4_1(in *Instance) bool {
	if frr6(in) {
		return false
	}
	return in.Proc.RFC1583Compatible.Value == 0
}
