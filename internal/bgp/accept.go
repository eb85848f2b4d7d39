package bgp

import (
	"fmt"
	"net/netip"
	"slices"
)

// accept applies the receiving side's inbound processing to a path sent
// over its session (RFC 4271 9.1.1, 9.1.2): loop checks, the RFC 8212
// rule, inbound policy, and next-hop resolution. It returns false when
// the path is dropped.
func (c *computation) accept(y *side, p *Path, note func(string)) (*Path, bool) {
	me := y.me
	q := p.clone()
	// AS-path loop: a path holding the receiver's AS more often than
	// `allowas-in` allows is dropped (RFC 4271 9.1.2; FRR bgp_update
	// aspath_loop_check, "as-path contains our own AS"; with `local-as`
	// that AS counts too).
	allow := 0
	if y.af != nil {
		allow = y.af.AllowASIn
	}
	if count(q.ASPath, me.Inst.ASN) > allow || y.cfg.LocalAS != 0 && count(q.ASPath, y.cfg.LocalAS) > allow {
		return nil, false
	}
	if !y.ebgp {
		// RFC 4456 8: a reflected path carrying the receiver's router id as
		// ORIGINATOR_ID, or its cluster id in CLUSTER_LIST, is dropped.
		if q.OriginatorID == me.RouterID || slices.Contains(q.ClusterList, clusterID(me)) {
			return nil, false
		}
	}
	// RFC 8212 (FRR `bgp ebgp-requires-policy`): bgp_update drops every
	// route from an eBGP neighbour without an inbound policy ("inbound
	// policy missing").
	if y.ebgp && me.Inst.EBGPRequiresPolicy.On && (y.af == nil || !y.af.HasPolicyIn()) {
		return nil, false
	}
	if y.ebgp {
		q.LocalPref = defaultLocalPref
	}
	q.Weight = 0
	// Inbound filters in FRR's order (bgp_input_filter — distribute-list,
	// prefix-list, filter-list — then bgp_input_modifier, the route-map).
	if y.af != nil {
		if y.af.DistributeListIn != "" {
			c.unknown = append(c.unknown, fmt.Sprintf("%s: distribute-list %s in from %s is not evaluated (assumed to permit)", me.Name(), y.af.DistributeListIn, y.peerAddr))
		}
		if y.af.PrefixListIn != "" {
			if ok, _ := prefixListPermits(me.Dev.Router, y.af.PrefixListIn, q.Prefix); !ok {
				return nil, false
			}
		}
		if y.af.FilterListIn != "" {
			c.unknown = append(c.unknown, fmt.Sprintf("%s: filter-list %s in from %s is not evaluated (assumed to permit)", me.Name(), y.af.FilterListIn, y.peerAddr))
		}
		if y.af.RouteMapIn != "" {
			ok, _, unk := applyRouteMap(me.Dev.Router, y.af.RouteMapIn, q)
			c.unknown = append(c.unknown, prefixed(me, unk)...)
			if !ok {
				if me.Dev.Router.RouteMap(y.af.RouteMapIn) == nil {
					note(fmt.Sprintf("%s: route-map %s (in from %s) does not exist: every route from %s is denied", me.Name(), y.af.RouteMapIn, y.peerAddr, y.peerAddr))
				}
				return nil, false
			}
		}
	}
	// A next hop that is the receiver's own address is dropped (FRR
	// bgp_update_martian_nexthop: "martian next-hop").
	if me.owns(q.NextHop) || !q.NextHop.IsValid() || q.NextHop.IsUnspecified() {
		return nil, false
	}
	q.From, q.FromAddr, q.FromRID, q.FromName, q.EBGP = y.s, y.peerAddr, y.peer.RouterID, y.peer.Name(), y.ebgp
	q.Local = false
	q.Invalid, q.IGPMetric = c.resolve(y, q)
	return q, true
}

// resolve checks that a path's next hop is reachable from the receiver:
// on a connected subnet for a single-hop eBGP session (FRR
// bgpd/bgp_nht.c: nexthops of directly connected eBGP peers are
// registered with the connected check), else through a route that is not
// a default route on FRR (zebra does not resolve next hops over the
// default route unless `ip nht resolve-via-default`; IOS does). It
// returns why the path is invalid ("" when valid) and the IGP metric to
// the next hop.
func (c *computation) resolve(y *side, q *Path) (string, int) {
	me := y.me
	if _, ok := connectedTo(me.Dev, me.Inst.VRF, q.NextHop); ok {
		return "", 0
	}
	if y.ebgp && y.cfg.EBGPMultihop <= 1 && y.cfg.TTLSecurity == 0 {
		return fmt.Sprintf("next hop %s is not on a connected subnet of a single-hop eBGP session", q.NextHop), 0
	}
	r := c.igp.lookup(me.Dev, me.Inst.VRF, q.NextHop, me.isFRR())
	// zebra also resolves a next hop through BGP routes (seen with FRR
	// 8.4.4 in internal/bgptest: an iBGP next hop reached over a route
	// learned by BGP), the longest match winning.
	if b := c.bgpLookup(me, q.NextHop, q.Prefix); b != nil && (r == nil || b.Prefix.Bits() > r.Prefix.Bits()) {
		return "", int(b.MED)
	}
	if r == nil || len(r.Nexthops) == 0 {
		return fmt.Sprintf("next hop %s is unreachable (no route in the routing table)", q.NextHop), 0
	}
	return "", r.Metric
}

// bgpLookup is the longest installed (learned, valid) BGP best path of
// the current round that holds a, other than the prefix being resolved.
func (c *computation) bgpLookup(s *Speaker, a netip.Addr, self netip.Prefix) *Path {
	var best *Path
	for p, e := range c.cur[s] {
		if p == self || e.Best == nil || e.Best.Local || !p.Contains(a) {
			continue
		}
		if best == nil || p.Bits() > best.Prefix.Bits() {
			best = e.Best
		}
	}
	return best
}

func count(xs []uint32, a uint32) int {
	n := 0
	for _, x := range xs {
		if x == a {
			n++
		}
	}
	return n
}
