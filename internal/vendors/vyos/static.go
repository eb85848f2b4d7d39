package vyos

import (
	"net/netip"

	"farend/internal/model"
)

// static reads `protocols static { route|route6 P {...}; interface-route
// P {...} }` in the VRF vrf.
func (p *parser) static(n *node, vrf string) {
	for _, c := range n.kids {
		c.use()
		switch c.word {
		case "route", "route6":
			for _, r := range c.kids {
				p.staticRoute(r, vrf)
			}
		case "interface-route", "interface-route6":
			for _, r := range c.kids {
				pf, err := netip.ParsePrefix(r.word)
				if err != nil {
					r.report("bad prefix")
					continue
				}
				r.use()
				for _, x := range r.kids {
					if x.word != "next-hop-interface" {
						x.report("static route option not modelled")
						continue
					}
					x.use()
					for _, ifn := range x.kids {
						ifn.use()
						sr := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), Interface: ifn.word, Pos: p.posOf(ifn)}
						p.staticOpts(ifn, &sr)
						p.r.Statics = append(p.r.Statics, sr)
					}
				}
			}
		default:
			c.used = false
			c.report("static routing option not modelled")
		}
	}
}

// staticRoute reads `route P { next-hop A {...}; blackhole {...};
// interface IF {...} }`.
func (p *parser) staticRoute(r *node, vrf string) {
	pf, err := netip.ParsePrefix(r.word)
	if err != nil {
		r.report("bad prefix")
		return
	}
	r.use()
	for _, x := range r.kids {
		x.use()
		switch x.word {
		case "next-hop":
			for _, nh := range x.kids {
				a, err := netip.ParseAddr(nh.word)
				if err != nil {
					nh.report("bad next hop")
					continue
				}
				nh.use()
				sr := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), NextHop: a, Pos: p.posOf(nh)}
				if nh.has("disable") {
					continue
				}
				sr.Interface, _ = nh.val("interface")
				sr.NextHopVRF, _ = nh.val("vrf")
				p.staticOpts(nh, &sr)
				p.r.Statics = append(p.r.Statics, sr)
			}
		case "blackhole", "reject":
			sr := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), Blackhole: x.word == "blackhole", Reject: x.word == "reject", Pos: p.posOf(x)}
			p.staticOpts(x, &sr)
			p.r.Statics = append(p.r.Statics, sr)
		case "interface":
			for _, ifn := range x.kids {
				ifn.use()
				sr := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), Interface: ifn.word, Pos: p.posOf(ifn)}
				if ifn.has("disable") {
					continue
				}
				p.staticOpts(ifn, &sr)
				p.r.Statics = append(p.r.Statics, sr)
			}
		case "description":
			x.useAll()
		default:
			x.used = false
			x.report("static route option not modelled")
		}
	}
}

// staticOpts reads distance and tag.
func (p *parser) staticOpts(n *node, sr *model.StaticRoute) {
	if v, ok := p.num(n, "distance"); ok {
		sr.Distance = v
	} else {
		sr.Distance = model.Default(1, srcStaticDistance)
	}
	if v, ok := p.num(n, "tag"); ok {
		sr.Tag = uint32(v.Value)
	}
	for _, k := range n.kids {
		if !k.used {
			k.report("static route option not modelled")
		}
	}
}
