package kerneltest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"farend/internal/packet"
)

// MultiCase is one generated multi-host case: a chain of hosts, one
// Config per host, and one packet arriving on the first host's edge link.
// MultiGen{Seed}.Case(Index, Attempt) makes it again on any machine.
type MultiCase struct {
	Seed    uint64 `json:"seed"`
	Index   int    `json:"index"`
	Attempt int    `json:"attempt,omitempty"`
	// Topology is the chain, kept whole so that a saved case replays
	// even if the generator's topologies change.
	Topology MultiTopology `json:"topology"`
	// Configs are the hosts' configurations, in chain order.
	Configs []Config      `json:"configs"`
	In      string        `json:"in"`
	Packet  packet.Packet `json:"packet"`
	Note    string        `json:"note,omitempty"`
	// FarendBug, in a saved case, names a known disagreement where the
	// kernel is right and farend is to be fixed: TestMultiHostRegressions
	// then logs the difference instead of failing, and fails once farend
	// agrees (remove the mark then).
	FarendBug string `json:"farend_bug,omitempty"`
}

// Name is "m<seed>-<index>" (the regression file's name).
func (c MultiCase) Name() string { return fmt.Sprintf("m%d-%d", c.Seed, c.Index) }

// From is the host the packet arrives on.
func (c MultiCase) From() string { return c.Topology.Hosts[0].Name }

// Networks around a chain: behind the first host's edge ("near"), behind
// the last host's edge ("far"), and one nobody routes but a default
// route.
var (
	nearNet4  = netip.MustParsePrefix("198.18.1.0/24")
	nearNet6  = netip.MustParsePrefix("2001:db8:100::/48")
	farNet4   = netip.MustParsePrefix("198.18.3.0/24")
	farNet6   = netip.MustParsePrefix("2001:db8:300::/48")
	noNet4    = netip.MustParsePrefix("198.18.64.0/24")
	noNet6    = netip.MustParsePrefix("2001:db8:ffff::/48")
	loNet4    = netip.MustParsePrefix("198.18.0.0/24")
	loNet6    = netip.MustParsePrefix("2001:db8:ff::/64")
	multiMark = []uint32{0x1, 0x2, 0x10}
)

// MultiTopologies are the chains the generator builds (each once per test
// run, reused by every case drawn for it):
//
//	m2: e1 -- eth0 h1 eth1 -- eth0 h2 eth1 -- e2   (h1-h2 on a /24 and a /64)
//	m3: e1 -- eth0 h1 eth1 -- eth0 h2 eth1 -- eth0 h3 eth1 -- e3
//	    (h1-h2 on a /30, h2-h3 on a /29: addresses nobody holds)
//
// Every host has a /32 and a /128 on lo (198.18.0.<i>, 2001:db8:ff::<i>):
// addresses on no link, reached through routes, or by ARP for them on
// any link (the kernel answers ARP for any local address by default).
func MultiTopologies() []MultiTopology {
	return []MultiTopology{
		{Name: "m2", Hosts: []ChainHost{
			{Name: "h1", Loopback: pfxs("198.18.0.1/32", "2001:db8:ff::1/128"), Links: []ChainLink{
				{Name: "eth0", Addrs: pfxs("198.51.100.1/24", "2001:db8:e1::1/64"), Peers: addrs("198.51.100.2", "198.51.100.3", "2001:db8:e1::2")},
				{Name: "eth1", Addrs: pfxs("192.0.2.1/24", "2001:db8:12::1/64"), To: "h2", ToLink: "eth0"},
			}},
			{Name: "h2", Loopback: pfxs("198.18.0.2/32", "2001:db8:ff::2/128"), Links: []ChainLink{
				{Name: "eth0", Addrs: pfxs("192.0.2.2/24", "2001:db8:12::2/64"), To: "h1", ToLink: "eth1"},
				{Name: "eth1", Addrs: pfxs("203.0.113.1/24", "2001:db8:e2::1/64"), Peers: addrs("203.0.113.2", "2001:db8:e2::2")},
			}},
		}},
		{Name: "m3", Hosts: []ChainHost{
			{Name: "h1", Loopback: pfxs("198.18.0.1/32", "2001:db8:ff::1/128"), Links: []ChainLink{
				{Name: "eth0", Addrs: pfxs("198.51.100.1/24", "2001:db8:e1::1/64"), Peers: addrs("198.51.100.2", "198.51.100.3", "2001:db8:e1::2")},
				{Name: "eth1", Addrs: pfxs("192.0.2.1/30", "2001:db8:12::1/64"), To: "h2", ToLink: "eth0"},
			}},
			{Name: "h2", Loopback: pfxs("198.18.0.2/32", "2001:db8:ff::2/128"), Links: []ChainLink{
				{Name: "eth0", Addrs: pfxs("192.0.2.2/30", "2001:db8:12::2/64"), To: "h1", ToLink: "eth1"},
				{Name: "eth1", Addrs: pfxs("192.0.2.9/29", "2001:db8:23::1/64"), To: "h3", ToLink: "eth0"},
			}},
			{Name: "h3", Loopback: pfxs("198.18.0.3/32", "2001:db8:ff::3/128"), Links: []ChainLink{
				{Name: "eth0", Addrs: pfxs("192.0.2.10/29", "2001:db8:23::2/64"), To: "h2", ToLink: "eth1"},
				{Name: "eth1", Addrs: pfxs("203.0.113.1/24", "2001:db8:e3::1/64"), Peers: addrs("203.0.113.2", "2001:db8:e3::2")},
			}},
		}},
	}
}

