package sim

import (
	"net/netip"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
	"farend/internal/vendors/iptables"
)

// router builds a two-legged IPv4 router: eth0 198.51.100.1/24 (uplink,
// default via 198.51.100.254), eth1 192.0.2.1/24 (LAN), plus the given
// ruleset, extra routes and rules, and sysctls.
func router(t *testing.T, rules string, sysctl map[string]string, routes []model.Route, prules []model.RouteRule) *Host {
	t.Helper()
	d := &model.Device{Name: "r", Kind: model.KindLinux, Sysctl: model.Sysctl{
		"net.ipv4.conf.all.forwarding": "1", "net.ipv4.conf.eth0.forwarding": "1", "net.ipv4.conf.eth1.forwarding": "1", "net.ipv4.conf.lo.forwarding": "1",
		"net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.eth0.rp_filter": "0", "net.ipv4.conf.eth1.rp_filter": "0",
	}}
	for k, v := range sysctl {
		d.Sysctl[k] = v
	}
	d.Interfaces = []model.Interface{
		{Name: "lo", Index: 1, Loopback: true, Up: true, Addrs: []model.Address{{Prefix: netip.MustParsePrefix("127.0.0.1/8")}}},
		{Name: "eth0", Index: 2, Up: true, Addrs: []model.Address{{Prefix: netip.MustParsePrefix("198.51.100.1/24")}}},
		{Name: "eth1", Index: 3, Up: true, Addrs: []model.Address{{Prefix: netip.MustParsePrefix("192.0.2.1/24")}}},
	}
	nh := func(gw, dev string) []model.Nexthop {
		n := model.Nexthop{Dev: dev}
		if gw != "" {
			n.Gateway = netip.MustParseAddr(gw)
		}
		return []model.Nexthop{n}
	}
	d.Routes = []model.Route{
		{Table: model.TableMain, Dst: netip.MustParsePrefix("0.0.0.0/0"), Nexthops: nh("198.51.100.254", "eth0")},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("198.51.100.0/24"), Nexthops: nh("", "eth0"), Protocol: "kernel", Scope: "link"},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("192.0.2.0/24"), Nexthops: nh("", "eth1"), Protocol: "kernel", Scope: "link"},
		{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("198.51.100.1/32"), Nexthops: nh("", "eth0"), Protocol: "kernel"},
		{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("192.0.2.1/32"), Nexthops: nh("", "eth1"), Protocol: "kernel"},
		{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("127.0.0.0/8"), Nexthops: nh("", "lo"), Protocol: "kernel"},
	}
	d.Routes = append(d.Routes, routes...)
	if prules != nil {
		d.Rules4 = prules
	}
	if rules != "" {
		rs, notes := iptables.Parse("iptables-save", []byte(rules), netfilter.IPv4)
		if len(notes) > 0 {
			t.Fatalf("test ruleset not understood: %v", notes)
		}
		d.Filter4 = rs
	}
	return NewHost(d)
}

func pkt(src, dst string, proto uint8, dport uint16) packet.Packet {
	p := packet.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: proto, TTL: 64}
	if proto == packet.ProtoTCP || proto == packet.ProtoUDP {
		p.SPort, p.DPort = 40000, dport
		if proto == packet.ProtoTCP {
			p.TCPFlags = packet.TCPSyn
		}
	}
	if proto == packet.ProtoICMP {
		p.ICMPType = 8
	}
	return p
}

func mustTrace(t *testing.T, h *Host, req Request) trace.Trace {
	t.Helper()
	tr, err := h.Trace(req)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func expect(t *testing.T, tr trace.Trace, d trace.Disposition, reason, outIf string) {
	t.Helper()
	if tr.Disposition != d || tr.DropReason != reason || tr.OutInterface != outIf {
		var b strings.Builder
		trace.WriteText(&b, tr)
		t.Fatalf("got %s/%s out %q, want %s/%s out %q\n%s", tr.Disposition, tr.DropReason, tr.OutInterface, d, reason, outIf, b.String())
	}
}

func TestForwardAndRPFilterSysctl(t *testing.T) {
	// A packet from 203.0.113.9 arriving on eth1 (the LAN) toward the
	// uplink: the route back to 203.0.113.9 is the default via eth0.
	p := pkt("203.0.113.9", "198.51.100.77", packet.ProtoICMP, 0)
	for _, c := range []struct {
		rpf    string
		d      trace.Disposition
		reason string
		outIf  string
	}{
		{"0", trace.DeliveredToSubnet, "", "eth0"},
		{"1", trace.DeniedIn, "IP_RPFILTER", ""},
		{"2", trace.DeliveredToSubnet, "", "eth0"},
	} {
		t.Run("rp_filter="+c.rpf, func(t *testing.T) {
			h := router(t, "", map[string]string{"net.ipv4.conf.all.rp_filter": c.rpf}, nil, nil)
			tr := mustTrace(t, h, Request{Pkt: p, In: "eth1"})
			expect(t, tr, c.d, c.reason, c.outIf)
		})
	}
	// The effective value is max(all, dev).
	h := router(t, "", map[string]string{"net.ipv4.conf.all.rp_filter": "2", "net.ipv4.conf.eth1.rp_filter": "1"}, nil, nil)
	expect(t, mustTrace(t, h, Request{Pkt: p, In: "eth1"}), trace.DeliveredToSubnet, "", "eth0")
}

func TestForwardingDisabled(t *testing.T) {
	h := router(t, "", map[string]string{"net.ipv4.conf.eth1.forwarding": "0"}, nil, nil)
	tr := mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "198.51.100.77", packet.ProtoICMP, 0), In: "eth1"})
	expect(t, tr, trace.NoRoute, "IP_INADDRERRORS", "")
	// The input device decides, not the output device.
	h = router(t, "", map[string]string{"net.ipv4.conf.eth0.forwarding": "0"}, nil, nil)
	tr = mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "198.51.100.77", packet.ProtoICMP, 0), In: "eth1"})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth0")
}

