package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/packet"
)

// match draws one match aimed at the rule's packet, each kind at most
// once per rule: addresses (prefixes, ranges, anonymous and named sets,
// negated), the transport protocol (ip protocol, ip6 nexthdr, meta
// l4proto), ports (tcp, udp, th; values, ranges, sets), tcp flags, icmp
// and icmpv6 types, meta iif/oif/iifname/oifname (wildcards, sets), meta
// mark (masks), meta nfproto, meta pkttype, ct state/status/mark/
// direction, fib, concatenations (ip saddr . tcp dport in a named or
// anonymous set), ip ttl and ip6 hoplimit.
func (r *nftRule) match() string {
	g := r.g
	kind := g.pick(8, 3, 5, 2, 2, 4, 3, 1, 2, 3, 2, 6, 2, 1)
	key := fmt.Sprint(kind)
	if r.used[key] {
		return ""
	}
	r.used[key] = true
	p := r.pkt
	neg := func(prob float64) string {
		if g.chance(prob) {
			return "!= "
		}
		return ""
	}
	switch kind {
	case 0: // addresses
		dst := g.chance(0.5)
		a := p.Src
		if dst {
			a = p.Dst
		}
		if g.chance(0.2) {
			a = g.anyAddr(r.v6)
		}
		k := r.addrKey(dst)
		switch g.pick(5, 2, 2, 2) {
		case 0:
			return k + " " + neg(0.15) + prefixText(g.prefixAround(a, false))
		case 1:
			lo, hi := r.rangeAround(a)
			return k + " " + neg(0.15) + lo.String() + "-" + hi.String()
		case 2:
			return k + " " + neg(0.15) + "{ " + strings.Join(r.addrElems(a, 1+g.r.IntN(4)), ", ") + " }"
		}
		return k + " " + neg(0.15) + "@" + r.ng.named(r.t, "set", r.addrType(), r.addrElems(a, 1+g.r.IntN(4)))
	case 1: // protocol
		if r.l4 != 0 {
			return ""
		}
		proto := p.Proto
		if g.chance(0.4) {
			proto = oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP, r.icmpProto()})
		}
		if g.chance(0.15) {
			return r.protoKey() + " != " + protoText(proto)
		}
		if g.chance(0.2) {
			// A set of protocols: no protocol's own match may follow
			// (nft: "conflicting protocols specified").
			r.l4 = anyProto
			return "meta l4proto { " + protoText(proto) + ", " + protoText(oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP, r.icmpProto()})) + " }"
		}
		r.l4 = proto
		return r.protoMatch(proto)
	case 2: // ports
		proto := r.portProto(true)
		if proto == "" {
			return ""
		}
		sp, dp := p.SPort, p.DPort
		if !p.HasPorts() {
			sp, dp = 40000, 80
		}
		var s []string
		if proto == "th" && r.l4 == 0 {
			s = append(s, "meta l4proto { tcp, udp }")
			r.l4, r.thOK = anyProto, true
		}
		for _, dst := range []bool{false, true} {
			if (dst && !g.chance(0.75)) || (!dst && !g.chance(0.35)) {
				continue
			}
			port := sp
			k := proto + " sport"
			if dst {
				port, k = dp, proto+" dport"
			}
			switch g.pick(5, 2, 2) {
			case 0:
				lo, hi := g.portAround(port)
				v := fmt.Sprint(lo)
				if lo != hi {
					v = fmt.Sprintf("%d-%d", lo, hi)
				}
				s = append(s, k+" "+neg(0.15)+v)
			case 1:
				s = append(s, k+" "+neg(0.15)+"{ "+strings.Join(r.portElems(port, 1+g.r.IntN(4)), ", ")+" }")
			case 2:
				s = append(s, k+" "+neg(0.15)+"@"+r.ng.named(r.t, "set", "inet_service", r.portElems(port, 1+g.r.IntN(4))))
			}
		}
		if len(s) == 0 || (proto == "th" && len(s) == 1) {
			s = append(s, proto+" dport "+fmt.Sprint(dp))
		}
		if proto != "th" {
			r.l4 = map[string]uint8{"tcp": packet.ProtoTCP, "udp": packet.ProtoUDP}[proto]
		}
		return strings.Join(s, " ")
	case 3: // tcp flags
		if r.l4 != 0 && r.l4 != packet.ProtoTCP {
			return ""
		}
		r.l4 = packet.ProtoTCP
		return r.tcpFlags()
	case 4: // icmp type
		ip := r.icmpProto()
		if r.l4 != 0 && r.l4 != ip {
			return ""
		}
		r.l4 = ip
		if r.v6 {
			types := []string{"echo-request", "echo-request", "echo-reply", "destination-unreachable", "nd-neighbor-solicit", "packet-too-big"}
			if g.chance(0.25) {
				return "icmpv6 type { " + strings.Join(oneOfN(g, types, 2), ", ") + " }"
			}
			return "icmpv6 type " + neg(0.2) + oneOf(g, types)
		}
		types := []string{"echo-request", "echo-request", "echo-reply", "timestamp-request", "destination-unreachable", "time-exceeded"}
		switch g.pick(5, 2, 1) {
		case 1:
			return "icmp type { " + strings.Join(oneOfN(g, types, 2), ", ") + " }"
		case 2:
			return "icmp type echo-request icmp code " + neg(0.3) + oneOf(g, []string{"0", "1"})
		}
		return "icmp type " + neg(0.2) + oneOf(g, types)
	case 5: // interfaces
		return r.ifaceMatch()
	case 6: // meta mark
		v := oneOf(g, append([]uint32{0}, markPool...))
		if g.chance(0.4) {
			m := oneOf(g, maskPool)
			return fmt.Sprintf("meta mark & 0x%x %s0x%x", m, map[bool]string{true: "!= ", false: "== "}[g.chance(0.2)], v&m)
		}
		return fmt.Sprintf("meta mark %s0x%x", neg(0.2), v)
	case 7: // meta nfproto (nft refuses it outside inet tables)
		if r.t.family != "inet" {
			return ""
		}
		// The rule's own family, or "not the other one" (another family
		// would conflict with the rule's address matches).
		if g.chance(0.2) {
			return "meta nfproto != " + map[bool]string{true: "ipv4", false: "ipv6"}[r.v6]
		}
		return "meta nfproto " + map[bool]string{true: "ipv6", false: "ipv4"}[r.v6]
	case 8: // meta pkttype
		if g.chance(0.3) {
			return "meta pkttype { " + strings.Join(oneOfN(g, []string{"host", "broadcast", "multicast", "other"}, 2), ", ") + " }"
		}
		return "meta pkttype " + neg(0.2) + oneOf(g, []string{"host", "host", "broadcast", "multicast", "other"})
	case 9: // ct state
		states := []string{"new", "new", "established", "related", "invalid", "untracked"}
		if g.chance(0.35) {
			return "ct state " + neg(0.15) + "{ " + strings.Join(oneOfN(g, states, 2), ", ") + " }"
		}
		return "ct state " + neg(0.2) + oneOf(g, states)
	case 10: // ct status, mark, direction
		switch g.pick(3, 3, 1) {
		case 0:
			return "ct status " + neg(0.3) + oneOf(g, []string{"dnat", "snat", "confirmed", "assured", "seen-reply", "expected"})
		case 1:
			v := oneOf(g, append([]uint32{0}, markPool...))
			if g.chance(0.4) {
				m := oneOf(g, maskPool)
				return fmt.Sprintf("ct mark & 0x%x == 0x%x", m, v&m)
			}
			return fmt.Sprintf("ct mark %s0x%x", neg(0.25), v)
		}
		return "ct direction " + oneOf(g, []string{"original", "reply"})
	case 11:
		return r.fib()
	case 12: // concatenation
		proto := r.portProto(false)
		if proto == "" || proto == "th" {
			return ""
		}
		r.l4 = map[string]uint8{"tcp": packet.ProtoTCP, "udp": packet.ProtoUDP}[proto]
		dst := g.chance(0.5)
		a := p.Src
		if dst {
			a = p.Dst
		}
		port := p.DPort
		if !p.HasPorts() {
			port = 80
		}
		ae := r.addrElems(a, 3)
		pe := r.portElems(port, 3)
		var elems []string
		seen := map[string]bool{}
		for range 1 + g.r.IntN(3) {
			e := oneOf(g, ae) + " . " + oneOf(g, pe)
			if !seen[e] {
				seen[e] = true
				elems = append(elems, e)
			}
		}
		k := r.addrKey(dst) + " . " + proto + " dport"
		if g.chance(0.5) {
			return k + " @" + r.ng.named(r.t, "set", r.addrType()+" . inet_service", elems)
		}
		return k + " { " + strings.Join(elems, ", ") + " }"
	case 13: // ttl, hoplimit
		v := min(max(int(p.TTL)+oneOf(g, []int{0, 0, -1, 1}), 0), 255)
		k := "ip ttl"
		if r.v6 {
			k = "ip6 hoplimit"
		}
		return fmt.Sprintf("%s %s%d", k, oneOf(g, []string{"", "!= ", "< ", "> "}), v)
	}
	return ""
}

