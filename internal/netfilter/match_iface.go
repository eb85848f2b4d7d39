package netfilter

import (
	"fmt"
	"strings"
)

// IfaceMatch is -i / -o: the input or output interface name, exactly or,
// with a trailing "+", as a prefix. Based on ip_packet_match in
// net/ipv4/netfilter/ip_tables.c (and ip6_packet_match): the kernel
// compares the device name under a mask (ifname_compare_aligned); a hook
// without that device compares against an all-zero name, so `-o eth0`
// does not match in PREROUTING and `! -o eth0` does. A bare "+" has an
// empty mask and matches everything, even no device.
//
// The zero IfaceMatch is `-i` with an empty name: it matches only when
// there is no input device.
type IfaceMatch struct {
	// Out is true for -o, false for -i.
	Out bool
	// Name is the name as written, "eth+" for a prefix.
	Name   string
	Invert bool
}

// ParseIfaceMatch parses the argument of -i or -o. Names longer than
// IFNAMSIZ-1 (15) bytes are refused, as iptables does.
func ParseIfaceMatch(s string, out, invert bool) (*IfaceMatch, error) {
	if s == "" || len(s) > 15 {
		return nil, fmt.Errorf("invalid interface name %q", s)
	}
	return &IfaceMatch{Out: out, Name: s, Invert: invert}, nil
}

// Matches reports whether dev matches the name (ignoring Invert).
func (m *IfaceMatch) Matches(dev string) bool {
	if p, ok := strings.CutSuffix(m.Name, "+"); ok {
		return strings.HasPrefix(dev, p)
	}
	return dev == m.Name
}

// Match implements Match.
func (m *IfaceMatch) Match(c *Ctx) Tri {
	dev, dir := c.In, "input"
	if m.Out {
		dev, dir = c.Out, "output"
	}
	r := m.Matches(dev) != m.Invert
	if dev == "" && r {
		c.Explain("%s has no %s interface: the kernel compares %s against an empty name (%s)", c.Hook, dir, m.Name, TriOf(r))
	}
	return TriOf(r)
}

func (m *IfaceMatch) String() string {
	opt := "-i"
	if m.Out {
		opt = "-o"
	}
	return fmt.Sprintf("%s%s %s", bang(m.Invert), opt, m.Name)
}

// Check implements Checker: iptables refuses -o in the built-in chains
// PREROUTING and INPUT and -i in OUTPUT and POSTROUTING (iptables
// xshared.c: "Can't use -o with INPUT"). User chains are not checked.
func (m *IfaceMatch) Check(e Entry) string {
	if !e.Builtin {
		return ""
	}
	if m.Out && (e.Chain == "PREROUTING" || e.Chain == "INPUT") {
		return fmt.Sprintf("iptables refuses -o in %s", e.Chain)
	}
	if !m.Out && (e.Chain == "OUTPUT" || e.Chain == "POSTROUTING") {
		return fmt.Sprintf("iptables refuses -i in %s", e.Chain)
	}
	return ""
}
