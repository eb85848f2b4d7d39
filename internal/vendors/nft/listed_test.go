package nft

import (
	"strings"
	"testing"

	nf "farend/internal/netfilter"
	"farend/internal/packet"
)

// TestListedForms evaluates rules nft lists in another form than they
// were written (testdata/src/listed.nft), one rule at a time, as the
// kernel runs what `nft --debug=netlink` shows for them:
//
//   - `tcp flags ! fin,urg`: [ bitwise reg 1 = ( reg 1 & 0x21 ) ^ 0 ]
//     [ cmp eq reg 1 0 ]: none of the flags;
//   - `tcp flags != syn`: [ cmp neq reg 1 0x02 ]: the whole byte differs;
//   - `meta mark 0x00010000/16`: [ bitwise & 0xffff0000 ] [ cmp eq
//     0x00010000 ]; `meta mark != 0x00000010/31`: & 0xfffffffe, cmp neq;
//   - `meta mark set tcp dport map { ... }`: [ lookup ... dreg 1 ] [ meta
//     set mark ]; a port the map lacks breaks the rule (nft_lookup_eval
//     NFT_BREAK): no mark, and the counter after it does not count.
func TestListedForms(t *testing.T) {
	rs := load(t, "listed.json")[nf.IPv4]
	rules := rs.Tables["t"].Chains["c"].Rules
	tcp := func(flags uint8, dport uint16, mark uint32) *nf.Ctx {
		p := pkt(t, "tcp", "192.0.2.9:4000", "198.51.100.1:80")
		p.TCPFlags, p.DPort, p.Mark = flags, dport, mark
		return &nf.Ctx{Pkt: p, Hook: nf.Prerouting, In: "eth0", Env: &hostEnv{}, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew, Mark: mark}}
	}
	matches := func(i int, c *nf.Ctx) bool {
		t.Helper()
		r := rules[i]
		for _, m := range r.Matches {
			if m.Match(c) != nf.Yes {
				return false
			}
		}
		if st, ok := r.Target.(*nf.NFTStatements); ok {
			for _, it := range st.Items {
				if it.Match != nil && it.Match.Match(c) != nf.Yes {
					return false
				}
				if it.Stmt != nil {
					if _, stop := it.Stmt.Exec(c); stop {
						return false
					}
				}
			}
		}
		return true
	}
	for _, tc := range []struct {
		rule  int
		flags uint8
		mark  uint32
		want  bool
	}{
		{0, packet.TCPSyn, 0, true},                  // ! fin,urg
		{0, packet.TCPSyn | packet.TCPFin, 0, false}, // fin set
		{0, packet.TCPAck | packet.TCPUrg, 0, false}, // urg set
		{1, packet.TCPSyn, 0, false},                 // != syn: exactly syn
		{1, packet.TCPSyn | packet.TCPAck, 0, true},  // syn,ack differs from syn
		{1, packet.TCPAck, 0, true},                  // ack
		{2, packet.TCPSyn, 0x10000, true},            // 0x00010000/16
		{2, packet.TCPSyn, 0x1ffff, true},            // low bits are not compared
		{2, packet.TCPSyn, 0x20000, false},           // high bits differ
		{2, packet.TCPSyn, 0, false},                 // mark 0
		{3, packet.TCPSyn, 0x11, false},              // != 0x10/31: 0x11 & ~1 == 0x10
		{3, packet.TCPSyn, 0x12, true},               // 0x12 & ~1 != 0x10
		{4, packet.TCPSyn, 0xffff, true},             // ct mark 0/16
		{4, packet.TCPSyn, 0x10000, false},           // ct mark 0x10000
	} {
		if got := matches(tc.rule, tcp(tc.flags, 80, tc.mark)); got != tc.want {
			t.Errorf("rule %q, flags %#x, mark %#x: matches %v, want %v", rules[tc.rule].Text, tc.flags, tc.mark, got, tc.want)
		}
	}
	for _, tc := range []struct {
		rule  int
		dport uint16
		match bool
		mark  uint32
	}{
		{5, 22, true, 5},
		{5, 443, true, 6},
		{5, 80, false, 0x99}, // no element: the rule ends, the mark stays
		{6, 80, true, 1},
		{6, 1500, true, 2},
		{6, 2001, false, 0x99},
	} {
		c := tcp(packet.TCPSyn, tc.dport, 0x99)
		if got := matches(tc.rule, c); got != tc.match || c.Pkt.Mark != tc.mark {
			t.Errorf("rule %q, dport %d: matches %v, mark %#x; want %v, %#x", rules[tc.rule].Text, tc.dport, got, c.Pkt.Mark, tc.match, tc.mark)
		}
	}
}

