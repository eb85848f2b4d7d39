package ospf

import (
	"net/netip"
	"testing"

	"farend/internal/model"
)

// iface builds a minimal OSPF interface of a vendor and version.
func iface(vendor string, version, mtu int, rid string, ignore bool) *Iface {
	d := &model.Device{Name: vendor + rid, Router: &model.Router{Vendor: vendor}}
	p := &model.OSPFProcess{Version: version}
	in := &Instance{Dev: d, Proc: p, Version: version, RouterID: netip.MustParseAddr(rid)}
	return &Iface{Inst: in, Cfg: &model.OSPFInterface{MTUIgnore: ignore}, If: &model.Interface{Name: "x"}, MTU: mtu, MTUKnown: true, Name: "x"}
}

// TestMTURules: RFC 2328 10.6 / FRR ospfd / IOS reject only a larger
// neighbour MTU; FRR ospf6d rejects any difference; mtu-ignore skips the
// check; the side that rejects stays in ExStart, the other reaches
// Exchange only as the slave (lower router id).
func TestMTURules(t *testing.T) {
	cases := []struct {
		name           string
		a, b           *Iface
		status         Status
		stateA, stateB string
	}{
		{"v2 equal", iface("frr", 2, 1500, "192.0.2.1", false), iface("frr", 2, 1500, "192.0.2.2", false), Established, StateFull, StateFull},
		{"v2 a smaller, a slave", iface("frr", 2, 1400, "192.0.2.1", false), iface("frr", 2, 1500, "192.0.2.2", false), MTUMismatch, StateExStart, StateExStart},
		{"v2 a larger, b rejects, a slave", iface("frr", 2, 1500, "192.0.2.1", false), iface("frr", 2, 1400, "192.0.2.2", false), MTUMismatch, StateExchange, StateExStart},
		{"v2 ignore on the smaller side", iface("frr", 2, 1400, "192.0.2.1", true), iface("frr", 2, 1500, "192.0.2.2", false), Established, StateFull, StateFull},
		{"v3 frr smaller peer rejected too", iface("frr", 3, 1500, "192.0.2.1", false), iface("frr", 3, 1400, "192.0.2.2", false), MTUMismatch, StateExStart, StateExStart},
		{"v3 frr ignore one side only", iface("frr", 3, 1500, "192.0.2.1", true), iface("frr", 3, 1400, "192.0.2.2", false), MTUMismatch, StateExchange, StateExStart},
		{"v3 ios accepts a smaller neighbour", iface("ios", 3, 1500, "192.0.2.1", false), iface("ios", 3, 1400, "192.0.2.2", false), MTUMismatch, StateExchange, StateExStart},
		{"v3 story 6", iface("ios", 3, 1414, "192.0.2.102", false), iface("vyos", 3, 1476, "192.0.2.101", false), MTUMismatch, StateExStart, StateExStart},
	}
	for _, c := range cases {
		adj := &Adjacency{A: End{f: c.a}, B: End{f: c.b}}
		c.a.Inst.Dev.Router.Config.Generation = "vyatta"
		mtuCheck(adj, c.a, c.b)
		if adj.Status != c.status || adj.A.State != c.stateA || adj.B.State != c.stateB {
			t.Errorf("%s: %s %s/%s, want %s %s/%s (%s)", c.name, adj.Status, adj.A.State, adj.B.State, c.status, c.stateA, c.stateB, adj.Reason)
		}
	}
}

func TestFRRIfCmp(t *testing.T) {
	names := []string{"e2", "e10", "e9", "lo", "eth0", "e1"}
	want := []string{"e1", "e2", "e9", "e10", "eth0", "lo"}
	for i := range names {
		for j := range names {
			if (frrIfCmp(names[i], names[j]) < 0) != (index(want, names[i]) < index(want, names[j])) {
				t.Errorf("frrIfCmp(%s, %s) = %d", names[i], names[j], frrIfCmp(names[i], names[j]))
			}
		}
	}
}

func index(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func TestClassful(t *testing.T) {
	for p, want := range map[string]bool{"10.0.0.0/8": true, "10.1.0.0/16": false, "172.16.0.0/16": true, "198.51.100.0/24": true, "198.51.100.0/25": false, "203.0.113.0/23": false} {
		if classful(netip.MustParsePrefix(p)) != want {
			t.Errorf("classful(%s) != %v", p, want)
		}
	}
}
