// Package packet holds the comparable Packet value that farend walks
// through devices.
package packet

import (
	"fmt"
	"net/netip"
	"strings"
)

// IP protocol numbers used across farend (IANA "Assigned Internet Protocol
// Numbers").
const (
	ProtoICMP    uint8 = 1
	ProtoIPIP    uint8 = 4 // IPv4 in IP (ipip, ip6tnl ipip6)
	ProtoTCP     uint8 = 6
	ProtoUDP     uint8 = 17
	ProtoIPv6    uint8 = 41 // 6in4 (sit)
	ProtoGRE     uint8 = 47
	ProtoESP     uint8 = 50
	ProtoAH      uint8 = 51
	ProtoICMPv6  uint8 = 58
	ProtoSCTP    uint8 = 132
	ProtoUDPLite uint8 = 136
)

// TCP flag bits as they sit in the TCP header's flags byte (RFC 9293 3.1).
const (
	TCPFin uint8 = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
)

// Packet is one IP packet as far as forwarding and filtering care. It is a
// comparable value: copy it to change it.
//
// The zero Packet is not a valid packet (its addresses are invalid).
// Src and Dst are always of the same family.
type Packet struct {
	Src, Dst netip.Addr
	// Proto is the IP protocol (IPv4) or the upper-layer next header (IPv6).
	Proto uint8
	// SPort and DPort are meaningful for TCP, UDP, SCTP, UDP-Lite.
	SPort, DPort uint16
	// ICMPType and ICMPCode are meaningful for ICMP and ICMPv6.
	ICMPType, ICMPCode uint8
	// TCPFlags is the TCP flags byte (TCPSyn ...); meaningful for TCP.
	TCPFlags uint8
	// Mark is the skb mark (fwmark) the packet carries when it enters the
	// device.
	Mark uint32
	// TTL is the IPv4 TTL or the IPv6 hop limit.
	TTL uint8
	// TOS is the IPv4 TOS byte or the IPv6 traffic class.
	TOS uint8
	// Length is the total length of the IP packet in bytes.
	Length uint16
	// Frag is true for a non-first fragment (no transport header).
	Frag bool
	// DF is the IPv4 don't-fragment bit. IPv6 routers never fragment:
	// every IPv6 packet behaves as if DF were set.
	DF bool
}

// Is6 reports whether p is an IPv6 packet.
func (p Packet) Is6() bool { return p.Dst.Is6() && !p.Dst.Is4In6() }

// HasPorts reports whether the protocol carries 16-bit ports at the start of
// its header.
func (p Packet) HasPorts() bool {
	switch p.Proto {
	case ProtoTCP, ProtoUDP, ProtoSCTP, ProtoUDPLite:
		return !p.Frag
	}
	return false
}

// IsICMP reports whether p is ICMP of its own family.
func (p Packet) IsICMP() bool {
	if p.Is6() {
		return p.Proto == ProtoICMPv6
	}
	return p.Proto == ProtoICMP
}

// Validate returns an error when p cannot be a real packet.
func (p Packet) Validate() error {
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return fmt.Errorf("packet: source and destination addresses are required")
	}
	if p.Src.Is4() != p.Dst.Is4() {
		return fmt.Errorf("packet: source %s and destination %s are of different families", p.Src, p.Dst)
	}
	return nil
}

// String prints p in a compact tcpdump-like form.
func (p Packet) String() string {
	var b strings.Builder
	proto := ProtoName(p.Proto, p.Is6())
	switch {
	case p.HasPorts():
		fmt.Fprintf(&b, "%s %s -> %s", proto, netip.AddrPortFrom(p.Src, p.SPort), netip.AddrPortFrom(p.Dst, p.DPort))
		if p.Proto == ProtoTCP && p.TCPFlags != 0 {
			fmt.Fprintf(&b, " [%s]", TCPFlagsString(p.TCPFlags))
		}
	case p.IsICMP():
		fmt.Fprintf(&b, "%s %s -> %s type %d code %d", proto, p.Src, p.Dst, p.ICMPType, p.ICMPCode)
	default:
		fmt.Fprintf(&b, "%s %s -> %s", proto, p.Src, p.Dst)
	}
	if p.Mark != 0 {
		fmt.Fprintf(&b, " mark 0x%x", p.Mark)
	}
	return b.String()
}

// TCPFlagsString prints flags as iptables names them, comma separated.
func TCPFlagsString(f uint8) string {
	names := []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"}
	var out []string
	for i, n := range names {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}
