package ospf

import (
	"net/netip"
	"runtime"
	"slices"
	"sync"

	"farend/internal/model"
)

// RIBRoute is one route of a router's routing table (one VRF, one
// family), from any source, with the IOS code that shows where it came
// from.
type RIBRoute struct {
	Prefix netip.Prefix `json:"prefix"`
	// Code is the IOS routing table code: "C", "L", "S", "O", "O IA", "O
	// E1", "O E2", "O N1", "O N2".
	Code     string       `json:"code"`
	Protocol string       `json:"protocol"`
	Distance int          `json:"distance"`
	Metric   int          `json:"metric"`
	Nexthops []RIBNexthop `json:"nexthops"`
	// Blackhole routes drop (Null0).
	Blackhole bool `json:"blackhole,omitempty"`
	// From says what produced the route (a configuration line, an LSA).
	From string `json:"from,omitempty"`
}

// RIBNexthop is one path of a RIB route.
type RIBNexthop struct {
	Gateway netip.Addr `json:"gateway,omitzero"`
	Iface   string     `json:"interface,omitempty"`
	// Neighbor names the router behind an OSPF next hop.
	Neighbor string `json:"neighbor,omitempty"`
}

// connectedRoute is a prefix of an up interface.
type connectedRoute struct {
	prefix netip.Prefix
	addr   netip.Addr
	iface  string
}

// connected lists the connected prefixes of the device's up interfaces in
// a VRF for one family; IPv6 link-local prefixes are left out, as routing
// tables show them only per interface.
func connected(d *model.Device, vrf string, v6 bool) []connectedRoute {
	var out []connectedRoute
	for i := range d.Interfaces {
		ifc := &d.Interfaces[i]
		cfg := (*model.IfaceConfig)(nil)
		if d.Router != nil {
			cfg = d.Router.Iface(ifc.Name)
		}
		if cfg != nil && (cfg.VRF != vrf || cfg.Shutdown) || !ifc.Up {
			continue
		}
		for _, a := range ifc.Addrs {
			x := a.Prefix.Addr()
			if x.Is6() != v6 || x.IsLinkLocalUnicast() || x.IsLoopback() {
				continue
			}
			out = append(out, connectedRoute{prefix: a.Prefix.Masked(), addr: x, iface: ifc.Name})
		}
	}
	return out
}

