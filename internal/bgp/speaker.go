package bgp

import (
	"net/netip"
	"strings"

	"farend/internal/model"
)

// Speaker is one BGP instance of one device (the global one or one VRF's).
type Speaker struct {
	Dev  *model.Device
	Inst *model.BGPInstance
	// RouterID is the configured router id or the one the router chooses.
	RouterID netip.Addr
	// RouterIDFrom says where RouterID came from.
	RouterIDFrom string
}

// Name is "device" or "device vrf X".
func (s *Speaker) Name() string {
	if s.Inst.VRF != "" {
		return s.Dev.Name + " vrf " + s.Inst.VRF
	}
	return s.Dev.Name
}

func (s *Speaker) vendor() string {
	if s.Dev.Router == nil {
		return ""
	}
	return s.Dev.Router.Vendor
}

// isFRR is true for FRR and VyOS (which runs FRR's bgpd).
func (s *Speaker) isFRR() bool { return s.vendor() == "frr" || s.vendor() == "vyos" }

// speakers lists every BGP instance of every device.
func speakers(devs []*model.Device) []*Speaker {
	var out []*Speaker
	for _, d := range devs {
		if d.Router == nil {
			continue
		}
		for i := range d.Router.BGP {
			in := &d.Router.BGP[i]
			s := &Speaker{Dev: d, Inst: in}
			s.RouterID, s.RouterIDFrom = routerID(d, in)
			out = append(out, s)
		}
	}
	return out
}

// routerID is the configured router id, else the highest address of a
// loopback interface, else the highest interface address, in the
// instance's VRF. FRR: zebra/router_id.c router_id_get (the last of the
// sorted loopback list, else of the sorted list of all addresses); IOS:
// "the highest IP address on a loopback interface, or if none, the
// highest IP address on a physical interface" (IP Routing: BGP
// Configuration Guide, "BGP Router ID").
func routerID(d *model.Device, in *model.BGPInstance) (netip.Addr, string) {
	if in.RouterID.IsValid() {
		return in.RouterID, "configured at " + in.Pos.String()
	}
	var lo, any netip.Addr
	for _, a := range ifaceAddrs(d, in.VRF) {
		if a.addr.Is6() || a.addr.IsLoopback() {
			continue
		}
		if a.loopback && (!lo.IsValid() || lo.Less(a.addr)) {
			lo = a.addr
		}
		if !any.IsValid() || any.Less(a.addr) {
			any = a.addr
		}
	}
	if lo.IsValid() {
		return lo, "highest loopback address (router chooses: none configured)"
	}
	return any, "highest interface address (router chooses: none configured)"
}

type ifAddr struct {
	addr     netip.Addr
	prefix   netip.Prefix
	iface    string
	loopback bool
}

// ifaceAddrs lists the addresses of the device's up interfaces in a VRF.
func ifaceAddrs(d *model.Device, vrf string) []ifAddr {
	var out []ifAddr
	for i := range d.Interfaces {
		ifc := &d.Interfaces[i]
		if d.Router != nil {
			if c := d.Router.Iface(ifc.Name); c != nil && (c.VRF != vrf || c.Shutdown) {
				continue
			}
		}
		if !ifc.Up {
			continue
		}
		lo := ifc.Loopback || ifc.Kind == "loopback" || ifc.Name == "lo" || strings.HasPrefix(strings.ToLower(ifc.Name), "loopback")
		for _, a := range ifc.Addrs {
			out = append(out, ifAddr{addr: a.Prefix.Addr(), prefix: a.Prefix, iface: ifc.Name, loopback: lo})
		}
	}
	return out
}

// owns reports whether a is an address of the speaker's VRF.
func (s *Speaker) owns(a netip.Addr) bool {
	for _, x := range ifaceAddrs(s.Dev, s.Inst.VRF) {
		if x.addr == a {
			return true
		}
	}
	return false
}

// peerConfig is a neighbour's settings with its peer-group's merged under
// them (a neighbour's own setting wins: FRR bgpd/bgpd.c peer_group2peer_config_copy;
// IOS "Configuring Peer Groups": member settings override the group's).
func peerConfig(in *model.BGPInstance, n *model.BGPPeer) model.BGPPeer {
	p := *n
	p.AFs = append([]model.BGPPeerAF(nil), n.AFs...)
	if n.PeerGroup == "" {
		return p
	}
	var g *model.BGPPeer
	for i := range in.PeerGroups {
		if in.PeerGroups[i].Group == n.PeerGroup {
			g = &in.PeerGroups[i]
		}
	}
	if g == nil {
		return p
	}
	if p.RemoteAS == 0 && p.RemoteASKind == "" {
		p.RemoteAS, p.RemoteASKind = g.RemoteAS, g.RemoteASKind
	}
	if p.LocalAS == 0 {
		p.LocalAS = g.LocalAS
	}
	if p.UpdateSource == "" {
		p.UpdateSource = g.UpdateSource
	}
	if p.EBGPMultihop == 0 {
		p.EBGPMultihop = g.EBGPMultihop
	}
	if p.TTLSecurity == 0 {
		p.TTLSecurity = g.TTLSecurity
	}
	p.Shutdown = p.Shutdown || g.Shutdown
	p.HasPassword = p.HasPassword || g.HasPassword
	for _, ga := range g.AFs {
		a := p.AF(ga.AFI, ga.SAFI)
		if a == nil {
			p.AFs = append(p.AFs, ga)
			continue
		}
		if a.Active.Pos.IsZero() && !ga.Active.Pos.IsZero() {
			a.Active = ga.Active
		}
		for _, f := range []struct{ dst, src *string }{
			{&a.RouteMapIn, &ga.RouteMapIn}, {&a.RouteMapOut, &ga.RouteMapOut},
			{&a.PrefixListIn, &ga.PrefixListIn}, {&a.PrefixListOut, &ga.PrefixListOut},
			{&a.FilterListIn, &ga.FilterListIn}, {&a.FilterListOut, &ga.FilterListOut},
			{&a.DistributeListIn, &ga.DistributeListIn}, {&a.DistributeListOut, &ga.DistributeListOut},
		} {
			if *f.dst == "" {
				*f.dst = *f.src
			}
		}
		a.NextHopSelf = a.NextHopSelf || ga.NextHopSelf
		a.RRClient = a.RRClient || ga.RRClient
		if a.AllowASIn == 0 {
			a.AllowASIn = ga.AllowASIn
		}
	}
	return p
}
