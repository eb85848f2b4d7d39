package model

import (
	"net/netip"

	"farend/internal/source"
)

// Interface is one network interface of a device.
type Interface struct {
	Name  string
	Index int
	// Kind is the link kind: "veth", "bridge", "sit", "gre", "loopback",
	// "ether" ... as `ip -d link` names it ("" when unknown).
	Kind string
	MTU  int
	// Up is true when the interface is administratively up (IFF_UP).
	Up bool
	// LowerUp is true when the carrier is up (IFF_LOWER_UP).
	LowerUp bool
	// Loopback is true for lo (IFF_LOOPBACK).
	Loopback bool
	// PointToPoint is true for IFF_POINTOPOINT links (tunnels).
	PointToPoint bool
	// Master is the bridge, bond or VRF this interface is enslaved to.
	Master string
	// Addrs are the interface's addresses with their prefix lengths, in
	// the order the kernel lists them (the first IPv4 one is primary).
	Addrs []Address
	// Tunnel is set for tunnel interfaces.
	Tunnel *Tunnel
	// VRFTable is the routing table of a VRF device (Kind "vrf"); 0
	// otherwise.
	VRFTable uint32
	// Group is the interface group (`ip link set X group N`), which
	// `ip rule ... suppress_ifgroup` matches; 0 is "default".
	Group int
	Pos   source.Pos
}

// Address is one address on an interface.
type Address struct {
	Prefix netip.Prefix
	// Peer is the remote address of a point-to-point address, if any.
	Peer netip.Prefix
	// Scope is "global", "link", "host" ...
	Scope     string
	Secondary bool
	NoDAD     bool
}

// Tunnel describes a point-to-point tunnel's outer endpoints.
type Tunnel struct {
	// Mode is "sit", "gre", "ipip", "ip6tnl" ...
	Mode string
	// Local and Remote are the zero Addr when iproute2 printed "any".
	Local  netip.Addr
	Remote netip.Addr
	// TTL is the outer TTL (hop limit for ip6tnl); 0 means inherit.
	TTL int
	// Proto is the inner protocol as iproute2 prints it: "ip6ip" (sit),
	// "ipip", "mplsip", "any", "ip6ip6", "ipip6" (ip6tnl); "" when not
	// printed (gre).
	Proto string
}