func TestBlackholeAndTTL(t *testing.T) {
	h := router(t, "", nil, []model.Route{{Table: model.TableMain, Type: model.RouteBlackhole, Dst: netip.MustParsePrefix("198.18.0.0/15")}}, nil)
	expect(t, mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "198.18.1.1", packet.ProtoICMP, 0), In: "eth1"}), trace.NullRouted, "NOT_SPECIFIED", "")
	p := pkt("192.0.2.9", "203.0.113.1", packet.ProtoICMP, 0)
	p.TTL = 1
	expect(t, mustTrace(t, h, Request{Pkt: p, In: "eth1"}), trace.DeniedIn, "IP_INHDR", "")
}

func TestMarkSteersRouting(t *testing.T) {
	rules := `*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -i eth1 -p tcp --dport 443 -j MARK --set-mark 0x1
COMMIT
`
	fw := model.RouteRule{Priority: 100, HasMark: true, FwMark: 1, FwMask: 0xffffffff, Table: 100, SuppressPrefixLen: -1, SuppressIfGroup: -1}
	prules := append([]model.RouteRule{{Priority: 0, Table: model.TableLocal, SuppressPrefixLen: -1, SuppressIfGroup: -1}, fw},
		model.RouteRule{Priority: 32766, Table: model.TableMain, SuppressPrefixLen: -1, SuppressIfGroup: -1})
	alt := model.Route{Table: 100, Dst: netip.MustParsePrefix("0.0.0.0/0"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("192.0.2.254"), Dev: "eth1"}}}
	h := router(t, rules, nil, []model.Route{alt}, prules)
	tr := mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "203.0.113.1", packet.ProtoTCP, 443), In: "eth1"})
	expect(t, tr, trace.ExitsNetwork, "", "eth1")
	tr = mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "203.0.113.1", packet.ProtoTCP, 80), In: "eth1"})
	expect(t, tr, trace.ExitsNetwork, "", "eth0")
}

func TestStatisticAlternatives(t *testing.T) {
	rules := `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m statistic --mode random --probability 0.50000000000 -j ACCEPT
COMMIT
`
	h := router(t, rules, nil, nil, nil)
	tr := mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "203.0.113.1", packet.ProtoICMP, 0), In: "eth1"})
	expect(t, tr, trace.DeniedIn, "NETFILTER_DROP", "")
	if len(tr.Alternatives) != 1 || tr.Alternatives[0].Disposition != trace.ExitsNetwork {
		t.Fatalf("alternatives = %+v, want one EXITS_NETWORK", tr.Alternatives)
	}
	if u := strings.Join(tr.Unknown, "\n"); !strings.Contains(u, "filter/FORWARD#1") || !strings.Contains(u, "can change the outcome") {
		t.Errorf("unknown does not name the undecidable rule: %q", u)
	}
}

func TestNotrackSkipsNAT(t *testing.T) {
	rules := `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 53 -j NOTRACK
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -j DNAT --to-destination 192.0.2.53
COMMIT
`
	h := router(t, rules, nil, nil, nil)
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoUDP, 53), In: "eth0"})
	expect(t, tr, trace.Accepted, "", "")
	tr = mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoUDP, 54), In: "eth0"})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth1")
	if tr.PacketOut.Dst != "192.0.2.53" {
		t.Errorf("packet out %+v, want DNAT to 192.0.2.53", tr.PacketOut)
	}
}

func TestLocalOutputDNATReroutes(t *testing.T) {
	rules := `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -d 203.0.113.1 -j DNAT --to-destination 192.0.2.80
COMMIT
`
	h := router(t, rules, nil, nil, nil)
	tr := mustTrace(t, h, Request{Pkt: pkt("198.51.100.1", "203.0.113.1", packet.ProtoTCP, 80), Local: true})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth1")
}

func TestMartianOwnSource(t *testing.T) {
	h := router(t, "", nil, nil, nil)
	tr := mustTrace(t, h, Request{Pkt: pkt("192.0.2.1", "198.51.100.77", packet.ProtoICMP, 0), In: "eth1"})
	expect(t, tr, trace.DeniedIn, "IP_LOCAL_SOURCE", "")
}
