package network

import (
	"net/netip"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/topology"
	"farend/internal/trace"
	"farend/internal/vendors/iptables"
)

// lab builds Linux hosts for the tests: each host's interfaces with their
// addresses, connected and local routes derived from them, extra routes,
// forwarding on and rp_filter off, and an optional iptables-save.
type lab struct {
	t    *testing.T
	devs []*model.Device
}

func (l *lab) host(name string, ifaces map[string][]string, routes [][3]string, rules string) *model.Device {
	d := &model.Device{Name: name, Kind: model.KindLinux, Sysctl: model.Sysctl{
		"net.ipv4.conf.all.forwarding": "1", "net.ipv6.conf.all.forwarding": "1", "net.ipv4.conf.all.rp_filter": "0",
	}}
	d.Interfaces = append(d.Interfaces, model.Interface{Name: "lo", Loopback: true, Up: true, LowerUp: true, Addrs: []model.Address{{Prefix: netip.MustParsePrefix("127.0.0.1/8")}}})
	d.Routes = append(d.Routes, model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("127.0.0.0/8"), Nexthops: []model.Nexthop{{Dev: "lo"}}})
	for _, n := range sortedKeys(ifaces) {
		itf := model.Interface{Name: n, Up: true, LowerUp: true, MTU: 1500}
		for _, a := range ifaces[n] {
			p := netip.MustParsePrefix(a)
			itf.Addrs = append(itf.Addrs, model.Address{Prefix: p})
			d.Sysctl["net.ipv4.conf."+n+".forwarding"] = "1"
			d.Sysctl["net.ipv4.conf."+n+".rp_filter"] = "0"
			d.Sysctl["net.ipv6.conf."+n+".forwarding"] = "1"
			d.Routes = append(d.Routes,
				model.Route{Table: model.TableMain, Dst: p.Masked(), Nexthops: []model.Nexthop{{Dev: n}}, Protocol: "kernel", Scope: "link"},
				model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.PrefixFrom(p.Addr(), p.Addr().BitLen()), Nexthops: []model.Nexthop{{Dev: n}}, Protocol: "kernel"})
		}
		d.Interfaces = append(d.Interfaces, itf)
	}
	for _, r := range routes {
		rt := model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix(r[0]), Nexthops: []model.Nexthop{{Dev: r[2]}}}
		if r[1] != "" {
			rt.Nexthops[0].Gateway = netip.MustParseAddr(r[1])
		}
		d.Routes = append(d.Routes, rt)
	}
	if rules != "" {
		rs, notes := iptables.Parse("iptables-save", []byte(rules), netfilter.IPv4)
		if len(notes) > 0 {
			l.t.Fatalf("%s: %v", name, notes)
		}
		d.Filter4 = rs
	}
	l.devs = append(l.devs, d)
	return d
}

func sortedKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func (l *lab) net() *Network { return New(l.devs, topology.Infer(l.devs, nil)) }

func udp(src, dst string, dport uint16) packet.Packet {
	return packet.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: packet.ProtoUDP, SPort: 40000, DPort: dport, TTL: 64, Length: 28}
}

func nodes(t trace.Trace) string {
	var s []string
	for _, h := range t.Hops {
		s = append(s, h.Node)
	}
	return strings.Join(s, " ")
}

