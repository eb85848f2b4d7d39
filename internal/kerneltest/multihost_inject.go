package kerneltest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"farend/internal/packet"
)

// Timeouts of one multi-host injection. The whole path normally runs in
// the softirq of the sender's write, so the end is visible when the write
// returns; a packet waiting for a neighbour that never answers is seen
// only by its INCOMPLETE entry, read once nothing moved for multiQuiet.
const (
	multiDeadline = 300 * time.Millisecond
	multiQuiet    = 4 * time.Millisecond
)

// pktSig tells the injected packet's trace events apart from everything
// else the hosts see (ARP is not traced; ND, MLD, ICMP errors, echo
// replies and TCP resets are): the protocol, for IPv4 the IP ID (the
// first two bytes of the marker, kept by forwarding and NAT), for TCP
// the sequence number and flags buildFrame sets, for UDP and ICMP the
// marker itself, which the trace's 20 bytes of transport header hold.
type pktSig struct {
	v6       bool
	proto    uint8
	icmpType uint8
	tcpFlags uint8
	nonce    []byte
}

func (s pktSig) match(network, transport []byte) bool {
	if len(network) < 1 {
		return false
	}
	if s.v6 {
		if network[0]>>4 != 6 || len(network) < 40 || network[6] != s.proto {
			return false
		}
	} else {
		if network[0]>>4 != 4 || len(network) < 20 || network[9] != s.proto ||
			network[4] != s.nonce[0] || network[5] != s.nonce[1] {
			return false
		}
	}
	switch s.proto {
	case packet.ProtoTCP:
		return len(transport) >= 14 && binary.BigEndian.Uint32(transport[4:]) == 1000 && transport[13] == s.tcpFlags
	case packet.ProtoUDP, packet.ProtoUDPLite:
		return len(transport) >= 16 && bytes.Equal(transport[8:16], s.nonce)
	case packet.ProtoICMP, packet.ProtoICMPv6:
		return len(transport) >= 16 && transport[0] == s.icmpType && bytes.Equal(transport[8:16], s.nonce)
	}
	return len(transport) >= nonceLen && bytes.Equal(transport[:nonceLen], s.nonce)
}

// hostEvents are the trace events read in one host's namespace.
type hostEvents struct {
	host   int
	events []traceEvent
}

// rawVisit is one pass of the packet through a host: the events from a
// fktrace prerouting event with its signature to the next one.
type rawVisit struct {
	host   int
	ttl    uint8
	events []traceEvent
}

// splitVisits cuts one host's events into the packet's passes. Each pass
// starts in fktrace's prerouting chain (the first to see a packet) with
// the packet's headers; the events of that trace id follow until the
// next pass starts (passes through one host never overlap: a host is done
// with the packet before the next host gets it).
func splitVisits(he hostEvents, sig pktSig) []rawVisit {
	var out []rawVisit
	var cur *rawVisit
	var id uint32
	for _, e := range he.events {
		if e.Table == traceTableName && e.Chain == "pre" && e.IIF != 0 && len(e.Network) > 0 && sig.match(e.Network, e.Transport) {
			h, err := parseIP(append(append([]byte(nil), e.Network...), e.Transport...))
			if err != nil {
				continue
			}
			out = append(out, rawVisit{host: he.host, ttl: h.pkt.TTL})
			cur = &out[len(out)-1]
			id = e.ID
		}
		if cur != nil && e.ID == id {
			cur.events = append(cur.events, e)
		}
	}
	return out
}

// orderVisits puts the passes of every host in the order the packet made
// them: every forwarding lowers the TTL by one, so the arrival TTLs
// order them.
func orderVisits(all []rawVisit) {
	sort.SliceStable(all, func(i, j int) bool { return all[i].ttl > all[j].ttl })
}

// headersOf parses a trace event's headers into a packet (nil when it has
// none).
func headersOf(e traceEvent) *packet.Packet {
	if len(e.Network) == 0 {
		return nil
	}
	h, err := parseIP(append(append([]byte(nil), e.Network...), e.Transport...))
	if err != nil {
		return nil
	}
	p := h.pkt
	p.Length, p.Frag = 0, false
	return &p
}

