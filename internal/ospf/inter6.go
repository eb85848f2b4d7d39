package ospf

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"farend/internal/model"
)

// FRR 8.4 ospf6d differs from RFC 5340 (and from ospfd) in how it handles
// summaries, and farend follows it for FRR and VyOS routers:
//   - every router examines the inter-area-prefix and inter-area-router
//     LSAs of every area it is in, ABR or not: the area LSDB hook calls
//     ospf6_abr_examin_summary for each of them (ospf6d/ospf6_area.c
//     ospf6_area_lsdb_hook_add), with no backbone-only rule;
//   - a router in several areas originates summaries of its best intra-
//     and inter-area routes into every other area
//     (ospf6d/ospf6_abr.c ospf6_abr_originate_summary_to_area), except
//     into the area of the route, into an area its first next hop is in,
//     and, but for the default, into a no-summary stub or NSSA;
//   - the default goes into stub areas and no-summary NSSAs only, from a
//     process that has a backbone area, with the default-route metric
//     (ospf6_abr_defaults_to_stub: metric_value(DEFAULT_ROUTE) is 1
//     unless default-information originate says otherwise).
// As summaries then depend on each other, they are computed to a fixed
// point.

// interAreaFRR6 computes the summaries and inter-area routes of ospf6d
// instances.
func interAreaFRR6(r *Result, ins []*Instance) {
	intra := map[*Instance]*routeTable{}
	for _, in := range ins {
		intra[in] = in.table.clone()
	}
	prev := ""
	for round := 0; round < 64; round++ {
		for _, in := range ins {
			in.table = intra[in].clone()
			examineAll(r, in)
		}
		var sig []string
		for _, in := range ins {
			sig = append(sig, summarizeFRR6(in)...)
		}
		sort.Strings(sig)
		s := strings.Join(sig, "\n")
		if s == prev {
			return
		}
		prev = s
	}
}

func (t *routeTable) clone() *routeTable {
	c := newRouteTable(t.pidx)
	c.advPaths, c.lastASBR = t.advPaths, t.lastASBR
	t.each(func(p netip.Prefix, rt *croute) {
		x := c.slot(p, 0, true)
		*x = *rt
		x.nexthops = append([]Nexthop(nil), rt.nexthops...)
		if rt.more != nil {
			m := append([]*LSA(nil), *rt.more...)
			x.more = &m
		}
	})
	for rid, rs := range t.routers {
		for _, rr := range rs {
			x := *rr
			c.routers[rid] = append(c.routers[rid], &x)
		}
	}
	return c
}

// examineAll is interArea without the backbone-only rule.
func examineAll(r *Result, in *Instance) {
	for _, a := range in.Areas {
		for _, l := range in.dbs[a].lsas {
			if l.Type != LSASummary && l.Type != LSAASBRSummary {
				continue
			}
			if l.origin == in {
				r.unused[in][l] = "originated by this router"
				continue
			}
			abr := in.table.intraABR(l.AdvRouter, a)
			if abr == nil {
				r.unused[in][l] = fmt.Sprintf("no intra-area route to its ABR %s in area %s (ospf6d/ospf6_abr.c ospf6_abr_examin_summary step 4)", l.AdvRouter, a)
				continue
			}
			delete(r.unused[in], l)
			cost := abr.cost + l.Metric
			if l.Type == LSASummary {
				in.table.offer(l.Prefix, l.pn, croute{typ: PathInter, area: a, cost: int32(cost), nexthops: abr.nexthops, lsa: l})
				continue
			}
			if l.ASBR == l.AdvRouter {
				continue
			}
			in.table.addRouter(&routerRoute{rid: l.ASBR, area: a, cost: cost, nexthops: abr.nexthops, asbr: true, lsa: l})
		}
	}
}

