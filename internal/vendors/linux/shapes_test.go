package linux

import (
	"net/netip"
	"testing"

	"farend/internal/model"
)

// The tricky JSON shapes, one case each, as iproute2 6.1 printed them in
// testdata/netns (or, where marked, as its source prints them).

func TestStripPeer(t *testing.T) {
	for _, c := range []struct{ name, link, want string }{
		{"veth0", "", "veth0"},
		{"veth0@if5", "", "veth0"},          // peer in another namespace
		{"eth0.10@eth0", "eth0", "eth0.10"}, // parent in this namespace
		{"gre0@NONE", "", "gre0"},           // IFLA_LINK 0
		{"odd@home", "", "odd@home"},        // '@' is legal in a name
		{"x@if", "", "x@if"},
		{"@if3", "", "@if3"},
	} {
		if got := stripPeer(c.name, c.link); got != c.want {
			t.Errorf("stripPeer(%q, %q) = %q, want %q", c.name, c.link, got, c.want)
		}
	}
}

func TestParseDst(t *testing.T) {
	for _, c := range []struct {
		in   string
		v6   bool
		want string
	}{
		{"default", false, "0.0.0.0/0"},
		{"default", true, "::/0"},
		{"198.51.100.10", false, "198.51.100.10/32"}, // host routes print no length
		{"2001:db8:41::1", true, "2001:db8:41::1/128"},
		{"198.18.0.0/15", false, "198.18.0.0/15"},
		{"0/8", false, "0.0.0.0/8"},
		{"198.18.0.0/33", false, "invalid Prefix"},
		{"fe80::1%eth0", true, "invalid Prefix"},
	} {
		got, _ := parseDst(&node{kind: kString, text: c.in}, c.v6)
		if got.String() != c.want {
			t.Errorf("parseDst(%q, %v) = %v, want %v", c.in, c.v6, got, c.want)
		}
	}
}

func TestRouteShapes(t *testing.T) {
	// Captured: `encap ip` repeats "dst", "src" and "tos".
	rs, notes := ParseRoutes("r", []byte(`[{"dst":"198.18.13.0/24","encap":"ip","id":1,"src":"0.0.0.0","dst":"198.51.100.5","ttl":0,"tos":8,"dev":"e0","scope":"link","flags":[]},`+
		// Captured: multipath with a linkdown path; nhid group.
		`{"dst":"198.18.9.0/24","nhid":12,"flags":[],"nexthops":[{"gateway":"198.51.100.1","dev":"e0","weight":1,"flags":[]},{"gateway":"198.18.0.2","dev":"v2","weight":3,"flags":["linkdown"]}]},`+
		// Captured: RFC 5549 gateway, locked mtu, realm.
		`{"dst":"198.18.11.0/24","via":{"family":"inet6","host":"2001:db8:100::1"},"dev":"e0","table":"200","protocol":"openr","flags":["onlink"],"metrics":[{"mtu":1400}],"flow":{"to":"5"}},`+
		// Captured: a blackhole has no nexthop; tos names.
		`{"type":"blackhole","dst":"198.18.1.0/24","tos":"0x10","table":"100","flags":[]}]`), false)
	if len(rs) != 4 {
		t.Fatalf("got %d routes, notes %v", len(rs), notes)
	}
	e := rs[0]
	if e.Dst != netip.MustParsePrefix("198.18.13.0/24") || e.Src.IsValid() || e.TOS != 0 ||
		e.Encap != "ip id 1 src 0.0.0.0 dst 198.51.100.5 ttl 0 tos 8" || e.Scope != "link" {
		t.Errorf("encap route: %+v", e)
	}
	m := rs[1]
	if m.NHID != 12 || len(m.Nexthops) != 2 || m.Nexthops[1].Weight != 3 || !m.Nexthops[1].Linkdown || m.Linkdown {
		t.Errorf("multipath route: %+v", m)
	}
	v := rs[2]
	if v.Table != 200 || v.Protocol != "openr" || v.MTU != 1400 || len(v.Nexthops) != 1 ||
		v.Nexthops[0].Gateway != netip.MustParseAddr("2001:db8:100::1") || !v.Nexthops[0].Onlink {
		t.Errorf("via route: %+v", v)
	}
	b := rs[3]
	if b.Type != model.RouteBlackhole || b.Table != 100 || b.TOS != 0x10 || b.Nexthops != nil || b.Metric != 0 || b.Protocol != "boot" {
		t.Errorf("blackhole: %+v", b)
	}
	if len(notes) != 1 || notes[0].Text != `flow={"to":"5"}` {
		t.Errorf("notes: %v", notes)
	}
}

