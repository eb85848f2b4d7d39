package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	netsim "farend/internal/network"
)

// TestTraceNetwork follows packets across the devices of the topology
// test network: a Batfish host through a VyOS and an IOS router (the
// reply leaves r1 by its default route: asymmetric), and story 1's
// container through fc20's 6in4 tunnel to r1's Tunnel0 across the
// provider outside the snapshot (the reply finds no route on r1).
func TestTraceNetwork(t *testing.T) {
	out := run(t, "trace", network, "--from", "web1", "--src", "198.18.2.10", "--dst", "192.0.2.0", "--proto", "udp", "--dport", "53", "--both-ways")
	for _, want := range []string{
		"r2 (in on eth1)",
		"r1 (in on GigabitEthernet0/1)",
		"ACCEPTED: r1: delivered to r1 itself",
		"r1: the request came in on GigabitEthernet0/1, the reply leaves by GigabitEthernet0/0 (asymmetric path)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	golden(t, "tracenet-web1-r1-both-ways", out)

	out = run(t, "trace", network, "--from", "fc20:docker0", "--src", "2001:db8:d0c::2", "--dst", "2001:db8:5::1", "--both-ways")
	for _, want := range []string{
		"tunnel sit1: encapsulated",
		"assumed delivered to r1:GigabitEthernet0/0",
		"tunnel Tunnel0: decapsulated => inner packet arrives on Tunnel0",
		"path MTU: 1480 (fc20:sit1 MTU 1480)",
		"the reply does not come back: NO_ROUTE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	golden(t, "tracenet-fc20-tunnel-both-ways", out)

	var b netsim.BothWays
	if err := json.Unmarshal([]byte(run(t, "trace", network, "--from", "fc20:docker0", "--src", "2001:db8:d0c::2", "--dst", "2001:db8:5::1", "--both-ways", "--json")), &b); err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, h := range b.Request.Hops {
		nodes = append(nodes, h.Node+":"+h.InInterface)
	}
	if got := strings.Join(nodes, " "); got != "fc20:docker0 fc20: r1:GigabitEthernet0/0 r1:Tunnel0" {
		t.Errorf("hops %s", got)
	}
	if b.Reply == nil || b.Reply.Disposition != "NO_ROUTE" {
		t.Errorf("reply %+v", b.Reply)
	}
}

func TestTraceNetworkUsage(t *testing.T) {
	for _, args := range [][]string{
		{"trace", network, "--from", "nosuch", "--src", "192.0.2.1", "--dst", "192.0.2.2"},
		{"trace", network, "--from", "fc20:nosuch", "--src", "192.0.2.1", "--dst", "192.0.2.2"},
		{"trace", network, "--from", "fc20", "--in", "eth0", "--src", "192.0.2.1", "--dst", "192.0.2.2"},
		{"trace", network, "--node", "fc20", "--in", "eth0", "--both-ways", "--src", "192.0.2.1", "--dst", "192.0.2.2"},
	} {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 2 {
			t.Errorf("farend %s: exit %d, want 2 (%s)", strings.Join(args, " "), code, errb.String())
		}
	}
}

// A router known from its configuration only is traced by its RIB, from
// there across the network, also when asked with --node/--in.
func TestTraceRouterNode(t *testing.T) {
	a := run(t, "trace", network, "--node", "r2", "--in", "eth1", "--src", "198.18.2.10", "--dst", "192.0.2.0", "--proto", "udp", "--dport", "53")
	b := run(t, "trace", network, "--from", "r2:eth1", "--src", "198.18.2.10", "--dst", "192.0.2.0", "--proto", "udp", "--dport", "53")
	if a != b || !strings.Contains(a, "RIB lookup (global table): C 192.0.2.0/31") {
		t.Errorf("--node r2 --in eth1:\n%s\n--from r2:eth1:\n%s", a, b)
	}
}
