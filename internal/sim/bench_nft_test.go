package sim

import (
	"net/netip"
	"testing"

	"farend/internal/model"
	"farend/internal/trace"
	"farend/internal/vendors/nft"
)

// kubeNFTNode is kubeNode with kube-proxy's nftables mode instead of
// iptables: table ip kube-proxy from nft.KubeProxyRuleset (verdict maps
// of every service and node port, a chain per service and endpoint).
func kubeNFTNode(tb testing.TB, services, endpoints int) *Host {
	rss, notes := nft.Parse("nft.json", nft.KubeProxyRuleset(services, endpoints))
	if len(notes) != 0 {
		tb.Fatalf("kube-proxy nft ruleset: %v", notes[0])
	}
	d := &model.Device{Name: "node", NFT: rss, Sysctl: model.Sysctl{"net.ipv4.conf.eth0.forwarding": "1", "net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.eth0.rp_filter": "0"}}
	d.Interfaces = []model.Interface{
		{Name: "eth0", Addrs: []model.Address{{Prefix: netip.MustParsePrefix("192.168.0.10/24")}}},
		{Name: "cni0", Addrs: []model.Address{{Prefix: netip.MustParsePrefix("10.244.0.1/16")}}},
	}
	d.Routes = []model.Route{
		{Table: model.TableMain, Dst: netip.MustParsePrefix("0.0.0.0/0"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("192.168.0.1"), Dev: "eth0"}}},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("192.168.0.0/24"), Nexthops: []model.Nexthop{{Dev: "eth0"}}},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("10.244.0.0/16"), Nexthops: []model.Nexthop{{Dev: "cni0"}}},
		{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("192.168.0.10/32"), Nexthops: []model.Nexthop{{Dev: "eth0"}}, Protocol: "kernel"},
	}
	return NewHost(d)
}

// TestKubeNFTServiceDNAT: a SYN to the last service's cluster IP goes
// through the service-ips verdict map to the service chain and is DNATed
// to an endpoint (numgen random: the first endpoint, said so).
func TestKubeNFTServiceDNAT(t *testing.T) {
	h := kubeNFTNode(t, 300, 2)
	tr, err := h.Trace(Request{Pkt: lastService(300), In: "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Disposition != trace.DeliveredToSubnet || tr.OutInterface != "cni0" {
		t.Fatalf("got %s out %s: %s", tr.Disposition, tr.OutInterface, tr.Reason)
	}
	// Service 299's endpoints are 10.244.2.100 and .101 (n = 598, 599).
	if tr.PacketOut == nil || (tr.PacketOut.Dst != "10.244.2.100" && tr.PacketOut.Dst != "10.244.2.101") || tr.PacketOut.DPort != 8080 {
		t.Fatalf("packet out %+v, want an endpoint of service 299 port 8080", tr.PacketOut)
	}
	// The generator's JSON has no handles (nft assigns them on load).
	var nat []string
	for _, s := range tr.Hops[0].Steps {
		if s.Kind == trace.KindNAT {
			nat = append(nat, s.Verdict)
			if s.Family != "ip" || s.Table != "kube-proxy" || s.Rule == 0 || s.Source == "" {
				t.Errorf("NAT step does not name the nft rule: %+v", s)
			}
		}
	}
	// Off-cluster traffic is marked and masqueraded on the way out.
	if len(nat) != 2 || nat[0] != "DNAT" || nat[1] != "MASQUERADE" {
		t.Errorf("NAT steps %v, want DNAT then MASQUERADE", nat)
	}
}

// BenchmarkTraceKubeNFT traces a SYN to the last of 5,000 services
// (2 endpoints each) through kube-proxy's nftables ruleset: every base
// chain of the host's timeline, the service-ips verdict map, the service
// and endpoint chains, DNAT, routing and forwarding.
func BenchmarkTraceKubeNFT(b *testing.B) {
	h := kubeNFTNode(b, 5000, 2)
	req := Request{Pkt: lastService(5000), In: "eth0"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.Trace(req); err != nil {
			b.Fatal(err)
		}
	}
}
