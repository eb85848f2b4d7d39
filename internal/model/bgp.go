package model

import (
	"net/netip"

	"farend/internal/source"
)

// BGPInstance is one BGP instance: the global one (VRF "") or one per VRF
// (IOS `address-family ipv4 vrf X`, FRR `router bgp N vrf X`).
type BGPInstance struct {
	ASN uint32 `json:"asn"`
	VRF string `json:"vrf,omitempty"`
	// RouterID is the configured router id; the zero Addr means the router
	// chooses one.
	RouterID netip.Addr `json:"router_id,omitzero"`
	// Profile is FRR's `frr defaults` profile ("traditional" or
	// "datacenter"); "" on other vendors.
	Profile string `json:"profile,omitempty"`
	// EBGPRequiresPolicy (RFC 8212): an eBGP peer without an inbound
	// (outbound) policy accepts (sends) nothing. On by default in FRR
	// except the datacenter profile; VyOS renders `no bgp
	// ebgp-requires-policy` unless told otherwise; IOS has no such rule.
	EBGPRequiresPolicy Flag `json:"ebgp_requires_policy"`
	// DefaultIPv4Unicast activates every neighbour in IPv4 unicast unless
	// it says otherwise.
	DefaultIPv4Unicast Flag `json:"default_ipv4_unicast"`
	// NetworkImportCheck announces a `network` only while the RIB has a
	// matching route (IOS: always; FRR: BGP_IMPORT_CHECK).
	NetworkImportCheck Flag `json:"network_import_check"`
	LogNeighborChanges bool `json:"log_neighbor_changes,omitempty"`
	// RedistributeInternal is IOS `bgp redistribute-internal`: without it
	// IOS redistributes only eBGP routes into an IGP (Cisco IOS IP
	// Routing: BGP Command Reference, bgp redistribute-internal).
	RedistributeInternal bool `json:"redistribute_internal,omitempty"`
	// Keepalive and Hold are the timers in seconds.
	Keepalive Setting `json:"keepalive"`
	Hold      Setting `json:"hold"`
	// ClusterID is the route-reflector cluster id; zero when unset.
	ClusterID netip.Addr `json:"cluster_id,omitzero"`
	// DistanceEBGP, DistanceIBGP, DistanceLocal are the administrative
	// distances.
	DistanceEBGP  Setting `json:"distance_ebgp"`
	DistanceIBGP  Setting `json:"distance_ibgp"`
	DistanceLocal Setting `json:"distance_local"`
	// PeerGroups are the peer-groups (templates); Neighbors the peers.
	PeerGroups []BGPPeer `json:"peer_groups,omitempty"`
	Neighbors  []BGPPeer `json:"neighbors,omitempty"`
	// AFs are the instance's address-family settings (networks,
	// aggregates, redistribution).
	AFs []BGPAF    `json:"address_families,omitempty"`
	Pos source.Pos `json:"pos,omitzero"`
}

// BGPAF is an instance's settings in one address family.
type BGPAF struct {
	// AFI is "ipv4" or "ipv6"; SAFI "unicast", "multicast", "vpn" ...
	AFI          string           `json:"afi"`
	SAFI         string           `json:"safi"`
	Networks     []BGPNetwork     `json:"networks,omitempty"`
	Aggregates   []BGPAggregate   `json:"aggregates,omitempty"`
	Redistribute []Redistribution `json:"redistribute,omitempty"`
	// MaximumPaths and MaximumPathsIBGP are the ECMP limits.
	MaximumPaths     Setting    `json:"maximum_paths"`
	MaximumPathsIBGP Setting    `json:"maximum_paths_ibgp"`
	Pos              source.Pos `json:"pos,omitzero"`
}

// BGPNetwork is a `network` statement.
type BGPNetwork struct {
	Prefix   netip.Prefix `json:"prefix"`
	RouteMap string       `json:"route_map,omitempty"`
	Backdoor bool         `json:"backdoor,omitempty"`
	Pos      source.Pos   `json:"pos,omitzero"`
}

// BGPAggregate is an `aggregate-address` statement.
type BGPAggregate struct {
	Prefix      netip.Prefix `json:"prefix"`
	SummaryOnly bool         `json:"summary_only,omitempty"`
	ASSet       bool         `json:"as_set,omitempty"`
	Pos         source.Pos   `json:"pos,omitzero"`
}