// visit turns a pass's events into a Visit.
func (m *MultiLab) visit(rv rawVisit) Visit {
	l := m.hosts[rv.host]
	v := Visit{Host: l.topo.Host}
	for i, e := range rv.events {
		v.Events = append(v.Events, l.eventString(e))
		if i == 0 {
			v.In = l.ifName[e.IIF]
			if p := headersOf(e); p != nil {
				v.Packet = *p
			}
		}
		if e.Table == traceTableName {
			switch e.Chain {
			case "in_last":
				v.Delivered = true
				if p := headersOf(e); p != nil {
					v.PacketOut = p
				}
			case "fwd_last":
				v.Forwarded = true
			case "post_last":
				if e.OIF != 0 {
					v.Out = l.ifName[e.OIF]
				}
				if p := headersOf(e); p != nil {
					v.PacketOut = p
				}
			}
			continue
		}
		switch e.Type {
		case nftTraceTypeRule:
			if e.Handle == 0 {
				continue
			}
			fam := familyName(e.Family)
			ref := RuleRef{Family: fam, Table: e.Table, Chain: e.Chain, Rule: l.positions[handleKey{fam, e.Table, e.Chain, e.Handle}]}
			v.Steps = append(v.Steps, Step{RuleRef: ref, Handle: e.Handle, Verdict: verdictName(e.Verdict, e.Target)})
		case nftTraceTypePolicy:
			ref := RuleRef{Family: familyName(e.Family), Table: e.Table, Chain: e.Chain, Policy: true}
			v.Steps = append(v.Steps, Step{RuleRef: ref, Verdict: verdictName(int32(e.Policy), "")})
		}
		if isDrop(e) {
			v.Dropped = true
		}
	}
	for _, s := range v.Steps {
		if s.Verdict == "accept" || s.Verdict == "drop" || s.Verdict == "queue" || s.Verdict == "stolen" {
			v.FinalVerdict = s.Verdict
		}
	}
	return v
}

// edgeCapture is a frame captured on edge link i.
type edgeCapture struct {
	edge  int
	frame []byte
}

