package packet

import (
	"fmt"
	"strconv"
	"strings"
)

// ICMPName is an ICMP or ICMPv6 type (and code, where the name implies
// one) as iptables names it (iptables extensions/libxt_icmp.c and
// libip6t_icmp6.c name tables; RFC 792 and RFC 4443 numbers).
type ICMPName struct {
	Name    string
	Type    uint8
	Code    uint8
	HasCode bool
}

// ICMPNames are the ICMP (IPv4) names.
var ICMPNames = []ICMPName{
	{"any", 255, 0, false},
	{"echo-reply", 0, 0, false},
	{"destination-unreachable", 3, 0, false},
	{"network-unreachable", 3, 0, true},
	{"host-unreachable", 3, 1, true},
	{"protocol-unreachable", 3, 2, true},
	{"port-unreachable", 3, 3, true},
	{"fragmentation-needed", 3, 4, true},
	{"source-route-failed", 3, 5, true},
	{"network-unknown", 3, 6, true},
	{"host-unknown", 3, 7, true},
	{"network-prohibited", 3, 9, true},
	{"host-prohibited", 3, 10, true},
	{"TOS-network-unreachable", 3, 11, true},
	{"TOS-host-unreachable", 3, 12, true},
	{"communication-prohibited", 3, 13, true},
	{"host-precedence-violation", 3, 14, true},
	{"precedence-cutoff", 3, 15, true},
	{"source-quench", 4, 0, false},
	{"redirect", 5, 0, false},
	{"network-redirect", 5, 0, true},
	{"host-redirect", 5, 1, true},
	{"TOS-network-redirect", 5, 2, true},
	{"TOS-host-redirect", 5, 3, true},
	{"echo-request", 8, 0, false},
	{"router-advertisement", 9, 0, false},
	{"router-solicitation", 10, 0, false},
	{"time-exceeded", 11, 0, false},
	{"ttl-zero-during-transit", 11, 0, true},
	{"ttl-zero-during-reassembly", 11, 1, true},
	{"parameter-problem", 12, 0, false},
	{"ip-header-bad", 12, 0, true},
	{"required-option-missing", 12, 1, true},
	{"timestamp-request", 13, 0, false},
	{"timestamp-reply", 14, 0, false},
	{"address-mask-request", 17, 0, false},
	{"address-mask-reply", 18, 0, false},
}

// ICMPv6Names are the ICMPv6 names.
var ICMPv6Names = []ICMPName{
	{"destination-unreachable", 1, 0, false},
	{"no-route", 1, 0, true},
	{"communication-prohibited", 1, 1, true},
	{"beyond-scope", 1, 2, true},
	{"address-unreachable", 1, 3, true},
	{"port-unreachable", 1, 4, true},
	{"failed-policy", 1, 5, true},
	{"reject-route", 1, 6, true},
	{"packet-too-big", 2, 0, false},
	{"time-exceeded", 3, 0, false},
	{"ttl-zero-during-transit", 3, 0, true},
	{"ttl-zero-during-reassembly", 3, 1, true},
	{"parameter-problem", 4, 0, false},
	{"bad-header", 4, 0, true},
	{"unknown-header-type", 4, 1, true},
	{"unknown-option", 4, 2, true},
	{"echo-request", 128, 0, false},
	{"echo-reply", 129, 0, false},
	{"router-solicitation", 133, 0, false},
	{"router-advertisement", 134, 0, false},
	{"neighbour-solicitation", 135, 0, false},
	{"neighbor-solicitation", 135, 0, false},
	{"neighbour-advertisement", 136, 0, false},
	{"neighbor-advertisement", 136, 0, false},
	{"redirect", 137, 0, false},
}

// ParseICMPType parses a name ("echo-request"), a number ("8") or
// "type/code" ("3/1") for the family.
func ParseICMPType(s string, v6 bool) (ICMPName, error) {
	names := ICMPNames
	if v6 {
		names = ICMPv6Names
	}
	for _, n := range names {
		if strings.EqualFold(n.Name, s) {
			return n, nil
		}
	}
	t, c, hasCode := strings.Cut(s, "/")
	tn, err := strconv.ParseUint(t, 10, 8)
	if err != nil {
		return ICMPName{}, fmt.Errorf("packet: unknown ICMP type %q", s)
	}
	out := ICMPName{Name: s, Type: uint8(tn)}
	if hasCode {
		cn, err := strconv.ParseUint(c, 10, 8)
		if err != nil {
			return ICMPName{}, fmt.Errorf("packet: bad ICMP code in %q", s)
		}
		out.Code, out.HasCode = uint8(cn), true
	}
	return out, nil
}
