package sim

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
	"farend/internal/vendors/iptables"
	"farend/internal/vendors/nft"
)

// nftDoc wraps libnftables JSON objects into an `nft -j list ruleset`
// document.
func nftDoc(objs ...string) []byte {
	return []byte(`{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, ` + strings.Join(objs, ", ") + `]}`)
}

func nftTable(family, name string, handle int, flags string) string {
	f := ""
	if flags != "" {
		f = fmt.Sprintf(`, "flags": [%q]`, flags)
	}
	return fmt.Sprintf(`{"table": {"family": %q, "name": %q, "handle": %d%s}}`, family, name, handle, f)
}

func nftBase(family, table, name string, handle int, typ, hook string, prio int, policy string) string {
	return fmt.Sprintf(`{"chain": {"family": %q, "table": %q, "name": %q, "handle": %d, "type": %q, "hook": %q, "prio": %d, "policy": %q}}`,
		family, table, name, handle, typ, hook, prio, policy)
}

func nftRule(family, table, chain string, handle int, exprs ...string) string {
	return fmt.Sprintf(`{"rule": {"family": %q, "table": %q, "chain": %q, "handle": %d, "expr": [%s]}}`,
		family, table, chain, handle, strings.Join(exprs, ", "))
}

const (
	exCounter  = `{"counter": {"packets": 0, "bytes": 0}}`
	exAccept   = `{"accept": null}`
	exDrop     = `{"drop": null}`
	exTCPDport = `{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": %d}}`
	exMarkSet  = `{"mangle": {"key": {"meta": {"key": "mark"}}, "value": %d}}`
	exDNAT     = `{"dnat": {"addr": %q}}`
	exCtNew    = `{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "new"}}`
)

// withNFT loads an nft.json document into h's device and re-indexes it.
func withNFT(t *testing.T, h *Host, doc []byte) *Host {
	t.Helper()
	rss, notes := nft.Parse("nft.json", doc)
	for _, n := range notes {
		if !strings.Contains(n.String(), "family is not modelled") {
			t.Fatalf("test ruleset not understood: %v", notes)
		}
	}
	h.Dev.NFT = rss
	return NewHost(h.Dev)
}

// chainsRun lists "family table chain" of the netfilter steps, in order,
// once per chain visit.
func chainsRun(tr trace.Trace) []string {
	var out []string
	for _, s := range tr.Hops[0].Steps {
		if s.Kind != trace.KindNetfilter {
			continue
		}
		k := strings.TrimSpace(s.Family + " " + s.Table + " " + s.Chain)
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

func hasUnknown(tr trace.Trace, sub string) bool {
	for _, u := range tr.Unknown {
		if strings.Contains(u, sub) {
			return true
		}
	}
	return false
}

// A nat chain's priority orders it among nat chains only: the nat hook
// runs at -100 on PREROUTING, so a nat chain at priority 50 runs before a
// filter chain at 0, and once a chain set up the mapping the later nat
// chains are skipped (nf_nat_inet_fn). Checked on the kernel with `nft
// monitor trace` (see TestKernelNFTNatHook).
func TestNFTNatHookOrder(t *testing.T) {
	h := withNFT(t, router(t, "", nil, nil, nil), nftDoc(
		nftTable("ip", "t", 1, ""),
		nftBase("ip", "t", "filt", 1, "filter", "prerouting", 0, "accept"),
		nftBase("ip", "t", "nat1", 2, "nat", "prerouting", 50, "accept"),
		nftBase("ip", "t", "nat2", 3, "nat", "prerouting", 60, "accept"),
		nftRule("ip", "t", "filt", 4, exCounter),
		nftRule("ip", "t", "nat1", 5, fmt.Sprintf(exTCPDport, 80), fmt.Sprintf(exDNAT, "192.0.2.7")),
		nftRule("ip", "t", "nat2", 6, fmt.Sprintf(exDNAT, "192.0.2.8")),
	))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 80), In: "eth0"})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth1")
	got := strings.Join(chainsRun(tr), " | ")
	if want := "ip t nat1 | ip t filt"; got != want {
		t.Errorf("chains run: %s, want %s", got, want)
	}
	if tr.PacketOut == nil || tr.PacketOut.Dst != "192.0.2.7" {
		t.Errorf("packet out %+v, want dst 192.0.2.7", tr.PacketOut)
	}
	// Without the mapping in nat1 (another port) nat2 runs.
	tr = mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 81), In: "eth0"})
	if got, want := strings.Join(chainsRun(tr), " | "), "ip t nat1 | ip t nat2 | ip t filt"; got != want {
		t.Errorf("chains run: %s, want %s", got, want)
	}
	if tr.PacketOut == nil || tr.PacketOut.Dst != "192.0.2.8" {
		t.Errorf("packet out %+v, want dst 192.0.2.8", tr.PacketOut)
	}
}

