package rib

import (
	"net/netip"
	"sort"

	"farend/internal/model"
)

// table is one routing table of one family, bucketed by prefix so that a
// lookup walks prefix lengths from the longest down (the same answer as
// the kernel's trie, including its backtracking to shorter prefixes).
type table struct {
	v6      bool
	buckets map[netip.Prefix][]*model.Route
	lens    []int // prefix lengths present, longest first
}

func newTable(v6 bool) *table {
	return &table{v6: v6, buckets: map[netip.Prefix][]*model.Route{}}
}

func (t *table) add(r *model.Route) {
	p := r.Dst.Masked()
	if _, ok := t.buckets[p]; !ok {
		t.lens = append(t.lens, p.Bits())
	}
	t.buckets[p] = append(t.buckets[p], r)
}

func (t *table) sort() {
	sort.Sort(sort.Reverse(sort.IntSlice(t.lens)))
	t.lens = dedupInts(t.lens)
	for _, rs := range t.buckets {
		// IPv4 keeps aliases of one prefix ordered by TOS (higher first)
		// then priority (fib_trie.c fib_find_alias / fib_table_insert);
		// IPv6 orders routes of one node by metric (ip6_fib.c
		// fib6_add_rt2node).
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].TOS != rs[j].TOS {
				return rs[i].TOS > rs[j].TOS
			}
			return rs[i].Metric < rs[j].Metric
		})
	}
}

func dedupInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func (t *table) all() []*model.Route {
	var out []*model.Route
	for _, l := range t.lens {
		var ps []netip.Prefix
		for p := range t.buckets {
			if p.Bits() == l {
				ps = append(ps, p)
			}
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].Addr().Less(ps[j].Addr()) })
		for _, p := range ps {
			out = append(out, t.buckets[p]...)
		}
	}
	return out
}

// tableResult is what one table gave: a route (found), an error route, or
// nothing (-EAGAIN: go on with the next rule).
type tableResult struct {
	route    *model.Route
	nexthops []model.Nexthop
	err      Errno
	// again is true when the table had no usable route or a throw route
	// matched (-EAGAIN).
	again bool
	throw bool
}

// errorOf maps route types to the errors fib_props (IPv4) and
// ip6_rt_type_to_error (IPv6) give them; ok for types that forward or
// deliver.
func errorOf(t model.RouteType) (Errno, bool) {
	switch t {
	case model.RouteBlackhole:
		return EINVAL, true
	case model.RouteUnreachable:
		return EHOSTUNREACH, true
	case model.RouteProhibit:
		return EACCES, true
	}
	return OK, false
}

// lookup4 follows fib_table_lookup (net/ipv4/fib_trie.c): the longest
// prefix first; within it, aliases in order, skipping a TOS mismatch and
// dead routes; an error type (blackhole, unreachable, prohibit, throw)
// ends the lookup with its error; otherwise the first nexthop that is not
// dead and matches the flow's oif (fib_lookup_good_nhc) is taken, and when
// none does the walk goes on (backtracking to shorter prefixes).
func (t *table) lookup4(fl Flow) tableResult {
	for _, l := range t.lens {
		p, _ := fl.Dst.Prefix(l)
		for _, r := range t.buckets[p] {
			// fib_table_lookup: fa_dscp against the flow's DSCP under
			// the legacy TOS mask (fib_dscp_masked_match).
			if r.TOS != 0 && r.TOS != fl.TOS&legacyTOSMask {
				continue
			}
			if r.Type == model.RouteThrow {
				return tableResult{again: true, throw: true, route: r}
			}
			if e, isErr := errorOf(r.Type); isErr {
				return tableResult{route: r, err: e}
			}
			var nhs []model.Nexthop
			for _, nh := range r.Nexthops {
				if nh.Dead {
					continue
				}
				if fl.OIF != "" && nh.Dev != fl.OIF {
					continue
				}
				nhs = append(nhs, nh)
			}
			if len(nhs) == 0 && len(r.Nexthops) > 0 {
				continue
			}
			return tableResult{route: r, nexthops: nhs}
		}
	}
	return tableResult{again: true}
}

// lookup6 follows ip6_pol_route_lookup and rt6_device_match
// (net/ipv6/route.c): the longest matching prefix; among its routes
// (lowest metric first) the first whose device is the flow's oif, else —
// unless the lookup is strict about the interface — the first route that
// is not dead; nothing usable backtracks to a shorter prefix
// (fib6_backtrack). Reject-type routes end the lookup with their error,
// throw goes on with the next rule.
func (t *table) lookup6(fl Flow) tableResult {
	for _, l := range t.lens {
		p, _ := fl.Dst.Prefix(l)
		rs := t.buckets[p]
		var cand []*model.Route
		for _, r := range rs {
			if r.Src.IsValid() && (!fl.Src.IsValid() || !r.Src.Contains(fl.Src)) {
				continue
			}
			cand = append(cand, r)
		}
		if len(cand) == 0 {
			continue
		}
		var chosen *model.Route
		if fl.OIF != "" {
			for _, r := range cand {
				if routeAlive(r) && routeUsesDev(r, fl.OIF) {
					chosen = r
					break
				}
			}
		}
		if chosen == nil && (fl.OIF == "" || !fl.StrictOIF) {
			if routeAlive(cand[0]) {
				chosen = cand[0]
			}
		}
		if chosen == nil {
			continue
		}
		if chosen.Type == model.RouteThrow {
			return tableResult{again: true, throw: true, route: chosen}
		}
		if e, isErr := errorOf(chosen.Type); isErr {
			return tableResult{route: chosen, err: e}
		}
		var nhs []model.Nexthop
		for _, nh := range chosen.Nexthops {
			if !nh.Dead {
				nhs = append(nhs, nh)
			}
		}
		return tableResult{route: chosen, nexthops: nhs}
	}
	return tableResult{again: true}
}

func routeAlive(r *model.Route) bool {
	if len(r.Nexthops) == 0 {
		return true
	}
	for _, nh := range r.Nexthops {
		if !nh.Dead {
			return true
		}
	}
	return false
}

func routeUsesDev(r *model.Route, dev string) bool {
	for _, nh := range r.Nexthops {
		if nh.Dev == dev {
			return true
		}
	}
	return false
}
