package bgp

import (
	"net/netip"
	"testing"

	"farend/internal/model"
)

// Prefix lists: exact length without ge/le, ge alone up to /32 (IOS and
// FRR `ip prefix-list`).
func TestPrefixListMatch(t *testing.T) {
	e := model.PrefixListEntry{Prefix: netip.MustParsePrefix("192.0.2.0/24"), GE: 32}
	for p, want := range map[string]bool{"192.0.2.1/32": true, "192.0.2.0/24": false, "198.51.100.1/32": false} {
		if got := plMatch(e, netip.MustParsePrefix(p)); got != want {
			t.Errorf("%s: %v", p, got)
		}
	}
	exact := model.PrefixListEntry{Prefix: netip.MustParsePrefix("192.0.2.0/24")}
	if !plMatch(exact, netip.MustParsePrefix("192.0.2.0/24")) || plMatch(exact, netip.MustParsePrefix("192.0.2.0/25")) {
		t.Error("exact match")
	}
}

// A route-map that is named but not defined denies (FRR
// route_map_apply on a NULL map); verified in internal/bgptest
// ("MISSING").
func TestMissingRouteMapDenies(t *testing.T) {
	r := &model.Router{}
	if ok, _, _ := applyRouteMap(r, "NOPE", &Path{}); ok {
		t.Error("missing route-map permitted")
	}
}

// RFC 4271 9.1.2.2 / bgp_path_info_cmp order: local preference before AS
// path length; MED only within one neighbouring AS; eBGP over iBGP.
func TestDecisionOrder(t *testing.T) {
	a := &Path{LocalPref: 200, ASPath: []uint32{1, 2, 3}}
	b := &Path{LocalPref: 100, ASPath: []uint32{1}}
	if c, why, _ := compare(a, b); c >= 0 || why != "local preference" {
		t.Errorf("lp: %d %s", c, why)
	}
	m1 := &Path{LocalPref: 100, ASPath: []uint32{1}, MED: 10}
	m2 := &Path{LocalPref: 100, ASPath: []uint32{2}, MED: 5, EBGP: true}
	if c, why, _ := compare(m1, m2); c <= 0 || why != "eBGP over iBGP" {
		t.Errorf("med across ASes must not decide: %d %s", c, why)
	}
	e1 := &Path{LocalPref: 100, ASPath: []uint32{1}, EBGP: true}
	e2 := &Path{LocalPref: 100, ASPath: []uint32{2}, EBGP: true}
	if _, _, tie := compare(e1, e2); !tie {
		t.Error("two equal eBGP paths are decided by age: a tie for farend")
	}
}