// TestMergedNegations: nft 1.0.6 compiled adjacent != matches of
// touching header fields into one compare (testdata/src/merged.nft;
// `nft --debug=netlink` shows `[ payload load 4b @ transport header + 0 ]
// [ cmp neq reg 1 0x51007b00 ]` for `tcp sport != 123 tcp dport != 81`),
// which holds when any field differs. Found by the kernel-differential
// test (case nft-2-126: `th sport != 123 th dport != 81` matched a packet
// from port 123).
func TestMergedNegations(t *testing.T) {
	rules := load(t, "merged.json")[nf.IPv4].Tables["t"].Chains["c"].Rules
	for _, tc := range []struct {
		rule int
		pkt  string
		want bool
	}{
		{0, "tcp 192.0.2.9:123 198.51.100.1:81", false}, // both equal
		{0, "tcp 192.0.2.9:123 198.51.100.1:80", true},  // dport differs: the merged compare holds
		{0, "tcp 192.0.2.9:124 198.51.100.1:81", true},
		{0, "udp 192.0.2.9:1 198.51.100.1:2", false}, // not TCP: the dependency fails
		{1, "tcp 192.0.2.9:123 198.51.100.1:81", true},
		{1, "tcp 192.0.2.9:123 198.51.100.1:80", false},
		{2, "tcp 192.0.2.4:1 198.51.100.1:2", false}, // 64 bits: not merged, saddr equal
		{2, "tcp 192.0.2.5:1 198.51.100.1:2", true},
		{3, "udp 192.0.2.9:1 198.51.100.1:2", true}, // protocol udp, ttl 63 (below): merged, ttl differs
		{4, "udp 192.0.2.9:5353 198.51.100.1:54", true},
		{4, "udp 192.0.2.9:5353 198.51.100.1:53", false},
		{5, "tcp 192.0.2.9:124 198.51.100.1:81", true}, // != and ==: not merged
		{5, "tcp 192.0.2.9:124 198.51.100.1:80", false},
		{6, "tcp 192.0.2.9:123 198.51.100.1:80", true},  // merged across the counter
		{7, "udp 192.0.2.9:123 198.51.100.1:81", false}, // @th,0,32 != 0x7b0051
		{7, "udp 192.0.2.9:123 198.51.100.1:80", true},
		{7, "tcp 192.0.2.9:124 198.51.100.1:81", true},
		{8, "udp 192.0.2.9:53 198.51.100.1:53", true},
		{9, "udp 192.0.2.9:1 198.51.100.1:2", true}, // @nh,64,16 0x4011: ttl 64, udp
		{9, "tcp 192.0.2.9:1 198.51.100.1:2", false},
	} {
		p := pkt(t, strings.Fields(tc.pkt)[0], strings.Fields(tc.pkt)[1], strings.Fields(tc.pkt)[2])
		if tc.rule == 3 {
			p.TTL = 63 // ttl differs, protocol equal: merged, holds
		}
		if tc.rule == 4 {
			p.Mark = 1
		}
		c := &nf.Ctx{Pkt: p, Hook: nf.Input, In: "eth0", Env: &hostEnv{}}
		got := true
		for _, m := range rules[tc.rule].Matches {
			if m.Match(c) != nf.Yes {
				got = false
			}
		}
		if got != tc.want {
			t.Errorf("rule %q, %s: matches %v, want %v", rules[tc.rule].Text, tc.pkt, got, tc.want)
		}
	}
}
