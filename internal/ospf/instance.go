package ospf

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"

	"farend/internal/model"
)

// Instance is one OSPF process of one router: what it runs on and what it
// computes.
type Instance struct {
	Dev  *model.Device
	Proc *model.OSPFProcess
	// Version is 2 or 3.
	Version int
	// RouterID is the id the process uses; RouterIDFrom says where it came
	// from. The zero Addr means none could be chosen (the process does
	// not start).
	RouterID     netip.Addr
	RouterIDFrom string
	// Ifaces are the interfaces the process runs on.
	Ifaces []*Iface
	// Areas are the areas with at least one interface, in area id order.
	Areas []model.AreaID
	// ABR is true when the process is an area border router (RFC 3509
	// section 2.2 as FRR and IOS implement it); ABRWhy says why.
	ABR    bool
	ABRWhy string
	// ASBR is true when the process originates external LSAs (also as an
	// NSSA translator).
	ASBR       bool
	translator bool
	// Notes are what farend could not evaluate for this process
	// (redistribution sources and route-map clauses it does not model).
	Notes []string

	idx   int
	dbs   map[model.AreaID]*lsdb // the area LSDB this instance sees
	ext   *lsdb                  // the AS-external LSDB it sees
	spf   map[model.AreaID]*spfResult
	table *routeTable
	// activeBB is true when the process has a Full neighbour in area 0
	// (FRR ospfd/ospf_abr.c ospf_act_bb_connection).
	activeBB bool
	lsas     []*LSA // self-originated
	// vlinks are the virtual links' pseudo-interfaces (virtualLinks).
	vlinks []*Iface
	// transitNow are the backbone routes the transit areas' summaries
	// changed in this computation, transitPrev those of the one before
	// (transitSummaries).
	transitNow, transitPrev map[transitKey]transitRoute
}

// note adds a note once (a route-map clause is met once per route it
// runs on).
func (in *Instance) note(s string) {
	if !slices.Contains(in.Notes, s) {
		in.Notes = append(in.Notes, s)
	}
}

// Name names the instance for people: "cisco2 ospf 72 vrf vrf1".
func (in *Instance) Name() string {
	s := in.Dev.Name + " ospfv2"
	if in.Version == 3 {
		s = in.Dev.Name + " ospfv3"
	}
	if in.Proc.ID != "" {
		s += " " + in.Proc.ID
	}
	if in.Proc.VRF != "" {
		s += " vrf " + in.Proc.VRF
	}
	return s
}

// Vendor is the router's vendor ("ios", "vyos", "frr").
func (in *Instance) Vendor() string {
	if in.Dev.Router == nil {
		return ""
	}
	return in.Dev.Router.Vendor
}

// isFRR reports whether the process is FRR's (VyOS runs FRR too), whose
// ospfd/ospf6d behaviour farend follows where it differs from the RFCs.
func isFRR(in *Instance) bool { return in.Vendor() == "frr" || in.Vendor() == "vyos" }

// Iface is one interface an OSPF process runs on, with the values it
// really uses.
type Iface struct {
	Inst  *Instance
	Cfg   *model.OSPFInterface
	If    *model.Interface
	IfCfg *model.IfaceConfig
	Name  string
	Area  model.AreaID
	// Addr is the interface's primary IPv4 address with its prefix length
	// (OSPFv2); zero for OSPFv3.
	Addr netip.Prefix
	// Prefixes are the global IPv6 prefixes (OSPFv3) or every IPv4 prefix
	// (OSPFv2) of the interface.
	Prefixes []netip.Prefix
	// LinkLocal is the IPv6 link-local address (OSPFv3 next hops); zero
	// when the snapshot does not state it.
	LinkLocal netip.Addr
	Network   model.NetworkType
	Cost      int
	// MTU is the MTU the process advertises in database description
	// packets; MTUKnown is false when the snapshot does not say it.
	MTU      int
	MTUKnown bool
	MTUFrom  string
	Passive  bool
	// Up is false when the interface is shut down.
	Up   bool
	link *link
	// dr is the designated router's interface on the segment (nil on
	// point-to-point links or when there is none).
	dr *Iface
	// full are the neighbours this interface is Full with.
	full []*Iface
	// vl is set on a virtual link's pseudo-interface.
	vl *vlink
}

// Loopback reports whether OSPF treats the interface as a loopback.
func (f *Iface) Loopback() bool { return f.Network == model.NetLoopback }

// instances builds one Instance per OSPF process of every router.
func instances(devs []*model.Device) []*Instance {
	var out []*Instance
	for _, d := range devs {
		if d.Router == nil {
			continue
		}
		for pi := range d.Router.OSPF {
			p := &d.Router.OSPF[pi]
			in := &Instance{Dev: d, Proc: p, Version: p.Version, idx: len(out)}
			in.RouterID, in.RouterIDFrom = routerID(d, p)
			for oi := range p.Interfaces {
				o := &p.Interfaces[oi]
				f := newIface(in, o)
				if f != nil {
					in.Ifaces = append(in.Ifaces, f)
				}
			}
			seen := map[model.AreaID]bool{}
			for _, f := range in.Ifaces {
				if !seen[f.Area] {
					seen[f.Area] = true
					in.Areas = append(in.Areas, f.Area)
				}
			}
			sort.Slice(in.Areas, func(i, j int) bool { return in.Areas[i] < in.Areas[j] })
			out = append(out, in)
		}
	}
	return out
}

