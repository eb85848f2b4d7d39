package network

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/sim"
	"farend/internal/topology"
	"farend/internal/trace"
)

// Request is one packet and where it starts.
type Request struct {
	// From is the device the packet starts on.
	From string
	// In is the interface it arrives on; "" when From sends it itself.
	In  string
	Pkt packet.Packet
	// CtState is the conntrack state the packet has where it is tracked
	// (NEW when zero).
	CtState netfilter.CtState
}

// maxHops bounds a path: a packet that has not ended after this many
// devices is reported as looping.
const maxHops = 64

// visit is one device the packet went through.
type visit struct {
	node, in, out string
	// local is true when the device sent the packet itself.
	local bool
	// pktIn and pktOut are the packet as it arrived and as it left.
	pktIn, pktOut packet.Packet
	nat           []netfilter.Rewrite
	tracked       bool
	// outer is true for a hop of a tunnel's outer packet.
	outer bool
}

// path is the state of one trace across devices.
type path struct {
	n      *Network
	t      trace.Trace
	visits []visit
	seen   map[string]bool
	// tunnels are the inner packets waiting for their outer packet to
	// arrive, innermost last.
	tunnels []encap
	// reply is set when the packet is the reply of a traced request.
	reply *replyCtx
	// passes are the connections set up per device and packet tuple as
	// it arrived, for a packet that comes back (see sim.Request.Again).
	passes map[string]*sim.Pass
}

// Trace follows req across the devices.
func (n *Network) Trace(req Request) (trace.Trace, error) {
	p, err := n.walk(req, nil)
	if err != nil {
		return trace.Trace{}, err
	}
	return p.t, nil
}

func (n *Network) walk(req Request, reply *replyCtx) (*path, error) {
	if n.devices[req.From] == nil {
		return nil, fmt.Errorf("network: no device %q in the snapshot", req.From)
	}
	if err := req.Pkt.Validate(); err != nil {
		return nil, err
	}
	p := &path{n: n, seen: map[string]bool{}, reply: reply, passes: map[string]*sim.Pass{}}
	p.t.Packet = sim.PacketJSON(req.Pkt)
	node, in, pkt := req.From, req.In, req.Pkt
	for hop := 0; ; hop++ {
		if hop >= maxHops {
			p.end(trace.Loop, "", fmt.Sprintf("the packet went through %d devices without ending", maxHops))
			return p, nil
		}
		// The same device, input interface and packet (TTL aside) a
		// second time, at the same tunnel depth: a loop.
		key := fmt.Sprintf("%s|%s|%s|%s|%d|%d|%d|%d", node, in, pkt.Src, pkt.Dst, pkt.Proto, pkt.SPort, pkt.DPort, len(p.tunnels))
		if p.seen[key] {
			p.end(trace.Loop, "", fmt.Sprintf("the packet entered %s on %s a second time, unchanged: a forwarding loop", node, inName(in)))
			return p, nil
		}
		p.seen[key] = true
		st, undo := req.CtState, []netfilter.Rewrite(nil)
		switch {
		case len(p.tunnels) > 0:
			// A tunnel's outer packets are a flow of their own.
			st = netfilter.CtNew
		case reply != nil:
			st, undo = reply.state(node, p)
		}
		conn := fmt.Sprintf("%s|%s|%s|%d|%d|%d", node, pkt.Src, pkt.Dst, pkt.Proto, pkt.SPort, pkt.DPort)
		again := p.passes[conn]
		o, err := n.device(node, in, pkt, st, undo, again)
		if err != nil {
			return nil, err
		}
		if again == nil && o.Tracked {
			p.passes[conn] = &sim.Pass{NAT: o.NAT, Done: o.NATDone}
		}
		v := visit{node: node, in: in, local: in == "", pktIn: pkt, pktOut: o.Out, nat: o.NAT, tracked: o.Tracked, out: o.Trace.OutInterface, outer: len(p.tunnels) > 0}
		p.visits = append(p.visits, v)
		p.addHop(o.Trace, node, v.outer)
		p.mtu(v)
		next, ok := p.next(v, o)
		if !ok {
			return p, nil
		}
		node, in, pkt = next.node, next.in, next.pkt
	}
}

// step is where the packet goes next.
type step struct {
	node, in string
	pkt      packet.Packet
}

