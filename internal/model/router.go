package model

import "farend/internal/source"

// Router holds what a router's configuration says beyond its interfaces:
// VRFs, routing protocols, static routes, filters and policies. Vendor
// parsers (internal/vendors/ios, vyos, frr) fill it; Device.Router is nil
// for Linux hosts. Every vendor default the parser applied is recorded
// where it was applied (Setting.From, Flag.From), so that an engine can
// say where a value came from.
type Router struct {
	// Config describes the configuration file and how much of it farend
	// understood.
	Config ConfigSource `json:"config"`
	// Vendor is "ios", "vyos" or "frr".
	Vendor string `json:"vendor"`
	// Version is the software version the configuration states ("15.1",
	// "1.0.3", "8.4.4"); "" when it says none.
	Version string `json:"version,omitempty"`
	// Hostname as configured; "" when the configuration sets none.
	Hostname string `json:"hostname,omitempty"`
	// IPv6Routing is false when IPv6 forwarding is known to be off (IOS
	// without `ipv6 unicast-routing`, FRR `no ipv6 forwarding`).
	IPv6Routing bool `json:"ipv6_routing"`
	// Ifaces holds the router settings of Device.Interfaces, in the same
	// order and with the same names.
	Ifaces []IfaceConfig `json:"interfaces,omitempty"`
	// VRFs are the named VRFs; the global table is the VRF "" and is not
	// listed.
	VRFs    []VRF         `json:"vrfs,omitempty"`
	Statics []StaticRoute `json:"static_routes,omitempty"`
	// OSPF holds OSPFv2 and OSPFv3 processes in configuration order.
	OSPF []OSPFProcess `json:"ospf,omitempty"`
	// BGP holds one instance per VRF ("" first when configured).
	BGP            []BGPInstance   `json:"bgp,omitempty"`
	ACLs           []ACL           `json:"acls,omitempty"`
	ACLUses        []ACLUse        `json:"acl_uses,omitempty"`
	PrefixLists    []PrefixList    `json:"prefix_lists,omitempty"`
	RouteMaps      []RouteMap      `json:"route_maps,omitempty"`
	CommunityLists []CommunityList `json:"community_lists,omitempty"`
	ASPathLists    []ASPathList    `json:"as_path_lists,omitempty"`
	// Secrets records that secrets were configured, never their values.
	Secrets []Secret `json:"secrets,omitempty"`
	// Platform comes from show outputs (show version); nil when the
	// snapshot has none.
	Platform *Platform `json:"platform,omitempty"`
}

// ConfigSource is the configuration file a router was read from.
type ConfigSource struct {
	File string `json:"file"`
	// Dialect names the detected format: "ios", "vyos-config.boot",
	// "vyos-set", "frr".
	Dialect string `json:"dialect"`
	// Generation distinguishes syntax generations within a dialect, e.g.
	// "vyatta" (VyOS 1.0-1.1, vyatta-config-version footer) or "vyos"
	// (1.2 and later, vyos-config-version footer); "" when not applicable.
	Generation string `json:"generation,omitempty"`
	// Components are the config-version component versions of a VyOS
	// footer ("bgp" -> 5); nil when there is none.
	Components map[string]int `json:"components,omitempty"`
	// Lines is the number of lines of the file; Understood of them were
	// understood, the others are in Device.Notes.
	Lines      int `json:"lines"`
	Understood int `json:"understood"`
}

// Percent is the share of lines understood, 100 for an empty file.
func (c ConfigSource) Percent() float64 {
	if c.Lines == 0 {
		return 100
	}
	return 100 * float64(c.Understood) / float64(c.Lines)
}

// Setting is a numeric setting and where its value came from. The zero
// Setting means unknown: the configuration does not set it and farend
// knows no default.
type Setting struct {
	Value int `json:"value"`
	// Default is true when the configuration did not set the value and
	// From names the vendor default applied (document or source file, and
	// the versions it holds for).
	Default bool   `json:"default,omitempty"`
	From    string `json:"from,omitempty"`
	// Pos is the line that set it; zero for a default.
	Pos source.Pos `json:"pos,omitzero"`
}

// Set returns a configured setting.
func Set(v int, p source.Pos) Setting { return Setting{Value: v, Pos: p} }

// Default returns a vendor default with its source.
func Default(v int, from string) Setting { return Setting{Value: v, Default: true, From: from} }

// Known reports whether the value is known (configured or defaulted).
func (s Setting) Known() bool { return s.Default || !s.Pos.IsZero() || s.Value != 0 }

// Flag is an on/off setting and where its value came from. The zero Flag
// is off with no source.
type Flag struct {
	On      bool       `json:"on"`
	Default bool       `json:"default,omitempty"`
	From    string     `json:"from,omitempty"`
	Pos     source.Pos `json:"pos,omitzero"`
}

// SetFlag returns a configured flag.
func SetFlag(on bool, p source.Pos) Flag { return Flag{On: on, Pos: p} }

// DefaultFlag returns a vendor default with its source.
func DefaultFlag(on bool, from string) Flag { return Flag{On: on, Default: true, From: from} }

// Secret records that a secret is configured: what it protects and where.
// The value itself is never kept.
type Secret struct {
	// What names the secret: "enable secret", "user noc", "line vty 0 4
	// password", "snmp community", "ospf authentication key" ...
	What string     `json:"what"`
	Pos  source.Pos `json:"pos"`
}

// Redacted is what parsers put in place of a secret.
const Redacted = "<redacted>"
