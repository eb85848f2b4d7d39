package model

import (
	"net/netip"

	"farend/internal/source"
)

// Well-known routing table ids (include/uapi/linux/rtnetlink.h rt_class_t).
const (
	TableUnspec  uint32 = 0
	TableDefault uint32 = 253
	TableMain    uint32 = 254
	TableLocal   uint32 = 255
)

// RouteType is a kernel route type (RTN_* in rtnetlink.h). The zero value
// is unicast, the kernel's default for `ip route add`.
type RouteType uint8

// Route types.
const (
	RouteUnicast RouteType = iota
	RouteLocal
	RouteBroadcast
	RouteAnycast
	RouteMulticast
	RouteBlackhole
	RouteUnreachable
	RouteProhibit
	RouteThrow
	RouteNAT
)

var routeTypeNames = []string{"unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat"}

func (t RouteType) String() string {
	if int(t) < len(routeTypeNames) {
		return routeTypeNames[t]
	}
	return "unknown"
}

// ParseRouteType parses the names iproute2 prints.
func ParseRouteType(s string) (RouteType, bool) {
	for i, n := range routeTypeNames {
		if n == s {
			return RouteType(i), true
		}
	}
	return 0, false
}

// Route is one route in one table.
type Route struct {
	// Table is the table id (TableMain when `ip -j route` printed none).
	Table uint32
	Type  RouteType
	Dst   netip.Prefix
	// Src is the source prefix of an IPv6 source-specific route (`from`).
	Src      netip.Prefix
	Metric   uint32
	TOS      uint8
	Protocol string
	// Scope is "global" (universe), "link", "host" ...
	Scope string
	// PrefSrc is the preferred source address (`src`).
	PrefSrc netip.Addr
	// Nexthops has one entry for a plain route, several for ECMP, none for
	// routes without a device (blackhole ...).
	Nexthops []Nexthop
	// Linkdown is set when every nexthop's device has no carrier.
	Linkdown bool
	Pos      source.Pos
}

// Nexthop is one path of a route.
type Nexthop struct {
	Gateway netip.Addr
	Dev     string
	Weight  int
	Onlink  bool
	// Dead or Linkdown as the kernel flags it.
	Dead     bool
	Linkdown bool
}

// Is6 reports whether the route is IPv6.
func (r Route) Is6() bool { return r.Dst.Addr().Is6() }
