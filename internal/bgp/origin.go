package bgp

import (
	"fmt"
	"net/netip"

	"farend/internal/ospf"
)

// Locally originated routes carry weight 32768 (IOS: "routes that the
// router originates have a weight of 32768 by default", BGP Configuration
// Guide, "BGP Best Path Selection"; FRR bgpd/bgp_attr.c
// bgp_attr_default_set, BGP_ATTR_DEFAULT_WEIGHT) and local preference 100
// (RFC 4271 5.1.5; FRR/IOS `bgp default local-preference` 100).
const (
	localWeight      = 32768
	defaultLocalPref = 100
)

// originate lists the routes a speaker originates in IPv4 unicast, and
// notes for the `network` statements that originate nothing.
func (c *computation) originate(s *Speaker) (out []*Path, notes []string) {
	af := s.Inst.AF("ipv4", "unicast")
	if af == nil {
		return nil, nil
	}
	rib := c.igp.rib(s.Dev, s.Inst.VRF)
	find := func(p netip.Prefix) *ospf.RIBRoute {
		for i := range rib {
			if rib[i].Prefix == p {
				return &rib[i]
			}
		}
		return nil
	}
	base := func(p netip.Prefix, kind, src string) *Path {
		return &Path{Prefix: p, Local: true, Kind: kind, Src: src, Weight: localWeight, LocalPref: defaultLocalPref, HasMED: true}
	}
	for _, n := range af.Networks {
		if !n.Prefix.Addr().Is4() {
			continue
		}
		p := base(n.Prefix, "network", "network "+n.Prefix.String()+" at "+n.Pos.String())
		p.Origin = OriginIGP
		// IOS: "the network command ... the prefix must exactly match an
		// entry in the IP routing table" (BGP Configuration Guide,
		// "Injecting BGP routes": network statements); FRR does the same
		// when `bgp network import-check` is on (BGP_FLAG_IMPORT_CHECK,
		// default by profile in bgpd/bgp_vty.c), else it announces the
		// prefix unconditionally.
		if s.Inst.NetworkImportCheck.On {
			r := find(n.Prefix)
			if r == nil {
				notes = append(notes, fmt.Sprintf("%s: `network %s` announces nothing: no route to exactly %s in the routing table (network import check: %s)", s.Name(), n.Prefix, n.Prefix, flagFrom(s.Inst.NetworkImportCheck)))
				continue
			}
			// FRR bgp_static_update: MED is the IGP metric of the
			// matching route (bgp_static->igpmetric); IOS likewise.
			p.MED = uint32(r.Metric)
		}
		if n.RouteMap != "" {
			ok, why, unk := applyRouteMap(s.Dev.Router, n.RouteMap, p)
			c.unknown = append(c.unknown, prefixed(s, unk)...)
			if !ok {
				notes = append(notes, fmt.Sprintf("%s: `network %s route-map %s`: %s", s.Name(), n.Prefix, n.RouteMap, why))
				continue
			}
		}
		out = append(out, p)
	}
	// Redistribution takes the routes of that protocol selected in the
	// routing table (IOS and FRR zebra redistribute the selected route
	// only), with origin incomplete, MED the route's metric and next hop
	// its gateway (FRR bgpd/bgp_zebra.c zebra_read_route ->
	// bgp_redistribute_add; 0.0.0.0 for connected routes).
	for _, rd := range af.Redistribute {
		var code func(string) bool
		switch rd.Protocol {
		case "connected":
			code = func(c string) bool { return c == "C" }
		case "static":
			code = func(c string) bool { return c == "S" }
		case "ospf":
			code = func(c string) bool { return len(c) > 0 && c[0] == 'O' }
			if s.vendor() == "ios" {
				code = iosOSPFMatch(rd.Match)
			}
		default:
			c.unknown = append(c.unknown, fmt.Sprintf("%s: `redistribute %s` is not modelled", s.Name(), rd.Protocol))
			continue
		}
		for _, r := range rib {
			if !code(r.Code) || !r.Prefix.Addr().Is4() || r.Prefix.Addr().IsLoopback() {
				continue
			}
			p := base(r.Prefix, "redistribute "+rd.Protocol, "redistribute "+rd.Protocol+" at "+rd.Pos.String())
			p.Origin = OriginIncomplete
			p.MED = uint32(r.Metric)
			if r.Code != "C" && len(r.Nexthops) > 0 && r.Nexthops[0].Gateway.IsValid() {
				p.NextHop = r.Nexthops[0].Gateway
			}
			if rd.Metric != 0 {
				p.MED = uint32(rd.Metric)
			}
			if rd.RouteMap != "" {
				ok, why, unk := applyRouteMap(s.Dev.Router, rd.RouteMap, p)
				c.unknown = append(c.unknown, prefixed(s, unk)...)
				if !ok {
					if s.Dev.Router.RouteMap(rd.RouteMap) == nil {
						notes = append(notes, fmt.Sprintf("%s: `redistribute %s route-map %s`: %s, nothing is redistributed", s.Name(), rd.Protocol, rd.RouteMap, why))
					}
					continue
				}
			}
			out = append(out, p)
		}
	}
	return out, notes
}

// iosOSPFMatch is which OSPF routes IOS `redistribute ospf N [match ...]`
// takes into BGP: without `match`, the internal ones only (intra- and
// inter-area: Cisco technote 5242, "Understand Redistribution of OSPF
// Routes into BGP"); `match` lists the kinds. FRR bgpd takes every OSPF
// route zebra selected (it has no `match` keyword).
func iosOSPFMatch(match []string) func(string) bool {
	kinds := map[string]bool{}
	for _, m := range match {
		kinds[m] = true
	}
	if len(match) == 0 {
		kinds["internal"] = true
	}
	return func(c string) bool {
		switch c {
		case "O", "O IA":
			return kinds["internal"]
		case "O E1":
			return kinds["external 1"]
		case "O E2":
			return kinds["external 2"]
		case "O N1":
			return kinds["nssa-external 1"]
		case "O N2":
			return kinds["nssa-external 2"]
		}
		return false
	}
}
