package kerneltest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
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
