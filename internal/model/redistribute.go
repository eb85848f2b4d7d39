package model

import "farend/internal/source"

// Redistribution is a `redistribute` statement of an OSPF process or a BGP
// address family.
type Redistribution struct {
	// Protocol is "connected", "static", "ospf", "ospf6", "bgp", "rip",
	// "eigrp", "isis", "kernel" ...
	Protocol string `json:"protocol"`
	// Process is the source process id or AS ("1" in `redistribute ospf
	// 1`); "" when none.
	Process string `json:"process,omitempty"`
	// Subnets is IOS `subnets`: without it classic IOS OSPF redistributes
	// only classful networks (Cisco OSPF command reference, redistribute).
	Subnets    bool   `json:"subnets,omitempty"`
	Metric     int    `json:"metric,omitempty"`
	MetricType int    `json:"metric_type,omitempty"`
	RouteMap   string `json:"route_map,omitempty"`
	Tag        uint32 `json:"tag,omitempty"`
	// Match is IOS `match` for an OSPF source: the route kinds taken
	// ("internal", "external 1", "external 2", "nssa-external 1",
	// "nssa-external 2"); empty when not given.
	Match []string `json:"match,omitempty"`
	// Pos of the statement.
	Pos source.Pos `json:"pos,omitzero"`
}
