package bgp

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/ospf"
	"farend/internal/snapshot"
)

// solvePECE loads testdata/pe-ce with edits ({file, old, new}; no old:
// a new file) and
// solves OSPF and BGP together.
func solvePECE(t *testing.T, edits ...[3]string) *Result {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "pe-ce", "configs")
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, ed := range edits {
			if ed[0] != e.Name() {
				continue
			}
			if !strings.Contains(s, ed[1]) {
				t.Fatalf("%s has no %q", e.Name(), ed[1])
			}
			s = strings.Replace(s, ed[1], ed[2], 1)
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", e.Name()), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An edit with no old text adds a file.
	for _, ed := range edits {
		if ed[1] == "" {
			if err := os.WriteFile(filepath.Join(dir, "configs", ed[0]), []byte(ed[2]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	snap, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Solve(snap.Devices)
}

// route is the RIB line of prefix on dev in vrf: "O E2 [110/1] via
// 192.0.2.1", or "" when the table has none.
func route(t *testing.T, r *Result, dev, vrf, prefix string) string {
	t.Helper()
	var devs []*model.Device
	for _, in := range r.OSPF().Instances {
		devs = append(devs, in.Dev)
	}
	for _, sp := range r.Speakers {
		devs = append(devs, sp.Dev)
	}
	for _, d := range devs {
		if d.Name != dev {
			continue
		}
		for _, x := range r.RIB(d, vrf, false) {
			if x.Prefix.String() == prefix {
				s := x.Code
				if x.Distance > 0 {
					s += " [" + strconv.Itoa(x.Distance) + "/" + strconv.Itoa(x.Metric) + "]"
				}
				for _, n := range x.Nexthops {
					s += " via " + n.Gateway.String()
				}
				return s
			}
		}
		return ""
	}
	t.Fatalf("no OSPF or BGP on %s", dev)
	return ""
}

// why is the LSDB view's reason for the LSA of prefix on dev.
func why(t *testing.T, r *Result, dev, prefix string) (used bool, reason string, summary string) {
	t.Helper()
	for _, in := range r.OSPF().Instances {
		if in.Dev.Name != dev {
			continue
		}
		for _, e := range r.OSPF().LSDB(in) {
			if e.LSA.Type == ospf.LSAExternal && e.LSA.Prefix.String() == prefix {
				return e.Used, e.Why, e.LSA.Summary()
			}
		}
	}
	t.Fatalf("%s holds no AS-external LSA for %s", dev, prefix)
	return
}

// An IOS PE (RFC 4577) puts the eBGP route of its VRF into OSPF as a
// type-5 LSA with the DN bit and its VPN route tag; a VRF process
// without `capability vrf-lite` on the CE side is a PE too and does not
// use it; a global-table process does (no DN check outside a VRF). The
// PE ignores the plain CE's type-5 that carries its VPN route tag.
func TestPECE(t *testing.T) {
	r := solvePECE(t)
	const ext, stat = "203.0.113.0/24", "198.51.100.128/25"
	if got := route(t, r, "pe", "cust", ext); got != "B [20/0] via 198.18.0.1" {
		t.Errorf("pe: %s is %q", ext, got)
	}
	if got := route(t, r, "site", "", ext); got != "O E2 [110/1] via 192.0.2.1" {
		t.Errorf("site: %s is %q, want O E2 [110/1] (IOS BGP default metric 1)", ext, got)
	}
	if got := route(t, r, "ce", "cust", ext); got != "" {
		t.Errorf("ce (PE mode): %s is %q, want none (DN bit)", ext, got)
	}
	used, reason, sum := why(t, r, "ce", ext)
	if used || !strings.Contains(reason, "DN bit") || !strings.Contains(reason, "capability vrf-lite") {
		t.Errorf("ce: %s used=%v %q", ext, used, reason)
	}
	// 0xD0000000 | 65000 (RFC 4577 4.2.5.2).
	if !strings.Contains(sum, "tag 3489725928") || !strings.HasSuffix(sum, " DN") {
		t.Errorf("pe's LSA: %q, want the VPN route tag and DN", sum)
	}
	if got := route(t, r, "pe", "cust", stat); got != "" {
		t.Errorf("pe: %s is %q, want none (its VPN route tag)", stat, got)
	}
	if used, reason, _ := why(t, r, "pe", stat); used || !strings.Contains(reason, "VPN route tag") {
		t.Errorf("pe: %s used=%v %q", stat, used, reason)
	}
	if got := route(t, r, "ce", "cust", stat); got != "O E2 [110/20] via 192.0.2.3" {
		t.Errorf("ce: %s is %q (a tag means nothing to a PE other than its own)", stat, got)
	}

	// capability vrf-lite on the CE: it uses the DN LSA.
	r = solvePECE(t, [3]string{"ce.cfg", " router-id 192.0.2.2\n", " router-id 192.0.2.2\n capability vrf-lite\n"})
	if got := route(t, r, "ce", "cust", ext); got != "O E2 [110/1] via 192.0.2.1" {
		t.Errorf("ce with capability vrf-lite: %s is %q", ext, got)
	}

	// domain-tag on the PE: the site's tag is no longer its own; its
	// LSA carries the configured tag.
	r = solvePECE(t, [3]string{"pe.cfg", " router-id 192.0.2.1\n", " router-id 192.0.2.1\n domain-tag 100\n"})
	if got := route(t, r, "pe", "cust", stat); got != "O E2 [110/20] via 192.0.2.3" {
		t.Errorf("pe with domain-tag 100: %s is %q", stat, got)
	}
	if _, _, sum := why(t, r, "site", ext); !strings.Contains(sum, "tag 100 DN") {
		t.Errorf("pe's LSA with domain-tag 100: %q", sum)
	}

	// The PE as VRF-lite: no PE, neither DN nor tag; the CE (still in
	// PE mode) uses the LSA.
	r = solvePECE(t, [3]string{"pe.cfg", " router-id 192.0.2.1\n", " router-id 192.0.2.1\n capability vrf-lite\n"})
	if _, _, sum := why(t, r, "site", ext); strings.Contains(sum, "DN") || strings.Contains(sum, "tag") {
		t.Errorf("VRF-lite pe's LSA: %q", sum)
	}
	if got := route(t, r, "ce", "cust", ext); got != "O E2 [110/1] via 192.0.2.1" {
		t.Errorf("ce: %s from a VRF-lite router is %q", ext, got)
	}
}

// IOS redistributes only eBGP routes into OSPF unless `bgp
// redistribute-internal`; the skipped routes are said.
func TestIOSRedistributeInternal(t *testing.T) {
	ibgp := [][3]string{{"ext.cfg", "router bgp 64500", "router bgp 65000"}, {"pe.cfg", "remote-as 64500", "remote-as 65000"}}
	r := solvePECE(t, ibgp...)
	if got := route(t, r, "pe", "cust", "203.0.113.0/24"); got != "B [200/0] via 198.18.0.1" {
		t.Fatalf("pe: iBGP route is %q", got)
	}
	if got := route(t, r, "site", "", "203.0.113.0/24"); got != "" {
		t.Errorf("site: %q, want nothing: IOS does not redistribute iBGP routes", got)
	}
	var notes []string
	for _, in := range r.OSPF().Instances {
		if in.Dev.Name == "pe" {
			notes = in.Notes
		}
	}
	if !strings.Contains(strings.Join(notes, "\n"), "bgp redistribute-internal") {
		t.Errorf("pe's notes do not say why: %q", notes)
	}
	for _, c := range []struct {
		where string
		edit  [3]string
		want  string
	}{
		{"under router bgp", [3]string{"pe.cfg", "router bgp 65000\n", "router bgp 65000\n bgp redistribute-internal\n"}, "O E2 [110/1] via 192.0.2.1"},
		{"in the VRF's address family", [3]string{"pe.cfg", " address-family ipv4 vrf cust\n", " address-family ipv4 vrf cust\n  bgp redistribute-internal\n"}, "O E2 [110/1] via 192.0.2.1"},
		{"in another VRF's address family", [3]string{"pe.cfg", " exit-address-family\n!\nend\n", " exit-address-family\n address-family ipv4 vrf other\n  bgp redistribute-internal\n exit-address-family\n!\nend\n"}, ""},
	} {
		r = solvePECE(t, append(ibgp, c.edit)...)
		if got := route(t, r, "site", "", "203.0.113.0/24"); got != c.want {
			t.Errorf("bgp redistribute-internal %s: site has %q, want %q", c.where, got, c.want)
		}
	}
}

// Redistribution farend does not model is said, not dropped: a source
// without routes in farend and a route-map clause it does not evaluate.
func TestRedistributionNotes(t *testing.T) {
	r := solvePECE(t,
		[3]string{"site.cfg", " redistribute static subnets tag 3489725928\n", " redistribute static subnets tag 3489725928 route-map RM\n redistribute rip subnets\n"},
		[3]string{"site.cfg", "end\n", "route-map RM permit 10\n match interface GigabitEthernet0/1\n set metric 7\n!\nend\n"})
	var notes []string
	for _, in := range r.OSPF().Instances {
		if in.Dev.Name == "site" {
			notes = in.Notes
		}
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"`redistribute rip`", "`match interface GigabitEthernet0/1` is not evaluated"} {
		if !strings.Contains(all, want) {
			t.Errorf("site's notes lack %q: %q", want, notes)
		}
	}
	// The route-map's set metric applies (the match is assumed).
	if got := route(t, r, "ce", "cust", "198.51.100.128/25"); got != "O E2 [110/7] via 192.0.2.3" {
		t.Errorf("ce: %q, want metric 7 from the route-map", got)
	}

	// Two routes through the map: its unevaluated clause is said once.
	// A missing map denies everything, and says so.
	r = solvePECE(t,
		[3]string{"site.cfg", " redistribute static subnets tag 3489725928\n", " redistribute static subnets route-map RM\n redistribute connected subnets route-map NOPE\n"},
		[3]string{"site.cfg", "ip route 198.51.100.128 255.255.255.128 198.51.100.2\n", "ip route 198.51.100.128 255.255.255.128 198.51.100.2\nip route 198.51.100.64 255.255.255.192 198.51.100.2\n"},
		[3]string{"site.cfg", "end\n", "route-map RM permit 10\n match interface GigabitEthernet0/1\n!\nend\n"})
	for _, in := range r.OSPF().Instances {
		if in.Dev.Name == "site" {
			notes = in.Notes
		}
	}
	all = strings.Join(notes, "\n")
	if n := strings.Count(all, "`match interface GigabitEthernet0/1` is not evaluated"); n != 1 {
		t.Errorf("the unevaluated clause is said %d times: %q", n, notes)
	}
	if !strings.Contains(all, "route-map NOPE does not exist") {
		t.Errorf("the missing route-map is not said: %q", notes)
	}
	if got := route(t, r, "ce", "cust", "198.51.100.0/24"); got != "" {
		t.Errorf("ce: the connected route redistributed through a missing route-map: %q", got)
	}
	if got := route(t, r, "ce", "cust", "198.51.100.64/26"); got != "O E2 [110/20] via 192.0.2.3" {
		t.Errorf("ce: %q", got)
	}
}

// IOS `redistribute ospf` into BGP takes the internal OSPF routes only,
// unless `match` names the external kinds.
func TestIOSRedistributeOSPFMatch(t *testing.T) {
	loop := [3]string{"ce.cfg", "interface GigabitEthernet0/0\n", "interface Loopback0\n vrf forwarding cust\n ip address 198.51.100.200 255.255.255.255\n!\ninterface GigabitEthernet0/0\n"}
	net := [3]string{"ce.cfg", " network 192.0.2.0 0.0.0.255 area 0\n", " network 192.0.2.0 0.0.0.255 area 0\n network 198.51.100.200 0.0.0.0 area 0\n"}
	tag := [3]string{"pe.cfg", " router-id 192.0.2.1\n", " router-id 192.0.2.1\n domain-tag 100\n"}
	for _, c := range []struct {
		redist       string
		intra, extE2 bool
	}{
		{"redistribute ospf 10", true, false},
		{"redistribute ospf 10 match internal external 2", true, true},
		{"redistribute ospf 10 match external", false, true},
	} {
		rd := [3]string{"pe.cfg", "  neighbor 198.18.0.1 activate\n", "  neighbor 198.18.0.1 activate\n  " + c.redist + "\n"}
		r := solvePECE(t, loop, net, tag, rd)
		if got := route(t, r, "pe", "cust", "198.51.100.200/32"); got != "O [110/2] via 192.0.2.2" {
			t.Fatalf("pe: ce's loopback is %q", got)
		}
		got := map[string]bool{}
		for _, p := range []string{"198.51.100.200/32", "198.51.100.128/25"} {
			got[p] = route(t, r, "ext", "", p) != ""
		}
		if got["198.51.100.200/32"] != c.intra || got["198.51.100.128/25"] != c.extE2 {
			t.Errorf("%s: ext has the intra-area route %v (want %v), the E2 route %v (want %v)", c.redist, got["198.51.100.200/32"], c.intra, got["198.51.100.128/25"], c.extE2)
		}
	}
}

// IOS `default-metric` sets the metric of redistributed routes without
// their own, BGP's default of 1 included.
func TestIOSDefaultMetric(t *testing.T) {
	r := solvePECE(t,
		[3]string{"site.cfg", " router-id 192.0.2.3\n", " router-id 192.0.2.3\n default-metric 33\n"},
		[3]string{"pe.cfg", " router-id 192.0.2.1\n", " router-id 192.0.2.1\n default-metric 5\n"})
	if got := route(t, r, "ce", "cust", "198.51.100.128/25"); got != "O E2 [110/33] via 192.0.2.3" {
		t.Errorf("ce: %q, want the site's default-metric 33", got)
	}
	if got := route(t, r, "site", "", "203.0.113.0/24"); got != "O E2 [110/5] via 192.0.2.1" {
		t.Errorf("site: %q, want the PE's default-metric 5", got)
	}
}

// IOS sets the forwarding address of a redistributed static route only
// when the interface toward its gateway runs OSPF, is not passive and is
// neither point-to-point nor point-to-multipoint (Cisco technote 13682).
func TestIOSForwardingAddress(t *testing.T) {
	ospfOn := [3]string{"site.cfg", " network 192.0.2.0 0.0.0.255 area 0\n", " network 192.0.2.0 0.0.0.255 area 0\n network 198.51.100.0 0.0.0.255 area 0\n"}
	for _, c := range []struct {
		name  string
		edits [][3]string
		fa    bool
	}{
		{"gateway's interface without OSPF", nil, false},
		{"broadcast OSPF interface", [][3]string{ospfOn}, true},
		{"passive", [][3]string{ospfOn, {"site.cfg", " router-id 192.0.2.3\n", " router-id 192.0.2.3\n passive-interface GigabitEthernet0/1\n"}}, false},
		{"point-to-point", [][3]string{ospfOn, {"site.cfg", " ip address 198.51.100.1 255.255.255.0\n", " ip address 198.51.100.1 255.255.255.0\n ip ospf network point-to-point\n"}}, false},
	} {
		r := solvePECE(t, c.edits...)
		_, _, sum := why(t, r, "site", "198.51.100.128/25")
		if got := strings.Contains(sum, "forwarding 198.51.100.2"); got != c.fa {
			t.Errorf("%s: %q, want a forwarding address: %v", c.name, sum, c.fa)
		}
	}
}

// Addresses repeat across VRFs: a PE with the same link address in two
// VRFs, toward two customer routers with the same address, pairs each
// VRF with the router whose neighbour statement and AS match.
func TestVRFPeersWithRepeatedAddresses(t *testing.T) {
	r := solvePECE(t,
		[3]string{"pe.cfg", "interface GigabitEthernet0/1\n", "interface GigabitEthernet0/2\n vrf forwarding zother\n ip address 198.18.0.2 255.255.255.252\n!\ninterface GigabitEthernet0/1\n"},
		[3]string{"pe.cfg", "vrf definition cust\n", "vrf definition zother\n rd 65000:2\n address-family ipv4\n exit-address-family\n!\nvrf definition cust\n"},
		[3]string{"pe.cfg", " exit-address-family\n!\nend\n", " exit-address-family\n address-family ipv4 vrf zother\n  neighbor 198.18.0.1 remote-as 64501\n  neighbor 198.18.0.1 activate\n exit-address-family\n!\nend\n"},
		[3]string{"ext2.cfg", "", "hostname ext2\n!\ninterface Loopback0\n ip address 198.51.100.65 255.255.255.192\n!\ninterface GigabitEthernet0/0\n ip address 198.18.0.1 255.255.255.252\n!\nrouter bgp 64501\n bgp router-id 198.51.100.65\n neighbor 198.18.0.2 remote-as 65000\n address-family ipv4\n  network 198.51.100.64 mask 255.255.255.192\n  neighbor 198.18.0.2 activate\n exit-address-family\n!\nend\n"})
	states := map[string]string{}
	for _, x := range r.Sessions {
		b := x.APeer.Addr.String()
		if x.B != nil {
			b = x.B.Name()
		}
		states[x.A.Name()+" - "+b] = x.State
	}
	for _, k := range []string{"ext - pe vrf cust", "ext2 - pe vrf zother"} {
		if states[k] != Established {
			t.Errorf("%s: %q (sessions %v)", k, states[k], states)
		}
	}
	if got := route(t, r, "pe", "cust", "203.0.113.0/24"); got != "B [20/0] via 198.18.0.1" {
		t.Errorf("pe vrf cust: %q", got)
	}
	if got := route(t, r, "pe", "cust", "198.51.100.64/26"); got != "" {
		t.Errorf("pe vrf cust has ext2's route: %q", got)
	}
	if got := route(t, r, "pe", "zother", "198.51.100.64/26"); got != "B [20/0] via 198.18.0.1" {
		t.Errorf("pe vrf zother: %q", got)
	}
}
