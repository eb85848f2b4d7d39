package bgp

import (
	"fmt"
	"net/netip"
	"slices"
)

// export is what a speaker sends over one session for its best path p
// (RFC 4271 9.1.3, 5.1), or false when it sends nothing.
func (c *computation) export(x *side, p *Path, note func(string)) (*Path, bool) {
	me := x.me
	// RFC 8212 / FRR `bgp ebgp-requires-policy`: nothing goes to an eBGP
	// neighbour without an outbound policy (bgpd/bgp_route.c
	// subgroup_announce_check -> bgp_outbound_policy_exists). IOS has no
	// such rule (the parser leaves the flag off).
	if x.ebgp && me.Inst.EBGPRequiresPolicy.On && (x.af == nil || !x.af.HasPolicyOut()) {
		return nil, false
	}
	if p.From != nil && !x.ebgp && !p.EBGP {
		// RFC 4271 9.2: iBGP-learned routes are not sent to iBGP peers,
		// unless this speaker reflects them (RFC 4456 6): from a client to
		// everyone, from a non-client to clients only.
		fromClient := p.From != nil && c.clientOf(me, p)
		toClient := x.af != nil && x.af.RRClient
		if !fromClient && !toClient {
			return nil, false
		}
		if p.From == x.s {
			// Not reflected back to the peer it came from (FRR
			// subgroup_announce_check "from == onlypeer"; the originator
			// check would drop it anyway).
			return nil, false
		}
	}
	q := p.clone()
	q.Local, q.Kind, q.Src = false, "", ""
	if q.Weight != 0 {
		q.Weight = 0 // weight is local to the router (not an attribute)
	}
	// Outbound filters in FRR's order (subgroup_announce_check:
	// bgp_output_filter — distribute-list, prefix-list, filter-list — then
	// the route-map).
	if x.af != nil {
		if x.af.DistributeListOut != "" {
			c.unknown = append(c.unknown, fmt.Sprintf("%s: distribute-list %s out to %s is not evaluated (assumed to permit)", me.Name(), x.af.DistributeListOut, x.peerAddr))
		}
		if x.af.PrefixListOut != "" {
			if ok, _ := prefixListPermits(me.Dev.Router, x.af.PrefixListOut, q.Prefix); !ok {
				return nil, false
			}
		}
		if x.af.FilterListOut != "" {
			c.unknown = append(c.unknown, fmt.Sprintf("%s: filter-list %s out to %s is not evaluated (assumed to permit)", me.Name(), x.af.FilterListOut, x.peerAddr))
		}
	}
	if x.ebgp {
		// RFC 4271 5.1.5: LOCAL_PREF is not sent to external peers.
		q.LocalPref = defaultLocalPref
		// RFC 4271 5.1.4: a MED received from a neighbouring AS is not
		// propagated to other neighbouring ASes; FRR strips it unless the
		// route is locally originated (subgroup_announce_check, "if
		// (peer->sort == BGP_PEER_EBGP && from != bgp->peer_self)").
		if !p.Local {
			q.MED, q.HasMED = 0, false
		}
		q.OriginatorID, q.ClusterList = netip.Addr{}, nil
	}
	if x.af != nil && x.af.RouteMapOut != "" {
		ok, _, unk := applyRouteMap(me.Dev.Router, x.af.RouteMapOut, q)
		c.unknown = append(c.unknown, prefixed(me, unk)...)
		if !ok {
			if me.Dev.Router.RouteMap(x.af.RouteMapOut) == nil {
				note(fmt.Sprintf("%s: route-map %s (out to %s) does not exist: no route is sent to %s", me.Name(), x.af.RouteMapOut, x.peerAddr, x.peerAddr))
			}
			return nil, false
		}
	}
	switch {
	case x.ebgp:
		// eBGP: the next hop is the speaker's own address on the session,
		// unless the current next hop is on the subnet shared with the
		// peer (RFC 4271 5.1.3 third-party next hop; FRR
		// bgpd/bgp_updgrp_packet.c bpacket_reformat_for_peer,
		// bgp_multiaccess_check_v4).
		if x.af != nil && x.af.NextHopSelf || !q.NextHop.IsValid() || q.NextHop.IsUnspecified() || !sharedSubnet(x, q.NextHop) {
			q.NextHop = x.myAddr
		}
		// RFC 4271 5.1.2: prepend the AS used on the session; with
		// `local-as L` FRR and IOS send L followed by the real AS
		// (bgpd/bgp_attr.c bgp_packet_attribute, change_local_as).
		pre := []uint32{x.myAS}
		if x.cfg.LocalAS != 0 && x.cfg.LocalAS != me.Inst.ASN {
			pre = []uint32{x.cfg.LocalAS, me.Inst.ASN}
		}
		q.ASPath = append(pre, q.ASPath...)
	default:
		// iBGP: the next hop is kept (RFC 4271 5.1.3), except for routes
		// the speaker originates (0.0.0.0: its own address) and with
		// next-hop-self (not applied to reflected routes by FRR unless
		// `force`; farend applies it only to eBGP-learned routes).
		if !q.NextHop.IsValid() || q.NextHop.IsUnspecified() || x.af != nil && x.af.NextHopSelf && (p.Local || p.EBGP) {
			q.NextHop = x.myAddr
		}
		if p.From != nil && !p.EBGP {
			// Reflection (RFC 4456 8): ORIGINATOR_ID is the router id of
			// the path's originator in the AS, CLUSTER_LIST gets the
			// cluster id (the router id unless configured).
			if !q.OriginatorID.IsValid() {
				q.OriginatorID = p.FromRID
			}
			q.ClusterList = append([]netip.Addr{clusterID(me)}, q.ClusterList...)
		}
	}
	q.From, q.FromAddr, q.FromRID, q.FromName, q.EBGP = x.s, x.myAddr, me.RouterID, me.Name(), x.ebgp
	q.IGPMetric = 0
	return q, true
}

func clusterID(s *Speaker) netip.Addr {
	if s.Inst.ClusterID.IsValid() {
		return s.Inst.ClusterID
	}
	return s.RouterID
}

// clientOf reports whether the iBGP path p came from a route-reflector
// client of s.
func (c *computation) clientOf(s *Speaker, p *Path) bool {
	for _, x := range p.From.sides() {
		if x.me == s {
			return x.af != nil && x.af.RRClient
		}
	}
	return false
}

// sharedSubnet reports whether a lies in the subnet of the speaker's
// interface towards the peer.
func sharedSubnet(x *side, a netip.Addr) bool {
	c, ok := connectedTo(x.me.Dev, x.me.Inst.VRF, x.peerAddr)
	return ok && c.prefix.Masked().Contains(a)
}

var _ = slices.Clone[[]int]
