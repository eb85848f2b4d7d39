package netfilter

import "testing"

// TestNFTBrokenRuleDoesNotMatch: an nft rule that ends before its last
// expression (a match after a statement fails, or a statement breaks) is
// not a matching rule, though the statements before the break ran:
// nft_do_chain sends the rule's trace event only after its last
// expression or a verdict, and on NFT_BREAK goes on to the next rule
// (net/netfilter/nf_tables_core.c). Table.Run records such a rule as
// NoMatch, as found by the kernel-differential test (case
// nft-20251124-10: `fib saddr . iif oif exists counter meta mark set ct
// mark drop` in a chain before conntrack is not in the kernel's trace).
func TestNFTBrokenRuleDoesNotMatch(t *testing.T) {
	udp := nftPkt(t, "udp 10.0.0.1:1000 192.168.1.5:53")
	setMark := st(&NFTMangle{Key: meta("mark"), Value: &NFTImmediate{Value: NFTNum(7)}, Text: "meta mark set 0x7"})
	rules := []*Rule{
		// meta mark set 0x7 tcp dport 22 accept: marks, then tcp dport
		// breaks on a UDP packet.
		nftRule(nil, setMark, mt(cmp(pay("tcp", "dport"), "==", vNum(22))), st(verdictStmt(Accept, ""))),
		// counter meta mark set ct mark drop: ct mark breaks without a
		// conntrack entry.
		nftRule(nil, st(&NFTCounter{Text: "counter"}), st(&NFTMangle{Key: meta("mark"), Value: ctk("mark"), Text: "meta mark set ct mark"}), st(verdictStmt(Drop, ""))),
		// counter: matches, no verdict.
		nftRule(nil, st(&NFTCounter{Text: "counter"})),
	}
	for i, r := range rules {
		r.Num = i + 1
	}
	tb := &Table{Name: "t", Chains: map[string]*Chain{"c": {Name: "c", Builtin: true, Policy: Accept, Rules: rules}}, Order: []string{"c"}}
	c := ctxFor(udp, Prerouting, "eth0", "", &nftEnv{})
	c.Ct = Conntrack{} // before conntrack: no entry
	o := tb.Run(c, "c")
	if o.Verdict != Accept || len(o.Steps) != 4 {
		t.Fatalf("verdict %s, %d steps, want the policy's accept after 3 rules: %+v", o.Verdict, len(o.Steps), o.Steps)
	}
	for i, want := range []bool{true, true, false} {
		if o.Steps[i].NoMatch != want {
			t.Errorf("rule %d: NoMatch %v, want %v (%v)", i+1, o.Steps[i].NoMatch, want, o.Steps[i].Details)
		}
	}
	if c.Pkt.Mark != 7 {
		t.Errorf("mark %#x: the statement before the break did not run", c.Pkt.Mark)
	}
}

// TestNFTRejectTCPResetNeedsTCP: `reject with tcp reset` runs only after
// a check for TCP that an ip or ip6 table does not list (nft 1.0.6 lists
// `meta l4proto tcp iifname "eth0" reject with tcp reset` as `iifname
// "eth0" reject with tcp reset`; the kernel's rule starts with [ meta
// load l4proto ] [ cmp eq reg 1 0x6 ]): a UDP packet passes the rule
// (case nft-2-46 of the kernel-differential test), a TCP one is rejected.
func TestNFTRejectTCPResetNeedsTCP(t *testing.T) {
	rj := &NFTReject{Type: "tcp reset", Text: "reject with tcp reset"}
	for _, tc := range []struct {
		pkt         string
		wantMatched bool
		want        VerdictKind
	}{
		{"udp 10.0.0.1:1000 192.168.1.5:53", false, VerdictNone},
		{"tcp 10.0.0.1:1000 192.168.1.5:22 flags=S", true, Reject},
	} {
		c := ctxFor(nftPkt(t, tc.pkt), Prerouting, "eth0", "", &nftEnv{})
		// As the rule's only statement: its guard keeps the rule from
		// matching.
		r := nftRule([]Match{cmp(meta("iifname"), "==", vStr("eth0"))}, st(rj))
		if m, v := runRule(c, r); m != tc.wantMatched || v.Kind != tc.want {
			t.Errorf("%s: matched %v, verdict %s; want %v, %s", tc.pkt, m, v.Kind, tc.wantMatched, tc.want)
		}
		// After another statement: the rule breaks at the reject.
		r = nftRule(nil, st(&NFTCounter{Text: "counter"}), st(rj))
		if _, v := runRule(c, r); v.Kind != tc.want || c.broke == tc.wantMatched {
			t.Errorf("%s after counter: verdict %s, broke %v; want %s, %v", tc.pkt, v.Kind, c.broke, tc.want, !tc.wantMatched)
		}
	}
}

