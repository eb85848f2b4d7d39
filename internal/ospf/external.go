package ospf

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"farend/internal/model"
)

// originateExternals puts every ASBR's AS-external LSAs in its
// AS-external domain and, for each NSSA it is in, a type-7 copy (FRR
// ospfd/ospf_lsa.c ospf_install_flood_nssa: the P-bit is set only when the
// router is not an ABR, and then the LSA needs a forwarding address).
func originateExternals(ins []*Instance, exts map[*Instance][]external, domains map[*Instance]*lsdb) {
	for _, in := range ins {
		for _, e := range exts[in] {
			fa := forwardingAddress(in, e.nexthop, false)
			fa7 := forwardingAddress(in, e.nexthop, true)
			l := &LSA{Type: LSAExternal, AdvRouter: in.RouterID, Prefix: e.prefix, Metric: e.metric, E2: e.e2, FA: fa, Tag: e.tag, DN: e.dn, origin: in, What: e.what}
			in.lsas = append(in.lsas, l)
			if in.ext != nil {
				in.ext.add(l)
			}
			for _, a := range in.Areas {
				if areaType(in, a) != model.AreaNSSA {
					continue
				}
				n := &LSA{Type: LSANSSA, Area: a, AdvRouter: in.RouterID, Prefix: e.prefix, Metric: e.metric, E2: e.e2, FA: fa7, Tag: e.tag, DN: e.dn, origin: in, What: e.what}
				if !in.ABR && in.Version == 2 {
					n.P = true
					n.FA = nssaForwardingAddress(in, a, fa7)
					if !n.FA.IsValid() {
						continue
					}
				}
				if in.Version == 3 {
					n.P = !in.ABR
					if frr6(in) {
						n.FA = nssaForwardingAddress6(in, a)
					}
				}
				in.dbs[a].add(n)
				in.lsas = append(in.lsas, n)
			}
		}
	}
}

// translateNSSA lets the elected translator of each NSSA turn type-7
// LSAs with the P-bit into AS-external LSAs (RFC 3101 3.2): the NSSA ABR
// with the highest router id (FRR ospfd/ospf_abr.c
// ospf_abr_nssa_am_elected) translates every type-7 LSA with the P-bit
// and a forwarding address (ospf_abr_translate_nssa).
func translateNSSA(ins []*Instance) {
	seen := map[*lsdb]bool{}
	for _, in := range ins {
		for _, a := range in.Areas {
			db := in.dbs[a]
			if seen[db] || areaType(in, a) != model.AreaNSSA {
				continue
			}
			seen[db] = true
			var tr *Instance
			for _, m := range db.members {
				rl := db.routers[m.RouterID]
				if rl == nil || !rl.B {
					continue
				}
				if tr == nil || tr.RouterID.Less(m.RouterID) {
					tr = m
				}
			}
			if tr == nil || tr.ext == nil {
				continue
			}
			done := map[netip.Prefix]bool{}
			for _, l := range tr.ext.lsas {
				if l.origin == tr && l.Type == LSAExternal {
					done[l.Prefix] = true
				}
			}
			for _, l := range db.lsas {
				if l.Type != LSANSSA || !l.P || l.origin == tr || done[l.Prefix] {
					continue
				}
				if tr.Version == 2 && (!l.FA.IsValid() || l.FA.IsUnspecified()) {
					continue
				}
				done[l.Prefix] = true
				x := &LSA{Type: LSAExternal, AdvRouter: tr.RouterID, Prefix: l.Prefix, Metric: l.Metric, E2: l.E2, FA: l.FA, Tag: l.Tag, origin: tr, translated: l,
					What: fmt.Sprintf("translated from the type-7 LSA of %s in NSSA %s", l.AdvRouter, a)}
				if tr.Version == 2 && isFRR(tr) {
					// FRR ospfd/ospf_lsa.c ospf_lsa_translated_nssa_new builds
					// the type-5 as a redistributed OSPF route of the
					// translator (ei.type = ZEBRA_ROUTE_OSPF, route-map metric
					// -1): its metric is the translator's default for that
					// source (metric_value: `default-metric`, else 20; for a default prefix the
					// DEFAULT_ROUTE value, 10 with default-information
					// originate, else 1), not the type-7's as RFC 3101 3.2
					// says. The E-bit travels in e[0].tos, which is copied,
					// as are the tag and the forwarding address.
					x.Metric = redistMetric(tr, "ospf")
					for _, rd := range tr.Proc.Redistribute {
						if rd.Protocol == "ospf" && rd.Metric > 0 {
							x.Metric = rd.Metric
						}
					}
					if l.Prefix.Bits() == 0 {
						x.Metric = 1
						if d := tr.Proc.DefaultOriginate; d != nil {
							x.Metric = defaultMetric(tr, true, d.Always, "")
							if d.Metric > 0 {
								x.Metric = d.Metric
							}
						}
					}
				}
				tr.ext.add(x)
				tr.lsas = append(tr.lsas, x)
			}
		}
	}
}

