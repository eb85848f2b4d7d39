package sim

import (
	"net/netip"
	"testing"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
	"farend/internal/vendors/iptables"
)

// kubeNode is a Kubernetes node: eth0 198.51.100.10/24 (default via .1),
// pods 10.244.0.0/16 via cni0, and kube-proxy's ruleset for services x
// endpoints.
func kubeNode(tb testing.TB, services, endpoints int) *Host {
	rs, notes := iptables.Parse("iptables-save", iptables.KubeProxyRuleset(services, endpoints), netfilter.IPv4)
	if len(notes) != 0 {
		tb.Fatalf("kube-proxy ruleset: %v", notes[0])
	}
	d := &model.Device{Name: "node", Filter4: rs, Sysctl: model.Sysctl{"net.ipv4.conf.eth0.forwarding": "1", "net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.eth0.rp_filter": "0"}}
	d.Interfaces = []model.Interface{
		{Name: "eth0", Addrs: []model.Address{{Prefix: netip.MustParsePrefix("198.51.100.10/24")}}},
		{Name: "cni0", Addrs: []model.Address{{Prefix: netip.MustParsePrefix("10.244.0.1/16")}}},
	}
	d.Routes = []model.Route{
		{Table: model.TableMain, Dst: netip.MustParsePrefix("0.0.0.0/0"), Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("198.51.100.1"), Dev: "eth0"}}},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("198.51.100.0/24"), Nexthops: []model.Nexthop{{Dev: "eth0"}}},
		{Table: model.TableMain, Dst: netip.MustParsePrefix("10.244.0.0/16"), Nexthops: []model.Nexthop{{Dev: "cni0"}}},
		{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.MustParsePrefix("198.51.100.10/32"), Nexthops: []model.Nexthop{{Dev: "eth0"}}, Protocol: "kernel"},
	}
	return NewHost(d)
}

// lastService is the packet to the last service's cluster IP (the longest
// walk through KUBE-SERVICES); KubeProxyRuleset numbers services from 0
// with cluster IP 10.96.i/250.i%250+1 and port 80+i%7.
func lastService(services int) packet.Packet {
	i := services - 1
	return packet.Packet{Src: netip.MustParseAddr("203.0.113.5"), Dst: netip.AddrFrom4([4]byte{10, 96, byte(i / 250), byte(i%250 + 1)}),
		Proto: packet.ProtoTCP, SPort: 40000, DPort: uint16(80 + i%7), TCPFlags: packet.TCPSyn, TTL: 64}
}

// TestKubeServiceDNAT: a SYN to a cluster IP is DNATed to one of the
// service's endpoints; the statistic rules make three outcomes.
func TestKubeServiceDNAT(t *testing.T) {
	h := kubeNode(t, 50, 3)
	tr, err := h.Trace(Request{Pkt: lastService(50), In: "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Disposition != trace.DeliveredToSubnet || tr.OutInterface != "cni0" {
		t.Fatalf("got %s out %s: %s", tr.Disposition, tr.OutInterface, tr.Reason)
	}
	if len(tr.Alternatives) != 2 {
		t.Errorf("%d alternatives, want 2 (the other two endpoints)", len(tr.Alternatives))
	}
}

// BenchmarkLoadKubeProxy parses and indexes 5,000 services x 3 endpoints
// (about 75,000 rules).
func BenchmarkLoadKubeProxy(b *testing.B) {
	data := iptables.KubeProxyRuleset(5000, 3)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rs, _ := iptables.Parse("iptables-save", data, netfilter.IPv4)
		NewHost(&model.Device{Filter4: rs})
	}
}

// BenchmarkTraceKubeProxy traces one SYN to the last service of 5,000:
// every branch of its endpoint choice is walked (three walks).
func BenchmarkTraceKubeProxy(b *testing.B) {
	h := kubeNode(b, 5000, 3)
	req := Request{Pkt: lastService(5000), In: "eth0"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Trace(req); err != nil {
			b.Fatal(err)
		}
	}
}