// Equal priorities: the order is not in the snapshot; the answer says so.
func TestNFTTiesAreReported(t *testing.T) {
	h := withNFT(t, router(t, "", nil, nil, nil), nftDoc(
		nftTable("ip", "a", 1, ""),
		nftTable("inet", "b", 2, ""),
		nftBase("ip", "a", "in", 1, "filter", "input", 0, "accept"),
		nftBase("inet", "b", "in", 1, "filter", "input", 0, "accept"),
		nftRule("ip", "a", "in", 2, exCounter),
		nftRule("inet", "b", "in", 2, exCounter),
	))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	expect(t, tr, trace.Accepted, "", "")
	if !hasUnknown(tr, "order undefined: inet b in and ip a in both have priority 0") {
		t.Errorf("tie not reported: %q", tr.Unknown)
	}
	// Best guess: the later-created table (higher handle) first.
	if got, want := strings.Join(chainsRun(tr), " | "), "inet b in | ip a in"; got != want {
		t.Errorf("chains run: %s, want %s", got, want)
	}
}

// A dormant table's chains are not on the hooks; an iptables-nft table is
// the one iptables-save shows (nf_tables backend) but a second one next
// to iptables-legacy.
func TestNFTDormantAndShadowed(t *testing.T) {
	doc := nftDoc(
		nftTable("ip", "filter", 1, ""),
		nftBase("ip", "filter", "INPUT", 1, "filter", "input", 0, "accept"),
		nftRule("ip", "filter", "INPUT", 2, fmt.Sprintf(exTCPDport, 22), exCounter, exDrop),
		nftTable("ip", "sleepy", 2, "dormant"),
		nftBase("ip", "sleepy", "in", 1, "filter", "input", 10, "drop"),
	)
	save := "# Generated by iptables-nft-save v1.8.9 (nf_tables)\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n"
	h := withNFT(t, router(t, save, nil, nil, nil), doc)
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	expect(t, tr, trace.DeniedIn, "NETFILTER_DROP", "")
	if got, want := strings.Join(chainsRun(tr), " | "), "filter INPUT"; got != want {
		t.Errorf("nf_tables backend: chains run %s, want %s (the nft copy is the same table; sleepy is dormant)", got, want)
	}
	legacy := strings.Replace(save, "iptables-nft-save v1.8.9 (nf_tables)", "iptables-save v1.8.9 (legacy)", 1)
	legacy = strings.Replace(legacy, "--dport 22 -j DROP", "--dport 23 -j DROP", 1)
	h = withNFT(t, router(t, legacy, nil, nil, nil), doc)
	tr = mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	expect(t, tr, trace.DeniedIn, "NETFILTER_DROP", "")
	if !strings.Contains(tr.Reason, "ip filter INPUT") || !strings.Contains(tr.Reason, "handle 2") {
		t.Errorf("legacy backend: the nft table should drop too: %s", tr.Reason)
	}
	if !hasUnknown(tr, "order undefined") {
		t.Errorf("legacy filter and nft filter INPUT tie at 0 and should be reported: %q", tr.Unknown)
	}
}

// On OUTPUT a route chain that changes the mark routes the packet again
// (nf_route_table_hook4); a filter chain doing the same does not.
func TestNFTRouteChainReroutes(t *testing.T) {
	routes := []model.Route{{Table: 100, Dst: netip.MustParsePrefix("0.0.0.0/0"), Nexthops: []model.Nexthop{{Dev: "eth1", Gateway: netip.MustParseAddr("192.0.2.254")}}}}
	prules := []model.RouteRule{
		{Priority: 0, Action: model.ActionLookup, Table: model.TableLocal},
		{Priority: 100, Action: model.ActionLookup, Table: 100, FwMark: 1, FwMask: 0xffffffff, HasMark: true},
		{Priority: 32766, Action: model.ActionLookup, Table: model.TableMain},
	}
	for i := range prules {
		prules[i].SuppressPrefixLen, prules[i].SuppressIfGroup = -1, -1
	}
	for _, typ := range []string{"route", "filter"} {
		h := withNFT(t, router(t, "", nil, routes, prules), nftDoc(
			nftTable("ip", "m", 1, ""),
			nftBase("ip", "m", "out", 1, typ, "output", -150, "accept"),
			nftRule("ip", "m", "out", 2, fmt.Sprintf(exMarkSet, 1)),
		))
		tr := mustTrace(t, h, Request{Pkt: pkt("198.51.100.1", "203.0.113.5", packet.ProtoTCP, 443), Local: true})
		want := map[string]string{"route": "eth1", "filter": "eth0"}[typ]
		expect(t, tr, trace.ExitsNetwork, "", want)
	}
}