func mustTrace(t *testing.T, n *Network, req Request) trace.Trace {
	t.Helper()
	tr, err := n.Trace(req)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func want(t *testing.T, tr trace.Trace, d trace.Disposition, path string) {
	t.Helper()
	if tr.Disposition != d || nodes(tr) != path {
		var b strings.Builder
		trace.WriteText(&b, tr)
		t.Fatalf("got %s via [%s], want %s via [%s]\n%s", tr.Disposition, nodes(tr), d, path, b.String())
	}
}

// a --(198.51.100.0/30)-- b --(198.51.100.4/30)-- c, c has 192.0.2.1/24
// on a LAN with nobody else; a uplink 203.0.113.1/24 to the outside.
func chain(t *testing.T, cReturn bool) *lab {
	l := &lab{t: t}
	l.host("a", map[string][]string{"eth0": {"198.51.100.1/30"}, "up": {"203.0.113.1/24"}},
		[][3]string{{"192.0.2.0/24", "198.51.100.2", "eth0"}, {"0.0.0.0/0", "203.0.113.254", "up"}}, "")
	l.host("b", map[string][]string{"eth0": {"198.51.100.2/30"}, "eth1": {"198.51.100.5/30"}},
		[][3]string{{"192.0.2.0/24", "198.51.100.6", "eth1"}, {"0.0.0.0/0", "198.51.100.1", "eth0"}}, "")
	var cr [][3]string
	if cReturn {
		cr = append(cr, [3]string{"0.0.0.0/0", "198.51.100.5", "eth0"})
	}
	l.host("c", map[string][]string{"eth0": {"198.51.100.6/30"}, "lan": {"192.0.2.1/24"}}, cr, "")
	return l
}

func TestAcrossDevices(t *testing.T) {
	n := chain(t, true).net()
	// a sends to c's LAN address: accepted at c.
	tr := mustTrace(t, n, Request{From: "a", Pkt: udp("198.51.100.1", "192.0.2.1", 53)})
	want(t, tr, trace.Accepted, "a b c")
	if tr.Hops[1].InInterface != "eth0" || tr.Hops[2].InInterface != "eth0" {
		t.Errorf("in interfaces: %+v", tr.Hops)
	}
	// To a host on c's LAN that no device is: delivered to the subnet.
	tr = mustTrace(t, n, Request{From: "a", Pkt: udp("198.51.100.1", "192.0.2.77", 53)})
	want(t, tr, trace.DeliveredToSubnet, "a b c")
	// To the outside from b: back through a and out its uplink.
	tr = mustTrace(t, n, Request{From: "b", Pkt: udp("198.51.100.2", "8.8.8.8", 53)})
	want(t, tr, trace.ExitsNetwork, "b a")
	if tr.OutInterface != "up" || tr.NextHop != "203.0.113.254" {
		t.Errorf("exit: %s via %s", tr.OutInterface, tr.NextHop)
	}
}

func TestNeighborUnreachable(t *testing.T) {
	l := chain(t, true)
	// b's route to 192.0.2.0/24 points at .7, which nobody on the link
	// holds.
	l.devs[1].Routes[len(l.devs[1].Routes)-2].Nexthops[0].Gateway = netip.MustParseAddr("198.51.100.7")
	n := l.net()
	tr := mustTrace(t, n, Request{From: "a", Pkt: udp("198.51.100.1", "192.0.2.1", 53)})
	want(t, tr, trace.NeighborUnreachable, "a b")
	if !strings.Contains(tr.Reason, "198.51.100.7") || !strings.Contains(tr.Reason, "c:eth0") {
		t.Errorf("reason: %s", tr.Reason)
	}
}

func TestLoop(t *testing.T) {
	l := chain(t, true)
	// a and b each send 198.18.0.0/15 to the other.
	l.devs[0].Routes = append(l.devs[0].Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/15"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.2"), Dev: "eth0"}}})
	l.devs[1].Routes = append(l.devs[1].Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/15"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.1"), Dev: "eth0"}}})
	tr := mustTrace(t, l.net(), Request{From: "c", Pkt: udp("198.51.100.6", "198.18.0.1", 53)})
	want(t, tr, trace.Loop, "c b a b")
	if !strings.Contains(tr.Reason, "a on eth0 a second time") {
		t.Errorf("reason: %s", tr.Reason)
	}
}

func TestBothWaysAsymmetricAndNoReturn(t *testing.T) {
	// c has no route back to a: the reply finds no route on c.
	n := chain(t, false).net()
	b, err := n.TraceBothWays(Request{From: "a", Pkt: udp("198.51.100.1", "192.0.2.1", 53)})
	if err != nil {
		t.Fatal(err)
	}
	want(t, b.Request, trace.Accepted, "a b c")
	if b.Reply == nil {
		t.Fatalf("no reply: %s", b.NoReply)
	}
	want(t, *b.Reply, trace.NoRoute, "c")
	if p := b.Reply.Packet; p.Src != "192.0.2.1" || p.Dst != "198.51.100.1" || p.SPort != 53 || p.DPort != 40000 {
		t.Errorf("reply packet %+v", p)
	}
}

// b masquerades what leaves eth1; the reply's destination is put back
// on b's PREROUTING, so it is routed to a, and it is ESTABLISHED there.
func TestBothWaysNAT(t *testing.T) {
	l := chain(t, true)
	l.devs[1].Filter4, _ = iptables.Parse("iptables-save", []byte("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -i eth0 -j ACCEPT\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n"), netfilter.IPv4)
	// c only knows b's side: its return route is via b to 198.51.100.4/30.
	l.devs[2].Routes = l.devs[2].Routes[:len(l.devs[2].Routes)-1]
	n := l.net()
	b, err := n.TraceBothWays(Request{From: "a", Pkt: udp("198.51.100.1", "192.0.2.1", 53)})
	if err != nil {
		t.Fatal(err)
	}
	want(t, b.Request, trace.Accepted, "a b c")
	if b.Request.PacketOut == nil || b.Request.PacketOut.Src != "198.51.100.5" {
		t.Fatalf("request not masqueraded: %+v", b.Request.PacketOut)
	}
	if b.Reply == nil {
		t.Fatal(b.NoReply)
	}
	want(t, *b.Reply, trace.Accepted, "c b a")
	undone := false
	for _, s := range b.Reply.Hops[1].Steps {
		if s.Kind == trace.KindNAT && strings.Contains(s.Verdict, "undone") {
			undone = true
		}
		if s.Kind == trace.KindNetfilter && s.Chain == "FORWARD" && s.Rule != 2 {
			t.Errorf("the reply should pass b's FORWARD by its ESTABLISHED rule (2), got %+v", s)
		}
	}
	if !undone {
		t.Errorf("no NAT undone on b")
	}
	if len(b.Asymmetric) != 0 {
		t.Errorf("asymmetric: %v", b.Asymmetric)
	}
}

