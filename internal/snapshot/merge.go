package snapshot

import "farend/internal/model"

// mergeHosts joins a router configuration and a Linux host directory of
// the same name into one device: an FRR (or VyOS) router is a Linux host
// whose kernel owns what frr.conf does not state, the interfaces' MTUs
// and kinds above all (FRR ospfd advertises the kernel's MTU in its
// database description packets: ospfd/ospf_packet.c ospf_make_db_desc).
// The router keeps its configuration; the host adds its interfaces' kernel
// facts, its routes, rules, sysctls and filters.
func mergeHosts(devs []*model.Device) []*model.Device {
	routers := map[string]*model.Device{}
	for _, d := range devs {
		if d.Kind == model.KindRouter {
			routers[d.Name] = d
		}
	}
	var out []*model.Device
	for _, d := range devs {
		r := routers[d.Name]
		if d.Kind != model.KindLinux || r == nil {
			out = append(out, d)
			continue
		}
		mergeHost(r, d)
	}
	return out
}

func mergeHost(r, h *model.Device) {
	for _, hi := range h.Interfaces {
		ri := r.Interface(hi.Name)
		if ri == nil {
			r.Interfaces = append(r.Interfaces, hi)
			if r.Router != nil {
				r.Router.Ifaces = append(r.Router.Ifaces, model.IfaceConfig{Name: hi.Name, Pos: hi.Pos})
			}
			continue
		}
		if ri.MTU == 0 {
			ri.MTU = hi.MTU
		}
		if ri.Kind == "" {
			ri.Kind = hi.Kind
		}
		ri.Loopback = ri.Loopback || hi.Loopback
		ri.PointToPoint = ri.PointToPoint || hi.PointToPoint
		if ri.Tunnel == nil {
			ri.Tunnel = hi.Tunnel
		}
		if ri.Index == 0 || hi.Index != 0 {
			ri.Index = hi.Index
		}
		if len(ri.Addrs) == 0 {
			ri.Addrs = hi.Addrs
		}
		ri.Up, ri.LowerUp = ri.Up && hi.Up, hi.LowerUp
	}
	r.Routes = append(r.Routes, h.Routes...)
	r.Rules4, r.Rules6 = h.Rules4, h.Rules6
	r.Sysctl = h.Sysctl
	r.Filter4, r.Filter6 = h.Filter4, h.Filter6
	r.Inputs = append(r.Inputs, h.Inputs...)
	r.Notes = append(r.Notes, h.Notes...)
	r.Notes.Sort()
}
