package nft

import (
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	nf "farend/internal/netfilter"

	"farend/internal/golden"
)

// TestKubeGenerator: the generator's output is what testdata/src/kube.in.json
// holds (-update rewrites it; gen.sh then loads it into nft), it parses
// without a note, and farend reads the same rules from it as from what nft
// lists back after loading it (testdata/kube.json): the generator writes
// real nftables.
func TestKubeGenerator(t *testing.T) {
	gen := KubeProxyRuleset(20, 2)
	if *update {
		if err := os.WriteFile("testdata/src/kube.in.json", gen, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in, err := os.ReadFile("testdata/src/kube.in.json")
	if err != nil || !bytes.Equal(in, gen) {
		t.Fatalf("testdata/src/kube.in.json differs from the generator (run with -update, then testdata/gen.sh)")
	}
	a, notes := Parse("gen", gen)
	if len(notes) != 0 {
		t.Fatalf("notes: %v", notes)
	}
	listed, _ := os.ReadFile("testdata/kube.json")
	b, notes := Parse("kube.json", listed)
	if len(notes) != 0 {
		t.Fatalf("notes: %v", notes)
	}
	if x, y := rulesByChain(a), rulesByChain(b); x != y {
		t.Errorf("generated and listed rulesets differ: %s", golden.FirstDiff(x, y))
	}
}

// rulesByChain prints every chain's rules and every set's elements, sorted,
// for comparing two parses.
func rulesByChain(rss []*nf.Ruleset) string {
	var lines []string
	for _, rs := range rss {
		for tn, tb := range rs.Tables {
			for cn, c := range tb.Chains {
				var rules []string
				for _, r := range c.Rules {
					rules = append(rules, r.Text)
				}
				lines = append(lines, tn+" "+cn+": "+strings.Join(rules, " | "))
			}
			for sn, s := range tb.NFT.Sets {
				var elems []string
				for _, e := range s.Elems {
					elems = append(elems, e.Text)
				}
				sort.Strings(elems)
				lines = append(lines, tn+" set "+sn+": "+strings.Join(elems, ", "))
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// kubeScale is the benchmark's size: kube-proxy nftables mode with 5,000
// services of 2 endpoints (20,008 chains, 40,019 rules, verdict maps of
// 5,000 elements).
const kubeServices, kubeEndpoints = 5000, 2

// kubeRun runs one packet to a ClusterIP through the prerouting base
// chains of the kube-proxy table in priority order, as the hook would.
func kubeRun(tb testing.TB, tab *nf.Table, env *hostEnv, dst string) *nf.Ctx {
	c := &nf.Ctx{Pkt: pkt(tb, "tcp", "198.51.100.7:4000", dst), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	for _, chain := range []string{"filter-prerouting", "nat-prerouting"} {
		if o := tab.Run(c, chain); o.Verdict != nf.Accept {
			tb.Fatalf("%s: %s", chain, o.Verdict)
		}
	}
	return c
}

// TestKubeScale: at kube-proxy scale the ruleset loads without a note and
// a ClusterIP packet is DNATed. (Speed is measured by BenchmarkParseKube
// and BenchmarkRunKube, never asserted.)
func TestKubeScale(t *testing.T) {
	if testing.Short() {
		t.Skip("large ruleset")
	}
	data := KubeProxyRuleset(kubeServices, kubeEndpoints)
	rss, notes := Parse("kube", data)
	if len(notes) != 0 || len(rss) != 1 {
		t.Fatalf("notes %v", notes[:min(3, len(notes))])
	}
	tab := rss[0].Tables["kube-proxy"]
	rules := 0
	for _, c := range tab.Chains {
		rules += len(c.Rules)
	}
	env := &hostEnv{local: map[string]string{"192.168.0.10": "eth0"}}
	c := kubeRun(t, tab, env, "10.96.19.250:81")
	if len(c.NAT) != 1 {
		t.Fatalf("no DNAT: %v", c.Pkt)
	}
	t.Logf("%d bytes, %d chains, %d rules", len(data), len(tab.Chains), rules)
}

// BenchmarkParseKube parses the kube-proxy-scale ruleset.
func BenchmarkParseKube(b *testing.B) {
	data := KubeProxyRuleset(kubeServices, kubeEndpoints)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rss, notes := Parse("kube", data); len(notes) != 0 || len(rss) != 1 {
			b.Fatal("parse failed")
		}
	}
}

// BenchmarkRunKube runs one packet through the prerouting base chains of
// the kube-proxy-scale ruleset (verdict map lookup, service chain, numgen
// vmap, endpoint chain, DNAT).
func BenchmarkRunKube(b *testing.B) {
	rss, _ := Parse("kube", KubeProxyRuleset(kubeServices, kubeEndpoints))
	tab := rss[0].Tables["kube-proxy"]
	env := &hostEnv{local: map[string]string{"192.168.0.10": "eth0"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		kubeRun(b, tab, env, "10.96.19.250:81")
	}
}
