package kerneltest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/collect"
)

// TestCollectFromLab collects a snapshot of a lab host with the code of
// `farend collect` (through `ip netns exec`), checks that every file is
// there and loads, and that reading it back gives the routes and rules
// that were configured.
func TestCollectFromLab(t *testing.T) {
	pool := NewPool(t)
	lab := pool.Lab(t, twoLinks)
	cfg := Config{
		Sysctls: append(append([]Sysctl(nil), forwarding...), Sysctl{"net.ipv4.conf.eth0.rp_filter", "2"}),
		Routes: []Route{
			{Dst: pfx("203.0.113.0/24"), Via: addr("198.51.100.2"), Dev: "eth1", Metric: 10},
			{Type: "blackhole", Dst: pfx("198.18.0.0/15")},
			{Type: "unreachable", Dst: pfx("2001:db8:dead::/48"), Table: 100},
			{Dst: pfx("2001:db8:3::/48"), Via: addr("2001:db8:2::2"), Dev: "eth1", Table: 100},
		},
		Rules: []Rule{
			{Priority: 100, From: pfx("192.0.2.0/24"), FWMark: 1, FWMask: 0xff, Table: 100},
			{V6: true, Priority: 200, IIF: "lo", Table: 100},
			{Priority: 300, To: pfx("203.0.113.128/25"), Action: "prohibit"},
		},
		IPTables:  "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -i eth0 -j ACCEPT\nCOMMIT\n",
		IP6Tables: rpfilter6,
	}
	if err := lab.Apply(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	snap := t.TempDir()
	if errs := collect.Write(context.Background(), collect.Netns(collect.Exec, lab.HostNS()), snap, "r1"); len(errs) != 0 {
		t.Fatalf("collect: %v", errs)
	}
	dir := collect.HostDir(snap, "r1")
	for _, f := range collect.Files() {
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if strings.HasSuffix(f.Name, ".json") {
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s does not load as JSON: %v", f.Name, err)
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sysctl.txt"))
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.HasPrefix(line, "net.") {
			t.Fatalf("sysctl.txt has a line that is not net.*: %q", line)
		}
	}
	if !strings.Contains(string(b), "net.ipv4.conf.eth0.rp_filter = 2") {
		t.Errorf("sysctl.txt lacks net.ipv4.conf.eth0.rp_filter = 2")
	}
	b, _ = os.ReadFile(filepath.Join(dir, "iptables-save"))
	if !strings.Contains(string(b), "-A FORWARD -i eth0 -j ACCEPT") || !strings.Contains(string(b), "[0:0]") {
		t.Errorf("iptables-save lacks the rule or its counters:\n%s", b)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "ip6tables-save"))
	if !strings.Contains(string(b), "-A PREROUTING -m rpfilter --invert -j DROP") {
		t.Errorf("ip6tables-save lacks the rpfilter rule:\n%s", b)
	}

	// Read it back: the lab rebuilt from the snapshot is the lab.
	got, err := SpecFromHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "r1" || len(got.Links) != 2 {
		t.Fatalf("host %q links %v", got.Host, got.Links)
	}
	for i, l := range got.Links {
		want := twoLinks.Links[i]
		if l.Name != want.Name || len(l.Addrs) != len(want.Addrs) {
			t.Errorf("link %d: got %+v, want %+v", i, l, want)
			continue
		}
		for j := range l.Addrs {
			if l.Addrs[j] != want.Addrs[j] {
				t.Errorf("%s address %d: got %v, want %v", l.Name, j, l.Addrs[j], want.Addrs[j])
			}
		}
	}
	routeKey := func(rs []Route) map[string]bool {
		m := map[string]bool{}
		for _, r := range rs {
			r.Metric = 0 // the kernel fills in IPv6 metrics
			m[r.Args()] = true
		}
		return m
	}
	gotR, wantR := routeKey(got.Routes), routeKey(cfg.Routes)
	for k := range wantR {
		if !gotR[k] {
			t.Errorf("route %q not read back; got %v", k, gotR)
		}
	}
	ruleKey := func(rs []Rule) map[string]bool {
		m := map[string]bool{}
		for _, r := range rs {
			m[r.Args()] = true
		}
		return m
	}
	gotRu, wantRu := ruleKey(got.Rules), ruleKey(cfg.Rules)
	for k := range wantRu {
		if !gotRu[k] {
			t.Errorf("rule %q not read back; got %v", k, gotRu)
		}
	}
	found := false
	for _, s := range got.Sysctls {
		if s == (Sysctl{"net.ipv4.conf.eth0.rp_filter", "2"}) {
			found = true
		}
	}
	if !found {
		t.Errorf("sysctl eth0.rp_filter=2 not read back: %v", got.Sysctls)
	}
}
