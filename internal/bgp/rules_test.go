package bgp

import (
	"testing"

	"farend/internal/model"
)

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
