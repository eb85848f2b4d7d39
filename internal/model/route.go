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
	// MTU is the route's mtu metric (`mtu [lock] N`); 0 when none is set
	// and the device MTU applies.
	MTU int
	// NHID is the id of the nexthop object the route uses (`nhid N`), 0
	// when none; Nexthops then holds the object's paths as iproute2
	// expanded them.
	NHID uint32
	// Pref is the IPv6 router preference ("low", "medium", "high"; "" for
	// IPv4), which ranks routes of equal metric.
	Pref string
	// Expires is the remaining lifetime in seconds; 0 means permanent.
	Expires int
	// Encap is a lightweight tunnel encapsulation (`encap ip id 1 dst ...`,
	// `encap seg6 mode encap segs ...`) as iproute2 prints it; "" when
	// none. Packets using such a route are encapsulated, which farend does
	// not model.
	Encap string
	Pos   source.Pos
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
