package netfilter

import "fmt"

// NFTCmp is one relational expression of an nft rule: `ip saddr
// 10.0.0.0/8`, `tcp dport != { 22, 80-90 }`, `ct state
// established,related`, `meta mark & 0xff == 0x1`, `ip daddr . tcp dport
// @svc`, `fib saddr . iif oif missing` ... (nftables JSON "match"; the
// kernel's nft_cmp, nft_range, nft_lookup and, for bitmask types,
// nft_bitwise + cmp neq 0).
//
// The key (Left) is loaded first; when the kernel would stop the rule
// there (a missing header, no conntrack entry), the match fails whatever
// the operator. Then, by Op:
//
//   - "==": the value equals Right (a value, range or prefix per
//     component), or is an element of Set;
//   - "!=": the negation (nft_cmp neq, nft_range neq, lookup with
//     NFT_LOOKUP_F_INV);
//   - "in" (nft's implicit operator): for a bitmask type with a value, any
//     of its bits is set (`(x & v) != 0`); otherwise as "==";
//   - "!" (nft's OP_NEG, listed `tcp flags ! fin,urg`): none of the
//     value's bits is set. nft compiles it to `bitwise reg & v` and `cmp
//     eq 0` (nftables src/netlink_linearize.c netlink_gen_flagcmp), and
//     lists that pair as "!" (src/netlink_delinearize.c
//     relational_binop_postprocess);
//   - "<", ">", "<=", ">=": ordered comparison (nft_cmp lt/gt/lte/gte on
//     the big-endian register: numeric order).
//
// The zero NFTCmp has no key and matches nothing.
type NFTCmp struct {
	// Left is the key: one expression, or several for a concatenation.
	Left []NFTExpr
	Op   string
	// Right is the value (one range per component); nil when Set is
	// used.
	Right []NFTRange
	// Set is an anonymous or named set the key is looked up in.
	Set *NFTSet
	// Merged is true for != matches of adjacent header fields that nft
	// compiled into one compare of the joined fields (nftables before
	// 1.1: `tcp sport != 1 tcp dport != 2` is one 4-byte cmp neq, which
	// holds when either port differs); Left and Right then hold the
	// fields in order.
	Merged bool
	// Text is the match as `nft list` prints it.
	Text string
}

func (m *NFTCmp) String() string { return m.Text }

// Match implements Match.
func (m *NFTCmp) Match(c *Ctx) Tri {
	if len(m.Left) == 0 {
		return No
	}
	var vals []NFTValue
	var r Tri
	var why string
	if len(m.Left) == 1 {
		var v NFTValue
		v, r, why = m.Left[0].Load(c)
		vals = []NFTValue{v}
	} else {
		vals, r, why = loadAll(c, m.Left)
	}
	_, fib := m.Left[0].(*NFTFib)
	switch r {
	case No:
		if m.Op == "!=" || fib {
			c.Explain("`%s` does not match: %s", m.Text, why)
		}
		return No
	case Maybe:
		c.Explain("farend cannot tell whether `%s` matches: %s; %s", m.Text, why, ruleEffect(c))
		return Maybe
	}
	res := m.compare(vals)
	if m.Merged && res == Yes {
		c.Explain("nft compiled `%s` into one compare of the joined fields (nftables src/rule.c stmt_reduce merges adjacent != matches before 1.1): it holds when any of them differs", m.Text)
	}
	switch {
	case res == Maybe:
		c.Explain("farend cannot tell whether `%s` matches: the value %s has bits farend does not know; %s", m.Text, valsString(vals), ruleEffect(c))
	case fib:
		c.Explain("%s: %s; `%s` %s", m.Left[0], why, m.Text, map[Tri]string{Yes: "matches", No: "does not match"}[res])
	}
	return res
}

func valsString(vs []NFTValue) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += " . "
		}
		s += v.String()
	}
	return s
}

// compare applies the operator to the loaded key.
func (m *NFTCmp) compare(vals []NFTValue) Tri {
	if m.Set != nil {
		_, r := m.Set.Lookup(vals)
		if m.Op == "!=" {
			return r.Not()
		}
		return r
	}
	if len(m.Right) != len(vals) {
		return No
	}
	switch m.Op {
	case "==", "in":
		if m.Op == "in" && len(vals) == 1 && m.Left[0].Type().Bitmask() && m.Right[0].single() {
			return anyBit(vals[0], m.Right[0].Lo.Num)
		}
		return m.equal(vals)
	case "!=":
		return m.equal(vals).Not()
	case "!":
		if len(vals) != 1 || !m.Right[0].single() {
			return Maybe
		}
		return anyBit(vals[0], m.Right[0].Lo.Num).Not()
	case "<", ">", "<=", ">=":
		if len(vals) != 1 {
			return No
		}
		d, ok := vals[0].cmp(m.Right[0].Lo)
		if !ok {
			return Maybe
		}
		switch m.Op {
		case "<":
			return TriOf(d < 0)
		case ">":
			return TriOf(d > 0)
		case "<=":
			return TriOf(d <= 0)
		}
		return TriOf(d >= 0)
	}
	return Maybe
}

func (m *NFTCmp) equal(vals []NFTValue) Tri {
	res := Yes
	for i, r := range m.Right {
		switch r.contains(vals[i]) {
		case No:
			return No
		case Maybe:
			res = Maybe
		}
	}
	return res
}

// anyBit tests (v & mask) != 0.
func anyBit(v NFTValue, mask uint64) Tri {
	switch {
	case v.Num&mask&^v.Unknown != 0:
		return Yes
	case v.NonZero != 0 && v.NonZero&^mask == 0:
		return Yes
	case v.Unknown&mask != 0:
		return Maybe
	}
	return No
}

// ruleEffect says whether the rule being evaluated (c.Rule) could change
// the verdict, for the explanation of an undecidable match.
func ruleEffect(c *Ctx) string {
	if c.Rule == nil || c.Rule.Target == nil {
		return "the rule has no statement, so it cannot change the verdict"
	}
	if s, ok := c.Rule.Target.(*NFTStatements); ok {
		return s.Effect()
	}
	return fmt.Sprintf("the rule's target is `%s`", c.Rule.Target)
}
