package netfilter

import (
	"fmt"
	"sort"

	"farend/internal/packet"
)

// nftField is where a header field sits (nftables src/proto.c header
// templates): its base ("nh" network header, "th" transport header) and
// its bit offset and length there.
type nftField struct {
	name      string
	base      string
	off, bits int
}

// nftFields are the fields of each protocol, in offset order.
var nftFields = func() map[string][]nftField {
	m := map[string][]nftField{}
	add := func(base, proto string, fields ...any) {
		for i := 0; i < len(fields); i += 3 {
			m[proto] = append(m[proto], nftField{fields[i].(string), base, fields[i+1].(int), fields[i+2].(int)})
		}
	}
	add("nh", "ip", "version", 0, 4, "hdrlength", 4, 4, "dscp", 8, 6, "ecn", 14, 2, "length", 16, 16, "id", 32, 16,
		"frag-off", 48, 16, "ttl", 64, 8, "protocol", 72, 8, "checksum", 80, 16, "saddr", 96, 32, "daddr", 128, 32)
	add("nh", "ip6", "version", 0, 4, "dscp", 4, 6, "ecn", 10, 2, "flowlabel", 12, 20, "length", 32, 16,
		"nexthdr", 48, 8, "hoplimit", 56, 8, "saddr", 64, 128, "daddr", 192, 128)
	for _, p := range []string{"tcp", "udp", "udplite", "th", "sctp", "dccp"} {
		add("th", p, "sport", 0, 16, "dport", 16, 16)
	}
	add("th", "tcp", "sequence", 32, 32, "ackseq", 64, 32, "doff", 96, 4, "reserved", 100, 4, "flags", 104, 8,
		"window", 112, 16, "checksum", 128, 16, "urgptr", 144, 16)
	add("th", "udp", "length", 32, 16, "checksum", 48, 16)
	add("th", "udplite", "csumcov", 32, 16, "checksum", 48, 16)
	for _, p := range []string{"icmp", "icmpv6"} {
		add("th", p, "type", 0, 8, "code", 8, 8, "checksum", 16, 16)
	}
	for _, fs := range m {
		sort.Slice(fs, func(i, j int) bool { return fs[i].off < fs[j].off })
	}
	return m
}()

// NFTPayloadField returns where field of proto sits: its base ("nh" or
// "th") and bit offset and length; ok false for fields farend does not
// place.
func NFTPayloadField(proto, field string) (base string, off, bits int, ok bool) {
	for _, f := range nftFields[proto] {
		if f.name == field {
			return f.base, f.off, f.bits, true
		}
	}
	return "", 0, 0, false
}

// NFTRawPayload is a raw payload load: `@th,0,32`, `@nh,64,16` (nftables
// JSON {"payload": {"base": "th", "offset": 0, "len": 32}};
// net/netfilter/nft_payload.c nft_payload_eval with
// NFT_PAYLOAD_NETWORK_HEADER or NFT_PAYLOAD_TRANSPORT_HEADER). nft lists
// this way what it cannot name: two `th` ports it merged into one load
// (`th sport 53 th dport 53` is `@th,0,32 0x350035`), or what a rule
// wrote raw. The value is put together bit by bit from the header fields
// farend knows (the packet's transport protocol's for th, IPv4's or
// IPv6's for nh); the bits of other fields (checksums, sequence numbers,
// ...) are unknown. A transport header load of a non-first fragment ends
// the rule (nft_payload_eval: no transport header offset when fragoff is
// set), as do bases farend does not model (ll, ih) with Maybe.
//
// The zero NFTRawPayload loads nothing and is Maybe.
type NFTRawPayload struct {
	Base        string
	Offset, Len int
}

// Type implements NFTExpr.
func (e *NFTRawPayload) Type() NFTType { return NFTInteger }

func (e *NFTRawPayload) String() string { return fmt.Sprintf("@%s,%d,%d", e.Base, e.Offset, e.Len) }

// Load implements NFTExpr.
func (e *NFTRawPayload) Load(c *Ctx) (NFTValue, Tri, string) {
	p := c.Pkt
	if e.Len <= 0 || e.Len > 64 || e.Offset < 0 {
		return NFTValue{}, Maybe, fmt.Sprintf("farend does not model raw loads of %d bits", e.Len)
	}
	var proto string
	switch e.Base {
	case "nh":
		proto = "ip"
		if p.Is6() {
			proto = "ip6"
		}
	case "th":
		if p.Frag {
			return NFTValue{}, No, "a non-first fragment has no transport header"
		}
		proto = map[uint8]string{packet.ProtoTCP: "tcp", packet.ProtoUDP: "udp", packet.ProtoUDPLite: "udplite",
			packet.ProtoSCTP: "sctp", packet.ProtoICMP: "icmp", packet.ProtoICMPv6: "icmpv6"}[p.Proto]
	default:
		return NFTValue{}, Maybe, fmt.Sprintf("farend does not model raw loads from the %s base", e.Base)
	}
	var v NFTValue
	vals := map[string]NFTValue{}
	for i := e.Offset; i < e.Offset+e.Len; i++ {
		v.Num <<= 1
		v.Unknown <<= 1
		var f *nftField
		for j := range nftFields[proto] {
			if x := &nftFields[proto][j]; x.off <= i && i < x.off+x.bits {
				f = x
				break
			}
		}
		if f == nil {
			v.Unknown |= 1
			continue
		}
		fv, ok := vals[f.name]
		if !ok {
			var r Tri
			fv, r, _ = (&NFTPayload{Proto: proto, Field: f.name}).Load(c)
			if r != Yes {
				fv = nftUnknown()
			}
			vals[f.name] = fv
		}
		pos := f.bits - 1 - (i - f.off) // bit of the field, from its least significant
		if fv.Addr.IsValid() {
			b := fv.Addr.AsSlice()
			byteIdx, bit := (i-f.off)/8, 7-(i-f.off)%8
			if byteIdx < len(b) && b[byteIdx]>>bit&1 == 1 {
				v.Num |= 1
			}
			continue
		}
		if pos >= 64 || fv.Unknown>>pos&1 == 1 {
			v.Unknown |= 1
			continue
		}
		v.Num |= fv.Num >> pos & 1
	}
	return v, Yes, ""
}
