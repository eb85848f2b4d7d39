package kerneltest

import (
	"testing"

	"farend/internal/packet"
)

// multiDirectedCase is a hand-written multi-host case about one behaviour
// of the kernels of a chain.
type multiDirectedCase struct {
	name string
	c    MultiCase
	// fate and host are what the kernel must do (checked before farend
	// is asked).
	fate MultiFate
	host string
	// farendBug, when set, names a known disagreement of farend with the
	// kernel: the difference is logged, not failed, and the test fails
	// when farend starts to agree (remove the mark then).
	farendBug string
}

func multiDirected() []multiDirectedCase {
	m3 := MultiTopologies()[1]
	fwd4 := []Sysctl{{"net.ipv4.conf.all.forwarding", "1"}}
	fwd6 := []Sysctl{{"net.ipv6.conf.all.forwarding", "1"}}
	udp := func(src, dst string) packet.Packet {
		p := packet.Packet{Src: addr(src), Dst: addr(dst), Proto: packet.ProtoUDP, SPort: 40000, DPort: 53, TTL: 64}
		p.Length = ipLength(p)
		return p
	}
	return []multiDirectedCase{
		// h1 sends h2's lo address on-link out eth1: it asks ARP for
		// 198.18.0.2 on that link, and h2 answers for any of its
		// addresses on any link (arp_process, arp_ignore 0): the
		// packet reaches h2 and is delivered there.
		{name: "arp-for-lo-address", fate: MultiDelivered, host: "h2",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.0.2"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.0.2/32"), Dev: "eth1"}}},
				{Sysctls: fwd4},
				{Sysctls: fwd4},
			}}},
		// The same with arp_ignore 1 on h2: it answers only for
		// addresses of the link the request came in on.
		{name: "arp-ignore-1", fate: MultiUnresolved, host: "h1",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.0.2"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.0.2/32"), Dev: "eth1"}}},
				{Sysctls: append([]Sysctl{{"net.ipv4.conf.all.arp_ignore", "1"}}, fwd4...)},
				{Sysctls: fwd4},
			}}},
		// A gateway that is h2's address on its other link, onlink:
		// h2 answers ARP for it on eth0 and forwards the packet to h3.
		{name: "onlink-gateway-other-link", fate: MultiDelivered, host: "h3",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.0.3"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.0.3/32"), Via: addr("192.0.2.9"), Dev: "eth1", Extra: "onlink"}}},
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.0.3/32"), Via: addr("192.0.2.10"), Dev: "eth1"}}},
				{Sysctls: fwd4},
			}}},
		// IPv6: h2 answers a neighbour solicitation only for addresses
		// of the interface it came in on (ndisc_recv_ns looks the
		// target up with ipv6_get_ifaddr on that device): the lo
		// address stays unresolved.
		{name: "nd-for-lo-address", fate: MultiUnresolved, host: "h1",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("2001:db8:100::5", "2001:db8:ff::2"), Configs: []Config{
				{Sysctls: fwd6, Routes: []Route{{Dst: pfx("2001:db8:ff::2/128"), Dev: "eth1"}}},
				{Sysctls: fwd6},
				{Sysctls: fwd6},
			}}},
		// A gateway nobody holds on the h2-h3 link: h2's ARP goes
		// unanswered (NEIGHBOR_UNREACHABLE).
		{name: "gateway-nobody-holds", fate: MultiUnresolved, host: "h2",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.3.7"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.2"), Dev: "eth1"}}},
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.13"), Dev: "eth1"}}},
				{Sysctls: fwd4},
			}}},
		// h1 and h2 send the far network to each other: the packet goes
		// round until its TTL runs out (LOOP).
		{name: "loop", fate: MultiDropped, host: "h2",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("2001:db8:100::5", "2001:db8:300::7"), Configs: []Config{
				{Sysctls: fwd6, Routes: []Route{{Dst: pfx("2001:db8:300::/48"), Via: addr("2001:db8:12::2"), Dev: "eth1"}}},
				{Sysctls: fwd6, Routes: []Route{{Dst: pfx("2001:db8:300::/48"), Via: addr("2001:db8:12::1"), Dev: "eth0"}}},
				{Sysctls: fwd6},
			}}},
		// h1 sends the far network to h2, h2 sends it back, and h1, by
		// a rule for what comes in on eth1, out its edge, where it
		// masquerades. The second pass through h1 is a packet of a
		// connection h1 already tracks (same addresses and ports): its
		// nat chains are not run again (nf_nat_inet_fn runs them only
		// while the connection's NAT is not set up,
		// nf_nat_initialized), so the packet leaves unmasqueraded.
		{name: "second-pass-no-nat", fate: MultiLeft, host: "h1",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.3.7"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{
					{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.2"), Dev: "eth1"},
					{Dst: pfx("198.18.3.0/24"), Via: addr("198.51.100.2"), Dev: "eth0", Table: 100}},
					Rules:    []Rule{{Priority: 1000, IIF: "eth1", Table: 100}},
					IPTables: "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n"},
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.1"), Dev: "eth0"}}},
				{Sysctls: fwd4},
			}}},
		// Across the chain and out of h3's edge, masqueraded by h2.
		{name: "across-masquerade", fate: MultiLeft, host: "h3",
			c: MultiCase{Topology: m3, In: "eth0", Packet: udp("198.18.1.5", "198.18.3.7"), Configs: []Config{
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.2"), Dev: "eth1"}}},
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("192.0.2.10"), Dev: "eth1"}},
					IPTables: "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n"},
				{Sysctls: fwd4, Routes: []Route{{Dst: pfx("198.18.3.0/24"), Via: addr("203.0.113.2"), Dev: "eth1"}}},
			}}},
	}
}

// TestMultiHostDirected runs the hand-written multi-host cases: the
// kernel must do what each says, and farend must agree with the kernel
// (CompareMulti), but for the known farend bugs marked.
func TestMultiHostDirected(t *testing.T) {
	pool := newMultiPool(t)
	snap := t.TempDir()
	for _, d := range multiDirected() {
		t.Run(d.name, func(t *testing.T) {
			c := d.c
			c.Note = d.name
			res := replayMulti(t, pool, c, snap)
			if res.obs.Fate != d.fate || res.obs.Host != d.host {
				t.Fatalf("the kernel: %s on %s, want %s on %s\n%s", res.obs.Fate, res.obs.Host, d.fate, d.host, res.obs)
			}
			checkFarend(t, c, res, d.farendBug, "remove the farendBug mark")
		})
	}
}
