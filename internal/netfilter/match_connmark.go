package netfilter

import "fmt"

// ConnmarkMatch is `-m connmark --mark value[/mask]`, based on connmark_mt
// in net/netfilter/xt_connmark.c: a packet without a conntrack entry (raw
// table, untracked, invalid) never matches, even negated; otherwise
// ((ct->mark & mask) == value) ^ invert.
//
// The zero ConnmarkMatch matches every packet that has a conntrack entry.
type ConnmarkMatch struct {
	Mark, Mask uint32
	Invert     bool
}

// Match implements Match.
func (m *ConnmarkMatch) Match(c *Ctx) Tri {
	if ctNil(c.Ct) {
		c.Explain("the packet has no conntrack entry (%s): -m connmark does not match%s", c.Ct.Effective(), ctStateWhy(c))
		return No
	}
	r := (c.Ct.Mark&m.Mask == m.Mark) != m.Invert
	if r {
		c.Explain("connection mark is 0x%x", c.Ct.Mark)
	}
	return TriOf(r)
}

func (m *ConnmarkMatch) String() string {
	return fmt.Sprintf("-m connmark %s--mark %s", bang(m.Invert), markString(m.Mark, m.Mask))
}
