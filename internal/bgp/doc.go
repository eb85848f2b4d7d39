// Package bgp computes the BGP routes of the routers of a snapshot: the
// sessions between them (or why a session stays down), the routes each
// router originates (`network`, `redistribute`), their propagation over
// the sessions to a fixed point, the best path per prefix, and the routes
// installed in each router's RIB next to the connected, static and OSPF
// routes internal/ospf computes.
//
// Scope: IPv4 unicast, one instance per VRF, sessions between routers of
// the snapshot only (a neighbour outside the snapshot sends nothing).
// Every vendor rule is cited where it is applied; FRR citations are to
// FRR 8.4.4 (bgpd/bgp_route.c, bgpd/bgp_vty.c, bgpd/bgp_fsm.c), IOS ones
// to the Cisco IOS IP Routing: BGP Configuration Guide, RFC ones to
// RFC 4271 (BGP-4), RFC 4456 (route reflection) and RFC 8212 (default
// eBGP route propagation behaviour without policies).
//
// Not modelled (said where it matters): aggregates, communities and
// community/AS-path lists in route-maps, confederations, add-path,
// `bgp bestpath` options, `neighbor X default-originate`, IPv6 and
// VPN families, unnumbered (interface) neighbours, dampening, maximum-prefix.
package bgp
