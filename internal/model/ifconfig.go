package model

import "farend/internal/source"

// IfaceConfig is what a router configuration says about one interface
// beyond model.Interface (which holds its kind, addresses, effective IPv4
// MTU, tunnel endpoints and admin state).
type IfaceConfig struct {
	Name string `json:"name"`
	// VRF is the VRF the interface is in; "" is the global table.
	VRF         string `json:"vrf,omitempty"`
	Description string `json:"description,omitempty"`
	// Shutdown is true when the interface is administratively down.
	Shutdown bool `json:"shutdown,omitempty"`
	// Parent is the physical interface of a subinterface or VLAN
	// interface (FastEthernet0/0.10 -> FastEthernet0/0, eth0.10 -> eth0).
	Parent string `json:"parent,omitempty"`
	// VLAN is the 802.1Q tag of a subinterface; 0 when untagged.
	VLAN int `json:"vlan,omitempty"`
	// Bandwidth in kbit/s, which OSPF costs derive from.
	Bandwidth Setting `json:"bandwidth_kbps"`
	// MTU is the layer-2/interface MTU (IOS `mtu`, VyOS/FRR `mtu`).
	MTU Setting `json:"mtu"`
	// IPMTU and IP6MTU are the largest IPv4 and IPv6 packets the interface
	// sends (IOS `ip mtu`, `ipv6 mtu`); OSPFv2 and OSPFv3 advertise them.
	IPMTU  Setting `json:"ip_mtu"`
	IP6MTU Setting `json:"ipv6_mtu"`
	// Unnumbered names the interface whose address an unnumbered
	// interface borrows.
	Unnumbered string `json:"unnumbered,omitempty"`
	// TunnelSource is the interface named as a tunnel's source (IOS
	// `tunnel source FastEthernet0/0`); model.Tunnel.Local then holds its
	// primary address.
	TunnelSource string `json:"tunnel_source,omitempty"`
	// TunnelKey is set when the tunnel carries a GRE key.
	TunnelKey bool `json:"tunnel_key,omitempty"`
	// Bond is the bonding/port-channel group this interface is a member of.
	Bond string     `json:"bond,omitempty"`
	Pos  source.Pos `json:"pos,omitzero"`
}

// Iface returns the router settings of the interface named name, or nil.
func (r *Router) Iface(name string) *IfaceConfig {
	for i := range r.Ifaces {
		if r.Ifaces[i].Name == name {
			return &r.Ifaces[i]
		}
	}
	return nil
}