// externalRoutes computes an instance's AS-external routes (RFC 2328
// 16.4 as FRR ospfd/ospf_ase.c ospf_ase_calculate_route implements it,
// RFC 3101 2.5 for type-7 LSAs).
func externalRoutes(r *Result, in *Instance) {
	var cands []*LSA
	if in.ext != nil {
		cands = append(cands, in.ext.lsas...)
	}
	for _, a := range in.Areas {
		if areaType(in, a) == model.AreaNSSA {
			for _, l := range in.dbs[a].lsas {
				if l.Type == LSANSSA {
					cands = append(cands, l)
				}
			}
		}
	}
	if in.table.lastASBR {
		// The order of ospfd's external calculation matters
		// (routeTable.lastASBR): the AS-external LSDB, then each NSSA's
		// type-7 LSDB by area, each by link state id and advertising
		// router (ospf_ase.c ospf_ase_calculate_timer, LSDB_LOOP).
		sort.SliceStable(cands, func(i, j int) bool {
			a, b := cands[i], cands[j]
			if (a.Type == LSANSSA) != (b.Type == LSANSSA) {
				return b.Type == LSANSSA
			}
			if a.Area != b.Area {
				return a.Area < b.Area
			}
			if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
				return c < 0
			}
			return a.AdvRouter.Less(b.AdvRouter)
		})
	}
	// The routes go straight into the table: a prefix with an intra- or
	// inter-area route gets no external one (externalRoute), and
	// lookupInternal passes over external routes.
	for _, l := range cands {
		why := externalRoute(in, l, in.table)
		if why != "" {
			r.unused[in][l] = why
		}
	}
}

// externalRoute offers the route of one external LSA to t; it returns
// why the LSA gives none.
func externalRoute(in *Instance, l *LSA, t *routeTable) string {
	if l.origin == in {
		return "originated by this router"
	}
	if l.Metric >= 16777215 {
		return "metric LSInfinity"
	}
	if why := peIgnores(in, l); why != "" {
		return why
	}
	if why := nssaDefaultUnused(in, l); why != "" {
		return why
	}
	asbr := findASBR(in, l.AdvRouter)
	if asbr == nil && len(in.table.routers[l.AdvRouter]) > 0 && isFRR(in) && in.Version == 2 {
		return fmt.Sprintf("FRR prefers the intra-area route to %s through a non-backbone area, where its router-LSA has no E-bit (a stub area), and then drops the LSA as not from an ASBR (ospfd/ospf_ase.c ospf_find_asbr_route, ospf_ase_calculate_route)", l.AdvRouter)
	}
	if asbr == nil {
		why := fmt.Sprintf("no route to its ASBR %s: the ASBR is not in an area this router computes intra-area routes for, and no usable ASBR-summary (type-4) LSA describes it (RFC 2328 16.4 step 3)", l.AdvRouter)
		for _, a := range in.Areas {
			for _, s := range in.dbs[a].lsas {
				if s.Type == LSAASBRSummary && s.ASBR == l.AdvRouter && s.origin != in && in.ABR && in.activeBB && a != 0 {
					why = fmt.Sprintf("no usable route to its ASBR %s: the only route is the ASBR-summary (type-4) LSA from %s in area %s, which is ignored: %s", l.AdvRouter, s.AdvRouter, a, strings.TrimPrefix(abrReason(in, a), "not used: "))
				}
			}
		}
		return why
	}
	if l.Type == LSAExternal && asbr.nssa {
		return "an AS-external LSA from an ASBR reached through an NSSA is ignored (RFC 3101; FRR ospf_ase_calculate_route)"
	}
	x, nh := asbr.cost, asbr.nexthops
	viaBB := !asbr.intra || asbr.area == 0
	if l.FA.IsValid() && !l.FA.IsUnspecified() {
		for _, f := range in.Ifaces {
			for _, a := range f.If.Addrs {
				if a.Prefix.Addr() == l.FA {
					return "the forwarding address " + l.FA.String() + " is this router's own address"
				}
			}
		}
		fr := lookupInternal(t, l.FA)
		if fr == nil {
			return "no intra-area or inter-area route to the forwarding address " + l.FA.String() + " (RFC 2328 16.4 step 3)"
		}
		x, nh = int(fr.cost), nil
		viaBB = fr.typ != PathIntra || fr.area == 0
		for _, n := range fr.nexthops {
			if !n.Gateway.IsValid() && !frr6(in) {
				// ospf_ase_complete_direct_routes: a directly connected
				// forwarding address is itself the next hop. ospfd fills
				// it in after ospf_route_copy_nexthops has compared the
				// paths, so an equal-cost LSA with the same directly
				// connected forwarding address adds its own copy of the
				// path (0.0.0.0 is not the filled-in address), and zebra
				// gets the gateway twice: the path is kept apart by the
				// LSA's advertising router (mergePaths byAdv).
				n.Gateway = l.FA
				n.adv = l.AdvRouter
			}
			nh = append(nh, n)
		}
	}
	if old := t.get(l.Prefix); old != nil && !old.typ.external() {
		return fmt.Sprintf("an %s route to %s exists, which is always preferred (RFC 2328 16.4 step 6a)", old.typ, l.Prefix)
	}
	typ := PathE1
	if l.E2 {
		typ = PathE2
	}
	if l.Type == LSANSSA {
		typ = PathN1
		if l.E2 {
			typ = PathN2
		}
	}
	rt := croute{typ: typ, area: l.Area, nexthops: nh, lsa: l, viaBB: viaBB && pref16_4_1(in)}
	if l.E2 {
		rt.cost, rt.type2 = int32(x), int32(l.Metric)
	} else {
		rt.cost = int32(x + l.Metric)
	}
	t.offer(l.Prefix, l.pn, rt)
	return ""
}

// lookupInternal is the longest-prefix match among intra- and inter-area
// routes.
func lookupInternal(t *routeTable, a netip.Addr) *croute {
	for bits := a.BitLen(); bits >= 0; bits-- {
		p, _ := a.Prefix(bits)
		if rt := t.get(p); rt != nil && !rt.typ.external() {
			return rt
		}
	}
	return nil
}
