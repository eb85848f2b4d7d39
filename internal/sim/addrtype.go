package sim

import (
	"net/netip"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/rib"
)

// AddrType answers xt_addrtype (net/netfilter/xt_addrtype.c).
//
// IPv4 (inet_dev_addr_type / inet_addr_type in net/ipv4/fib_frontend.c):
// 0.0.0.0/8 and 255.255.255.255 are broadcast, 224/4 multicast; otherwise
// the type of the longest match in the local table, unicast when there is
// none; limited to a device, a match whose nexthop is another device reads
// unicast.
//
// IPv6 (match_lookup_rt6): a route lookup of the address (limited to a
// device: only routes out of it); an error or reject route is
// unreachable; a local route (or, limited to a device, an address on it)
// is local; anycast routes and subnet-router addresses of connected
// routes are anycast; multicast and unicast come from the address itself.
func (e *env) AddrType(a netip.Addr, dev string, want netfilter.AddrType) netfilter.AddrType {
	if a.Is4() {
		return e.addrType4(a, dev)
	}
	return e.addrType6(a, dev)
}

func (e *env) addrType4(a netip.Addr, dev string) netfilter.AddrType {
	if inNet(a, "0.0.0.0/8") || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netfilter.AddrBroadcast
	}
	if a.IsMulticast() {
		return netfilter.AddrMulticast
	}
	for _, r := range e.h.FIB.Table(model.TableLocal, false) {
		if !r.Dst.Contains(a) {
			continue
		}
		if dev != "" && len(r.Nexthops) > 0 && r.Nexthops[0].Dev != dev {
			return netfilter.AddrUnicast
		}
		return typeBit(r.Type)
	}
	return netfilter.AddrUnicast
}

func (e *env) addrType6(a netip.Addr, dev string) netfilter.AddrType {
	var t netfilter.AddrType
	if a.IsMulticast() {
		t |= netfilter.AddrMulticast
	} else if !a.IsUnspecified() {
		t |= netfilter.AddrUnicast
	} else {
		t |= netfilter.AddrUnspec
	}
	if dev != "" {
		if itf := e.h.Dev.Interface(dev); itf != nil {
			for _, ad := range itf.Addrs {
				if ad.Prefix.Addr() == a {
					t |= netfilter.AddrLocal
				}
			}
		}
	}
	// match_lookup_rt6 asks nf_ip6_route -> ip6_route_output with oif =
	// the device and no source address: ip6_route_output_flags then sets
	// RT6_LOOKUP_F_IFACE (oif given, any source), so only routes out of
	// that device count, and none is "unreachable".
	res := e.h.FIB.Lookup(rib.Flow{Dst: a, IIF: "lo", OIF: dev, StrictOIF: dev != ""})
	if res.Err != rib.OK {
		return t | netfilter.AddrUnreachable
	}
	switch res.Type {
	case model.RouteLocal:
		if dev == "" {
			t |= netfilter.AddrLocal
		}
	case model.RouteAnycast:
		t |= netfilter.AddrAnycast
	}
	if res.Type != model.RouteAnycast && anycastDestination(res.Route, a) {
		t |= netfilter.AddrAnycast
	}
	return t
}

// anycastDestination is the second half of ipv6_anycast_destination
// (include/net/ip6_route.h): a is the subnet-router anycast address of
// the route found, a prefix shorter than /127 without a gateway (the
// address of a connected /64, say, even when no anycast route exists
// because forwarding is off).
func anycastDestination(r *model.Route, a netip.Addr) bool {
	if r == nil || r.Type != model.RouteUnicast || r.Dst.Bits() >= 127 || r.Dst.Masked().Addr() != a {
		return false
	}
	for _, nh := range r.Nexthops {
		if nh.Gateway.IsValid() {
			return false
		}
	}
	return len(r.Nexthops) > 0
}

