package netfilter

import "fmt"

// MarkMatch is `-m mark --mark value[/mask]`, based on mark_mt in
// net/netfilter/xt_mark.c: ((skb->mark & mask) == value) ^ invert. It
// reads the packet mark (c.Pkt.Mark).
//
// The zero MarkMatch (mask 0, value 0) matches every packet.
type MarkMatch struct {
	Mark, Mask uint32
	Invert     bool
}

// parseMarkMatch parses -m mark (conn false) or -m connmark (conn true):
// both take `[!] --mark value[/mask]`.
func parseMarkMatch(a *Args, conn bool) (Match, error) {
	var mark, mask uint32
	var inv, seen bool
	arity := func(o string) int {
		if o == "--mark" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if seen {
			return fmt.Errorf("only one --mark allowed")
		}
		v, m, err := parseValueMask(o.Arg())
		if err != nil {
			return err
		}
		mark, mask, inv, seen = v, m, o.Neg, true
		return nil
	})
	if err == nil && !seen {
		err = fmt.Errorf("--mark is required")
	}
	if conn {
		return &ConnmarkMatch{Mark: mark, Mask: mask, Invert: inv}, err
	}
	return &MarkMatch{Mark: mark, Mask: mask, Invert: inv}, err
}

// markString prints value[/mask] as libxt_mark does (the mask only when it
// is not 0xffffffff).
func markString(v, m uint32) string {
	if m == 0xffffffff {
		return fmt.Sprintf("0x%x", v)
	}
	return fmt.Sprintf("0x%x/0x%x", v, m)
}

// Match implements Match.
func (m *MarkMatch) Match(c *Ctx) Tri {
	r := (c.Pkt.Mark&m.Mask == m.Mark) != m.Invert
	if r {
		c.Explain("packet mark is 0x%x", c.Pkt.Mark)
	}
	return TriOf(r)
}

func (m *MarkMatch) String() string {
	return fmt.Sprintf("-m mark %s--mark %s", bang(m.Invert), markString(m.Mark, m.Mask))
}
