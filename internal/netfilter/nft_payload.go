package netfilter

import (
	"fmt"

	"farend/internal/packet"
)

// NFTPayload is a header field: `ip saddr`, `tcp dport`, `th sport`,
// `icmp type` ... (net/netfilter/nft_payload.c nft_payload_eval).
//
// Each protocol above the family carries the dependency nft adds when it
// compiles the rule and hides when it lists it (nftables src/payload.c
// payload_gen_dependency): `ip ...` in an inet table is preceded by `meta
// nfproto ipv4`, `tcp ...` by `meta l4proto tcp`, `icmp ...` by `meta
// l4proto icmp`. A packet that fails the dependency ends the rule (the
// cmp breaks), whatever the operator: `tcp dport != 22` does not match a
// UDP packet. `th` has no dependency: it reads the first bytes of any
// transport header. A transport field of a non-first fragment breaks too
// (nft_payload_eval: no transport header when pkt->fragoff is set).
//
// farend's packets carry no IP options and no IPv6 extension headers, so
// `ip6 nexthdr` is the transport protocol. Fields it does not model (ip
// id, checksums, tcp sequence numbers, the flow label ...) load as
// unknown numbers, so comparisons with them say Maybe.
//
// The zero NFTPayload names no field and loads Maybe.
type NFTPayload struct {
	Proto, Field string
}

// nftL4 are the transport protocols of payload expressions and their
// numbers (the `meta l4proto` dependency).
var nftL4 = map[string]uint8{
	"tcp": packet.ProtoTCP, "udp": packet.ProtoUDP, "udplite": packet.ProtoUDPLite,
	"sctp": packet.ProtoSCTP, "dccp": 33, "icmp": packet.ProtoICMP,
	"icmpv6": packet.ProtoICMPv6,
}

// NFTPayloadType returns the datatype of a payload field (nftables
// src/proto.c header templates); NFTOpaque for fields farend does not
// know.
func NFTPayloadType(proto, field string) NFTType {
	switch field {
	case "saddr", "daddr":
		switch proto {
		case "ip":
			return NFTIPv4Addr
		case "ip6":
			return NFTIPv6Addr
		}
	case "sport", "dport":
		return NFTInetService
	case "protocol", "nexthdr":
		return NFTInetProto
	case "flags":
		if proto == "tcp" {
			return NFTTCPFlag
		}
	case "type":
		switch proto {
		case "icmp":
			return NFTICMPType
		case "icmpv6":
			return NFTICMPv6Type
		}
	case "code":
		switch proto {
		case "icmp":
			return NFTICMPCode
		case "icmpv6":
			return NFTICMPv6Code
		}
	case "dscp":
		return NFTDSCP
	case "ecn":
		return NFTECN
	}
	switch proto {
	case "ip", "ip6", "tcp", "udp", "udplite", "icmp", "icmpv6", "th", "sctp", "dccp":
		return NFTInteger
	}
	return NFTOpaque
}

// Type implements NFTExpr.
func (e *NFTPayload) Type() NFTType { return NFTPayloadType(e.Proto, e.Field) }

func (e *NFTPayload) String() string { return e.Proto + " " + e.Field }

func (e *NFTPayload) unmodelled() (NFTValue, Tri, string) {
	return nftUnknown(), Yes, ""
}

