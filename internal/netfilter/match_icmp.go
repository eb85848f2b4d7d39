package netfilter

import (
	"fmt"
	"strings"

	"farend/internal/packet"
)

// ICMPMatch is `-m icmp --icmp-type` (IPv4) and `-m icmp6 --icmpv6-type`
// (IPv6). Based on icmp_match in net/ipv4/netfilter/ip_tables.c and
// icmp6_match in net/ipv6/netfilter/ip6_tables.c: a non-first fragment
// never matches; otherwise (type == Type && CodeMin <= code <= CodeMax),
// inverted by `!`. For IPv4 type 0xff is "any" and matches every ICMP
// packet; IPv6 has no "any".
//
// The zero ICMPMatch is `--icmp-type 0/0` (IPv4 echo-reply code 0).
type ICMPMatch struct {
	V6               bool
	Type             uint8
	CodeMin, CodeMax uint8
	Invert           bool
}

type icmpName struct {
	name        string
	typ, lo, hi uint8
}

// icmpNames is iptables' libxt_icmp table of ICMP type names.
var icmpNames = []icmpName{
	{"any", 0xff, 0, 0xff},
	{"echo-reply", 0, 0, 0xff}, {"pong", 0, 0, 0xff},
	{"destination-unreachable", 3, 0, 0xff},
	{"network-unreachable", 3, 0, 0}, {"host-unreachable", 3, 1, 1},
	{"protocol-unreachable", 3, 2, 2}, {"port-unreachable", 3, 3, 3},
	{"fragmentation-needed", 3, 4, 4}, {"source-route-failed", 3, 5, 5},
	{"network-unknown", 3, 6, 6}, {"host-unknown", 3, 7, 7},
	{"network-prohibited", 3, 9, 9}, {"host-prohibited", 3, 10, 10},
	{"TOS-network-unreachable", 3, 11, 11}, {"TOS-host-unreachable", 3, 12, 12},
	{"communication-prohibited", 3, 13, 13}, {"host-precedence-violation", 3, 14, 14},
	{"precedence-cutoff", 3, 15, 15},
	{"source-quench", 4, 0, 0xff},
	{"redirect", 5, 0, 0xff}, {"network-redirect", 5, 0, 0}, {"host-redirect", 5, 1, 1},
	{"TOS-network-redirect", 5, 2, 2}, {"TOS-host-redirect", 5, 3, 3},
	{"echo-request", 8, 0, 0xff}, {"ping", 8, 0, 0xff},
	{"router-advertisement", 9, 0, 0xff}, {"router-solicitation", 10, 0, 0xff},
	{"time-exceeded", 11, 0, 0xff}, {"ttl-exceeded", 11, 0, 0xff},
	{"ttl-zero-during-transit", 11, 0, 0}, {"ttl-zero-during-reassembly", 11, 1, 1},
	{"parameter-problem", 12, 0, 0xff}, {"ip-header-bad", 12, 0, 0},
	{"required-option-missing", 12, 1, 1},
	{"timestamp-request", 13, 0, 0xff}, {"timestamp-reply", 14, 0, 0xff},
	{"address-mask-request", 17, 0, 0xff}, {"address-mask-reply", 18, 0, 0xff},
}

// icmp6Names is iptables' libip6t_icmp6 table of ICMPv6 type names.
var icmp6Names = []icmpName{
	{"destination-unreachable", 1, 0, 0xff},
	{"no-route", 1, 0, 0}, {"communication-prohibited", 1, 1, 1},
	{"beyond-scope", 1, 2, 2}, {"address-unreachable", 1, 3, 3},
	{"port-unreachable", 1, 4, 4}, {"failed-policy", 1, 5, 5}, {"reject-route", 1, 6, 6},
	{"packet-too-big", 2, 0, 0xff},
	{"time-exceeded", 3, 0, 0xff}, {"ttl-exceeded", 3, 0, 0xff},
	{"ttl-zero-during-transit", 3, 0, 0}, {"ttl-zero-during-reassembly", 3, 1, 1},
	{"parameter-problem", 4, 0, 0xff}, {"bad-header", 4, 0, 0},
	{"unknown-header-type", 4, 1, 1}, {"unknown-option", 4, 2, 2},
	{"echo-request", 128, 0, 0xff}, {"ping", 128, 0, 0xff},
	{"echo-reply", 129, 0, 0xff}, {"pong", 129, 0, 0xff},
	{"router-solicitation", 133, 0, 0xff}, {"router-advertisement", 134, 0, 0xff},
	{"neighbour-solicitation", 135, 0, 0xff}, {"neighbor-solicitation", 135, 0, 0xff},
	{"neighbour-advertisement", 136, 0, 0xff}, {"neighbor-advertisement", 136, 0, 0xff},
	{"redirect", 137, 0, 0xff},
}

