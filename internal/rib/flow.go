// Package rib answers routing questions about one Linux device the way its
// kernel does: the routing policy database (`ip rule`), then longest-prefix
// lookups in the chosen tables, for IPv4 (net/ipv4/fib_rules.c,
// fib_trie.c) and IPv6 (net/ipv6/fib6_rules.c, route.c).
package rib

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// Flow is the key of one routing lookup (struct flowi4 / flowi6).
type Flow struct {
	Dst netip.Addr
	// Src is the source address; the zero Addr means none (IPv6 rules
	// with a `from` selector then do not match: fib6_rule_match needs
	// RT6_LOOKUP_F_HAS_SADDR).
	Src netip.Addr
	// IIF is the input interface; "lo" for locally generated packets and
	// for reverse-path lookups (LOOPBACK_IFINDEX).
	IIF string
	// OIF constrains (IPv4) or prefers (IPv6) the output interface.
	OIF string
	// StrictOIF is RT6_LOOKUP_F_IFACE: in IPv6, only routes via OIF count.
	StrictOIF    bool
	Mark         uint32
	TOS          uint8
	Proto        uint8
	SPort, DPort uint16
}

func (f Flow) String() string {
	s := fmt.Sprintf("to %s", f.Dst)
	if f.Src.IsValid() {
		s += fmt.Sprintf(" from %s", f.Src)
	}
	if f.IIF != "" {
		s += " iif " + f.IIF
	}
	if f.OIF != "" {
		s += " oif " + f.OIF
	}
	if f.Mark != 0 {
		s += fmt.Sprintf(" mark 0x%x", f.Mark)
	}
	return s
}

// Errno is the error a lookup ends with, named after the kernel's errno
// values it maps to. The zero value means success.
type Errno uint8

// Lookup errors.
const (
	OK Errno = iota
	// ENETUNREACH: no route at all, or an `unreachable` rule.
	ENETUNREACH
	// EHOSTUNREACH: an `unreachable` route.
	EHOSTUNREACH
	// EACCES: a `prohibit` route or rule.
	EACCES
	// EINVAL: a `blackhole` route or rule.
	EINVAL
)

func (e Errno) String() string {
	switch e {
	case OK:
		return "ok"
	case ENETUNREACH:
		return "network unreachable"
	case EHOSTUNREACH:
		return "host unreachable"
	case EACCES:
		return "prohibited"
	case EINVAL:
		return "blackhole"
	}
	return "unknown"
}

// Result is the outcome of a lookup.
type Result struct {
	Err Errno
	// Type is the route type found (unicast, local, broadcast ...); for an
	// error from a rule action, the matching type (blackhole ...).
	Type model.RouteType
	// Route is the route used; nil when a rule action or the end of the
	// rules decided.
	Route *model.Route
	// Nexthops are the usable paths of the route. With several (ECMP) the
	// kernel picks one by hash; Nexthops[0] is shown as the choice.
	Nexthops []model.Nexthop
	// Table the route was found in.
	Table uint32
	// Rule is the policy rule that decided; nil when none matched.
	Rule *model.RouteRule
	// Steps explain the walk: rules that matched and what their tables
	// gave.
	Steps []string
}

// Dev returns the output device of the first usable nexthop, or "".
func (r Result) Dev() string {
	if len(r.Nexthops) == 0 {
		return ""
	}
	return r.Nexthops[0].Dev
}

// UsesDev reports whether any nexthop of the route goes out dev
// (fib_info_nh_uses_dev).
func (r Result) UsesDev(dev string) bool {
	if r.Route == nil {
		return false
	}
	for _, nh := range r.Route.Nexthops {
		if nh.Dev == dev {
			return true
		}
	}
	return false
}
