package bgp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// prefixListPermits applies a prefix list to a prefix: the first entry
// that matches decides; no match denies (implicit deny, IOS and FRR
// lib/plist.c). A list that does not exist denies: FRR
// bgpd/bgp_route.c bgp_input_filter/bgp_output_filter deny when
// prefix_list_apply returns PREFIX_DENY, which it does for a NULL list.
func prefixListPermits(r *model.Router, name string, p netip.Prefix) (bool, string) {
	pl := r.PrefixList(name, p.Addr().Is6())
	if pl == nil {
		return false, fmt.Sprintf("prefix-list %s does not exist: denied", name)
	}
	for _, e := range pl.Entries {
		if plMatch(e, p) {
			if e.Permit {
				return true, fmt.Sprintf("prefix-list %s seq %d permits %s", name, e.Seq, p)
			}
			return false, fmt.Sprintf("prefix-list %s seq %d denies %s", name, e.Seq, p)
		}
	}
	return false, fmt.Sprintf("prefix-list %s: no entry matches %s (implicit deny)", name, p)
}

// plMatch: the prefix's network lies in the entry's and its length is
// the entry's, or within ge..le (ge alone: up to the address length).
func plMatch(e model.PrefixListEntry, p netip.Prefix) bool {
	if e.Any {
		return true
	}
	if !e.Prefix.IsValid() || e.Prefix.Addr().Is6() != p.Addr().Is6() || p.Bits() < e.Prefix.Bits() || !e.Prefix.Contains(p.Addr()) {
		return false
	}
	if e.GE == 0 && e.LE == 0 {
		return p.Bits() == e.Prefix.Bits()
	}
	lo, hi := e.Prefix.Bits(), p.Addr().BitLen()
	if e.GE != 0 {
		lo = e.GE
	}
	if e.LE != 0 {
		hi = e.LE
	}
	return p.Bits() >= lo && p.Bits() <= hi
}

// applyRouteMap runs a route-map on a path, changing it in place. It
// returns whether the path is permitted and why. A route-map named but
// not defined denies everything (FRR bgpd/bgp_route.c
// bgp_input_modifier/subgroup_announce_check: route_map_apply on a NULL
// map returns RMAP_DENYMATCH). The entries are tried in sequence order;
// the first whose match clauses all match decides (permit: its set
// clauses apply; deny: the route is dropped); no entry matching denies
// (implicit deny). Match and set clauses farend does not evaluate are
// reported in unknown.
func applyRouteMap(r *model.Router, name string, p *Path) (ok bool, why string, unknown []string) {
	rm := r.RouteMap(name)
	if rm == nil {
		return false, fmt.Sprintf("route-map %s does not exist: denied", name), nil
	}
	for _, e := range rm.Entries {
		match := true
		for _, c := range e.Matches {
			m, known := matchClause(r, c, p)
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
			if !setClause(c, p) {
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

// matchClause evaluates one match clause; known is false for clauses
// farend does not evaluate (they are assumed to match).
func matchClause(r *model.Router, c model.Clause, p *Path) (match, known bool) {
	switch c.What {
	case "ip address prefix-list", "ipv6 address prefix-list":
		// Several names (IOS) match when any list permits.
		for _, n := range c.Values {
			if ok, _ := prefixListPermits(r, n, p.Prefix); ok {
				return true, true
			}
		}
		return false, true
	}
	return true, false
}

// setClause applies one set clause; false when farend does not model it.
func setClause(c model.Clause, p *Path) bool {
	num := func() (uint32, bool) {
		if len(c.Values) != 1 {
			return 0, false
		}
		v, err := strconv.ParseUint(c.Values[0], 10, 32)
		return uint32(v), err == nil
	}
	switch c.What {
	case "local-preference":
		if v, ok := num(); ok {
			p.LocalPref = v
			return true
		}
	case "metric":
		if v, ok := num(); ok {
			p.MED, p.HasMED = v, true
			return true
		}
	case "weight":
		if v, ok := num(); ok {
			p.Weight = v
			return true
		}
	case "as-path prepend":
		var as []uint32
		for _, x := range c.Values {
			v, err := strconv.ParseUint(x, 10, 32)
			if err != nil {
				return false
			}
			as = append(as, uint32(v))
		}
		p.ASPath = append(as, p.ASPath...)
		return true
	case "origin":
		if len(c.Values) == 1 {
			switch c.Values[0] {
			case "igp":
				p.Origin = OriginIGP
			case "egp":
				p.Origin = OriginEGP
			case "incomplete":
				p.Origin = OriginIncomplete
			default:
				return false
			}
			return true
		}
	}
	return false
}
