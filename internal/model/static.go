package model

import (
	"net/netip"

	"farend/internal/source"
)

// StaticRoute is a configured static route (IOS `ip route`, `ipv6 route`;
// VyOS `protocols static`; FRR `ip route`).
type StaticRoute struct {
	// VRF is the VRF the route is in; "" is the global table.
	VRF    string       `json:"vrf,omitempty"`
	Prefix netip.Prefix `json:"prefix"`
	// NextHop is the gateway; zero for an interface or blackhole route.
	NextHop netip.Addr `json:"next_hop,omitzero"`
	// Interface is the outgoing interface, if named.
	Interface string `json:"interface,omitempty"`
	// NextHopVRF is the VRF the next hop is resolved in (IOS `ip route vrf
	// A ... vrf B`, `global`; FRR `nexthop-vrf`); "" means the route's own.
	NextHopVRF string `json:"next_hop_vrf,omitempty"`
	// Blackhole routes drop (IOS Null0, VyOS blackhole, FRR blackhole or
	// Null0); Reject routes answer unreachable.
	Blackhole bool `json:"blackhole,omitempty"`
	Reject    bool `json:"reject,omitempty"`
	// Distance is the administrative distance (default 1 everywhere).
	Distance  Setting    `json:"distance"`
	Tag       uint32     `json:"tag,omitempty"`
	Name      string     `json:"name,omitempty"`
	Permanent bool       `json:"permanent,omitempty"`
	Pos       source.Pos `json:"pos,omitzero"`
}