// TestNFTRawPayload: a raw load is put together from the fields farend
// knows; bits of fields it does not (the ICMP checksum) are unknown.
func TestNFTRawPayload(t *testing.T) {
	for _, tc := range []struct {
		pkt     string
		e       NFTRawPayload
		want    uint64
		unknown uint64
	}{
		{"udp 10.0.0.1:123 192.168.1.5:81", NFTRawPayload{Base: "th", Offset: 0, Len: 32}, 0x007b0051, 0},
		{"tcp 10.0.0.1:123 192.168.1.5:81 flags=S", NFTRawPayload{Base: "th", Offset: 104, Len: 8}, 0x02, 0},
		{"udp 10.0.0.1:123 192.168.1.5:81", NFTRawPayload{Base: "nh", Offset: 64, Len: 16}, 0x4011, 0},
		{"udp 10.0.0.1:123 192.168.1.5:81", NFTRawPayload{Base: "nh", Offset: 96, Len: 32}, 0x0a000001, 0},
		{"icmp 10.0.0.1 192.168.1.5 type=8/0", NFTRawPayload{Base: "th", Offset: 0, Len: 32}, 0x08000000, 0xffff},
	} {
		c := ctxFor(nftPkt(t, tc.pkt), Prerouting, "eth0", "", &nftEnv{})
		c.Pkt.TTL = 64
		v, r, _ := tc.e.Load(c)
		if r != Yes || v.Num&^v.Unknown != tc.want || v.Unknown != tc.unknown {
			t.Errorf("%s %s: %v %#x (unknown %#x), want %#x (unknown %#x)", tc.pkt, tc.e.String(), r, v.Num, v.Unknown, tc.want, tc.unknown)
		}
	}
}

// TestNFTConntrackFamilies: snat and dnat turn conntrack on for the
// family of their addresses (nft_nat_init: nf_ct_netns_get(ctx->net,
// family) with the statement's NFTA_NAT_FAMILY); the rest for the
// table's.
func TestNFTConntrackFamilies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rule   *Rule
		fam    Family
		v4, v6 bool
	}{
		{"snat ip6 in inet", nftRule(nil, st(&NFTNAT{Kind: "snat", Family: IPv6, Text: "snat ip6 to 2001:db8::1"})), Inet, false, true},
		{"dnat ip in inet", nftRule(nil, st(&NFTNAT{Kind: "dnat", Family: IPv4, Text: "dnat ip to 192.0.2.1"})), Inet, true, false},
		{"masquerade in inet", nftRule(nil, st(&NFTNAT{Kind: "masquerade", Text: "masquerade"})), Inet, true, true},
		{"snat in ip", nftRule(nil, st(&NFTNAT{Kind: "snat", Text: "snat to 192.0.2.1"})), IPv4, true, false},
		{"ct state in inet", nftRule([]Match{cmp(ctk("state"), "==", vNum(8))}), Inet, true, true},
		{"ct mark set in ip6", nftRule(nil, st(&NFTMangle{Key: ctk("mark"), Value: &NFTImmediate{Value: NFTNum(1)}, Text: "ct mark set 0x1"})), IPv6, false, true},
		{"counter", nftRule(nil, st(&NFTCounter{Text: "counter"})), Inet, false, false},
	} {
		if v4, v6 := NFTConntrackFamilies(tc.rule, tc.fam); v4 != tc.v4 || v6 != tc.v6 {
			t.Errorf("%s: v4 %v v6 %v, want %v %v", tc.name, v4, v6, tc.v4, tc.v6)
		}
	}
}
