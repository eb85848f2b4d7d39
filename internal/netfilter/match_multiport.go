package netfilter

import (
	"fmt"
	"strings"

	"farend/internal/packet"
)

// MultiportDir says which port `-m multiport` compares.
type MultiportDir uint8

// Multiport directions (XT_MULTIPORT_SOURCE, _DESTINATION, _EITHER).
const (
	MultiportSource MultiportDir = iota
	MultiportDest
	MultiportEither
)

// MultiportMatch is `-m multiport --sports/--dports/--ports`, based on
// net/netfilter/xt_multiport.c (revision 1, which iptables-save prints):
// a non-first fragment never matches; otherwise the first port or range
// that contains the port decides, and the result is inverted by `!`.
// --ports matches when either the source or the destination port is in
// the list. At most 15 ports (a range counts as two).
//
// The zero MultiportMatch has no ports and matches nothing.
type MultiportMatch struct {
	Dir MultiportDir
	// Ports are the ports and ranges as written; Lo == Hi for one port.
	Ports  []PortMatch
	Invert bool
}

var multiportProtos = []uint8{packet.ProtoTCP, packet.ProtoUDP, packet.ProtoUDPLite, packet.ProtoSCTP, 33}

func parseMultiport(fam Family, a *Args) (Match, error) {
	var m *MultiportMatch
	arity := func(o string) int {
		switch o {
		case "--sports", "--source-ports", "--dports", "--destination-ports", "--ports":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if m != nil {
			return fmt.Errorf("multiport takes only one of --sports, --dports, --ports")
		}
		m = &MultiportMatch{Invert: o.Neg}
		switch o.Name {
		case "--dports", "--destination-ports":
			m.Dir = MultiportDest
		case "--ports":
			m.Dir = MultiportEither
		}
		n := 0
		for _, w := range strings.Split(o.Arg(), ",") {
			lo, hi, err := parsePortRange(w)
			if err != nil {
				return err
			}
			if strings.Contains(w, ":") && lo >= hi {
				return fmt.Errorf("invalid port range %q", w)
			}
			n++
			if lo != hi {
				n++
			}
			m.Ports = append(m.Ports, PortMatch{Set: true, Lo: lo, Hi: hi})
		}
		if n > 15 {
			return fmt.Errorf("too many ports in %q (at most 15)", o.Arg())
		}
		return nil
	})
	if err == nil && m == nil {
		err = fmt.Errorf("multiport needs --sports, --dports or --ports")
	}
	return m, err
}

// Match implements Match.
func (m *MultiportMatch) Match(c *Ctx) Tri {
	ok := false
	for _, p := range multiportProtos {
		if c.Pkt.Proto == p {
			ok = true
		}
	}
	if !ok {
		return No
	}
	if c.Pkt.Frag {
		c.Explain("a non-first fragment has no ports: -m multiport never matches it")
		return No
	}
	for _, p := range m.Ports {
		in := func(x uint16) bool { return x >= p.Lo && x <= p.Hi }
		var hit bool
		switch m.Dir {
		case MultiportSource:
			hit = in(c.Pkt.SPort)
		case MultiportDest:
			hit = in(c.Pkt.DPort)
		default:
			hit = in(c.Pkt.SPort) || in(c.Pkt.DPort)
		}
		if hit {
			return TriOf(!m.Invert)
		}
	}
	return TriOf(m.Invert)
}

func (m *MultiportMatch) String() string {
	opt := "--sports"
	switch m.Dir {
	case MultiportDest:
		opt = "--dports"
	case MultiportEither:
		opt = "--ports"
	}
	ps := make([]string, len(m.Ports))
	for i, p := range m.Ports {
		ps[i] = p.rangeString()
	}
	return fmt.Sprintf("-m multiport %s%s %s", bang(m.Invert), opt, strings.Join(ps, ","))
}

// Check implements Checker: xt_multiport's checkentry needs -p tcp, udp,
// udplite, sctp or dccp, not negated.
func (m *MultiportMatch) Check(e Entry) string {
	return checkProto("-m multiport", e, multiportProtos...)
}
