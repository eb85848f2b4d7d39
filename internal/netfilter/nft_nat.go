package netfilter

import (
	"fmt"
	"strings"
)

// NFTNATArg is the address or the port part of a nat statement: a fixed
// value or range (Lo..Hi, Lo == Hi for one value), or a lookup of Key in
// Map (`dnat to ip daddr map @m`). The zero NFTNATArg is absent.
type NFTNATArg struct {
	Set    bool
	Lo, Hi NFTValue
	Key    []NFTExpr
	Map    *NFTSet
}

// NFTNAT is snat, dnat, masquerade or redirect (net/netfilter/nft_nat.c,
// nft_masq.c, nft_redir.c). It builds the nf_nat_range2 and does what
// the x_tables targets do (NATTarget: nf_nat_setup_info, the masquerade
// source choice, redirect to the host), returning NF_ACCEPT (or NF_DROP
// when masquerade or redirect find no address).
//
//   - `dnat ip to ...` in an inet table applies to IPv4 packets only
//     (nft_nat_inet_eval: a packet of the other family goes on with the
//     rule, no verdict);
//   - an address or port taken from a map ends the rule when the map has
//     no element for the key (the lookup breaks); a map whose value is
//     `addr . port` gives both;
//   - a prefix (`1.2.3.4/31`) is the range of its addresses;
//   - flags random, fully-random and persistent are those of the
//     x_tables targets.
//
// The zero NFTNAT is a dnat with no address (it changes nothing).
type NFTNAT struct {
	// Kind is "snat", "dnat", "masquerade" or "redirect".
	Kind string
	// Family is the `ip`/`ip6` of the statement in an inet table;
	// FamilyUnknown otherwise.
	Family     Family
	Addr, Port NFTNATArg
	Flags      []string
	Text       string
}

func (s *NFTNAT) String() string { return s.Text }

func (s *NFTNAT) effect() nftEffect { return effVerdict }

// Guard implements NFTGuarded: the map lookups must find an element.
func (s *NFTNAT) Guard() Match {
	var ms []Match
	for _, a := range []NFTNATArg{s.Addr, s.Port} {
		if a.Map != nil {
			ms = append(ms, &NFTMapHit{Key: a.Key, Map: a.Map, Text: s.Text})
		}
	}
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	return nftAllOf(ms)
}

// nftAllOf holds when all its matches do.
type nftAllOf []Match

func (m nftAllOf) String() string { return "" }

// Match implements Match.
func (m nftAllOf) Match(c *Ctx) Tri {
	res := Yes
	for _, x := range m {
		switch x.Match(c) {
		case No:
			return No
		case Maybe:
			res = Maybe
		}
	}
	return res
}

func (s *NFTNAT) hasFlag(f string) bool {
	for _, x := range s.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// Apply implements Target.
func (s *NFTNAT) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

// Exec implements NFTStmt.
func (s *NFTNAT) Exec(c *Ctx) (Verdict, bool) {
	v6 := c.Pkt.Is6()
	if s.Family != FamilyUnknown && (s.Family == IPv6) != v6 {
		c.Explain("%s: applies to %s packets only; this one goes on with the rule", s.Text, s.Family)
		return Verdict{}, false
	}
	t := &NATTarget{Kind: strings.ToUpper(s.Kind), V6: v6}
	t.Random = s.hasFlag("random")
	t.RandomFully = s.hasFlag("fully-random")
	t.Persistent = s.hasFlag("persistent")
	var port *NFTValue
	if s.Addr.Map != nil {
		e, r, why := mapLookup(c, s.Addr.Key, s.Addr.Map)
		switch r {
		case No:
			return Verdict{}, true
		case Maybe:
			c.Explain("%s: farend cannot tell which element of %s applies: %s", s.Text, s.Addr.Map, why)
			return Verdict{Kind: Unknown}, false
		}
		if len(e.Data) == 0 || !e.Data[0].Addr.IsValid() {
			c.Explain("%s: the element %s has no address", s.Text, e.Text)
			return Verdict{Kind: Unknown}, false
		}
		t.Range.MinAddr, t.Range.MaxAddr = e.Data[0].Addr, e.Data[0].Addr
		if len(e.Data) > 1 {
			port = &e.Data[1]
		}
	} else if s.Addr.Set {
		if !s.Addr.Lo.Addr.IsValid() || s.Addr.Lo.Addr.Is6() != v6 {
			c.Explain("%s: the address is not of the packet's family", s.Text)
			return Verdict{Kind: Unknown}, false
		}
		t.Range.MinAddr, t.Range.MaxAddr = s.Addr.Lo.Addr, s.Addr.Hi.Addr
	}
	switch {
	case s.Port.Map != nil:
		e, r, why := mapLookup(c, s.Port.Key, s.Port.Map)
		switch r {
		case No:
			return Verdict{}, true
		case Maybe:
			c.Explain("%s: farend cannot tell which element of %s applies: %s", s.Text, s.Port.Map, why)
			return Verdict{Kind: Unknown}, false
		}
		if len(e.Data) > 0 {
			port = &e.Data[0]
		}
		if port != nil {
			t.Range.HasPorts, t.Range.MinPort, t.Range.MaxPort = true, uint16(port.Num), uint16(port.Num)
		}
	case s.Port.Set:
		t.Range.HasPorts, t.Range.MinPort, t.Range.MaxPort = true, uint16(s.Port.Lo.Num), uint16(s.Port.Hi.Num)
	case port != nil:
		t.Range.HasPorts, t.Range.MinPort, t.Range.MaxPort = true, uint16(port.Num), uint16(port.Num)
	}
	if (t.Kind == "SNAT" || t.Kind == "DNAT") && !t.Range.MinAddr.IsValid() && !t.Range.HasPorts {
		c.Explain("%s: no address or port to translate to", s.Text)
		return Verdict{Kind: Unknown}, false
	}
	before := len(c.NAT)
	v := t.Apply(c)
	if len(c.NAT) > before {
		c.NAT[len(c.NAT)-1].Explain = fmt.Sprintf("%s (%s)", c.NAT[len(c.NAT)-1].Explain, s.Text)
	}
	return v, false
}
