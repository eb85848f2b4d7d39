package ospf

import (
	"fmt"
	"net/netip"
	"sort"

	"farend/internal/model"
)

// vlink is what a virtual-link pseudo-interface (Iface.vl) knows beyond an
// interface: the transit area it runs through and, once the transit
// area's SPF reaches the other end, the path there (RFC 2328 15: "the
// virtual link's cost is the cost of the intra-area path through the
// transit area"; its interface address and the neighbour's address come
// from that path and from the other end's router-LSA).
type vlink struct {
	cfg     *model.VirtualLink
	transit model.AreaID
	peer    netip.Addr
	// why says why the link is down, when it is.
	why string
	// nexthops are the transit area's next hops to the other end.
	nexthops []Nexthop
	// other is the other end's pseudo-interface, when it has one for this
	// router through the same area.
	other *Iface
}

// allIfaces is the instance's interfaces and its virtual links.
func (in *Instance) allIfaces() []*Iface {
	if len(in.vlinks) == 0 {
		return in.Ifaces
	}
	return append(append([]*Iface(nil), in.Ifaces...), in.vlinks...)
}

// virtualLinks makes the pseudo-interfaces of every OSPFv2 virtual link
// (in area 0, as ospfd's VLINKn and IOS's OSPF_VLn are) and returns them.
// A virtual link through the backbone, a stub or an NSSA is refused by
// the routers (RFC 2328 15 and 3.6; FRR ospfd/ospf_vty.c refuses the
// command) and gets none; the parsers report the line.
func virtualLinks(ins []*Instance) ([]*Iface, []*Adjacency) {
	var out []*Iface
	var refused []*Adjacency
	for _, in := range ins {
		if in.Version != 2 || !in.RouterID.IsValid() {
			continue
		}
		for ai := range in.Proc.Areas {
			a := &in.Proc.Areas[ai]
			if a.ID == 0 {
				continue
			}
			for vi := range a.VirtualLinks {
				c := &a.VirtualLinks[vi]
				if a.Type != model.AreaNormal {
					refused = append(refused, refusedVL(in, a, c))
					continue
				}
				name := fmt.Sprintf("VLINK%d", len(in.vlinks))
				if in.Vendor() == "ios" {
					name = fmt.Sprintf("OSPF_VL%d", len(in.vlinks))
				}
				cfg := &model.OSPFInterface{Name: name, Area: 0, Network: model.NetVirtualLink,
					EnabledBy: fmt.Sprintf("area %s virtual-link %s", a.ID, c.Peer),
					Hello:     c.Hello, Dead: c.Dead, Auth: c.Auth, HasKey: c.HasKey, Pos: c.Pos}
				if cfg.Auth == model.AuthNone {
					// Without its own authentication a virtual link uses the
					// backbone's (RFC 2328 D.3; the area 0 setting).
					if bb := in.Proc.Area(0); bb != nil {
						cfg.Auth = bb.Auth
					}
				}
				f := &Iface{Inst: in, Cfg: cfg, Name: name, Area: 0, Network: model.NetVirtualLink,
					vl: &vlink{cfg: c, transit: a.ID, peer: c.Peer}}
				in.vlinks = append(in.vlinks, f)
				out = append(out, f)
			}
		}
		if len(in.vlinks) > 0 && (len(in.Areas) == 0 || in.Areas[0] != 0) {
			in.Areas = append([]model.AreaID{0}, in.Areas...)
		}
	}
	return out, refused
}

// refusedVL is the verdict on a virtual link configured through a stub or
// an NSSA: there is none. RFC 2328 15 (and RFC 3101 for NSSAs) forbids
// it; ospfd refuses the line ("Area X is stub", ospfd/ospf_vty.c
// ospf_find_vl_data), or the area type when the link came first ("First
// deconfigure all virtual link through this area"), which farend cannot
// tell from a saved configuration, so it takes the area type as set.
func refusedVL(in *Instance, a *model.OSPFArea, c *model.VirtualLink) *Adjacency {
	e := End{Node: in.Dev.Name, Instance: in.Name(), Iface: "", RouterID: in.RouterID.String(), Network: model.NetVirtualLink.String(), State: StateDown}
	return &Adjacency{Version: 2, Link: fmt.Sprintf("virtual link %s <-> %s through area %s", in.RouterID, c.Peer, a.ID),
		A: e, B: End{Node: c.Peer.String(), RouterID: c.Peer.String(), Network: model.NetVirtualLink.String(), State: StateDown},
		Status: VirtualLinkDown,
		Reason: fmt.Sprintf("`area %s virtual-link %s` (%s) runs through area %s, a %s area: virtual links cannot cross stub or NSSA areas (RFC 2328 15, RFC 3101), and the router refuses the command (FRR ospfd: \"Area %s is %s\")",
			a.ID, c.Peer, c.Pos, a.ID, a.Type, a.ID, a.Type),
		Fixes: []Fix{{Node: in.Dev.Name, Commands: []string{fmt.Sprintf("no area %s virtual-link %s", a.ID, c.Peer)},
			Why: "a virtual link needs a normal transit area: remove it, or make the area normal on all its routers"}}}
}