// BGPPeer is a neighbour or a peer-group. Settings a neighbour inherits
// from its peer-group are not copied: an engine merges PeerGroup's values
// under the neighbour's own.
type BGPPeer struct {
	// Addr is the neighbour's address; zero for a peer-group or an
	// interface (unnumbered) neighbour.
	Addr netip.Addr `json:"addr,omitzero"`
	// Interface is the interface of an FRR unnumbered neighbour
	// (`neighbor eth0 interface remote-as external`).
	Interface string `json:"interface,omitempty"`
	// Group is the peer-group's name when this is a peer-group.
	Group string `json:"group,omitempty"`
	// PeerGroup is the group a neighbour belongs to.
	PeerGroup string `json:"peer_group,omitempty"`
	// RemoteAS is the neighbour's AS; 0 when not configured. RemoteASKind
	// is "internal" or "external" for FRR `remote-as internal|external`.
	RemoteAS     uint32 `json:"remote_as,omitempty"`
	RemoteASKind string `json:"remote_as_kind,omitempty"`
	// LocalAS is `local-as`, 0 when unset.
	LocalAS     uint32 `json:"local_as,omitempty"`
	Description string `json:"description,omitempty"`
	// UpdateSource is the interface name or address sessions are sourced
	// from; "" means the outgoing interface's address.
	UpdateSource string `json:"update_source,omitempty"`
	// EBGPMultihop is the TTL allowed for an eBGP session; 0 when not
	// configured (a directly connected session, TTL 1).
	EBGPMultihop int `json:"ebgp_multihop,omitempty"`
	// TTLSecurity is the hop count of `ttl-security hops N`.
	TTLSecurity int  `json:"ttl_security,omitempty"`
	Shutdown    bool `json:"shutdown,omitempty"`
	// HasPassword is true when a TCP MD5 password is configured.
	HasPassword bool    `json:"has_password,omitempty"`
	Keepalive   Setting `json:"keepalive"`
	Hold        Setting `json:"hold"`
	// AFs are the per-address-family settings.
	AFs []BGPPeerAF `json:"address_families,omitempty"`
	Pos source.Pos  `json:"pos,omitzero"`
}

// Name is the peer's address, interface or group name.
func (p *BGPPeer) Name() string {
	switch {
	case p.Group != "":
		return p.Group
	case p.Interface != "":
		return p.Interface
	}
	return p.Addr.String()
}

// BGPPeerAF is a neighbour's settings in one address family.
type BGPPeerAF struct {
	AFI  string `json:"afi"`
	SAFI string `json:"safi"`
	// Active says whether the neighbour exchanges this family, with the
	// default that applied.
	Active Flag `json:"active"`
	// Policies in each direction: route-map, prefix-list, filter-list
	// (as-path) and distribute-list (ACL) names.
	RouteMapIn        string `json:"route_map_in,omitempty"`
	RouteMapOut       string `json:"route_map_out,omitempty"`
	PrefixListIn      string `json:"prefix_list_in,omitempty"`
	PrefixListOut     string `json:"prefix_list_out,omitempty"`
	FilterListIn      string `json:"filter_list_in,omitempty"`
	FilterListOut     string `json:"filter_list_out,omitempty"`
	DistributeListIn  string `json:"distribute_list_in,omitempty"`
	DistributeListOut string `json:"distribute_list_out,omitempty"`
	// UnsuppressMap etc. are not modelled.
	NextHopSelf    bool `json:"next_hop_self,omitempty"`
	RRClient       bool `json:"route_reflector_client,omitempty"`
	RemovePrivate  bool `json:"remove_private_as,omitempty"`
	SoftReconfigIn bool `json:"soft_reconfiguration_inbound,omitempty"`
	// AllowASIn is the number of own-AS occurrences accepted; 0 when off.
	AllowASIn int `json:"allowas_in,omitempty"`
	// SendCommunity and SendExtCommunity, SendLargeCommunity say which
	// communities are sent, with the vendor default.
	SendCommunity      Flag `json:"send_community"`
	SendExtCommunity   Flag `json:"send_ext_community"`
	SendLargeCommunity Flag `json:"send_large_community"`
	// DefaultOriginate sends a default route to the neighbour.
	DefaultOriginate bool `json:"default_originate,omitempty"`
	// MaxPrefix is the maximum-prefix limit; 0 when none.
	MaxPrefix int        `json:"max_prefix,omitempty"`
	Pos       source.Pos `json:"pos,omitzero"`
}

// HasPolicyIn reports whether any inbound policy is named (FRR's
// bgp_inbound_policy_exists checks only that a name is configured).
func (a *BGPPeerAF) HasPolicyIn() bool {
	return a.RouteMapIn != "" || a.PrefixListIn != "" || a.FilterListIn != "" || a.DistributeListIn != ""
}

// HasPolicyOut is HasPolicyIn for the outbound direction.
func (a *BGPPeerAF) HasPolicyOut() bool {
	return a.RouteMapOut != "" || a.PrefixListOut != "" || a.FilterListOut != "" || a.DistributeListOut != ""
}

// AF returns the peer's settings for afi/safi, or nil.
func (p *BGPPeer) AF(afi, safi string) *BGPPeerAF {
	for i := range p.AFs {
		if p.AFs[i].AFI == afi && p.AFs[i].SAFI == safi {
			return &p.AFs[i]
		}
	}
	return nil
}

// AF returns the instance's settings for afi/safi, or nil.
func (b *BGPInstance) AF(afi, safi string) *BGPAF {
	for i := range b.AFs {
		if b.AFs[i].AFI == afi && b.AFs[i].SAFI == safi {
			return &b.AFs[i]
		}
	}
	return nil
}

// Peer returns the neighbour or peer-group called name (an address, an
// interface or a group name), or nil.
func (b *BGPInstance) Peer(name string) *BGPPeer {
	for i := range b.Neighbors {
		if b.Neighbors[i].Name() == name {
			return &b.Neighbors[i]
		}
	}
	for i := range b.PeerGroups {
		if b.PeerGroups[i].Group == name {
			return &b.PeerGroups[i]
		}
	}
	return nil
}
