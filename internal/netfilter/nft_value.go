package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// NFTType is the datatype of an nft expression: it says how its constants
// are read and printed and what `==` and the implicit operator mean
// (nftables src/datatype.c, and the types of ct.c, meta.c, proto.c,
// fib.c). The zero NFTType is a plain integer.
type NFTType uint8

// nft datatypes, named after nftables' TYPE_* (their printed names in the
// comments).
const (
	NFTInteger     NFTType = iota // integer
	NFTIPv4Addr                   // ipv4_addr
	NFTIPv6Addr                   // ipv6_addr
	NFTInetProto                  // inet_proto
	NFTInetService                // inet_service
	NFTMark                       // mark
	NFTIfname                     // ifname
	NFTIfindex                    // iface_index
	NFTCtState                    // ct_state (a bitmask)
	NFTCtStatus                   // ct_status (a bitmask)
	NFTCtDir                      // ct_dir
	NFTTCPFlag                    // tcp_flag (a bitmask)
	NFTICMPType                   // icmp_type
	NFTICMPCode                   // icmp_code
	NFTICMPv6Type                 // icmpv6_type
	NFTICMPv6Code                 // icmpv6_code
	NFTICMPxCode                  // icmpx_code
	NFTPktType                    // pkt_type
	NFTNFProto                    // nf_proto
	NFTEtherType                  // ether_type
	NFTDSCP                       // dscp
	NFTECN                        // ecn
	NFTFibAddrType                // fib_addrtype
	NFTBoolean                    // boolean (fib ... exists/missing)
	NFTString                     // string (ct helper names)
	NFTVerdictType                // verdict
	NFTOpaque                     // anything farend does not model
)

var nftTypeNames = [...]string{
	"integer", "ipv4_addr", "ipv6_addr", "inet_proto", "inet_service", "mark",
	"ifname", "iface_index", "ct_state", "ct_status", "ct_dir", "tcp_flag",
	"icmp_type", "icmp_code", "icmpv6_type", "icmpv6_code", "icmpx_code",
	"pkt_type", "nf_proto", "ether_type", "dscp", "ecn", "fib_addrtype",
	"boolean", "string", "verdict", "opaque",
}

func (t NFTType) String() string {
	if int(t) < len(nftTypeNames) {
		return nftTypeNames[t]
	}
	return "opaque"
}

// NFTTypeByName returns the datatype nft names so in set declarations
// ("ipv4_addr", "inet_service" ...); NFTOpaque when farend does not know it.
func NFTTypeByName(name string) NFTType {
	for i, n := range nftTypeNames {
		if n == name {
			return NFTType(i)
		}
	}
	switch name {
	case "ether_addr", "time", "day", "hour", "cgroupsv2", "ipsec_spi", "classid", "ct_label", "ct_event", "realm", "tc_handle", "uid", "gid", "devgroup", "iface_type", "ip_option":
		return NFTOpaque
	case "inet_service_range":
		return NFTInetService
	}
	return NFTOpaque
}

// Bitmask reports whether t is one of nftables' bitmask types (basetype
// TYPE_BITMASK): for them the implicit operator (`ct state
// established,related`, JSON "in") tests for any of the bits, and nft
// adds a `& mask` when it prints `value / mask`.
func (t NFTType) Bitmask() bool {
	return t == NFTCtState || t == NFTCtStatus || t == NFTTCPFlag
}

// NFTValue is one value an expression loads or a rule compares with: a
// number (ports, marks, protocols, flags, types), an address, or a string
// (interface names). Unknown marks the bits of a number farend cannot know
// (a header field it does not model); NonZero marks bits of which at least
// one is known to be set (the offset of a non-first fragment). The zero
// NFTValue is the number 0, fully known.
type NFTValue struct {
	Num  uint64
	Addr netip.Addr
	Str  string
	// Unknown and NonZero qualify Num; see the type comment.
	Unknown, NonZero uint64
}

// IsAddr reports whether v is an address.
func (v NFTValue) IsAddr() bool { return v.Addr.IsValid() }

// Known reports whether every bit of v is known.
func (v NFTValue) Known() bool { return v.Unknown == 0 }

// NFTNum returns a known number.
func NFTNum(n uint64) NFTValue { return NFTValue{Num: n} }

// NFTAddr returns an address value.
// An IPv4-mapped IPv6 address stays a 16-byte address: `ip6 daddr
// ::ffff:0.0.0.0/96` compares 128-bit values (nft_cmp, nft_lookup).
func NFTAddr(a netip.Addr) NFTValue { return NFTValue{Addr: a} }

// NFTStr returns a string value.
func NFTStr(s string) NFTValue { return NFTValue{Str: s} }

// nftUnknown returns a number of which nothing is known.
func nftUnknown() NFTValue { return NFTValue{Unknown: ^uint64(0)} }

