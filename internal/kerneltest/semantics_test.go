package kerneltest

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"farend/internal/packet"
)

// semTopo is the host the semantic questions are asked of:
//
//	eth0  uplink     198.51.100.1/24  2001:db8:100::1/64  gateway .2 / ::2 (default route)
//	eth1  "tunnel"   192.0.2.1/24     2001:db8:5::2/64    R1 192.0.2.2 / 2001:db8:5::1,
//	                                                       behind it R2 198.18.0.0/24, 2001:db8:2::/64
//	eth2  LAN        203.0.113.1/24   2001:db8:d0c::1/64  container 203.0.113.2 / 2001:db8:d0c::2
var semTopo = Topology{
	Host: "sem",
	Links: []Link{
		{Name: "eth0", Addrs: []netip.Prefix{pfx("198.51.100.1/24"), pfx("2001:db8:100::1/64")},
			Peers: []netip.Addr{addr("198.51.100.2"), addr("2001:db8:100::2")}},
		{Name: "eth1", Addrs: []netip.Prefix{pfx("192.0.2.1/24"), pfx("2001:db8:5::2/64")},
			Peers: []netip.Addr{addr("192.0.2.2"), addr("2001:db8:5::1")}},
		{Name: "eth2", Addrs: []netip.Prefix{pfx("203.0.113.1/24"), pfx("2001:db8:d0c::1/64")},
			Peers: []netip.Addr{addr("203.0.113.2"), addr("2001:db8:d0c::2")}},
	},
}

var semDefaults = []Route{
	{Dst: pfx("0.0.0.0/0"), Via: addr("198.51.100.2"), Dev: "eth0"},
	{Dst: pfx("::/0"), Via: addr("2001:db8:100::2"), Dev: "eth0"},
}