// staticRoutes lists the static routes of a VRF and family that would be
// installed: blackholes and interface routes always, routes via a gateway
// when a connected prefix covers the gateway (a recursive lookup through
// other statics or OSPF routes is not modelled).
func staticRoutes(d *model.Device, vrf string, v6 bool) []model.StaticRoute {
	if d.Router == nil {
		return nil
	}
	conn := connected(d, vrf, v6)
	var out []model.StaticRoute
	for _, s := range d.Router.Statics {
		if s.VRF != vrf || s.Prefix.Addr().Is6() != v6 {
			continue
		}
		if s.Blackhole || s.Reject || s.Interface != "" && !s.NextHop.IsValid() {
			out = append(out, s)
			continue
		}
		if s.NextHopVRF != "" && s.NextHopVRF != vrf {
			continue
		}
		for _, c := range conn {
			if c.prefix.Contains(s.NextHop) && (s.Interface == "" || s.Interface == c.iface) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// staticIface is the interface a static route's gateway is on.
func staticIface(d *model.Device, s model.StaticRoute, v6 bool) string {
	if s.Interface != "" {
		return s.Interface
	}
	for _, c := range connected(d, s.VRF, v6) {
		if c.prefix.Contains(s.NextHop) {
			return c.iface
		}
	}
	return ""
}

// RIB is the routing table of one router's VRF and family: connected
// (and, on IOS, local /32 and /128) routes, static routes and the routes
// of the OSPF instances in that VRF, the best per prefix by
// administrative distance, then metric. Distances: connected 0, static 1
// unless configured, OSPF 110 unless `distance` says otherwise (Cisco IOS
// IP Routing: Protocol-Independent Configuration Guide, administrative
// distance table; FRR lib/route_types.txt and zebra/zebra_rib.c
// route_distance).
func (r *Result) RIB(d *model.Device, vrf string, v6 bool) []RIBRoute {
	// Connected, local and static routes: few, merged through a map.
	var small []RIBRoute
	idx := map[netip.Prefix]int{}
	add := func(out *[]RIBRoute, idx map[netip.Prefix]int, x RIBRoute) {
		i, ok := idx[x.Prefix]
		if !ok {
			idx[x.Prefix] = len(*out)
			*out = append(*out, x)
			return
		}
		cur := &(*out)[i]
		if c := preferRIB(x, *cur); c < 0 {
			*cur = x
		} else if c == 0 {
			cur.Nexthops = append(cur.Nexthops, x.Nexthops...)
		}
	}
	ios := d.Router != nil && d.Router.Vendor == "ios"
	for _, c := range connected(d, vrf, v6) {
		add(&small, idx, RIBRoute{Prefix: c.prefix, Code: "C", Protocol: "connected", Nexthops: []RIBNexthop{{Iface: c.iface}}, From: "address on " + c.iface})
		// IOS 15 installs a local host route for each interface address
		// (Cisco IOS IP Routing: "L - local" routes since 15.0). A host
		// prefix (a loopback's /32) is its own connected route.
		if ios && c.prefix.Bits() != c.addr.BitLen() {
			add(&small, idx, RIBRoute{Prefix: netip.PrefixFrom(c.addr, c.addr.BitLen()), Code: "L", Protocol: "local", Nexthops: []RIBNexthop{{Iface: c.iface}}, From: "address on " + c.iface})
		}
	}
	for _, s := range staticRoutes(d, vrf, v6) {
		dist := 1
		if s.Distance.Value > 0 {
			dist = s.Distance.Value
		}
		x := RIBRoute{Prefix: s.Prefix, Code: "S", Protocol: "static", Distance: dist, From: "static route at " + s.Pos.String()}
		switch {
		case s.Blackhole || s.Reject:
			x.Blackhole = true
			x.Nexthops = []RIBNexthop{{Iface: "Null0"}}
		default:
			x.Nexthops = []RIBNexthop{{Gateway: s.NextHop, Iface: staticIface(d, s, v6)}}
		}
		add(&small, idx, x)
	}
	slices.SortFunc(small, func(a, b RIBRoute) int { return prefixCmp(a.Prefix, b.Prefix) })
	// OSPF routes, each instance's already sorted; several instances in
	// one table (rare) are merged through a map too.
	var ins []*Instance
	for _, in := range r.byDev[d] {
		if in.Proc.VRF == vrf && (in.Version == 3) == v6 {
			ins = append(ins, in)
		}
	}
	conv := func(in *Instance, rt *Route, from map[[2]uint32]string, slab *[]RIBNexthop) RIBRoute {
		key := [2]uint32{uint32(rt.Type), uint32(rt.Area)}
		f, ok := from[key]
		if !ok {
			f = in.Name() + " " + rt.Type.String() + " route, area " + rt.Area.String()
			from[key] = f
		}
		start := len(*slab)
		for _, n := range rt.Nexthops {
			dup := false
			for _, y := range (*slab)[start:] {
				dup = dup || y.Gateway == n.Gateway && y.Iface == n.Iface
			}
			if !dup {
				*slab = append(*slab, RIBNexthop{Gateway: n.Gateway, Iface: n.Iface, Neighbor: n.Neighbor})
			}
		}
		return RIBRoute{Prefix: rt.Prefix, Code: rt.Type.Code(), Protocol: "ospf", Distance: int(rt.Distance), Metric: rt.Metric(), From: f,
			Nexthops: (*slab)[start:len(*slab):len(*slab)]}
	}
	// The usual case, one OSPF instance: merge its sorted routes with the
	// sorted connected and static ones, the better route winning.
	if len(ins) <= 1 {
		var routes []*Route
		var in *Instance
		if len(ins) == 1 {
			in = ins[0]
			routes = in.Routes()
		}
		nhs := 0
		for _, rt := range routes {
			nhs += len(rt.Nexthops)
		}
		slab := make([]RIBNexthop, 0, nhs)
		from := map[[2]uint32]string{}
		out := make([]RIBRoute, 0, len(small)+len(routes))
		i, j := 0, 0
		for i < len(small) || j < len(routes) {
			switch {
			case j == len(routes) || i < len(small) && prefixCmp(small[i].Prefix, routes[j].Prefix) < 0:
				out = append(out, small[i])
				i++
			case i == len(small) || prefixCmp(routes[j].Prefix, small[i].Prefix) < 0:
				out = append(out, conv(in, routes[j], from, &slab))
				j++
			default:
				a, b := small[i], conv(in, routes[j], from, &slab)
				switch preferRIB(b, a) {
				case -1:
					a = b
				case 0:
					a.Nexthops = append(append([]RIBNexthop(nil), a.Nexthops...), b.Nexthops...)
				}
				out = append(out, a)
				i++
				j++
			}
		}
		return out
	}
	// Several instances in one table: merge everything through the map.
	var slab []RIBNexthop
	for _, in := range ins {
		from := map[[2]uint32]string{}
		for _, rt := range in.Routes() {
			add(&small, idx, conv(in, rt, from, &slab))
		}
	}
	slices.SortFunc(small, func(a, b RIBRoute) int { return prefixCmp(a.Prefix, b.Prefix) })
	return small
}

// preferRIB compares two routes to one prefix: -1 when a wins, 1 when b
// does, 0 when they share the table (equal distance, metric and kind).
func preferRIB(a, b RIBRoute) int {
	switch {
	case a.Distance != b.Distance:
		if a.Distance < b.Distance {
			return -1
		}
		return 1
	case a.Metric != b.Metric:
		if a.Metric < b.Metric {
			return -1
		}
		return 1
	case a.Code == b.Code && a.Code != "C":
		return 0
	}
	return 1
}

// RIBs computes the global-table RIBs of both families of every device,
// on all CPUs.
func (r *Result) RIBs(devs []*model.Device) map[*model.Device][2][]RIBRoute {
	out := make([][2][]RIBRoute, len(devs))
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(devs); i += n {
				out[i] = [2][]RIBRoute{r.RIB(devs[i], "", false), r.RIB(devs[i], "", true)}
			}
		}()
	}
	wg.Wait()
	m := make(map[*model.Device][2][]RIBRoute, len(devs))
	for i, d := range devs {
		m[d] = out[i]
	}
	return m
}
