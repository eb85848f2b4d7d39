package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/packet"
)

// match draws one match other than the protocol's own (-p tcp -m tcp ...).
//
// Left out: -m statistic, -m set (nondeterministic or not in the
// snapshot), -m hashlimit (kept per key; as limit otherwise), -f and
// fragments (the lab sends whole packets), --ctorigsrc and the other
// conntrack tuple options and --ctexpire (farend does not know the
// conntrack table: they read as undecidable), --tcp-option (the lab's
// TCP headers carry no options).
//
// iptables takes each of -s, -d, -i and -o once per rule; used records
// the kinds the rule has (a second one of a kind is not drawn).
func (n *nfGen) match(ctx chainCtx, used map[string]bool) string {
	g := n.g
	p := n.pkt
	kind := g.pick(6, 4, 3, 2, 1, 1, 2, 3, 1, 1, 1, 1, 1, 1)
	key := fmt.Sprint(kind)
	if kind == 0 || kind == 1 {
		key += fmt.Sprint(g.r.IntN(2))
	}
	if used[key] {
		return ""
	}
	used[key] = true
	switch kind {
	case 0: // -s / -d
		dst := key == "01"
		base := p.Src
		if dst {
			base = p.Dst
		}
		if g.chance(0.2) {
			base = g.anyAddr(n.v6)
		}
		opt := "-s"
		if dst {
			opt = "-d"
		}
		if !n.v6 && g.chance(0.04) {
			// A non-contiguous mask (ip_packet_match masks, it does not
			// take a prefix).
			m := oneOf(g, []string{"255.0.255.0", "255.255.0.255", "0.0.255.255"})
			return bangIf(g.chance(0.15)) + opt + " " + base.String() + "/" + m
		}
		return bangIf(g.chance(0.15)) + opt + " " + g.prefixAround(base, false).String()
	case 1: // -i / -o
		out := key == "11"
		if ctx.builtin {
			switch ctx.chain {
			case "PREROUTING", "INPUT":
				if out {
					return ""
				}
			case "OUTPUT", "POSTROUTING":
				if !out {
					return ""
				}
			}
		}
		opt := "-i"
		if out {
			opt = "-o"
		}
		var name string
		switch g.pick(45, 30, 15, 5, 5) {
		case 0:
			name = g.in.Name
		case 1:
			name = oneOf(g, g.topo.Links).Name
		case 2:
			l := oneOf(g, g.topo.Links).Name
			name = l[:1+g.r.IntN(len(l)-1)] + "+"
		case 3:
			name = "+"
		case 4:
			name = "lo"
		}
		return bangIf(g.chance(0.2)) + opt + " " + name
	case 2: // mark
		return "-m mark " + bangIf(g.chance(0.2)) + "--mark " + n.markMask()
	case 3: // conntrack
		s := "-m conntrack"
		if g.chance(0.8) {
			s += " " + bangIf(g.chance(0.2)) + "--ctstate " + n.states(true)
		}
		switch g.pick(6, 2, 2) {
		case 1:
			s += " " + bangIf(g.chance(0.3)) + "--ctstatus " + oneOf(g, []string{"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "NONE", "ASSURED,CONFIRMED"})
		case 2:
			s += " --ctdir " + oneOf(g, []string{"ORIGINAL", "REPLY"})
		}
		if s == "-m conntrack" {
			s += " --ctstate " + n.states(true)
		}
		return s
	case 4: // state
		return "-m state " + bangIf(g.chance(0.2)) + "--state " + n.states(false)
	case 5: // connmark
		return "-m connmark " + bangIf(g.chance(0.2)) + "--mark " + n.markMask()
	case 6: // addrtype
		types := []string{"UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "UNSPEC"}
		if n.v6 {
			// addrtype_mt_checkentry_v1 refuses BLACKHOLE, BROADCAST and
			// PROHIBIT and above for IPv6.
			types = []string{"UNICAST", "LOCAL", "ANYCAST", "MULTICAST", "UNREACHABLE", "UNSPEC"}
		}
		typ := func() string {
			t := oneOf(g, types)
			if g.chance(0.2) {
				t += "," + oneOf(g, types)
			}
			return t
		}
		s := "-m addrtype"
		if g.chance(0.5) {
			s += " " + bangIf(g.chance(0.2)) + "--src-type " + typ()
		}
		if g.chance(0.7) || s == "-m addrtype" {
			s += " " + bangIf(g.chance(0.2)) + "--dst-type " + typ()
		}
		switch {
		case g.chance(0.25) && ctx.hookOK("PREROUTING", "INPUT", "FORWARD"):
			s += " --limit-iface-in"
		case g.chance(0.25) && ctx.hookOK("FORWARD", "OUTPUT", "POSTROUTING"):
			s += " --limit-iface-out"
		}
		return s
	case 7: // rpfilter: raw and mangle PREROUTING only
		if (ctx.table != "raw" && ctx.table != "mangle") || ctx.home != "PREROUTING" {
			return ""
		}
		s := "-m rpfilter"
		for _, f := range []string{"--loose", "--validmark", "--accept-local"} {
			if g.chance(0.3) {
				s += " " + f
			}
		}
		if g.chance(0.6) {
			s += " --invert"
		}
		return s
	case 8: // iprange
		dst := g.chance(0.5)
		base := p.Src
		opt := "--src-range"
		if dst {
			base, opt = p.Dst, "--dst-range"
		}
		lo, hi := base, base
		switch g.pick(3, 2, 2, 1) {
		case 0:
			lo, hi = step(base, -oneOf(g, []int{0, 1, 5})), step(base, oneOf(g, []int{0, 1, 5}))
		case 1:
			lo, hi = step(base, 1), step(base, 1+oneOf(g, []int{0, 10}))
		case 2:
			lo, hi = step(base, -1-oneOf(g, []int{0, 10})), step(base, -1)
		case 3:
			lo, hi = g.anyAddr(n.v6), g.anyAddr(n.v6)
			if hi.Less(lo) {
				lo, hi = hi, lo
			}
		}
		return "-m iprange " + bangIf(g.chance(0.2)) + opt + " " + lo.String() + "-" + hi.String()
	case 9: // comment
		return fmt.Sprintf(`-m comment --comment "fk rule %d"`, n.n)
	case 10: // pkttype
		return "-m pkttype " + bangIf(g.chance(0.2)) + "--pkt-type " + oneOf(g, []string{"unicast", "unicast", "broadcast", "multicast"})
	case 11: // length
		l := int(p.Length)
		lo, hi := l, l
		switch g.pick(2, 2, 2, 2, 1) {
		case 1:
			hi = l + oneOf(g, []int{0, 1, 100})
		case 2:
			lo = max(l-oneOf(g, []int{0, 1, 100}), 0)
		case 3:
			lo, hi = l+1, l+100
		case 4:
			lo, hi = 0, max(l-1, 0)
		}
		r := fmt.Sprint(lo)
		if hi != lo {
			r += fmt.Sprintf(":%d", hi)
		}
		return "-m length " + bangIf(g.chance(0.2)) + "--length " + r
	case 12: // ttl / hl
		v := int(p.TTL) + oneOf(g, []int{0, 0, -1, 1, -2})
		v = min(max(v, 0), 255)
		mod, pre := "ttl", "--ttl-"
		if n.v6 {
			mod, pre = "hl", "--hl-"
		}
		switch g.pick(3, 1, 2, 2) {
		case 0:
			return fmt.Sprintf("-m %s %seq %d", mod, pre, v)
		case 1:
			return fmt.Sprintf("-m %s ! %seq %d", mod, pre, v)
		case 2:
			return fmt.Sprintf("-m %s %slt %d", mod, pre, v)
		}
		return fmt.Sprintf("-m %s %sgt %d", mod, pre, v)
	case 13: // limit: a fresh bucket per load, one packet: always credit.
		// Not where the host's own packets pass (OUTPUT, POSTROUTING):
		// its MLD and IGMP reports, sent from timers at any time, would
		// spend the credit before the packet comes.
		if !ctx.hookOK("PREROUTING", "INPUT", "FORWARD") {
			return ""
		}
		return fmt.Sprintf("-m limit --limit %s --limit-burst %d", oneOf(g, []string{"1/sec", "10/min", "100/hour", "5/day"}), 3+g.r.IntN(5))
	}
	return ""
}

// step returns a moved by k addresses (clamped to its family).
func step(a netip.Addr, k int) netip.Addr {
	for ; k > 0; k-- {
		if n := a.Next(); n.IsValid() {
			a = n
		}
	}
	for ; k < 0; k++ {
		if n := a.Prev(); n.IsValid() {
			a = n
		}
	}
	return a
}

func (n *nfGen) markMask() string {
	g := n.g
	v := oneOf(g, append([]uint32{0}, markPool...))
	if g.chance(0.4) {
		m := oneOf(g, maskPool)
		return fmt.Sprintf("0x%x/0x%x", v&m, m)
	}
	return fmt.Sprintf("0x%x", v)
}

func (n *nfGen) states(virtual bool) string {
	g := n.g
	all := []string{"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"}
	if virtual {
		all = append(all, "SNAT", "DNAT")
	}
	s := oneOf(g, all)
	if g.chance(0.35) {
		s += "," + oneOf(g, all)
	}
	return s
}

// l4Match draws -m tcp / -m udp: ports around the packet's, TCP flags.
func (n *nfGen) l4Match(proto uint8) string {
	g := n.g
	mod := "tcp"
	if proto == packet.ProtoUDP {
		mod = "udp"
	}
	sp, dp := n.pkt.SPort, n.pkt.DPort
	if !n.pkt.HasPorts() {
		sp, dp = 40000, 80
	}
	s := "-m " + mod
	rng := func(p uint16) string {
		lo, hi := g.portAround(p)
		if lo == hi && g.chance(0.7) {
			return fmt.Sprint(lo)
		}
		return fmt.Sprintf("%d:%d", lo, hi)
	}
	if g.chance(0.35) {
		s += " " + bangIf(g.chance(0.15)) + "--sport " + rng(sp)
	}
	if g.chance(0.7) {
		s += " " + bangIf(g.chance(0.15)) + "--dport " + rng(dp)
	}
	if mod == "tcp" && g.chance(0.4) {
		if g.chance(0.3) {
			s += " " + bangIf(g.chance(0.3)) + "--syn"
		} else {
			names := []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG"}
			var mask, comp []string
			for i, f := range names {
				if g.chance(0.45) {
					mask = append(mask, f)
					bit := n.pkt.TCPFlags&(1<<i) != 0
					if g.chance(0.15) {
						bit = !bit
					}
					if bit {
						comp = append(comp, f)
					}
				}
			}
			if len(mask) == 0 {
				mask = []string{"ALL"}
				comp = []string{"SYN"}
			}
			if len(comp) == 0 {
				comp = []string{"NONE"}
			}
			s += " " + bangIf(g.chance(0.15)) + "--tcp-flags " + strings.Join(mask, ",") + " " + strings.Join(comp, ",")
		}
	}
	return s
}

// multiport draws -m multiport with up to 4 ports or ranges near the
// packet's (15 is the kernel's limit).
func (n *nfGen) multiport() string {
	g := n.g
	opt, port := "--dports", n.pkt.DPort
	switch g.pick(5, 2, 2) {
	case 1:
		opt, port = "--sports", n.pkt.SPort
	case 2:
		opt = "--ports"
		if g.chance(0.5) {
			port = n.pkt.SPort
		}
	}
	if !n.pkt.HasPorts() {
		port = 80
	}
	var items []string
	for range 1 + g.r.IntN(4) {
		lo, hi := g.portAround(port)
		if g.chance(0.3) {
			lo, hi = g.portAround(oneOf(g, []uint16{22, 443, 8080, 1024}))
		}
		if lo == hi {
			items = append(items, fmt.Sprint(lo))
		} else {
			items = append(items, fmt.Sprintf("%d:%d", lo, hi))
		}
	}
	return "-m multiport " + bangIf(g.chance(0.15)) + opt + " " + strings.Join(items, ",")
}

func (n *nfGen) icmpMatch() string {
	g := n.g
	if n.v6 {
		return "-m icmp6 " + bangIf(g.chance(0.2)) + "--icmpv6-type " + oneOf(g, []string{"128", "128", "129", "1", "1/4", "echo-request", "destination-unreachable", "128/0", "128/1"})
	}
	return "-m icmp " + bangIf(g.chance(0.2)) + "--icmp-type " + oneOf(g, []string{"8", "8", "0", "13", "3", "3/3", "11", "echo-request", "any", "8/0", "8/1", "timestamp-request"})
}
