package kerneltest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"farend/internal/packet"
)

// Case is one generated differential case: a host (Spec), the packet and
// the interface it arrives on. Gen{Seed}.Case(Index) makes the same case
// again on any machine.
type Case struct {
	// Kind is "" for Gen's cases and "nft" for GenNFT's.
	Kind  string `json:"kind,omitempty"`
	Seed  uint64 `json:"seed"`
	Index int    `json:"index"`
	// Attempt is the number of earlier versions of this case that the
	// kernel refused (iptables-restore or ip said no); the case kept is
	// the first one it accepted.
	Attempt int           `json:"attempt,omitempty"`
	Spec    Spec          `json:"spec"`
	In      string        `json:"in"`
	Packet  packet.Packet `json:"packet"`
	// Note says how the case was made (for people reading a failure).
	Note string `json:"note,omitempty"`
}

// Name is "<seed>-<index>", or "<kind>-<seed>-<index>" (the regression
// file's name).
func (c Case) Name() string {
	if c.Kind != "" {
		return fmt.Sprintf("%s-%d-%d", c.Kind, c.Seed, c.Index)
	}
	return fmt.Sprintf("%d-%d", c.Seed, c.Index)
}

// Gen makes random cases covering what the Linux engine models (issue
// "Linux host engine"): one of a few fixed topologies (2 to 4 links,
// IPv4 and IPv6, veths named like tunnels), and per case sysctls
// (forwarding, rp_filter, src_valid_mark, accept_local), routes in the
// main table and tables 100 and 200 (including blackhole, unreachable,
// prohibit and throw), policy rules (from, to, iif, oif, fwmark/mask,
// ipproto/dport, not, lookup, goto, nop, blackhole, unreachable,
// prohibit, suppress_prefixlength), an iptables and an ip6tables ruleset
// over raw, mangle, nat, filter and security (user chains, -j, -g,
// RETURN, policies, every match and target gen_netfilter_match.go and
// gen_netfilter_target.go list), and one packet (TCP, UDP, ICMP,
// ICMPv6) arriving on one link.
//
// The generator is biased toward cases where the answer hangs on a
// detail: rule prefixes, port ranges, lengths and TTLs are drawn around
// the packet's own values so that they just match or just miss; marks
// come from one small pool shared by MARK, -m mark, ip rule fwmark and
// rpfilter --validmark; routes back to the source sit in other tables
// than the forward routes (rp_filter and rpfilter asymmetry).
//
// What it leaves out, and why, is listed in gen_netfilter*.go and
// gen_routing.go next to where it would be generated.
type Gen struct {
	Seed uint64
}

// Case returns case index of the generator's seed; attempt > 0 makes
// another case for the same index (used when the kernel refused the
// previous attempt).
func (g Gen) Case(index, attempt int) Case {
	r := rand.New(rand.NewPCG(g.Seed, uint64(index)<<10|uint64(attempt)))
	cg, c := drawHost(r, "", g.Seed, index, attempt)
	v4, v6 := cg.genRulesets()
	c.Spec.IPTables, c.Spec.IP6Tables = v4, v6
	c.Note = cg.note
	return c
}

// drawHost starts case index (attempt) of a single-host generator (Gen,
// GenNFT: kind) from r: the topology, the family, the packet, the
// sysctls and the routing. The rulesets are the generator's to draw.
func drawHost(r *rand.Rand, kind string, seed uint64, index, attempt int) (*caseGen, Case) {
	topos := GenTopologies()
	cg := &caseGen{dice: dice{r}, topo: topos[r.IntN(len(topos))]}
	cg.v6 = r.IntN(2) == 1
	cg.genPacket()
	c := Case{Kind: kind, Seed: seed, Index: index, Attempt: attempt, In: cg.in.Name, Packet: cg.pkt}
	c.Spec.Topology = cg.topo
	c.Spec.Sysctls = cg.genSysctls()
	c.Spec.Routes, c.Spec.Rules = cg.genRouting()
	return cg, c
}

