package ospf

import (
	"fmt"

	"farend/internal/model"
)

// redistBGP hands the BGP routes installed in the device's table (from
// imp) to add, for `redistribute bgp`.
//
// IOS takes only eBGP-learned routes unless `bgp redistribute-internal`
// (Cisco IOS IP Routing: BGP Command Reference, bgp
// redistribute-internal); FRR ospfd takes every BGP route zebra installed
// (neither zebra/redistribute.c nor ospfd/ospf_zebra.c tests the iBGP
// flag; internal/bgptest's OSPF sites see iBGP routes arrive as O E2 in
// FRR 8.4.4).
//
// An IOS PE process (a VRF process without `capability vrf-lite`) sets
// the DN bit in the LSAs it originates for BGP routes and puts its VPN
// route tag in their type-5/type-7 LSAs (RFC 4577 4.2.5.2 and 4.2.8.1;
// Cisco NX-OS "DN bit ignore" technote 117588, which describes the IOS
// PE the same way: "all LSAs ... are generated with the DN bit set"). A
// `tag` on the redistribute line or a route-map `set tag` replaces the
// VPN route tag (the order H3C documents for its route-tag command; IOS
// not checked). A VRF-lite process is no PE and sets neither (assumed
// from Cisco's description of `capability vrf-lite` as turning the PE
// behaviour off; not checked against a real IOS).
func redistBGP(in *Instance, imp Importer, r model.Redistribution, add func(external)) {
	at := " at " + r.Pos.String()
	switch {
	case in.Version == 3:
		in.note(fmt.Sprintf("`redistribute bgp`%s: IPv6 BGP routes are not modelled; whatever it adds to OSPFv3 is missing here", at))
		return
	case imp == nil:
		in.note(fmt.Sprintf("`redistribute bgp`%s: BGP routes are not computed for this answer", at))
		return
	}
	// The flag of the BGP instance of the process's VRF (`bgp
	// redistribute-internal` under `address-family ipv4 vrf X`); a VRF
	// instance is taken to inherit it from `router bgp` itself (assumed,
	// not checked against a real IOS).
	internal := false
	for _, b := range in.Dev.Router.BGP {
		if b.VRF == in.Proc.VRF || b.VRF == "" {
			internal = internal || b.RedistributeInternal
		}
	}
	skipped := 0
	tag, hasTag, tagWhy := vpnRouteTag(in)
	if in.Proc.VPNPE && !hasTag {
		in.note(tagWhy)
	}
	for _, x := range imp(in.Dev, in.Proc.VRF, false, "bgp") {
		if x.Internal && in.Vendor() == "ios" && !internal {
			skipped++
			continue
		}
		e := external{prefix: x.Prefix, nexthop: x.NextHop, what: "redistribute bgp" + at + " (" + x.What + ")"}
		if in.Proc.VPNPE {
			e.dn = true
			if hasTag {
				e.tag = tag
			}
		}
		add(e)
	}
	if skipped > 0 {
		in.note(fmt.Sprintf("`redistribute bgp`%s: %d iBGP route(s) not redistributed: IOS redistributes only eBGP routes into an IGP; add `bgp redistribute-internal` under `router bgp` to take them", at, skipped))
	}
}

// vpnRouteTag is the VPN route tag of a PE process (RFC 4577 4.2.5.2):
// `domain-tag N`, else computed from the BGP AS: the high four bits 1101
// and the AS in the low 16 (0xD0000000 | AS, as vendors document it: 3489661028
// for AS 100). A four-byte AS has no computed tag (the RFC says one must
// be configured); neither has a router without BGP.
func vpnRouteTag(in *Instance) (tag uint32, ok bool, why string) {
	if t := in.Proc.DomainTag; t != nil {
		return uint32(t.Value), true, ""
	}
	for _, b := range in.Dev.Router.BGP {
		if b.ASN == 0 {
			continue
		}
		if b.ASN > 65535 {
			return 0, false, fmt.Sprintf("%s: no VPN route tag: the BGP AS %d is four bytes long and no `domain-tag` is configured (RFC 4577 4.2.5.2)", in.Name(), b.ASN)
		}
		return 0xD0000000 | b.ASN, true, ""
	}
	return 0, false, fmt.Sprintf("%s: no VPN route tag: no `router bgp` and no `domain-tag`", in.Name())
}