func (v NFTValue) String() string {
	switch {
	case v.Addr.IsValid():
		return v.Addr.String()
	case v.Str != "":
		return fmt.Sprintf("%q", v.Str)
	case v.Unknown == ^uint64(0):
		return "unknown"
	case v.Unknown != 0:
		return fmt.Sprintf("%d (bits 0x%x unknown)", v.Num, v.Unknown)
	}
	return fmt.Sprint(v.Num)
}

// eq compares two values as the kernel's cmp eq does (memcmp of the
// registers): addresses of different families and a string against a
// number never match.
func (v NFTValue) eq(w NFTValue) Tri {
	if v.Unknown == ^uint64(0) || w.Unknown == ^uint64(0) {
		return Maybe
	}
	switch {
	case v.Addr.IsValid() || w.Addr.IsValid():
		return TriOf(v.Addr == w.Addr)
	case v.Str != "" || w.Str != "":
		return TriOf(v.Str == w.Str && v.Unknown == 0)
	}
	unknown := v.Unknown | w.Unknown
	if (v.Num^w.Num)&^unknown != 0 {
		return No
	}
	if v.NonZero != 0 && w.Unknown&v.NonZero == 0 && w.Num&v.NonZero == 0 {
		return No
	}
	if w.NonZero != 0 && v.Unknown&w.NonZero == 0 && v.Num&w.NonZero == 0 {
		return No
	}
	if unknown != 0 {
		return Maybe
	}
	return Yes
}

// cmp orders v against w: -1, 0, 1, with ok false when the order cannot be
// known (unknown bits, or values of different kinds).
func (v NFTValue) cmp(w NFTValue) (int, bool) {
	switch {
	case v.Addr.IsValid() && w.Addr.IsValid():
		if v.Addr.BitLen() != w.Addr.BitLen() {
			return 0, false
		}
		return v.Addr.Compare(w.Addr), true
	case v.Addr.IsValid() || w.Addr.IsValid():
		return 0, false
	case v.Str != "" || w.Str != "":
		return strings.Compare(v.Str, w.Str), true
	}
	if v.Unknown != 0 || w.Unknown != 0 {
		// The order is still known when the value's possible range lies
		// on one side of w.
		lo, hi := v.Num&^v.Unknown, v.Num|v.Unknown
		if v.Unknown == 0 {
			lo, hi = v.Num, v.Num
		}
		wlo, whi := w.Num&^w.Unknown, w.Num|w.Unknown
		switch {
		case hi < wlo:
			return -1, true
		case lo > whi:
			return 1, true
		}
		return 0, false
	}
	switch {
	case v.Num < w.Num:
		return -1, true
	case v.Num > w.Num:
		return 1, true
	}
	return 0, true
}

// NFTRange is one component of a set element or of the right side of a
// comparison: a single value (Lo == Hi), a range `lo-hi`, a prefix
// (stored as its range), or an interface-name wildcard `"eth*"` (Wildcard,
// with Lo.Str the part before the `*`: the kernel compares only that many
// bytes). The zero NFTRange is the single number 0.
type NFTRange struct {
	Lo, Hi   NFTValue
	Wildcard bool
}

// NFTSingle returns the range of one value.
func NFTSingle(v NFTValue) NFTRange { return NFTRange{Lo: v, Hi: v} }

// NFTPrefixRange returns the range of a prefix.
func NFTPrefixRange(p netip.Prefix) NFTRange {
	p = p.Masked()
	return NFTRange{Lo: NFTAddr(p.Addr()), Hi: NFTAddr(lastAddr(p))}
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr()
	b := a.AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// single reports whether r is one exactly known value.
func (r NFTRange) single() bool {
	return !r.Wildcard && r.Lo.Unknown == 0 && r.Lo == r.Hi
}

// contains tests v against the range.
func (r NFTRange) contains(v NFTValue) Tri {
	if r.Wildcard {
		if v.Addr.IsValid() {
			return No
		}
		return TriOf(strings.HasPrefix(v.Str, r.Lo.Str))
	}
	if r.Lo == r.Hi {
		return v.eq(r.Lo)
	}
	a, ok1 := v.cmp(r.Lo)
	b, ok2 := v.cmp(r.Hi)
	switch {
	case ok1 && a < 0, ok2 && b > 0:
		return No
	case ok1 && ok2:
		return Yes
	}
	return Maybe
}

// key appends a hashable form of a single value to b.
func (v NFTValue) key(b []byte) []byte {
	switch {
	case v.Addr.IsValid():
		a := v.Addr.As16()
		b = append(b, 'a')
		if v.Addr.Is4() {
			b = append(b, '4')
		}
		return append(b, a[:]...)
	case v.Str != "":
		b = append(b, 's')
		b = append(b, v.Str...)
		return append(b, 0)
	}
	b = append(b, 'n')
	for i := 0; i < 8; i++ {
		b = append(b, byte(v.Num>>(8*i)))
	}
	return b
}

// addrFromSlice converts 4 or 16 bytes to an address (invalid otherwise).
func addrFromSlice(b []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(b)
	return a
}
