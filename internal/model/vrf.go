package model

import "farend/internal/source"

// VRF is one named routing table of a router (IOS `vrf definition` or `ip
// vrf`, VyOS `vrf name`, FRR `vrf`). The global table is the VRF named ""
// and is never listed.
type VRF struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// RD is the route distinguisher as written ("65000:1"); "" when none.
	RD string `json:"rd,omitempty"`
	// ImportRT and ExportRT are route targets as written.
	ImportRT []string `json:"import_rt,omitempty"`
	ExportRT []string `json:"export_rt,omitempty"`
	// IPv4 and IPv6 are true when the address family is enabled (IOS `vrf
	// definition` needs `address-family ipv4`; `ip vrf` is IPv4 only).
	IPv4 bool `json:"ipv4"`
	IPv6 bool `json:"ipv6"`
	// Table is the kernel table id of a VyOS/FRR VRF; 0 when not set.
	Table uint32     `json:"table,omitempty"`
	Pos   source.Pos `json:"pos,omitzero"`
}

// VRF returns the VRF named name, or nil (also for "", the global table).
func (r *Router) VRF(name string) *VRF {
	for i := range r.VRFs {
		if r.VRFs[i].Name == name {
			return &r.VRFs[i]
		}
	}
	return nil
}