// routerID is the configured router id, else the vendor's choice: IOS
// takes the highest IPv4 address of a loopback, else the highest IPv4
// address of an up interface (Cisco OSPF configuration guide, "OSPF
// router ID"); FRR zebra prefers the largest loopback address too
// (zebra/router-id.c router_id_get: the loopback list first). OSPFv3 uses
// the same 32-bit id.
func routerID(d *model.Device, p *model.OSPFProcess) (netip.Addr, string) {
	if p.RouterID.IsValid() {
		return p.RouterID, "configured at " + p.Pos.String()
	}
	if d.Router != nil && p.Version == 3 {
		// An OSPFv3 process without its own id borrows the OSPFv2 one of
		// the same VRF when configured (IOS, FRR ospf6d both take the
		// zebra router id, which an operator usually sets once).
		for _, q := range d.Router.OSPF {
			if q.Version == 2 && q.VRF == p.VRF && q.RouterID.IsValid() {
				return q.RouterID, "the OSPFv2 router-id of the same VRF"
			}
		}
	}
	var lo, any netip.Addr
	for i := range d.Interfaces {
		ifc := &d.Interfaces[i]
		cfg := d.Router.Iface(ifc.Name)
		if cfg != nil && (cfg.VRF != p.VRF || cfg.Shutdown) {
			continue
		}
		for _, a := range ifc.Addrs {
			x := a.Prefix.Addr()
			if !x.Is4() || x.IsLoopback() {
				continue
			}
			if ifc.Loopback || ifc.Kind == "loopback" {
				if !lo.IsValid() || lo.Less(x) {
					lo = x
				}
			}
			if !any.IsValid() || any.Less(x) {
				any = x
			}
		}
	}
	switch {
	case lo.IsValid():
		return lo, "the highest loopback IPv4 address (no router-id configured)"
	case any.IsValid():
		return any, "the highest interface IPv4 address (no router-id configured)"
	}
	return netip.Addr{}, "no router-id configured and no IPv4 address to take one from"
}

// newIface resolves one OSPF interface against the device's interfaces.
func newIface(in *Instance, o *model.OSPFInterface) *Iface {
	d := in.Dev
	ifc := d.Interface(o.Name)
	if ifc == nil {
		return nil
	}
	cfg := d.Router.Iface(o.Name)
	f := &Iface{Inst: in, Cfg: o, If: ifc, IfCfg: cfg, Name: o.Name, Area: o.Area, Network: o.Network,
		Cost: o.Cost.Value, Passive: o.Passive, Up: ifc.Up && (cfg == nil || !cfg.Shutdown)}
	for _, a := range ifc.Addrs {
		x := a.Prefix.Addr()
		switch {
		case in.Version == 2 && x.Is4():
			if !f.Addr.IsValid() && !a.Secondary {
				f.Addr = a.Prefix
			}
			f.Prefixes = append(f.Prefixes, a.Prefix.Masked())
		case in.Version == 3 && x.Is6() && x.IsLinkLocalUnicast():
			if !f.LinkLocal.IsValid() {
				f.LinkLocal = x
			}
		case in.Version == 3 && x.Is6():
			f.Prefixes = append(f.Prefixes, a.Prefix.Masked())
		}
	}
	if f.Network == model.NetUnknown {
		f.Network = model.NetBroadcast
	}
	if !o.Cost.Known() {
		f.Cost = 10
	}
	f.MTU, f.MTUKnown, f.MTUFrom = ddMTU(in, o, ifc)
	return f
}

// ddMTU is the MTU the process puts in its database description packets.
// The parsers record it per vendor (model.OSPFInterface.MTU); for FRR the
// kernel owns the MTU, so it comes from the host's `ip -j link` when the
// snapshot has it. FRR ospfd sends ifp->mtu (ospfd/ospf_packet.c
// ospf_make_db_desc); ospf6d sends oi->ifmtu, the kernel's IPv6 MTU or
// `ipv6 ospf6 ifmtu` when that is lower: a larger ifmtu is clamped to the
// link MTU (ospf6d/ospf6_interface.c ospf6_interface_state_update, "if
// (oi->c_ifmtu > ifp->mtu6) oi->ifmtu = ifp->mtu6").
func ddMTU(in *Instance, o *model.OSPFInterface, ifc *model.Interface) (int, bool, string) {
	m := o.MTU
	if in.Vendor() == "frr" {
		if ifc.MTU == 0 {
			if m.Value > 0 {
				return m.Value, true, m.From
			}
			return 0, false, "the kernel's MTU of " + ifc.Name + " is not in the snapshot (add hosts/" + in.Dev.Name + "/ip-link.json)"
		}
		if in.Version == 3 && m.Value > 0 && !m.Pos.IsZero() {
			if m.Value <= ifc.MTU {
				return m.Value, true, fmt.Sprintf("ipv6 ospf6 ifmtu %d at %s (below the link MTU %d)", m.Value, m.Pos, ifc.MTU)
			}
			return ifc.MTU, true, fmt.Sprintf("the link MTU %d: ipv6 ospf6 ifmtu %d at %s is larger and ospf6d only lowers the MTU (ospf6d/ospf6_interface.c)", ifc.MTU, m.Value, m.Pos)
		}
		what := "ospfd advertises the kernel's interface MTU (ospfd/ospf_packet.c ospf_make_db_desc)"
		if in.Version == 3 {
			what = "ospf6d advertises the kernel's IPv6 MTU (ospf6d/ospf6_interface.c ospf6_interface_create)"
		}
		return ifc.MTU, true, fmt.Sprintf("%d: %s", ifc.MTU, what)
	}
	if m.Known() && m.Value > 0 {
		return m.Value, true, m.From
	}
	if ifc.MTU > 0 {
		return ifc.MTU, true, "the interface MTU"
	}
	return 0, false, "not stated in the snapshot"
}