const rpfilter6 = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m rpfilter --invert -j DROP
COMMIT
`

func semSpec(sysctls []Sysctl, routes []Route, rules []Rule, ip4, ip6 string) Spec {
	return Spec{Topology: semTopo, Config: Config{
		Sysctls:   append(append([]Sysctl(nil), forwarding...), sysctls...),
		Routes:    append(append([]Route(nil), semDefaults...), routes...),
		Rules:     rules,
		IPTables:  ip4,
		IP6Tables: ip6,
	}}
}

// wantFate asserts the fate and, for a forward, the out interface.
func wantFate(t *testing.T, obs Observation, fate Fate, out string) {
	t.Helper()
	t.Logf("\n%s", obs)
	if obs.Fate != fate || (fate == FateForwarded && obs.OutInterface != out) {
		t.Errorf("want %s %s, got %s %s", fate, out, obs.Fate, obs.OutInterface)
	}
}

// TestKernelSemantics asks the kernel the questions whose answers the
// engine encodes; each subtest is one answer, kept true by CI.
func TestKernelSemantics(t *testing.T) {
	pool := NewPool(t)
	r2To6 := icmp6Echo("2001:db8:2::1", "2001:db8:d0c::2")
	r2To4 := packet.Packet{Src: addr("198.18.0.1"), Dst: addr("203.0.113.2"), Proto: packet.ProtoICMP, ICMPType: 8}
	ret6 := func(dev string, via string) Route {
		return Route{Dst: pfx("2001:db8:2::/64"), Via: addr(via), Dev: dev, Table: 100}
	}
	ret4 := Route{Dst: pfx("198.18.0.0/24"), Via: addr("192.0.2.2"), Dev: "eth1", Table: 100}
	rpDrop := RuleRef{Family: "ip6", Table: "raw", Chain: "PREROUTING", Rule: 1}

	// (i) xt rpfilter, IPv6, strict mode: the reverse lookup is a full
	// policy-routed lookup with iif lo, saddr = the packet's daddr, and
	// oif = the input device.
	t.Run("i/rpfilter6-no-rule-return-route-only-in-table-100-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, []Route{ret6("eth1", "2001:db8:5::1")}, nil, "", rpfilter6), "eth1", r2To6)
		wantFate(t, obs, FateDropped, "")
		if !obs.Matched(rpDrop) {
			t.Errorf("want the rpfilter rule to drop")
		}
	})
	t.Run("i/rpfilter6-iif-lo-rule-to-table-with-route-via-in-dev-passes", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, []Route{ret6("eth1", "2001:db8:5::1")},
			[]Rule{{V6: true, Priority: 100, IIF: "lo", Table: 100}}, "", rpfilter6), "eth1", r2To6)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("i/rpfilter6-iif-lo-rule-to-table-with-route-via-other-dev-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, []Route{ret6("eth0", "2001:db8:100::2")},
			[]Rule{{V6: true, Priority: 100, IIF: "lo", Table: 100}}, "", rpfilter6), "eth1", r2To6)
		wantFate(t, obs, FateDropped, "")
		if !obs.Matched(rpDrop) {
			t.Errorf("want the rpfilter rule to drop")
		}
	})
	t.Run("i/rpfilter6-iif-in-dev-rule-does-not-apply-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, []Route{ret6("eth1", "2001:db8:5::1")},
			[]Rule{{V6: true, Priority: 100, IIF: "eth1", Table: 100}}, "", rpfilter6), "eth1", r2To6)
		wantFate(t, obs, FateDropped, "")
	})
	t.Run("i/rpfilter6-from-pkt-daddr-rule-passes", func(t *testing.T) {
		// Scenario 01 fixed-policy: ip -6 rule add from <container> lookup 100.
		obs := pool.Run(t, semSpec(nil, []Route{ret6("eth1", "2001:db8:5::1")},
			[]Rule{{Priority: 1000, From: pfx("2001:db8:d0c::/64"), Table: 100}}, "", rpfilter6), "eth1", r2To6)
		wantFate(t, obs, FateForwarded, "eth2")
	})

	// (ii) IPv4 rp_filter=1 with the return route only in table 100.
	rp1 := []Sysctl{{"net.ipv4.conf.all.rp_filter", "1"}, {"net.ipv4.conf.default.rp_filter", "1"}}
	t.Run("ii/rp_filter-no-rule-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, nil, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateDropped, "")
		if obs.SNMP["TcpExt.IPReversePathFilter"] != 1 {
			t.Errorf("want TcpExt.IPReversePathFilter +1")
		}
	})
	t.Run("ii/rp_filter-from-pkt-daddr-rule-passes", func(t *testing.T) {
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, []Rule{{Priority: 100, From: pfx("203.0.113.2/32"), Table: 100}}, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("ii/rp_filter-iif-egress-dev-rule-passes", func(t *testing.T) {
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, []Rule{{Priority: 100, IIF: "eth2", Table: 100}}, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("ii/rp_filter-iif-ingress-dev-rule-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, []Rule{{Priority: 100, IIF: "eth1", Table: 100}}, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateDropped, "")
	})
	t.Run("ii/rp_filter-local-delivery-iif-lo-rule-passes", func(t *testing.T) {
		p := packet.Packet{Src: addr("198.18.0.1"), Dst: addr("192.0.2.1"), Proto: packet.ProtoICMP, ICMPType: 8}
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, []Rule{{Priority: 100, IIF: "lo", Table: 100}}, "", ""), "eth1", p)
		wantFate(t, obs, FateDelivered, "")
	})
	t.Run("ii/rp_filter-local-delivery-iif-egress-like-rule-drops", func(t *testing.T) {
		p := packet.Packet{Src: addr("198.18.0.1"), Dst: addr("192.0.2.1"), Proto: packet.ProtoICMP, ICMPType: 8}
		obs := pool.Run(t, semSpec(rp1, []Route{ret4}, []Rule{{Priority: 100, IIF: "eth1", Table: 100}}, "", ""), "eth1", p)
		wantFate(t, obs, FateDropped, "")
	})

	// (iii) rp_filter=0, the source is one of the host's own addresses.
	own := packet.Packet{Src: addr("192.0.2.1"), Dst: addr("203.0.113.2"), Proto: packet.ProtoICMP, ICMPType: 8}
	t.Run("iii/own-source-rp_filter-0-drops-as-martian", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, nil, nil, "", ""), "eth1", own)
		wantFate(t, obs, FateDropped, "")
	})
	t.Run("iii/own-source-rp_filter-0-custom-rule-drops-too", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil, []Route{ret4}, []Rule{{Priority: 100, From: pfx("198.18.0.0/24"), Table: 100}}, "", ""), "eth1", own)
		wantFate(t, obs, FateDropped, "")
	})
	t.Run("iii/own-source-accept_local-1-forwards", func(t *testing.T) {
		obs := pool.Run(t, semSpec([]Sysctl{{"net.ipv4.conf.eth1.accept_local", "1"}}, nil, nil, "", ""), "eth1", own)
		wantFate(t, obs, FateForwarded, "eth2")
	})

	// (iv) iptables-nft keeps -m rpfilter as the xt match.
	t.Run("iv/iptables-nft-rpfilter-is-xt-match", func(t *testing.T) {
		l := pool.Lab(t, semTopo)
		spec := semSpec(nil, nil, nil, strings.ReplaceAll(rpfilter6, "--invert ", "--invert --validmark "), rpfilter6)
		if err := l.Apply(context.Background(), spec.Config); err != nil {
			t.Fatal(err)
		}
		dbg, err := nsOutput(context.Background(), l.HostNS(), nil, "nft", "--debug=netlink", "list", "ruleset")
		if err != nil {
			t.Fatal(err)
		}
		list, err := nsOutput(context.Background(), l.HostNS(), nil, "nft", "list", "ruleset")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("nft --debug=netlink:\n%s", grepLines(string(dbg), "rpfilter"))
		t.Logf("nft list:\n%s", grepLines(string(list), "fib"))
		if n := strings.Count(string(dbg), "[ match name rpfilter rev 0 ]"); n != 2 {
			t.Errorf("want `[ match name rpfilter rev 0 ]` for ip and ip6, found %d", n)
		}
		if !strings.Contains(string(list), "fib saddr . iif oif 0") {
			t.Errorf("nft list no longer displays the match as `fib saddr . iif oif 0`")
		}
	})

	// (v) the mark set in mangle PREROUTING is seen by ip rule fwmark.
	const mark4 = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -i eth1 -j MARK --set-mark 1\nCOMMIT\n"
	t.Run("v/mangle-mark-steers-ip-rule-fwmark-ipv4", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil,
			[]Route{{Dst: pfx("203.0.113.0/24"), Via: addr("198.51.100.2"), Dev: "eth0", Table: 100}},
			[]Rule{{Priority: 100, FWMark: 1, Table: 100}}, mark4, ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth0")
	})
	t.Run("v/without-the-mark-rule-goes-by-main", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil,
			[]Route{{Dst: pfx("203.0.113.0/24"), Via: addr("198.51.100.2"), Dev: "eth0", Table: 100}},
			[]Rule{{Priority: 100, FWMark: 1, Table: 100}}, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("v/mangle-mark-steers-ip-rule-fwmark-ipv6", func(t *testing.T) {
		obs := pool.Run(t, semSpec(nil,
			[]Route{{Dst: pfx("2001:db8:d0c::/64"), Via: addr("2001:db8:100::2"), Dev: "eth0", Table: 100}},
			[]Rule{{V6: true, Priority: 100, FWMark: 1, Table: 100}}, "", mark4), "eth1", r2To6)
		wantFate(t, obs, FateForwarded, "eth0")
	})

	// (vi) which forwarding sysctl decides.
	fwd := func(kv ...string) []Sysctl {
		var s []Sysctl
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, Sysctl{kv[i], kv[i+1]})
		}
		return s
	}
	t.Run("vi/ipv4-in-dev-forwarding-0-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(fwd("net.ipv4.conf.eth1.forwarding", "0"), nil, nil, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateDropped, "")
	})
	t.Run("vi/ipv4-out-dev-forwarding-0-forwards", func(t *testing.T) {
		obs := pool.Run(t, semSpec(fwd("net.ipv4.conf.eth2.forwarding", "0"), nil, nil, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("vi/ipv4-all-0-but-in-dev-1-forwards", func(t *testing.T) {
		obs := pool.Run(t, semSpec(fwd("net.ipv4.conf.all.forwarding", "0", "net.ipv4.conf.eth1.forwarding", "1"), nil, nil, "", ""), "eth1", r2To4)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("vi/ipv6-in-dev-forwarding-0-still-forwards", func(t *testing.T) {
		obs := pool.Run(t, semSpec(fwd("net.ipv6.conf.eth1.forwarding", "0"), nil, nil, "", ""), "eth1", r2To6)
		wantFate(t, obs, FateForwarded, "eth2")
	})
	t.Run("vi/ipv6-all-0-with-devs-1-drops", func(t *testing.T) {
		obs := pool.Run(t, semSpec(fwd("net.ipv6.conf.all.forwarding", "0",
			"net.ipv6.conf.eth1.forwarding", "1", "net.ipv6.conf.eth2.forwarding", "1"), nil, nil, "", ""), "eth1", r2To6)
		wantFate(t, obs, FateDropped, "")
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}