func typeBit(t model.RouteType) netfilter.AddrType {
	switch t {
	case model.RouteLocal:
		return netfilter.AddrLocal
	case model.RouteBroadcast:
		return netfilter.AddrBroadcast
	case model.RouteAnycast:
		return netfilter.AddrAnycast
	case model.RouteMulticast:
		return netfilter.AddrMulticast
	case model.RouteBlackhole:
		return netfilter.AddrBlackhole
	case model.RouteUnreachable:
		return netfilter.AddrUnreachable
	case model.RouteProhibit:
		return netfilter.AddrProhibit
	case model.RouteThrow:
		return netfilter.AddrThrow
	case model.RouteNAT:
		return netfilter.AddrNAT
	}
	return netfilter.AddrUnicast
}

// SourceAddr picks a source address on dev the way the kernel does for
// MASQUERADE and REDIRECT. IPv4 is inet_select_addr (net/ipv4/devinet.c):
// the first primary address of dev whose subnet holds the target (the
// route's gateway for MASQUERADE), else the first primary address. IPv6
// is ipv6_dev_get_saddr toward the packet's destination (sourceAddr6).
// With no dst (REDIRECT):
// the first address of dev as `ip addr` lists it (the kernel's order),
// global for IPv6: nf_nat_redirect_ipv4 takes in_dev->ifa_list,
// nf_nat_redirect_ipv6 the first of idev->addr_list with the scope of
// the destination (net/netfilter/nf_nat_redirect.c).
func (e *env) SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr {
	if dev == "" {
		if v6 {
			return netip.IPv6Loopback()
		}
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	itf := e.h.Dev.Interface(dev)
	if itf == nil {
		return netip.Addr{}
	}
	if !dst.IsValid() {
		for _, ad := range itf.Addrs {
			a := ad.Prefix.Addr()
			if a.Is6() == v6 && !(v6 && (ad.Scope == "link" || a.IsLinkLocalUnicast())) {
				return a
			}
		}
		return netip.Addr{}
	}
	if v6 {
		return e.sourceAddr6(itf, dst)
	}
	target := dst
	if e.nextHop.IsValid() && e.nextHop.Is4() {
		target = e.nextHop
	}
	var first netip.Addr
	for _, ad := range itf.Addrs {
		a := ad.Prefix.Addr()
		if !a.Is4() || ad.Secondary {
			continue
		}
		if !first.IsValid() {
			first = a
		}
		if ad.Prefix.Masked().Contains(target) {
			return a
		}
	}
	return first
}

// sourceAddr6 is ipv6_dev_get_saddr (net/ipv6/addrconf.c) for a global
// destination, as nf_nat_masquerade_ipv6 calls it with the packet's
// destination and the output device: RFC 6724's rules, of which these
// decide among a host's global addresses: the destination itself (rule
// 1), an address of the output device (rule 5: the other devices'
// addresses are candidates too, for a global destination), then the
// longest prefix shared with the destination, counted up to the
// address's own prefix length (rule 8, IPV6_SADDR_RULE_PREFIX); on a tie
// the first address in the kernel's list order (newest first, as `ip
// addr` prints them) stays.
func (e *env) sourceAddr6(out *model.Interface, dst netip.Addr) netip.Addr {
	best, bestLen := netip.Addr{}, -1
	consider := func(itf *model.Interface) {
		for _, ad := range itf.Addrs {
			a := ad.Prefix.Addr()
			if !a.Is6() || ad.Scope == "link" || ad.Scope == "host" || a.IsLinkLocalUnicast() || a.IsLoopback() {
				continue
			}
			if a == dst {
				best, bestLen = a, 1<<10
				return
			}
			if l := min(commonPrefixLen(a, dst), ad.Prefix.Bits()); l > bestLen {
				best, bestLen = a, l
			}
		}
	}
	consider(out)
	if best.IsValid() {
		return best
	}
	for i := range e.h.Dev.Interfaces {
		consider(&e.h.Dev.Interfaces[i])
	}
	return best
}

func commonPrefixLen(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := 0; i < 16; i++ {
		d := x[i] ^ y[i]
		if d == 0 {
			n += 8
			continue
		}
		for d&0x80 == 0 {
			n++
			d <<= 1
		}
		break
	}
	return n
}
