package nft

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	nf "farend/internal/netfilter"
	"farend/internal/packet"
)

// hostEnv is a test double of the host: routes (longest prefix wins, with
// their devices), local addresses and source addresses per device. It
// answers netfilter.Env and netfilter.FIBEnv.
type hostEnv struct {
	routes map[string][]string // prefix -> devices
	local  map[string]string   // address -> device
	src    map[string]string   // device -> address
}

func (e *hostEnv) RPFilter(p packet.Packet, dev string, f nf.RPFlags) (bool, string) {
	return false, "not used"
}

func (e *hostEnv) AddrType(a netip.Addr, dev string, want nf.AddrType) nf.AddrType {
	if d, ok := e.local[a.String()]; ok && (dev == "" || dev == d) {
		return nf.AddrLocal
	}
	if a.IsMulticast() {
		return nf.AddrMulticast
	}
	return nf.AddrUnicast
}

func (e *hostEnv) SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr {
	a, _ := netip.ParseAddr(e.src[dev])
	return a
}

func (e *hostEnv) FIB(q nf.FIBQuery) nf.FIBResult {
	var res nf.FIBResult
	if q.AddrDev != "" {
		res.LocalOnDev = e.local[q.Dst.String()] == q.AddrDev
	}
	if _, ok := e.local[q.Dst.String()]; ok {
		return nf.FIBResult{OK: true, Type: nf.AddrLocal, Devs: []string{"lo"}, LocalOnDev: res.LocalOnDev, Why: "local"}
	}
	best := -1
	for p, devs := range e.routes {
		pfx := netip.MustParsePrefix(p)
		if pfx.Contains(q.Dst) && pfx.Bits() > best {
			best = pfx.Bits()
			res.OK, res.Type, res.Devs, res.Why = true, nf.AddrUnicast, devs, "route "+p
		}
	}
	return res
}

// load parses a testdata file.
func load(t *testing.T, name string) map[nf.Family]*nf.Ruleset {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rss, _ := Parse(name, data)
	out := map[nf.Family]*nf.Ruleset{}
	for _, rs := range rss {
		out[rs.Family] = rs
	}
	return out
}

