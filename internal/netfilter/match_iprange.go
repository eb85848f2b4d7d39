package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// IPRangeMatch is `-m iprange --src-range a-b --dst-range c-d`, based on
// iprange_mt4/iprange_mt6 in net/netfilter/xt_iprange.c: the address is
// in [lo, hi] (inclusive), inverted by `!`; both options must hold.
//
// The zero IPRangeMatch has no range and matches every packet.
type IPRangeMatch struct {
	Src, Dst AddrRange
}

// AddrRange is an inclusive address range; the zero AddrRange is unset.
type AddrRange struct {
	Set    bool
	Lo, Hi netip.Addr
	Invert bool
}

// Contains reports whether a is in the range (ignoring Invert).
func (r AddrRange) Contains(a netip.Addr) bool {
	return a.BitLen() == r.Lo.BitLen() && a.Compare(r.Lo) >= 0 && a.Compare(r.Hi) <= 0
}

func parseAddrRange(s string, fam Family, inv bool) (AddrRange, error) {
	l, h, ok := strings.Cut(s, "-")
	lo, err1 := netip.ParseAddr(l)
	hi, err2 := netip.ParseAddr(h)
	if !ok || err1 != nil || err2 != nil || lo.Zone() != "" || hi.Zone() != "" || lo.Is4() != hi.Is4() || lo.Is4() != (fam == IPv4) {
		return AddrRange{}, fmt.Errorf("invalid address range %q", s)
	}
	return AddrRange{Set: true, Lo: lo, Hi: hi, Invert: inv}, nil
}

func parseIPRange(fam Family, a *Args) (Match, error) {
	m := &IPRangeMatch{}
	arity := func(o string) int {
		switch o {
		case "--src-range", "--dst-range":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		r, err := parseAddrRange(o.Arg(), fam, o.Neg)
		if o.Name == "--src-range" {
			m.Src = r
		} else {
			m.Dst = r
		}
		return err
	})
	if err == nil && !m.Src.Set && !m.Dst.Set {
		err = fmt.Errorf("iprange needs --src-range or --dst-range")
	}
	return m, err
}

// Match implements Match.
func (m *IPRangeMatch) Match(c *Ctx) Tri {
	if m.Src.Set && m.Src.Contains(c.Pkt.Src) == m.Src.Invert {
		return No
	}
	if m.Dst.Set && m.Dst.Contains(c.Pkt.Dst) == m.Dst.Invert {
		return No
	}
	return Yes
}

func (m *IPRangeMatch) String() string {
	var b strings.Builder
	b.WriteString("-m iprange")
	if m.Src.Set {
		fmt.Fprintf(&b, " %s--src-range %s-%s", bang(m.Src.Invert), m.Src.Lo, m.Src.Hi)
	}
	if m.Dst.Set {
		fmt.Fprintf(&b, " %s--dst-range %s-%s", bang(m.Dst.Invert), m.Dst.Lo, m.Dst.Hi)
	}
	return b.String()
}