// anyProto as nftRule.l4: the rule matched a set of protocols.
const anyProto = 255

func (r *nftRule) icmpProto() uint8 {
	if r.v6 {
		return packet.ProtoICMPv6
	}
	return packet.ProtoICMP
}

func (r *nftRule) protoKey() string {
	switch {
	case r.g.chance(0.5):
		return "meta l4proto"
	case r.v6:
		return "ip6 nexthdr"
	}
	return "ip protocol"
}

// protoMatch requires proto.
func (r *nftRule) protoMatch(proto uint8) string {
	return r.protoKey() + " " + protoText(proto)
}

func protoText(p uint8) string {
	switch p {
	case packet.ProtoTCP:
		return "tcp"
	case packet.ProtoUDP:
		return "udp"
	case packet.ProtoICMP:
		return "icmp"
	case packet.ProtoICMPv6:
		return "ipv6-icmp"
	}
	return fmt.Sprint(p)
}

// portProto names the protocol of a port match: the rule's, else tcp,
// udp or (with th, the caller adds `meta l4proto { tcp, udp }` first)
// th; "" when the rule requires a protocol without ports. th is never
// drawn without that guard: on an ICMP packet it reads the checksum,
// which depends on the packet's random marker.
func (r *nftRule) portProto(th bool) string {
	switch r.l4 {
	case packet.ProtoTCP:
		return "tcp"
	case packet.ProtoUDP:
		return "udp"
	case anyProto:
		if r.thOK {
			return "th"
		}
	case 0:
		if r.pkt.HasPorts() && r.g.chance(0.6) {
			return protoText(r.pkt.Proto)
		}
		if th {
			return oneOf(r.g, []string{"tcp", "udp", "th"})
		}
		return oneOf(r.g, []string{"tcp", "udp"})
	}
	return ""
}

