package kerneltest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"farend/internal/packet"
)

// Timeouts of one injection. The kernel handles an injected frame in the
// softirq that runs when the send returns, so the end is normally already
// visible when send returns; the deadline matters only when the packet
// vanishes without a trace event or tracepoint (and no tracepoint is
// available).
const (
	injectDeadline = 150 * time.Millisecond
	injectGrace    = time.Millisecond
)

// Inject sends p from the peer of host interface in, so that it arrives on
// in, and reports what the kernel did with it. Conntrack is flushed first:
// every injection is the first packet of its flow.
func (l *Lab) Inject(ctx context.Context, in string, p packet.Packet) (Observation, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	obs := Observation{Host: l.topo.Host, In: in, Packet: p}
	if l.closed {
		return obs, fmt.Errorf("kerneltest: lab %s is closed", l.id)
	}
	if l.positions == nil {
		return obs, fmt.Errorf("kerneltest: Inject before Apply")
	}
	ll := l.link(in)
	if ll == nil {
		return obs, fmt.Errorf("kerneltest: no link %q in %s", in, l.topo.Host)
	}
	frame, nonce, err := injectFrame(ll, p)
	if err != nil {
		return obs, err
	}
	if err := l.ct.Flush(); err != nil {
		return obs, err
	}
	fam, save := "ip", "iptables-save"
	if p.Is6() {
		fam, save = "ip6", "ip6tables-save"
	}
	before, err := saveCounters(ctx, l.hostNS, save)
	if err != nil {
		return obs, err
	}
	snmp0, err := l.snmp.read()
	if err != nil {
		return obs, err
	}
	// Forget whatever happened before this packet.
	if _, err := l.trace.drain(); err != nil {
		return obs, err
	}
	for _, k := range l.links {
		k.sock.drain()
	}
	if l.drops != nil {
		l.drops.drain()
	}

	start := time.Now()
	if err := l.sender.send(ll.sock.fd, frame); err != nil {
		return obs, err
	}
	var (
		events   []traceEvent
		captured []capture
		drops    []dropEvent
		ended    time.Time
	)
	for {
		evs, err := l.trace.drain()
		events = append(events, evs...)
		if err != nil {
			return obs, err
		}
		for _, k := range l.links {
			for _, f := range k.sock.drain() {
				captured = append(captured, capture{link: k, frame: f})
			}
		}
		if l.drops != nil {
			drops = append(drops, l.drops.drain()...)
		}
		now := time.Now()
		if !ended.IsZero() && now.Sub(ended) >= injectGrace {
			break
		}
		if ended.IsZero() && l.finished(p, ll, nonce, events, captured, drops) {
			ended = now
			continue
		}
		if ended.IsZero() && now.Sub(start) > injectDeadline {
			obs.TimedOut = true
			break
		}
		time.Sleep(200 * time.Microsecond)
	}
	obs.Elapsed = time.Since(start)

	snmp1, err := l.snmp.read()
	if err != nil {
		return obs, err
	}
	obs.SNMP = snmpDeltas(snmp0, snmp1)
	after, err := saveCounters(ctx, l.hostNS, save)
	if err != nil {
		return obs, err
	}
	cs := parseSaveCounters(fam, after)
	obs.Counters = counterDeltas(parseSaveCounters(fam, before), cs)
	l.observe(&obs, ll, nonce, events, captured, drops, cs)
	return obs, nil
}

// injectFrame checks p (a valid packet between documentation addresses)
// and builds the frame that sends it from ll's peer, marked with a new
// nonce (frame.go) by which its trace events and captures are told apart.
func injectFrame(ll *labLink, p packet.Packet) (frame, nonce []byte, err error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	if err := checkDocAddr("source", p.Src); err != nil {
		return nil, nil, err
	}
	if err := checkDocAddr("destination", p.Dst); err != nil {
		return nil, nil, err
	}
	nonce = newNonce()
	frame, err = buildFrame(ll.peerMAC, frameDst(ll, p), p, nonce)
	if err != nil {
		return nil, nil, err
	}
	return frame, nonce, nil
}

