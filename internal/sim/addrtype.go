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
// IPv6 (match_lookup_rt6): a route lookup of the address (oif = the device
// when limited); an error or reject route is unreachable; a local route
// (or, limited to a device, an address on it) is local; anycast routes are
// anycast; multicast and unicast come from the address itself.
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
	res := e.h.FIB.Lookup(rib.Flow{Dst: a, IIF: "lo", OIF: dev})
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
	return t
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
// (ipv6_dev_get_saddr, RFC 6724) is approximated: the global address of
// dev sharing the longest prefix with the target.
func (e *env) SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr {
	if dev == "" {
		if v6 {
			return netip.IPv6Loopback()
		}
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	target := dst
	if e.nextHop.IsValid() && e.nextHop.Is6() == v6 {
		target = e.nextHop
	}
	itf := e.h.Dev.Interface(dev)
	if itf == nil {
		return netip.Addr{}
	}
	var first, best netip.Addr
	bestLen := -1
	for _, ad := range itf.Addrs {
		a := ad.Prefix.Addr()
		if a.Is6() != v6 || ad.Secondary {
			continue
		}
		if v6 && (ad.Scope == "link" || a.IsLinkLocalUnicast()) {
			continue
		}
		if !first.IsValid() {
			first = a
		}
		if !v6 {
			if ad.Prefix.Masked().Contains(target) {
				return a
			}
			continue
		}
		if l := commonPrefixLen(a, target); l > bestLen {
			best, bestLen = a, l
		}
	}
	if v6 && best.IsValid() {
		return best
	}
	return first
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