// parseICMPType parses "name", "type" or "type/code" (libxt_icmp
// parse_icmp: names are matched case-insensitively, a prefix is enough
// when it is unique; a number without a code means every code).
func parseICMPType(s string, names []icmpName) (typ, lo, hi uint8, err error) {
	var hit *icmpName
	for i := range names {
		n := &names[i]
		if strings.EqualFold(n.name, s) {
			hit = n
			break
		}
		if len(s) > 0 && len(s) < len(n.name) && strings.EqualFold(n.name[:len(s)], s) {
			if hit != nil && (hit.typ != n.typ || hit.lo != n.lo || hit.hi != n.hi) {
				return 0, 0, 0, fmt.Errorf("ambiguous ICMP type name %q", s)
			}
			hit = n
		}
	}
	if hit != nil {
		return hit.typ, hit.lo, hit.hi, nil
	}
	t, c, hasCode := strings.Cut(s, "/")
	n, err := parseUint(t, 255)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("invalid ICMP type %q", s)
	}
	if !hasCode {
		return uint8(n), 0, 0xff, nil
	}
	k, err := parseUint(c, 255)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("invalid ICMP code %q", s)
	}
	return uint8(n), uint8(k), uint8(k), nil
}

func parseICMP(fam Family, a *Args) (Match, error) { return parseICMPx(a, false) }

func parseICMP6(fam Family, a *Args) (Match, error) { return parseICMPx(a, true) }

func parseICMPx(a *Args, v6 bool) (Match, error) {
	var m *ICMPMatch
	opt, names := "--icmp-type", icmpNames
	if v6 {
		opt, names = "--icmpv6-type", icmp6Names
	}
	arity := func(o string) int {
		if o == opt {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if m != nil {
			return fmt.Errorf("only one %s allowed", opt)
		}
		t, lo, hi, err := parseICMPType(o.Arg(), names)
		if err != nil {
			return err
		}
		m = &ICMPMatch{V6: v6, Type: t, CodeMin: lo, CodeMax: hi, Invert: o.Neg}
		return nil
	})
	if err == nil && m == nil {
		// A bare -m icmp is type any (libxt_icmp init); icmp6 has none.
		m = &ICMPMatch{V6: v6, Type: 0xff, CodeMax: 0xff}
		if v6 {
			err = fmt.Errorf("-m icmp6 needs --icmpv6-type")
		}
	}
	return m, err
}

// Match implements Match.
func (m *ICMPMatch) Match(c *Ctx) Tri {
	want := packet.ProtoICMP
	if m.V6 {
		want = packet.ProtoICMPv6
	}
	if c.Pkt.Proto != want {
		return No
	}
	if c.Pkt.Frag {
		c.Explain("a non-first fragment has no ICMP header: the icmp match never matches it")
		return No
	}
	hit := c.Pkt.ICMPType == m.Type && c.Pkt.ICMPCode >= m.CodeMin && c.Pkt.ICMPCode <= m.CodeMax
	if !m.V6 && m.Type == 0xff {
		hit = true
	}
	return TriOf(hit != m.Invert)
}

func (m *ICMPMatch) String() string {
	if m.V6 {
		s := fmt.Sprintf("-m icmp6 %s--icmpv6-type %d", bang(m.Invert), m.Type)
		if m.CodeMin != 0 || m.CodeMax != 0xff {
			s += fmt.Sprintf("/%d", m.CodeMin)
		}
		return s
	}
	if m.Type == 0xff {
		return fmt.Sprintf("-m icmp %s--icmp-type any", bang(m.Invert))
	}
	s := fmt.Sprintf("-m icmp %s--icmp-type %d", bang(m.Invert), m.Type)
	if m.CodeMin != 0 || m.CodeMax != 0xff {
		s += fmt.Sprintf("/%d", m.CodeMin)
	}
	return s
}

// Check implements Checker: the icmp match is registered with .proto =
// IPPROTO_ICMP (icmp6 with IPPROTO_ICMPV6) and only for its family.
func (m *ICMPMatch) Check(e Entry) string {
	if m.V6 {
		if e.Family != IPv6 {
			return "-m icmp6 is IPv6 only"
		}
		return checkProto("-m icmp6", e, packet.ProtoICMPv6)
	}
	if e.Family != IPv4 {
		return "-m icmp is IPv4 only"
	}
	return checkProto("-m icmp", e, packet.ProtoICMP)
}

// ParseICMPType parses an ICMP (v6 false) or ICMPv6 type as iptables
// names them ("echo-request", "8", "3/1") for building a packet: the code
// is the lowest the name covers.
func ParseICMPType(s string, v6 bool) (typ, code uint8, err error) {
	names := icmpNames
	if v6 {
		names = icmp6Names
	}
	t, lo, _, err := parseICMPType(s, names)
	return t, lo, err
}
