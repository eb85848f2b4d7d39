package bgp

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"farend/internal/snapshot"
)

// A next hop resolved through a BGP route takes every installed path of
// that route: r6's 192.0.2.2/32 (next hop 198.18.5.2, r2's address)
// resolves over r1's 198.18.5.0/24, which r6 holds over two iBGP sessions
// (multipath), so it has both next hops, as FRR 8.4.4 shows in
// testdata/frr-multipath/frr-r6.txt (recorded in a lab of these configs).
func TestRecursiveThroughMultipath(t *testing.T) {
	s, err := snapshot.Load(filepath.Join("testdata", "frr-multipath"))
	if err != nil {
		t.Fatal(err)
	}
	r := Solve(s.Devices)
	var got []string
	for _, sp := range r.Speakers {
		if sp.Dev.Name != "r6" {
			continue
		}
		for _, x := range r.RIB(sp.Dev, "", false) {
			if x.Prefix.String() == "192.0.2.2/32" {
				for _, n := range x.Nexthops {
					got = append(got, n.Gateway.String()+"@"+n.Iface)
				}
			}
		}
	}
	sort.Strings(got)
	if want := "198.18.2.1@e0 198.18.3.1@e1"; strings.Join(got, " ") != want {
		t.Errorf("r6 192.0.2.2/32 via %v, want %s", got, want)
	}
}
