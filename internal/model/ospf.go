package model

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/source"
)

// AreaID is an OSPF area id. The zero AreaID is the backbone, area 0.
type AreaID uint32

// ParseAreaID accepts both forms vendors print: a decimal number ("0",
// "51") and a dotted quad ("0.0.0.0", "192.0.2.0").
func ParseAreaID(s string) (AreaID, error) {
	if strings.Contains(s, ".") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return 0, fmt.Errorf("model: bad area id %q", s)
		}
		b := a.As4()
		return AreaID(binary.BigEndian.Uint32(b[:])), nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("model: bad area id %q", s)
	}
	return AreaID(n), nil
}

// String prints the dotted-quad form.
func (a AreaID) String() string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(a))
	return netip.AddrFrom4(b).String()
}

// MarshalText prints the dotted-quad form.
func (a AreaID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// AreaType is the kind of an OSPF area. The zero AreaType is a normal area.
type AreaType uint8

// Area types.
const (
	AreaNormal AreaType = iota
	AreaStub
	AreaNSSA
)

func (t AreaType) String() string {
	switch t {
	case AreaStub:
		return "stub"
	case AreaNSSA:
		return "nssa"
	}
	return "normal"
}

// MarshalText prints the name.
func (t AreaType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// NetworkType is an OSPF interface network type. The zero NetworkType is
// unknown.
type NetworkType uint8

// OSPF network types (RFC 2328 section 1.2, plus the loopback type IOS and
// FRR show for loopback interfaces).
const (
	NetUnknown NetworkType = iota
	NetBroadcast
	NetPointToPoint
	NetNBMA
	NetPointToMultipoint
	NetPointToMultipointNB
	NetLoopback
	// NetVirtualLink is an OSPFv2 virtual link (RFC 2328 15).
	NetVirtualLink
)

var netTypeNames = []string{"unknown", "broadcast", "point-to-point", "non-broadcast", "point-to-multipoint", "point-to-multipoint non-broadcast", "loopback", "virtual-link"}

func (t NetworkType) String() string {
	if int(t) < len(netTypeNames) {
		return netTypeNames[t]
	}
	return "unknown"
}

// MarshalText prints the name.
func (t NetworkType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// OSPFAuth is the authentication an OSPF interface or area uses. The zero
// OSPFAuth is none configured (null authentication).
type OSPFAuth uint8

// OSPF authentication kinds.
const (
	AuthNone OSPFAuth = iota
	AuthNull
	AuthSimple
	AuthMD5
	AuthKeyChain
	AuthIPsec
	AuthTrailer
)

func (a OSPFAuth) String() string {
	return [...]string{"none", "null", "simple", "message-digest", "key-chain", "ipsec", "trailer"}[a]
}

// MarshalText prints the name.
func (a OSPFAuth) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// OSPFProcess is one OSPFv2 or OSPFv3 routing process.
type OSPFProcess struct {
	// Version is 2 (OSPFv2, IPv4) or 3 (OSPFv3, IPv6).
	Version int `json:"version"`
	// ID is the process id as configured (IOS `router ospf 72` -> "72");
	// "" for FRR and VyOS default instances.
	ID string `json:"id,omitempty"`
	// VRF is the VRF the process runs in; "" is the global table.
	VRF string `json:"vrf,omitempty"`
	// RouterID is the configured router id; the zero Addr means the router
	// picks one (IOS: highest loopback address, else highest address).
	RouterID netip.Addr `json:"router_id,omitzero"`
	Areas    []OSPFArea `json:"areas,omitempty"`
	// Interfaces are the interfaces the process runs on, resolved from
	// interface commands and network statements, with every per-interface
	// value including defaults.
	Interfaces []OSPFInterface `json:"interfaces,omitempty"`
	// PassiveDefault is `passive-interface default`.
	PassiveDefault bool             `json:"passive_default,omitempty"`
	Redistribute   []Redistribution `json:"redistribute,omitempty"`
	// DefaultMetric is `default-metric N`: the metric of redistributed
	// routes whose `redistribute` line sets none; nil when not configured.
	DefaultMetric *Setting `json:"default_metric,omitempty"`
	// DefaultOriginate is set by `default-information originate`.
	DefaultOriginate *DefaultOriginate `json:"default_originate,omitempty"`
	// CapabilityVRFLite is IOS `capability vrf-lite`.
	CapabilityVRFLite bool `json:"capability_vrf_lite,omitempty"`
	// VPNPE is true when the process behaves as a PE router attached to the
	// MPLS VPN superbackbone (RFC 4576/4577): IOS `router ospf N vrf X`
	// without `capability vrf-lite`. It then acts as an area border router
	// and ignores LSAs with the DN bit set or the domain tag. Why says so.
	VPNPE    bool   `json:"vpn_pe,omitempty"`
	VPNPEWhy string `json:"vpn_pe_why,omitempty"`
	// DomainTag is IOS `domain-tag N`, the VPN route tag of a PE process
	// (RFC 4577 4.2.5.2); unset, the PE computes one from its BGP AS.
	DomainTag *Setting `json:"domain_tag,omitempty"`
	// ReferenceBandwidth in Mbit/s, which costs derive from.
	ReferenceBandwidth Setting `json:"reference_bandwidth_mbps"`
	// Distance is the administrative distance of OSPF routes; the three
	// kinds can differ (IOS `distance ospf intra-area N inter-area N
	// external N`).
	DistanceIntra    Setting `json:"distance_intra"`
	DistanceInter    Setting `json:"distance_inter"`
	DistanceExternal Setting `json:"distance_external"`
	// MaxMetric is set by `max-metric router-lsa`.
	MaxMetric *MaxMetric `json:"max_metric,omitempty"`
	// MaximumPaths is the ECMP limit.
	MaximumPaths Setting `json:"maximum_paths"`
	// RFC1583Compatible is 1 when RFC1583Compatibility is enabled (RFC 2328
	// appendix C.1): the 16.4.1 preference for intra-area non-backbone
	// paths to an ASBR or forwarding address is then off. OSPFv2 only.
	RFC1583Compatible Setting    `json:"rfc1583_compatible,omitzero"`
	Pos               source.Pos `json:"pos,omitzero"`
}

// OSPFArea is one area's settings in a process.
type OSPFArea struct {
	ID   AreaID   `json:"id"`
	Type AreaType `json:"type"`
	// NoSummary makes a stub or NSSA area totally stubby (no type-3 LSAs
	// but the default).
	NoSummary bool `json:"no_summary,omitempty"`
	// DefaultCost is the cost of the default an ABR injects into a stub or
	// NSSA area.
	DefaultCost Setting `json:"default_cost"`
	// NSSADefaultOriginate is `area X nssa default-information-originate
	// [metric N] [metric-type 1|2]`: a type-7 default into the NSSA (RFC
	// 3101 2.7). Always is not used.
	NSSADefaultOriginate *DefaultOriginate `json:"nssa_default_originate,omitempty"`
	Ranges               []AreaRange       `json:"ranges,omitempty"`
	Networks             []OSPFNetwork     `json:"networks,omitempty"`
	Auth                 OSPFAuth          `json:"auth,omitempty"`
	// VirtualLinks are the OSPFv2 virtual links through this (transit)
	// area: `area X virtual-link RID` (RFC 2328 15).
	VirtualLinks []VirtualLink `json:"virtual_links,omitempty"`
	Pos          source.Pos    `json:"pos,omitzero"`
}

// VirtualLink is one `area X virtual-link RID` line: a backbone link to
// the area border router Peer through the transit area it is configured
// in (RFC 2328 15). Its hello and dead intervals must match the other
// end's; its authentication is configured on the line itself.
type VirtualLink struct {
	Peer  netip.Addr `json:"peer"`
	Hello Setting    `json:"hello"`
	Dead  Setting    `json:"dead"`
	// Auth is the authentication kind on the line (AuthNone: the
	// backbone's area authentication applies); HasKey is true when a key
	// is configured (the key itself is never kept).
	Auth   OSPFAuth   `json:"auth,omitempty"`
	HasKey bool       `json:"has_key,omitempty"`
	Pos    source.Pos `json:"pos,omitzero"`
}

// AreaRange summarizes an area's prefixes at an ABR (`area X range P`).
type AreaRange struct {
	Prefix netip.Prefix `json:"prefix"`
	// NotAdvertise suppresses the summary and its components.
	NotAdvertise bool `json:"not_advertise,omitempty"`
	// Cost is the summary's cost; 0 means derived from the components.
	Cost int        `json:"cost,omitempty"`
	Pos  source.Pos `json:"pos,omitzero"`
}

// OSPFNetwork is a `network` statement: interfaces whose address it
// matches run OSPF in its area. IOS matches the interface address against
// Addr/Wildcard; FRR and VyOS require the interface's prefix to lie inside
// Prefix.
type OSPFNetwork struct {
	Addr     netip.Addr `json:"addr"`
	Wildcard netip.Addr `json:"wildcard"`
	// Prefix is the same range as a prefix; zero when the wildcard is not
	// contiguous.
	Prefix netip.Prefix `json:"prefix,omitzero"`
	Area   AreaID       `json:"area"`
	Pos    source.Pos   `json:"pos,omitzero"`
}

// Matches reports whether the statement covers address a (IOS semantics:
// the bits not set in the wildcard must equal).
func (n OSPFNetwork) Matches(a netip.Addr) bool {
	if !a.Is4() || !n.Addr.Is4() {
		return false
	}
	x, w, b := a.As4(), n.Wildcard.As4(), n.Addr.As4()
	for i := range x {
		if x[i]&^w[i] != b[i]&^w[i] {
			return false
		}
	}
	return true
}

// OSPFInterface is one interface a process runs on, with the values it
// will use in hellos and database description packets.
type OSPFInterface struct {
	Name string `json:"name"`
	Area AreaID `json:"area"`
	// EnabledBy is the command that put the interface in the process, and
	// Pos its line.
	EnabledBy string      `json:"enabled_by"`
	Network   NetworkType `json:"network"`
	// NetworkFrom says why the network type is what it is.
	NetworkFrom string  `json:"network_from,omitempty"`
	Cost        Setting `json:"cost"`
	Hello       Setting `json:"hello"`
	Dead        Setting `json:"dead"`
	Priority    Setting `json:"priority"`
	// MTU is the interface MTU the process advertises in database
	// description packets, with the vendor rule it comes from.
	MTU Setting `json:"mtu"`
	// MTUIgnore skips the DD MTU check (`ip ospf mtu-ignore`).
	MTUIgnore bool `json:"mtu_ignore,omitempty"`
	// Passive interfaces send no hellos; their prefix is still advertised.
	Passive     bool   `json:"passive,omitempty"`
	PassiveFrom string `json:"passive_from,omitempty"`
	// Auth is the authentication kind; HasKey is true when a key is
	// configured (the key itself is never kept).
	Auth   OSPFAuth `json:"auth,omitempty"`
	HasKey bool     `json:"has_key,omitempty"`
	// InstanceID is the OSPFv3 instance id (0 by default).
	InstanceID int        `json:"instance_id,omitempty"`
	BFD        bool       `json:"bfd,omitempty"`
	Pos        source.Pos `json:"pos,omitzero"`
}

// DefaultOriginate is `default-information originate`.
type DefaultOriginate struct {
	Always     bool       `json:"always,omitempty"`
	Metric     int        `json:"metric,omitempty"`
	MetricType int        `json:"metric_type,omitempty"`
	RouteMap   string     `json:"route_map,omitempty"`
	Pos        source.Pos `json:"pos,omitzero"`
}

// MaxMetric is `max-metric router-lsa`: the router advertises its links
// with the maximum metric (always, or for OnStartup seconds).
type MaxMetric struct {
	Administrative bool       `json:"administrative,omitempty"`
	OnStartup      int        `json:"on_startup,omitempty"`
	IncludeStub    bool       `json:"include_stub,omitempty"`
	Pos            source.Pos `json:"pos,omitzero"`
}

// Area returns the process's area id, or nil.
func (p *OSPFProcess) Area(id AreaID) *OSPFArea {
	for i := range p.Areas {
		if p.Areas[i].ID == id {
			return &p.Areas[i]
		}
	}
	return nil
}

// Interface returns the process's interface named name, or nil.
func (p *OSPFProcess) Interface(name string) *OSPFInterface {
	for i := range p.Interfaces {
		if p.Interfaces[i].Name == name {
			return &p.Interfaces[i]
		}
	}
	return nil
}
