package ospf

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// external is one route a process redistributes.
type external struct {
	prefix netip.Prefix
	metric int
	e2     bool
	tag    uint32
	// nexthop is the redistributed route's gateway (forwarding address
	// candidate); zero for connected and blackhole routes.
	nexthop netip.Addr
	// dn is the DN bit (RFC 4576): set by a PE on LSAs for BGP routes.
	dn   bool
	what string
}

// Default metrics of redistributed routes. FRR: 20, type 2
// (ospfd/ospf_lsa.h DEFAULT_DEFAULT_METRIC, DEFAULT_METRIC_TYPE;
// ospf6d/ospf6_lsa.h the same); a default route from `default-information
// originate` gets 10, or 1 with `always` (DEFAULT_DEFAULT_ORIGINATE_METRIC,
// DEFAULT_DEFAULT_ALWAYS_METRIC; ospfd/ospf_lsa.c metric_value). IOS: 20
// for redistributed routes other than BGP, 1 for the default route, type
// 2 (Cisco IOS IP Routing: OSPF Command Reference, redistribute (IP) and
// default-information originate).
//
// IOS gives redistributed BGP routes metric 1 (Cisco IOS IP Routing: OSPF
// Command Reference, default-metric: "The default metric for
// redistributed BGP routes is 1"); FRR uses 20 for every source.
func defaultMetric(in *Instance, def bool, always bool, proto string) int {
	if in.Vendor() == "ios" {
		if def || proto == "bgp" {
			return 1
		}
		return 20
	}
	if def {
		if always {
			return 1
		}
		return 10
	}
	return 20
}

// redistMetric is the metric of routes redistributed from proto when
// the `redistribute` line sets none: `default-metric` when configured
// (FRR ospfd/ospf_lsa.c metric_value; IOS OSPF Command Reference,
// default-metric), else the vendor's default. The default route of
// `default-information originate` does not take it (metric_value's
// DEFAULT_ROUTE branch).
func redistMetric(in *Instance, proto string) int {
	if d := in.Proc.DefaultMetric; d != nil {
		return d.Value
	}
	return defaultMetric(in, false, false, proto)
}

// classful reports whether p is a classful network: Cisco IOS
// `redistribute` into OSPF without `subnets` takes only those (OSPF
// Command Reference, redistribute (IP): "subnets ... for redistributing
// routes into OSPF"; without it only classful networks are redistributed).
func classful(p netip.Prefix) bool {
	if !p.Addr().Is4() {
		return true
	}
	b := p.Addr().As4()[0]
	switch {
	case b < 128:
		return p.Bits() == 8
	case b < 192:
		return p.Bits() == 16
	case b < 224:
		return p.Bits() == 24
	}
	return false
}

// externals lists what an instance redistributes, from the device's
// connected and static routes (the same RIB code that builds the routing
// table: connected and staticRoutes in rib.go) and the other protocols'
// routes imp gives (BGP). What it cannot evaluate goes to in.Notes.
func externals(in *Instance, imp Importer) []external {
	var out []external
	v6 := in.Version == 3
	for _, r := range in.Proc.Redistribute {
		metric := r.Metric
		if metric == 0 {
			metric = redistMetric(in, r.Protocol)
		}
		at := " at " + r.Pos.String()
		add := func(e external) {
			if in.Vendor() == "ios" && !r.Subnets && !v6 && !classful(e.prefix) {
				return
			}
			e.metric, e.e2 = metric, r.MetricType != 1
			if r.Tag != 0 {
				e.tag = r.Tag
			}
			if r.RouteMap != "" && !redistRouteMap(in, r.RouteMap, &e) {
				return
			}
			out = append(out, e)
		}
		switch r.Protocol {
		case "connected":
			for _, c := range connected(in.Dev, in.Proc.VRF, v6) {
				// FRR ospfd does not redistribute a connected prefix of an
				// interface OSPF runs on (ospfd/ospf_zebra.c
				// ospf_distribute_check_connected); IOS neither: the network
				// is already an internal route. ospf6d has no such check.
				if !(v6 && in.Vendor() != "ios") && coveredByOSPF(in, c.prefix) {
					continue
				}
				add(external{prefix: c.prefix, what: "redistribute connected" + at})
			}
		case "static":
			for _, st := range staticRoutes(in.Dev, in.Proc.VRF, v6) {
				add(external{prefix: st.Prefix, nexthop: st.NextHop, what: fmt.Sprintf("redistribute static%s (ip route %s at %s)", at, st.Prefix, st.Pos)})
			}
		case "bgp":
			redistBGP(in, imp, r, add)
		default:
			in.note(fmt.Sprintf("`redistribute %s`%s: routes of %s are not modelled; whatever it adds to OSPF is missing here", r.Protocol, at, r.Protocol))
		}
	}
	if d := in.Proc.DefaultOriginate; d != nil {
		if d.Always || hasStaticDefault(in) {
			m := d.Metric
			if m == 0 {
				m = defaultMetric(in, true, d.Always, "")
			}
			out = append(out, external{prefix: defaultPrefix(in), metric: m, e2: d.MetricType != 1, what: "default-information originate at " + d.Pos.String()})
		}
	}
	return out
}