// a and c reach each other through a GRE tunnel over b: the inner packet
// enters gre1 on a, the outer packet (protocol 47) is routed a -> b -> c,
// delivered to c, and the inner packet arrives on c's gre1.
func TestTunnel(t *testing.T) {
	l := chain(t, true)
	gre := func(d *model.Device, local, remote, addr string) {
		d.Interfaces = append(d.Interfaces, model.Interface{Name: "gre1", Kind: "gre", Up: true, LowerUp: true, PointToPoint: true, MTU: 1476,
			Tunnel: &model.Tunnel{Mode: "gre", Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote)},
			Addrs:  []model.Address{{Prefix: netip.MustParsePrefix(addr)}}})
		p := netip.MustParsePrefix(addr)
		d.Routes = append(d.Routes, model.Route{Table: model.TableMain, Dst: p.Masked(), Nexthops: []model.Nexthop{{Dev: "gre1"}}},
			model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.PrefixFrom(p.Addr(), 32), Nexthops: []model.Nexthop{{Dev: "gre1"}}})
	}
	gre(l.devs[0], "198.51.100.1", "198.51.100.6", "203.0.113.129/30")
	gre(l.devs[2], "198.51.100.6", "198.51.100.1", "203.0.113.130/30")
	// Without a route to c's outer address, a sends the outer packet out
	// its uplink: the network beyond is not in the snapshot and is
	// assumed to deliver it to c.
	tr := mustTrace(t, l.net(), Request{From: "a", Pkt: udp("203.0.113.129", "203.0.113.130", 53)})
	want(t, tr, trace.Accepted, "a a c c")
	if !strings.Contains(strings.Join(tr.Unknown, "\n"), "crosses a network outside the snapshot") {
		t.Errorf("the provider crossing is not said: %q", tr.Unknown)
	}
	l.devs[0].Routes = append(l.devs[0].Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.51.100.4/30"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.2"), Dev: "eth0"}}})
	n := l.net()
	tr = mustTrace(t, n, Request{From: "a", Pkt: udp("203.0.113.129", "203.0.113.130", 53)})
	want(t, tr, trace.Accepted, "a a b c c")
	last := tr.Hops[len(tr.Hops)-1]
	if last.InInterface != "gre1" {
		t.Errorf("inner packet should arrive on c's gre1, got %q", last.InInterface)
	}
	mid := tr.Hops[2]
	if !strings.Contains(tr.Hops[1].Steps[0].Text, "outer packet") || mid.Node != "b" {
		t.Errorf("outer hops: %+v", tr.Hops[1:3])
	}
}

// The path MTU counts the tunnel's overhead on the underlay; a packet
// that fits the tunnel interface but whose outer packet does not fit a
// smaller underlay link is dropped there (PKT_TOO_BIG), the ICMP going
// to the tunnel's local end.
func TestTunnelMTU(t *testing.T) {
	l := chain(t, true)
	for _, d := range []*model.Device{l.devs[0], l.devs[2]} {
		local, remote, addr := "198.51.100.1", "198.51.100.6", "203.0.113.129/30"
		if d.Name == "c" {
			local, remote, addr = remote, local, "203.0.113.130/30"
		}
		d.Interfaces = append(d.Interfaces, model.Interface{Name: "gre1", Kind: "gre", Up: true, LowerUp: true, PointToPoint: true, MTU: 1476,
			Tunnel: &model.Tunnel{Mode: "gre", Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote)},
			Addrs:  []model.Address{{Prefix: netip.MustParsePrefix(addr)}}})
		p := netip.MustParsePrefix(addr)
		d.Routes = append(d.Routes, model.Route{Table: model.TableMain, Dst: p.Masked(), Nexthops: []model.Nexthop{{Dev: "gre1"}}},
			model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.PrefixFrom(p.Addr(), 32), Nexthops: []model.Nexthop{{Dev: "gre1"}}})
	}
	l.devs[0].Routes = append(l.devs[0].Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.51.100.4/30"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.2"), Dev: "eth0"}}})
	l.devs[1].Interface("eth1").MTU = 1400
	n := l.net()
	small := udp("203.0.113.129", "203.0.113.130", 53)
	tr := mustTrace(t, n, Request{From: "a", Pkt: small})
	want(t, tr, trace.Accepted, "a a b c c")
	if tr.PathMTU != 1376 || !strings.Contains(tr.PathMTUAt, "b:eth1 MTU 1400 - 24 for tunnel a:gre1") {
		t.Errorf("path MTU %d (%s), want 1376 at b:eth1", tr.PathMTU, tr.PathMTUAt)
	}
	big := small
	big.Length, big.DF = 1450, true
	tr = mustTrace(t, n, Request{From: "a", Pkt: big})
	want(t, tr, trace.DeniedOut, "a a b")
	if tr.DropReason != "PKT_TOO_BIG" || !strings.Contains(tr.Reason, "goes back to 198.51.100.1") {
		t.Errorf("%s: %s", tr.DropReason, tr.Reason)
	}
}