// Load implements NFTExpr.
func (e *NFTPayload) Load(c *Ctx) (NFTValue, Tri, string) {
	p := c.Pkt
	v6 := p.Is6()
	switch e.Proto {
	case "ip":
		if v6 {
			return NFTValue{}, No, "the packet is IPv6 (nft's hidden `meta nfproto ipv4` dependency)"
		}
		switch e.Field {
		case "saddr":
			return NFTAddr(p.Src), Yes, ""
		case "daddr":
			return NFTAddr(p.Dst), Yes, ""
		case "protocol":
			return NFTNum(uint64(p.Proto)), Yes, ""
		case "ttl":
			return NFTNum(uint64(p.TTL)), Yes, ""
		case "length":
			return nftLength(p.Length, 0)
		case "version":
			return NFTNum(4), Yes, ""
		case "hdrlength":
			return NFTNum(5), Yes, ""
		case "dscp":
			return NFTNum(uint64(p.TOS >> 2)), Yes, ""
		case "ecn":
			return NFTNum(uint64(p.TOS & 3)), Yes, ""
		case "frag-off":
			// Reserved bit 0x8000 is 0; DF (0x4000) and MF (0x2000) are
			// not in the packet model; the offset (0x1fff) is 0 unless
			// the packet is a non-first fragment.
			if p.Frag {
				return NFTValue{Unknown: 0x7fff, NonZero: 0x1fff}, Yes, ""
			}
			return NFTValue{Unknown: 0x6000}, Yes, ""
		}
		return e.unmodelled()
	case "ip6":
		if !v6 {
			return NFTValue{}, No, "the packet is IPv4 (nft's hidden `meta nfproto ipv6` dependency)"
		}
		switch e.Field {
		case "saddr":
			return NFTAddr(p.Src), Yes, ""
		case "daddr":
			return NFTAddr(p.Dst), Yes, ""
		case "nexthdr":
			return NFTNum(uint64(p.Proto)), Yes, ""
		case "hoplimit":
			return NFTNum(uint64(p.TTL)), Yes, ""
		case "length":
			return nftLength(p.Length, 40)
		case "version":
			return NFTNum(6), Yes, ""
		case "dscp":
			return NFTNum(uint64(p.TOS >> 2)), Yes, ""
		case "ecn":
			return NFTNum(uint64(p.TOS & 3)), Yes, ""
		}
		return e.unmodelled()
	case "th":
		if p.Frag {
			return NFTValue{}, No, "a non-first fragment has no transport header"
		}
		switch {
		case e.Field != "sport" && e.Field != "dport":
			return e.unmodelled()
		case p.HasPorts() || p.Proto == 33:
			if p.Proto == 33 {
				return e.unmodelled()
			}
			if e.Field == "sport" {
				return NFTNum(uint64(p.SPort)), Yes, ""
			}
			return NFTNum(uint64(p.DPort)), Yes, ""
		case p.IsICMP() && e.Field == "sport":
			// The first two bytes of an ICMP header are type and code.
			return NFTNum(uint64(p.ICMPType)<<8 | uint64(p.ICMPCode)), Yes, ""
		}
		return e.unmodelled()
	}
	proto, ok := nftL4[e.Proto]
	if !ok {
		return NFTValue{}, Maybe, fmt.Sprintf("farend does not model %s headers", e.Proto)
	}
	if p.Proto != proto {
		return NFTValue{}, No, fmt.Sprintf("the packet is %s, not %s (nft's hidden `meta l4proto %s` dependency)", packet.ProtoName(p.Proto, v6), e.Proto, e.Proto)
	}
	if p.Frag {
		return NFTValue{}, No, "a non-first fragment has no transport header"
	}
	switch e.Field {
	case "sport":
		if p.HasPorts() {
			return NFTNum(uint64(p.SPort)), Yes, ""
		}
	case "dport":
		if p.HasPorts() {
			return NFTNum(uint64(p.DPort)), Yes, ""
		}
	case "flags":
		if proto == packet.ProtoTCP {
			return NFTNum(uint64(p.TCPFlags)), Yes, ""
		}
	case "type":
		if p.IsICMP() {
			return NFTNum(uint64(p.ICMPType)), Yes, ""
		}
	case "code":
		if p.IsICMP() {
			return NFTNum(uint64(p.ICMPCode)), Yes, ""
		}
	}
	return e.unmodelled()
}

// nftLength returns the IP total length less hdr (the IPv6 payload
// length); unknown when the packet does not say.
func nftLength(l uint16, hdr uint16) (NFTValue, Tri, string) {
	if l == 0 || l < hdr {
		return nftUnknown(), Yes, ""
	}
	return NFTNum(uint64(l - hdr)), Yes, ""
}
