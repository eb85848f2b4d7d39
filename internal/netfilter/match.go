package netfilter

// Tri is a three-valued match result. The zero value is No.
type Tri uint8

// Match results. Maybe means the snapshot does not say (an ipset without
// its contents, `-m statistic --mode random`, a match farend does not
// model): the evaluator explores both outcomes.
const (
	No Tri = iota
	Yes
	Maybe
)

func (t Tri) String() string {
	switch t {
	case Yes:
		return "yes"
	case Maybe:
		return "maybe"
	}
	return "no"
}

// Not negates t (Maybe stays Maybe).
func (t Tri) Not() Tri {
	switch t {
	case Yes:
		return No
	case No:
		return Yes
	}
	return Maybe
}

// TriOf converts a bool.
func TriOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// Match is one condition of a rule: the generic ones (-s, -d, -i, -o, -p)
// and each `-m module` each become one Match. A Match handles its own
// negation. It may call c.Explain to say why it decided.
type Match interface {
	Match(c *Ctx) Tri
	// String prints the match as iptables-save does ("-m mark --mark 0x1").
	String() string
}

// Target is what a rule does when it matches. It may change the packet
// (c.Pkt), its mark or conntrack mark, and may call c.Explain.
type Target interface {
	Apply(c *Ctx) Verdict
	// String prints the target as iptables-save does ("-j DROP").
	String() string
}