// summarizeFRR6 replaces the instance's summaries in its areas with the
// ones its current table calls for, and returns their signature.
func summarizeFRR6(in *Instance) []string {
	for _, a := range in.Areas {
		db := in.dbs[a]
		keep := db.lsas[:0]
		for _, l := range db.lsas {
			if l.origin == in && (l.Type == LSASummary || l.Type == LSAASBRSummary) {
				delete(db.summaries, sumKey{l.origin, l.Type, l.Prefix, l.ASBR})
				continue
			}
			keep = append(keep, l)
		}
		db.lsas = keep
	}
	lsas := in.lsas[:0]
	for _, l := range in.lsas {
		if l.Type != LSASummary && l.Type != LSAASBRSummary {
			lsas = append(lsas, l)
		}
	}
	in.lsas = lsas
	if len(in.Areas) < 2 {
		return nil
	}
	var sig []string
	add := func(l *LSA) {
		in.dbs[l.Area].add(l)
		in.lsas = append(in.lsas, l)
		sig = append(sig, fmt.Sprintf("%s %s %d %s %s %d", in.RouterID, l.Area, l.Type, l.Prefix, l.ASBR, l.Metric))
	}
	firstIn := func(nh []Nexthop, x model.AreaID) bool {
		return len(nh) > 0 && nh[0].f != nil && nh[0].f.Area == x
	}
	noSummary := func(x model.AreaID) bool {
		ar := in.Proc.Area(x)
		return ar != nil && ar.NoSummary && ar.Type != model.AreaNormal
	}
	for _, rt := range in.Routes() {
		if rt.Type != PathIntra && rt.Type != PathInter {
			continue
		}
		for _, x := range in.Areas {
			if x == rt.Area || firstIn(rt.Nexthops, x) || noSummary(x) {
				continue
			}
			if rt.Type == PathIntra {
				if src := in.Proc.Area(rt.Area); src != nil {
					if rng, ok := rangeOf(src, rt.Prefix); ok {
						if !rng.NotAdvertise {
							add(&LSA{Type: LSASummary, Area: x, AdvRouter: in.RouterID, Prefix: rng.Prefix, Metric: int(rt.Cost), origin: in, What: "area range " + rng.Prefix.String()})
						}
						continue
					}
				}
			}
			add(&LSA{Type: LSASummary, Area: x, AdvRouter: in.RouterID, Prefix: rt.Prefix, Metric: int(rt.Cost), origin: in,
				What: fmt.Sprintf("%s route of area %s, cost %d", rt.Type, rt.Area, rt.Cost)})
		}
	}
	var rids []netip.Addr
	for rid := range in.table.routers {
		rids = append(rids, rid)
	}
	sort.Slice(rids, func(i, j int) bool { return rids[i].Less(rids[j]) })
	for _, rid := range rids {
		best := findASBR(in, rid)
		if best == nil || best.nssa || rid == in.RouterID {
			continue
		}
		for _, x := range in.Areas {
			if x == best.area || firstIn(best.nexthops, x) || areaType(in, x) != model.AreaNormal {
				continue
			}
			add(&LSA{Type: LSAASBRSummary, Area: x, AdvRouter: in.RouterID, ASBR: rid, Metric: best.cost, origin: in,
				What: fmt.Sprintf("ASBR %s reached through area %s, cost %d", rid, best.area, best.cost)})
		}
	}
	// A route to ::/0 in the table (a default another ABR announced,
	// re-announced here like any inter-area route) takes the default's
	// place in ospf6d's per-area summary table: processing it for an area
	// other than its own deletes the summary from a no-summary area
	// (ospf6_abr_originate_summary_to_area: "area->no_summary && subtype !=
	// DEFAULT_RT" -> ospf6_abr_delete_route) and replaces it with the
	// route's cost elsewhere (the loop above); summaries arrive after the
	// SPF run that re-announces the stub default, so the route's effect is
	// what stays.
	var defRoute *Route
	for _, rt := range in.Routes() {
		if rt.Prefix.Bits() == 0 && (rt.Type == PathIntra || rt.Type == PathInter) {
			defRoute = rt
		}
	}
	if in.ABR && in.Proc.Area(0) != nil {
		m := 1
		if d := in.Proc.DefaultOriginate; d != nil {
			m = defaultMetric(in, true, d.Always, "")
			if d.Metric > 0 {
				m = d.Metric
			}
		}
		for _, x := range in.Areas {
			ar := in.Proc.Area(x)
			if ar == nil || !(ar.Type == model.AreaStub || ar.Type == model.AreaNSSA && ar.NoSummary) {
				continue
			}
			if defRoute != nil && defRoute.Area != x && !firstIn(defRoute.Nexthops, x) {
				continue
			}
			add(&LSA{Type: LSASummary, Area: x, AdvRouter: in.RouterID, Prefix: defaultPrefix(in), Metric: m, origin: in,
				What: "default route into " + ar.Type.String() + " area " + x.String() + " (ospf6d/ospf6_abr.c ospf6_abr_defaults_to_stub)"})
		}
	}
	return sig
}
