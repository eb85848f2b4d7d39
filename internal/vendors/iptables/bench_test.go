package iptables

import (
	"bytes"
	"testing"

	"farend/internal/netfilter"
)

// TestKubeProxyRuleset: the generated ruleset parses without a note and
// has the promised size.
func TestKubeProxyRuleset(t *testing.T) {
	data := KubeProxyRuleset(100, 3)
	p := parse("kube", data, netfilter.IPv4)
	checkLines(t, p)
	if len(p.notes) != 0 {
		t.Fatalf("notes: %v", p.notes[:min(5, len(p.notes))])
	}
	rules := 0
	for _, tb := range p.rs.Tables {
		for _, c := range tb.Chains {
			rules += len(c.Rules)
			for _, r := range c.Rules {
				if got, want := rebuild(r), string(bytes.Join(bytes.Fields([]byte(r.Text)), []byte(" "))); got != want {
					t.Fatalf("round trip %s:\n got %s\nwant %s", r.Ref(), got, want)
				}
			}
		}
	}
	if want := 100*15 + 21; rules != want {
		t.Errorf("%d rules, want %d", rules, want)
	}
}

// BenchmarkParseKubeProxy parses a kube-proxy ruleset of 5,000 services
// with 3 endpoints each (75,000 rules).
func BenchmarkParseKubeProxy(b *testing.B) {
	data := KubeProxyRuleset(5000, 3)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs, notes := Parse("kube", data, netfilter.IPv4)
		if len(notes) != 0 || rs.Table("nat") == nil {
			b.Fatal("parse failed")
		}
	}
}
