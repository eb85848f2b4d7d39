package netfilter

import (
	"fmt"
	"strings"
)

// LengthMatch is `-m length --length min[:max]`, based on
// net/netfilter/xt_length.c: the IPv4 total length, or the IPv6 payload
// length plus the 40-byte header, in [min, max], inverted by `!`. Both are
// the whole packet's length, c.Pkt.Length.
//
// The zero LengthMatch is --length 0 (never true for a real packet).
type LengthMatch struct {
	Min, Max uint16
	Invert   bool
}

func parseLength(fam Family, a *Args) (Match, error) {
	var m *LengthMatch
	arity := func(o string) int {
		if o == "--length" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		lo, hi, isRange := strings.Cut(o.Arg(), ":")
		var min, max uint64 = 0, 0xffff
		var err error
		if lo != "" || !isRange {
			if min, err = parseUint(lo, 0xffff); err != nil {
				return err
			}
		}
		if !isRange {
			max = min
		} else if hi != "" {
			if max, err = parseUint(hi, 0xffff); err != nil {
				return err
			}
		}
		if min > max {
			return fmt.Errorf("invalid length range %q", o.Arg())
		}
		m = &LengthMatch{Min: uint16(min), Max: uint16(max), Invert: o.Neg}
		return nil
	})
	if err == nil && m == nil {
		err = fmt.Errorf("-m length needs --length")
	}
	return m, err
}

// Match implements Match.
func (m *LengthMatch) Match(c *Ctx) Tri {
	l := c.Pkt.Length
	r := (l >= m.Min && l <= m.Max) != m.Invert
	if r {
		c.Explain("packet length is %d", l)
	}
	return TriOf(r)
}

func (m *LengthMatch) String() string {
	if m.Min == m.Max {
		return fmt.Sprintf("-m length %s--length %d", bang(m.Invert), m.Min)
	}
	return fmt.Sprintf("-m length %s--length %d:%d", bang(m.Invert), m.Min, m.Max)
}
