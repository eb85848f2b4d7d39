package netfilter

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"farend/internal/packet"
)

// xtPacket builds a packet from a compact form:
// "tcp 10.0.0.1:1000 10.0.0.2:22 flags=S mark=0x1 ttl=64 len=60 frag
// type=8/0". Unknown protocols may be numbers.
func xtPacket(t testing.TB, s string) packet.Packet {
	t.Helper()
	f := strings.Fields(s)
	var p packet.Packet
	var err error
	if p.Proto, err = packet.ParseProto(f[0]); err != nil {
		t.Fatal(err)
	}
	ap := func(x string) (netip.Addr, uint16) {
		if a, err := netip.ParseAddrPort(x); err == nil {
			return a.Addr(), a.Port()
		}
		return netip.MustParseAddr(x), 0
	}
	p.Src, p.SPort = ap(f[1])
	p.Dst, p.DPort = ap(f[2])
	p.TTL, p.Length = 64, 60
	for _, kv := range f[3:] {
		k, v, _ := strings.Cut(kv, "=")
		n, _ := strconv.ParseUint(v, 0, 32)
		switch k {
		case "flags":
			for _, c := range v {
				p.TCPFlags |= map[rune]uint8{'F': packet.TCPFin, 'S': packet.TCPSyn, 'R': packet.TCPRst, 'P': packet.TCPPsh, 'A': packet.TCPAck, 'U': packet.TCPUrg}[c]
			}
		case "mark":
			p.Mark = uint32(n)
		case "ttl":
			p.TTL = uint8(n)
		case "len":
			p.Length = uint16(n)
		case "frag":
			p.Frag = true
		case "type":
			a, b, _ := strings.Cut(v, "/")
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			p.ICMPType, p.ICMPCode = uint8(x), uint8(y)
		default:
			t.Fatalf("bad packet key %q", k)
		}
	}
	return p
}

// xtMatch parses one match as iptables-save prints it: a generic option
// (-s, -d, -i, -o, -p, -f, each maybe negated) or "-m module options".
// Words are split on blanks.
func xtMatch(t testing.TB, fam Family, s string) Match {
	t.Helper()
	w := strings.Fields(s)
	inv := false
	if w[0] == "!" {
		inv, w = true, w[1:]
	}
	var m Match
	var err error
	switch w[0] {
	case "-s", "-d":
		m, err = ParseAddrMatch(w[1], w[0] == "-d", inv, fam)
	case "-i", "-o":
		m, err = ParseIfaceMatch(w[1], w[0] == "-o", inv)
	case "-p":
		m, err = ParseProtoMatch(w[1], inv)
	case "-f":
		m = &FragMatch{Invert: inv}
	case "-m":
		a := &Args{W: w[2:]}
		var known bool
		m, known, err = ParseMatch(w[1], fam, a)
		if !known {
			t.Fatalf("%s: unknown module", s)
		}
		if err == nil && a.I != len(a.W) {
			t.Fatalf("%s: stopped at %q", s, a.W[a.I])
		}
	default:
		t.Fatalf("bad match %q", s)
	}
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

// xtTarget parses "-j NAME options".
func xtTarget(t testing.TB, fam Family, s string) Target {
	t.Helper()
	w := strings.Fields(s)
	a := &Args{W: w[2:]}
	tg, known, err := ParseTarget(w[1], fam, a)
	if !known || err != nil || a.I != len(a.W) {
		t.Fatalf("%s: known %v err %v at %d", s, known, err, a.I)
	}
	return tg
}

// fakeEnv is a test Env: addresses with their types, rpfilter answers and
// source addresses per device.
type fakeEnv struct {
	types  map[netip.Addr]AddrType
	rpPass bool
	rpGot  RPFlags
	src    map[string]netip.Addr
}

func (e *fakeEnv) RPFilter(p packet.Packet, dev string, f RPFlags) (bool, string) {
	e.rpGot = f
	return e.rpPass, "reverse lookup says " + strconv.FormatBool(e.rpPass)
}

func (e *fakeEnv) AddrType(a netip.Addr, dev string, want AddrType) AddrType {
	if t, ok := e.types[a]; ok {
		return t
	}
	if a.IsMulticast() {
		return AddrMulticast
	}
	return AddrUnicast
}

func (e *fakeEnv) SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr { return e.src[dev] }