// Inject sends p from the edge peer of interface in of the chain's first
// host and follows it through the hosts. Conntrack is flushed in every
// host first.
func (m *MultiLab) Inject(ctx context.Context, in string, p packet.Packet) (MultiObservation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	obs := MultiObservation{In: in, Packet: p}
	if m.closed {
		return obs, fmt.Errorf("kerneltest: lab %s is closed", m.id)
	}
	first := m.hosts[0]
	ll := first.link(in)
	if ll == nil || ll.sock == nil {
		return obs, fmt.Errorf("kerneltest: %s has no edge link %q", first.topo.Host, in)
	}
	for _, l := range m.hosts {
		if l.positions == nil {
			return obs, fmt.Errorf("kerneltest: Inject before Apply")
		}
	}
	frame, nonce, err := injectFrame(ll, p)
	if err != nil {
		return obs, err
	}
	sig := pktSig{v6: p.Is6(), proto: p.Proto, icmpType: p.ICMPType, tcpFlags: p.TCPFlags, nonce: nonce}
	for _, l := range m.hosts {
		if err := l.ct.Flush(); err != nil {
			return obs, err
		}
		if _, err := l.trace.drain(); err != nil {
			return obs, err
		}
	}
	for _, e := range m.edges {
		e.sock.drain()
	}
	if m.drops != nil {
		m.drops.drain()
	}

	events := make([]hostEvents, len(m.hosts))
	for i := range events {
		events[i].host = i
	}
	var (
		captured  []edgeCapture
		drops     []dropEvent
		ended     time.Time
		lastMove  time.Time
		lastNeigh time.Time
		unres     *neighWait // seen once, at seenUnres
		seenUnres time.Time
		waiting   *neighWait // seen twice: the end
	)
	start := time.Now()
	if err := m.sender.send(ll.sock.fd, frame); err != nil {
		return obs, err
	}
	lastMove = time.Now()
	for {
		moved := false
		for i, l := range m.hosts {
			evs, err := l.trace.drain()
			if err != nil {
				return obs, fmt.Errorf("%s: %w", l.topo.Host, err)
			}
			if len(evs) > 0 {
				moved = true
				events[i].events = append(events[i].events, evs...)
			}
		}
		for i, e := range m.edges {
			for _, f := range e.sock.drain() {
				moved = true
				captured = append(captured, edgeCapture{edge: i, frame: f})
			}
		}
		if m.drops != nil {
			if d := m.drops.drain(); len(d) > 0 {
				drops = append(drops, d...)
			}
		}
		now := time.Now()
		if moved {
			lastMove = now
		}
		if !ended.IsZero() {
			if now.Sub(ended) >= injectGrace {
				break
			}
		} else {
			visits := m.ordered(events, sig)
			switch {
			case m.multiFinished(p, nonce, in, visits, captured, drops):
				ended = now
				continue
			case now.Sub(lastMove) >= multiQuiet && len(visits) > 0 && visits[len(visits)-1].ttl <= 1:
				// It arrived with TTL 1: delivered, or dropped by
				// ip_forward/ip6_forward (TTL exceeded), nothing later.
				ended = now
				continue
			case now.Sub(lastMove) >= multiQuiet && now.Sub(lastNeigh) >= 2*multiQuiet && len(visits) > 0:
				lastNeigh = now
				last := visits[len(visits)-1]
				if lv := m.visit(last); lv.Out != "" && !lv.Delivered && !lv.Dropped {
					w, err := m.unresolved(ctx, last.host, lv.Out)
					if err != nil {
						return obs, err
					}
					switch {
					case w == nil:
						unres = nil
					case unres != nil && !lastMove.After(seenUnres):
						// Still unresolved, and nothing moved since
						// it was first seen: the packet waits there.
						waiting = w
						ended = now
						continue
					default:
						unres, seenUnres = w, now
					}
				}
			}
			if now.Sub(start) > multiDeadline {
				obs.TimedOut = true
				break
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	obs.Elapsed = time.Since(start)
	m.observeMulti(&obs, sig, nonce, events, captured, drops, waiting)
	return obs, nil
}

// ordered returns every host's passes, in the packet's order.
func (m *MultiLab) ordered(events []hostEvents, sig pktSig) []rawVisit {
	var all []rawVisit
	for _, he := range events {
		all = append(all, splitVisits(he, sig)...)
	}
	orderVisits(all)
	return all
}

// multiFinished reports whether the packet's end is visible: captured on
// an edge link, delivered, dropped by a rule or policy, or freed.
func (m *MultiLab) multiFinished(p packet.Packet, nonce []byte, in string, visits []rawVisit, captured []edgeCapture, drops []dropEvent) bool {
	for _, c := range captured {
		if k, _ := classify(c.frame, nonce, p); k == frameOurs {
			return true
		}
	}
	for _, rv := range visits {
		for _, e := range rv.events {
			if e.Table == traceTableName && e.Chain == "in_last" {
				return true
			}
			if e.Table != traceTableName && isDrop(e) {
				return true
			}
		}
	}
	_, dropped := ourDrop(drops, in)
	return dropped
}

// neighWait are the neighbour entries on one device that never resolved.
type neighWait struct {
	host  int
	dev   string
	addrs []netip.Addr
}

// unresolved returns the INCOMPLETE and FAILED neighbour entries on dev
// of host hi, nil if none. (There may be more than the packet's next hop:
// an ICMPv6 redirect, sent when a packet leaves by the interface it came
// in on, goes to the packet's source, which may be unresolved too.)
func (m *MultiLab) unresolved(ctx context.Context, hi int, dev string) (*neighWait, error) {
	out, err := nsOutput(ctx, m.hosts[hi].hostNS, nil, "ip", "-j", "neigh", "show", "dev", dev)
	if err != nil {
		return nil, err
	}
	var ents []struct {
		Dst   string   `json:"dst"`
		State []string `json:"state"`
	}
	if err := json.Unmarshal(out, &ents); err != nil {
		return nil, fmt.Errorf("kerneltest: ip -j neigh: %w", err)
	}
	w := &neighWait{host: hi, dev: dev}
	for _, e := range ents {
		for _, s := range e.State {
			if s == "INCOMPLETE" || s == "FAILED" {
				if a, err := netip.ParseAddr(e.Dst); err == nil {
					w.addrs = append(w.addrs, a)
				}
			}
		}
	}
	if len(w.addrs) == 0 {
		return nil, nil
	}
	return w, nil
}

// nextHop picks the packet's next hop among the unresolved entries: not
// the packet's source (the target of the host's own ICMP errors and
// redirects) unless nothing else is, and the packet's destination (an
// on-link route) before a gateway.
func (w *neighWait) nextHop(in, out *packet.Packet) netip.Addr {
	var best netip.Addr
	for _, a := range w.addrs {
		switch {
		case out != nil && a == out.Dst:
			return a
		case in != nil && a == in.Src && best.IsValid():
		case !best.IsValid() || (in != nil && best == in.Src):
			best = a
		}
	}
	return best
}

// observeMulti turns the raw material into obs.
func (m *MultiLab) observeMulti(obs *MultiObservation, sig pktSig, nonce []byte, events []hostEvents, captured []edgeCapture, drops []dropEvent, unres *neighWait) {
	raw := m.ordered(events, sig)
	// A loop: the packet enters a host on the same interface twice with
	// the same addresses. (Ports are left out: a SNAT on the way round
	// can make each round a new connection that clashes with the last
	// one's reply tuple, and conntrack then picks another source port,
	// nf_nat_l4proto_unique_tuple.)
	type key struct {
		host, in string
		src, dst netip.Addr
	}
	seen := map[key]bool{}
	for _, rv := range raw {
		v := m.visit(rv)
		k := key{v.Host, v.In, v.Packet.Src, v.Packet.Dst}
		if seen[k] {
			obs.Looped = true
		}
		seen[k] = true
		obs.Visits = append(obs.Visits, v)
	}
	var last *Visit
	if n := len(obs.Visits); n > 0 {
		last = &obs.Visits[n-1]
		obs.Host = last.Host
	} else {
		obs.Host = m.hosts[0].topo.Host
	}
	for _, c := range captured {
		e := m.edges[c.edge]
		k, info := classify(c.frame, nonce, obs.Packet)
		switch k {
		case frameOurs:
			if obs.Fate == MultiLeft {
				continue
			}
			obs.Fate = MultiLeft
			obs.Host = m.hosts[m.edgeHost[c.edge]].topo.Host
			obs.OutInterface, obs.Edge = e.Name, true
			pk := info.pkt
			obs.PacketOut = &pk
			obs.NextHop = neighbourOf(e, c.frame[0:6])
		case frameICMPErr:
			obs.ICMPErrors = append(obs.ICMPErrors, fmt.Sprintf("%s %s: type %d code %d %s -> %s",
				m.hosts[m.edgeHost[c.edge]].topo.Host, e.Name, info.pkt.ICMPType, info.pkt.ICMPCode, info.pkt.Src, info.pkt.Dst))
		}
	}
	if obs.Fate == "" && last != nil && last.Delivered {
		obs.Fate = MultiDelivered
		obs.PacketOut = last.PacketOut
	}
	if obs.Fate == "" && unres != nil && last != nil && !last.Dropped {
		obs.Fate = MultiUnresolved
		obs.Host = m.hosts[unres.host].topo.Host
		obs.OutInterface = unres.dev
		obs.NextHop = unres.nextHop(&last.Packet, last.PacketOut)
		obs.PacketOut = last.PacketOut
		if hl := m.hosts[unres.host].link(unres.dev); hl != nil && hl.sock != nil {
			obs.Edge = true
		}
	}
	if obs.Fate == "" {
		obs.Fate = MultiDropped
		if d, ok := ourDrop(drops, obs.In); ok {
			obs.DropReason, obs.DropLocation = d.Reason, d.Location
		}
	}
}