// MultiGen makes random multi-host cases. Per case: one of
// MultiTopologies, the family, one packet (TCP SYN, UDP, ICMP echo)
// arriving on h1's edge link, and for every host of the chain:
//
//   - sysctls: forwarding (mostly on), rp_filter (all and the in-link,
//     0/1/2), sometimes accept_local and, for IPv4, arp_ignore;
//   - routes in main to every network of the chain it is not on (the
//     networks behind either edge, the other hosts' lo addresses, the
//     links it is not on) and sometimes a default route and a host route
//     to the destination: each toward the next host, the previous host,
//     an edge peer, on-link on a link (the destination resolved by
//     ARP/ND itself), via an address of the link that nobody holds, or
//     typed (blackhole, unreachable, prohibit); biased toward the side
//     where the network is, so that packets often cross the chain, and
//     sometimes loop (two hosts sending a network to each other: the
//     packet goes round until its TTL runs out), find no neighbour, or
//     are dropped mid-way;
//   - sometimes table 100 with one or two routes and a policy rule (from,
//     to, iif, fwmark set by a mangle MARK rule) or a rule action
//     (unreachable, prohibit, blackhole);
//   - a small iptables or ip6tables ruleset for the packet's family:
//     filter FORWARD and INPUT (policies, ACCEPT/DROP/REJECT on source,
//     destination, protocol, port, in/out interface, conntrack state),
//     sometimes a raw PREROUTING drop, a mangle MARK, and nat: DNAT in
//     PREROUTING (to a far network, another host's address, another
//     port) and MASQUERADE or SNAT in POSTROUTING on one link.
//
// Half the hosts (the first one more often) are drawn "calm": forwarding
// on, rp_filter off, every network routed toward its side, no policy
// rules and no ruleset, so that packets often cross the whole chain and
// the other hosts' choices are tested in a path of two or three hops.
//
// The packet's TTL is mostly 64, sometimes 1 to 4 (it runs out mid-way).
//
// Left out, and why: rules in OUTPUT and POSTROUTING filter chains and
// ICMPv6 drops before the ND accepts (they would block the hosts' own
// ARP/ND and ICMP, which farend does not trace); multipath routes (a
// hash decides); tunnels and bridges (single-host tests cover tunnels;
// a chain of veths has none); the other family's rules (only the
// packet's family is sent).
type MultiGen struct {
	Seed uint64
}

// mgen is the state of one multi-host case being generated.
type mgen struct {
	dice
	topo MultiTopology
	v6   bool
	pkt  packet.Packet
	note []string
	// calm is true while drawing a host that forwards the packet's way
	// by the book (routes toward their networks, forwarding on, no
	// drops), so that packets often cross the whole chain.
	calm bool
}

