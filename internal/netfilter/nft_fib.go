package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// NFT fib flags (enum nft_fib_flags, include/uapi/linux/netfilter/
// nf_tables.h).
const (
	FIBSaddr   = 1 << 0
	FIBDaddr   = 1 << 1
	FIBMark    = 1 << 2
	FIBIIF     = 1 << 3
	FIBOIF     = 1 << 4
	FIBPresent = 1 << 5
)

// NFTFib is nft's fib expression: `fib saddr . iif oif`, `fib daddr type`,
// `fib saddr . mark . iif oif missing` ... (net/netfilter/nft_fib.c,
// net/ipv4/netfilter/nft_fib_ipv4.c, net/ipv6/netfilter/nft_fib_ipv6.c).
//
// Results oif and oifname (nft_fib4_eval / nft_fib6_eval):
//
//   - the device to check is the input device with iif, the output
//     device with oif, none otherwise;
//   - in PREROUTING a packet from a loopback device yields that device
//     (nft_fib_is_loopback); IPv4: a packet from 0.0.0.0 to the limited
//     broadcast or 224.0.0.0/24 yields its device; IPv6: an ICMPv6 packet
//     from :: to a link-local address yields its device;
//   - the key (FIBQuery): saddr swaps the addresses (Dst = the packet's
//     source), iif = lo, mark only with `mark`, IPv4 tos, IPv6 proto;
//     `saddr . iif` in FORWARD uses iif = the output device (IPv4 and
//     IPv6); IPv6 sets oif (strictly) only for a link-local destination —
//     there is no "prefer the input device" as in xt_rpfilter's strict
//     mode;
//   - IPv4: a failed lookup or a local route gives 0 ("missing"); with a
//     device to check, the result is that device when any nexthop of the
//     route uses it (fib_info_nh_uses_dev), else 0; without one, the
//     route's device;
//   - IPv6: a failed lookup, a reject, anycast or local route gives 0;
//     the result is the device of the path the lookup chose, and with a
//     device to check it must be that device.
//
// `exists`/`missing` (JSON true/false, the NFTA_FIB_F_PRESENT flag) test
// for a non-zero result. Result type is the address type of the address:
// IPv4 inet_dev_addr_type limited to the device (Env.AddrType answers it
// as for xt_addrtype); IPv6 the lookup's route type, local when the
// address is on the device.
//
// The zero NFTFib has no flags and loads Maybe.
type NFTFib struct {
	Flags uint32
	// Result is "oif", "oifname" or "type".
	Result string
}

// Type implements NFTExpr.
func (e *NFTFib) Type() NFTType {
	if e.Flags&FIBPresent != 0 {
		return NFTBoolean
	}
	switch e.Result {
	case "oif":
		return NFTIfindex
	case "oifname":
		return NFTIfname
	case "type":
		return NFTFibAddrType
	}
	return NFTOpaque
}

func (e *NFTFib) String() string {
	var parts []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{{FIBSaddr, "saddr"}, {FIBDaddr, "daddr"}, {FIBMark, "mark"}, {FIBIIF, "iif"}, {FIBOIF, "oif"}} {
		if e.Flags&f.bit != 0 {
			parts = append(parts, f.name)
		}
	}
	return "fib " + strings.Join(parts, " . ") + " " + e.Result
}