// frameDst is the destination MAC of the frame carrying p on ll: the
// host's own, or the broadcast MAC when p goes to the IPv4 broadcast
// address of one of ll's subnets (as a sender on that subnet would send
// it; the kernel's skb->pkt_type, which -m pkttype reads, comes from the
// MAC).
func frameDst(ll *labLink, p packet.Packet) net.HardwareAddr {
	if p.Dst.Is4() {
		for _, a := range ll.Addrs {
			if a.Addr().Is4() && a.Bits() < 31 && p.Dst == lastAddr(a) {
				return net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
			}
		}
	}
	return ll.hostMAC
}

type capture struct {
	link  *labLink
	frame []byte
}

// ours keeps the trace events of the injected packet: those of every trace
// id whose first event is in fktrace's prerouting chain with the link the
// packet was sent on as input device (fktrace sets nftrace there, before
// anything else sees a packet). Everything else is the host's own
// traffic: packets it sends start in the output hook (REJECT's ICMP
// errors; MLD reports, sent from timers at any time, of which only the
// later events may fall in the window), and one it sends to itself (an
// ICMP error about a packet from one of its own addresses) comes back
// through prerouting from lo under a new trace id. The first event's
// headers must also be the injected packet's addresses (a multicast
// packet the host loops back to itself comes in on the link too).
func ours(events []traceEvent, inIndex uint32, p packet.Packet) []traceEvent {
	first := map[uint32]bool{}
	var out []traceEvent
	for _, e := range events {
		ok, seen := first[e.ID]
		if !seen {
			ok = e.Table == traceTableName && e.Chain == "pre" && e.IIF == inIndex
			if ok && len(e.Network) > 0 {
				h, err := parseIP(append(append([]byte(nil), e.Network...), e.Transport...))
				ok = err == nil && h.pkt.Src == p.Src && h.pkt.Dst == p.Dst
			}
			first[e.ID] = ok
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// finished reports whether the packet's end is visible: captured on a
// link, delivered (reached in_last), dropped by a rule or policy, or freed
// (kfree_skb).
func (l *Lab) finished(p packet.Packet, in *labLink, nonce []byte, events []traceEvent, captured []capture, drops []dropEvent) bool {
	for _, c := range captured {
		if k, _ := classify(c.frame, nonce, p); k == frameOurs {
			return true
		}
	}
	for _, e := range ours(events, in.hostIndex, p) {
		if e.Table == traceTableName && e.Chain == "in_last" {
			return true
		}
		if e.Table != traceTableName && isDrop(e) {
			return true
		}
	}
	_, dropped := ourDrop(drops, in.Name)
	return dropped
}

func isDrop(e traceEvent) bool {
	switch e.Type {
	case nftTraceTypeRule:
		return e.Verdict == 0 // NF_DROP
	case nftTraceTypePolicy:
		return e.HasPol && e.Policy == 0
	}
	return false
}

// observe turns the raw material into obs.
func (l *Lab) observe(obs *Observation, in *labLink, nonce []byte, events []traceEvent, captured []capture, drops []dropEvent, cs counterSet) {
	var lastHeaders *traceEvent
	delivered := false
	for _, e := range ours(events, in.hostIndex, obs.Packet) {
		obs.Events = append(obs.Events, l.eventString(e))
		if e.Table == traceTableName {
			if e.Chain == "in_last" {
				delivered = true
				if len(e.Network) > 0 {
					ev := e
					lastHeaders = &ev
				}
			}
			continue
		}
		switch e.Type {
		case nftTraceTypeRule:
			if e.Handle == 0 {
				continue // the end of a chain ("verdict continue" in nft monitor trace)
			}
			fam := familyName(e.Family)
			ref := RuleRef{Family: fam, Table: e.Table, Chain: e.Chain,
				Rule: l.positions[handleKey{fam, e.Table, e.Chain, e.Handle}]}
			obs.Steps = append(obs.Steps, Step{RuleRef: ref, Handle: e.Handle,
				Verdict: verdictName(e.Verdict, e.Target), Text: cs.text[ref]})
		case nftTraceTypePolicy:
			ref := RuleRef{Family: familyName(e.Family), Table: e.Table, Chain: e.Chain, Policy: true}
			obs.Steps = append(obs.Steps, Step{RuleRef: ref, Verdict: verdictName(int32(e.Policy), "")})
		}
	}
	for _, s := range obs.Steps {
		if s.Verdict == "accept" || s.Verdict == "drop" || s.Verdict == "queue" || s.Verdict == "stolen" {
			obs.FinalVerdict = s.Verdict
		}
	}
	for _, c := range captured {
		k, info := classify(c.frame, nonce, obs.Packet)
		switch k {
		case frameOurs:
			if obs.Fate == FateForwarded {
				continue // a second copy (should not happen): keep the first
			}
			obs.Fate = FateForwarded
			obs.OutInterface = c.link.Name
			pk := info.pkt
			obs.PacketOut = &pk
			obs.NextHop = neighbourOf(c.link, c.frame[0:6])
		case frameICMPErr:
			obs.ICMPErrors = append(obs.ICMPErrors, fmt.Sprintf("%s: type %d code %d %s -> %s",
				c.link.Name, info.pkt.ICMPType, info.pkt.ICMPCode, info.pkt.Src, info.pkt.Dst))
		}
	}
	if obs.Fate == "" && delivered {
		obs.Fate = FateDelivered
		pk := obs.Packet
		if lastHeaders != nil {
			if h, err := parseIP(append(append([]byte(nil), lastHeaders.Network...), lastHeaders.Transport...)); err == nil {
				pk.Src, pk.Dst = h.pkt.Src, h.pkt.Dst
				if pk.HasPorts() && len(lastHeaders.Transport) >= 4 {
					pk.SPort, pk.DPort = h.pkt.SPort, h.pkt.DPort
				}
			}
		}
		obs.PacketOut = &pk
	}
	if obs.Fate == "" {
		obs.Fate = FateDropped
		if d, ok := ourDrop(drops, in.Name); ok {
			obs.DropReason, obs.DropLocation = d.Reason, d.Location
		}
	}
}

// eventString prints a trace event in the spirit of `nft monitor trace`.
func (l *Lab) eventString(e traceEvent) string {
	var what string
	switch e.Type {
	case nftTraceTypeRule:
		fam := familyName(e.Family)
		if e.Handle == 0 {
			what = "end of chain, verdict " + verdictName(e.Verdict, e.Target)
			break
		}
		what = fmt.Sprintf("rule %d (handle %d) verdict %s", l.positions[handleKey{fam, e.Table, e.Chain, e.Handle}], e.Handle, verdictName(e.Verdict, e.Target))
	case nftTraceTypePolicy:
		what = "policy " + verdictName(int32(e.Policy), "")
	case nftTraceTypeReturn:
		what = "return (" + verdictName(e.Verdict, e.Target) + ")"
	default:
		what = fmt.Sprintf("type %d", e.Type)
	}
	s := fmt.Sprintf("id %08x %s %s %s %s", e.ID, familyName(e.Family), e.Table, e.Chain, what)
	if e.IIF != 0 {
		s += " iif " + l.ifName[e.IIF]
	}
	if e.OIF != 0 {
		s += " oif " + l.ifName[e.OIF]
	}
	if e.Mark != 0 {
		s += fmt.Sprintf(" mark 0x%x", e.Mark)
	}
	if len(e.Network) > 0 {
		if h, err := parseIP(append(append([]byte(nil), e.Network...), e.Transport...)); err == nil {
			s += fmt.Sprintf(" [%s]", h.pkt)
		}
	}
	return s
}

// neighbourOf returns the address whose MAC is m on link k.
func neighbourOf(k *labLink, m []byte) netip.Addr {
	for a, x := range k.neighMAC {
		if bytes.Equal(x, m) {
			return a
		}
	}
	return netip.Addr{}
}

// lastAddr is the last address of p (the IPv4 subnet broadcast).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// saveCounters runs `iptables-save -c` (save) in ns for the counter
// cross-check. When iptables-nft-save cannot parse a native nft table
// named like an iptables table (exit 3, "Parsing nftables rule failed"),
// there are no counters to read: the kernel's trace still says what
// matched.
func saveCounters(ctx context.Context, ns, save string) ([]byte, error) {
	out, err := nsOutput(ctx, ns, nil, save, "-c")
	if err != nil && strings.Contains(err.Error(), "Parsing nftables rule failed") {
		return nil, nil
	}
	return out, err
}