func pkt(t testing.TB, proto, src, dst string) packet.Packet {
	t.Helper()
	p := packet.Packet{Proto: map[string]uint8{"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}[proto], TTL: 64, Length: 60}
	ap := func(s string) (netip.Addr, uint16) {
		if a, err := netip.ParseAddrPort(s); err == nil {
			return a.Addr(), a.Port()
		}
		return netip.MustParseAddr(s), 0
	}
	p.Src, p.SPort = ap(src)
	p.Dst, p.DPort = ap(dst)
	if p.Proto == 6 {
		p.TCPFlags = packet.TCPSyn
	}
	return p
}

// run evaluates base chain chain of table tbl.
func run(t *testing.T, rs *nf.Ruleset, tbl, chain string, c *nf.Ctx) nf.Outcome {
	t.Helper()
	tab := rs.Tables[tbl]
	if tab == nil || tab.Chains[chain] == nil {
		t.Fatalf("no chain %s %s", tbl, chain)
	}
	return tab.Run(c, chain)
}

func stepsText(o nf.Outcome) string {
	var b strings.Builder
	for _, s := range o.Steps {
		if s.Rule != nil {
			b.WriteString(s.Rule.Text)
		} else {
			b.WriteString("policy")
		}
		b.WriteString(" -> " + s.Verdict.Kind.String() + "; " + strings.Join(s.Details, "; ") + "\n")
	}
	return b.String()
}

// TestFirewalldRPFilter: firewalld's IPv6 reverse-path filter (`meta
// nfproto ipv6 fib saddr . mark . iif oif missing drop` in
// filter_PREROUTING at priority filter + 10) drops a packet whose source
// is routed out another device, passes it when the route goes back out
// the input device, and leaves IPv4 alone.
func TestFirewalldRPFilter(t *testing.T) {
	rs := load(t, "firewalld.json")[nf.Inet]
	env := &hostEnv{
		routes: map[string][]string{"2001:db8:1::/48": {"eth0"}, "2001:db8:2::/48": {"eth1"}, "::/0": {"eth1"}, "0.0.0.0/0": {"eth1"}},
		local:  map[string]string{"2001:db8:ff::1": "eth0", "192.0.2.1": "eth0"},
	}
	for _, tc := range []struct {
		src  string
		want nf.VerdictKind
	}{
		{"[2001:db8:2::5]:4000", nf.Drop},
		{"[2001:db8:1::5]:4000", nf.Accept},
		{"198.51.100.7:4000", nf.Accept},
	} {
		dst := "[2001:db8:ff::1]:22"
		if !strings.HasPrefix(tc.src, "[") {
			dst = "192.0.2.1:22"
		}
		c := &nf.Ctx{Pkt: pkt(t, "tcp", tc.src, dst), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
		o := run(t, rs, "firewalld", "filter_PREROUTING", c)
		if o.Verdict != tc.want {
			t.Errorf("%s: %s, want %s\n%s", tc.src, o.Verdict, tc.want, stepsText(o))
		}
	}
	// The chain's priority is filter + 10.
	if c := rs.Tables["firewalld"].Chains["filter_PREROUTING"]; c.NFT.Priority != 10 || nf.NFTPriorityName(nf.Inet, c.NFT.HookName, c.NFT.Priority) != "filter + 10" {
		t.Errorf("priority %d", c.NFT.Priority)
	}
}

// TestFirewalldInput: the zone accepts ssh and rejects the rest with
// icmpx admin-prohibited, through jumps and gotos.
func TestFirewalldInput(t *testing.T) {
	rs := load(t, "firewalld.json")[nf.Inet]
	for _, tc := range []struct {
		dport string
		want  nf.VerdictKind
	}{{"22", nf.Accept}, {"9090", nf.Accept}, {"23", nf.Reject}} {
		c := &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "192.0.2.1:"+tc.dport), Hook: nf.Input, In: "eth0", Env: &hostEnv{}, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
		o := run(t, rs, "firewalld", "filter_INPUT", c)
		if o.Verdict != tc.want {
			t.Errorf("port %s: %s, want %s\n%s", tc.dport, o.Verdict, tc.want, stepsText(o))
		}
	}
}

// TestDockerPublish: Docker's nftables ruleset DNATs a published port
// addressed to the host and lets it through to the container, while other
// ports to the container are dropped.
func TestDockerPublish(t *testing.T) {
	rs := load(t, "docker.json")[nf.IPv4]
	env := &hostEnv{local: map[string]string{"192.0.2.1": "eth0"}, routes: map[string][]string{"172.17.0.0/16": {"docker0"}, "0.0.0.0/0": {"eth0"}}}
	c := &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "192.0.2.1:8080"), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	o := run(t, rs, "docker-bridges", "nat-PREROUTING", c)
	if o.Verdict != nf.Accept || c.Pkt.Dst != netip.MustParseAddr("172.17.0.2") || c.Pkt.DPort != 80 || len(c.NAT) != 1 {
		t.Fatalf("nat: %s %v %+v\n%s", o.Verdict, c.Pkt, c.NAT, stepsText(o))
	}
	c.Hook, c.Out = nf.Forward, "docker0"
	if o := run(t, rs, "docker-bridges", "filter-FORWARD", c); o.Verdict != nf.Accept || o.By == nil || !strings.Contains(o.By.Text, "tcp dport 80") {
		t.Errorf("forward: %s by %v\n%s", o.Verdict, o.By, stepsText(o))
	}
	c = &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "172.17.0.2:81"), Hook: nf.Forward, In: "eth0", Out: "docker0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	if o := run(t, rs, "docker-bridges", "filter-FORWARD", c); o.Verdict != nf.Drop {
		t.Errorf("unpublished port: %s\n%s", o.Verdict, stepsText(o))
	}
}

