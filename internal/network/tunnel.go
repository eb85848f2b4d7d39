package network

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
	"farend/internal/packet"
	"farend/internal/sim"
	"farend/internal/trace"
)

// encap is an inner packet inside a tunnel's outer packet.
type encap struct {
	// node and iface are the tunnel the inner packet left by.
	node, iface string
	inner       packet.Packet
	outer       packet.Packet
	mode        string
	overhead    int
}

// tunnelMode is what a tunnel mode puts around the inner packet: the
// outer family, the outer IP protocol, and the bytes it adds (outer IP
// header, plus the GRE header: 4 bytes, 8 with a key).
type tunnelMode struct {
	outer6   bool
	proto    uint8
	overhead int
}

// modeOf describes a tunnel mode as `ip -d link` (and the router
// parsers) name it. ip6tnl carries IPv6 (41) or IPv4 (4) by its proto.
func modeOf(t *model.Tunnel, inner6, key bool) (tunnelMode, bool) {
	gre := 24
	if key {
		gre = 28
	}
	switch t.Mode {
	case "sit", "ipv6ip", "6in4":
		return tunnelMode{false, packet.ProtoIPv6, 20}, inner6
	case "ipip", "ipip4":
		return tunnelMode{false, packet.ProtoIPIP, 20}, !inner6
	case "gre", "gre ip", "gretap":
		return tunnelMode{false, packet.ProtoGRE, gre}, true
	case "ip6gre", "gre ipv6", "ip6gretap":
		return tunnelMode{true, packet.ProtoGRE, gre + 20}, true
	case "ip6tnl", "ipip6", "ip6ip6", "ipv6ip6":
		if inner6 {
			return tunnelMode{true, packet.ProtoIPv6, 40}, t.Proto != "ipip6"
		}
		return tunnelMode{true, packet.ProtoIPIP, 40}, t.Proto == "ipip6" || t.Proto == "any"
	}
	return tunnelMode{}, false
}

// encapsulate turns the packet that left by a tunnel into its outer
// packet, sent by the same device: the tunnel's transmit path hands it
// to the local output (ip_tunnel_xmit -> iptunnel_xmit ->
// ip_local_out), so OUTPUT and POSTROUTING see it and it is routed like
// any packet the host sends.
func (p *path) encap(v visit, itf *model.Interface, o sim.Outcome) (step, bool) {
	t := itf.Tunnel
	inner := o.Out
	d := p.n.devices[v.node]
	key := false
	if d.Router != nil {
		if c := d.Router.Iface(itf.Name); c != nil {
			key = c.TunnelKey
		}
	}
	m, ok := modeOf(t, inner.Is6(), key)
	if !ok {
		p.end(trace.ExitsNetwork, "", fmt.Sprintf("%s: sent into tunnel %s (mode %s), which farend cannot follow with this packet", v.node, itf.Name, t.Mode))
		p.t.OutInterface = itf.Name
		return step{}, false
	}
	src := t.Local
	var notes []string
	if !src.IsValid() {
		src = p.n.sourceFor(d, t.Remote)
		notes = append(notes, fmt.Sprintf("the tunnel's local address is any: the outer source is %s, the address the host would choose (assumed)", src))
	}
	if !src.IsValid() || src.Is6() != m.outer6 || t.Remote.Is6() != m.outer6 {
		p.end(trace.ExitsNetwork, "", fmt.Sprintf("%s: tunnel %s has no usable outer addresses (local %s, remote %s)", v.node, itf.Name, t.Local, t.Remote))
		return step{}, false
	}
	ttl := uint8(t.TTL)
	if t.TTL == 0 {
		ttl = inner.TTL // "inherit" (ip-tunnel(8): 0 is inherit)
	}
	// Linux tunnels default to pmtudisc: the outer IPv4 header has DF set
	// (ip-tunnel(8) "pmtudisc", the default; ipgre/ipip copy the
	// tunnel's frag_off).
	outer := packet.Packet{Src: src, Dst: t.Remote, Proto: m.proto, TTL: ttl, TOS: inner.TOS, Length: inner.Length + uint16(m.overhead), DF: !m.outer6}
	p.tunnels = append(p.tunnels, encap{node: v.node, iface: itf.Name, inner: inner, outer: outer, mode: t.Mode, overhead: m.overhead})
	detail := append([]string{fmt.Sprintf("%s carries it in %s (protocol %d, %d bytes more): %s", itf.Name, t.Mode, m.proto, m.overhead, outer)}, notes...)
	p.lastStep(trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("tunnel %s: encapsulated", itf.Name), Verdict: "outer packet sent by " + v.node, Detail: detail})
	return step{node: v.node, in: "", pkt: outer}, true
}