// Conntrack runs only when some rule needs it: an nft ruleset whose nat
// chain has no nat statement and no ct expression leaves packets
// untracked, so the nat chain is not run; a `ct state` rule turns it on.
func TestNFTConntrackOnlyWhenNeeded(t *testing.T) {
	base := []string{
		nftTable("ip", "t", 1, ""),
		nftBase("ip", "t", "pre", 1, "nat", "prerouting", -100, "accept"),
		nftRule("ip", "t", "pre", 2, exCounter),
		nftBase("ip", "t", "in", 3, "filter", "input", 0, "accept"),
	}
	h := withNFT(t, router(t, "", nil, nil, nil), nftDoc(base...))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	if got, want := strings.Join(chainsRun(tr), " | "), "ip t in"; got != want {
		t.Errorf("untracked: chains run %s, want %s", got, want)
	}
	said := false
	for _, s := range tr.Hops[0].Steps {
		said = said || (s.Kind == trace.KindConntrack && s.Verdict == "not running")
	}
	if !said {
		t.Errorf("the answer does not say conntrack is not running")
	}
	h = withNFT(t, router(t, "", nil, nil, nil), nftDoc(append(base, nftRule("ip", "t", "in", 4, exCtNew, exAccept))...))
	tr = mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	if got, want := strings.Join(chainsRun(tr), " | "), "ip t pre | ip t in"; got != want {
		t.Errorf("tracked: chains run %s, want %s", got, want)
	}
}

// A netdev ingress chain on the input device is named as not modelled.
func TestNFTNetdevIngressIsUnknown(t *testing.T) {
	h := withNFT(t, router(t, "", nil, nil, nil), nftDoc(
		nftTable("netdev", "edge", 1, ""),
		`{"chain": {"family": "netdev", "table": "edge", "name": "in", "handle": 1, "type": "filter", "hook": "ingress", "prio": 0, "dev": "eth0", "policy": "accept"}}`,
		nftRule("netdev", "edge", "in", 2, exCounter),
	))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 22), In: "eth0"})
	if !hasUnknown(tr, "netdev edge in (ingress hook on eth0, 1 rules") {
		t.Errorf("ingress chain not reported: %q", tr.Unknown)
	}
	tr = mustTrace(t, h, Request{Pkt: pkt("192.0.2.9", "192.0.2.1", packet.ProtoTCP, 22), In: "eth1"})
	if hasUnknown(tr, "netdev edge") {
		t.Errorf("ingress chain of eth0 reported for eth1: %q", tr.Unknown)
	}
}

// A native `table ip nat` iptables-nft-save cannot show: it prints an
// empty placeholder after "# Table `nat' contains incompatible
// base-chains" (iptables 1.8.9); the nft table is the real one.
func TestNFTIncompatibleTableIsNotShadowed(t *testing.T) {
	save := "# Table `nat' contains incompatible base-chains, use 'nft' tool to list them.\n# Generated by iptables-nft-save v1.8.9 (nf_tables)\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
	h := router(t, "", nil, nil, nil)
	rs, _ := iptables.Parse("iptables-save", []byte(save), netfilter.IPv4)
	h.Dev.Filter4 = rs
	h = withNFT(t, h, nftDoc(
		nftTable("ip", "nat", 1, ""),
		nftBase("ip", "nat", "pre", 1, "nat", "prerouting", -100, "accept"),
		nftRule("ip", "nat", "pre", 2, fmt.Sprintf(exTCPDport, 80), fmt.Sprintf(exDNAT, "192.0.2.7")),
	))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 80), In: "eth0"})
	if got, want := strings.Join(chainsRun(tr), " | "), "ip nat pre"; got != want {
		t.Errorf("chains run %s, want %s", got, want)
	}
	if tr.PacketOut == nil || tr.PacketOut.Dst != "192.0.2.7" {
		t.Errorf("no DNAT: %+v", tr.PacketOut)
	}
}

// `meta mark set 1 tcp dport 22 accept` marks every packet: the
// statement runs before the match that fails (nft_do_chain evaluates a
// rule's expressions in order). The rule did not match, but the answer
// shows it ran partly and the mark stays.
func TestNFTPartialRuleShown(t *testing.T) {
	h := withNFT(t, router(t, "", nil, nil, nil), nftDoc(
		nftTable("ip", "t", 1, ""),
		nftBase("ip", "t", "in", 1, "filter", "input", 0, "accept"),
		nftRule("ip", "t", "in", 2, fmt.Sprintf(exMarkSet, 1), fmt.Sprintf(exTCPDport, 22), exAccept),
	))
	tr := mustTrace(t, h, Request{Pkt: pkt("203.0.113.9", "198.51.100.1", packet.ProtoTCP, 80), In: "eth0"})
	partial := false
	for _, s := range tr.Hops[0].Steps {
		partial = partial || (s.Kind == trace.KindPartial && s.Handle == 2)
	}
	if !partial || tr.PacketOut == nil || tr.PacketOut.Mark != "0x1" {
		t.Errorf("partial step shown %v, packet out %+v", partial, tr.PacketOut)
	}
}