// GenTopologies are the hosts the generator builds: each is built once
// per test run and reused by every case drawn for it.
func GenTopologies() []Topology {
	return []Topology{
		{Host: "d2", Links: []Link{
			{Name: "eth0", Addrs: pfxs("198.51.100.1/24", "2001:db8:a::1/64"),
				Peers: addrs("198.51.100.2", "198.51.100.3", "2001:db8:a::2", "2001:db8:a::3")},
			{Name: "sit1", Addrs: pfxs("192.0.2.1/24", "2001:db8:5::2/64"),
				Peers: addrs("192.0.2.2", "2001:db8:5::1")},
		}},
		{Host: "d3", Links: []Link{
			{Name: "eth0", Addrs: pfxs("198.51.100.1/24", "2001:db8:a::1/64"),
				Peers: addrs("198.51.100.2", "2001:db8:a::2")},
			{Name: "gre1", Addrs: pfxs("192.0.2.1/25", "2001:db8:5::2/64"),
				Peers: addrs("192.0.2.2", "2001:db8:5::1")},
			{Name: "docker0", Addrs: pfxs("203.0.113.1/24", "2001:db8:d0c::1/64"),
				Peers: addrs("203.0.113.2", "203.0.113.3", "2001:db8:d0c::2", "2001:db8:d0c::3")},
		}},
		{Host: "d4", Links: []Link{
			// Two primaries of different subnets and a secondary: the
			// source MASQUERADE picks depends on the next hop.
			{Name: "eth0", Addrs: pfxs("198.51.100.1/25", "198.51.100.129/25", "198.51.100.5/25", "2001:db8:a::1/64", "2001:db8:b::1/64"),
				Peers: addrs("198.51.100.2", "198.51.100.130", "2001:db8:a::2", "2001:db8:b::2")},
			{Name: "eth1", Addrs: pfxs("192.0.2.65/26", "2001:db8:1::1/64"),
				Peers: addrs("192.0.2.66", "2001:db8:1::2")},
			{Name: "sit1", Addrs: pfxs("192.0.2.1/26", "2001:db8:5::2/64"),
				Peers: addrs("192.0.2.2", "2001:db8:5::1")},
			{Name: "veth9", Addrs: pfxs("203.0.113.1/24", "2001:db8:d0c::1/64"),
				Peers: addrs("203.0.113.2", "2001:db8:d0c::2")},
		}},
	}
}

func pfxs(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// Networks behind the peers (routed per case) and one nobody routes
// except a default route.
var (
	remotes4  = pfxs("198.18.1.0/24", "198.18.2.0/24", "198.19.0.0/16", "198.18.128.0/17")
	remotes6  = pfxs("2001:db8:100::/48", "2001:db8:200::/48", "2001:db8:1000::/36", "2001:db8:300::/56")
	unrouted4 = netip.MustParsePrefix("198.18.64.0/24")
	unrouted6 = netip.MustParsePrefix("2001:db8:ffff::/48")
)

// caseGen is the state of one case being generated.
type caseGen struct {
	dice
	topo Topology
	v6   bool
	in   Link
	pkt  packet.Packet
	// alt is a packet of the other family, to aim that family's ruleset
	// at something.
	alt  packet.Packet
	note string
}

// hostAddrs are the host's addresses of a family on l.
func hostAddrs(l Link, v6 bool) []netip.Prefix { return famAddrs(l.Addrs, v6) }

// peersOf are the machines of a family behind l.
func peersOf(l Link, v6 bool) []netip.Addr { return famPeers(l.Peers, v6) }

// famAddrs are the addresses of the family among ps.
func famAddrs(ps []netip.Prefix, v6 bool) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		if p.Addr().Is6() == v6 {
			out = append(out, p)
		}
	}
	return out
}

// famPeers are the addresses of the family among as.
func famPeers(as []netip.Addr, v6 bool) []netip.Addr {
	var out []netip.Addr
	for _, a := range as {
		if a.Is6() == v6 {
			out = append(out, a)
		}
	}
	return out
}

func (g *caseGen) otherLinks() []Link {
	var out []Link
	for _, l := range g.topo.Links {
		if l.Name != g.in.Name {
			out = append(out, l)
		}
	}
	return out
}

// inPrefix returns an address inside p: one of a few small host numbers,
// so that rules and routes drawn around one address often meet another.
func (g *caseGen) inPrefix(p netip.Prefix) netip.Addr {
	return addrNear(g, p, []int{1, 2, 5, 10, 77, 200})
}

func (g *caseGen) remotes(v6 bool) []netip.Prefix {
	if v6 {
		return remotes6
	}
	return remotes4
}

func unrouted(v6 bool) netip.Prefix {
	if v6 {
		return unrouted6
	}
	return unrouted4
}

// anyAddr is an address of the family from anywhere the topology knows:
// the host, its peers, remote or unrouted networks.
func (g *caseGen) anyAddr(v6 bool) netip.Addr {
	l := oneOf(g, g.topo.Links)
	switch g.pick(2, 3, 4, 1) {
	case 0:
		return oneOf(g, hostAddrs(l, v6)).Addr()
	case 1:
		return oneOf(g, peersOf(l, v6))
	case 2:
		return g.inPrefix(oneOf(g, g.remotes(v6)))
	}
	return g.inPrefix(unrouted(v6))
}

