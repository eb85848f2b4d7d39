package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/trace"
)

var update = flag.Bool("update", false, "rewrite golden files")

const story1 = "../../examples/fourth-table"

// run runs farend with args and returns stdout; it fails the test on a
// non-zero exit.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main(args, &out, &errb); code != 0 {
		t.Fatalf("farend %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test ./internal/cli -update refreshes it):\n--- got\n%s", name, path, got)
	}
}

type story1Case struct {
	name, snapshot string
	args           []string
	disposition    trace.Disposition
	dropReason     string
	outIf          string
	// last netfilter step: table, chain, rule number, verdict
	table, chain string
	rule         int
	verdict      string
	// fired are LOG prefixes that must have fired (in order of tables).
	fired, notFired []string
	fixContains     []string
}

// The four verdicts of shared/scenarios/01-fourth-table/README.md, which
// the real kernel gave (per-rule counters, one packet at a time). The
// README calls the ICMPv6 ACCEPT "rule 7 of FORWARD"; `ip6tables -L FORWARD
// --line-numbers` on that ruleset numbers it 9 (the REJECT is 10), and the
// numbers here follow the kernel's listing.
var story1Cases = []story1Case{
	{
		name: "1-r1-to-container-broken", snapshot: "broken",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		table: "filter", chain: "FORWARD", rule: 9, verdict: "ACCEPT",
		fired: []string{"mangle-pre: ", "nat-pre: ", "filter-fwd: "}, notFired: []string{"filter-in: "},
	},
	{
		name: "1-r1-to-container-fixed-main", snapshot: "fixed-main",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		table: "filter", chain: "FORWARD", rule: 9, verdict: "ACCEPT",
	},
	{
		name: "1-r1-to-container-fixed-policy", snapshot: "fixed-policy",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		table: "filter", chain: "FORWARD", rule: 9, verdict: "ACCEPT",
	},
	{
		name: "2-r2-to-container-broken", snapshot: "broken",
		args:        []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		table: "raw", chain: "PREROUTING", rule: 2, verdict: "DROP",
		notFired:    []string{"mangle-pre: ", "nat-pre: ", "filter-in: ", "filter-fwd: "},
		fixContains: []string{"ip -6 route add 2001:db8:2::/64 dev sit1", "rule add from 2001:db8:d0c::/64 lookup"},
	},
	{
		name: "2-r2-to-container-fixed-main", snapshot: "fixed-main",
		args:        []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		table: "filter", chain: "FORWARD", rule: 9, verdict: "ACCEPT",
		fired: []string{"mangle-pre: ", "nat-pre: ", "filter-fwd: "},
	},
	{
		name: "2-r2-to-container-fixed-policy", snapshot: "fixed-policy",
		args:        []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:d0c::2", "--proto", "icmpv6"},
		disposition: trace.DeliveredToSubnet, outIf: "docker0",
		table: "filter", chain: "FORWARD", rule: 9, verdict: "ACCEPT",
	},
	{
		name: "3-r2-to-fc20-broken", snapshot: "broken",
		args:        []string{"--in", "sit1", "--src", "2001:db8:2::1", "--dst", "2001:db8:5::2", "--proto", "icmpv6"},
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		table: "raw", chain: "PREROUTING", rule: 2, verdict: "DROP",
	},
	{
		name: "4-tcp-syn-broken", snapshot: "broken",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "tcp", "--sport", "40000", "--dport", "80"},
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		table: "filter", chain: "FORWARD", rule: 10, verdict: "REJECT",
	},
	{
		name: "4-tcp-syn-fixed-main", snapshot: "fixed-main",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "tcp", "--sport", "40000", "--dport", "80"},
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		table: "filter", chain: "FORWARD", rule: 10, verdict: "REJECT",
	},
	{
		name: "4-tcp-syn-fixed-policy", snapshot: "fixed-policy",
		args:        []string{"--in", "sit1", "--src", "2001:db8:5::1", "--dst", "2001:db8:d0c::2", "--proto", "tcp", "--sport", "40000", "--dport", "80"},
		disposition: trace.DeniedIn, dropReason: "NETFILTER_DROP",
		table: "filter", chain: "FORWARD", rule: 10, verdict: "REJECT",
	},
}

func TestStory1(t *testing.T) {
	for _, c := range story1Cases {
		t.Run(c.name, func(t *testing.T) {
			snap := filepath.Join(story1, c.snapshot)
			args := append([]string{"trace", snap, "--node", "fc20"}, c.args...)
			var tr trace.Trace
			if err := json.Unmarshal([]byte(run(t, append(args, "--json")...)), &tr); err != nil {
				t.Fatal(err)
			}
			if tr.Disposition != c.disposition || tr.DropReason != c.dropReason || tr.OutInterface != c.outIf {
				t.Errorf("got %s/%s out %q, want %s/%s out %q (%s)", tr.Disposition, tr.DropReason, tr.OutInterface, c.disposition, c.dropReason, c.outIf, tr.Reason)
			}
			// The expected rule must be among the steps; for a drop it
			// must be the last netfilter step.
			var hit, last *trace.Step
			for i := range tr.Hops[0].Steps {
				s := &tr.Hops[0].Steps[i]
				if s.Kind != trace.KindNetfilter {
					continue
				}
				last = s
				if s.Table == c.table && s.Chain == c.chain && s.Rule == c.rule && s.Verdict == c.verdict {
					hit = s
				}
			}
			if hit == nil {
				t.Errorf("no step %s %s #%d %s", c.table, c.chain, c.rule, c.verdict)
			}
			if c.dropReason != "" && hit != last {
				t.Errorf("the last netfilter step is %+v, want the dropping rule", last)
			}
			fired := map[string]bool{}
			for _, s := range tr.Hops[0].Steps {
				if i := strings.Index(s.Text, "--log-prefix "); i >= 0 && s.Kind == trace.KindNetfilter {
					fired[strings.Trim(s.Text[i+len("--log-prefix "):], `"`)] = true
				}
			}
			for _, p := range c.fired {
				if !fired[p] {
					t.Errorf("LOG %q did not fire; fired: %v", p, fired)
				}
			}
			for _, p := range c.notFired {
				if fired[p] {
					t.Errorf("LOG %q fired, the kernel's did not", p)
				}
				found := false
				for _, u := range tr.Unreached {
					found = found || strings.Contains(u.Text, p)
				}
				if !found {
					t.Errorf("LOG %q not listed as unreached", p)
				}
			}
			for _, f := range c.fixContains {
				if !strings.Contains(strings.Join(tr.Fix, "\n"), f) {
					t.Errorf("fix %q missing from %q", f, tr.Fix)
				}
			}
			golden(t, "story1-"+c.name, run(t, args...))
		})
	}
}

// TestExamplesMatchShared keeps the bundled example equal to the scenario
// in ../shared when that is present (CI has it).
func TestExamplesMatchShared(t *testing.T) {
	shared := "../../../shared/scenarios/01-fourth-table"
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no %s here: nothing to compare", shared)
	}
	err := filepath.Walk(shared, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(p) == ".md" {
			return err
		}
		rel, _ := filepath.Rel(shared, p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(story1, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("examples/fourth-table/%s differs from the shared scenario", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
