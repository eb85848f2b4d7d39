package cli

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/snapshot"
)

func TestUsageErrors(t *testing.T) {
	snap := filepath.Join(story1, "broken")
	cases := [][]string{
		{"trace", snap, "--node", "fc20", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2"},                            // neither --in nor --local
		{"trace", snap, "--node", "fc20", "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "192.0.2.1"},                  // mixed families
		{"trace", snap, "--node", "fc20", "--in", "nope0", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2"},           // no such interface
		{"trace", snap, "--node", "nope", "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2"},            // no such node
		{"trace", snap, "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--proto", "tcp"},            // tcp without --dport
		{"trace", snap, "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--ct-state", "INVALID"},     // not a start state
		{"trace", snap, "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--icmp-type", "frobnicate"}, // bad ICMP type
		{"frobnicate"},
		{"trace"},
	}
	for _, args := range cases {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 2 {
			t.Errorf("farend %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), code, errb.String())
		}
		if !strings.HasPrefix(errb.String(), "farend: ") {
			t.Errorf("farend %s: stderr %q does not say farend:", strings.Join(args, " "), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"trace", "/nonexistent", "--in", "x", "--src", "192.0.2.1", "--dst", "192.0.2.2"}, &out, &errb); code != 1 {
		t.Errorf("missing snapshot: exit %d, want 1", code)
	}
}

func TestRoutesAndRouteGet(t *testing.T) {
	golden(t, "routes-fixed-policy", run(t, "routes", filepath.Join(story1, "fixed-policy"), "--node", "fc20"))
	// The reverse lookup of story 1's fixed-policy snapshot: from the
	// container's prefix, rule 1000 sends it to table 100 and sit1.
	got := run(t, "route-get", filepath.Join(story1, "fixed-policy"), "--dst", "2001:db8:2::1", "--from", "2001:db8:d0c::2", "--json")
	var j map[string]any
	if err := json.Unmarshal([]byte(got), &j); err != nil {
		t.Fatal(err)
	}
	if j["table"] != "100" || !strings.Contains(j["route"].(string), "dev sit1") || !strings.HasPrefix(j["rule"].(string), "1000:") {
		t.Errorf("route-get = %s", got)
	}
	got = run(t, "route-get", filepath.Join(story1, "broken"), "--dst", "2001:db8:2::1", "--from", "2001:db8:d0c::2")
	if !strings.Contains(got, "default via 2001:db8:100::1 dev eth0") {
		t.Errorf("route-get broken = %s", got)
	}
	var routes []routesJSON
	if err := json.Unmarshal([]byte(run(t, "routes", filepath.Join(story1, "broken"), "--json")), &routes); err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[1].Family != "ipv6" || len(routes[1].Rules) != 2 {
		t.Errorf("routes --json: %+v", routes)
	}
}

func TestParseAndVersion(t *testing.T) {
	golden(t, "parse-broken", run(t, "parse", filepath.Join(story1, "broken")))
	if v := run(t, "version"); !strings.HasPrefix(v, "farend "+Version) {
		t.Errorf("version = %q", v)
	}
}

// TestMissingFilesAreUnknown: a host directory with only the IPv6 routes
// still traces, and the answer names every missing input.
func TestMissingFilesAreUnknown(t *testing.T) {
	dir := t.TempDir()
	host := filepath.Join(dir, "hosts", "h")
	if err := exec.Command("mkdir", "-p", host).Run(); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("cp", filepath.Join(story1, "broken/hosts/fc20/ip6-route.json"), host).Run(); err != nil {
		t.Fatal(err)
	}
	out := run(t, "trace", dir, "--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2")
	for _, want := range []string{"no ip6tables-save nor nft.json in the snapshot", "hosts/h/ip6-rule.json is missing", "hosts/h/sysctl.txt is missing", "DELIVERED_TO_SUBNET"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestCollectThisHost: collect writes a snapshot of the machine the test
// runs on that loads back (read-only: it only runs ip, sysctl and the
// *-save tools).
func TestCollectThisHost(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command here")
	}
	dir := t.TempDir()
	run(t, "collect", dir, "--name", "self")
	s, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Device("self")
	if d == nil || d.Interface("lo") == nil || !d.Known("routes4") {
		t.Fatalf("collected snapshot: %+v", d)
	}
}
