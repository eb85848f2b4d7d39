package netfilter

import (
	"fmt"
	"strconv"
	"strings"

	"farend/internal/packet"
)

// ProtoMatch is -p: the IP protocol (IPv4) or the upper-layer protocol
// after the extension headers (IPv6: ip6_packet_match calls
// ipv6_find_hdr). Based on ip_packet_match in
// net/ipv4/netfilter/ip_tables.c and ip6_packet_match in
// net/ipv6/netfilter/ip6_tables.c: protocol 0 (`-p all`) skips the check,
// so it matches every packet (iptables refuses `! -p all`).
//
// The zero ProtoMatch is `-p all`.
type ProtoMatch struct {
	Proto uint8
	// Name is the protocol as written or printed ("tcp", "ipv6-icmp",
	// "41"); iptables-save prints the name /etc/protocols gives the number
	// on the saving host. Empty means the printed form of Proto.
	Name   string
	Invert bool
}

// ParseProtoMatch parses the argument of -p as iptables does
// (libxtables xtables_parse_protocol): a number, "all", an /etc/protocols
// name, or one of iptables' own names (icmpv6, mh, ipv6-mh). Names are
// case-insensitive (iptables lower-cases them).
func ParseProtoMatch(s string, invert bool) (*ProtoMatch, error) {
	name := strings.ToLower(s)
	p, ok := ProtoNumber(name)
	if !ok {
		return nil, fmt.Errorf("unknown protocol %q", s)
	}
	return &ProtoMatch{Proto: p, Name: name, Invert: invert}, nil
}

// ProtoNumber resolves an iptables protocol name or number.
func ProtoNumber(name string) (uint8, bool) {
	// Only a decimal number can be one (and trying others would allocate
	// an error).
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		if n, err := strconv.ParseUint(name, 10, 8); err == nil {
			return uint8(n), true
		}
	}
	if name == "all" {
		return 0, true
	}
	if n, ok := etcProtocols[name]; ok {
		return n, true
	}
	switch name {
	case "icmpv6":
		return packet.ProtoICMPv6, true
	case "mh", "ipv6-mh":
		return 135, true
	}
	return 0, false
}

// etcProtocols is netbase's /etc/protocols (IANA protocol numbers), which
// iptables consults through getprotobyname. Note "ipip" is 94 there, not
// IPPROTO_IPIP (4, "ipencap").
var etcProtocols = map[string]uint8{
	"ip": 0, "hopopt": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "st": 5,
	"tcp": 6, "egp": 8, "igp": 9, "pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22,
	"rdp": 27, "iso-tp4": 29, "dccp": 33, "xtp": 36, "ddp": 37, "idpr-cmtp": 38,
	"ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45, "rsvp": 46,
	"gre": 47, "esp": 50, "ah": 51, "skip": 57, "ipv6-icmp": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "rspf": 73, "vmtp": 81, "eigrp": 88, "ospf": 89, "ax.25": 93,
	"ipip": 94, "etherip": 97, "encap": 98, "pim": 103, "ipcomp": 108, "vrrp": 112,
	"l2tp": 115, "isis": 124, "sctp": 132, "fc": 133, "mobility-header": 135,
	"udplite": 136, "mpls-in-ip": 137, "manet": 138, "hip": 139, "shim6": 140,
	"wesp": 141, "rohc": 142, "ethernet": 143,
}

// Match implements Match.
func (m *ProtoMatch) Match(c *Ctx) Tri {
	if m.Proto == 0 {
		return Yes
	}
	return TriOf((c.Pkt.Proto == m.Proto) != m.Invert)
}

func (m *ProtoMatch) String() string {
	name := m.Name
	if name == "" {
		name = packet.ProtoName(m.Proto, false)
	}
	return fmt.Sprintf("%s-p %s", bang(m.Invert), name)
}

// FragMatch is -f (IPv4 only): the packet is a second or later fragment
// (ip_packet_match: IPT_F_FRAG against frag_off & IP_OFFSET).
//
// The zero FragMatch is `-f`.
type FragMatch struct {
	Invert bool
}

// Match implements Match.
func (m *FragMatch) Match(c *Ctx) Tri {
	return TriOf(c.Pkt.Frag != m.Invert)
}

func (m *FragMatch) String() string { return bang(m.Invert) + "-f" }

// Check implements Checker: ip6tables has no -f.
func (m *FragMatch) Check(e Entry) string {
	if e.Family == IPv6 {
		return "ip6tables has no -f"
	}
	return ""
}
