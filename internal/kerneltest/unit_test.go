package kerneltest

// Tests of the harness's own parts that need no root and no kernel.

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"net/netip"
	"strings"
	"testing"

	"farend/internal/packet"
	"farend/internal/trace"
)

func TestFrameChecksumsAndClassify(t *testing.T) {
	src, dst := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 2}
	nonce := []byte("12345678")
	for _, p := range []packet.Packet{
		tcpSYN("192.0.2.1", "198.51.100.1", 1234, 80),
		tcpSYN("2001:db8::1", "2001:db8::2", 1234, 80),
		{Src: addr("192.0.2.1"), Dst: addr("198.51.100.1"), Proto: packet.ProtoUDP, SPort: 53, DPort: 53},
		{Src: addr("2001:db8::1"), Dst: addr("2001:db8::2"), Proto: packet.ProtoUDP, SPort: 53, DPort: 53},
		{Src: addr("192.0.2.1"), Dst: addr("198.51.100.1"), Proto: packet.ProtoICMP, ICMPType: 8},
		{Src: addr("2001:db8::1"), Dst: addr("2001:db8::2"), Proto: packet.ProtoICMPv6, ICMPType: 128},
		{Src: addr("192.0.2.1"), Dst: addr("198.51.100.1"), Proto: packet.ProtoGRE},
	} {
		f, err := buildFrame(src, dst, p, nonce)
		if err != nil {
			t.Fatal(err)
		}
		ip := f[14:]
		var l4 []byte
		if p.Is6() {
			l4 = ip[40:]
		} else {
			if checksum(ip[:20], 0) != 0 {
				t.Errorf("%v: bad IPv4 header checksum", p)
			}
			l4 = ip[20:]
		}
		if p.Proto != packet.ProtoGRE {
			var sum uint32
			if p.Is6() || p.Proto != packet.ProtoICMP {
				sum = pseudoHeader(p.Src, p.Dst, p.Proto, len(l4))
			}
			if c := checksum(l4, sum); c != 0 {
				t.Errorf("%v: transport checksum does not verify (%#x)", p, c)
			}
		}
		k, in := classify(f, nonce, p)
		if k != frameOurs {
			t.Fatalf("%v: classify = %v", p, k)
		}
		if in.pkt.Src != p.Src || in.pkt.Dst != p.Dst || in.pkt.SPort != p.SPort || in.pkt.DPort != p.DPort || in.pkt.TTL != 64 {
			t.Errorf("parsed %v, built %v", in.pkt, p)
		}
		if k, _ := classify(f, []byte("other..."), p); k != frameOther {
			t.Errorf("%v: a frame with another nonce is ours", p)
		}
	}
	// An echo reply carries the request's payload but is not the request.
	req := packet.Packet{Src: addr("192.0.2.1"), Dst: addr("198.51.100.1"), Proto: packet.ProtoICMP, ICMPType: 8}
	rep := req
	rep.Src, rep.Dst, rep.ICMPType = req.Dst, req.Src, 0
	f, _ := buildFrame(src, dst, rep, nonce)
	if k, _ := classify(f, nonce, req); k == frameOurs {
		t.Errorf("an echo reply was taken for the request")
	}
	// An ICMP error quoting the packet.
	inner, _ := buildFrame(src, dst, req, nonce)
	errPkt := packet.Packet{Src: addr("198.51.100.1"), Dst: addr("192.0.2.1"), Proto: packet.ProtoICMP, ICMPType: 3, ICMPCode: 13}
	f, _ = buildFrame(src, dst, errPkt, inner[14:])
	if k, _ := classify(f, nonce, req); k != frameICMPErr {
		t.Errorf("an ICMP error quoting the packet is %v", k)
	}
}