func (g *mgen) fam(v4, v6 netip.Prefix) netip.Prefix {
	if g.v6 {
		return v6
	}
	return v4
}

// addrIn is an address inside p: one of a few small host numbers.
func (g *mgen) addrIn(p netip.Prefix) netip.Addr {
	return addrNear(g, p, []int{1, 2, 5, 10, 77})
}

// Case returns case index of the generator's seed; attempt > 0 makes
// another case for the same index.
func (gen MultiGen) Case(index, attempt int) MultiCase {
	r := rand.New(rand.NewPCG(gen.Seed^0x6d756c7469, uint64(index)<<10|uint64(attempt)))
	topos := MultiTopologies()
	g := &mgen{dice: dice{r}, topo: topos[r.IntN(len(topos))]}
	g.v6 = r.IntN(2) == 1
	c := MultiCase{Seed: gen.Seed, Index: index, Attempt: attempt, Topology: g.topo}
	c.In = g.topo.Hosts[0].Links[0].Name
	g.genPacket()
	c.Packet = g.pkt
	for i := range g.topo.Hosts {
		c.Configs = append(c.Configs, g.genHost(i))
	}
	c.Note = strings.Join(g.note, "; ")
	return c
}

// hostAddr is an address of the family of host i: on a link or on lo.
func (g *mgen) hostAddr(i int) netip.Addr {
	h := g.topo.Hosts[i]
	var all []netip.Prefix
	all = append(all, famAddrs(h.Loopback, g.v6)...)
	for _, l := range h.Links {
		all = append(all, famAddrs(l.Addrs, g.v6)...)
	}
	return oneOf(g, all).Addr()
}

func (g *mgen) lastHost() int { return len(g.topo.Hosts) - 1 }

// edgeOf is the edge link of host i (the first one), or nil.
func (g *mgen) edgeOf(i int) *ChainLink {
	for j := range g.topo.Hosts[i].Links {
		if l := &g.topo.Hosts[i].Links[j]; l.To == "" {
			return l
		}
	}
	return nil
}

// linkTo is host i's link to host j, or nil.
func (g *mgen) linkTo(i, j int) *ChainLink {
	if j < 0 || j >= len(g.topo.Hosts) {
		return nil
	}
	for k := range g.topo.Hosts[i].Links {
		if l := &g.topo.Hosts[i].Links[k]; l.To == g.topo.Hosts[j].Name {
			return l
		}
	}
	return nil
}

// side is host i's link toward dir (+1 the far end of the chain, -1 the
// near end): the link to the neighbouring host, or the edge link at
// either end. gw is the neighbour's address on it (the other host's, or
// an edge peer).
func (g *mgen) side(i, dir int) (l *ChainLink, gw netip.Addr) {
	if l = g.linkTo(i, i+dir); l != nil {
		o := g.topo.Host(l.To).Link(l.ToLink)
		return l, famAddrs(o.Addrs, g.v6)[0].Addr()
	}
	if (dir < 0 && i == 0) || (dir > 0 && i == g.lastHost()) {
		if l = g.edgeOf(i); l != nil {
			if ps := famPeers(l.Peers, g.v6); len(ps) > 0 {
				return l, oneOf(g, ps)
			}
		}
	}
	return nil, netip.Addr{}
}

// freeOn is an address of l's subnet that no host and no edge peer
// holds (zero if the subnet has none).
func (g *mgen) freeOn(l *ChainLink) netip.Addr {
	p := famAddrs(l.Addrs, g.v6)[0].Masked()
	taken := map[netip.Addr]bool{}
	for _, h := range g.topo.Hosts {
		for _, x := range h.Links {
			for _, a := range x.Addrs {
				taken[a.Addr()] = true
			}
			for _, a := range x.Peers {
				taken[a] = true
			}
		}
	}
	a := p.Addr().Next()
	for range 6 {
		if !p.Contains(a) {
			break
		}
		if !taken[a] && !(a.Is4() && a == lastAddr(p)) {
			return a
		}
		a = a.Next()
	}
	return netip.Addr{}
}

