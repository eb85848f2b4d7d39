package policy

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/model"
)

// Route is what a protocol's route offers a route-map: its prefix for
// the match clauses every protocol shares, Match for the others, and Set
// for the set clauses. Match reports known=false for a clause it does not
// evaluate (the clause is then assumed to match); Set returns false for a
// clause it does not apply.
type Route interface {
	Prefix() netip.Prefix
	Match(c model.Clause) (match, known bool)
	Set(c model.Clause) bool
}

// RunRouteMap runs a route-map on a route, which changes it through Set.
// It returns whether the route is permitted and why. A route-map named
// but not defined denies everything (FRR bgpd/bgp_route.c
// bgp_input_modifier/subgroup_announce_check: route_map_apply on a NULL
// map returns RMAP_DENYMATCH, and so does FRR ospfd/ospf_zebra.c
// ospf_redistribute_check through lib/routemap.c route_map_apply_ext;
// IOS is taken to do the same, not checked against a real IOS). The entries are tried in sequence order; the first whose match
// clauses all match decides (permit: its set clauses apply; deny: the
// route is dropped); no entry matching denies (implicit deny). Match and
// set clauses farend does not evaluate are reported in unknown.
func RunRouteMap(r *model.Router, name string, rt Route) (ok bool, why string, unknown []string) {
	rm := r.RouteMap(name)
	if rm == nil {
		return false, fmt.Sprintf("route-map %s does not exist: denied", name), nil
	}
	for _, e := range rm.Entries {
		match := true
		for _, c := range e.Matches {
			m, known := matchClause(r, c, rt)
			if !known {
				unknown = append(unknown, fmt.Sprintf("route-map %s %d: `match %s %s` is not evaluated (assumed to match)", name, e.Seq, c.What, strings.Join(c.Values, " ")))
			}
			if !m {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		if !e.Permit {
			return false, fmt.Sprintf("route-map %s deny %d", name, e.Seq), unknown
		}
		for _, c := range e.Sets {
			if !rt.Set(c) {
				unknown = append(unknown, fmt.Sprintf("route-map %s %d: `set %s %s` is not applied", name, e.Seq, c.What, strings.Join(c.Values, " ")))
			}
		}
		if e.Continue != 0 || e.Call != "" {
			unknown = append(unknown, fmt.Sprintf("route-map %s %d: continue/call/on-match are not followed", name, e.Seq))
		}
		return true, fmt.Sprintf("route-map %s permit %d", name, e.Seq), unknown
	}
	return false, fmt.Sprintf("route-map %s: no entry matches (implicit deny)", name), unknown
}

// matchClause evaluates the clauses every protocol shares, and hands the
// others to the route.
func matchClause(r *model.Router, c model.Clause, rt Route) (match, known bool) {
	switch c.What {
	case "ip address prefix-list", "ipv6 address prefix-list":
		// Several names (IOS) match when any list permits.
		for _, n := range c.Values {
			if ok, _ := PrefixListPermits(r, n, rt.Prefix()); ok {
				return true, true
			}
		}
		return false, true
	}
	return rt.Match(c)
}
