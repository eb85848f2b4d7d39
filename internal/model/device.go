// Package model is farend's vendor-neutral picture of a network: devices,
// their interfaces, routing tables, policy rules, sysctls and packet
// filters. Vendor parsers fill it; rib, sim and the questions read it.
package model

import (
	"farend/internal/netfilter"
	"farend/internal/source"
)

// Kind is what sort of device a Device is. The zero Kind is unknown.
type Kind uint8

// Device kinds.
const (
	KindUnknown Kind = iota
	KindLinux
	KindRouter
)

func (k Kind) String() string {
	switch k {
	case KindLinux:
		return "linux"
	case KindRouter:
		return "router"
	}
	return "unknown"
}

// Device is one host or router of a snapshot.
type Device struct {
	Name string
	Kind Kind
	// Interfaces in ifindex order.
	Interfaces []Interface
	// Routes of both families in every table, in file order.
	Routes []Route
	// Rules4 and Rules6 are the policy routing rules (ip rule) per family,
	// in file order (the kernel prints them by priority).
	Rules4, Rules6 []RouteRule
	// Sysctl holds net.* settings.
	Sysctl Sysctl
	// Filter4 and Filter6 are the iptables and ip6tables rulesets; nil when
	// the snapshot has none (see Inputs).
	Filter4, Filter6 *netfilter.Ruleset
	// NFT are the nftables tables from nft.json (`nft -j list ruleset`),
	// one Ruleset per family; nil when the snapshot has none.
	NFT []*netfilter.Ruleset
	// Inputs says, per kind of data, which file it came from or that it is
	// missing.
	Inputs []Input
	// Notes are the input lines farend did not understand.
	Notes source.Notes
	// Router holds a router configuration's VRFs, routing protocols,
	// static routes, filters and policies; nil for Linux hosts.
	Router *Router
}

// Input records one expected input file of a device and whether it was
// there.
type Input struct {
	// What is the kind of data: "links", "addresses", "routes4" ...
	What string `json:"what"`
	File string `json:"file"`
	// Present is false when the file was missing: the data is unknown, not
	// empty.
	Present bool `json:"present"`
	// Err is set when the file was there but could not be read at all.
	Err string `json:"error,omitempty"`
}

// Interface returns the interface named name, or nil.
func (d *Device) Interface(name string) *Interface {
	for i := range d.Interfaces {
		if d.Interfaces[i].Name == name {
			return &d.Interfaces[i]
		}
	}
	return nil
}

// Known reports whether the input of kind what was present.
func (d *Device) Known(what string) bool {
	for _, in := range d.Inputs {
		if in.What == what {
			return in.Present && in.Err == ""
		}
	}
	return false
}
