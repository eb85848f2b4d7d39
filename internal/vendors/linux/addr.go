package linux

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
)

// ParseAddrs reads the output of `ip -j addr show` and merges the
// addresses into ifs, the interfaces ParseLinks read (matched by ifindex,
// then by name). ifs may be nil when ip-link.json is missing: the
// interfaces are then built from this file alone (without tunnel or kind
// details, which only `ip -d link` prints). Interfaces only this file
// lists are added and noted; link-level values that differ between the
// two files are noted too (a snapshot is not atomic). ifs is not modified.
func ParseAddrs(file string, data []byte, ifs []model.Interface) ([]model.Interface, source.Notes) {
	out, notes, _ := parseAddrs(file, data, ifs)
	return out, notes
}

func parseAddrs(file string, data []byte, ifs []model.Interface) ([]model.Interface, source.Notes, []*node) {
	elems, notes := decodeArray(file, data)
	out := make([]model.Interface, len(ifs))
	copy(out, ifs)
	for i := range out {
		out[i].Addrs = append([]model.Address(nil), out[i].Addrs...)
	}
	added := false
	for i, e := range elems {
		pos := source.Pos{File: file, Index: i}
		if e.kind != kObject {
			notes.Add(pos, e.String(), "expected an object")
			continue
		}
		o := newObj(e, pos, &notes)
		ifc, ok := parseLink(o)
		if !ok {
			continue
		}
		var addrs []model.Address
		parseAddrInfo(o, &addrs)
		o.finish()
		j := find(out, ifc)
		if j < 0 {
			if ifs != nil {
				notes.Add(pos, "ifname="+strconv.Quote(ifc.Name), "interface missing from the links file")
			}
			ifc.Addrs = addrs
			out = append(out, ifc)
			added = true
			continue
		}
		compare(&notes, pos, out[j], ifc)
		out[j].Addrs = append(out[j].Addrs, addrs...)
	}
	if added {
		sort.SliceStable(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	}
	notes.Sort()
	return out, notes, elems
}

// find returns the index in ifs of the interface with ifc's index (or,
// lacking one, its name), or -1.
func find(ifs []model.Interface, ifc model.Interface) int {
	for i := range ifs {
		if ifc.Index != 0 && ifs[i].Index == ifc.Index || ifc.Index == 0 && ifs[i].Name == ifc.Name {
			return i
		}
	}
	return -1
}

// compare notes link values that the addresses file disagrees on.
func compare(notes *source.Notes, pos source.Pos, link, addr model.Interface) {
	diff := func(key string, a, l any) {
		notes.Add(pos, fmt.Sprintf("%s=%v", key, a), fmt.Sprintf("differs from the links file (%v at %s)", l, link.Pos))
	}
	if addr.Name != link.Name {
		diff("ifname", strconv.Quote(addr.Name), strconv.Quote(link.Name))
	}
	if addr.MTU != link.MTU {
		diff("mtu", addr.MTU, link.MTU)
	}
	if addr.Up != link.Up || addr.LowerUp != link.LowerUp {
		diff("flags(UP,LOWER_UP)", fmt.Sprint(addr.Up, ",", addr.LowerUp), fmt.Sprint(link.Up, ",", link.LowerUp))
	}
	if addr.Master != link.Master {
		diff("master", strconv.Quote(addr.Master), strconv.Quote(link.Master))
	}
}

// parseAddrInfo reads the "addr_info" array (ip/ipaddress.c
// print_addrinfo): one object per address.
func parseAddrInfo(o obj, addrs *[]model.Address) {
	elems, ok := o.arr("addr_info")
	if !ok {
		return
	}
	for i, e := range elems {
		a, ok := o.elem("addr_info", i, e)
		if !ok {
			continue
		}
		if ad, ok := parseAddr(a); ok {
			*addrs = append(*addrs, ad)
		}
		a.finish()
	}
}

func parseAddr(a obj) (model.Address, bool) {
	var ad model.Address
	fam, _ := a.str("family")
	if fam != "inet" && fam != "inet6" {
		a.notes.Add(a.pos, a.path+"family="+strconv.Quote(fam), "address family not modelled")
		a.ignoreAll()
		return ad, false
	}
	// IFA_LOCAL is "local"; IFA_ADDRESS, when it differs, is the peer of a
	// point-to-point address and prints as "address".
	local, okL := a.addr("local")
	peer, okP := a.addr("address")
	if !okL && okP {
		local, okP = peer, false
	}
	plen, okN := a.uint("prefixlen", 8)
	if !okL || !okN {
		a.notes.Add(a.pos, a.path+"local/prefixlen", "address without local address or prefix length skipped")
		a.ignoreAll()
		return ad, false
	}
	if (fam == "inet") != local.Is4() || int(plen) > local.BitLen() {
		a.notes.Add(a.pos, a.path+"local="+local.String()+"/"+strconv.Itoa(int(plen)), "address does not fit family "+fam+"; skipped")
		a.ignoreAll()
		return ad, false
	}
	ad.Prefix = netip.PrefixFrom(local, int(plen))
	if okP && peer != local {
		// With a peer the prefix length is the peer's (the kernel's
		// ifa_address/ifa_prefixlen): the connected route is
		// Peer.Masked(), the local address is a host address.
		ad.Peer = netip.PrefixFrom(peer, int(plen))
		ad.Prefix = netip.PrefixFrom(local, local.BitLen())
	}
	if s, ok := a.str("scope"); ok {
		ad.Scope = s
	}
	ad.Secondary = a.flag("secondary")
	ad.NoDAD = a.flag("nodad")
	for _, k := range []string{"tentative", "dadfailed"} {
		if f := a.take(k); f != nil {
			a.bad(f, "IPv6 duplicate address detection not finished or failed: the kernel does not use this address yet")
		}
	}
	a.ignore(ignoredAddrKeys)
	return ad, true
}

var ignoredAddrKeys = map[string]string{
	"label":               "IPv4 alias label",
	"broadcast":           "reflected in the local table",
	"anycast":             "reflected in the local table",
	"valid_life_time":     "lifetime",
	"preferred_life_time": "lifetime",
	"deprecated":          "source address selection only",
	"temporary":           "IPv6 privacy address (source selection only)",
	"dynamic":             "from autoconfiguration",
	"mngtmpaddr":          "privacy address template",
	"stable-privacy":      "address generation",
	"optimistic":          "optimistic DAD",
	"home":                "mobile IPv6 home address",
	"noprefixroute":       "reflected in the route table",
	"autojoin":            "multicast join",
	"metric":              "reflected in the route table (prefix route metric)",
	"protocol":            "who added the address",
	"proto":               "who added the address",
}