func (r *nftRule) addrKey(dst bool) string {
	k := "ip "
	if r.v6 {
		k = "ip6 "
	}
	if dst {
		return k + "daddr"
	}
	return k + "saddr"
}

func (r *nftRule) addrType() string {
	if r.v6 {
		return "ipv6_addr"
	}
	return "ipv4_addr"
}

// prefixText prints a prefix, a full-length one as the address.
func prefixText(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// rangeAround draws an address range that holds a, starts or ends next
// to it, or is anywhere.
func (r *nftRule) rangeAround(a netip.Addr) (lo, hi netip.Addr) {
	g := r.g
	switch g.pick(3, 2, 2, 1) {
	case 0:
		lo, hi = step(a, -oneOf(g, []int{0, 1, 5})), step(a, oneOf(g, []int{0, 1, 5}))
	case 1:
		lo, hi = step(a, 1), step(a, 1+oneOf(g, []int{0, 10}))
	case 2:
		lo, hi = step(a, -1-oneOf(g, []int{0, 10})), step(a, -1)
	default:
		lo, hi = g.anyAddr(r.v6), g.anyAddr(r.v6)
		if hi.Less(lo) {
			lo, hi = hi, lo
		}
	}
	return lo, hi
}

// ifaceMatch draws meta iif/oif/iifname/oifname: names of the host's
// links, wildcards, lo, sets; oif and oifname also where the hook has no
// output device (they load 0 or "" there: nft_meta_store_ifindex,
// nft_meta_store_ifname), iif and iifname likewise.
func (r *nftRule) ifaceMatch() string {
	g := r.g
	out := false
	switch r.c.hook {
	case "forward":
		out = g.chance(0.5)
	case "postrouting", "output":
		out = g.chance(0.85)
	default:
		out = g.chance(0.1)
	}
	name := func() string {
		switch g.pick(45, 30, 15, 5) {
		case 0:
			return g.in.Name
		case 1:
			return oneOf(g, g.topo.Links).Name
		case 2:
			l := oneOf(g, g.topo.Links).Name
			return l[:1+g.r.IntN(len(l)-1)] + "*"
		}
		return "lo"
	}
	k := "iif"
	if out {
		k = "oif"
	}
	n := name()
	if g.chance(0.3) && !strings.HasSuffix(n, "*") {
		// By index (the interface exists when the rule is loaded).
		return fmt.Sprintf("%s %s%q", k, map[bool]string{true: "!= ", false: ""}[g.chance(0.2)], n)
	}
	k += "name"
	if g.chance(0.2) {
		var names []string
		for _, x := range oneOfN(g, []string{n, name(), name()}, 2) {
			if !strings.HasSuffix(x, "*") {
				names = append(names, fmt.Sprintf("%q", x))
			}
		}
		if len(names) > 0 {
			return k + " { " + strings.Join(names, ", ") + " }"
		}
	}
	return fmt.Sprintf("%s %s%q", k, map[bool]string{true: "!= ", false: ""}[g.chance(0.2)], n)
}

// tcpFlags draws a tcp flags match around the packet's flags: a flag
// test, or a masked compare.
func (r *nftRule) tcpFlags() string {
	g := r.g
	names := []string{"fin", "syn", "rst", "psh", "ack", "urg"}
	f := r.pkt.TCPFlags
	if r.pkt.Proto != packet.ProtoTCP {
		f = packet.TCPSyn
	}
	switch g.pick(3, 4, 1) {
	case 0:
		return "tcp flags " + oneOf(g, []string{"", "!= "}) + oneOf(g, names)
	case 1:
		var mask, comp []string
		for i, n := range names {
			if g.chance(0.45) {
				mask = append(mask, n)
				bit := f&(1<<i) != 0
				if g.chance(0.15) {
					bit = !bit
				}
				if bit {
					comp = append(comp, n)
				}
			}
		}
		if len(mask) == 0 {
			mask, comp = []string{"syn", "ack"}, []string{"syn"}
		}
		c := strings.Join(comp, " | ")
		if c == "" {
			c = "0x0"
		}
		return "tcp flags & (" + strings.Join(mask, " | ") + ") " + oneOf(g, []string{"==", "==", "!="}) + " " + c
	}
	return "tcp flags { " + strings.Join(oneOfN(g, []string{"syn", "ack", "syn | ack", "ack | psh", "rst"}, 2), ", ") + " }"
}
