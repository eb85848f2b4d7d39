package model

import (
	"net/netip"

	"farend/internal/source"
)

// ACL is an access list: IOS numbered or named, standard or extended,
// IPv4 or IPv6; FRR/zebra access-list; VyOS policy access-list.
type ACL struct {
	// Name is the number or the name as configured.
	Name string `json:"name"`
	// IPv6 is true for IPv6 access lists.
	IPv6 bool `json:"ipv6,omitempty"`
	// Extended is true for extended lists (protocol, both addresses,
	// ports); standard lists match the source address only (on IOS; in
	// route filters they match the prefix).
	Extended bool  `json:"extended,omitempty"`
	Entries  []ACE `json:"entries,omitempty"`
	// Remarks are the list's remark lines.
	Remarks []string   `json:"remarks,omitempty"`
	Pos     source.Pos `json:"pos,omitzero"`
}

// ACE is one entry of an access list. Anything the entry matches on
// beyond these fields is kept in Text and reported by the parser.
type ACE struct {
	// Seq is the sequence number as configured; 0 when none was printed
	// (IOS numbers entries 10, 20, ... then).
	Seq    int  `json:"seq,omitempty"`
	Permit bool `json:"permit"`
	// Protocol is "ip", "ipv6", "tcp", "udp", "icmp", a number ...; "" for
	// standard lists.
	Protocol string   `json:"protocol,omitempty"`
	Src      AddrSpec `json:"src"`
	Dst      AddrSpec `json:"dst"`
	// SrcPorts and DstPorts hold the port operator as written ("eq 22",
	// "range 1024 65535"); "" when none.
	SrcPorts string `json:"src_ports,omitempty"`
	DstPorts string `json:"dst_ports,omitempty"`
	// Flags are further match keywords kept as written: "established",
	// "echo", "log" ...
	Flags []string `json:"flags,omitempty"`
	// Text is the entry as written (for display).
	Text string     `json:"text"`
	Pos  source.Pos `json:"pos,omitzero"`
}

// AddrSpec is an address match: any, one host, an address with an IOS
// wildcard mask, or a prefix. The zero AddrSpec matches any address.
type AddrSpec struct {
	Any bool `json:"any,omitempty"`
	// Addr and Wildcard: bits set in Wildcard are ignored. A host has a
	// zero wildcard.
	Addr     netip.Addr `json:"addr,omitzero"`
	Wildcard netip.Addr `json:"wildcard,omitzero"`
	// Prefix is used by IPv6 lists and FRR; zero otherwise.
	Prefix netip.Prefix `json:"prefix,omitzero"`
	// ExactMatch is FRR's `exact-match` on a prefix.
	ExactMatch bool `json:"exact_match,omitempty"`
}

// ACLUse is one place an access list is applied.
type ACLUse struct {
	ACL  string `json:"acl"`
	IPv6 bool   `json:"ipv6,omitempty"`
	// Where is "interface FastEthernet0/0", "line vty 0 4", "snmp
	// community", "bgp neighbor 192.0.2.1", "ospf distribute-list" ...
	Where string `json:"where"`
	// Direction is "in" or "out" ("" when not directional).
	Direction string     `json:"direction,omitempty"`
	Pos       source.Pos `json:"pos,omitzero"`
}

// ACL returns the access list named name, or nil.
func (r *Router) ACL(name string, ipv6 bool) *ACL {
	for i := range r.ACLs {
		if r.ACLs[i].Name == name && r.ACLs[i].IPv6 == ipv6 {
			return &r.ACLs[i]
		}
	}
	return nil
}
