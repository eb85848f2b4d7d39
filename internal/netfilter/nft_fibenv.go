package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// FIBEnv is the optional seam nft's fib expression needs: one route
// lookup with the key nft_fib builds. An Env that implements it answers
// `fib ...`; with one that does not, fib rules say Maybe. It is checked
// with a type assertion, so Env implementations need not change.
type FIBEnv interface {
	// FIB does the policy-routed route lookup of q (IPv4 fib_lookup with
	// FIB_LOOKUP_IGNORE_LINKSTATE; IPv6 ip6_route_lookup) and, when
	// q.AddrDev is set, says whether q.Dst is an address of that device.
	FIB(q FIBQuery) FIBResult
}

// FIBQuery is the lookup key of nft's fib expression, in the kernel's
// terms (struct flowi4 / flowi6 as net/ipv4/netfilter/nft_fib_ipv4.c
// nft_fib4_eval and net/ipv6/netfilter/nft_fib_ipv6.c nft_fib6_flowi_init
// fill them). The zero FIBQuery is an IPv4 lookup of no address.
type FIBQuery struct {
	// V6 selects the IPv6 lookup.
	V6 bool
	// Dst is flowi daddr: the packet's destination for `fib daddr`, its
	// source for `fib saddr`.
	Dst netip.Addr
	// Src is flowi saddr, the other address; invalid when the kernel
	// leaves it 0 (IPv4 get_saddr: a multicast, limited broadcast or
	// 0.0.0.0/8 address) or does not set RT6_LOOKUP_F_HAS_SADDR (IPv6: not
	// a unicast address), so that `from` rules do not match.
	Src netip.Addr
	// IIF is flowi_iif: "lo" (LOOPBACK_IFINDEX), except IPv4 `fib saddr .
	// iif` in FORWARD, which uses the output device.
	IIF string
	// OIF is flowi6_oif with RT6_LOOKUP_F_IFACE (StrictOIF): only set for
	// an IPv6 link-local (or link-local multicast) Dst, to the device of
	// the expression. nft_fib never sets it otherwise, unlike xt_rpfilter
	// (IPv6 strict mode sets oif to the input device).
	OIF       string
	StrictOIF bool
	// Mark is flowi mark: the packet mark with `mark` in the expression,
	// else 0.
	Mark uint32
	// TOS is IPv4 flowi4_tos: the packet's TOS & 0xfc (DSCP_BITS).
	TOS uint8
	// Proto is IPv6 flowi6_proto: the packet's transport protocol.
	Proto uint8
	// AddrDev, when set, also asks whether Dst is an address of that
	// device (nf_ipv6_chk_addr, strict): IPv6 `fib ... type` with iif or
	// oif.
	AddrDev string
}

func (q FIBQuery) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "to %s", q.Dst)
	if q.Src.IsValid() {
		fmt.Fprintf(&b, " from %s", q.Src)
	}
	if q.IIF != "" {
		b.WriteString(" iif " + q.IIF)
	}
	if q.OIF != "" {
		b.WriteString(" oif " + q.OIF)
	}
	if q.Mark != 0 {
		fmt.Fprintf(&b, " mark 0x%x", q.Mark)
	}
	return b.String()
}

// FIBResult is what a FIB lookup found. The zero FIBResult is a failed
// lookup (no route).
type FIBResult struct {
	// OK is true when the lookup found a route.
	OK bool
	// Type is the RTN_* type of the route as an AddrType bit
	// (AddrUnicast, AddrLocal, AddrBroadcast ...). When !OK it is the type
	// that made the lookup fail (AddrBlackhole, AddrUnreachable,
	// AddrProhibit, AddrThrow), or 0 for no route at all.
	Type AddrType
	// Devs are the output devices of the route's nexthops, the first one
	// being the one used (FIB_RES_DEV; with IPv6 multipath the kernel picks
	// one by a hash of the flow).
	Devs []string
	// LocalOnDev answers FIBQuery.AddrDev.
	LocalOnDev bool
	// Why describes the lookup (policy rule, table, route).
	Why string
}

func (r FIBResult) usesDev(dev string) bool {
	for _, d := range r.Devs {
		if d == dev {
			return true
		}
	}
	return false
}

// rtn returns the RTN_* number of a one-bit AddrType (the bit's index).
func (a AddrType) rtn() uint64 {
	for i := 0; i < 16; i++ {
		if a&(1<<i) != 0 {
			return uint64(i)
		}
	}
	return 0
}