func TestParseSaveCounters(t *testing.T) {
	before := parseSaveCounters("ip", []byte(`# Generated
*filter
:INPUT ACCEPT [5:300]
:FORWARD DROP [0:0]
:USER - [0:0]
[1:60] -A FORWARD -p tcp -j USER
[0:0] -A FORWARD -j ACCEPT
[1:60] -A USER -j RETURN
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
[0:0] -A POSTROUTING -j MASQUERADE
COMMIT
`))
	after := parseSaveCounters("ip", []byte(`*filter
:INPUT ACCEPT [5:300]
:FORWARD DROP [1:40]
:USER - [0:0]
[2:120] -A FORWARD -p tcp -j USER
[0:0] -A FORWARD -j ACCEPT
[2:120] -A USER -j RETURN
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
[1:60] -A POSTROUTING -j MASQUERADE
COMMIT
`))
	var got []string
	for _, d := range counterDeltas(before, after) {
		got = append(got, d.String())
	}
	want := "ip filter FORWARD rule 1|ip filter FORWARD policy|ip filter USER rule 1|ip nat POSTROUTING rule 1"
	if strings.Join(got, "|") != want {
		t.Errorf("deltas %q, want %q", strings.Join(got, "|"), want)
	}
}

// nlTrace builds one NFT_MSG_TRACE netlink message.
func nlTrace(family uint8, attrs ...[]byte) []byte {
	body := []byte{family, 0, 0, 0}
	for _, a := range attrs {
		body = append(body, a...)
	}
	h := make([]byte, 16)
	binary.NativeEndian.PutUint32(h[0:], uint32(16+len(body)))
	binary.NativeEndian.PutUint16(h[4:], nfnlSubsysNFTables<<8|nftMsgTrace)
	return append(h, body...)
}

