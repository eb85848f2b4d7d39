package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// AddrTypeMatch is `-m addrtype`, based on net/netfilter/xt_addrtype.c
// (revision 1). --src-type and --dst-type each list route types; with
// --limit-iface-in (--limit-iface-out) the lookup is limited to the input
// (output) device.
//
// IPv4 (addrtype_mt_v1, match_type): the address has one type,
// inet_dev_addr_type's, and matches when it is in the list.
// IPv6 (match_type6): MULTICAST, UNICAST and UNSPEC in the list must each
// hold for the address itself (all of them); then, if LOCAL, ANYCAST or
// UNREACHABLE are in the list, a route lookup must give one of them.
// The environment (c.Env.AddrType) answers the lookups.
//
// The zero AddrTypeMatch has no types and matches every packet.
type AddrTypeMatch struct {
	Src, Dst          AddrType
	InvSrc, InvDst    bool
	LimitIn, LimitOut bool
}

var addrTypeNames = []string{
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
}

// ParseAddrType parses a comma list of xt_addrtype type names
// (case-insensitive, as libxt_addrtype).
func ParseAddrType(s string) (AddrType, error) {
	var t AddrType
	for _, w := range strings.Split(s, ",") {
		found := false
		for i, n := range addrTypeNames {
			if strings.EqualFold(w, n) {
				t |= 1 << i
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown address type %q", w)
		}
	}
	return t, nil
}

func (t AddrType) String() string {
	var parts []string
	for i, n := range addrTypeNames {
		if t&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

func parseAddrType(fam Family, a *Args) (Match, error) {
	m := &AddrTypeMatch{}
	arity := func(o string) int {
		switch o {
		case "--src-type", "--dst-type":
			return 1
		case "--limit-iface-in", "--limit-iface-out":
			return 0
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--src-type", "--dst-type":
			t, err := ParseAddrType(o.Arg())
			if err != nil {
				return err
			}
			if o.Name == "--src-type" {
				m.Src, m.InvSrc = t, o.Neg
			} else {
				m.Dst, m.InvDst = t, o.Neg
			}
		case "--limit-iface-in":
			m.LimitIn = true
			return noNeg(o)
		case "--limit-iface-out":
			m.LimitOut = true
			return noNeg(o)
		}
		return nil
	})
	if err == nil && m.LimitIn && m.LimitOut {
		err = fmt.Errorf("--limit-iface-in and --limit-iface-out cannot both be given")
	}
	return m, err
}

// Match implements Match.
func (m *AddrTypeMatch) Match(c *Ctx) Tri {
	if c.Env == nil {
		c.Explain("farend has no view of the host's addresses here: -m addrtype may or may not match")
		return Maybe
	}
	dev := ""
	if m.LimitIn {
		dev = c.In
	} else if m.LimitOut {
		dev = c.Out
	}
	if m.Src != 0 && m.typeMatch(c, c.Pkt.Src, dev, m.Src, "source") == m.InvSrc {
		return No
	}
	if m.Dst != 0 && m.typeMatch(c, c.Pkt.Dst, dev, m.Dst, "destination") == m.InvDst {
		return No
	}
	return Yes
}

func (m *AddrTypeMatch) typeMatch(c *Ctx, a netip.Addr, dev string, want AddrType, what string) bool {
	on := ""
	if dev != "" {
		on = " on " + dev
	}
	if !a.Is6() {
		got := c.Env.AddrType(a, dev, want)
		c.Explain("%s %s is %s%s (wanted %s%s)", what, a, got, on, bang(m.inv(what)), want)
		return got&want != 0
	}
	// match_type6: the address's own kind first, all of them must hold.
	switch {
	case want&AddrMulticast != 0 && !a.IsMulticast(),
		want&AddrUnicast != 0 && (a.IsMulticast() || a.IsUnspecified()),
		want&AddrUnspec != 0 && !a.IsUnspecified():
		c.Explain("%s %s is not %s (IPv6: each of MULTICAST, UNICAST, UNSPEC asked must hold)", what, a, want&(AddrMulticast|AddrUnicast|AddrUnspec))
		return false
	}
	look := want & (AddrLocal | AddrAnycast | AddrUnreachable)
	if look == 0 {
		return true
	}
	got := c.Env.AddrType(a, dev, look)
	c.Explain("%s %s is %s%s (wanted %s%s)", what, a, got&(AddrLocal|AddrAnycast|AddrUnreachable|AddrUnicast|AddrMulticast), on, bang(m.inv(what)), want)
	return got&look != 0
}

func (m *AddrTypeMatch) inv(what string) bool {
	if what == "source" {
		return m.InvSrc
	}
	return m.InvDst
}

func (m *AddrTypeMatch) String() string {
	var b strings.Builder
	b.WriteString("-m addrtype")
	if m.Src != 0 {
		fmt.Fprintf(&b, " %s--src-type %s", bang(m.InvSrc), m.Src)
	}
	if m.Dst != 0 {
		fmt.Fprintf(&b, " %s--dst-type %s", bang(m.InvDst), m.Dst)
	}
	if m.LimitIn {
		b.WriteString(" --limit-iface-in")
	}
	if m.LimitOut {
		b.WriteString(" --limit-iface-out")
	}
	return b.String()
}

// Check implements Checker (addrtype_mt_checkentry_v1).
func (m *AddrTypeMatch) Check(e Entry) string {
	for _, h := range e.Hooks {
		if m.LimitOut && (h == Prerouting || h == Input) {
			return "addrtype: output interface limitation not valid in PREROUTING and INPUT"
		}
		if m.LimitIn && (h == Postrouting || h == Output) {
			return "addrtype: input interface limitation not valid in POSTROUTING and OUTPUT"
		}
	}
	if e.Family == IPv6 {
		all := m.Src | m.Dst
		switch {
		case all&AddrBlackhole != 0:
			return "addrtype: ipv6 BLACKHOLE matching not supported"
		case all >= AddrProhibit:
			return "addrtype: ipv6 PROHIBIT (THROW, NAT ..) matching not supported"
		case all&AddrBroadcast != 0:
			return "addrtype: ipv6 does not support BROADCAST matching"
		}
	}
	return ""
}
