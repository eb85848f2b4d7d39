package netfilter

import (
	"fmt"
	"strings"

	"farend/internal/packet"
)

// PortMatch is one port condition (--sport, --dport ...): Lo..Hi, maybe
// negated. The zero PortMatch is unset and matches every port.
type PortMatch struct {
	Set    bool
	Lo, Hi uint16
	Invert bool
}

// Matches reports whether port p satisfies the condition (port_match in
// net/netfilter/xt_tcpudp.c: (p >= min && p <= max) ^ invert).
func (m PortMatch) Matches(p uint16) bool {
	if !m.Set {
		return true
	}
	return (p >= m.Lo && p <= m.Hi) != m.Invert
}

// rangeString prints "a" or "a:b" as iptables-save does.
func (m PortMatch) rangeString() string {
	if m.Lo == m.Hi {
		return fmt.Sprint(m.Lo)
	}
	return fmt.Sprintf("%d:%d", m.Lo, m.Hi)
}

// parsePortRange parses "a", "a:b", ":b" or "a:" (libxt_tcp
// parse_tcp_ports: an open end is 0 or 65535; min > max is refused).
func parsePortRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, ":")
	if !isRange {
		p, err := parsePort(s)
		return p, p, err
	}
	lo, hi = 0, 0xffff
	if a != "" {
		if lo, err = parsePort(a); err != nil {
			return 0, 0, err
		}
	}
	if b != "" {
		if hi, err = parsePort(b); err != nil {
			return 0, 0, err
		}
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("invalid port range %q (min > max)", s)
	}
	return lo, hi, nil
}

// parsePort parses a port number or a common service name
// (xtables_parse_port looks names up in /etc/services; iptables-save
// always prints numbers).
func parsePort(s string) (uint16, error) {
	if n, err := parseUint(s, 0xffff); err == nil {
		return uint16(n), nil
	}
	if p, ok := services[strings.ToLower(s)]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("invalid port %q", s)
}

// services are the /etc/services names most often written in rules.
var services = map[string]uint16{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
	"bootps": 67, "bootpc": 68, "tftp": 69, "http": 80, "www": 80, "kerberos": 88,
	"pop3": 110, "sunrpc": 111, "ntp": 123, "netbios-ns": 137, "netbios-dgm": 138,
	"netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161, "snmp-trap": 162,
	"bgp": 179, "ldap": 389, "https": 443, "microsoft-ds": 445, "isakmp": 500,
	"syslog": 514, "submission": 587, "dhcpv6-client": 546, "dhcpv6-server": 547,
	"ldaps": 636, "imaps": 993, "pop3s": 995, "openvpn": 1194, "mysql": 3306,
	"ipsec-nat-t": 4500, "postgresql": 5432, "http-alt": 8080,
}

// TCPMatch is `-m tcp` (and `-m udp`, `-m udplite` with UDP set), based on
// net/netfilter/xt_tcpudp.c tcp_mt / udp_mt: a non-first fragment never
// matches (whatever the negations), then source port, destination port,
// (TCP) flags under a mask, and the presence of a TCP option.
//
// The zero TCPMatch is a bare `-m tcp`: it matches every TCP packet that
// is not a non-first fragment.
type TCPMatch struct {
	// Module is "tcp", "udp" or "udplite"; "" means "tcp".
	Module       string
	SPort, DPort PortMatch
	// FlagMask and FlagComp are --tcp-flags: (flags & mask) == comp.
	FlagMask, FlagComp uint8
	HasFlags, InvFlags bool
	// Option is --tcp-option: the TCP header carries option kind Option.
	Option               uint8
	HasOption, InvOption bool
}

func (m *TCPMatch) module() string {
	if m.Module == "" {
		return "tcp"
	}
	return m.Module
}

func (m *TCPMatch) proto() uint8 {
	switch m.module() {
	case "udp":
		return packet.ProtoUDP
	case "udplite":
		return packet.ProtoUDPLite
	}
	return packet.ProtoTCP
}

// tcpFlagNames are libxt_tcp's flag names in the order it prints them.
var tcpFlagNames = []struct {
	name string
	bits uint8
}{
	{"FIN", packet.TCPFin}, {"SYN", packet.TCPSyn}, {"RST", packet.TCPRst},
	{"PSH", packet.TCPPsh}, {"ACK", packet.TCPAck}, {"URG", packet.TCPUrg},
	{"ALL", 0x3f}, {"NONE", 0},
}

