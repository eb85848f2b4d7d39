package netfilter

import (
	"testing"
)

// TestNFTCmp checks relational matches on payload, meta and ct keys,
// with the kernel's semantics: hidden protocol dependencies that end the
// rule whatever the operator, "in" on bitmasks, wildcards, sets.
func TestNFTCmp(t *testing.T) {
	tcp := "tcp 10.0.0.1:1000 192.168.1.5:22 flags=S mark=0x11 len=100"
	udp := "udp 10.0.0.1:1000 192.168.1.5:53"
	icmp := "icmp 10.0.0.1 192.168.1.5 type=8/0"
	v6 := "tcp [2001:db8::1]:1000 [2001:db8::2]:22"
	icmp6 := "ipv6-icmp fe80::1 ff02::1 type=135/0"
	tests := []struct {
		name string
		pkt  string
		hook Hook
		in   string
		out  string
		ct   *Conntrack
		m    Match
		want Tri
	}{
		{"ip saddr prefix", tcp, Input, "eth0", "", nil, cmp(pay("ip", "saddr"), "==", vPfx("10.0.0.0/8")), Yes},
		{"ip saddr != prefix", tcp, Input, "eth0", "", nil, cmp(pay("ip", "saddr"), "!=", vPfx("10.0.0.0/8")), No},
		{"ip saddr on an IPv6 packet breaks even with !=", v6, Input, "eth0", "", nil, cmp(pay("ip", "saddr"), "!=", vPfx("10.0.0.0/8")), No},
		{"ip6 daddr exact", v6, Input, "eth0", "", nil, cmp(pay("ip6", "daddr"), "==", vAddr("2001:db8::2")), Yes},
		// IPv4-mapped prefixes are 128-bit values in ip6 fields
		// (firewalld's filter_FORWARD reject set has ::ffff:0.0.0.0/96).
		{"ip6 daddr not in an IPv4-mapped prefix", v6, Forward, "eth0", "eth1", nil, inSet([]NFTExpr{pay("ip6", "daddr")}, "==", []NFTRange{vPfx("::ffff:0.0.0.0/96")}, []NFTRange{vPfx("2002::/16")}), No},
		{"ip daddr range", tcp, Input, "eth0", "", nil, cmp(pay("ip", "daddr"), "==", NFTRange{Lo: NFTAddr(mustAddr("192.168.1.1")), Hi: NFTAddr(mustAddr("192.168.1.9"))}), Yes},
		{"tcp dport", tcp, Input, "eth0", "", nil, cmp(pay("tcp", "dport"), "==", vNum(22)), Yes},
		{"tcp dport != on UDP breaks", udp, Input, "eth0", "", nil, cmp(pay("tcp", "dport"), "!=", vNum(22)), No},
		{"udp dport range", udp, Input, "eth0", "", nil, cmp(pay("udp", "dport"), "==", vRange(50, 60)), Yes},
		{"udp dport != range", udp, Input, "eth0", "", nil, cmp(pay("udp", "dport"), "!=", vRange(1, 52)), Yes},
		{"tcp dport < 100", tcp, Input, "eth0", "", nil, cmp(pay("tcp", "dport"), "<", vNum(100)), Yes},
		{"tcp dport >= 100", tcp, Input, "eth0", "", nil, cmp(pay("tcp", "dport"), ">=", vNum(100)), No},
		{"tcp dport set with a range", tcp, Input, "eth0", "", nil, inSet([]NFTExpr{pay("tcp", "dport")}, "==", []NFTRange{vNum(80)}, []NFTRange{vRange(20, 25)}), Yes},
		{"tcp dport != set", tcp, Input, "eth0", "", nil, inSet([]NFTExpr{pay("tcp", "dport")}, "!=", []NFTRange{vNum(80)}, []NFTRange{vRange(20, 25)}), No},
		{"tcp dport of a non-first fragment breaks", tcp + " frag", Input, "eth0", "", nil, cmp(pay("tcp", "dport"), "!=", vNum(80)), No},
		{"th dport of UDP", udp, Input, "eth0", "", nil, cmp(pay("th", "dport"), "==", vNum(53)), Yes},
		{"th sport of ICMP is type and code", icmp, Input, "eth0", "", nil, cmp(pay("th", "sport"), "==", vNum(8<<8)), Yes},
		{"th dport of ICMP is the checksum", icmp, Input, "eth0", "", nil, cmp(pay("th", "dport"), "==", vNum(0)), Maybe},
		{"tcp flags syn / syn,ack", tcp, Input, "eth0", "", nil, cmp(binop("&", pay("tcp", "flags"), 0x12), "==", vNum(0x02)), Yes},
		{"tcp flags syn,ack (any bit)", tcp, Input, "eth0", "", nil, cmp(pay("tcp", "flags"), "in", vNum(0x12)), Yes},
		{"tcp flags == syn,ack (exact)", tcp, Input, "eth0", "", nil, cmp(pay("tcp", "flags"), "==", vNum(0x12)), No},
		{"icmp type", icmp, Input, "eth0", "", nil, cmp(pay("icmp", "type"), "==", vNum(8)), Yes},
		{"icmp type on TCP breaks", tcp, Input, "eth0", "", nil, cmp(pay("icmp", "type"), "!=", vNum(8)), No},
		{"icmpv6 type", icmp6, Input, "eth0", "", nil, cmp(pay("icmpv6", "type"), "==", vNum(135)), Yes},
		{"ip6 nexthdr", icmp6, Input, "eth0", "", nil, cmp(pay("ip6", "nexthdr"), "==", vNum(58)), Yes},
		{"ip length", tcp, Input, "eth0", "", nil, cmp(pay("ip", "length"), "==", vNum(100)), Yes},
		{"ip id is not modelled", tcp, Input, "eth0", "", nil, cmp(pay("ip", "id"), "==", vNum(1)), Maybe},
		{"frag-off & 0x1fff != 0 of a fragment", tcp + " frag", Input, "eth0", "", nil, cmp(binop("&", pay("ip", "frag-off"), 0x1fff), "!=", vNum(0)), Yes},
		{"frag-off & 0x1fff != 0 of a whole packet", tcp, Input, "eth0", "", nil, cmp(binop("&", pay("ip", "frag-off"), 0x1fff), "!=", vNum(0)), No},
		{"frag-off unmasked", tcp, Input, "eth0", "", nil, cmp(pay("ip", "frag-off"), "==", vNum(0)), Maybe},
		{"iifname wildcard", tcp, Input, "eth0", "", nil, cmp(meta("iifname"), "==", vWild("eth")), Yes},
		{"iifname exact", tcp, Input, "eth0", "", nil, cmp(meta("iifname"), "==", vStr("eth")), No},
		{"oifname in PREROUTING is empty", tcp, Prerouting, "eth0", "", nil, cmp(meta("oifname"), "==", vStr("eth0")), No},
		{"oifname != in PREROUTING matches", tcp, Prerouting, "eth0", "", nil, cmp(meta("oifname"), "!=", vStr("eth0")), Yes},
		{"iif by name", tcp, Input, "lo", "", nil, cmp(meta("iif"), "==", vStr("lo")), Yes},
		{"iif 0 without device", tcp, Output, "", "eth0", nil, cmp(meta("iif"), "==", vNum(0)), Yes},
		{"iif by unknown index", tcp, Input, "eth0", "", nil, cmp(meta("iif"), "==", NFTRange{Lo: nftUnknown(), Hi: nftUnknown()}), Maybe},
		{"meta mark & 0xff == 0x11", tcp, Input, "eth0", "", nil, cmp(binop("&", meta("mark"), 0xff), "==", vNum(0x11)), Yes},
		{"meta mark | 0x100 == 0x111", tcp, Input, "eth0", "", nil, cmp(binop("|", meta("mark"), 0x100), "==", vNum(0x111)), Yes},
		{"meta l4proto set", udp, Input, "eth0", "", nil, inSet([]NFTExpr{meta("l4proto")}, "==", []NFTRange{vNum(6)}, []NFTRange{vNum(17)}), Yes},
		{"meta nfproto ipv6", v6, Input, "eth0", "", nil, cmp(meta("nfproto"), "==", vNum(10)), Yes},
		{"meta protocol ip", tcp, Input, "eth0", "", nil, cmp(meta("protocol"), "==", vNum(0x0800)), Yes},
		{"meta pkttype broadcast", "udp 10.0.0.1:68 255.255.255.255:67", Input, "eth0", "", nil, cmp(meta("pkttype"), "==", vNum(1)), Yes},
		{"meta pkttype host", tcp, Input, "eth0", "", nil, cmp(meta("pkttype"), "==", vNum(0)), Yes},
		{"meta skuid of a forwarded packet breaks", tcp, Forward, "eth0", "eth1", nil, cmp(meta("skuid"), "!=", vNum(0)), No},
		{"meta skuid of a local packet", tcp, Output, "", "eth1", nil, cmp(meta("skuid"), "==", vNum(0)), Maybe},
		{"meta iiftype without input device breaks", tcp, Output, "", "eth1", nil, cmp(meta("iiftype"), "==", vNum(1)), No},
		{"ct state established,related (any)", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtEstablished}, cmp(ctk("state"), "in", vNum(6)), Yes},
		{"ct state new not in established,related", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtNew}, cmp(ctk("state"), "in", vNum(6)), No},
		{"ct state invalid before conntrack", tcp, Prerouting, "eth0", "", &Conntrack{}, cmp(ctk("state"), "in", vNum(1)), Yes},
		{"ct state untracked", tcp, Prerouting, "eth0", "", &Conntrack{Untracked: true}, cmp(ctk("state"), "in", vNum(64)), Yes},
		{"ct state set", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtNew, Status: CtStatusConfirmed}, inSet([]NFTExpr{ctk("state")}, "==", []NFTRange{vNum(2)}, []NFTRange{vNum(8)}), Yes},
		{"ct state != established of a DNATed new packet", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtNew | CtDNAT}, cmp(ctk("state"), "!=", vNum(2)), Yes},
		{"ct status dnat", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtNew | CtDNAT}, cmp(ctk("status"), "in", vNum(32)), Yes},
		{"ct status dnat without NAT", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtNew}, cmp(ctk("status"), "in", vNum(32)), No},
		{"ct mark != without an entry breaks", tcp, Prerouting, "eth0", "", &Conntrack{}, cmp(ctk("mark"), "!=", vNum(5)), No},
		{"ct mark", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtEstablished, Mark: 5}, cmp(ctk("mark"), "==", vNum(5)), Yes},
		{"ct direction reply", tcp, Input, "eth0", "", &Conntrack{Tracked: true, State: CtEstablished, Reply: true}, cmp(ctk("direction"), "==", vNum(1)), Yes},
		{"ct original saddr is not tracked", tcp, Input, "eth0", "", nil, cmp(&NFTCt{Key: "ip saddr", Dir: "original"}, "==", vAddr("10.0.0.1")), Maybe},
		{"concatenation in a set", udp, Input, "eth0", "", nil, inSet([]NFTExpr{pay("ip", "daddr"), meta("l4proto"), pay("th", "dport")}, "==",
			[]NFTRange{vAddr("192.168.1.5"), vNum(6), vNum(53)}, []NFTRange{vAddr("192.168.1.5"), vNum(17), vNum(53)}), Yes},
		{"concatenation with a prefix and a range", tcp, Input, "eth0", "", nil, inSet([]NFTExpr{pay("ip", "saddr"), pay("tcp", "dport")}, "==",
			[]NFTRange{vPfx("10.0.0.0/8"), vRange(20, 30)}), Yes},
		{"concatenation not in a set", tcp, Input, "eth0", "", nil, inSet([]NFTExpr{pay("ip", "saddr"), pay("tcp", "dport")}, "==",
			[]NFTRange{vPfx("10.0.0.0/8"), vRange(80, 90)}), No},
		{"numgen", tcp, Input, "eth0", "", nil, cmp(&NFTNumgen{Mode: "random", Mod: 2, Text: "numgen random mod 2"}, "==", vNum(0)), Maybe},
		{"opaque expression", tcp, Input, "eth0", "", nil, cmp(&NFTOpaqueExpr{Text: "ether saddr"}, "==", vNum(0)), Maybe},
		{"limit passes on a fresh bucket", tcp, Input, "eth0", "", nil, &NFTLimit{Rate: 5, Per: "second", Text: "limit rate 5/second"}, Yes},
		{"limit over does not", tcp, Input, "eth0", "", nil, &NFTLimit{Rate: 5, Per: "second", Inv: true, Text: "limit rate over 5/second"}, No},
		{"quota within", tcp, Input, "eth0", "", nil, &NFTLimit{Quota: true, Bytes: 1000, Used: 900, Text: "quota 1000 bytes used 900 bytes"}, Yes},
		{"quota over", tcp, Input, "eth0", "", nil, &NFTLimit{Quota: true, Bytes: 1000, Used: 950, Inv: true, Text: "quota over 1000 bytes used 950 bytes"}, Yes},
		{"xt match", tcp, Input, "eth0", "", nil, &NFTXT{Name: "rpfilter"}, Maybe},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ctxFor(nftPkt(t, tc.pkt), tc.hook, tc.in, tc.out, &nftEnv{})
			if tc.ct != nil {
				c.Ct = *tc.ct
			}
			if got := tc.m.Match(c); got != tc.want {
				t.Errorf("%s: got %s, want %s (%v)", tc.m, got, tc.want, c.details)
			}
			if tc.want == Maybe && len(c.details) == 0 {
				t.Errorf("%s: Maybe without an explanation", tc.m)
			}
		})
	}
}

// TestNFTSetLookupIndex checks that the hash of single values and the scan
// of ranges agree with a slow reference (every element tested in turn) on
// seeded random sets and keys.
func TestNFTSetLookupIndex(t *testing.T) {
	r := uint64(12345)
	rnd := func(n uint64) uint64 {
		r = r*6364136223846793005 + 1442695040888963407
		return (r >> 33) % n
	}
	for round := 0; round < 200; round++ {
		s := &NFTSet{}
		for i := 0; i < 20; i++ {
			a := rnd(64)
			if rnd(3) == 0 {
				s.Add(NFTElem{Key: []NFTRange{vNum(rnd(4)), vRange(a, a+rnd(8))}})
			} else {
				s.Add(NFTElem{Key: []NFTRange{vNum(rnd(4)), vNum(a)}})
			}
		}
		for k := 0; k < 50; k++ {
			key := []NFTValue{NFTNum(rnd(4)), NFTNum(rnd(80))}
			want := No
			for i := range s.Elems {
				if elemHolds(&s.Elems[i], key) == Yes {
					want = Yes
					break
				}
			}
			if _, got := s.Lookup(key); got != want {
				t.Fatalf("round %d key %v: got %s want %s", round, key, got, want)
			}
		}
	}
}
