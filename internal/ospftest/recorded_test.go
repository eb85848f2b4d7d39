package ospftest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecorded replays topologies FRR ran, without FRR: each directory of
// testdata/recorded holds a harness snapshot and frr.txt, the neighbour
// states and OSPF routes FRR showed for it (written by the harness beside
// every snapshot it keeps, FAREND_OSPF_KEEP / FAREND_OSPFVL_KEEP), and
// farend must predict exactly those lines. vl-5 is GenerateVL seed 5:
// a virtual link through area 1 to a border router whose area 2 has no
// other way to the backbone, a second border router of the transit area,
// externals beyond the link, and ospfd 8.4's backbone paths over the link
// (one with the wrong interface, inactive in zebra; frrVLPath). vl-6 is
// GenerateVL seed 6 as it was before ospf rfc1583compatibility entered
// the generator: two ASBRs originate an E2 default with the same metric,
// and RFC 2328 16.4 (6c) picks the one reached intra-area through a
// non-backbone area although the other is closer. ospf-309 is Generate
// seed 309: a router with `ospf rfc1583compatibility` (no 16.4.1
// pruning) and an ASBR-summary for an ASBR it reaches intra-area in the
// same area (ignored, RFC 2328 16.2 step 6). ospf-26 is Generate seed 26:
// r1's IPv6 route to the prefix of a transit link it shares with the DR
// r2, reached directly and over r3, r5 and r2 at the same cost, keeps
// only the interface (ospf6d's sticky ifp, frr6PathFirst). ospf-202 is
// Generate seed 202: ospf6d's `area 1 nssa default-information-originate`
// on the border router r1 gives r2 and r3 an N2 ::/0 through its
// forwarding address (nssa_default.go). ospf-8026 is Generate seed 8026:
// r1's own stub prefix (a passive interface) and r3's, reached at the same
// cost, keep only the interface (frr6Resolve). ospf-8033 is Generate seed
// 8033: an NSSA border router's externals from a type-7 LSA and its
// translation share a directly connected forwarding address, and zebra
// gets the gateway twice (ospf_ase_complete_direct_routes). ospf-1042 is
// Generate seed 1042: three ASBRs originate an E2 default, and ospfd
// compares each LSA with the ASBR route of the one examined before it
// (routeTable.lastASBR), so the closest backbone ASBR wins over one
// reached through a non-backbone area.
func TestRecorded(t *testing.T) {
	dirs, err := filepath.Glob("testdata/recorded/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no recorded topologies: %v", err)
	}
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(d, "frr.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				r, x, ok := strings.Cut(line, ": ")
				if !ok {
					t.Fatalf("frr.txt: bad line %q", line)
				}
				got[r] = append(got[r], x)
			}
			want, err := Predict(filepath.Join(d, "snapshot"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := Diff(want, State{Lines: got}); len(diff) > 0 {
				t.Errorf("farend and the recorded FRR differ:\n%s", strings.Join(diff, "\n"))
			}
		})
	}
}