func TestRuleShapes(t *testing.T) {
	// All captured from iproute2 6.1 except the last (ip/iprule.c shapes).
	rs, notes := ParseRules("r", []byte(`[`+
		`{"priority":141,"src":"all","fwmark":"0x20","fwmask":"0xf0","table":"200"},`+
		`{"priority":140,"src":"all","fwmark":"0x10","table":"100"},`+
		`{"priority":142,"src":"all","fwmark":"0","fwmask":"0x1","table":"200"},`+
		`{"priority":160,"src":"all","ipproto":"tcp","sport":1000,"dport_start":2000,"dport_end":2100,"table":"100"},`+
		`{"priority":163,"src":"all","ipproto":"ipproto-250","table":"100"},`+
		`{"priority":120,"not":null,"src":"192.0.2.0","srclen":24,"table":"100"},`+
		`{"priority":101,"src":"198.51.100.10","table":"100"},`+
		`{"priority":170,"src":"198.18.0.0","srclen":16,"goto":200},`+
		`{"priority":171,"src":"all","goto":175,"unresolved":null},`+
		`{"priority":180,"src":"198.18.1.0","srclen":24,"nop":null},`+
		`{"priority":191,"src":"198.18.3.0","srclen":24,"action":"unreachable"},`+
		`{"priority":200,"src":"all","table":"main","suppress_prefixlen":0},`+
		`{"priority":201,"src":"all","table":"main","suppress_ifgroup":"5"},`+
		`{"priority":210,"src":"all","l3mdev":null},`+
		`{"priority":220,"src":"all","uid_start":1000,"uid_end":2000,"table":"100"},`+
		`{"priority":231,"src":"all","dst":"203.0.113.0","dstlen":24,"table":"1000000","protocol":"openr"},`+
		`{"priority":234,"src":"all","iif":"nosuchdev","iif_detached":null,"table":"default"},`+
		`{"priority":11,"src":"all","ipproto":"udp","dport":53,"dport_mask":"0xffff","table":"5340"}]`), false)
	if len(notes) != 0 {
		t.Errorf("notes: %v", notes)
	}
	want := []model.RouteRule{
		{Priority: 141, FwMark: 0x20, FwMask: 0xf0, HasMark: true, Table: 200},
		{Priority: 140, FwMark: 0x10, FwMask: 0xffffffff, HasMark: true, Table: 100},
		{Priority: 142, FwMark: 0, FwMask: 1, HasMark: true, Table: 200},
		{Priority: 160, IPProto: 6, SPort: model.PortRange{Lo: 1000, Hi: 1000}, DPort: model.PortRange{Lo: 2000, Hi: 2100}, Table: 100},
		{Priority: 163, IPProto: 250, Table: 100},
		{Priority: 120, Not: true, From: netip.MustParsePrefix("192.0.2.0/24"), Table: 100},
		{Priority: 101, From: netip.MustParsePrefix("198.51.100.10/32"), Table: 100},
		{Priority: 170, From: netip.MustParsePrefix("198.18.0.0/16"), Action: model.ActionGoto, Goto: 200},
		{Priority: 171, Action: model.ActionGoto, Goto: 175},
		{Priority: 180, From: netip.MustParsePrefix("198.18.1.0/24"), Action: model.ActionNop},
		{Priority: 191, From: netip.MustParsePrefix("198.18.3.0/24"), Action: model.ActionUnreachable},
		{Priority: 200, Table: 254, SuppressPrefixLen: 0, SuppressIfGroup: -1},
		{Priority: 201, Table: 254, SuppressPrefixLen: -1, SuppressIfGroup: 5},
		{Priority: 210, L3MDev: true},
		{Priority: 220, UIDRange: "1000-2000", Table: 100},
		{Priority: 231, To: netip.MustParsePrefix("203.0.113.0/24"), Table: 1000000, Protocol: "openr"},
		{Priority: 234, IIF: "nosuchdev", Table: 253},
		{Priority: 11, IPProto: 17, DPort: model.PortRange{Lo: 53, Hi: 53}, Table: 5340},
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d rules", len(rs))
	}
	for i, w := range want {
		if w.Priority != 200 && w.Priority != 201 {
			w.SuppressPrefixLen, w.SuppressIfGroup = -1, -1
		}
		got := rs[i]
		got.Pos = w.Pos
		if got != w {
			t.Errorf("rule %d:\ngot  %+v\nwant %+v", i, got, w)
		}
	}
}

func TestTableNames(t *testing.T) {
	for _, c := range []struct {
		in    string
		id    uint32
		known bool
	}{{"local", 255, true}, {"main", 254, true}, {"default", 253, true}, {"1000000", 1000000, true}, {"4294967295", 4294967295, true}} {
		id, known := parseTable(c.in)
		if id != c.id || known != c.known {
			t.Errorf("parseTable(%q) = %d, %v", c.in, id, known)
		}
	}
	a, ka := parseTable("wg")
	b, _ := parseTable("wg")
	if ka || a != b || a < 1<<31 {
		t.Errorf("synthetic id for wg: %d %v, again %d", a, ka, b)
	}
}

func TestAddrPeer(t *testing.T) {
	// Captured: `ip addr add 203.0.113.1 peer 203.0.113.2/32 dev tun0`.
	ifs, notes := ParseAddrs("a", []byte(`[{"ifindex":9,"ifname":"tun0","flags":["POINTOPOINT","UP"],"mtu":1500,"addr_info":[`+
		`{"family":"inet","local":"203.0.113.1","address":"203.0.113.2","prefixlen":32,"scope":"global","label":"tun0","valid_life_time":4294967295,"preferred_life_time":4294967295},`+
		`{"family":"inet6","local":"2001:db8:5::1","address":"2001:db8:5::2","prefixlen":128,"scope":"global","nodad":true}]}]`), nil)
	if len(notes) != 0 || len(ifs) != 1 || len(ifs[0].Addrs) != 2 {
		t.Fatalf("got %+v, notes %v", ifs, notes)
	}
	a := ifs[0].Addrs[0]
	if a.Prefix != netip.MustParsePrefix("203.0.113.1/32") || a.Peer != netip.MustParsePrefix("203.0.113.2/32") {
		t.Errorf("peer address: %+v", a)
	}
	if !ifs[0].Addrs[1].NoDAD || !ifs[0].PointToPoint || !ifs[0].Up {
		t.Errorf("flags: %+v", ifs[0])
	}
}