// Load implements NFTExpr. The why of a Yes is the lookup, for the
// match's explanation.
func (e *NFTFib) Load(c *Ctx) (NFTValue, Tri, string) {
	if e.Flags&(FIBSaddr|FIBDaddr) == 0 {
		return NFTValue{}, Maybe, "fib without saddr or daddr (the kernel refuses it)"
	}
	if e.Result == "type" {
		return e.loadType(c)
	}
	if e.Result != "oif" && e.Result != "oifname" {
		return NFTValue{}, Maybe, fmt.Sprintf("fib result %q is not modelled", e.Result)
	}
	p := c.Pkt
	var dev string
	switch {
	case e.Flags&FIBIIF != 0:
		dev = c.In
	case e.Flags&FIBOIF != 0:
		dev = c.Out
	}
	skbDev := c.In
	if skbDev == "" {
		skbDev = c.Out
	}
	found := func(d, why string) (NFTValue, Tri, string) {
		if e.Flags&FIBPresent != 0 {
			if d == "" {
				return NFTNum(0), Yes, why + ": no device (`missing`)"
			}
			return NFTNum(1), Yes, why + ": " + d + " (`exists`)"
		}
		if d == "" {
			return NFTValue{}, Yes, why + ": no device (0, `missing`)"
		}
		return NFTStr(d), Yes, why + ": " + d
	}
	if c.Hook == Prerouting && c.In == "lo" {
		return found(c.In, "the packet came in on the loopback device (nft_fib_is_loopback)")
	}
	v6 := p.Is6()
	if !v6 && p.Src.IsUnspecified() && (p.Dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || netip.MustParsePrefix("224.0.0.0/24").Contains(p.Dst)) {
		return found(skbDev, "source 0.0.0.0 to a broadcast or local multicast address takes the packet's own device")
	}
	q := e.query(c, dev)
	if v6 && c.Hook == Prerouting && p.Proto == 58 && p.Src.IsUnspecified() && isLinkLocal6(p.Dst) {
		return found(c.In, "an ICMPv6 packet from :: to a link-local address takes its input device (nft_fib_v6_skip_icmpv6)")
	}
	fe, ok := c.Env.(FIBEnv)
	if c.Env == nil || !ok {
		return NFTValue{}, Maybe, "farend has no view of the host's routes here"
	}
	res := fe.FIB(q)
	look := fmt.Sprintf("%s lookup %s: %s", map[bool]string{false: "fib", true: "fib6"}[v6], q, res.Why)
	if !res.OK {
		return found("", look+": no route")
	}
	if v6 {
		if res.Type&(AddrLocal|AddrAnycast|AddrBlackhole|AddrUnreachable|AddrProhibit|AddrThrow) != 0 {
			return found("", look+": a local, anycast or reject route")
		}
		if len(res.Devs) == 0 {
			return found("", look+": a route without device")
		}
		if dev != "" {
			if res.Devs[0] == dev && (len(res.Devs) == 1 || allSame(res.Devs)) {
				return found(dev, look+": the route goes out "+dev)
			}
			if res.usesDev(dev) {
				return NFTValue{}, Maybe, look + ": the kernel picks one of the multipath nexthops (" + strings.Join(res.Devs, ", ") + ") by a hash of the flow; only some go out " + dev
			}
			return found("", look+": the route goes out "+res.Devs[0]+", not "+dev)
		}
		if !allSame(res.Devs) {
			return NFTValue{}, Maybe, look + ": the kernel picks one of the multipath nexthops (" + strings.Join(res.Devs, ", ") + ") by a hash of the flow"
		}
		return found(res.Devs[0], look)
	}
	if res.Type == AddrLocal {
		return found("", look+": a local route (nft_fib4_eval gives 0 for RTN_LOCAL)")
	}
	if dev == "" {
		if len(res.Devs) == 0 {
			return found("", look+": a route without device")
		}
		return found(res.Devs[0], look)
	}
	if res.usesDev(dev) {
		return found(dev, look+": a nexthop goes out "+dev)
	}
	return found("", look+": no nexthop goes out "+dev+" ("+strings.Join(res.Devs, ", ")+")")
}

func allSame(ds []string) bool {
	for _, d := range ds {
		if d != ds[0] {
			return false
		}
	}
	return true
}

// query builds the lookup key as nft_fib4_eval / nft_fib6_flowi_init do.
func (e *NFTFib) query(c *Ctx, dev string) FIBQuery {
	p := c.Pkt
	q := FIBQuery{V6: p.Is6(), IIF: "lo"}
	if e.Flags&FIBMark != 0 {
		q.Mark = p.Mark
	}
	daddr := e.Flags&FIBDaddr != 0
	if daddr {
		q.Dst, q.Src = p.Dst, p.Src
	} else {
		q.Dst, q.Src = p.Src, p.Dst
	}
	// `saddr . iif` in FORWARD looks the source up as if it came in on
	// the output device (nft_fib4_eval: `fl4.flowi4_iif =
	// nft_out(pkt)->ifindex`; nft_fib6_flowi_init: `fl6->flowi6_iif =
	// nft_out(pkt)->ifindex`, both when the hook is NF_INET_FORWARD and
	// NFTA_FIB_F_IIF is set), so that ip rules with iif see the reverse
	// flow's input device. IPv6 `type` lookups do not keep it (loadType).
	if !daddr && c.Hook == Forward && e.Flags&FIBIIF != 0 {
		q.IIF = c.Out
	}
	if !q.V6 {
		q.TOS = p.TOS & 0xfc
		// get_saddr: no source from multicast, broadcast or zeronet.
		if q.Src.IsMulticast() || q.Src == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || netip.MustParsePrefix("0.0.0.0/8").Contains(q.Src) {
			q.Src = netip.Addr{}
		}
		return q
	}
	q.Proto = p.Proto
	if isLinkLocal6(q.Dst) {
		q.StrictOIF = true
		q.OIF = dev
		if q.OIF == "" {
			q.OIF = c.In
			if q.OIF == "" {
				q.OIF = c.Out
			}
		}
	}
	// RT6_LOOKUP_F_HAS_SADDR only for a unicast source.
	if q.Src.IsMulticast() || q.Src.IsUnspecified() {
		q.Src = netip.Addr{}
	}
	return q
}