// genPacket draws the packet arriving on h1's edge.
func (g *mgen) genPacket() {
	p := packet.Packet{}
	near, far, none := g.fam(nearNet4, nearNet6), g.fam(farNet4, farNet6), g.fam(noNet4, noNet6)
	edge1 := g.edgeOf(0)
	var srcWhy, dstWhy string
	switch g.pick(50, 15, 8, 10, 10, 4) {
	case 0:
		p.Src, srcWhy = g.addrIn(near), "near network"
	case 1:
		p.Src, srcWhy = oneOf(g, famPeers(edge1.Peers, g.v6)), "h1's edge peer"
	case 2:
		p.Src, srcWhy = g.addrIn(none), "unrouted"
	case 3:
		p.Src, srcWhy = g.addrIn(far), "far network (spoofed)"
	case 4:
		i := 1 + g.r.IntN(g.lastHost())
		p.Src, srcWhy = g.hostAddr(i), g.topo.Hosts[i].Name+"'s address (spoofed)"
	case 5:
		p.Src, srcWhy = g.hostAddr(0), "h1's own address"
	}
	last := g.lastHost()
	switch g.pick(34, 10, 12, 12, 5, 8, 6, 5) {
	case 0:
		p.Dst, dstWhy = g.addrIn(far), "far network"
	case 1:
		p.Dst, dstWhy = oneOf(g, famPeers(g.edgeOf(last).Peers, g.v6)), "last host's edge peer"
	case 2:
		i := g.laterHost()
		p.Dst, dstWhy = famAddrs(g.topo.Hosts[i].Loopback, g.v6)[0].Addr(), g.topo.Hosts[i].Name+"'s lo address"
	case 3:
		i := g.laterHost()
		l := oneOf(g, g.topo.Hosts[i].Links)
		p.Dst, dstWhy = famAddrs(l.Addrs, g.v6)[0].Addr(), g.topo.Hosts[i].Name+"'s "+l.Name+" address"
	case 4:
		p.Dst, dstWhy = g.addrIn(near), "near network (back out)"
	case 5:
		p.Dst, dstWhy = g.addrIn(none), "unrouted"
	case 6:
		// An address of a link between hosts that nobody holds.
		i := g.r.IntN(last)
		if a := g.freeOn(g.linkTo(i, i+1)); a.IsValid() {
			p.Dst, dstWhy = a, "nobody's address on a link between hosts"
		} else {
			p.Dst, dstWhy = g.addrIn(far), "far network"
		}
	case 7:
		l := g.edgeOf(last)
		p.Dst, dstWhy = g.addrIn(famAddrs(l.Addrs, g.v6)[0].Masked()), "on the last host's edge subnet"
	}
	if p.Src == p.Dst {
		p.Src, srcWhy = g.addrIn(near), "near network"
	}
	switch g.pick(4, 3, 3) {
	case 0:
		p.Proto, p.TCPFlags = packet.ProtoTCP, packet.TCPSyn
	case 1:
		p.Proto = packet.ProtoUDP
	case 2:
		p.Proto, p.ICMPType = packet.ProtoICMP, 8
		if g.v6 {
			p.Proto, p.ICMPType = packet.ProtoICMPv6, 128
		}
	}
	if p.HasPorts() {
		p.SPort = oneOf(g, []uint16{40000, 40000, 1024, 5353})
		p.DPort = oneOf(g, []uint16{22, 53, 80, 80, 443, 8080})
	}
	p.TTL = 64
	if g.chance(0.15) {
		p.TTL = uint8(1 + g.r.IntN(4))
	}
	p.Length = ipLength(p)
	g.pkt = p
	g.note = append(g.note, fmt.Sprintf("source: %s; destination: %s", srcWhy, dstWhy))
}

// laterHost is a host of the chain, the first one less often.
func (g *mgen) laterHost() int {
	if g.chance(0.2) {
		return 0
	}
	return 1 + g.r.IntN(g.lastHost())
}

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
