package bgp

import (
	"fmt"
	"net/netip"
	"sort"

	"farend/internal/model"
	"farend/internal/ospf"
)

// Distances: eBGP 20, iBGP 200 (IOS administrative distance table, IP
// Routing: Protocol-Independent Configuration Guide; FRR
// bgpd/bgp_zebra.c bgp_distance_apply, ZEBRA_EBGP_DISTANCE_DEFAULT /
// ZEBRA_IBGP_DISTANCE_DEFAULT), unless `distance bgp` says otherwise.
const (
	distEBGP = 20
	distIBGP = 200
)

// Routes are the BGP routes a speaker offers its routing table: the best
// path of each prefix that was learned from a peer (locally originated
// paths are not installed: FRR bgp_zebra_announce only sends
// BGP_ROUTE_NORMAL paths, and IOS keeps the route that the `network` or
// `redistribute` came from), with the next hop resolved through the IGP
// when it is not on a connected subnet (recursive).
func (r *Result) Routes(s *Speaker) []ospf.RIBRoute {
	var out []ospf.RIBRoute
	for _, e := range sortedEntries(r.Tables[s]) {
		b := e.Best
		if b == nil || b.Local {
			continue
		}
		dist := distIBGP
		if s.Inst.DistanceIBGP.Value > 0 {
			dist = s.Inst.DistanceIBGP.Value
		}
		kind := "iBGP"
		if b.EBGP {
			kind = "eBGP"
			dist = distEBGP
			if s.Inst.DistanceEBGP.Value > 0 {
				dist = s.Inst.DistanceEBGP.Value
			}
		}
		x := ospf.RIBRoute{Prefix: b.Prefix, Code: "B", Protocol: "bgp", Distance: dist, Metric: int(b.MED),
			From: fmt.Sprintf("%s from %s (%s), AS path %q, next hop %s, best by %s", kind, b.FromName, b.FromAddr, b.ASPathString(), b.NextHop, e.Why)}
		x.Nexthops = r.pathNexthops(s, e, 0)
		if !func() bool { _, ok := connectedTo(s.Dev, s.Inst.VRF, b.NextHop); return ok }() {
			x.From += " (next hop resolved recursively)"
		}
		out = append(out, x)
	}
	return out
}

// RIB is the routing table of a device's VRF and family with the BGP
// routes merged into the one internal/ospf computes (connected, local,
// static, OSPF): per prefix the route with the lower administrative
// distance wins; on equal distance the route already there stays.
func (r *Result) RIB(d *model.Device, vrf string, v6 bool) []ospf.RIBRoute {
	base := r.igp.res.RIB(d, vrf, v6)
	s := r.Speaker(d, vrf)
	if s == nil || v6 {
		return base
	}
	bgp := r.Routes(s)
	if len(bgp) == 0 {
		return base
	}
	idx := make(map[netip.Prefix]int, len(base))
	out := append([]ospf.RIBRoute(nil), base...)
	for i, x := range out {
		idx[x.Prefix] = i
	}
	for _, b := range bgp {
		i, ok := idx[b.Prefix]
		if !ok {
			out = append(out, b)
			continue
		}
		if b.Distance < out[i].Distance {
			out[i] = b
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return prefixLess(out[i].Prefix, out[j].Prefix) })
	return out
}

// installedPaths are the paths of an entry the routing table gets: the
// best, and for FRR the multipaths. FRR installs every path equal to the
// best up to the IGP metric with the same AS path (bgpd/bgp_mpath.c
// bgp_path_info_mpath_update; `maximum-paths` defaults to the build's
// MULTIPATH_NUM, 64 in Debian's frr; without `bgp bestpath as-path
// multipath-relax` the AS paths must match). IOS installs one path
// unless `maximum-paths` is configured.
func installedPaths(s *Speaker, e *Entry) []*Path {
	b := e.Best
	paths := []*Path{b}
	if s.isFRR() {
		for _, p := range e.Paths {
			if p != b && p.Invalid == "" && !p.Local && p.EBGP == b.EBGP && p.ASPathString() == b.ASPathString() && equalUpToAge(p, b) {
				paths = append(paths, p)
			}
		}
	}
	return paths
}

// pathNexthops are the forwarding next hops of an entry's installed
// paths, each next hop resolved (recursively when need be), without
// duplicates.
func (r *Result) pathNexthops(s *Speaker, e *Entry, depth int) []ospf.RIBNexthop {
	var out []ospf.RIBNexthop
	seen := map[ospf.RIBNexthop]bool{}
	for _, p := range installedPaths(s, e) {
		for _, n := range r.resolveNH(s, p.NextHop, p.Prefix, depth) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

func equalUpToAge(a, b *Path) bool {
	for _, st := range steps[:ageStep] {
		if st.cmp(a, b) != 0 {
			return false
		}
	}
	return true
}

// resolveNH is the forwarding next hops for a BGP next hop: the next hop
// itself on a connected subnet, else the next hops of the longest route
// holding it (IGP, or another BGP route, resolved in turn).
func (r *Result) resolveNH(s *Speaker, nh netip.Addr, self netip.Prefix, depth int) []ospf.RIBNexthop {
	if c, ok := connectedTo(s.Dev, s.Inst.VRF, nh); ok {
		return []ospf.RIBNexthop{{Gateway: nh, Iface: c.iface}}
	}
	if depth > 8 {
		return nil
	}
	ig := r.igp.lookup(s.Dev, s.Inst.VRF, nh, s.isFRR())
	var bb *Path
	for p, e := range r.Tables[s] {
		if p != self && e.Best != nil && !e.Best.Local && p.Contains(nh) && (bb == nil || p.Bits() > bb.Prefix.Bits()) {
			bb = e.Best
		}
	}
	if bb != nil && (ig == nil || bb.Prefix.Bits() > ig.Prefix.Bits()) {
		// Through the BGP route as installed: every multipath next hop
		// (zebra resolves over the resolving route's installed nexthops,
		// zebra/zebra_nhg.c nexthop_active; seen in FRR 8.4.4 labs).
		return r.pathNexthops(s, r.Tables[s][bb.Prefix], depth+1)
	}
	if ig == nil {
		return nil
	}
	var out []ospf.RIBNexthop
	for _, n := range ig.Nexthops {
		g := n.Gateway
		if !g.IsValid() {
			g = nh
		}
		out = append(out, ospf.RIBNexthop{Gateway: g, Iface: n.Iface, Neighbor: n.Neighbor})
	}
	return out
}
