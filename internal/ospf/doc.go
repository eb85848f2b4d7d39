// Package ospf predicts what the OSPFv2 and OSPFv3 processes of a
// snapshot's routers do: which adjacencies come up and, when one does not,
// the exact reason, the state each side stays in and the fix; the link
// state database of every area; and the routes each process computes
// (intra-area, inter-area, external E1/E2, stub and NSSA areas, ECMP).
//
// The rules come from RFC 2328 (OSPFv2), RFC 5340 (OSPFv3), RFC 3101
// (NSSA), RFC 3509 (ABR behaviour), RFC 4576/4577 (OSPF as the PE-CE
// protocol of an MPLS VPN) and from the implementations farend is tested
// against: FRR 8.4 (ospfd, ospf6d; every FRR-specific rule names its
// source file and function) and Cisco IOS (command references). Where FRR
// and the RFC differ, FRR's behaviour is used for FRR and VyOS routers and
// the comment says so.
//
// Compute is the entry point: it takes the devices of a snapshot and
// returns a Result holding every instance (one per router process), every
// adjacency and, per instance, its areas' LSDBs and its routes.
// ComputeWith also takes the routes of other protocols that `redistribute`
// brings in (BGP: internal/bgp's Solve runs the two to a fixed point);
// the LSAs an IOS PE process originates for BGP routes carry the DN bit
// and its VPN route tag, and a PE process does not use LSAs with either
// (pe_checks.go). What farend does not model (other redistribution
// sources, route-map clauses) is said in each Instance's Notes. RIB
// (rib.go) merges the OSPF routes with connected, local and static routes
// into a router's routing table with each vendor's administrative
// distances.
package ospf
