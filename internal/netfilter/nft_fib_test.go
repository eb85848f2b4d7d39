package netfilter

import (
	"net/netip"
	"testing"
)

// fibMissing is `fib <flags> oif missing` (NFTA_FIB_F_PRESENT, compared
// with false).
func fibMissing(flags uint32) *NFTCmp {
	f := &NFTFib{Flags: flags | FIBPresent, Result: "oif"}
	return &NFTCmp{Left: []NFTExpr{f}, Op: "==", Right: []NFTRange{vNum(0)}, Text: f.String() + " missing"}
}

// TestNFTFib checks nft's fib expression against a fake routing table: the
// result, and the lookup key the kernel builds (nft_fib_ipv4.c,
// nft_fib_ipv6.c), which differs from xt_rpfilter's.
func TestNFTFib(t *testing.T) {
	routes := []nftRoute{
		{pfx: "10.0.0.0/8", devs: []string{"eth0"}},
		{pfx: "10.9.0.0/16", devs: []string{"eth1", "eth0"}}, // ECMP
		{pfx: "172.16.0.0/12", devs: []string{"eth1"}},
		{pfx: "172.31.0.0/16", mark: 0x1, devs: []string{"eth0"}}, // only with mark 1
		{pfx: "192.168.1.1/32", typ: AddrLocal, devs: []string{"lo"}},
		{pfx: "0.0.0.0/0", devs: []string{"eth1"}},
		{pfx: "2001:db8:1::/48", devs: []string{"eth0"}},
		{pfx: "2001:db8:2::/48", devs: []string{"eth1"}},
		{pfx: "2001:db8:3::/48", devs: []string{"eth1", "eth0"}}, // ECMP
		{pfx: "2001:db8:ff::1/128", typ: AddrLocal, devs: []string{"lo"}},
		{pfx: "fe80::/64", devs: []string{"eth0"}},
		{pfx: "fe80::/64", devs: []string{"eth1"}},
	}
	local := map[string]string{"192.168.1.1": "eth0", "2001:db8:ff::1": "eth0"}
	srcIIF := uint32(FIBSaddr | FIBIIF)
	tests := []struct {
		name    string
		pkt     string
		hook    Hook
		in, out string
		m       Match
		want    Tri
		// q is the expected lookup key; nil when no lookup is expected.
		q *FIBQuery
	}{
		{name: "v4 reverse path via the input device", pkt: "tcp 10.1.2.3:1 192.168.1.1:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{Dst: mustAddr("10.1.2.3"), Src: mustAddr("192.168.1.1"), IIF: "lo"}},
		{name: "v4 reverse path via another device", pkt: "tcp 172.16.0.1:1 192.168.1.1:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Yes},
		{name: "v4 any nexthop of a multipath route", pkt: "tcp 10.9.0.1:1 192.168.1.1:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: No},
		{name: "v4 mark is used only with `mark`", pkt: "tcp 172.31.0.1:1 192.168.1.1:22 mark=0x1", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Yes,
			q: &FIBQuery{Dst: mustAddr("172.31.0.1"), Src: mustAddr("192.168.1.1"), IIF: "lo"}},
		{name: "v4 saddr . mark . iif", pkt: "tcp 172.31.0.1:1 192.168.1.1:22 mark=0x1", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF | FIBMark), want: No,
			q: &FIBQuery{Dst: mustAddr("172.31.0.1"), Src: mustAddr("192.168.1.1"), IIF: "lo", Mark: 1}},
		{name: "v4 a local route is missing", pkt: "tcp 192.168.1.1:1 192.168.1.1:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Yes},
		{name: "v4 saddr without iif takes the route's device", pkt: "tcp 10.1.2.3:1 192.168.1.1:22", hook: Prerouting, in: "eth1",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBSaddr, Result: "oif"}}, Op: "==", Right: []NFTRange{vStr("eth0")}, Text: "fib saddr oif eth0"}, want: Yes},
		{name: "v4 dhcp discover from 0.0.0.0 takes its device", pkt: "udp 0.0.0.0:68 255.255.255.255:67", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: No},
		{name: "v4 loopback in prerouting", pkt: "tcp 172.16.0.1:1 192.168.1.1:22", hook: Prerouting, in: "lo", m: fibMissing(srcIIF), want: No},
		{name: "v4 forward uses the output device as iif", pkt: "tcp 10.1.2.3:1 172.16.0.9:22", hook: Forward, in: "eth0", out: "eth1", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{Dst: mustAddr("10.1.2.3"), Src: mustAddr("172.16.0.9"), IIF: "eth1"}},
		{name: "v4 no source from a multicast destination", pkt: "udp 10.1.2.3:1 224.0.0.5:2", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{Dst: mustAddr("10.1.2.3"), IIF: "lo"}},
		{name: "v4 daddr oifname", pkt: "tcp 10.1.2.3:1 172.16.0.9:22", hook: Prerouting, in: "eth0",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBDaddr, Result: "oifname"}}, Op: "==", Right: []NFTRange{vStr("eth1")}, Text: `fib daddr oifname "eth1"`}, want: Yes,
			q: &FIBQuery{Dst: mustAddr("172.16.0.9"), Src: mustAddr("10.1.2.3"), IIF: "lo"}},
		{name: "v4 daddr type local", pkt: "tcp 10.1.2.3:1 192.168.1.1:22", hook: Prerouting, in: "eth0",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBDaddr, Result: "type"}}, Op: "==", Right: []NFTRange{vNum(2)}, Text: "fib daddr type local"}, want: Yes},
		{name: "v4 daddr . oif type local on another device", pkt: "tcp 10.1.2.3:1 192.168.1.1:22", hook: Output, out: "eth1",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBDaddr | FIBOIF, Result: "type"}}, Op: "==", Right: []NFTRange{vNum(2)}, Text: "fib daddr . oif type local"}, want: No},
		{name: "v6 reverse path via the input device", pkt: "tcp [2001:db8:1::5]:1 [2001:db8:ff::1]:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{V6: true, Dst: mustAddr("2001:db8:1::5"), Src: mustAddr("2001:db8:ff::1"), IIF: "lo", Proto: 6}},
		{name: "v6 strict mode does not prefer the input device", pkt: "tcp [2001:db8:2::5]:1 [2001:db8:ff::1]:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Yes,
			q: &FIBQuery{V6: true, Dst: mustAddr("2001:db8:2::5"), Src: mustAddr("2001:db8:ff::1"), IIF: "lo", Proto: 6}},
		{name: "v6 multipath: the hash decides", pkt: "tcp [2001:db8:3::5]:1 [2001:db8:ff::1]:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Maybe},
		{name: "v6 a local route is missing", pkt: "tcp [2001:db8:ff::1]:1 [2001:db8:ff::1]:22", hook: Prerouting, in: "eth0", m: fibMissing(srcIIF), want: Yes},
		{name: "v6 link-local source is looked up on the input device", pkt: "udp [fe80::1]:546 [fe80::2]:547", hook: Prerouting, in: "eth1", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{V6: true, Dst: mustAddr("fe80::1"), Src: mustAddr("fe80::2"), IIF: "lo", OIF: "eth1", StrictOIF: true, Proto: 17}},
		{name: "v6 DAD from :: passes", pkt: "ipv6-icmp :: ff02::1:ff00:1 type=135/0", hook: Prerouting, in: "eth1", m: fibMissing(srcIIF), want: No},
		// Case nft-20251124-280 of the kernel-differential test: with
		// `ip -6 rule add iif lo unreachable`, a forwarded packet passes
		// `fib saddr . mark . iif oif exists` (the lookup's iif is the
		// output device) but matches `fib saddr . iif type unreachable`
		// (an output route lookup: iif lo).
		{name: "v6 forward uses the output device as iif", pkt: "tcp [2001:db8:1::5]:1 [2001:db8:2::9]:22", hook: Forward, in: "eth0", out: "eth1", m: fibMissing(srcIIF), want: No,
			q: &FIBQuery{V6: true, Dst: mustAddr("2001:db8:1::5"), Src: mustAddr("2001:db8:2::9"), IIF: "eth1", Proto: 6}},
		{name: "v6 forward type lookup keeps iif lo", pkt: "tcp [2001:db8:1::5]:1 [2001:db8:2::9]:22", hook: Forward, in: "eth0", out: "eth1",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBSaddr | FIBIIF, Result: "type"}}, Op: "==", Right: []NFTRange{vNum(1)}, Text: "fib saddr . iif type unicast"}, want: Yes,
			q: &FIBQuery{V6: true, Dst: mustAddr("2001:db8:1::5"), Src: mustAddr("2001:db8:2::9"), IIF: "lo", Proto: 6, AddrDev: "eth0"}},
		{name: "v6 daddr . iif type local", pkt: "tcp [2001:db8:1::5]:1 [2001:db8:ff::1]:22", hook: Prerouting, in: "eth0",
			m: &NFTCmp{Left: []NFTExpr{&NFTFib{Flags: FIBDaddr | FIBIIF, Result: "type"}}, Op: "==", Right: []NFTRange{vNum(2)}, Text: "fib daddr . iif type local"}, want: Yes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := &nftEnv{routes: routes, local: local}
			c := ctxFor(nftPkt(t, tc.pkt), tc.hook, tc.in, tc.out, env)
			if got := tc.m.Match(c); got != tc.want {
				t.Errorf("got %s, want %s (%v)", got, tc.want, c.details)
			}
			if tc.q != nil {
				if len(env.queries) != 1 {
					t.Fatalf("%d lookups, want 1", len(env.queries))
				}
				if got := env.queries[0]; got != *tc.q {
					t.Errorf("lookup key\n got  %+v\n want %+v", got, *tc.q)
				}
			}
			if len(c.details) == 0 {
				t.Errorf("no explanation")
			}
		})
	}
}

// TestNFTFibWithoutFIBEnv: an Env without the FIB seam leaves fib
// undecidable (and says so), so existing Envs keep working.
func TestNFTFibWithoutFIBEnv(t *testing.T) {
	c := ctxFor(nftPkt(t, "tcp 10.1.2.3:1 192.168.1.1:22"), Prerouting, "eth0", "", &fakeEnv{src: map[string]netip.Addr{}})
	if got := fibMissing(FIBSaddr | FIBIIF).Match(c); got != Maybe {
		t.Errorf("got %s, want maybe", got)
	}
}
