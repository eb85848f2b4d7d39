package kerneltest

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"farend/internal/packet"
)

// dirOf says on which side of host i the network p is: +1 toward the
// far end, -1 toward the near end, 0 on the host itself or unknown.
func (g *mgen) dirOf(i int, p netip.Prefix) int {
	if p.Overlaps(g.fam(nearNet4, nearNet6)) {
		return -1
	}
	if p.Overlaps(g.fam(farNet4, farNet6)) {
		return 1
	}
	for j, h := range g.topo.Hosts {
		var mine []netip.Prefix
		mine = append(mine, famAddrs(h.Loopback, g.v6)...)
		for _, l := range h.Links {
			mine = append(mine, famAddrs(l.Addrs, g.v6)...)
		}
		for _, a := range mine {
			if p.Contains(a.Addr()) || a.Masked() == p {
				switch {
				case j > i:
					return 1
				case j < i:
					return -1
				}
			}
		}
	}
	return 0
}

// route draws a route to dst on host i in table, toward dir (0: either).
func (g *mgen) route(i int, dst netip.Prefix, table, dir int) (Route, string) {
	if dir == 0 {
		dir = oneOf(g, []int{-1, 1})
	}
	r := Route{Dst: dst.Masked(), Table: table}
	for range 4 {
		k := g.pick(62, 9, 6, 5, 3, 3, 3, 2)
		if g.calm {
			k = 0
		}
		switch k {
		case 0, 1:
			d := dir
			if k == 1 {
				d = -dir // the other way: loops
			}
			l, gw := g.side(i, d)
			if l == nil || (dst.IsSingleIP() && dst.Addr() == gw) {
				continue
			}
			r.Via, r.Dev = gw, l.Name
			if d == dir {
				return r, "toward"
			}
			return r, "away"
		case 2:
			// On-link: the destination itself is resolved on the link.
			l, _ := g.side(i, dir)
			if l == nil {
				continue
			}
			r.Dev = l.Name
			return r, "on-link"
		case 3:
			l, _ := g.side(i, dir)
			if l == nil {
				continue
			}
			a := g.freeOn(l)
			if !a.IsValid() {
				continue
			}
			r.Via, r.Dev = a, l.Name
			return r, "via nobody"
		case 4:
			r.Type = "blackhole"
		case 5:
			r.Type = "unreachable"
		case 6:
			r.Type = "prohibit"
		case 7:
			// Through an address of the next host that is not on the
			// link (onlink): ARP for it on the link.
			l, _ := g.side(i, dir)
			if l == nil || l.To == "" || g.v6 {
				continue
			}
			r.Via, r.Dev, r.Extra = famAddrs(g.topo.Host(l.To).Loopback, false)[0].Addr(), l.Name, "onlink"
			return r, "onlink via a lo address"
		}
		if r.Type != "" {
			return r, r.Type
		}
	}
	l, gw := g.side(i, dir)
	if l == nil {
		return Route{Type: "unreachable", Dst: dst.Masked(), Table: table}, "unreachable"
	}
	r.Via, r.Dev = gw, l.Name
	return r, "toward"
}