// isLinkLocal6 reports ipv6_addr_type's IPV6_ADDR_LINKLOCAL: fe80::/10 and
// link-local scope multicast (ff02::/16 and ff?2).
func isLinkLocal6(a netip.Addr) bool {
	if !a.Is6() || a.Is4In6() {
		return false
	}
	if a.IsLinkLocalUnicast() {
		return true
	}
	b := a.As16()
	return b[0] == 0xff && b[1]&0x0f == 0x02
}

// loadType is the `type` result: nft_fib4_eval_type (inet_dev_addr_type)
// and __nft_fib6_eval_type.
func (e *NFTFib) loadType(c *Ctx) (NFTValue, Tri, string) {
	p := c.Pkt
	var dev string
	switch {
	case e.Flags&FIBIIF != 0:
		dev = c.In
	case e.Flags&FIBOIF != 0:
		dev = c.Out
	}
	addr := p.Src
	if e.Flags&FIBDaddr != 0 {
		addr = p.Dst
	}
	if c.Env == nil {
		return NFTValue{}, Maybe, "farend has no view of the host's routes here"
	}
	if !p.Is6() {
		t := c.Env.AddrType(addr, dev, ^AddrType(0))
		on := ""
		if dev != "" {
			on = " on " + dev
		}
		return NFTNum(t.rtn()), Yes, fmt.Sprintf("%s is %s%s (inet_dev_addr_type)", addr, NFTFormatNum(NFTFibAddrType, t.rtn()), on)
	}
	fe, ok := c.Env.(FIBEnv)
	if !ok {
		return NFTValue{}, Maybe, "farend has no view of the host's routes here"
	}
	q := e.query(c, dev)
	q.AddrDev = dev
	// The type lookup is an output route lookup (nf_ip6_route ->
	// ip6_route_output_flags_noref sets `fl6->flowi6_iif =
	// LOOPBACK_IFINDEX`): iif is lo even for `saddr . iif` in FORWARD
	// (seen on Linux 6.18: with `ip -6 rule add iif lo unreachable`,
	// `fib saddr . iif type unreachable` matches a forwarded packet while
	// `fib saddr . iif oif exists` finds its input device).
	q.IIF = "lo"
	res := fe.FIB(q)
	look := fmt.Sprintf("fib6 lookup %s: %s", q, res.Why)
	var rtn uint64
	switch {
	case !res.OK || res.Type&(AddrBlackhole|AddrUnreachable|AddrProhibit|AddrThrow) != 0:
		// The error path: -EINVAL blackhole, -EACCES prohibit, -EAGAIN
		// throw, anything else unreachable.
		switch res.Type {
		case AddrBlackhole, AddrProhibit, AddrThrow:
			rtn = res.Type.rtn()
		default:
			rtn = 7 // RTN_UNREACHABLE
		}
	case res.Type == AddrAnycast:
		rtn = 4 // RTN_ANYCAST
	case dev != "" && res.LocalOnDev, dev == "" && res.Type == AddrLocal:
		rtn = 2 // RTN_LOCAL
	case addr.IsMulticast():
		rtn = 5 // RTN_MULTICAST
	case !addr.IsUnspecified():
		rtn = 1 // RTN_UNICAST
	}
	return NFTNum(rtn), Yes, fmt.Sprintf("%s: type %s", look, NFTFormatNum(NFTFibAddrType, rtn))
}
