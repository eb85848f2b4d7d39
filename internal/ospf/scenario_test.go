package ospf

import (
	"fmt"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/snapshot"
)

// The scenarios of shared/scenarios/05-ospf-in-vrf and
// 06-ospfv3-gre-mtu (copied to testdata/scenarios), with the verdicts
// their READMEs require.

func load(t *testing.T, dir string) ([]*model.Device, *Result) {
	t.Helper()
	s, err := snapshot.Load("testdata/scenarios/" + dir)
	if err != nil {
		t.Fatal(err)
	}
	return s.Devices, Compute(s.Devices)
}

func device(t *testing.T, devs []*model.Device, name string) *model.Device {
	t.Helper()
	for _, d := range devs {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no device %s", name)
	return nil
}

// ribLines prints a RIB as "code prefix [d/m] via gw iface" lines.
func ribLines(rs []RIBRoute) []string {
	var out []string
	for _, r := range rs {
		s := fmt.Sprintf("%s %s [%d/%d]", r.Code, r.Prefix, r.Distance, r.Metric)
		for _, n := range r.Nexthops {
			if n.Gateway.IsValid() {
				s += " via " + n.Gateway.String()
			}
			s += " " + n.Iface
		}
		out = append(out, s)
	}
	return out
}

func TestScenario05PEMode(t *testing.T) {
	devs, r := load(t, "05-ospf-in-vrf/pe-mode")
	c2 := device(t, devs, "cisco2")
	got := ribLines(r.RIB(c2, "vrf1", false))
	want := []string{
		"C 192.0.2.0/24 [0/0] FastEthernet0/0",
		"L 192.0.2.253/32 [0/0] FastEthernet0/0",
		"C 203.0.113.72/32 [0/0] Loopback0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cisco2 vrf1 RIB:\n%s\nwant only connected/local:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ins := r.InstancesOf(c2, "vrf1")
	if len(ins) != 1 || !ins[0].ABR || !ins[0].Proc.VPNPE {
		t.Fatalf("cisco2's vrf1 process should be a PE/ABR: %+v", ins)
	}
	present := map[string]DBEntry{}
	for _, e := range r.LSDB(ins[0]) {
		present[fmt.Sprintf("%d %s", e.LSA.Type, e.LSA.ID())] = e
	}
	for _, k := range []string{
		fmt.Sprintf("%d 203.0.113.71/32", LSASummary),
		fmt.Sprintf("%d 203.0.113.73/32", LSASummary),
		fmt.Sprintf("%d 198.18.0.0/30", LSASummary),
		fmt.Sprintf("%d 198.51.100.0/24", LSAExternal),
	} {
		e, ok := present[k]
		if !ok {
			t.Errorf("LSA %s missing from cisco2's LSDB", k)
			continue
		}
		if e.Used {
			t.Errorf("LSA %s should not be used", k)
		}
		if !strings.Contains(e.Why, "capability vrf-lite") || !strings.Contains(e.Why, "superbackbone") {
			t.Errorf("LSA %s: the reason must name the superbackbone and `capability vrf-lite`: %s", k, e.Why)
		}
	}
	// cisco1 and cisco3 are unaffected: cisco1 (ABR) installs the E2.
	c1 := device(t, devs, "cisco1")
	if !contains(ribLines(r.RIB(c1, "", false)), "O E2 198.51.100.0/24 [110/20] via 198.18.0.2 FastEthernet0/1") {
		t.Errorf("cisco1 should learn the E2 route: %v", ribLines(r.RIB(c1, "", false)))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestScenario05VRFLite(t *testing.T) {
	devs, r := load(t, "05-ospf-in-vrf/vrf-lite")
	c2 := device(t, devs, "cisco2")
	got := ribLines(r.RIB(c2, "vrf1", false))
	for _, w := range []string{
		"O IA 203.0.113.71/32 [110/2] via 192.0.2.254 FastEthernet0/0",
		"O IA 198.18.0.0/30 [110/2] via 192.0.2.254 FastEthernet0/0",
		"O IA 203.0.113.73/32 [110/3] via 192.0.2.254 FastEthernet0/0",
		"O E2 198.51.100.0/24 [110/20] via 192.0.2.254 FastEthernet0/0",
	} {
		if !contains(got, w) {
			t.Errorf("cisco2 vrf1 lacks %q; RIB:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != 7 {
		t.Errorf("cisco2 vrf1 RIB has %d routes, want 3 connected/local + 4 OSPF:\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, in := range r.InstancesOf(c2, "vrf1") {
		if in.ABR {
			t.Errorf("with capability vrf-lite cisco2 is no ABR")
		}
	}
}

func adjacency(t *testing.T, r *Result, version int) *Adjacency {
	t.Helper()
	for _, a := range r.Adjacencies {
		if a.Version == version {
			return a
		}
	}
	t.Fatalf("no OSPFv%d adjacency", version)
	return nil
}

func TestScenario06(t *testing.T) {
	for _, snap := range []string{"broken", "fixed"} {
		t.Run(snap, func(t *testing.T) {
			devs, r := load(t, "06-ospfv3-gre-mtu/"+snap)
			if len(r.Adjacencies) != 2 {
				t.Fatalf("want one OSPFv2 and one OSPFv3 adjacency on the tunnel, got %d", len(r.Adjacencies))
			}
			v2 := adjacency(t, r, 2)
			if v2.Status != Established || !v2.Up() || v2.A.MTU != 1414 || v2.B.MTU != 1414 {
				t.Errorf("OSPFv2: %s %s/%s mtu %d/%d, want ESTABLISHED Full with 1414 on both", v2.Status, v2.A.State, v2.B.State, v2.A.MTU, v2.B.MTU)
			}
			vy, c1 := device(t, devs, "vyos1"), device(t, devs, "cisco1")
			if !contains(ribLines(r.RIB(vy, "", false)), "O 192.0.2.102/32 [110/11] via 192.0.2.1 tun0") {
				t.Errorf("vyos1 should learn 192.0.2.102/32 via 192.0.2.1: %v", ribLines(r.RIB(vy, "", false)))
			}
			if !contains(ribLines(r.RIB(c1, "", false)), "O 192.0.2.101/32 [110/1010] via 192.0.2.0 Tunnel0") {
				t.Errorf("cisco1 should learn 192.0.2.101/32 via 192.0.2.0: %v", ribLines(r.RIB(c1, "", false)))
			}
			v3 := adjacency(t, r, 3)
			learned := func(d *model.Device, p string) bool {
				for _, x := range r.RIB(d, "", true) {
					if x.Prefix.String() == p && x.Protocol == "ospf" {
						return true
					}
				}
				return false
			}
			if snap == "fixed" {
				if v3.Status != Established || !v3.Up() {
					t.Errorf("OSPFv3 fixed: %s %s/%s", v3.Status, v3.A.State, v3.B.State)
				}
				if !learned(vy, "2001:db8:ffff::102/128") || !learned(c1, "2001:db8:ffff::101/128") {
					t.Errorf("each side must learn the other's loopback /128")
				}
				return
			}
			if v3.Status != MTUMismatch {
				t.Fatalf("OSPFv3 broken: %s, want MTU_MISMATCH", v3.Status)
			}
			if v3.A.Node != "cisco1" || v3.A.MTU != 1414 || v3.B.MTU != 1476 {
				t.Errorf("MTUs: %s %d, %s %d; want cisco1 1414, vyos1 1476", v3.A.Node, v3.A.MTU, v3.B.Node, v3.B.MTU)
			}
			for _, s := range []string{v3.A.State, v3.B.State} {
				if s != StateExStart && s != StateExchange {
					t.Errorf("state %s, want ExStart/Exchange", s)
				}
			}
			if len(v3.Fixes) != 1 || v3.Fixes[0].Node != "vyos1" || strings.Join(v3.Fixes[0].Commands, "\n") != "set interfaces tunnel tun0 ipv6 ospfv3 ifmtu 1414" {
				t.Errorf("fix: %+v, want on vyos1: set interfaces tunnel tun0 ipv6 ospfv3 ifmtu 1414", v3.Fixes)
			}
			if learned(vy, "2001:db8:ffff::102/128") || learned(c1, "2001:db8:ffff::101/128") {
				t.Errorf("no IPv6 OSPF route may be learned over the stuck adjacency")
			}
		})
	}
}
