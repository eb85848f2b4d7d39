package netfilter

import (
	"math/rand"
	"net/netip"
	"testing"
)

// TestAddrMatchReference compares AddrMatch with a slow, obviously correct
// reference (the kernel's (addr & mask) == net, bit by bit) on seeded
// random addresses, prefixes and non-contiguous masks.
func TestAddrMatchReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	randAddr := func(v6 bool) netip.Addr {
		if v6 {
			var b [16]byte
			r.Read(b[:])
			b[0], b[1] = 0x20, 0x01 // keep it away from v4-mapped space
			return netip.AddrFrom16(b)
		}
		var b [4]byte
		r.Read(b[:])
		return netip.AddrFrom4(b)
	}
	bit := func(a []byte, i int) bool { return a[i/8]&(0x80>>(i%8)) != 0 }
	ref := func(a, net, mask []byte) bool {
		for i := 0; i < len(a)*8; i++ {
			if bit(mask, i) && bit(a, i) != bit(net, i) {
				return false
			}
		}
		return true
	}
	for i := 0; i < 20000; i++ {
		v6 := i%2 == 1
		fam := IPv4
		if v6 {
			fam = IPv6
		}
		base := randAddr(v6)
		var maskBytes []byte
		var spec string
		if i%3 == 0 {
			m := randAddr(v6)
			maskBytes = m.AsSlice()
			spec = base.String() + "/" + m.String()
		} else {
			bits := r.Intn(base.BitLen() + 1)
			maskBytes = make([]byte, base.BitLen()/8)
			for k := 0; k < bits; k++ {
				maskBytes[k/8] |= 0x80 >> (k % 8)
			}
			spec = netip.PrefixFrom(base, bits).String()
		}
		m, err := ParseAddrMatch(spec, false, false, fam)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		// Half the probes share the masked bits with the network.
		probe := randAddr(v6)
		if r.Intn(2) == 0 {
			p, b := probe.AsSlice(), base.AsSlice()
			for k := range p {
				p[k] = p[k]&^maskBytes[k] | b[k]&maskBytes[k]
			}
			probe, _ = netip.AddrFromSlice(p)
		}
		if got, want := m.Contains(probe), ref(probe.AsSlice(), base.AsSlice(), maskBytes); got != want {
			t.Fatalf("%s contains %s = %v, reference %v", spec, probe, got, want)
		}
	}
}

// TestPortListReference compares multiport and tcp port matching with a
// reference that lists every matching port.
func TestPortListReference(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 300; i++ {
		var ports []PortMatch
		set := map[uint16]bool{}
		for n := 1 + r.Intn(7); n > 0; n-- {
			lo := uint16(r.Intn(2000))
			hi := lo
			if r.Intn(2) == 0 {
				hi = lo + 1 + uint16(r.Intn(50))
			}
			ports = append(ports, PortMatch{Set: true, Lo: lo, Hi: hi})
			for p := int(lo); p <= int(hi); p++ {
				set[uint16(p)] = true
			}
		}
		m := &MultiportMatch{Dir: MultiportDest, Ports: ports, Invert: i%2 == 1}
		for k := 0; k < 50; k++ {
			p := uint16(r.Intn(2100))
			c := &Ctx{Pkt: xtPacket(t, "udp 1.1.1.1:9 2.2.2.2:9")}
			c.Pkt.DPort = p
			if got, want := m.Match(c), TriOf(set[p] != m.Invert); got != want {
				t.Fatalf("%s on %d = %v, reference %v", m, p, got, want)
			}
		}
	}
}
