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
	// Inactive says why the router keeps this next hop but does not
	// forward by it ("" when it does).
	Inactive string `json:"inactive,omitempty"`
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
	// OSPF routes come from the instances' frozen tables (freeze),
	// sorted by prefix: each next-hop set is converted once per call and
	// shared by the routes that use it.
	type from struct {
		typ  PathType
		area model.AreaID
		s    string
	}
	type source struct {
		in   *Instance
		t    *routeTable
		from []from // few: one per path type and area
		nhs  [][]RIBNexthop
	}
	open := func(in *Instance) *source {
		s := &source{in: in, t: in.table}
		if s.t == nil || !s.t.frozen {
			s.t = &routeTable{frozen: true}
		}
		n := 0
		for _, set := range s.t.nhs {
			n += len(set)
		}
		slab := make([]RIBNexthop, 0, n)
		s.nhs = make([][]RIBNexthop, len(s.t.nhs))
		for k, set := range s.t.nhs {
			start := len(slab)
			for _, n := range set {
				dup := false
				for _, y := range slab[start:] {
					dup = dup || y.Gateway == n.Gateway && y.Iface == n.Iface && (y.Inactive == "") == (n.Inactive == "")
				}
				if !dup {
					slab = append(slab, RIBNexthop{Gateway: n.Gateway, Iface: n.Iface, Neighbor: n.Neighbor, Inactive: n.Inactive})
				}
			}
			s.nhs[k] = slab[start:len(slab):len(slab)]
		}
		return s
	}
	// emptyNil keeps what a route without next hops always got when
	// several instances share the table: a nil list (null in JSON) until
	// a route with next hops was converted, an empty one after.
	emptyNil, emitted := false, false
	conv := func(s *source, i int) RIBRoute {
		f := &s.t.final[i]
		why := ""
		for _, x := range s.from {
			if x.typ == f.typ && x.area == f.area {
				why = x.s
				break
			}
		}
		if why == "" {
			why = s.in.Name() + " " + f.typ.String() + " route, area " + f.area.String()
			s.from = append(s.from, from{f.typ, f.area, why})
		}
		metric := f.cost
		if f.typ.type2() {
			metric = f.type2
		}
		nh := s.nhs[f.nh]
		if len(nh) > 0 {
			emitted = true
		} else if emptyNil && !emitted {
			nh = nil
		}
		return RIBRoute{Prefix: s.t.plist[f.pfx], Code: f.typ.Code(), Protocol: "ospf", Distance: int(s.t.dist[f.typ]), Metric: int(metric), From: why,
			Nexthops: nh}
	}
	// The usual case, one OSPF instance: merge its sorted routes with the
	// sorted connected and static ones, the better route winning.
	if len(ins) <= 1 {
		var src *source
		if len(ins) == 1 {
			src = open(ins[0])
		} else {
			src = &source{t: &routeTable{frozen: true}}
		}
		routes := src.t.final
		prefix := func(j int) netip.Prefix { return src.t.plist[routes[j].pfx] }
		out := make([]RIBRoute, 0, len(small)+len(routes))
		i, j := 0, 0
		for i < len(small) || j < len(routes) {
			switch {
			case j == len(routes) || i < len(small) && prefixCmp(small[i].Prefix, prefix(j)) < 0:
				out = append(out, small[i])
				i++
			case i == len(small) || prefixCmp(prefix(j), small[i].Prefix) < 0:
				out = append(out, conv(src, j))
				j++
			default:
				a, b := small[i], conv(src, j)
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
	emptyNil = true
	for _, in := range ins {
		src := open(in)
		for j := range src.t.final {
			add(&small, idx, conv(src, j))
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