// genPacket draws the in-link and the packet: a source from the in-link's
// peers, a remote network, nowhere, another link or the host itself; a
// destination on the host, on another link, behind a gateway, nowhere,
// or (IPv4) a subnet broadcast, (IPv6) a subnet-router anycast address.
func (g *caseGen) genPacket() {
	g.in = oneOf(g, g.topo.Links)
	g.pkt = g.packetOf(g.v6, true)
	g.alt = g.packetOf(!g.v6, false)
}

func (g *caseGen) packetOf(v6, record bool) packet.Packet {
	p := packet.Packet{}
	var srcWhy, dstWhy string
	others := g.otherLinks()
	switch g.pick(25, 40, 8, 10, 6) {
	case 0:
		p.Src, srcWhy = oneOf(g, peersOf(g.in, v6)), "in-link peer"
	case 1:
		p.Src, srcWhy = g.inPrefix(oneOf(g, g.remotes(v6))), "remote network"
	case 2:
		p.Src, srcWhy = g.inPrefix(unrouted(v6)), "unrouted"
	case 3:
		p.Src, srcWhy = oneOf(g, peersOf(oneOf(g, others), v6)), "peer of another link"
	case 4:
		p.Src, srcWhy = oneOf(g, hostAddrs(oneOf(g, g.topo.Links), v6)).Addr(), "the host's own address"
	}
	switch g.pick(15, 10, 22, 4, 34, 10, 3) {
	case 0:
		p.Dst, dstWhy = oneOf(g, hostAddrs(g.in, v6)).Addr(), "host address on the in-link"
	case 1:
		p.Dst, dstWhy = oneOf(g, hostAddrs(oneOf(g, others), v6)).Addr(), "host address on another link"
	case 2:
		p.Dst, dstWhy = oneOf(g, peersOf(oneOf(g, others), v6)), "peer of another link"
	case 3:
		p.Dst, dstWhy = oneOf(g, peersOf(g.in, v6)), "peer of the in-link"
	case 4:
		p.Dst, dstWhy = g.inPrefix(oneOf(g, g.remotes(v6))), "remote network"
	case 5:
		p.Dst, dstWhy = g.inPrefix(unrouted(v6)), "unrouted"
	case 6:
		// IPv4: the broadcast address of a subnet of the in-link (sent in
		// a broadcast frame); IPv6: the subnet-router anycast address
		// (a local route once forwarding is on).
		h := oneOf(g, hostAddrs(g.in, v6))
		if v6 {
			p.Dst, dstWhy = h.Masked().Addr(), "subnet-router anycast"
		} else {
			p.Dst, dstWhy = lastAddr(h), "subnet broadcast"
		}
	}
	if p.Src == p.Dst {
		p.Src, srcWhy = oneOf(g, peersOf(g.in, v6)), "in-link peer"
	}
	switch g.pick(4, 3, 3) {
	case 0:
		p.Proto, p.TCPFlags = packet.ProtoTCP, packet.TCPSyn
		// Only flags that conntrack takes as the start of a connection
		// (tcp_new: SYN, or ACK with nf_conntrack_tcp_loose): a SYN-ACK
		// or a lone FIN would be INVALID, which farend is not told.
		switch g.pick(7, 2, 1) {
		case 1:
			p.TCPFlags = packet.TCPAck
		case 2:
			p.TCPFlags = packet.TCPAck | packet.TCPPsh
		}
	case 1:
		p.Proto = packet.ProtoUDP
	case 2:
		// Echo requests only: conntrack makes other ICMP types without a
		// connection INVALID (icmp_new, icmpv6_new), and ICMPv6 ND/MLD
		// untracked.
		p.Proto, p.ICMPType = packet.ProtoICMP, 8
		if v6 {
			p.Proto, p.ICMPType = packet.ProtoICMPv6, 128
		} else if g.chance(0.15) {
			p.ICMPType = 13 // timestamp request
		}
	}
	if p.HasPorts() {
		p.SPort = oneOf(g, []uint16{40000, 40000, 1024, 1023, 65535, 5353, 123, 33434})
		p.DPort = oneOf(g, []uint16{22, 53, 80, 80, 443, 8080, 1, 1023, 1024, 65535})
	}
	if !v6 && g.chance(0.3) {
		// The IPv4 TOS byte: DSCP values inside and outside the legacy
		// TOS bits (0x1c) that routes with a tos keep, and one with an
		// ECN bit set. (IPv6 traffic classes are left at 0.)
		p.TOS = oneOf(g, []uint8{0x10, 0x08, 0x04, 0x28, 0xb8, 0x12, 0x14})
	}
	switch g.pick(85, 5, 5, 5) {
	case 0:
		p.TTL = 64
	case 1:
		p.TTL = 1
	case 2:
		p.TTL = 2
	case 3:
		p.TTL = 255
	}
	p.Length = ipLength(p)
	if record {
		g.note = fmt.Sprintf("source: %s; destination: %s", srcWhy, dstWhy)
	}
	return p
}
