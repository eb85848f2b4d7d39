package kerneltest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"farend/internal/packet"
)

// Ethertypes.
const (
	etherIPv4 = 0x0800
	etherIPv6 = 0x86dd
	etherAll  = 0x0003 // ETH_P_ALL
)

// nonceLen is the length of the marker every injected packet carries as
// its payload. It tells the packet apart on the wire from anything else
// (MLD, ICMP errors quoting it), also after NAT rewrote its headers.
const nonceLen = 8

// buildFrame builds an Ethernet frame carrying p with payload nonce: IPv4
// or IPv6 header, then a TCP, UDP, ICMP or ICMPv6 header (any other
// protocol carries the nonce right after the IP header), with correct
// checksums. A zero TTL becomes 64.
func buildFrame(src, dst net.HardwareAddr, p packet.Packet, nonce []byte) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Frag {
		return nil, errors.New("kerneltest: fragments are not injected")
	}
	if p.Mark != 0 {
		return nil, errors.New("kerneltest: a mark cannot travel on the wire; set it with a rule")
	}
	// A packet longer than the headers and the nonce (p.Length) is padded
	// with zeros after the nonce: MTU cases need big packets.
	payload := nonce
	if n := int(p.Length) - int(ipLength(p)); n > 0 {
		payload = append(append([]byte(nil), nonce...), make([]byte, n)...)
	}
	l4 := buildL4(p, payload)
	ttl := p.TTL
	if ttl == 0 {
		ttl = 64
	}
	var ip []byte
	if p.Is6() {
		ip = make([]byte, 40)
		binary.BigEndian.PutUint32(ip[0:], 6<<28|uint32(p.TOS)<<20)
		binary.BigEndian.PutUint16(ip[4:], uint16(len(l4)))
		ip[6] = p.Proto
		ip[7] = ttl
		s, d := p.Src.As16(), p.Dst.As16()
		copy(ip[8:], s[:])
		copy(ip[24:], d[:])
	} else {
		ip = make([]byte, 20)
		ip[0] = 0x45
		ip[1] = p.TOS
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
		binary.BigEndian.PutUint16(ip[4:], binary.BigEndian.Uint16(nonce)) // ID
		if p.DF {
			ip[6] = 0x40 // flags: DF
		}
		ip[8] = ttl
		ip[9] = p.Proto
		s, d := p.Src.As4(), p.Dst.As4()
		copy(ip[12:], s[:])
		copy(ip[16:], d[:])
		binary.BigEndian.PutUint16(ip[10:], checksum(ip, 0))
	}
	l4Checksum(p, l4)
	eth := make([]byte, 14, 14+len(ip)+len(l4))
	copy(eth[0:], dst)
	copy(eth[6:], src)
	if p.Is6() {
		binary.BigEndian.PutUint16(eth[12:], etherIPv6)
	} else {
		binary.BigEndian.PutUint16(eth[12:], etherIPv4)
	}
	return append(append(eth, ip...), l4...), nil
}

// buildL4 builds the transport header and payload, checksum zero.
func buildL4(p packet.Packet, nonce []byte) []byte {
	var h []byte
	switch {
	case p.Proto == packet.ProtoTCP:
		h = make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], p.SPort)
		binary.BigEndian.PutUint16(h[2:], p.DPort)
		binary.BigEndian.PutUint32(h[4:], 1000) // seq
		if p.TCPFlags&packet.TCPAck != 0 {
			binary.BigEndian.PutUint32(h[8:], 2000)
		}
		h[12] = 5 << 4
		h[13] = p.TCPFlags
		binary.BigEndian.PutUint16(h[14:], 64240)
	case p.Proto == packet.ProtoUDP || p.Proto == packet.ProtoUDPLite:
		h = make([]byte, 8)
		binary.BigEndian.PutUint16(h[0:], p.SPort)
		binary.BigEndian.PutUint16(h[2:], p.DPort)
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(nonce)))
	case p.IsICMP():
		h = make([]byte, 8)
		h[0], h[1] = p.ICMPType, p.ICMPCode
		binary.BigEndian.PutUint16(h[4:], 0x6b66) // identifier "fk"
		binary.BigEndian.PutUint16(h[6:], 1)      // sequence
	}
	return append(h, nonce...)
}

// l4Checksum fills the transport checksum of l4 in place.
func l4Checksum(p packet.Packet, l4 []byte) {
	var off int
	switch {
	case p.Proto == packet.ProtoTCP:
		off = 16
	case p.Proto == packet.ProtoUDP || p.Proto == packet.ProtoUDPLite:
		off = 6
	case p.IsICMP():
		off = 2
	default:
		return
	}
	var sum uint32
	if p.Is6() || p.Proto != packet.ProtoICMP { // ICMPv4 has no pseudo-header
		sum = pseudoHeader(p.Src, p.Dst, p.Proto, len(l4))
	}
	c := checksum(l4, sum)
	if c == 0 && p.Proto == packet.ProtoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(l4[off:], c)
}

// pseudoHeader is the partial sum of the TCP/UDP/ICMPv6 pseudo-header.
func pseudoHeader(src, dst netip.Addr, proto uint8, length int) uint32 {
	var b []byte
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		b = append(append(b, s[:]...), d[:]...)
		b = append(b, 0, proto, byte(length>>8), byte(length))
	} else {
		s, d := src.As16(), dst.As16()
		b = append(append(b, s[:]...), d[:]...)
		b = binary.BigEndian.AppendUint32(b, uint32(length))
		b = append(b, 0, 0, 0, proto)
	}
	return sum16(b, 0)
}

