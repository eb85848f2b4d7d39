package ios

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// staticRoute reads `ip route [vrf X] PREFIX MASK [IF] [NH] [DIST] [tag T]
// [name N] [permanent] [global]` and `ipv6 route [vrf X] P [IF] [NH]
// [DIST] ...`.
func (p *parser) staticRoute(l *line, v6 bool) {
	w := l.Words[2:]
	r := model.StaticRoute{Pos: p.Pos(l)}
	if len(w) >= 2 && w[0] == "vrf" {
		r.VRF, w = w[1], w[2:]
	}
	var err error
	if v6 {
		if len(w) < 1 {
			p.Bad(l, "unknown static route syntax")
			return
		}
		r.Prefix, err = netip.ParsePrefix(w[0])
		w = w[1:]
	} else {
		if len(w) < 2 {
			p.Bad(l, "unknown static route syntax")
			return
		}
		a, err1 := netip.ParseAddr(w[0])
		bits, err2 := maskBits(w[1])
		if err1 != nil || err2 != nil || !a.Is4() {
			err = errBadMask
		} else {
			r.Prefix = netip.PrefixFrom(a, bits).Masked()
		}
		w = w[2:]
	}
	if err != nil || len(w) == 0 {
		p.Bad(l, "unknown static route syntax")
		return
	}
	r.Prefix = r.Prefix.Masked()
	for i := 0; i < len(w); i++ {
		x := w[i]
		next := ""
		if i+1 < len(w) {
			next = w[i+1]
		}
		if a, err := netip.ParseAddr(x); err == nil && !r.NextHop.IsValid() {
			r.NextHop = a
			continue
		}
		switch {
		case x == "tag":
			v, err := strconv.ParseUint(next, 10, 32)
			if err != nil {
				p.Bad(l, "bad tag")
				return
			}
			r.Tag = uint32(v)
			i++
		case x == "name":
			r.Name = next
			i++
		case x == "permanent":
			r.Permanent = true
		case x == "global":
			r.NextHopVRF = "global"
		case x == "track" || x == "multicast":
			p.Bad(l, "static route option not modelled: "+x)
			return
		case cisco.IsNumber(x):
			v, _ := strconv.Atoi(x)
			r.Distance = model.Set(v, p.Pos(l))
		case r.Interface == "" && !r.NextHop.IsValid() && typeOf(x).kind != "":
			r.Interface = x
		default:
			p.Bad(l, "unknown static route syntax")
			return
		}
	}
	if typeOf(r.Interface).kind == "null" {
		r.Blackhole = true
	}
	if !r.NextHop.IsValid() && r.Interface == "" {
		p.Bad(l, "static route without next hop")
		return
	}
	if !r.Distance.Known() {
		r.Distance = model.Default(1, srcStaticDistance)
	}
	p.r.Statics = append(p.r.Statics, r)
	p.OK(l)
}
