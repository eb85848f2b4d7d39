package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const network = "../topology/testdata/network"

// TestTopology prints the topology of story 1's network (fc20, two
// routers, two Batfish hosts and a links.yaml), of story 6's GRE tunnel
// between IOS and VyOS, and of story 1's single host.
func TestTopology(t *testing.T) {
	out := run(t, "topology", network)
	for _, want := range []string{
		"fc20:sit1 -- r1:Tunnel0",
		"tunnel: tunnel sit1 local 198.51.100.10 remote 203.0.113.1 pairs with r1 Tunnel0 (local 203.0.113.1 remote 198.51.100.10), protocol 41, both sit",
		"r2:eth1 198.18.2.1/24",
		"r2:tun1  tunnel: tunnel (gre, local 192.0.2.1 remote 203.0.113.99): remote 203.0.113.99 is no device's address",
		"links.yaml:6: not understood: colour: red",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("farend topology lacks %q:\n%s", want, out)
		}
	}
	golden(t, "topology-network", out)
	golden(t, "topology-network-json", run(t, "topology", network, "--json"))
	golden(t, "topology-06-broken", run(t, "topology", "../ospf/testdata/scenarios/06-ospfv3-gre-mtu/broken"))
	golden(t, "topology-fourth-table", run(t, "topology", filepath.Join(story1, "broken")))
}

// The JSON has every list, empty or not, so that scripts need no nil
// checks.
func TestTopologyJSON(t *testing.T) {
	var j map[string]any
	if err := json.Unmarshal([]byte(run(t, "topology", filepath.Join(story1, "broken"), "--json")), &j); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"devices", "links", "segments", "unpaired", "removed", "not_understood"} {
		if _, ok := j[k].([]any); !ok {
			t.Errorf("%s is %#v, want a list", k, j[k])
		}
	}
	un := j["unpaired"].([]any)
	if len(un) != 1 || un[0].(map[string]any)["endpoint"] != "fc20:sit1" || un[0].(map[string]any)["kind"] != "tunnel" {
		t.Errorf("unpaired %v", un)
	}
}

func TestTopologyUsage(t *testing.T) {
	for _, args := range [][]string{{"topology"}, {"topology", network, "extra"}, {"topology", network, "--frob"}} {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 2 {
			t.Errorf("farend %s: exit %d, want 2 (%s)", strings.Join(args, " "), code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"topology", "/nonexistent"}, &out, &errb); code != 1 || !strings.HasPrefix(errb.String(), "farend: snapshot:") {
		t.Errorf("missing snapshot: exit %d, %q", code, errb.String())
	}
}
