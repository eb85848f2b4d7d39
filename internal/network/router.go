package network

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/model"
	"farend/internal/ospf"
	"farend/internal/packet"
	"farend/internal/sim"
	"farend/internal/trace"
)

// routerHop forwards a packet through a router known from its
// configuration only: the RIB farend computes for it (connected, local,
// static, OSPF; `farend routes`), longest prefix first, in the VRF of the
// input interface. Access lists applied on the way are named, not
// evaluated.
func (n *Network) routerHop(d *model.Device, in string, pkt packet.Packet) sim.Outcome {
	hop := trace.Hop{Node: d.Name, InInterface: in}
	t := trace.Trace{Packet: sim.PacketJSON(pkt)}
	out := pkt
	done := func(disp trace.Disposition, reason, why string) sim.Outcome {
		t.Disposition, t.DropReason, t.Reason = disp, reason, why
		t.Hops = []trace.Hop{hop}
		po := sim.PacketJSON(out)
		t.PacketOut = &po
		return sim.Outcome{Trace: t, Out: out}
	}
	vrf := ""
	if d.Router != nil && in != "" {
		if c := d.Router.Iface(in); c != nil {
			vrf = c.VRF
		}
	}
	t.Unknown = append(t.Unknown, n.aclNotes(d, in, "in", pkt.Is6())...)
	if n.ownsAddr(d, vrf, pkt.Dst) {
		hop.Steps = append(hop.Steps, trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("%s is an address of %s", pkt.Dst, d.Name), Verdict: "local"})
		return done(trace.Accepted, "", fmt.Sprintf("delivered to %s itself", d.Name))
	}
	if in != "" {
		if pkt.TTL <= 1 {
			hop.Steps = append(hop.Steps, trace.Step{Kind: trace.KindCheck, Text: "TTL/hop limit expired", Verdict: "DROP", Detail: []string{"the router sends ICMP time exceeded"}})
			return done(trace.DeniedIn, "IP_INHDR", "TTL/hop limit expired in transit")
		}
		out.TTL--
	}
	rib := n.rib().RIB(d, vrf, pkt.Is6())
	if u := n.rib().Unsettled; u != "" {
		t.Unknown = append(t.Unknown, u)
	}
	r := longest(rib, pkt.Dst)
	where := "global table"
	if vrf != "" {
		where = "VRF " + vrf
	}
	if r == nil {
		hop.Steps = append(hop.Steps, trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("RIB lookup (%s): no route to %s", where, pkt.Dst), Verdict: "no route"})
		return done(trace.NoRoute, "", fmt.Sprintf("no route to %s in the %s of %s", pkt.Dst, where, d.Name))
	}
	line := fmt.Sprintf("RIB lookup (%s): %s %s [%d/%d]", where, r.Code, r.Prefix, r.Distance, r.Metric)
	st := trace.Step{Kind: trace.KindRouting, Text: line, Source: r.From}
	if r.Blackhole {
		st.Verdict = "Null0"
		hop.Steps = append(hop.Steps, st)
		return done(trace.NullRouted, "", fmt.Sprintf("%s %s points to Null0", r.Code, r.Prefix))
	}
	var active []ospf.RIBNexthop
	for _, x := range r.Nexthops {
		if x.Inactive == "" {
			active = append(active, x)
		} else {
			st.Detail = append(st.Detail, fmt.Sprintf("next hop %s, %s not used: %s", x.Gateway, x.Iface, x.Inactive))
		}
	}
	if len(active) == 0 {
		st.Verdict = "no next hop"
		hop.Steps = append(hop.Steps, st)
		return done(trace.NoRoute, "", fmt.Sprintf("%s %s has no usable next hop", r.Code, r.Prefix))
	}
	nh := active[0]
	if len(active) > 1 {
		st.Detail = append(st.Detail, fmt.Sprintf("%d equal-cost paths: the router hashes flows over them; farend follows the first", len(active)))
	}
	hop.OutInterface = nh.Iface
	t.OutInterface = nh.Iface
	t.Unknown = append(t.Unknown, n.aclNotes(d, nh.Iface, "out", pkt.Is6())...)
	if nh.Gateway.IsValid() {
		st.Verdict = fmt.Sprintf("via %s, %s", nh.Gateway, nh.Iface)
		hop.Steps = append(hop.Steps, st)
		t.NextHop = nh.Gateway.String()
		o := done(trace.ExitsNetwork, "", fmt.Sprintf("forwarded out %s via gateway %s", nh.Iface, nh.Gateway))
		o.NextHop = nh.Gateway
		return o
	}
	st.Verdict = "directly connected, " + nh.Iface
	hop.Steps = append(hop.Steps, st)
	t.NextHop = pkt.Dst.String()
	o := done(trace.DeliveredToSubnet, "", fmt.Sprintf("sent out %s to %s, on-link there", nh.Iface, pkt.Dst))
	o.NextHop = pkt.Dst
	return o
}

// longest is the most specific route holding a (the first one listed on
// a tie: the RIB holds one route per prefix).
func longest(rib []ospf.RIBRoute, a netip.Addr) *ospf.RIBRoute {
	var best *ospf.RIBRoute
	for i := range rib {
		r := &rib[i]
		if r.Prefix.Contains(a) && (best == nil || r.Prefix.Bits() > best.Prefix.Bits()) {
			best = r
		}
	}
	return best
}

// ownsAddr reports whether a is an address of an interface of d in vrf.
func (n *Network) ownsAddr(d *model.Device, vrf string, a netip.Addr) bool {
	for _, itf := range d.Interfaces {
		if d.Router != nil {
			if c := d.Router.Iface(itf.Name); c != nil && c.VRF != vrf {
				continue
			}
		}
		for _, ad := range itf.Addrs {
			if ad.Prefix.Addr() == a {
				return true
			}
		}
	}
	return false
}

// aclNotes names the access lists applied on an interface in a
// direction: farend does not evaluate router ACLs on the path yet.
func (n *Network) aclNotes(d *model.Device, iface, dir string, v6 bool) []string {
	if d.Router == nil || iface == "" {
		return nil
	}
	var out []string
	for _, u := range d.Router.ACLUses {
		if u.IPv6 != v6 || u.Direction != dir || !strings.EqualFold(u.Where, "interface "+iface) {
			continue
		}
		out = append(out, fmt.Sprintf("access list %s is applied %s on %s (%s): farend does not evaluate router ACLs on the path; it may drop the packet", u.ACL, dir, iface, u.Pos))
	}
	return out
}
