package netfilter

import "fmt"

// TTLOp is the comparison of `-m ttl` / `-m hl` (IPT_TTL_EQ ... and
// IP6T_HL_EQ ..., same values).
type TTLOp uint8

// TTL comparisons with the kernel's values. The zero TTLOp is EQ.
const (
	TTLEq TTLOp = iota
	TTLNe
	TTLLt
	TTLGt
)

// TTLMatch is `-m ttl --ttl-eq/--ttl-lt/--ttl-gt` (IPv4) and `-m hl
// --hl-eq/--hl-lt/--hl-gt` (IPv6 hop limit), based on ttl_mt and hl_mt in
// net/netfilter/xt_hl.c. `! --ttl-eq n` is the NE operation.
//
// The zero TTLMatch is --ttl-eq 0.
type TTLMatch struct {
	// HL is true for -m hl (IPv6).
	HL    bool
	Op    TTLOp
	Value uint8
}

func parseTTL(a *Args, hl bool) (Match, error) {
	var m *TTLMatch
	p := "--ttl-"
	if hl {
		p = "--hl-"
	}
	arity := func(o string) int {
		switch o {
		case p + "eq", p + "lt", p + "gt":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if m != nil {
			return fmt.Errorf("only one %seq/lt/gt allowed", p)
		}
		n, err := parseUint(o.Arg(), 255)
		if err != nil {
			return err
		}
		m = &TTLMatch{HL: hl, Value: uint8(n)}
		switch o.Name {
		case p + "eq":
			if o.Neg {
				m.Op = TTLNe
			}
		case p + "lt":
			m.Op = TTLLt
		case p + "gt":
			m.Op = TTLGt
		}
		if o.Neg && o.Name != p+"eq" {
			return fmt.Errorf("%s cannot be negated", o.Name)
		}
		return nil
	})
	if err == nil && m == nil {
		err = fmt.Errorf("%seq, %slt or %sgt is required", p, p, p)
	}
	return m, err
}

// Match implements Match.
func (m *TTLMatch) Match(c *Ctx) Tri {
	t := c.Pkt.TTL
	var r bool
	switch m.Op {
	case TTLEq:
		r = t == m.Value
	case TTLNe:
		r = t != m.Value
	case TTLLt:
		r = t < m.Value
	case TTLGt:
		r = t > m.Value
	}
	what := "TTL"
	if m.HL {
		what = "hop limit"
	}
	if r {
		c.Explain("%s is %d", what, t)
	}
	return TriOf(r)
}

func (m *TTLMatch) String() string {
	mod, p := "ttl", "--ttl-"
	if m.HL {
		mod, p = "hl", "--hl-"
	}
	switch m.Op {
	case TTLNe:
		return fmt.Sprintf("-m %s ! %seq %d", mod, p, m.Value)
	case TTLLt:
		return fmt.Sprintf("-m %s %slt %d", mod, p, m.Value)
	case TTLGt:
		return fmt.Sprintf("-m %s %sgt %d", mod, p, m.Value)
	}
	return fmt.Sprintf("-m %s %seq %d", mod, p, m.Value)
}

// Check implements Checker: the ttl match is registered for IPv4 and hl
// for IPv6 only.
func (m *TTLMatch) Check(e Entry) string {
	if m.HL && e.Family == IPv4 {
		return "-m hl is IPv6 only"
	}
	if !m.HL && e.Family == IPv6 {
		return "-m ttl is IPv4 only"
	}
	return ""
}
