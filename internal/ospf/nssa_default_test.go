package ospf

import (
	"strings"
	"testing"
)

// TestNSSADefaultIOS is scenario 05's vrf-lite snapshot with area
// 192.0.2.0 made an NSSA, cisco1 (the ABR) configured with `area
// 192.0.2.0 nssa default-information-originate`: cisco2 gets the type-7
// default (N2, metric 1) and the inter-area routes, but neither cisco3's
// type-5 route nor a type-3 default (IOS gives a plain NSSA none). This
// is IOS as its documentation describes it, not checked against a real
// IOS; FRR ospf6d's variant is checked by the FRR harness (ospftest).
func TestNSSADefaultIOS(t *testing.T) {
	devs, r := load(t, "nssa-default-ios")
	got := ribLines(r.RIB(device(t, devs, "cisco2"), "vrf1", false))
	want := []string{
		"O N2 0.0.0.0/0 [110/1] via 192.0.2.254 FastEthernet0/0",
		"C 192.0.2.0/24 [0/0] FastEthernet0/0",
		"L 192.0.2.253/32 [0/0] FastEthernet0/0",
		"O IA 198.18.0.0/30 [110/2] via 192.0.2.254 FastEthernet0/0",
		"O IA 203.0.113.71/32 [110/2] via 192.0.2.254 FastEthernet0/0",
		"C 203.0.113.72/32 [0/0] Loopback0",
		"O IA 203.0.113.73/32 [110/3] via 192.0.2.254 FastEthernet0/0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cisco2 vrf1 RIB:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The border router does not use its own type-7 default, and keeps
	// cisco3's type-5 route.
	got = ribLines(r.RIB(device(t, devs, "cisco1"), "", false))
	if !contains(got, "O E2 198.51.100.0/24 [110/20] via 198.18.0.2 FastEthernet0/1") || hasPrefixLine(got, "O N2 0.0.0.0/0") {
		t.Errorf("cisco1 RIB:\n%s", strings.Join(got, "\n"))
	}
}

func hasPrefixLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