// decap takes the inner packet out when the outer packet was delivered
// to a device with the tunnel's far end: a tunnel interface whose remote
// is the outer source (or any) and whose local is the outer destination
// (or any), of a mode that takes the outer protocol (ipip6_rcv,
// ipgre_rcv ... look the tunnel up by these addresses). The inner packet
// then arrives on that tunnel interface.
func (p *path) decap(v visit, o sim.Outcome) (step, bool) {
	e := p.tunnels[len(p.tunnels)-1]
	outer := o.Out
	d := p.n.devices[v.node]
	for i := range d.Interfaces {
		itf := &d.Interfaces[i]
		t := itf.Tunnel
		if t == nil {
			continue
		}
		if (t.Remote.IsValid() && t.Remote != outer.Src) || (t.Local.IsValid() && t.Local != outer.Dst) {
			continue
		}
		m, ok := modeOf(t, e.inner.Is6(), false)
		if !ok || m.proto != outer.Proto {
			continue
		}
		p.tunnels = p.tunnels[:len(p.tunnels)-1]
		p.lastStep(trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("tunnel %s: decapsulated", itf.Name), Verdict: "inner packet arrives on " + itf.Name,
			Detail: []string{fmt.Sprintf("%s (local %s, remote %s, %s) takes the outer packet %s; the inner packet %s enters on %s", itf.Name, addrOrAny(t.Local), addrOrAny(t.Remote), t.Mode, outer, e.inner, itf.Name)}})
		return step{node: v.node, in: itf.Name, pkt: e.inner}, true
	}
	p.note(v.node, fmt.Sprintf("the outer packet %s was delivered, but no tunnel interface here has local %s and remote %s: the kernel has no tunnel to hand it to", outer, outer.Dst, outer.Src))
	return step{}, false
}

// acrossProvider: the outer packet of a tunnel left the snapshot toward a
// gateway outside it; when a device of the snapshot holds the outer
// destination, the provider in between is assumed to deliver it there
// (it is not in the snapshot).
func (p *path) acrossProvider(v visit, o sim.Outcome) (step, bool) {
	e := p.tunnels[len(p.tunnels)-1]
	owners := p.n.owners[o.Out.Dst]
	if len(owners) == 0 {
		return step{}, false
	}
	to := owners[0]
	p.lastStep(trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("outer packet leaves the snapshot on %s toward %s", o.Trace.OutInterface, o.Out.Dst), Verdict: "assumed delivered to " + to.String(),
		Detail: []string{fmt.Sprintf("%s holds %s, the far end of tunnel %s of %s; the network in between is not in the snapshot: farend assumes it delivers the outer packet", to, o.Out.Dst, e.iface, e.node)}})
	p.note(v.node, fmt.Sprintf("the outer packet of tunnel %s crosses a network outside the snapshot between %s and %s: assumed delivered (nothing is known about it)", e.iface, v.node, to.Node))
	return step{node: to.Node, in: to.Iface, pkt: o.Out}, true
}

// sourceFor is an address of d to send to dst from: the first address
// of dst's family on the interface whose subnet holds dst, else the first
// global one.
func (n *Network) sourceFor(d *model.Device, dst netip.Addr) netip.Addr {
	var first netip.Addr
	for _, itf := range d.Interfaces {
		if itf.Loopback {
			continue
		}
		for _, a := range itf.Addrs {
			ad := a.Prefix.Addr()
			if ad.Is6() != dst.Is6() || ad.IsLinkLocalUnicast() {
				continue
			}
			if a.Prefix.Contains(dst) {
				return ad
			}
			if !first.IsValid() {
				first = ad
			}
		}
	}
	return first
}

func addrOrAny(a netip.Addr) string {
	if !a.IsValid() {
		return "any"
	}
	return a.String()
}