// settleVirtualLinks decides, from the last computation's transit-area
// SPF trees, which virtual links are up and which adjacencies over them
// reach Full, and reports whether anything changed.
//
// A link is up when the other end is reachable through the transit area:
// ospfd checks its virtual links for every router the transit area's SPF
// reaches, border router or not (ospfd/ospf_route.c ospf_intra_add_router
// calls ospf_vl_up_check before its ABR/ASBR test; RFC 2328 16.1 step 2
// asks for a border router). Its cost is the distance there, its address
// that of the interface its path leaves by (ospfd/ospf_interface.c
// ospf_vl_set_params).
func settleVirtualLinks(vls []*Iface) bool {
	changed := false
	for _, f := range vls {
		in, v := f.Inst, f.vl
		up, why, cost := false, "", 0
		var nhs []Nexthop
		var local netip.Addr
		switch w := spfRouter(in.spf[v.transit], v.peer); {
		case !areaHasUp(in, v.transit):
			why = fmt.Sprintf("this router has no interface up in the transit area %s", v.transit)
		case w == nil:
			why = fmt.Sprintf("%s is not reachable through the transit area %s", v.peer, v.transit)
		default:
			up, cost, nhs = true, w.dist, w.nexthops
			if isFRR(in) {
				nhs = firstParent(nhs)
			}
			if len(nhs) > 0 && nhs[0].f != nil {
				local = nhs[0].f.Addr.Addr()
			}
		}
		if up != f.Up || cost != f.Cost {
			changed = true
		}
		f.Up, f.Cost, v.why, v.nexthops = up, cost, why, nhs
		f.Addr = netip.Prefix{}
		if local.IsValid() {
			f.Addr = netip.PrefixFrom(local, local.BitLen())
		}
	}
	// Pair the ends and decide the adjacencies.
	for _, f := range vls {
		f.vl.other = nil
		for _, g := range vls {
			if g.Inst != f.Inst && g.Inst.RouterID == f.vl.peer && g.vl.peer == f.Inst.RouterID && g.vl.transit == f.vl.transit &&
				g.Inst.dbs[f.vl.transit] != nil && g.Inst.dbs[f.vl.transit] == f.Inst.dbs[f.vl.transit] {
				f.vl.other = g
			}
		}
	}
	for _, f := range vls {
		full := f.vl.other != nil && vlCheck(f, f.vl.other) == ""
		if full != (len(f.full) > 0) {
			changed = true
		}
		f.full = nil
		if full {
			f.full = []*Iface{f.vl.other}
		}
	}
	return changed
}

// firstParent is the next hop ospfd keeps for a virtual link: the first
// parent of the other end's vertex, parents being sorted by next-hop
// address (ospfd/ospf_spf.c vertex_parent_cmp; ospf_vl_set_params
// "We take the first interface").
func firstParent(nhs []Nexthop) []Nexthop {
	if len(nhs) <= 1 {
		return nhs
	}
	best := nhs[0]
	for _, n := range nhs[1:] {
		if n.Gateway.Less(best.Gateway) {
			best = n
		}
	}
	return []Nexthop{best}
}

func spfRouter(res *spfResult, rid netip.Addr) *vertex {
	if res == nil {
		return nil
	}
	return res.routers[rid]
}

func areaHasUp(in *Instance, a model.AreaID) bool {
	for _, f := range in.Ifaces {
		if f.Area == a && f.Up {
			return true
		}
	}
	return false
}