// coveredByOSPF reports whether p lies inside the subnet of one of the
// instance's up interfaces.
func coveredByOSPF(in *Instance, p netip.Prefix) bool {
	for _, f := range in.Ifaces {
		if !f.Up {
			continue
		}
		for _, q := range f.Prefixes {
			if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				return true
			}
		}
	}
	return false
}

// forwardingAddress is the forwarding address of a type-5 LSA: the
// redistributed route's gateway when it lies on an up OSPF interface's
// subnet, else zero (FRR ospfd/ospf_lsa.c ospf_external_lsa_nexthop_get;
// RFC 2328 12.4.4.1). OSPFv3 LSAs from ospf6d carry none.
//
// IOS is stricter (Cisco technote 13682, "Common Routing Problem with
// OSPF Forwarding Address"): the interface toward the gateway must run
// OSPF, must not be passive and must be neither point-to-point nor
// point-to-multipoint; otherwise the forwarding address is 0.0.0.0.
//
// type7 asks for the candidate of a type-7 LSA: the technote describes
// type-5 LSAs, so for IOS type-7 LSAs the FRR rule stays (unchecked).
func forwardingAddress(in *Instance, nh netip.Addr, type7 bool) netip.Addr {
	if !nh.IsValid() || in.Version == 3 {
		return netip.Addr{}
	}
	for _, f := range in.Ifaces {
		if !f.Up || !f.Addr.IsValid() || !f.Addr.Masked().Contains(nh) {
			continue
		}
		if in.Vendor() == "ios" && !type7 && (f.Passive || f.Network == model.NetPointToPoint || f.Network == model.NetPointToMultipoint || f.Network == model.NetPointToMultipointNB) {
			continue
		}
		return nh
	}
	return netip.Addr{}
}

// nssaForwardingAddress is the forwarding address of a type-7 LSA with
// the P-bit: the route's own when it has one, else the first OSPF
// interface address in the NSSA (FRR ospfd/ospf_lsa.c ospf_get_nssa_ip,
// RFC 3101 2.3). No address means no type-7 LSA (ospf_install_flood_nssa
// "Could not build FWD-ADDR").
func nssaForwardingAddress(in *Instance, area model.AreaID, fa netip.Addr) netip.Addr {
	if fa.IsValid() {
		return fa
	}
	var first netip.Addr
	for _, f := range ifaceOrder(in) {
		if !f.Up || !f.Addr.IsValid() || areaType(in, f.Area) != model.AreaNSSA {
			continue
		}
		if !first.IsValid() {
			first = f.Addr.Addr()
		}
		if f.Area == area {
			return f.Addr.Addr()
		}
	}
	return first
}

// nssaForwardingAddress6 is the forwarding address FRR ospf6d puts in
// every type-7 LSA it originates into area: the first global IPv6 address
// of the first up interface of the area (ospf6d/ospf6_nssa.c
// ospf6_get_nssa_fwd_addr, ospf6_nssa_lsa_originate).
func nssaForwardingAddress6(in *Instance, area model.AreaID) netip.Addr {
	for _, f := range ifaceOrder(in) {
		if f.Up && f.Area == area && len(f.Prefixes) > 0 {
			for _, a := range f.If.Addrs {
				if x := a.Prefix.Addr(); x.Is6() && !x.IsLinkLocalUnicast() {
					return x
				}
			}
		}
	}
	return netip.Addr{}
}

// frr6 reports whether the instance is FRR's (or VyOS's) ospf6d.
func frr6(in *Instance) bool {
	return in.Version == 3 && isFRR(in)
}

// defaultPrefix is 0.0.0.0/0 or ::/0 for the instance's version.
func defaultPrefix(in *Instance) netip.Prefix {
	if in.Version == 3 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}

// hasStaticDefault reports whether the instance's RIB has a static
// default route (the only source of a default route farend knows
// besides OSPF itself).
func hasStaticDefault(in *Instance) bool {
	for _, s := range staticRoutes(in.Dev, in.Proc.VRF, in.Version == 3) {
		if s.Prefix.Bits() == 0 {
			return true
		}
	}
	return false
}
