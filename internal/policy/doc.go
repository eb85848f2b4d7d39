// Package policy evaluates the routing policy objects of a router's
// configuration (prefix lists and route-maps) for the protocols that
// apply them: BGP inbound/outbound/network/redistribute policies
// (internal/bgp) and OSPF redistribution (internal/ospf). The protocol
// supplies what a match or set clause means for its route; the walk
// (sequence order, first matching entry decides, implicit deny) is here.
package policy
