package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/trace"
)

const firewalldFib = "../../examples/firewalld-fib"

// firewalldCase is one verdict of examples/firewalld-fib/README.md: story 1
// on a host whose firewall is firewalld 1.3.3's native nftables ruleset
// (table inet firewalld), as the real kernel gave it
// (internal/kerneltest TestFirewalldFib).
type firewalldCase struct {
	name, snapshot string
	args           []string
	disposition    trace.Disposition
	dropReason     string
	outIf          string
	// The rule that decided: chain of table inet firewalld, position,
	// handle in nft.json, the kernel's verdict (accept or drop) and the
	// rule as `nft list ruleset` prints it.
	chain   string
	rule    int
	handle  uint64
	verdict string
	text    string
	// policies are the base chains whose policy (accept) the packet got,
	// in the kernel's order.
	policies    []string
	fixContains []string
}

var (
	r1ToContainer = []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"}
	r2ToContainer = []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"}
	r2ToFc40      = []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:5::2", "--proto", "icmpv6"}
	tcpToFc40     = func(port string) []string {
		return []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:5::2", "--proto", "tcp", "--sport", "40000", "--dport", port}
	}
	ipv4ToContainer = []string{"--in", "eth0", "--src", "198.51.100.1", "--dst", "192.0.2.2", "--proto", "icmp"}

	fwForwarded = firewalldCase{
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		chain: "filter_FWD_policy_public-to-docker", rule: 6, handle: 271, verdict: "accept", text: "accept",
		policies: []string{"mangle_PREROUTING", "nat_PREROUTING", "filter_PREROUTING", "nat_POSTROUTING"},
	}
	fwFibDropped = firewalldCase{
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		chain: "filter_PREROUTING", rule: 2, handle: 52, verdict: "drop",
		text: "meta nfproto ipv6 fib saddr . mark . iif oif missing drop",
		// Unlike story 1's raw table, filter_PREROUTING (priority filter
		// + 10) runs after mangle and nat prerouting.
		policies: []string{"mangle_PREROUTING", "nat_PREROUTING"},
	}
	fwInPublic = firewalldCase{
		policies: []string{"mangle_PREROUTING", "nat_PREROUTING", "filter_PREROUTING"},
	}
)

func fwCase(name, snapshot string, args []string, base firewalldCase, edit func(*firewalldCase)) firewalldCase {
	c := base
	c.name, c.snapshot, c.args = name, snapshot, args
	if edit != nil {
		edit(&c)
	}
	return c
}

var firewalldCases = []firewalldCase{
	fwCase("1-r1-to-container-broken", "broken", r1ToContainer, fwForwarded, nil),
	fwCase("1-r1-to-container-fixed", "fixed", r1ToContainer, fwForwarded, nil),
	fwCase("2-r2-to-container-broken", "broken", r2ToContainer, fwFibDropped, func(c *firewalldCase) {
		c.fixContains = []string{"ip -6 route add 2001:db8:2::/64 ", " dev sit1"}
	}),
	fwCase("2-r2-to-container-fixed", "fixed", r2ToContainer, fwForwarded, nil),
	fwCase("3-r2-to-fc40-broken", "broken", r2ToFc40, fwFibDropped, nil),
	fwCase("3-r2-to-fc40-fixed", "fixed", r2ToFc40, fwInPublic, func(c *firewalldCase) {
		c.disposition = trace.Accepted
		c.chain, c.rule, c.handle, c.verdict, c.text = "filter_IN_public", 8, 141, "accept", "meta l4proto { icmp, ipv6-icmp } accept"
	}),
	fwCase("4-tcp-80-to-fc40-broken", "broken", tcpToFc40("80"), fwInPublic, func(c *firewalldCase) {
		c.disposition, c.dropReason = trace.DeniedIn, "NETFILTER_DROP"
		c.chain, c.rule, c.handle, c.verdict, c.text = "filter_IN_public", 9, 72, "drop", "reject with icmpx admin-prohibited"
	}),
	fwCase("5-tcp-22-to-fc40-broken", "broken", tcpToFc40("22"), fwInPublic, func(c *firewalldCase) {
		c.disposition = trace.Accepted
		c.chain, c.rule, c.handle, c.verdict, c.text = "filter_IN_public_allow", 1, 73, "accept", "tcp dport 22 accept"
	}),
	fwCase("6-ipv4-to-container-broken", "broken", ipv4ToContainer, fwForwarded, nil),
}

// fwVerdict maps farend's verdict of a deciding rule to the kernel's word.
func fwVerdict(v string) string {
	v = strings.ToLower(v)
	if v == "reject" {
		return "drop"
	}
	return v
}

func TestFirewalldFib(t *testing.T) {
	for _, c := range firewalldCases {
		t.Run(c.name, func(t *testing.T) {
			snap := filepath.Join(firewalldFib, c.snapshot)
			args := append([]string{"trace", snap, "--node", "fc40"}, c.args...)
			var tr trace.Trace
			if err := json.Unmarshal([]byte(run(t, append(args, "--json")...)), &tr); err != nil {
				t.Fatal(err)
			}
			if tr.Disposition != c.disposition || tr.DropReason != c.dropReason || tr.OutInterface != c.outIf {
				t.Errorf("got %s/%s out %q, want %s/%s out %q (%s)", tr.Disposition, tr.DropReason, tr.OutInterface, c.disposition, c.dropReason, c.outIf, tr.Reason)
			}
			// Every netfilter step is in table inet firewalld (the host
			// has no other); the deciding rule is the last rule (not a
			// chain policy) that accepts or drops.
			var final *trace.Step
			var policies []string
			for i := range tr.Hops[0].Steps {
				s := &tr.Hops[0].Steps[i]
				if s.Kind != trace.KindNetfilter {
					continue
				}
				if s.Family != "inet" || s.Table != "firewalld" {
					t.Errorf("step %d is in %s %s, want inet firewalld", i+1, s.Family, s.Table)
				}
				if s.Policy {
					policies = append(policies, s.Chain)
				}
				if v := fwVerdict(s.Verdict); !s.Policy && (v == "accept" || v == "drop") {
					final = s
				}
			}
			if strings.Join(policies, " ") != strings.Join(c.policies, " ") {
				t.Errorf("chain policies applied: %v, want %v", policies, c.policies)
			}
			if final == nil {
				t.Fatalf("no rule accepts or drops")
			}
			if final.Chain != c.chain || final.Rule != c.rule || final.Handle != c.handle || fwVerdict(final.Verdict) != c.verdict || final.Text != c.text {
				t.Errorf("decided by %s #%d handle %d %s %q, want %s #%d handle %d %s %q",
					final.Chain, final.Rule, final.Handle, final.Verdict, final.Text, c.chain, c.rule, c.handle, c.verdict, c.text)
			}
			if c.disposition == trace.DeniedIn {
				if last := tr.Hops[0].Steps[len(tr.Hops[0].Steps)-1]; last.Chain != c.chain || last.Rule != c.rule {
					t.Errorf("the last step is %+v, want the dropping rule", last)
				}
			}
			for _, f := range c.fixContains {
				if !strings.Contains(strings.Join(tr.Fix, "\n"), f) {
					t.Errorf("fix %q missing from %q", f, tr.Fix)
				}
			}
			golden(t, "firewalld-fib-"+c.name, run(t, args...))
		})
	}
}
