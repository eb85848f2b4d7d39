package model

import (
	"net/netip"

	"farend/internal/source"
)

// PrefixList is an IP prefix list (IOS/FRR `ip prefix-list`, VyOS `policy
// prefix-list`).
type PrefixList struct {
	Name        string            `json:"name"`
	IPv6        bool              `json:"ipv6,omitempty"`
	Description string            `json:"description,omitempty"`
	Entries     []PrefixListEntry `json:"entries,omitempty"`
	Pos         source.Pos        `json:"pos,omitzero"`
}

// PrefixListEntry matches a prefix whose network is inside Prefix and
// whose length is Prefix.Bits() exactly, or within [GE, LE] when either is
// set (0 means unset). Any matches every prefix (`any`).
type PrefixListEntry struct {
	Seq    int          `json:"seq"`
	Permit bool         `json:"permit"`
	Prefix netip.Prefix `json:"prefix,omitzero"`
	Any    bool         `json:"any,omitempty"`
	GE     int          `json:"ge,omitempty"`
	LE     int          `json:"le,omitempty"`
	Pos    source.Pos   `json:"pos,omitzero"`
}

// RouteMap is a route-map with its entries in sequence order.
type RouteMap struct {
	Name    string          `json:"name"`
	Entries []RouteMapEntry `json:"entries,omitempty"`
	Pos     source.Pos      `json:"pos,omitzero"`
}

// RouteMapEntry is one `route-map NAME permit|deny SEQ` block. An entry
// with no match clause matches every route.
type RouteMapEntry struct {
	Seq         int      `json:"seq"`
	Permit      bool     `json:"permit"`
	Description string   `json:"description,omitempty"`
	Matches     []Clause `json:"matches,omitempty"`
	Sets        []Clause `json:"sets,omitempty"`
	// Continue is the sequence `continue` goes to (-1 for `continue`
	// without a number: the next entry); 0 when absent. OnMatch is FRR
	// `on-match next|goto N` written the same way.
	Continue int `json:"continue,omitempty"`
	// Call is a route-map called for matching routes (FRR `call`).
	Call string     `json:"call,omitempty"`
	Pos  source.Pos `json:"pos,omitzero"`
}

// Clause is one match or set clause in a vendor-neutral spelling: What is
// the attribute ("ip address prefix-list", "community", "as-path",
// "local-preference", "metric", "ip next-hop" ...), Values the arguments
// as written (list names, numbers, communities).
type Clause struct {
	What   string     `json:"what"`
	Values []string   `json:"values,omitempty"`
	Pos    source.Pos `json:"pos,omitzero"`
}

// CommunityList is a BGP community list (IOS `ip community-list`, FRR `bgp
// community-list`, VyOS `policy community-list`); also large and extended
// ones, told apart by Kind.
type CommunityList struct {
	Name string `json:"name"`
	// Kind is "standard" or "expanded" (regular expressions), prefixed by
	// "large-" or "extended-" for those families.
	Kind    string           `json:"kind"`
	Entries []CommunityEntry `json:"entries,omitempty"`
	Pos     source.Pos       `json:"pos,omitzero"`
}

// CommunityEntry is one permit/deny line of a community list; Value holds
// the communities or the regular expression as written.
type CommunityEntry struct {
	Permit bool       `json:"permit"`
	Value  string     `json:"value"`
	Pos    source.Pos `json:"pos,omitzero"`
}

// ASPathList is an AS-path access list (IOS `ip as-path access-list`, FRR
// `bgp as-path access-list`, VyOS `policy as-path-list`).
type ASPathList struct {
	Name    string        `json:"name"`
	Entries []ASPathEntry `json:"entries,omitempty"`
	Pos     source.Pos    `json:"pos,omitzero"`
}

// ASPathEntry is one permit/deny regular expression.
type ASPathEntry struct {
	Permit bool       `json:"permit"`
	Regex  string     `json:"regex"`
	Pos    source.Pos `json:"pos,omitzero"`
}

// PrefixList returns the prefix list named name, or nil.
func (r *Router) PrefixList(name string, ipv6 bool) *PrefixList {
	for i := range r.PrefixLists {
		if r.PrefixLists[i].Name == name && r.PrefixLists[i].IPv6 == ipv6 {
			return &r.PrefixLists[i]
		}
	}
	return nil
}

// RouteMap returns the route-map named name, or nil.
func (r *Router) RouteMap(name string) *RouteMap {
	for i := range r.RouteMaps {
		if r.RouteMaps[i].Name == name {
			return &r.RouteMaps[i]
		}
	}
	return nil
}
