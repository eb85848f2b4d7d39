package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	netsim "farend/internal/network"
	"farend/internal/trace"
)

// story1Net is story 1 as a network of Linux hosts captured from
// namespaces (examples/story1-network, README there: what the real
// kernels did).
const story1Net = "../../examples/story1-network"

func bothWays(t *testing.T, args ...string) netsim.BothWays {
	t.Helper()
	var b netsim.BothWays
	if err := json.Unmarshal([]byte(run(t, append(args, "--both-ways", "--json")...)), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func hopNodes(tr trace.Trace) string {
	var s []string
	for _, h := range tr.Hops {
		s = append(s, h.Node)
	}
	return strings.Join(s, " ")
}

// TestStory1Network gives the verdicts the kernels gave (README probes 1,
// 3a and 3b): R2's ping from its LAN address dies at fc20's raw
// rpfilter in broken/ and makes the round trip in fixed/; the
// container's ping to R2 leaves fc20 by the default route in broken/; a
// ping with the source R2's kernel picks (2001:db8:12::2) is still
// dropped in fixed/, whose route covers only R2's LAN.
func TestStory1Network(t *testing.T) {
	ping := func(v, from, src, dst string) []string {
		return []string{"trace", filepath.Join(story1Net, v), "--from", from, "--src", src, "--dst", dst}
	}
	b := bothWays(t, ping("broken", "r2", "2001:db8:2::1", "2001:db8:d0c::2")...)
	if got := hopNodes(b.Request); got != "r2 r1 fc20" || b.Request.Disposition != trace.DeniedIn {
		t.Fatalf("broken: %s via %s", b.Request.Disposition, got)
	}
	last := b.Request.Hops[2]
	drop := last.Steps[len(last.Steps)-1]
	if last.InInterface != "sit1" || drop.Table != "raw" || drop.Chain != "PREROUTING" || drop.Rule != 2 || !strings.Contains(drop.Text, "-m rpfilter --invert -j DROP") {
		t.Errorf("broken: the drop is not raw PREROUTING #2 on sit1: %+v", drop)
	}
	if b.Reply != nil {
		t.Errorf("broken: a reply was traced for a dropped request")
	}

	b = bothWays(t, ping("fixed", "r2", "2001:db8:2::1", "2001:db8:d0c::2")...)
	if got := hopNodes(b.Request); got != "r2 r1 fc20 ctr" || b.Request.Disposition != trace.Accepted {
		t.Fatalf("fixed: request %s via %s", b.Request.Disposition, got)
	}
	if b.Reply == nil || hopNodes(*b.Reply) != "ctr fc20 r1 r2" || b.Reply.Disposition != trace.Accepted || len(b.Asymmetric) != 0 {
		t.Fatalf("fixed: reply %+v, asymmetric %v", b.Reply, b.Asymmetric)
	}
	// fc20 FORWARD: the request by #9 (-p ipv6-icmp -j ACCEPT), the reply
	// by #2 (RELATED,ESTABLISHED).
	fwdRule := func(h trace.Hop) int {
		for _, s := range h.Steps {
			if s.Kind == trace.KindNetfilter && s.Table == "filter" && s.Chain == "FORWARD" && strings.HasPrefix(s.Verdict, "ACCEPT") {
				return s.Rule
			}
		}
		return 0
	}
	if r := fwdRule(b.Request.Hops[2]); r != 9 {
		t.Errorf("fixed: request accepted by FORWARD #%d, want 9", r)
	}
	if r := fwdRule(b.Reply.Hops[1]); r != 2 {
		t.Errorf("fixed: reply accepted by FORWARD #%d, want 2", r)
	}

	tr := bothWays(t, ping("broken", "ctr", "2001:db8:d0c::2", "2001:db8:2::1")...).Request
	if hopNodes(tr) != "ctr fc20" || tr.Disposition != trace.ExitsNetwork || tr.OutInterface != "eth0" {
		t.Errorf("broken ctr -> r2: %s via %s out %s", tr.Disposition, hopNodes(tr), tr.OutInterface)
	}
	tr = bothWays(t, ping("fixed", "r2", "2001:db8:12::2", "2001:db8:d0c::2")...).Request
	if hopNodes(tr) != "r2 r1 fc20" || tr.Disposition != trace.DeniedIn {
		t.Errorf("fixed, R2's own source: %s via %s", tr.Disposition, hopNodes(tr))
	}
	golden(t, "story1-network-broken", run(t, append(ping("broken", "r2", "2001:db8:2::1", "2001:db8:d0c::2"), "--both-ways")...))
	golden(t, "story1-network-fixed", run(t, append(ping("fixed", "r2", "2001:db8:2::1", "2001:db8:d0c::2"), "--both-ways")...))
}