func nlAttr(typ uint16, v []byte) []byte {
	b := make([]byte, 4, 4+len(v)+3)
	binary.NativeEndian.PutUint16(b[0:], uint16(4+len(v)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func TestParseTraceMessages(t *testing.T) {
	verdict := append(nlAttr(nftaVerdictCode, be32(uint32(0xfffffffd))), nlAttr(nftaVerdictChain, []byte("PREROUTING_direct\x00"))...)
	msg := nlTrace(nfprotoIPv6,
		nlAttr(nftaTraceTable, []byte("raw\x00")),
		nlAttr(nftaTraceChain, []byte("PREROUTING\x00")),
		nlAttr(nftaTraceRuleHandle, binary.BigEndian.AppendUint64(nil, 7)),
		nlAttr(nftaTraceType, be32(nftTraceTypeRule)),
		nlAttr(nftaTraceVerdict|0x8000, verdict),
		nlAttr(nftaTraceID, be32(0xabcd)),
		nlAttr(nftaTraceIIF, be32(3)),
	)
	msg2 := nlTrace(nfprotoIPv6,
		nlAttr(nftaTraceTable, []byte("raw\x00")),
		nlAttr(nftaTraceChain, []byte("PREROUTING\x00")),
		nlAttr(nftaTraceType, be32(nftTraceTypePolicy)),
		nlAttr(nftaTracePolicy, be32(1)),
		nlAttr(nftaTraceID, be32(0xabcd)),
	)
	evs := parseTraceMessages(append(msg, msg2...))
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	if e.Table != "raw" || e.Chain != "PREROUTING" || e.Handle != 7 || e.ID != 0xabcd || e.IIF != 3 ||
		verdictName(e.Verdict, e.Target) != "jump PREROUTING_direct" || familyName(e.Family) != "ip6" {
		t.Errorf("event %+v", e)
	}
	if p := evs[1]; !p.HasPol || verdictName(int32(p.Policy), "") != "accept" || p.Type != nftTraceTypePolicy {
		t.Errorf("policy event %+v", p)
	}
}

func TestRoutesAndRulesFromJSON(t *testing.T) {
	routes, err := RoutesFromJSON([]byte(`[
{"dst":"2001:db8:2::/64","gateway":"2001:db8:5::1","dev":"sit1","table":"100","metric":1024,"flags":[],"pref":"medium"},
{"dst":"2001:db8:5::/64","dev":"sit1","protocol":"kernel","metric":256,"flags":[]},
{"dst":"default","gateway":"2001:db8:100::1","dev":"eth0","metric":1024,"flags":[]},
{"type":"blackhole","dst":"2001:db8:3::/64","dev":"lo","protocol":"static","metric":1024,"flags":[]},
{"type":"local","dst":"2001:db8:5::2","dev":"sit1","table":"local","protocol":"kernel","metric":0,"flags":[]}]`), true)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range routes {
		got = append(got, r.Args())
	}
	want := []string{
		"2001:db8:2::/64 via 2001:db8:5::1 dev sit1 table 100 metric 1024 proto static",
		"::/0 via 2001:db8:100::1 dev eth0 metric 1024 proto static",
		"blackhole 2001:db8:3::/64 metric 1024 proto static",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rules, err := RulesFromJSON([]byte(`[{"priority":0,"src":"all","table":"local"},
{"priority":100,"not":null,"src":"192.0.2.0","srclen":24,"dst":"198.51.100.0","dstlen":24,"fwmark":"0x1","fwmask":"0xff","iif":"eth0","table":"100"},
{"priority":101,"src":"all","action":"blackhole"},
{"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]`), false)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range rules {
		got = append(got, r.Args())
	}
	want = []string{
		"pref 100 not from 192.0.2.0/24 to 198.51.100.0/24 iif eth0 fwmark 0x1/0xff lookup 100",
		"pref 101 blackhole",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCompare(t *testing.T) {
	out := tcpSYN("198.51.100.1", "203.0.113.5", 5000, 80)
	obs := Observation{
		Host: "r1", In: "eth0", Packet: tcpSYN("192.0.2.10", "203.0.113.5", 40000, 80),
		Fate: FateForwarded, OutInterface: "eth1", NextHop: addr("198.51.100.2"), PacketOut: &out,
		Steps: []Step{
			{RuleRef: RuleRef{Family: "ip", Table: "filter", Chain: "FORWARD", Rule: 2}, Verdict: "accept"},
			{RuleRef: RuleRef{Family: "ip", Table: "nat", Chain: "POSTROUTING", Rule: 1}, Verdict: "accept"},
		},
		FinalVerdict: "accept",
	}
	good := trace.Trace{
		Packet:      trace.Packet{Family: "ipv4", Src: "192.0.2.10", Dst: "203.0.113.5", Proto: "tcp", SPort: 40000, DPort: 80},
		PacketOut:   &trace.Packet{Family: "ipv4", Src: "198.51.100.1", Dst: "203.0.113.5", Proto: "tcp", SPort: 5000, DPort: 80},
		Disposition: trace.ExitsNetwork, OutInterface: "eth1", NextHop: "198.51.100.2",
		Hops: []trace.Hop{{Node: "r1", Steps: []trace.Step{
			{Kind: trace.KindRouting},
			{Kind: trace.KindNetfilter, Table: "filter", Chain: "FORWARD", Rule: 2, Verdict: "ACCEPT"},
			{Kind: trace.KindNetfilter, Table: "filter", Chain: "USER"}, // a return: not compared
			{Kind: trace.KindNetfilter, Table: "nat", Chain: "POSTROUTING", Rule: 1, Verdict: "SNAT"},
		}}},
	}
	js := func(tr trace.Trace) []byte { b, _ := json.Marshal(tr); return b }
	if d := Compare(obs, js(good)); d != "" {
		t.Errorf("equal answers differ:\n%s", d)
	}
	for name, mutate := range map[string]func(*trace.Trace){
		"disposition": func(tr *trace.Trace) { tr.Disposition = trace.DeniedIn },
		"out interface": func(tr *trace.Trace) {
			tr.OutInterface = "eth0"
		},
		"next hop":      func(tr *trace.Trace) { tr.NextHop = "198.51.100.3" },
		"packet out":    func(tr *trace.Trace) { tr.PacketOut = nil },
		"step 2":        func(tr *trace.Trace) { tr.Hops[0].Steps[3].Rule = 2 },
		"final verdict": func(tr *trace.Trace) { tr.Hops[0].Steps[3].Verdict = "DROP" },
	} {
		tr := good
		tr.Hops = []trace.Hop{{Node: "r1", Steps: append([]trace.Step(nil), good.Hops[0].Steps...)}}
		mutate(&tr)
		d := Compare(obs, js(tr))
		if !strings.Contains(d, "! "+name) {
			t.Errorf("%s: difference not marked:\n%s", name, d)
		}
	}
	if d := Compare(obs, []byte("{")); !strings.Contains(d, "does not parse") {
		t.Errorf("bad JSON: %q", d)
	}
}

// TestCompareNFT: native nft steps are compared with their family (an
// ip and an inet table of the same name are different tables);
// an iptables-save step stands for the kernel's step in the iptables-nft
// table (family ip or ip6).
func TestCompareNFT(t *testing.T) {
	obs := Observation{
		Host: "r1", In: "eth0", Packet: tcpSYN("192.0.2.10", "198.51.100.1", 40000, 22),
		Fate: FateDelivered,
		Steps: []Step{
			{RuleRef: RuleRef{Family: "ip", Table: "filter", Chain: "input", Rule: 1}, Handle: 4, Verdict: "continue"},
			{RuleRef: RuleRef{Family: "inet", Table: "filter", Chain: "input", Rule: 2}, Handle: 7, Verdict: "jump c1"},
			{RuleRef: RuleRef{Family: "inet", Table: "filter", Chain: "c1", Policy: false, Rule: 1}, Handle: 3, Verdict: "accept"},
			{RuleRef: RuleRef{Family: "ip", Table: "filter", Chain: "INPUT", Policy: true}, Verdict: "accept"},
		},
		FinalVerdict: "accept",
	}
	good := trace.Trace{
		Packet:      trace.Packet{Family: "ipv4", Src: "192.0.2.10", Dst: "198.51.100.1", Proto: "tcp", SPort: 40000, DPort: 22},
		Disposition: trace.Accepted,
		Hops: []trace.Hop{{Node: "r1", Steps: []trace.Step{
			{Kind: trace.KindNetfilter, Family: "ip", Table: "filter", Chain: "input", Rule: 1, Handle: 4, Verdict: "continue"},
			{Kind: trace.KindNetfilter, Family: "inet", Table: "filter", Chain: "input", Rule: 2, Handle: 7, Verdict: "jump c1"},
			{Kind: trace.KindNetfilter, Family: "inet", Table: "filter", Chain: "c1", Rule: 1, Handle: 3, Verdict: "accept"},
			{Kind: trace.KindNetfilter, Table: "filter", Chain: "INPUT", Policy: true, Verdict: "ACCEPT"},
		}}},
	}
	js := func(tr trace.Trace) []byte { b, _ := json.Marshal(tr); return b }
	if d := Compare(obs, js(good)); d != "" {
		t.Errorf("equal answers differ:\n%s", d)
	}
	for name, mutate := range map[string]func(*trace.Trace){
		"step 1": func(tr *trace.Trace) { tr.Hops[0].Steps[0].Family = "inet" },
		"step 2": func(tr *trace.Trace) { tr.Hops[0].Steps[1].Rule = 3 },
		"step 3": func(tr *trace.Trace) { tr.Hops[0].Steps[2].Family = "" },
		"step 4": func(tr *trace.Trace) { tr.Hops[0].Steps[3].Family = "inet" },
	} {
		tr := good
		tr.Hops = []trace.Hop{{Node: "r1", Steps: append([]trace.Step(nil), good.Hops[0].Steps...)}}
		mutate(&tr)
		if d := Compare(obs, js(tr)); !strings.Contains(d, "! "+name) {
			t.Errorf("%s: difference not marked:\n%s", name, d)
		}
	}
}

func TestNormalizeVerdict(t *testing.T) {
	for in, want := range map[string]string{
		"ACCEPT": "accept", "REJECT": "drop", "DROP": "drop", "DNAT": "accept", "MASQUERADE": "accept",
		"LOG": "continue", "RETURN": "return", "jump PRE_public": "jump PRE_public", "GOTO X": "goto X", "accept": "accept",
	} {
		if got := NormalizeVerdict(in); got != want {
			t.Errorf("NormalizeVerdict(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseKfreeSkbAndSNMP(t *testing.T) {
	ev, ok := parseKfreeSkb(" <...>-123 [001] ..s1. 12.5: kfree_skb: skbaddr=0000 rx_sk=0000 protocol=34525 location=ip6_pkt_discard+0x1b/0x30 reason: IP_INNOROUTES")
	if !ok || ev.Protocol != etherIPv6 || ev.Location != "ip6_pkt_discard" || ev.Reason != "IP_INNOROUTES" {
		t.Errorf("%+v %v", ev, ok)
	}
	// The injected skb is the one the in-link received; an ICMP error the
	// host sent and dropped first is not it.
	var evs []dropEvent
	for _, l := range []string{
		" <...>-123 [001] ..s1. 12.4: netif_receive_skb: dev=sit1 skbaddr=00000000aaaa len=48",
		" <...>-123 [001] ..s1. 12.5: kfree_skb: skbaddr=00000000bbbb rx_sk=0000 protocol=2048 location=nft_do_chain+0x1/0x2 reason: NETFILTER_DROP",
		" <...>-123 [001] ..s1. 12.6: kfree_skb: skbaddr=00000000aaaa rx_sk=0000 protocol=2048 location=ip_error+0x1/0x2 reason: IP_INNOROUTES",
	} {
		e, ok := parseKfreeSkb(l)
		if !ok {
			t.Fatalf("not parsed: %s", l)
		}
		evs = append(evs, e)
	}
	if d, ok := ourDrop(evs, "sit1"); !ok || d.Reason != "IP_INNOROUTES" {
		t.Errorf("ourDrop = %+v %v, want the IP_INNOROUTES of skb aaaa", d, ok)
	}
	if d, ok := ourDrop(evs[1:], "sit1"); !ok || d.Reason != "NETFILTER_DROP" {
		t.Errorf("without receive events ourDrop = %+v %v, want the first drop", d, ok)
	}
	m := map[string]int64{}
	parseSNMP([]byte("Ip: Forwarding InReceives\nIp: 1 7\nIcmp: InMsgs\nIcmp: 2\n"), m)
	parseSNMP([]byte("Ip6InReceives                   \t5\nIp6InNoRoutes 1\n"), m)
	if m["Ip.InReceives"] != 7 || m["Icmp.InMsgs"] != 2 || m["Ip6InReceives"] != 5 || m["Ip6InNoRoutes"] != 1 {
		t.Errorf("%v", m)
	}
}

func TestExpandSysctls(t *testing.T) {
	l := &Lab{links: []*labLink{{Link: Link{Name: "eth0"}}, {Link: Link{Name: "eth1"}}}}
	got := l.expandSysctls([]Sysctl{{"net.ipv4.conf.default.rp_filter", "1"}, {"net.ipv4.conf.eth1.rp_filter", "2"}})
	var s []string
	for _, x := range got {
		s = append(s, x.Key+"="+x.Value)
	}
	want := "net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1 net.ipv4.conf.eth1.rp_filter=2"
	if strings.Join(s, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(s, " "), want)
	}
}

func TestDocumentationAddressesOnly(t *testing.T) {
	bad := Topology{Host: "x", Links: []Link{{Name: "eth0", Addrs: []netip.Prefix{pfx("10.0.0.1/24")}}}}
	if err := bad.checkDoc(); err == nil {
		t.Errorf("10.0.0.1 accepted")
	}
	if err := twoLinks.checkDoc(); err != nil {
		t.Error(err)
	}
}
