package nft

import (
	"strings"
	"testing"

	nf "farend/internal/netfilter"
)

// TestShapes reads JSON shapes libnftables accepts (doc/libnftables-json
// .adoc) that `nft -j list ruleset` 1.0.6 does not print: named
// priorities, a netdev device, element objects, a map statement, a meter
// with one statement, an unknown statement and an unknown object.
func TestShapes(t *testing.T) {
	in := `{"nftables": [
	{"metainfo": {"version": "1.1.3", "json_schema_version": 1}},
	{"table": {"family": "inet", "name": "t", "flags": "dormant"}},
	{"chain": {"family": "inet", "table": "t", "name": "pre", "type": "filter", "hook": "prerouting", "prio": "mangle + 10", "policy": "drop"}},
	{"chain": {"family": "inet", "table": "t", "name": "post", "type": "nat", "hook": "postrouting", "prio": "srcnat - 5"}},
	{"table": {"family": "netdev", "name": "n"}},
	{"chain": {"family": "netdev", "table": "n", "name": "in", "type": "filter", "hook": "ingress", "dev": ["eth0", "eth1"], "prio": "filter"}},
	{"table": {"family": "bridge", "name": "b"}},
	{"chain": {"family": "bridge", "table": "b", "name": "out", "type": "filter", "hook": "output", "prio": "out"}},
	{"set": {"family": "inet", "table": "t", "name": "s", "type": ["ipv4_addr", "inet_service"], "flags": ["interval"]}},
	{"map": {"family": "inet", "table": "t", "name": "m", "type": "ipv4_addr", "map": "mark"}},
	{"element": {"family": "inet", "table": "t", "name": "s", "elem": [{"concat": [{"prefix": {"addr": "10.0.0.0", "len": 8}}, {"range": [1, 1023]}]}, {"elem": {"val": {"concat": ["192.0.2.1", 22]}, "comment": "ssh"}}]}},
	{"rule": {"family": "inet", "table": "t", "chain": "pre", "expr": [
		{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": "@s"}},
		{"map": {"op": "update", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": {"meta": {"key": "mark"}}, "map": "@m"}},
		{"accept": null}]}},
	{"rule": {"family": "inet", "table": "t", "chain": "pre", "expr": [
		{"meter": {"name": "m", "key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"limit": {"rate": 10, "per": "second"}}}},
		{"frobnicate": {"x": 1}}]}},
	{"flowtable": {"family": "inet", "table": "t", "name": "ft", "hook": "ingress", "prio": 0, "dev": "eth0"}},
	{"wormhole": {"family": "inet"}}
]}`
	rss, notes := Parse("shapes.json", []byte(in))
	fams := map[nf.Family]*nf.Ruleset{}
	for _, rs := range rss {
		fams[rs.Family] = rs
		if rs.NFTVersion != "1.1.3" {
			t.Errorf("version %q", rs.NFTVersion)
		}
	}
	tb := fams[nf.Inet].Tables["t"]
	if c := tb.Chains["pre"]; c.NFT.Priority != -140 || c.Policy != nf.Drop || len(c.Rules) != 2 {
		t.Errorf("pre: %+v %+v", c, c.NFT)
	}
	if c := tb.Chains["post"]; c.NFT.Priority != 95 {
		t.Errorf("post priority %d", c.NFT.Priority)
	}
	if c := fams[nf.Netdev].Tables["n"].Chains["in"]; c.NFT.Priority != 0 || strings.Join(c.NFT.Devices, ",") != "eth0,eth1" || c.NFT.Hook != nf.HookUnknown {
		t.Errorf("netdev chain %+v", c.NFT)
	}
	if c := fams[nf.Bridge].Tables["b"].Chains["out"]; c.NFT.Priority != 100 {
		t.Errorf("bridge out priority %d", c.NFT.Priority)
	}
	if tb.NFT.Flags[0] != "dormant" || len(tb.NFT.Sets["s"].Elems) != 2 || !tb.NFT.Sets["m"].Dynamic || !tb.NFT.Sets["m"].Map {
		t.Errorf("table %+v", tb.NFT)
	}
	want := []string{
		`ip saddr . tcp dport @s update @m { ip saddr : meta mark } accept`,
		`meter m { ip saddr limit rate 10/second } frobnicate {"x": 1}`,
	}
	for i, r := range tb.Chains["pre"].Rules {
		if r.Text != want[i] {
			t.Errorf("rule %d:\n got  %s\n want %s", i, r.Text, want[i])
		}
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.String())
	}
	all := strings.Join(got, "\n")
	for _, w := range []string{
		`shapes.json[4]: not understood: table netdev n (the netdev family is not modelled`,
		`shapes.json[6]: not understood: table bridge b`,
		`shapes.json[12]: not understood: meter m { ip saddr limit rate 10/second } frobnicate {"x": 1} (` + "`" + `{"frobnicate": {"x": 1}}` + "`" + `: unknown statement "frobnicate")`,
		`shapes.json[14]: not understood: {"wormhole": {"family": "inet"}} (unknown object "wormhole")`,
	} {
		if !strings.Contains(all, w) {
			t.Errorf("missing note %q in\n%s", w, all)
		}
	}
	if len(notes) != 4 {
		t.Errorf("%d notes:\n%s", len(notes), all)
	}
	checkInvariants(t, "shapes.json", []byte(in))
}
