package topology

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"farend/internal/model"
)

// ifAddr is one address of one interface.
type ifAddr struct {
	ep  Endpoint
	pfx netip.Prefix
}

// connected reports whether an interface address joins the interface to
// a subnet other devices can share: not on a loopback interface, not
// link-local (every link has fe80::/64), not host-scoped, not a host
// route (/32, /128) and not a point-to-point address (peers pair by
// address, see peer.go).
func connected(ifc *model.Interface, a model.Address) bool {
	if ifc.Loopback || ifc.Kind == "loopback" || a.Peer.IsValid() || !a.Prefix.IsValid() {
		return false
	}
	ad := a.Prefix.Addr()
	if ad.IsLinkLocalUnicast() || ad.IsLoopback() || ad.IsMulticast() || ad.IsUnspecified() || a.Scope == "host" {
		return false
	}
	return a.Prefix.Bits() < ad.BitLen()
}

// subnets groups the interfaces by connected prefix: a prefix with two
// interfaces is a link, with more a segment (prefixes with the same
// members make one segment); a prefix with one interface is the edge of
// the snapshot unless its addresses say otherwise (a /31 or /127 whose
// other address is missing, overlapping prefixes of different lengths).
func (b *builder) subnets() {
	var all []ifAddr
	for _, d := range b.devs {
		for i := range d.Interfaces {
			ifc := &d.Interfaces[i]
			for _, a := range ifc.Addrs {
				if connected(ifc, a) {
					all = append(all, ifAddr{Endpoint{d.Name, ifc.Name}, a.Prefix})
				}
			}
		}
	}
	all = b.dropDuplicates(all)
	groups := map[netip.Prefix][]ifAddr{}
	for _, x := range all {
		groups[x.pfx.Masked()] = append(groups[x.pfx.Masked()], x)
	}
	prefixes := make([]netip.Prefix, 0, len(groups))
	for p := range groups {
		prefixes = append(prefixes, p)
	}
	sort.Slice(prefixes, func(i, j int) bool { return prefixLess(prefixes[i], prefixes[j]) })

	segs := map[string]*Segment{}
	var segOrder []string
	stub := map[netip.Prefix]bool{}
	for _, p := range prefixes {
		g := groups[p]
		eps := endpointsOf(g)
		switch {
		case len(eps) == 2:
			b.link(eps[0], eps[1], Reason{Kind: KindSubnet, Text: "both in " + p.String()})
		case len(eps) > 2:
			key := endpointKey(eps)
			s := segs[key]
			if s == nil {
				s = &Segment{}
				for _, e := range eps {
					s.Members = append(s.Members, Member{Endpoint: e})
				}
				segs[key] = s
				segOrder = append(segOrder, key)
			}
			s.Prefixes = append(s.Prefixes, p)
			s.Reasons = append(s.Reasons, Reason{Kind: KindSubnet, Text: fmt.Sprintf("all %d in %s", len(eps), p)})
			for i := range s.Members {
				for _, x := range g {
					if x.ep == s.Members[i].Endpoint {
						s.Members[i].Addrs = append(s.Members[i].Addrs, x.pfx)
					}
				}
			}
		case len(eps) == 1:
			stub[p] = true
		}
	}
	for _, k := range segOrder {
		b.segments = append(b.segments, *segs[k])
	}
	b.stubs(prefixes, groups, stub, all)
}

// dropDuplicates reports an address configured on more than one
// interface (re-used address space, a copied configuration) and leaves
// those interfaces' copies of it out of every subnet.
func (b *builder) dropDuplicates(all []ifAddr) []ifAddr {
	by := map[netip.Addr][]ifAddr{}
	for _, x := range all {
		by[x.pfx.Addr()] = append(by[x.pfx.Addr()], x)
	}
	var out []ifAddr
	for _, x := range all {
		dup := by[x.pfx.Addr()]
		eps := endpointsOf(dup)
		if len(eps) < 2 {
			out = append(out, x)
			continue
		}
		if x != dup[0] {
			continue
		}
		var names []string
		for _, y := range dup {
			names = append(names, y.ep.String()+" ("+y.pfx.String()+")")
		}
		sort.Strings(names)
		b.unpair(Unpaired{Endpoint: eps[0], With: eps[1], Kind: KindDuplicate,
			Reason: fmt.Sprintf("%s is configured on %s: left out of subnet links (re-used address space? name the real links in links.yaml)",
				x.pfx.Addr(), strings.Join(names, " and "))})
	}
	return out
}