// next decides what follows a device's outcome: the end of the path, the
// next device across the link, the outer packet of a tunnel, or the inner
// packet out of one.
func (p *path) next(v visit, o sim.Outcome) (step, bool) {
	t := o.Trace
	d := p.n.devices[v.node]
	switch t.Disposition {
	case trace.Accepted:
		if len(p.tunnels) > 0 {
			if s, ok := p.decap(v, o); ok {
				return s, true
			}
		}
		p.endWith(v.node, t)
		return step{}, false
	case trace.DeliveredToSubnet, trace.ExitsNetwork:
	default:
		p.endWith(v.node, t)
		return step{}, false
	}
	out := t.OutInterface
	if itf := d.Interface(out); itf != nil && itf.Tunnel != nil && itf.Tunnel.Remote.IsValid() {
		return p.encap(v, itf, o)
	}
	nh := o.NextHop
	if !nh.IsValid() {
		nh, _ = netip.ParseAddr(t.NextHop)
	}
	from := topology.Endpoint{Node: v.node, Iface: out}
	across := p.n.Topo.Across(from)
	if e, why, ok := p.n.neighbor(from, across, nh); ok {
		p.lastStep(trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("next device: %s", e), Verdict: "across the link", Detail: []string{why}})
		return step{node: e.Node, in: e.Iface, pkt: o.Out}, true
	}
	if len(across) == 0 {
		if len(p.tunnels) > 0 {
			if s, ok := p.acrossProvider(v, o); ok {
				return s, true
			}
		}
		if t.Disposition == trace.DeliveredToSubnet {
			p.end(trace.DeliveredToSubnet, "", fmt.Sprintf("%s: sent out %s to %s, on-link there; no device of the snapshot is on that link", v.node, out, nh))
		} else {
			p.end(trace.ExitsNetwork, "", fmt.Sprintf("%s: forwarded out %s via %s, which is outside the snapshot: the packet leaves the network", v.node, out, nh))
		}
		p.t.OutInterface, p.t.NextHop = out, nh.String()
		return step{}, false
	}
	var names []string
	for _, e := range across {
		names = append(names, e.String())
	}
	p.end(trace.NeighborUnreachable, "", fmt.Sprintf("%s: sent out %s to %s, but no device on that link (%s) has that address: address resolution fails", v.node, out, nh, strings.Join(names, ", ")))
	p.t.OutInterface, p.t.NextHop = out, nh.String()
	return step{}, false
}

// neighbor finds the interface across the link that receives a packet
// sent to next hop nh: the one holding nh, or on a point-to-point link
// (no address resolution) its only far end.
func (n *Network) neighbor(from topology.Endpoint, across []topology.Endpoint, nh netip.Addr) (topology.Endpoint, string, bool) {
	for _, e := range across {
		for _, o := range n.owners[nh] {
			if o == e {
				return e, fmt.Sprintf("%s holds %s", e, nh), true
			}
		}
	}
	d := n.devices[from.Node]
	if itf := d.Interface(from.Iface); itf != nil && itf.PointToPoint && len(across) == 1 {
		return across[0], fmt.Sprintf("point-to-point link: %s is its only far end", across[0]), true
	}
	if nh.Is4() {
		for _, e := range across {
			if why, ok := n.arpAnswers(e, nh); ok {
				return e, why, true
			}
		}
	}
	return topology.Endpoint{}, "", false
}

// arpAnswers reports whether the Linux host of e answers an ARP request
// for nh, an address it holds on another interface. arp_process
// (net/ipv4/arp.c) replies when the target routes as local
// (ip_route_input_noref) and arp_ignore allows it: with 0, the default,
// "reply for any local target IP address, configured on any interface"
// (ip-sysctl.rst); with 1 or more only for addresses of the receiving
// interface. arp_filter (on when all or the device says so) makes the
// reply depend on the route back to the sender, which farend does not
// decide here: such a host is not taken to answer. IPv6 neighbour
// discovery answers only for the receiving interface (ndisc_recv_ns).
// 127.0.0.0/8 is martian on a non-loopback device: never answered.
func (n *Network) arpAnswers(e topology.Endpoint, nh netip.Addr) (string, bool) {
	d := n.devices[e.Node]
	if d == nil || !IsHost(d) || netip.MustParsePrefix("127.0.0.0/8").Contains(nh) {
		return "", false
	}
	holder := ""
	for _, o := range n.owners[nh] {
		if o.Node == e.Node {
			holder = o.Iface
		}
	}
	if holder == "" {
		return "", false
	}
	key := func(dev, k string) string {
		return "net.ipv4.conf." + strings.ReplaceAll(dev, ".", "/") + "." + k
	}
	ignore, okAll := d.Sysctl.Int(key("all", "arp_ignore"))
	if v, ok := d.Sysctl.Int(key(e.Iface, "arp_ignore")); ok && v > ignore {
		ignore = v
	}
	filter, _ := d.Sysctl.Int(key("all", "arp_filter"))
	if v, ok := d.Sysctl.Int(key(e.Iface, "arp_filter")); ok && v != 0 {
		filter = v
	}
	if ignore != 0 || filter != 0 {
		return "", false
	}
	why := fmt.Sprintf("%s holds %s on %s and answers ARP for it on %s (arp_ignore 0: any local address)", e.Node, nh, holder, e.Iface)
	if !okAll {
		why += "; arp_ignore unknown (no sysctl.txt): taken as the default 0"
	}
	return why, true
}

