package netfilter

import (
	"net/netip"
	"strings"
	"testing"

	"farend/internal/packet"
)

// iptables-nft (v1.8.9, as the kernel-differential test found) compiles
// `! --sport A ! --dport B` into one negated compare of both ports, which
// matches when either port differs; x_tables (legacy) wants both to
// differ. Ranges, port 0 and mixed negations stay two compares.
func TestTCPMatchNFTCombinedPorts(t *testing.T) {
	parse := func(s string) *TCPMatch {
		t.Helper()
		a := &Args{W: strings.Fields(s)}
		m, err := parseTCPUDP("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*TCPMatch)
	}
	p := packet.Packet{Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("192.0.2.2"), Proto: packet.ProtoTCP, SPort: 65535, DPort: 22, TCPFlags: packet.TCPSyn}
	for _, c := range []struct {
		opts         string
		legacy, nft  Tri
		sport, dport uint16
	}{
		{"! --sport 65535 ! --dport 23", No, Yes, 65535, 22},
		{"! --sport 65535 ! --dport 23", Yes, Yes, 1000, 22},
		{"! --sport 65535 ! --dport 22", No, No, 65535, 22},
		{"! --sport 65535:65535 ! --dport 23", No, Yes, 65535, 22},
		{"! --sport 65534:65535 ! --dport 23", No, No, 65535, 22},
		{"! --sport 0 ! --dport 23", Yes, Yes, 65535, 22},
		{"--sport 65535 --dport 22", Yes, Yes, 65535, 22},
		{"! --sport 65535 --dport 22", No, No, 65535, 22},
	} {
		m := parse(c.opts)
		q := p
		q.SPort, q.DPort = c.sport, c.dport
		for _, b := range []struct {
			backend string
			want    Tri
		}{{"legacy", c.legacy}, {"nf_tables", c.nft}} {
			if got := m.Match(&Ctx{Pkt: q, Backend: b.backend}); got != b.want {
				t.Errorf("%s on %d->%d, %s: %s, want %s", c.opts, c.sport, c.dport, b.backend, got, b.want)
			}
		}
	}
}
