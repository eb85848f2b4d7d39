package cli

import (
	"bytes"
	"strings"
	"testing"
)

// scen is where the OSPF scenario snapshots (shared/scenarios 05 and 06)
// are kept for tests.
const scen = "../ospf/testdata/scenarios/"

// vl5 is a virtual-link topology FRR ran (GenerateVL seed 5).
const vl5 = "../ospftest/testdata/recorded/vl-5/snapshot"

func TestOSPFGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"ospf-neighbors-05-pe-mode", []string{"ospf", "neighbors", scen + "05-ospf-in-vrf/pe-mode"}},
		{"ospf-lsdb-05-pe-mode-cisco2", []string{"ospf", "lsdb", scen + "05-ospf-in-vrf/pe-mode", "cisco2", "--vrf", "vrf1"}},
		{"ospf-lsdb-05-vrf-lite-cisco2", []string{"ospf", "lsdb", scen + "05-ospf-in-vrf/vrf-lite", "cisco2"}},
		{"routes-05-pe-mode-cisco2", []string{"routes", scen + "05-ospf-in-vrf/pe-mode", "cisco2", "--vrf", "vrf1"}},
		{"routes-05-vrf-lite-cisco2", []string{"routes", scen + "05-ospf-in-vrf/vrf-lite", "--node", "cisco2", "--vrf", "vrf1"}},
		{"routes-05-vrf-lite-cisco1", []string{"routes", scen + "05-ospf-in-vrf/vrf-lite", "cisco1"}},
		{"ospf-neighbors-06-broken", []string{"ospf", "neighbors", scen + "06-ospfv3-gre-mtu/broken"}},
		{"ospf-neighbors-06-fixed", []string{"ospf", "neighbors", scen + "06-ospfv3-gre-mtu/fixed"}},
		{"routes-06-broken-vyos1", []string{"routes", scen + "06-ospfv3-gre-mtu/broken", "vyos1"}},
		{"routes-06-broken-cisco1", []string{"routes", scen + "06-ospfv3-gre-mtu/broken", "cisco1"}},
		{"routes-06-fixed-vyos1", []string{"routes", scen + "06-ospfv3-gre-mtu/fixed", "vyos1"}},
		{"routes-06-fixed-cisco1", []string{"routes", scen + "06-ospfv3-gre-mtu/fixed", "cisco1"}},
		{"ospf-lsdb-06-fixed-vyos1", []string{"ospf", "lsdb", scen + "06-ospfv3-gre-mtu/fixed", "vyos1"}},
		{"ospf-neighbors-06-broken-json", []string{"ospf", "neighbors", scen + "06-ospfv3-gre-mtu/broken", "--json"}},
		{"routes-05-vrf-lite-cisco2-json", []string{"routes", scen + "05-ospf-in-vrf/vrf-lite", "cisco2", "--vrf", "vrf1", "--json"}},
		// A virtual link, FRR-verified (internal/ospftest TestRecorded).
		{"ospf-neighbors-vl-5", []string{"ospf", "neighbors", vl5}},
		{"ospf-lsdb-vl-5-r3", []string{"ospf", "lsdb", vl5, "r3"}},
		{"routes-vl-5-r1", []string{"routes", vl5, "r1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { golden(t, c.name, run(t, c.args...)) })
	}
}

// TestOSPFVerdicts checks the sentences the scenario READMEs require.
func TestOSPFVerdicts(t *testing.T) {
	out := run(t, "ospf", "neighbors", scen+"06-ospfv3-gre-mtu/broken")
	for _, w := range []string{"OSPFv3 cisco1 Tunnel0 -- vyos1 tun0: MTU_MISMATCH", "mtu 1414", "mtu 1476", "set interfaces tunnel tun0 ipv6 ospfv3 ifmtu 1414", "OSPFv2 cisco1 Tunnel0 -- vyos1 tun0: ESTABLISHED"} {
		if !strings.Contains(out, w) {
			t.Errorf("ospf neighbors 06/broken lacks %q:\n%s", w, out)
		}
	}
	out = run(t, "ospf", "lsdb", scen+"05-ospf-in-vrf/pe-mode", "cisco2")
	for _, w := range []string{"198.51.100.0/24", "203.0.113.71/32", "203.0.113.73/32", "198.18.0.0/30", "NOT USED", "capability vrf-lite"} {
		if !strings.Contains(out, w) {
			t.Errorf("ospf lsdb 05/pe-mode cisco2 lacks %q", w)
		}
	}
}

// TestOSPFNoSecrets runs every OSPF answer on the scenario snapshots and
// checks that no configured secret shows.
func TestOSPFNoSecrets(t *testing.T) {
	secrets := []string{
		"$1$Xk2P$0aRLtV7mYhQwS/Fv0Dq9C1", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$pdQG$o8nrSzsGXeVduGjVrv6K70",
		"n0c-r3ad", "045802150C2E", "$1$9xH3lV0e$Vn2ZqN0x0f6pYhJb2tUeR/",
	}
	var all bytes.Buffer
	for _, snap := range []string{"05-ospf-in-vrf/pe-mode", "05-ospf-in-vrf/vrf-lite", "06-ospfv3-gre-mtu/broken", "06-ospfv3-gre-mtu/fixed"} {
		dir := scen + snap
		for _, a := range [][]string{{"ospf", "neighbors", dir}, {"ospf", "neighbors", dir, "--json"}} {
			all.WriteString(run(t, a...))
		}
		for _, n := range []string{"cisco1", "cisco2", "cisco3", "vyos1"} {
			var out, errb bytes.Buffer
			for _, a := range [][]string{{"ospf", "lsdb", dir, n}, {"ospf", "lsdb", dir, n, "--json"}, {"routes", dir, n}, {"routes", dir, n, "--json"}, {"show", dir, n}, {"show", dir, n, "--json"}} {
				out.Reset()
				errb.Reset()
				Main(a, &out, &errb)
				all.Write(out.Bytes())
				all.Write(errb.Bytes())
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			t.Errorf("secret %q appears in farend's output", s)
		}
	}
	if !strings.Contains(all.String(), "MTU_MISMATCH") {
		t.Fatal("the outputs were not produced")
	}
}