// Linux answers ARP for any of its addresses on any interface with
// arp_ignore 0 (arp_process): a's onlink route via b's eth1 address
// 198.51.100.5, asked on the a-b link, reaches b; with arp_ignore 1 on b
// address resolution fails.
func TestARPAnyLocalAddress(t *testing.T) {
	l := chain(t, true)
	l.devs[0].Routes = append(l.devs[0].Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/15"),
		Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.5"), Dev: "eth0", Onlink: true}}})
	tr := mustTrace(t, l.net(), Request{From: "a", Pkt: udp("198.51.100.1", "198.18.0.1", 53)})
	if len(tr.Hops) < 2 || tr.Hops[1].Node != "b" || tr.Hops[1].InInterface != "eth0" {
		t.Fatalf("arp_ignore 0: want the packet at b:eth0, got %s via [%s]", tr.Disposition, nodes(tr))
	}
	l.devs[1].Sysctl["net.ipv4.conf.all.arp_ignore"] = "1"
	tr = mustTrace(t, l.net(), Request{From: "a", Pkt: udp("198.51.100.1", "198.18.0.1", 53)})
	want(t, tr, trace.NeighborUnreachable, "a")
}

// A packet that comes back to a host with the same addresses and ports
// finds its conntrack entry: the nat chains are not run again
// (nf_nat_inet_fn). A hairpin: 203.0.113.50 enters a on its uplink for
// 198.18.0.1; a's main table sends it to b, b sends it back, and a's
// rule `iif eth0 lookup 100` sends it out the uplink, where a
// masquerades. The first pass set up a's source NAT (a null binding, out
// eth0), so the second pass leaves unmasqueraded, as the kernel does
// (multi-host differential, case second-pass-no-nat).
func TestSecondPassKeepsConntrack(t *testing.T) {
	l := chain(t, true)
	a, b := l.devs[0], l.devs[1]
	a.Routes = append(a.Routes,
		model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/15"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.2"), Dev: "eth0"}}},
		model.Route{Table: 100, Dst: netip.MustParsePrefix("198.18.0.0/15"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("203.0.113.254"), Dev: "up"}}})
	rule := func(prio uint32, iif string, table uint32) model.RouteRule {
		return model.RouteRule{Priority: prio, IIF: iif, Action: model.ActionLookup, Table: table, SuppressPrefixLen: -1, SuppressIfGroup: -1}
	}
	a.Rules4 = []model.RouteRule{rule(0, "", model.TableLocal), rule(100, "eth0", 100), rule(32766, "", model.TableMain), rule(32767, "", model.TableDefault)}
	b.Routes = append(b.Routes, model.Route{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/15"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.1"), Dev: "eth0"}}})
	a.Filter4, _ = iptables.Parse("iptables-save", []byte("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o up -j MASQUERADE\nCOMMIT\n"), netfilter.IPv4)
	tr := mustTrace(t, l.net(), Request{From: "a", In: "up", Pkt: udp("203.0.113.50", "198.18.0.1", 53)})
	want(t, tr, trace.ExitsNetwork, "a b a")
	if tr.OutInterface != "up" || tr.PacketOut == nil || tr.PacketOut.Src != "203.0.113.50" {
		t.Fatalf("want out up unmasqueraded, got out %s packet %+v", tr.OutInterface, tr.PacketOut)
	}
	again := false
	for _, s := range tr.Hops[2].Steps {
		again = again || (s.Kind == trace.KindNAT && s.Verdict == "already set up")
	}
	if !again {
		t.Errorf("a's second pass does not say the NAT was already set up")
	}
}