// checksum is the Internet checksum (RFC 1071) of b, starting from the
// partial sum initial.
func checksum(b []byte, initial uint32) uint16 {
	s := sum16(b, initial)
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

func sum16(b []byte, s uint32) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return s
}

// ipInfo is what parseIP reads from an IP packet.
type ipInfo struct {
	pkt     packet.Packet
	payload []byte // after the transport header (the whole L4 for others)
	l4      []byte // from the transport header on
}

// parseIP parses an IPv4 or IPv6 packet (no IPv6 extension headers) and
// its transport header. The L4 part may be truncated; what is there is
// read.
func parseIP(b []byte) (ipInfo, error) {
	var in ipInfo
	if len(b) < 1 {
		return in, errors.New("empty")
	}
	var l4 []byte
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return in, errors.New("short IPv4 header")
		}
		ihl := int(b[0]&0xf) * 4
		if ihl < 20 || len(b) < ihl {
			return in, errors.New("bad IPv4 header length")
		}
		in.pkt.Src = netip.AddrFrom4([4]byte(b[12:16]))
		in.pkt.Dst = netip.AddrFrom4([4]byte(b[16:20]))
		in.pkt.Proto = b[9]
		in.pkt.TTL = b[8]
		in.pkt.TOS = b[1]
		in.pkt.Length = binary.BigEndian.Uint16(b[2:])
		in.pkt.Frag = binary.BigEndian.Uint16(b[6:])&0x1fff != 0
		end := int(in.pkt.Length)
		if end > len(b) || end < ihl {
			end = len(b)
		}
		l4 = b[ihl:end]
	case 6:
		if len(b) < 40 {
			return in, errors.New("short IPv6 header")
		}
		in.pkt.Src = netip.AddrFrom16([16]byte(b[8:24]))
		in.pkt.Dst = netip.AddrFrom16([16]byte(b[24:40]))
		in.pkt.Proto = b[6]
		in.pkt.TTL = b[7]
		in.pkt.TOS = byte(binary.BigEndian.Uint16(b[0:]) >> 4)
		plen := int(binary.BigEndian.Uint16(b[4:]))
		in.pkt.Length = uint16(40 + plen)
		end := 40 + plen
		if end > len(b) {
			end = len(b)
		}
		l4 = b[40:end]
	default:
		return in, fmt.Errorf("IP version %d", b[0]>>4)
	}
	in.l4 = l4
	in.payload = l4
	switch {
	case in.pkt.Frag:
	case in.pkt.Proto == packet.ProtoTCP:
		if len(l4) >= 14 {
			in.pkt.SPort = binary.BigEndian.Uint16(l4[0:])
			in.pkt.DPort = binary.BigEndian.Uint16(l4[2:])
			in.pkt.TCPFlags = l4[13]
			if off := int(l4[12]>>4) * 4; off >= 20 && off <= len(l4) {
				in.payload = l4[off:]
			} else {
				in.payload = nil
			}
		}
	case in.pkt.Proto == packet.ProtoUDP || in.pkt.Proto == packet.ProtoUDPLite:
		if len(l4) >= 4 {
			in.pkt.SPort = binary.BigEndian.Uint16(l4[0:])
			in.pkt.DPort = binary.BigEndian.Uint16(l4[2:])
		}
		if len(l4) >= 8 {
			in.payload = l4[8:]
		}
	case in.pkt.IsICMP():
		if len(l4) >= 2 {
			in.pkt.ICMPType, in.pkt.ICMPCode = l4[0], l4[1]
		}
		if len(l4) >= 8 {
			in.payload = l4[8:]
		}
	}
	return in, nil
}

// isICMPError reports whether in is an ICMP/ICMPv6 error message (whose
// payload quotes the packet that caused it).
func isICMPError(in ipInfo) bool {
	if !in.pkt.IsICMP() {
		return false
	}
	if in.pkt.Is6() {
		return in.pkt.ICMPType < 128
	}
	switch in.pkt.ICMPType {
	case 3, 4, 5, 11, 12:
		return true
	}
	return false
}

// frameKind classifies a captured frame against nonce.
type frameKind int

const (
	frameOther    frameKind = iota
	frameOurs               // the injected packet itself (maybe rewritten)
	frameICMPErr            // an ICMP error quoting the injected packet
	frameTooShort           // not a parseable IP frame
)

// classify parses an Ethernet frame and says whether it carries the
// packet sent (with payload nonce), an ICMP error about it, or something
// else. The protocol and ICMP type must be those sent: an echo reply
// carries the request's payload too.
func classify(frame, nonce []byte, sent packet.Packet) (frameKind, ipInfo) {
	if len(frame) < 14 {
		return frameTooShort, ipInfo{}
	}
	et := binary.BigEndian.Uint16(frame[12:])
	if et != etherIPv4 && et != etherIPv6 {
		return frameOther, ipInfo{}
	}
	in, err := parseIP(frame[14:])
	if err != nil {
		return frameTooShort, ipInfo{}
	}
	if bytes.HasPrefix(in.payload, nonce) && in.pkt.Proto == sent.Proto && in.pkt.Is6() == sent.Is6() &&
		(!sent.IsICMP() || (in.pkt.ICMPType == sent.ICMPType && in.pkt.ICMPCode == sent.ICMPCode)) {
		return frameOurs, in
	}
	if isICMPError(in) && bytes.Contains(in.payload, nonce) {
		return frameICMPErr, in
	}
	return frameOther, in
}

// ipLength is the total length of the IP packet buildFrame makes for p
// (what -m length and farend's Packet.Length see).
func ipLength(p packet.Packet) uint16 {
	n := len(buildL4(p, make([]byte, nonceLen)))
	if p.Is6() {
		return uint16(40 + n)
	}
	return uint16(20 + n)
}
