package ospf

import (
	"net/netip"

	"farend/internal/model"
)

// Imported is a route of another routing protocol that an OSPF process
// may redistribute: one installed in the device's routing table (today:
// BGP, from internal/bgp).
type Imported struct {
	Prefix netip.Prefix
	// NextHop is the protocol's next hop (the BGP NEXT_HOP), the candidate
	// forwarding address.
	NextHop netip.Addr
	// Internal is true for a route learned over iBGP.
	Internal bool
	// What says where the route came from, for the LSDB view.
	What string
}

// Importer lists the routes of protocol proto ("bgp") installed in a
// device's table of vrf. nil means nothing was computed for the other
// protocols (every `redistribute bgp` is then reported as unknown).
type Importer func(d *model.Device, vrf string, v6 bool, proto string) []Imported

// ComputeWith is Compute with the routes of other protocols that
// `redistribute` may take (internal/bgp runs the two to a fixed point:
// bgp.Solve).
func ComputeWith(devs []*model.Device, imp Importer) *Result {
	return compute(devs, imp)
}

// Redistributes reports whether any OSPF process of the devices
// redistributes proto.
func Redistributes(devs []*model.Device, proto string) bool {
	for _, d := range devs {
		if d.Router == nil {
			continue
		}
		for _, p := range d.Router.OSPF {
			for _, r := range p.Redistribute {
				if r.Protocol == proto {
					return true
				}
			}
		}
	}
	return false
}
