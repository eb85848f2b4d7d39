package sim

import (
	"net/netip"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/packet"
	"farend/internal/trace"
)

// The MTU check of ip_forward/ip6_forward: larger than the output MTU
// with DF (always for IPv6) is dropped with PKT_TOO_BIG; without DF an
// IPv4 packet is fragmented and forwarded; a route's mtu metric wins over
// the device's MTU.
func TestForwardMTU(t *testing.T) {
	h := router(t, "", nil, nil, nil)
	h.Dev.Interface("eth1").MTU = 1400
	big := pkt("198.51.100.7", "192.0.2.9", packet.ProtoUDP, 53)
	big.Length = 1450
	big.DF = true
	tr := mustTrace(t, h, Request{Pkt: big, In: "eth0"})
	expect(t, tr, trace.DeniedOut, "PKT_TOO_BIG", "")
	if !strings.Contains(tr.Reason, "type 3 code 4, mtu 1400") {
		t.Errorf("reason: %s", tr.Reason)
	}
	big.DF = false
	tr = mustTrace(t, h, Request{Pkt: big, In: "eth0"})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth1")
	big.Length = 1400
	big.DF = true
	tr = mustTrace(t, h, Request{Pkt: big, In: "eth0"})
	expect(t, tr, trace.DeliveredToSubnet, "", "eth1")

	// A route with mtu 1300 toward 198.18.0.0/24.
	h = router(t, "", nil, []model.Route{{Table: model.TableMain, Dst: netip.MustParsePrefix("198.18.0.0/24"), MTU: 1300,
		Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("192.0.2.254"), Dev: "eth1"}}}}, nil)
	big = pkt("198.51.100.7", "198.18.0.9", packet.ProtoTCP, 443)
	big.Length, big.DF = 1350, true
	tr = mustTrace(t, h, Request{Pkt: big, In: "eth0"})
	expect(t, tr, trace.DeniedOut, "PKT_TOO_BIG", "")
	if !strings.Contains(tr.Reason, "the route's mtu (1300)") {
		t.Errorf("reason: %s", tr.Reason)
	}
}