// device runs one device: a Linux host through sim, a router through its
// RIB.
func (n *Network) device(node, in string, pkt packet.Packet, st netfilter.CtState, undo []netfilter.Rewrite, again *sim.Pass) (sim.Outcome, error) {
	if h := n.hosts[node]; h != nil {
		req := sim.Request{Pkt: pkt, In: in, Local: in == "", CtState: st, Reply: undo, Again: again}
		if err := h.Validate(req); err != nil {
			return sim.Outcome{}, err
		}
		return h.TraceOutcome(req)
	}
	return n.routerHop(n.devices[node], in, pkt), nil
}

func inName(in string) string {
	if in == "" {
		return "(itself)"
	}
	return in
}

// addHop appends a device's hop and its side notes to the path's trace.
func (p *path) addHop(t trace.Trace, node string, outer bool) {
	for _, h := range t.Hops {
		if outer {
			h.Steps = append([]trace.Step{{Kind: trace.KindRouting, Text: "tunnel: this is the outer packet"}}, h.Steps...)
		}
		p.t.Hops = append(p.t.Hops, h)
	}
	for _, u := range t.Unknown {
		p.note(node, u)
	}
	for _, a := range t.Alternatives {
		a.Assume = append([]string{"on " + node}, a.Assume...)
		p.t.Alternatives = append(p.t.Alternatives, a)
	}
	for _, r := range t.Unreached {
		r.Source = node + ": " + r.Source
		p.t.Unreached = append(p.t.Unreached, r)
	}
}

// lastStep adds a step to the last hop.
func (p *path) lastStep(s trace.Step) {
	if len(p.t.Hops) > 0 {
		h := &p.t.Hops[len(p.t.Hops)-1]
		h.Steps = append(h.Steps, s)
	}
}

// note adds an unknown about a device, once.
func (p *path) note(node, s string) {
	s = node + ": " + s
	for _, u := range p.t.Unknown {
		if u == s {
			return
		}
	}
	p.t.Unknown = append(p.t.Unknown, s)
}

// endWith ends the path with a device's own outcome.
func (p *path) endWith(node string, t trace.Trace) {
	p.end(t.Disposition, t.DropReason, node+": "+t.Reason)
	p.t.OutInterface, p.t.NextHop = t.OutInterface, t.NextHop
	if len(t.Fix) > 0 {
		p.t.Fix = append([]string{"# on " + node + ":"}, t.Fix...)
	}
	if t.PacketOut != nil {
		po := *t.PacketOut
		p.t.PacketOut = &po
	}
}

func (p *path) end(d trace.Disposition, reason, why string) {
	p.t.Disposition, p.t.DropReason, p.t.Reason = d, reason, why
	if len(p.visits) > 0 {
		po := sim.PacketJSON(p.visits[len(p.visits)-1].pktOut)
		p.t.PacketOut = &po
	}
}

// mtu lowers the path MTU by the interface the packet left by: its MTU,
// less the overhead of every tunnel the packet is inside of there.
func (p *path) mtu(v visit) {
	if v.out == "" {
		return
	}
	itf := p.n.devices[v.node].Interface(v.out)
	if itf == nil || itf.MTU <= 0 {
		return
	}
	m, why := itf.MTU, fmt.Sprintf("%s:%s MTU %d", v.node, v.out, itf.MTU)
	for _, e := range p.tunnels {
		m -= e.overhead
		why += fmt.Sprintf(" - %d for tunnel %s:%s", e.overhead, e.node, e.iface)
	}
	if p.t.PathMTU == 0 || m < p.t.PathMTU {
		p.t.PathMTU, p.t.PathMTUAt = m, why
	}
}