// stubs explains single-interface prefixes that look like half a link:
// two of them whose addresses overlap with different prefix lengths (a
// typo on one side), a /31 or /127 whose other address is missing.
func (b *builder) stubs(prefixes []netip.Prefix, groups map[netip.Prefix][]ifAddr, stub map[netip.Prefix]bool, all []ifAddr) {
	owners := b.owners()
	reported := map[[2]ifAddr]bool{}
	for _, p := range prefixes {
		if !stub[p] {
			continue
		}
		x := groups[p][0]
		overlap := false
		for _, y := range all {
			if y.ep.Node == x.ep.Node || y.pfx.Masked() == p || !stub[y.pfx.Masked()] {
				continue
			}
			short, long := x, y
			if long.pfx.Bits() < short.pfx.Bits() {
				short, long = long, short
			}
			if !short.pfx.Contains(long.pfx.Addr()) {
				continue
			}
			overlap = true
			k := [2]ifAddr{short, long}
			if reported[k] {
				continue
			}
			reported[k] = true
			first, second := x, y
			if second.ep.Less(first.ep) {
				first, second = second, first
			}
			b.unpair(Unpaired{Endpoint: first.ep, With: second.ep, Kind: KindPrefixLength,
				Reason: fmt.Sprintf("%s %s and %s %s overlap but their prefix lengths differ: no shared subnet", first.ep, first.pfx, second.ep, second.pfx)})
		}
		if overlap || p.Bits() != p.Addr().BitLen()-1 {
			continue
		}
		other := p.Addr()
		if other == x.pfx.Addr() {
			other = other.Next()
		}
		why := "is no device's address: the far end is outside the snapshot"
		if own := owners[other]; len(own) > 0 {
			why = "is " + own[0].String() + "'s address, not in this subnet there"
		}
		b.unpair(Unpaired{Endpoint: x.ep, Kind: KindPointToPoint,
			Reason: fmt.Sprintf("the other address of %s, %s, %s", x.pfx, other, why)})
	}
}

// owners maps every address of every interface (loopbacks and host
// addresses too: tunnels often start there) to its interfaces.
func (b *builder) owners() map[netip.Addr][]Endpoint {
	m := map[netip.Addr][]Endpoint{}
	for _, d := range b.devs {
		for _, ifc := range d.Interfaces {
			for _, a := range ifc.Addrs {
				ad := a.Prefix.Addr()
				if !ad.IsValid() || ad.IsLoopback() || ad.IsLinkLocalUnicast() {
					continue
				}
				m[ad] = appendUnique(m[ad], Endpoint{d.Name, ifc.Name})
			}
		}
	}
	return m
}

func endpointsOf(g []ifAddr) []Endpoint {
	var eps []Endpoint
	for _, x := range g {
		eps = appendUnique(eps, x.ep)
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Less(eps[j]) })
	return eps
}

func endpointKey(eps []Endpoint) string {
	var s []string
	for _, e := range eps {
		s = append(s, e.String())
	}
	return strings.Join(s, "\x00")
}

func appendUnique(eps []Endpoint, e Endpoint) []Endpoint {
	for _, x := range eps {
		if x == e {
			return eps
		}
	}
	return append(eps, e)
}

// prefixLess orders IPv4 before IPv6, then by address and length.
func prefixLess(a, b netip.Prefix) bool {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c < 0
	}
	return a.Bits() < b.Bits()
}
