package packet

import (
	"fmt"
	"strconv"
	"strings"
)

// protoNames maps the names iptables and /etc/protocols use to numbers.
// iptables accepts the /etc/protocols names plus "all", "icmpv6" and
// "ipv6-icmp" (iptables libxtables xtables_parse_protocol and the
// xtables_chain_protos table).
var protoNames = map[string]uint8{
	"icmp":      ProtoICMP,
	"igmp":      2,
	"ipencap":   4,
	"ipip":      4,
	"tcp":       ProtoTCP,
	"egp":       8,
	"udp":       ProtoUDP,
	"ipv6":      ProtoIPv6,
	"gre":       ProtoGRE,
	"esp":       ProtoESP,
	"ah":        ProtoAH,
	"icmpv6":    ProtoICMPv6,
	"ipv6-icmp": ProtoICMPv6,
	"ospf":      89,
	"vrrp":      112,
	"l2tp":      115,
	"sctp":      ProtoSCTP,
	"udplite":   ProtoUDPLite,
	"mh":        135,
	"ipv6-mh":   135,
	"dccp":      33,
	"pim":       103,
}

// ParseProto parses a protocol name or number. "all" and "0" yield 0.
func ParseProto(s string) (uint8, error) {
	s = strings.ToLower(s)
	if s == "all" {
		return 0, nil
	}
	if n, ok := protoNames[s]; ok {
		return n, nil
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("packet: unknown protocol %q", s)
	}
	return uint8(n), nil
}

// ProtoName prints a protocol number the way iptables-save prints it
// (lower-case name where one is known, else the number).
func ProtoName(p uint8, v6 bool) string {
	switch p {
	case 0:
		return "all"
	case ProtoICMP:
		return "icmp"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoIPv6:
		return "ipv6"
	case ProtoGRE:
		return "gre"
	case ProtoESP:
		return "esp"
	case ProtoAH:
		return "ah"
	case ProtoICMPv6:
		return "ipv6-icmp"
	case ProtoSCTP:
		return "sctp"
	case ProtoUDPLite:
		return "udplite"
	case 89:
		return "ospf"
	}
	return strconv.Itoa(int(p))
}