// genHost draws host i's configuration.
func (g *mgen) genHost(i int) Config {
	h := g.topo.Hosts[i]
	var c Config
	// The first host is calm more often: else most packets end there.
	g.calm = g.chance(0.5) || (i == 0 && g.chance(0.3))
	set := func(k, v string) { c.Sysctls = append(c.Sysctls, Sysctl{k, v}) }
	fwd := "1"
	if !g.calm && g.chance(0.1) {
		fwd = "0"
	}
	if g.v6 {
		set("net.ipv6.conf.all.forwarding", fwd)
	} else {
		set("net.ipv4.conf.all.forwarding", fwd)
	}
	in, _ := g.side(i, -1)
	if !g.v6 {
		rpf := []string{"0", "1", "2"}[g.pick(5, 3, 2)]
		if g.calm {
			rpf = "0"
		}
		set("net.ipv4.conf.all.rp_filter", rpf)
		if in != nil && !g.calm && g.chance(0.3) {
			set("net.ipv4.conf."+in.Name+".rp_filter", oneOf(g, []string{"0", "1", "2"}))
		}
		if g.chance(0.05) {
			set("net.ipv4.conf.all.accept_local", "1")
		}
		if g.chance(0.1) {
			set("net.ipv4.conf.all.arp_ignore", oneOf(g, []string{"1", "2"}))
		}
	}

	// Routes.
	seen := map[string]bool{}
	var why []string
	add := func(dst netip.Prefix, table, dir int) {
		r, w := g.route(i, dst, table, dir)
		k := fmt.Sprintf("%d %s", r.Table, r.Dst)
		if seen[k] {
			return
		}
		seen[k] = true
		c.Routes = append(c.Routes, r)
		why = append(why, fmt.Sprintf("%s %s", r.Dst, w))
	}
	connected := map[netip.Prefix]bool{}
	for _, l := range h.Links {
		for _, a := range famAddrs(l.Addrs, g.v6) {
			connected[a.Masked()] = true
		}
	}
	var targets []netip.Prefix
	targets = append(targets, g.fam(nearNet4, nearNet6), g.fam(farNet4, farNet6))
	for j, o := range g.topo.Hosts {
		if j != i {
			targets = append(targets, famAddrs(o.Loopback, g.v6)[0])
		}
		for _, l := range o.Links {
			if p := famAddrs(l.Addrs, g.v6)[0].Masked(); !connected[p] && !slices.Contains(targets, p) {
				targets = append(targets, p)
			}
		}
	}
	for _, t := range targets {
		if g.calm || g.chance(0.85) {
			add(t, 0, g.dirOf(i, t))
		}
	}
	if g.chance(0.1) {
		// The lo addresses as one prefix.
		add(g.fam(loNet4, loNet6), 0, 0)
	}
	if g.chance(0.4) {
		add(netip.PrefixFrom(g.fam(nearNet4, nearNet6).Addr(), 0), 0, oneOf(g, []int{1, 1, -1}))
	}
	if g.calm {
		g.note = append(g.note, h.Name+" (calm): "+strings.Join(why, ", "))
		g.calm = false
		return c
	}
	if g.chance(0.08) {
		add(netip.PrefixFrom(g.pkt.Dst, g.pkt.Dst.BitLen()), 0, 0)
	}

	// Policy routing: table 100 and a rule.
	var mark uint32
	if g.chance(0.25) {
		for range 1 + g.r.IntN(2) {
			base := g.pkt.Dst
			if g.chance(0.3) {
				base = g.pkt.Src
			}
			bits := oneOf(g, []int{base.BitLen(), 24, 16})
			if g.v6 {
				bits = oneOf(g, []int{128, 64, 48})
			}
			p, _ := base.Prefix(bits)
			if g.chance(0.2) {
				p = netip.PrefixFrom(p.Addr(), 0)
			}
			add(p, 100, g.dirOf(i, p))
		}
		r := Rule{V6: g.v6, Priority: 1000, Table: 100}
		switch g.pick(4, 2, 2, 2) {
		case 0:
			b := g.pkt.Src.BitLen() - oneOf(g, []int{0, 8, 16})
			r.From, _ = g.pkt.Src.Prefix(b)
		case 1:
			r.To, _ = g.pkt.Dst.Prefix(g.pkt.Dst.BitLen())
		case 2:
			if in != nil {
				r.IIF = in.Name
			}
		case 3:
			mark = oneOf(g, multiMark)
			r.FWMark = mark
		}
		if g.chance(0.15) {
			r.Action = oneOf(g, []string{"unreachable", "prohibit", "blackhole"})
		}
		c.Rules = append(c.Rules, r)
		why = append(why, "rule "+r.Args())
	}
	g.note = append(g.note, h.Name+": "+strings.Join(why, ", "))

	rs := g.genRuleset(i, mark)
	if g.v6 {
		c.IP6Tables = rs
	} else {
		c.IPTables = rs
	}
	return c
}

// prefixAround is a prefix holding a, or its neighbour of the same length
// (a near miss).
func (g *mgen) prefixAround(a netip.Addr) netip.Prefix {
	bits := oneOf(g, []int{32, 24, 16})
	if a.Is6() {
		bits = oneOf(g, []int{128, 64, 48})
	}
	if g.chance(0.3) {
		a = flipBit(a, bits-1)
	}
	p, _ := a.Prefix(bits)
	return p
}

