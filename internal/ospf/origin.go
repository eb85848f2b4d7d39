package ospf

import (
	"net/netip"

	"farend/internal/model"
)

// originateArea builds the router-LSA, the network-LSAs of the segments
// where the instance is DR, and (OSPFv3) the intra-area-prefix LSAs of one
// area, from the adjacencies.
func originateArea(in *Instance, area model.AreaID) []*LSA {
	r := &LSA{Type: LSARouter, Area: area, AdvRouter: in.RouterID, origin: in, B: in.ABR}
	r.E = (in.ASBR || nssaBorderE(in)) && areaType(in, area) != model.AreaStub
	out := []*LSA{r}
	var stubPrefixes []prefixEntry
	for _, f := range in.Ifaces {
		if f.Area != area || !f.Up {
			continue
		}
		switch {
		case f.Loopback():
			if in.Version == 2 {
				// A loopback is a host route: RFC 2328 12.4.1.4 (and FRR
				// ospfd/ospf_lsa.c lsa_link_loopback_set: mask 255.255.255.255,
				// cost oi->output_cost).
				if f.Addr.IsValid() {
					r.links = append(r.links, rlink{kind: linkStub, prefix: netip.PrefixFrom(f.Addr.Addr(), 32), cost: f.Cost, local: f})
				}
			}
			for _, p := range f.Prefixes {
				stubPrefixes = append(stubPrefixes, prefixEntry{prefix: p, metric: f.Cost, iface: f})
			}
		case f.Network == model.NetPointToPoint || f.Network == model.NetPointToMultipoint:
			// RFC 2328 12.4.1.1: a p2p link to a Full neighbour, and
			// regardless of the neighbour's state a stub link for the
			// subnet (FRR ospfd/ospf_lsa.c lsa_link_ptop_set).
			for _, g := range f.full {
				r.links = append(r.links, rlink{kind: linkP2P, to: g.Inst.RouterID, cost: f.Cost, local: f, peer: g})
			}
			if in.Version == 2 && f.Addr.IsValid() {
				r.links = append(r.links, rlink{kind: linkStub, prefix: f.Addr.Masked(), cost: f.Cost, local: f})
			}
			// OSPFv3: prefixes of loopback and point-to-point interfaces
			// always go in the router's intra-area-prefix LSA
			// (ospf6d/ospf6_intra.c ospf6_intra_prefix_lsa_originate_stub).
			for _, p := range f.Prefixes {
				stubPrefixes = append(stubPrefixes, prefixEntry{prefix: p, metric: f.Cost, iface: f})
			}
		default:
			if transit(f) {
				r.links = append(r.links, rlink{kind: linkTransit, net: f.dr, cost: f.Cost, local: f})
				if f.dr == f {
					out = append(out, networkLSA(f))
				}
				continue
			}
			// RFC 2328 12.4.1.2: without a Full DR the segment is a stub
			// (FRR lsa_link_broadcast_set "has no DR. Adding stub
			// interface"); OSPFv3 puts its prefixes in the router's
			// intra-area-prefix LSA.
			if in.Version == 2 && f.Addr.IsValid() {
				r.links = append(r.links, rlink{kind: linkStub, prefix: f.Addr.Masked(), cost: f.Cost, local: f})
			}
			for _, p := range f.Prefixes {
				stubPrefixes = append(stubPrefixes, prefixEntry{prefix: p, metric: f.Cost, iface: f})
			}
		}
	}
	// Virtual links: a type-4 link in the backbone's router-LSA for every
	// Full virtual neighbour, with the transit path's cost, and the V bit
	// in the transit area's router-LSA (RFC 2328 12.4.1.3, A.4.2; FRR
	// ospfd/ospf_lsa.c lsa_link_virtuallink_set, router_lsa_flags).
	for _, f := range in.vlinks {
		for _, g := range f.full {
			if area == 0 {
				r.links = append(r.links, rlink{kind: linkVirtual, to: g.Inst.RouterID, cost: f.Cost, local: f, peer: g})
			}
			if area == f.vl.transit {
				r.V = true
			}
		}
	}
	if in.Version == 3 && len(stubPrefixes) > 0 {
		out = append(out, &LSA{Type: LSAIntraPrefix, Area: area, AdvRouter: in.RouterID, origin: in, prefixes: dedupPrefixes(stubPrefixes), What: "prefixes of stub, loopback and point-to-point interfaces"})
	}
	return out
}

// transit reports whether a broadcast interface is described as a transit
// link: a DR exists and the router is Full with it, or is the DR with at
// least one Full neighbour (RFC 2328 12.4.1.2; FRR lsa_link_broadcast_set).
func transit(f *Iface) bool {
	if f.dr == nil || f.Passive || len(f.full) == 0 {
		return false
	}
	if f.dr == f {
		return true
	}
	for _, g := range f.full {
		if g == f.dr {
			return true
		}
	}
	return false
}

// networkLSA is the network-LSA the DR f originates (RFC 2328 12.4.2):
// the DR and every router Full with it; OSPFv3 adds an intra-area-prefix
// LSA for the link's prefixes with metric 0 (RFC 5340 4.4.3.9).
func networkLSA(f *Iface) *LSA {
	in := f.Inst
	n := &LSA{Type: LSANetwork, Area: f.Area, AdvRouter: in.RouterID, origin: in, dr: f, attached: []*Instance{in}}
	if f.Addr.IsValid() {
		n.Prefix = f.Addr.Masked()
	}
	seen := map[netip.Prefix]bool{}
	add := func(g *Iface) {
		for _, p := range g.Prefixes {
			if !seen[p] {
				seen[p] = true
				n.prefixes = append(n.prefixes, prefixEntry{prefix: p, iface: f})
			}
		}
	}
	add(f)
	for _, g := range f.full {
		n.attached = append(n.attached, g.Inst)
		add(g)
	}
	return n
}

func dedupPrefixes(ps []prefixEntry) []prefixEntry {
	var out []prefixEntry
	idx := map[netip.Prefix]int{}
	for _, p := range ps {
		if i, ok := idx[p.prefix]; ok {
			if p.metric < out[i].metric {
				out[i] = p
			}
			continue
		}
		idx[p.prefix] = len(out)
		out = append(out, p)
	}
	return out
}
