package sim

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// returnRouteFix proposes routes that make the reverse-path lookup for the
// packet's source find the input interface: a route in main, or the same
// route in its own table plus a policy rule that sends the reverse flow
// (whose source is the packet's destination) there. A return route in
// another table helps only if a rule leads the reverse lookup to it.
func (w *walk) returnRouteFix(in string) []string {
	p := w.req.Pkt
	ip := ipCmd(w.v6())
	dst := hostPrefix(p.Src)
	via := w.gatewayOn(in)
	route := fmt.Sprintf("%s route add %s %sdev %s", ip, dst, via, in)
	from := w.connectedPrefix(p.Dst)
	tbl := w.freeTable()
	return []string{
		route,
		fmt.Sprintf("%s table %d && %s rule add from %s lookup %d   # policy-routing alternative", route, tbl, ip, from, tbl),
	}
}

// gatewayOn finds the router to use on dev: a gateway some route already
// uses there. A point-to-point device needs none; otherwise a placeholder.
func (w *walk) gatewayOn(dev string) string {
	for _, r := range w.h.Dev.Routes {
		if r.Is6() != w.v6() {
			continue
		}
		for _, nh := range r.Nexthops {
			if nh.Dev == dev && nh.Gateway.IsValid() {
				return "via " + nh.Gateway.String() + " "
			}
		}
	}
	if itf := w.h.Dev.Interface(dev); itf != nil && itf.PointToPoint {
		return ""
	}
	return "via <router on " + dev + "> "
}

// connectedPrefix is the on-link prefix holding a (from a route without a
// gateway in main), or a as a host prefix.
func (w *walk) connectedPrefix(a netip.Addr) netip.Prefix {
	best := netip.PrefixFrom(a, a.BitLen())
	found := false
	for _, r := range w.h.FIB.Table(model.TableMain, a.Is6()) {
		if r.Type != model.RouteUnicast || !r.Dst.Contains(a) || r.Dst.Bits() == 0 {
			continue
		}
		if len(r.Nexthops) == 1 && !r.Nexthops[0].Gateway.IsValid() && (!found || r.Dst.Bits() > best.Bits()) {
			best, found = r.Dst, true
		}
	}
	return best
}

// freeTable picks a table id no route or rule uses yet, from 100 up.
func (w *walk) freeTable() uint32 {
	used := map[uint32]bool{}
	for _, r := range w.h.Dev.Routes {
		used[r.Table] = true
	}
	for _, rs := range [][]model.RouteRule{w.h.Dev.Rules4, w.h.Dev.Rules6} {
		for _, r := range rs {
			used[r.Table] = true
		}
	}
	for t := uint32(100); ; t++ {
		if !used[t] {
			return t
		}
	}
}