// genRuleset draws host i's ruleset for the packet's family.
func (g *mgen) genRuleset(i int, mark uint32) string {
	h := g.topo.Hosts[i]
	v6 := g.v6
	icmp := "icmp"
	if v6 {
		icmp = "ipv6-icmp"
	}
	// ndAccept keeps the hosts' own neighbour discovery out of reach of
	// the drops that follow (ARP is not filtered by iptables).
	ndAccept := func(chain string) []string {
		if !v6 {
			return nil
		}
		return []string{
			fmt.Sprintf("-A %s -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT", chain),
			fmt.Sprintf("-A %s -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT", chain),
		}
	}
	link := func() string { return oneOf(g, h.Links).Name }
	match := func() string {
		var m []string
		if g.chance(0.35) {
			m = append(m, "-s "+g.prefixAround(g.pkt.Src).String())
		}
		if g.chance(0.45) {
			m = append(m, "-d "+g.prefixAround(g.pkt.Dst).String())
		}
		if g.chance(0.4) {
			switch {
			case g.pkt.HasPorts() && g.chance(0.6):
				proto := "tcp"
				if g.pkt.Proto == packet.ProtoUDP {
					proto = "udp"
				}
				if g.chance(0.2) {
					proto = oneOf(g, []string{"tcp", "udp"})
				}
				port := g.pkt.DPort
				if g.chance(0.3) {
					port = oneOf(g, []uint16{22, 53, 80, 443})
				}
				m = append(m, fmt.Sprintf("-p %s -m %s --dport %d", proto, proto, port))
			default:
				m = append(m, "-p "+oneOf(g, []string{"tcp", "udp", icmp}))
			}
		}
		if g.chance(0.2) {
			m = append(m, "-i "+link())
		}
		if g.chance(0.05) {
			m = append(m, "-m conntrack --ctstate NEW")
		}
		return strings.Join(m, " ")
	}
	rule := func(chain, targets string) string {
		t := strings.Fields(targets)[g.pick(6, 3, 1)%len(strings.Fields(targets))]
		if t == "REJECT" && !v6 && g.chance(0.3) {
			t = "REJECT --reject-with icmp-host-prohibited"
		}
		return strings.TrimSpace(fmt.Sprintf("-A %s %s -j %s", chain, match(), t))
	}
	var b strings.Builder
	// raw and mangle.
	if g.chance(0.08) || mark != 0 {
		fmt.Fprintf(&b, "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
		if mark == 0 {
			for _, l := range ndAccept("PREROUTING") {
				b.WriteString(l + "\n")
			}
			b.WriteString(rule("PREROUTING", "DROP") + "\n")
		}
		b.WriteString("COMMIT\n")
	}
	if mark != 0 || g.chance(0.08) {
		if mark == 0 {
			mark = oneOf(g, multiMark)
		}
		fmt.Fprintf(&b, "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n")
		fmt.Fprintf(&b, "%s\n", strings.TrimSpace(fmt.Sprintf("-A PREROUTING %s -j MARK --set-xmark 0x%x/0xffffffff", match(), mark)))
		b.WriteString("COMMIT\n")
	}
	// nat.
	if g.chance(0.35) {
		fmt.Fprintf(&b, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n")
		if g.chance(0.6) {
			var to netip.Addr
			switch g.pick(3, 3, 1) {
			case 0:
				to = g.addrIn(g.fam(farNet4, farNet6))
			case 1:
				to = g.hostAddr(g.r.IntN(len(g.topo.Hosts)))
			case 2:
				to = g.addrIn(g.fam(nearNet4, nearNet6))
			}
			dest := to.String()
			if v6 {
				dest = "[" + dest + "]"
			}
			m := match()
			if g.chance(0.5) {
				m = "-d " + netip.PrefixFrom(g.pkt.Dst, g.pkt.Dst.BitLen()).String()
			}
			if g.pkt.HasPorts() && g.chance(0.4) {
				proto := "tcp"
				if g.pkt.Proto == packet.ProtoUDP {
					proto = "udp"
				}
				m = fmt.Sprintf("%s -p %s -m %s --dport %d", "-d "+g.prefixAround(g.pkt.Dst).String(), proto, proto, g.pkt.DPort)
				dest += ":8080"
			}
			fmt.Fprintf(&b, "%s\n", strings.TrimSpace(fmt.Sprintf("-A PREROUTING %s -j DNAT --to-destination %s", m, dest)))
		}
		if g.chance(0.6) {
			l := link()
			if g.chance(0.5) {
				fmt.Fprintf(&b, "-A POSTROUTING -o %s -j MASQUERADE\n", l)
			} else {
				src := famAddrs(h.Loopback, v6)[0].Addr()
				fmt.Fprintf(&b, "-A POSTROUTING -o %s -j SNAT --to-source %s\n", l, src)
			}
		}
		b.WriteString("COMMIT\n")
	}
	// filter.
	fwdPol, inPol := "ACCEPT", "ACCEPT"
	if g.chance(0.15) {
		fwdPol = "DROP"
	}
	if g.chance(0.1) {
		inPol = "DROP"
	}
	fmt.Fprintf(&b, "*filter\n:INPUT %s [0:0]\n:FORWARD %s [0:0]\n:OUTPUT ACCEPT [0:0]\n", inPol, fwdPol)
	nIn := g.pick(5, 3, 2)
	if nIn > 0 || inPol == "DROP" {
		for _, l := range ndAccept("INPUT") {
			b.WriteString(l + "\n")
		}
	}
	for range nIn {
		b.WriteString(rule("INPUT", "ACCEPT DROP REJECT") + "\n")
	}
	for range g.pick(3, 3, 2, 1) {
		t := "ACCEPT DROP REJECT"
		b.WriteString(rule("FORWARD", t) + "\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}
