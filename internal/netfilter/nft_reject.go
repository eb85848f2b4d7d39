package netfilter

import "farend/internal/packet"

// NFTReject is the reject statement (net/netfilter/nft_reject.c,
// nft_reject_inet.c, net/ipv4/netfilter/nft_reject_ipv4.c,
// net/ipv6/netfilter/nft_reject_ipv6.c): it sends an ICMP error or a TCP
// reset to the packet's source and drops the packet (NF_DROP).
//
// Types: `reject with icmp CODE` (IPv4), `with icmpv6 CODE` (IPv6),
// `with icmpx CODE` (either: no-route, port-unreachable,
// host-unreachable, admin-prohibited map to each family's code), `with
// tcp reset`. In an inet table nft adds a hidden `meta nfproto ipv4`
// before `with icmp` and `meta nfproto ipv6` before `with icmpv6`
// (nftables src/evaluate.c stmt_reject_gen_dependency), so the rule ends
// without a verdict for a packet of the other family; `with tcp reset`
// comes with a visible `meta l4proto tcp`.
//
// The zero NFTReject is `reject with icmpx port-unreachable` for any
// family.
type NFTReject struct {
	// Type is "icmp", "icmpv6", "icmpx" or "tcp reset".
	Type string
	// Code is the ICMP code's name ("port-unreachable").
	Code string
	// Family is the hidden dependency: IPv4 for `with icmp` and IPv6 for
	// `with icmpv6` in an inet table, FamilyUnknown otherwise.
	Family Family
	Text   string
}

func (s *NFTReject) String() string { return s.Text }

func (s *NFTReject) effect() nftEffect { return effVerdict }

// familyOK reports whether the hidden dependency holds.
func (s *NFTReject) familyOK(c *Ctx) bool {
	switch s.Family {
	case IPv4:
		return !c.Pkt.Is6()
	case IPv6:
		return c.Pkt.Is6()
	}
	return true
}

// Guard implements NFTGuarded: the hidden family dependency.
func (s *NFTReject) Guard() Match {
	if s.Family == FamilyUnknown {
		return nil
	}
	return &nftFamilyMatch{Family: s.Family}
}

// Exec implements NFTStmt.
func (s *NFTReject) Exec(c *Ctx) (Verdict, bool) {
	if !s.familyOK(c) {
		return Verdict{}, true
	}
	switch {
	case s.Type == "tcp reset" && c.Pkt.Proto != packet.ProtoTCP:
		c.Explain("%s: drops the packet; a reset is sent only for TCP", s.Text)
	case s.Type == "tcp reset":
		c.Explain("%s: drops the packet and sends a TCP reset to %s", s.Text, c.Pkt.Src)
	default:
		code := s.Code
		if code == "" {
			code = "port-unreachable"
		}
		proto := "ICMP"
		if c.Pkt.Is6() {
			proto = "ICMPv6"
		}
		c.Explain("%s: drops the packet and sends %s %s to %s (none for a non-first fragment, an ICMP error, or a broadcast/multicast)", s.Text, proto, code, c.Pkt.Src)
	}
	return Verdict{Kind: Reject}, false
}

// Apply implements Target.
func (s *NFTReject) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

// nftFamilyMatch is a dependency nft adds and does not print: `meta
// nfproto ipv4|ipv6`. It prints as "".
type nftFamilyMatch struct {
	Family Family
}

func (m *nftFamilyMatch) String() string { return "" }

// Match implements Match.
func (m *nftFamilyMatch) Match(c *Ctx) Tri {
	return TriOf(c.Pkt.Is6() == (m.Family == IPv6))
}
