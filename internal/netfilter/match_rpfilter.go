package netfilter

import "strings"

// RPFilterMatch is `-m rpfilter`, based on net/ipv4/netfilter/
// ipt_rpfilter.c and net/ipv6/netfilter/ip6t_rpfilter.c: a reverse-path
// lookup of the packet's source; the result is inverted by --invert. The
// environment (c.Env.RPFilter) does the lookup, the loopback and
// special-source shortcuts and the --loose, --validmark and
// --accept-local flags; the match applies --invert. The kernel accepts it
// only in the raw and mangle tables, in PREROUTING.
//
// The zero RPFilterMatch is a strict `-m rpfilter`.
type RPFilterMatch struct {
	Flags RPFlags
}

func parseRPFilter(fam Family, a *Args) (Match, error) {
	m := &RPFilterMatch{}
	arity := func(o string) int {
		switch o {
		case "--loose", "--validmark", "--accept-local", "--invert":
			return 0
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--loose":
			m.Flags |= RPLoose
		case "--validmark":
			m.Flags |= RPValidMark
		case "--accept-local":
			m.Flags |= RPAcceptLocal
		case "--invert":
			m.Flags |= RPInvert
		}
		return noNeg(o)
	})
	return m, err
}

// Match implements Match.
func (m *RPFilterMatch) Match(c *Ctx) Tri {
	if c.Env == nil {
		c.Explain("farend has no view of the host's routes here: -m rpfilter may or may not match")
		return Maybe
	}
	pass, why := c.Env.RPFilter(c.Pkt, c.In, m.Flags&^RPInvert)
	res := pass
	if m.Flags&RPInvert != 0 {
		res = !pass
		if pass {
			why += "; the reverse-path check passes, so --invert does not match"
		} else {
			why += "; the reverse-path check fails, so --invert matches"
		}
	}
	c.Explain("rpfilter: %s", why)
	return TriOf(res)
}

func (m *RPFilterMatch) String() string {
	var b strings.Builder
	b.WriteString("-m rpfilter")
	if m.Flags&RPLoose != 0 {
		b.WriteString(" --loose")
	}
	if m.Flags&RPValidMark != 0 {
		b.WriteString(" --validmark")
	}
	if m.Flags&RPAcceptLocal != 0 {
		b.WriteString(" --accept-local")
	}
	if m.Flags&RPInvert != 0 {
		b.WriteString(" --invert")
	}
	return b.String()
}

// Check implements Checker: rpfilter_check refuses tables other than raw
// and mangle, and the match is registered for PREROUTING only.
func (m *RPFilterMatch) Check(e Entry) string {
	if e.Table != "raw" && e.Table != "mangle" {
		return "rpfilter is only valid in the raw or mangle table, not " + e.Table
	}
	return checkHooks("rpfilter", e, "", Prerouting)
}