// TestKubeService: a packet to a ClusterIP goes through the service-ips
// verdict map to its service chain, is marked for masquerading and DNATed
// to the first endpoint (numgen random picks one; farend follows the
// first); postrouting then masquerades it.
func TestKubeService(t *testing.T) {
	rs := load(t, "kube.json")[nf.IPv4]
	env := &hostEnv{src: map[string]string{"eth0": "192.168.0.10"}, local: map[string]string{"192.168.0.10": "eth0"}, routes: map[string][]string{"0.0.0.0/0": {"eth0"}}}
	c := &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "10.96.0.3:82"), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	o := run(t, rs, "kube-proxy", "nat-prerouting", c)
	if o.Verdict != nf.Accept || c.Pkt.Dst != netip.MustParseAddr("10.244.0.6") || c.Pkt.DPort != 8080 || c.Pkt.Mark != 0x4000 {
		t.Fatalf("%s %v\n%s", o.Verdict, c.Pkt, stepsText(o))
	}
	c.Hook, c.In, c.Out = nf.Postrouting, "", "eth0"
	o = run(t, rs, "kube-proxy", "nat-postrouting", c)
	if o.Verdict != nf.Accept || c.Pkt.Src != netip.MustParseAddr("192.168.0.10") || c.Pkt.Mark != 0 {
		t.Fatalf("postrouting: %s %v\n%s", o.Verdict, c.Pkt, stepsText(o))
	}
	// A NodePort on the node's address.
	c = &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "192.168.0.10:30005"), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	if o := run(t, rs, "kube-proxy", "nat-prerouting", c); o.Verdict != nf.Accept || c.Pkt.Dst != netip.MustParseAddr("10.244.0.12") {
		t.Fatalf("nodeport: %s %v\n%s", o.Verdict, c.Pkt, stepsText(o))
	}
	// Anything else is left alone.
	c = &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "10.96.0.3:99"), Hook: nf.Prerouting, In: "eth0", Env: env, Ct: nf.Conntrack{Tracked: true, State: nf.CtNew}}
	if o := run(t, rs, "kube-proxy", "nat-prerouting", c); o.Verdict != nf.Accept || o.By != nil || len(c.NAT) != 0 {
		t.Fatalf("other: %s %v %v", o.Verdict, o.By, c.NAT)
	}
}

// TestMixedIptablesNFT: in a host with iptables-nft tables and a native
// table, the iptables-nft tables are recognisable, and their xt matches
// are undecidable from nft.json (recorded as branches).
func TestMixedIptablesNFT(t *testing.T) {
	fams := load(t, "mixed.json")
	ip, inet := fams[nf.IPv4], fams[nf.Inet]
	for _, n := range []string{"filter", "raw", "nat"} {
		if tb := ip.Tables[n]; tb == nil || !tb.NFT.IptablesNFT {
			t.Errorf("ip %s not marked as iptables-nft", n)
		}
	}
	if inet.Tables["host"].NFT.IptablesNFT {
		t.Errorf("the native table is marked as iptables-nft")
	}
	c := &nf.Ctx{Pkt: pkt(t, "tcp", "198.51.100.7:4000", "192.0.2.1:22"), Hook: nf.Prerouting, In: "eth0", Env: &hostEnv{}}
	run(t, ip, "raw", "PREROUTING", c)
	if len(c.Branches) != 1 {
		t.Errorf("xt rpfilter: %d branches, want 1", len(c.Branches))
	}
}

// TestSecurityTableIsIptablesNFT: iptables-nft's security table (base
// chains at priority 150) is recognised as iptables-nft's by its shape
// alone (its rule translates to native expressions), so that a host with
// ip6tables-save and nft.json does not run it twice (case
// nft-20251124-392 of the kernel-differential test ran ip6 security
// FORWARD from nft.json and from ip6tables-save).
func TestSecurityTableIsIptablesNFT(t *testing.T) {
	tb := load(t, "security.json")[nf.IPv4].Tables["security"]
	if tb == nil || tb.NFT.XT || !tb.NFT.IptablesNFT {
		t.Fatalf("ip security: %+v, want an iptables-nft table without xt expressions", tb)
	}
}
