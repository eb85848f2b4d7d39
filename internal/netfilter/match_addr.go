package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// AddrMatch is -s / -d: the packet's source (or destination) address under
// a mask equals the rule's address. Based on ip_packet_match in
// net/ipv4/netfilter/ip_tables.c ((saddr & smsk) != src, inverted by
// IPT_INV_SRCIP) and ip6_packet_match in net/ipv6/netfilter/ip6_tables.c.
//
// The zero AddrMatch matches nothing (its Net is invalid).
type AddrMatch struct {
	// Dst is true for -d, false for -s.
	Dst bool
	// Net is the address and prefix length, already masked (iptables
	// stores 10.1.2.3/8 as 10.0.0.0/8).
	Net netip.Prefix
	// Mask is set (and Net's length is unused) for a non-contiguous mask
	// such as -s 10.0.0.0/255.0.255.0; it is the zero Addr otherwise.
	Mask   netip.Addr
	Invert bool
}

// ParseAddrMatch parses the argument of -s or -d ("10.0.0.0/8",
// "192.0.2.1", "2001:db8::/32", "10.0.0.0/255.0.255.0"). iptables-save
// never prints host names or comma lists (iptables expands a list into
// one rule per address), so neither is accepted.
func ParseAddrMatch(s string, dst, invert bool, fam Family) (*AddrMatch, error) {
	m := &AddrMatch{Dst: dst, Invert: invert}
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return nil, fmt.Errorf("invalid address %q", s)
	}
	if (fam == IPv4) != a.Is4() {
		return nil, fmt.Errorf("address %q is not of family %s", s, fam)
	}
	bits := a.BitLen()
	if hasMask {
		if k, err := parseUint(mask, uint64(a.BitLen())); err == nil && !strings.ContainsAny(mask, ".:x") {
			bits = int(k)
		} else {
			ma, err := netip.ParseAddr(mask)
			if err != nil || ma.BitLen() != a.BitLen() {
				return nil, fmt.Errorf("invalid mask in %q", s)
			}
			if n, ok := maskLen(ma); ok {
				bits = n
			} else {
				m.Mask = ma
				m.Net = netip.PrefixFrom(andAddr(a, ma), a.BitLen())
				return m, nil
			}
		}
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return nil, fmt.Errorf("invalid prefix %q", s)
	}
	m.Net = p
	return m, nil
}

// maskLen returns the prefix length of a contiguous mask.
func maskLen(m netip.Addr) (int, bool) {
	b := m.AsSlice()
	n := 0
	for i, x := range b {
		if x == 0xff {
			n += 8
			continue
		}
		for x&0x80 != 0 {
			n++
			x <<= 1
		}
		if x != 0 {
			return 0, false
		}
		for _, y := range b[i+1:] {
			if y != 0 {
				return 0, false
			}
		}
		return n, true
	}
	return n, true
}

// andAddr returns a & m (same family).
func andAddr(a, m netip.Addr) netip.Addr {
	x, y := a.AsSlice(), m.AsSlice()
	for i := range x {
		x[i] &= y[i]
	}
	r, _ := netip.AddrFromSlice(x)
	return r
}

// Contains reports whether a is inside the match's network (ignoring
// Invert).
func (m *AddrMatch) Contains(a netip.Addr) bool {
	if m.Mask.IsValid() {
		if a.BitLen() != m.Mask.BitLen() {
			return false
		}
		return andAddr(a, m.Mask) == m.Net.Addr()
	}
	return m.Net.Contains(a)
}

// Match implements Match.
func (m *AddrMatch) Match(c *Ctx) Tri {
	a := c.Pkt.Src
	if m.Dst {
		a = c.Pkt.Dst
	}
	return TriOf(m.Contains(a) != m.Invert)
}

func (m *AddrMatch) String() string {
	opt := "-s"
	if m.Dst {
		opt = "-d"
	}
	if m.Mask.IsValid() {
		return fmt.Sprintf("%s%s %s/%s", bang(m.Invert), opt, m.Net.Addr(), m.Mask)
	}
	return fmt.Sprintf("%s%s %s", bang(m.Invert), opt, m.Net)
}
