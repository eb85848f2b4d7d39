package iptables

import (
	"net/netip"
	"os"
	"testing"

	"farend/internal/netfilter"
	"farend/internal/packet"
)

// rpEnv is an Env whose reverse-path check passes only for sources in
// good.
type rpEnv struct{ good netip.Prefix }

func (e rpEnv) RPFilter(p packet.Packet, dev string, f netfilter.RPFlags) (bool, string) {
	if e.good.Contains(p.Src) {
		return true, "the route back to " + p.Src.String() + " goes out " + dev
	}
	return false, "the route back to " + p.Src.String() + " goes out eth0, not " + dev
}
func (rpEnv) AddrType(netip.Addr, string, netfilter.AddrType) netfilter.AddrType {
	return netfilter.AddrUnicast
}
func (rpEnv) SourceAddr(string, netip.Addr, bool) netip.Addr { return netip.Addr{} }

// TestStoryFourthTable replays the rule-level part of scenario 01 (the
// verdicts the real kernel gave, README of scenarios/01-fourth-table) on
// the fc20 ip6tables-save: the raw table's rpfilter rule drops a source
// without a return route via sit1, the filter FORWARD chain accepts
// ICMPv6 and rejects TCP with icmp6-adm-prohibited.
func TestStoryFourthTable(t *testing.T) {
	data, err := os.ReadFile("testdata/fc20-ip6tables.save")
	if err != nil {
		t.Fatal(err)
	}
	rs, notes := Parse("ip6tables-save", data, netfilter.IPv6)
	if len(notes) != 0 {
		t.Fatalf("notes: %v", notes)
	}
	if rs.Backend != "nf_tables" {
		t.Errorf("backend %q", rs.Backend)
	}
	env := rpEnv{good: netip.MustParsePrefix("2001:db8:5::/64")}
	echo := func(src string) packet.Packet {
		return packet.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr("2001:db8:d0c::2"), Proto: packet.ProtoICMPv6, ICMPType: 128, TTL: 64, Length: 104}
	}
	raw := rs.Table("raw")
	// Case 1: R1 itself passes raw PREROUTING (policy ACCEPT).
	c := &netfilter.Ctx{Pkt: echo("2001:db8:5::1"), Family: netfilter.IPv6, Hook: netfilter.Prerouting, In: "sit1", Env: env}
	if out := raw.Run(c, "PREROUTING"); out.Verdict != netfilter.Accept || out.By != nil {
		t.Errorf("case 1 raw: %v by %v", out.Verdict, out.By)
	}
	// Case 2 broken: R2's LAN has no return route via sit1: rule 2 drops.
	c = &netfilter.Ctx{Pkt: echo("2001:db8:2::1"), Family: netfilter.IPv6, Hook: netfilter.Prerouting, In: "sit1", Env: env}
	out := raw.Run(c, "PREROUTING")
	if out.Verdict != netfilter.Drop || out.By == nil || out.By.Ref() != "raw/PREROUTING#2" {
		t.Fatalf("case 2 raw: %v by %v", out.Verdict, out.By)
	}
	if out.By.Text != "-A PREROUTING -m rpfilter --invert -j DROP" {
		t.Errorf("rule text %q", out.By.Text)
	}
	// Case 1 and 4 in filter FORWARD (conntrack NEW after the raw table).
	filter := rs.Table("filter")
	c = &netfilter.Ctx{Pkt: echo("2001:db8:5::1"), Family: netfilter.IPv6, Hook: netfilter.Forward, In: "sit1", Out: "docker0", Env: env, Ct: netfilter.Conntrack{Tracked: true, State: netfilter.CtNew}}
	out = filter.Run(c, "FORWARD")
	if out.Verdict != netfilter.Accept || out.By.Text != "-A FORWARD -p ipv6-icmp -j ACCEPT" {
		t.Errorf("case 1 forward: %v by %v", out.Verdict, out.By)
	}
	syn := packet.Packet{Src: netip.MustParseAddr("2001:db8:5::1"), Dst: netip.MustParseAddr("2001:db8:d0c::2"), Proto: packet.ProtoTCP, SPort: 40000, DPort: 80, TCPFlags: packet.TCPSyn, TTL: 64, Length: 80}
	c = &netfilter.Ctx{Pkt: syn, Family: netfilter.IPv6, Hook: netfilter.Forward, In: "sit1", Out: "docker0", Env: env, Ct: netfilter.Conntrack{Tracked: true, State: netfilter.CtNew}}
	out = filter.Run(c, "FORWARD")
	if out.Verdict != netfilter.Reject || out.By.Text != "-A FORWARD -j REJECT --reject-with icmp6-adm-prohibited" {
		t.Errorf("case 4 forward: %v by %v", out.Verdict, out.By)
	}
}
