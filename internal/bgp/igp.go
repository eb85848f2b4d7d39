package bgp

import (
	"net/netip"

	"farend/internal/model"
	"farend/internal/ospf"
)

// igp holds the RIBs without BGP (connected, local, static, OSPF) that
// sessions and next hops are resolved through.
type igp struct {
	res  *ospf.Result
	ribs map[igpKey][]ospf.RIBRoute
}

type igpKey struct {
	d   *model.Device
	vrf string
}

func (g *igp) rib(d *model.Device, vrf string) []ospf.RIBRoute {
	k := igpKey{d, vrf}
	if r, ok := g.ribs[k]; ok {
		return r
	}
	r := g.res.RIB(d, vrf, false)
	g.ribs[k] = r
	return r
}

// lookup is the longest-prefix match for a in the device's IGP RIB.
// noDefault leaves the default route out: FRR resolves BGP next hops
// without it unless `ip nht resolve-via-default` (zebra/zebra_rnh.c
// zebra_rnh_resolve_nexthop_entry, rnh_resolve_via_default).
func (g *igp) lookup(d *model.Device, vrf string, a netip.Addr, noDefault bool) *ospf.RIBRoute {
	var best *ospf.RIBRoute
	rib := g.rib(d, vrf)
	for i := range rib {
		r := &rib[i]
		if noDefault && r.Prefix.Bits() == 0 {
			continue
		}
		if r.Prefix.Contains(a) && !r.Blackhole && (best == nil || r.Prefix.Bits() > best.Prefix.Bits()) {
			best = r
		}
	}
	return best
}

// connectedTo is the connected prefix and interface of the device in vrf
// that holds a, if any.
func connectedTo(d *model.Device, vrf string, a netip.Addr) (ifAddr, bool) {
	for _, x := range ifaceAddrs(d, vrf) {
		if x.prefix.Contains(a) && x.prefix.Bits() < x.addr.BitLen() {
			return x, true
		}
	}
	return ifAddr{}, false
}