func parseTCPFlags(s string) (uint8, error) {
	var f uint8
	for _, w := range strings.Split(s, ",") {
		found := false
		for _, n := range tcpFlagNames {
			if strings.EqualFold(w, n.name) {
				f |= n.bits
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown TCP flag %q", w)
		}
	}
	return f, nil
}

// tcpFlagsString prints flags as libxt_tcp print_tcpf does.
func tcpFlagsString(f uint8) string {
	var out []string
	for _, n := range tcpFlagNames[:6] {
		if f&n.bits != 0 {
			out = append(out, n.name)
		}
	}
	if f&^0x3f != 0 {
		out = append(out, fmt.Sprintf("0x%x", f&^0x3f))
	}
	if len(out) == 0 {
		return "NONE"
	}
	return strings.Join(out, ",")
}

func parseTCPUDP(module string, a *Args) (Match, error) {
	m := &TCPMatch{Module: module}
	isTCP := module == "tcp"
	arity := func(o string) int {
		switch o {
		case "--sport", "--source-port", "--dport", "--destination-port":
			return 1
		case "--tcp-flags":
			if isTCP {
				return 2
			}
		case "--syn":
			if isTCP {
				return 0
			}
		case "--tcp-option":
			if isTCP {
				return 1
			}
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--sport", "--source-port", "--dport", "--destination-port":
			pm := &m.SPort
			if o.Name == "--dport" || o.Name == "--destination-port" {
				pm = &m.DPort
			}
			if pm.Set {
				return fmt.Errorf("only one %s allowed", o.Name)
			}
			lo, hi, err := parsePortRange(o.Arg())
			if err != nil {
				return err
			}
			*pm = PortMatch{Set: true, Lo: lo, Hi: hi, Invert: o.Neg}
		case "--tcp-flags", "--syn":
			if m.HasFlags {
				return fmt.Errorf("only one of --tcp-flags and --syn allowed")
			}
			m.HasFlags, m.InvFlags = true, o.Neg
			if o.Name == "--syn" {
				m.FlagMask = packet.TCPSyn | packet.TCPRst | packet.TCPAck | packet.TCPFin
				m.FlagComp = packet.TCPSyn
				return nil
			}
			var err error
			if m.FlagMask, err = parseTCPFlags(o.Args[0]); err != nil {
				return err
			}
			if m.FlagComp, err = parseTCPFlags(o.Args[1]); err != nil {
				return err
			}
		case "--tcp-option":
			n, err := parseUint(o.Arg(), 255)
			if err != nil {
				return err
			}
			m.Option, m.HasOption, m.InvOption = uint8(n), true, o.Neg
		}
		return nil
	})
	return m, err
}

// Match implements Match.
// nftCombinedPorts reports whether the kernel runs this match's ports as
// iptables-nft's single negated compare of both ports: a ruleset loaded
// by iptables-nft, one non-zero source and one non-zero destination port,
// both negated (with no negation the combined compare means the same as
// two).
func (m *TCPMatch) nftCombinedPorts(c *Ctx) bool {
	return c.Backend == "nf_tables" && m.SPort.Set && m.DPort.Set && m.SPort.Invert && m.DPort.Invert &&
		m.SPort.Lo == m.SPort.Hi && m.DPort.Lo == m.DPort.Hi && m.SPort.Lo != 0 && m.DPort.Lo != 0
}

func (m *TCPMatch) Match(c *Ctx) Tri {
	if c.Pkt.Proto != m.proto() {
		return No
	}
	if c.Pkt.Frag {
		c.Explain("a non-first fragment carries no %s header: -m %s never matches it", m.module(), m.module())
		return No
	}
	if m.nftCombinedPorts(c) {
		// iptables-nft (add_nft_tcpudp, seen in v1.8.9) compiles a
		// single source and destination port with the same negation
		// into one compare of both ports; negated, that is "(sport,
		// dport) != (a, b)": it matches when either port differs,
		// where x_tables wants both to differ.
		if c.Pkt.SPort == m.SPort.Lo && c.Pkt.DPort == m.DPort.Lo {
			return No
		}
		if c.Pkt.SPort == m.SPort.Lo || c.Pkt.DPort == m.DPort.Lo {
			c.Explain("iptables-nft compiled `! --sport %d ! --dport %d` into one compare of both ports: it matches when either port differs (x_tables would need both to differ)", m.SPort.Lo, m.DPort.Lo)
		}
	} else if !m.SPort.Matches(c.Pkt.SPort) || !m.DPort.Matches(c.Pkt.DPort) {
		return No
	}
	if m.HasFlags && ((c.Pkt.TCPFlags&m.FlagMask == m.FlagComp) == m.InvFlags) {
		return No
	}
	if m.HasOption {
		c.Explain("farend does not know the packet's TCP options: --tcp-option %d may or may not match", m.Option)
		return Maybe
	}
	return Yes
}

func (m *TCPMatch) String() string {
	var b strings.Builder
	b.WriteString("-m " + m.module())
	if m.SPort.Set {
		fmt.Fprintf(&b, " %s--sport %s", bang(m.SPort.Invert), m.SPort.rangeString())
	}
	if m.DPort.Set {
		fmt.Fprintf(&b, " %s--dport %s", bang(m.DPort.Invert), m.DPort.rangeString())
	}
	if m.HasOption {
		fmt.Fprintf(&b, " %s--tcp-option %d", bang(m.InvOption), m.Option)
	}
	if m.HasFlags {
		fmt.Fprintf(&b, " %s--tcp-flags %s %s", bang(m.InvFlags), tcpFlagsString(m.FlagMask), tcpFlagsString(m.FlagComp))
	}
	return b.String()
}

// Check implements Checker: xt_tcpudp registers tcp with .proto =
// IPPROTO_TCP (udp likewise), so the rule needs `-p tcp`.
func (m *TCPMatch) Check(e Entry) string {
	return checkProto("-m "+m.module(), e, m.proto())
}