// vlCheck is why a virtual adjacency between f and its other end g does
// not reach Full, or "". Both ends must be up and their hellos must
// agree on the intervals and the authentication (RFC 2328 10.5: on a
// virtual link the network mask is not checked, and the MTU in database
// description packets is 0, so there is no MTU check either).
func vlCheck(f, g *Iface) string {
	switch {
	case !f.Up:
		return fmt.Sprintf("%s: %s", f.Inst.Dev.Name, f.vl.why)
	case !g.Up:
		return fmt.Sprintf("%s: %s", g.Inst.Dev.Name, g.vl.why)
	case f.Cfg.Hello.Value != g.Cfg.Hello.Value:
		return fmt.Sprintf("hello interval %d s on %s (%s), %d s on %s (%s): must match on both ends of the virtual link (RFC 2328 10.5)",
			f.Cfg.Hello.Value, f.Inst.Dev.Name, settingFrom(f.Cfg.Hello), g.Cfg.Hello.Value, g.Inst.Dev.Name, settingFrom(g.Cfg.Hello))
	case f.Cfg.Dead.Value != g.Cfg.Dead.Value:
		return fmt.Sprintf("dead interval %d s on %s (%s), %d s on %s (%s): must match on both ends of the virtual link (RFC 2328 10.5)",
			f.Cfg.Dead.Value, f.Inst.Dev.Name, settingFrom(f.Cfg.Dead), g.Cfg.Dead.Value, g.Inst.Dev.Name, settingFrom(g.Cfg.Dead))
	case authKind(f) != authKind(g):
		return fmt.Sprintf("authentication %s on %s's virtual link, %s on %s's: packets with another authentication type are dropped (RFC 2328 D.2)", authKind(f), f.Inst.Dev.Name, authKind(g), g.Inst.Dev.Name)
	}
	return ""
}

// vlAdjacencies are the adjacencies over the virtual links, one per pair
// of ends and one for every end without a partner.
func vlAdjacencies(vls []*Iface) []*Adjacency {
	var out []*Adjacency
	done := map[*Iface]bool{}
	for _, f := range vls {
		if done[f] {
			continue
		}
		done[f] = true
		link := fmt.Sprintf("virtual link %s <-> %s through area %s", f.Inst.RouterID, f.vl.peer, f.vl.transit)
		g := f.vl.other
		if g == nil {
			adj := &Adjacency{Version: 2, Link: link, A: end(f), Status: VirtualLinkDown}
			// The other end is named when the transit area holds it; it
			// has no virtual-link interface, so End.Iface stays empty.
			adj.B = End{Node: f.vl.peer.String(), RouterID: f.vl.peer.String(), Area: 0, Network: model.NetVirtualLink.String(), State: StateDown}
			if db := f.Inst.dbs[f.vl.transit]; db != nil {
				for _, m := range db.members {
					if m.RouterID == f.vl.peer && m.Version == 2 {
						adj.B.Node, adj.B.Instance = m.Dev.Name, m.Name()
					}
				}
			}
			adj.A.State = StateDown
			adj.Reason = fmt.Sprintf("%s has `%s` (%s), but no router with id %s in area %s has a virtual link back to %s: the link has no neighbour",
				f.Inst.Dev.Name, f.Cfg.EnabledBy, f.Cfg.Pos, f.vl.peer, f.vl.transit, f.Inst.RouterID)
			if !f.Up {
				adj.Reason += "; and " + f.vl.why
			}
			adj.Fixes = []Fix{{Node: "router " + f.vl.peer.String(), Commands: []string{"router ospf", fmt.Sprintf(" area %s virtual-link %s", f.vl.transit, f.Inst.RouterID)},
				Why: "a virtual link is configured on both of its ends (RFC 2328 C.4)"}}
			out = append(out, adj)
			continue
		}
		done[g] = true
		adj := &Adjacency{Version: 2, Link: link, A: end(f), B: end(g)}
		if why := vlCheck(f, g); why != "" {
			// Hellos that fail a check are dropped, so neither end
			// ever lists the other: both stay Down.
			adj.Status, adj.Reason = VirtualLinkDown, why
			adj.A.State, adj.B.State = StateDown, StateDown
			if f.Up && g.Up {
				adj.Status = vlStatus(f, g)
			}
		} else {
			adj.Status, adj.A.State, adj.B.State = Established, StateFull, StateFull
			adj.Reason = fmt.Sprintf("both ends reach each other through area %s (cost %d from %s, %d from %s) and their hellos agree", f.vl.transit, f.Cost, f.Inst.Dev.Name, g.Cost, g.Inst.Dev.Name)
			if isFRR(f.Inst) || isFRR(g.Inst) {
				// Seen in the FRR harness: externals missing beyond the
				// link until the type-4 LSA was refreshed.
				adj.Reason += "; note: ospfd 8.4 leaves type-4 (ASBR-summary) LSAs out of the database exchange over a virtual link (ospfd/ospf_nsm.c nsm_negotiation_done), so one originated before the link came up crosses it only when refreshed (up to 30 minutes): until then the ASBR's external routes are missing beyond the link. farend shows the state after the refresh"
			}
		}
		out = append(out, adj)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Link < out[j].Link })
	return out
}

// vlStatus names the failed hello check of two up ends.
func vlStatus(f, g *Iface) Status {
	switch {
	case f.Cfg.Hello.Value != g.Cfg.Hello.Value:
		return HelloIntervalMismatch
	case f.Cfg.Dead.Value != g.Cfg.Dead.Value:
		return DeadIntervalMismatch
	}
	return AuthMismatch
}
