// Package network follows one packet across the devices of a snapshot:
// device by device (Linux hosts through their kernel model in sim,
// routers through their computed RIB), from an interface to the device
// that owns the next hop across the link (topology), into and out of
// tunnels, until it is accepted, dropped, leaves the snapshot, finds no
// neighbour or loops. With BothWays the reply is traced back with the
// connection state the request created.
package network

import (
	"net/netip"
	"sort"

	"farend/internal/bgp"
	"farend/internal/model"
	"farend/internal/sim"
	"farend/internal/topology"
)

// Network is a snapshot ready for tracing across devices.
type Network struct {
	Topo    *topology.Topology
	devices map[string]*model.Device
	hosts   map[string]*sim.Host
	// owners maps every interface address to the interfaces that hold it.
	owners map[netip.Addr][]topology.Endpoint
	ribs   *bgp.Result
	devs   []*model.Device
}

// New indexes the devices and their topology.
func New(devs []*model.Device, topo *topology.Topology) *Network {
	n := &Network{Topo: topo, devices: map[string]*model.Device{}, hosts: map[string]*sim.Host{}, owners: map[netip.Addr][]topology.Endpoint{}, devs: devs}
	for _, d := range devs {
		n.devices[d.Name] = d
		if IsHost(d) {
			n.hosts[d.Name] = sim.NewHost(d)
		}
		for _, itf := range d.Interfaces {
			for _, a := range itf.Addrs {
				n.owners[a.Prefix.Addr()] = append(n.owners[a.Prefix.Addr()], topology.Endpoint{Node: d.Name, Iface: itf.Name})
			}
		}
	}
	for _, eps := range n.owners {
		sort.Slice(eps, func(i, j int) bool { return eps[i].Less(eps[j]) })
	}
	return n
}

// IsHost reports whether the device is traced through the Linux kernel
// model: a Linux host (also one that runs FRR: its kernel routes are in
// the snapshot). Other devices forward by their computed RIB.
func IsHost(d *model.Device) bool {
	if d.Kind == model.KindLinux {
		return true
	}
	for _, in := range d.Inputs {
		if (in.What == "routes4" || in.What == "routes6") && in.Present {
			return true
		}
	}
	return false
}

// Device returns the device named name, or nil.
func (n *Network) Device(name string) *model.Device { return n.devices[name] }

// rib returns the computed RIBs of the routers (once).
func (n *Network) rib() *bgp.Result {
	if n.ribs == nil {
		n.ribs = bgp.Solve(n.devs)
	}
	return n.ribs
}
