package iptables

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"farend/internal/netfilter"
	"farend/internal/packet"

	"farend/internal/golden"
)

// stubEnv answers every question the same way, for fuzzing evaluation.
type stubEnv struct{}

func (stubEnv) RPFilter(packet.Packet, string, netfilter.RPFlags) (bool, string) {
	return true, "stub"
}
func (stubEnv) AddrType(netip.Addr, string, netfilter.AddrType) netfilter.AddrType {
	return netfilter.AddrUnicast
}
func (stubEnv) SourceAddr(string, netip.Addr, bool) netip.Addr { return netip.Addr{} }

// FuzzParse: Parse never panics, every line is understood or noted,
// parsing the rules on workers gives what parsing them in order gives, and
// the parsed rules can be printed and evaluated without panicking.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.save")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, famOf(name) == netfilter.IPv6)
	}
	f.Add([]byte("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -s 1.2.3.4 -m comment --comment \"a \\\"b\" -g X\n"), false)
	f.Add(KubeProxyRuleset(2, 2), false)
	f.Fuzz(func(t *testing.T, data []byte, v6 bool) {
		fam := netfilter.IPv4
		p4 := packet.Packet{Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), Proto: packet.ProtoTCP, SPort: 1, DPort: 2}
		if v6 {
			fam = netfilter.IPv6
			p4.Src, p4.Dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
		}
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("parse or evaluation hangs on %q", data)) })
		defer tm.Stop()
		p := parse("fuzz", data, fam)
		checkLines(t, p)
		if q := parseWith("fuzz", data, fam, 2, 0, 1); !reflect.DeepEqual(p.rs, q.rs) || !reflect.DeepEqual(p.notes, q.notes) || !reflect.DeepEqual(p.ok, q.ok) || !reflect.DeepEqual(p.noted, q.noted) {
			t.Fatalf("parsing rules on workers differs from parsing them in order:\n%s", golden.FirstDiff(dump(p.rs, p), dump(q.rs, q)))
		}
		for _, tb := range p.rs.Tables {
			for _, c := range tb.Chains {
				for _, r := range c.Rules {
					ctx := &netfilter.Ctx{Pkt: p4, Family: fam, Hook: netfilter.Prerouting, In: "eth0", Env: stubEnv{}, Ct: netfilter.Conntrack{Tracked: true, State: netfilter.CtNew}}
					for _, m := range r.Matches {
						_ = m.String()
						m.Match(ctx)
					}
					if r.Target != nil {
						_ = r.Target.String()
						r.Target.Apply(ctx)
					}
				}
			}
			for _, name := range tb.Order {
				if tb.Chains[name].Builtin {
					tb.Run(&netfilter.Ctx{Pkt: p4, Family: fam, Env: stubEnv{}}, name)
				}
			}
		}
	})
}
