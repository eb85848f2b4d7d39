package vyos

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// ospfIf is what the configuration says about an interface for one OSPF
// version, wherever it was written (the 1.0-1.3 `interfaces X ip ospf`
// and `ipv6 ospfv3` nodes, or the 1.3+ `protocols ospf[v3] interface X`).
type ospfIf struct {
	cost, hello, dead, priority, ifmtu, bandwidth model.Setting
	network                                       model.NetworkType
	networkPos                                    source.Pos
	mtuIgnore, bfd                                bool
	passive                                       *bool
	passivePos                                    source.Pos
	auth                                          model.OSPFAuth
	hasKey                                        bool
	instance                                      int
	areaSet                                       bool
	area                                          model.AreaID
	areaPos                                       source.Pos
	areaCmd                                       string
}

type ifOSPF struct{ v [2]ospfIf }

func (p *parser) ospfSettings(name string) *ifOSPF {
	o := p.ospfIf[name]
	if o == nil {
		o = &ifOSPF{}
		p.ospfIf[name] = o
	}
	return o
}

// ospfProc is a process being read.
type ospfProc struct {
	proc       model.OSPFProcess
	networks   []model.OSPFNetwork
	v3ifs      []v3If
	passive    map[string]source.Pos
	notPassive map[string]bool
}

type v3If struct {
	name string
	area model.AreaID
	pos  source.Pos
	cmd  string
}

// num reads the value of leaf w as a number, marking it.
func (p *parser) num(n *node, w string) (model.Setting, bool) {
	v, ok := n.val(w)
	if !ok {
		return model.Setting{}, false
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		n.child(w).used = false
		n.child(w).kids[0].used = false
		return model.Setting{}, false
	}
	return model.Set(i, p.posOf(n.child(w).kids[0])), true
}

// ospfIfNode reads per-interface OSPF settings from n's children.
func (p *parser) ospfIfNode(n *node, s *ospfIf, version int) {
	n.use()
	for _, c := range n.kids {
		switch c.word {
		case "cost":
			s.cost, _ = p.num(n, "cost")
		case "hello-interval":
			s.hello, _ = p.num(n, "hello-interval")
		case "dead-interval":
			s.dead, _ = p.num(n, "dead-interval")
		case "priority":
			s.priority, _ = p.num(n, "priority")
		case "ifmtu":
			s.ifmtu, _ = p.num(n, "ifmtu")
		case "bandwidth":
			s.bandwidth, _ = p.num(n, "bandwidth")
		case "instance-id":
			v, _ := p.num(n, "instance-id")
			s.instance = v.Value
		case "network":
			v, _ := n.val("network")
			t := map[string]model.NetworkType{"broadcast": model.NetBroadcast, "point-to-point": model.NetPointToPoint,
				"non-broadcast": model.NetNBMA, "point-to-multipoint": model.NetPointToMultipoint}[v]
			if t == model.NetUnknown {
				c.used = false
				c.report("unknown network type")
				continue
			}
			s.network, s.networkPos = t, p.posOf(c.kids[0])
		case "mtu-ignore":
			c.useAll()
			s.mtuIgnore = true
		case "bfd":
			c.useAll()
			s.bfd = true
		case "passive":
			c.useAll()
			on := c.child("disable") == nil
			s.passive, s.passivePos = &on, p.posOf(c)
		case "authentication":
			c.useAll()
			switch {
			case c.child("md5") != nil:
				s.auth, s.hasKey = model.AuthMD5, true
			case c.child("plaintext-password") != nil:
				s.auth, s.hasKey = model.AuthSimple, true
			case c.child("ipsec") != nil:
				s.auth, s.hasKey = model.AuthIPsec, true
			default:
				c.used = false
				c.report("unknown authentication")
			}
		case "area":
			v, _ := n.val("area")
			a, err := model.ParseAreaID(v)
			if err != nil {
				c.used = false
				continue
			}
			s.areaSet, s.area, s.areaPos = true, a, p.posOf(c.kids[0])
			s.areaCmd = nodeLine(c.kids[0])
		case "retransmit-interval", "transmit-delay", "hello-multiplier":
			c.useAll()
		default:
			c.report("OSPF interface option not modelled")
		}
	}
}

// ospfProcess reads `protocols ospf` (version 2) or `protocols ospfv3`.
func (p *parser) ospfProcess(n *node, version int, vrf string) {
	op := &ospfProc{passive: map[string]source.Pos{}, notPassive: map[string]bool{}}
	proc := &op.proc
	*proc = model.OSPFProcess{Version: version, VRF: vrf, Pos: p.posOf(n),
		ReferenceBandwidth: model.Default(100, srcRefBW),
		DistanceIntra:      model.Default(110, srcOSPFDistance),
		DistanceInter:      model.Default(110, srcOSPFDistance),
		DistanceExternal:   model.Default(110, srcOSPFDistance),
		MaximumPaths:       model.Setting{From: srcMaxPaths},
	}
	if version == 2 {
		proc.RFC1583Compatible = model.Default(0, srcRFC1583)
	}
	for _, c := range n.kids {
		c.use()
		switch c.word {
		case "area":
			for _, a := range c.kids {
				p.ospfArea(a, op, version)
			}
		case "parameters":
			for _, x := range c.kids {
				switch x.word {
				case "router-id":
					v, _ := c.val("router-id")
					if a, err := netip.ParseAddr(v); err == nil {
						proc.RouterID = a
					} else {
						x.used = false
					}
				case "rfc1583-compatibility":
					x.useAll()
					if version == 2 {
						proc.RFC1583Compatible = model.Set(1, p.posOf(x))
					}
				case "abr-type":
					// cisco is the default (ospfd ospf_abr_type); the
					// others are not modelled.
					if v, _ := c.val("abr-type"); v != "cisco" {
						x.reject("OSPF ABR type " + v + " not modelled: farend follows the cisco type (RFC 3509)")
					}
				case "opaque-lsa", "instance-id":
					x.useAll()
				default:
					x.report("OSPF parameter not modelled")
				}
			}
		case "passive-interface":
			for _, x := range c.kids {
				x.use()
				if x.word == "default" {
					proc.PassiveDefault = true
				} else {
					op.passive[x.word] = p.posOf(x)
				}
			}
		case "passive-interface-exclude":
			for _, x := range c.kids {
				x.use()
				op.notPassive[x.word] = true
			}
		case "redistribute":
			for _, x := range c.kids {
				x.use()
				r := model.Redistribution{Protocol: x.word, Pos: p.posOf(x)}
				if v, ok := p.num(x, "metric"); ok {
					r.Metric = v.Value
				}
				if v, ok := p.num(x, "metric-type"); ok {
					r.MetricType = v.Value
				}
				r.RouteMap, _ = x.val("route-map")
				for _, y := range x.kids {
					if !y.used {
						y.report("redistribute option not modelled")
					}
				}
				proc.Redistribute = append(proc.Redistribute, r)
			}
		case "default-information":
			o := c.child("originate")
			if o == nil {
				c.used = false
				continue
			}
			o.use()
			d := &model.DefaultOriginate{Pos: p.posOf(o), Always: o.has("always")}
			if v, ok := p.num(o, "metric"); ok {
				d.Metric = v.Value
			}
			if v, ok := p.num(o, "metric-type"); ok {
				d.MetricType = v.Value
			}
			d.RouteMap, _ = o.val("route-map")
			proc.DefaultOriginate = d
		case "default-metric":
			// protocols ospf default-metric N (FRR ospfd; ospf6d has none).
			if version != 2 {
				c.used = false
				c.report("OSPF option not modelled (ospf6d has no default-metric)")
			} else if v, ok := p.num(n, "default-metric"); ok {
				proc.DefaultMetric = &v
			}
		case "auto-cost":
			if v, ok := p.num(c, "reference-bandwidth"); ok {
				proc.ReferenceBandwidth = v
			}
		case "distance":
			if v, ok := p.num(c, "global"); ok {
				proc.DistanceIntra, proc.DistanceInter, proc.DistanceExternal = v, v, v
			}
			for _, fam := range []string{"ospf", "ospfv3"} {
				if o := c.child(fam); o != nil {
					o.use()
					if v, ok := p.num(o, "intra-area"); ok {
						proc.DistanceIntra = v
					}
					if v, ok := p.num(o, "inter-area"); ok {
						proc.DistanceInter = v
					}
					if v, ok := p.num(o, "external"); ok {
						proc.DistanceExternal = v
					}
				}
			}
		case "log-adjacency-changes", "timers", "refresh", "graceful-restart":
			c.useAll()
		case "max-metric":
			r := c.child("router-lsa")
			if r == nil {
				c.used = false
				continue
			}
			r.use()
			m := &model.MaxMetric{Pos: p.posOf(r), Administrative: r.has("administrative")}
			if v, ok := p.num(r, "on-startup"); ok {
				m.OnStartup = v.Value
			}
			p.num(r, "on-shutdown")
			proc.MaxMetric = m
		case "maximum-paths":
			v, _ := p.num(n, "maximum-paths")
			proc.MaximumPaths = v
		case "interface":
			for _, x := range c.kids {
				x.use()
				p.ospfIfNode(x, &p.ospfSettings(x.word).v[version-2], version)
			}
		default:
			c.used = false
			c.report("OSPF option not modelled")
		}
		for _, x := range c.kids {
			if !x.used && x.why == "" {
				x.report("OSPF option not modelled")
			}
		}
	}
	p.ospf = append(p.ospf, op)
}

// ospfArea reads `area X { ... }`.
func (p *parser) ospfArea(a *node, op *ospfProc, version int) {
	a.use()
	id, err := model.ParseAreaID(a.word)
	if err != nil {
		a.used = false
		a.report("bad area id")
		return
	}
	ar := cisco.AreaOf(&op.proc, id)
	ar.Pos = p.posOf(a)
	for _, c := range a.kids {
		c.use()
		switch c.word {
		case "network":
			for _, x := range c.kids {
				pf, err := netip.ParsePrefix(x.word)
				if err != nil || !pf.Addr().Is4() {
					x.report("bad network")
					continue
				}
				x.use()
				pf = pf.Masked()
				wc := wildcard(pf)
				nw := model.OSPFNetwork{Addr: pf.Addr(), Wildcard: wc, Prefix: pf, Area: id, Pos: p.posOf(x)}
				ar.Networks = append(ar.Networks, nw)
				op.networks = append(op.networks, nw)
			}
		case "interface":
			for _, x := range c.kids {
				x.use()
				op.v3ifs = append(op.v3ifs, v3If{name: x.word, area: id, pos: p.posOf(x), cmd: nodeLine(x)})
			}
		case "area-type":
			for _, t := range c.kids {
				t.use()
				switch t.word {
				case "normal":
					ar.Type = model.AreaNormal
				case "stub", "nssa":
					ar.Type = model.AreaStub
					if t.word == "nssa" {
						ar.Type = model.AreaNSSA
					}
					ar.NoSummary = t.has("no-summary")
					if v, ok := p.num(t, "default-cost"); ok {
						ar.DefaultCost = v
					}
					t.ignore("translate", "stability-interval")
					for _, x := range t.kids {
						if !x.used {
							x.report("area option not modelled")
						}
					}
				default:
					t.report("unknown area type")
				}
			}
		case "range":
			for _, x := range c.kids {
				pf, err := netip.ParsePrefix(x.word)
				if err != nil {
					x.report("bad range")
					continue
				}
				x.use()
				r := model.AreaRange{Prefix: pf.Masked(), Pos: p.posOf(x), NotAdvertise: x.has("not-advertise")}
				x.has("advertise")
				if v, ok := p.num(x, "cost"); ok {
					r.Cost = v.Value
				}
				for _, y := range x.kids {
					if !y.used {
						y.report("range option not modelled")
					}
				}
				ar.Ranges = append(ar.Ranges, r)
			}
		case "authentication":
			v, _ := a.val("authentication")
			switch v {
			case "md5":
				ar.Auth = model.AuthMD5
			case "plaintext-password":
				ar.Auth = model.AuthSimple
			default:
				c.used = false
				c.report("unknown area authentication")
			}
		case "shortcut":
			c.useAll()
		case "virtual-link":
			if version == 3 {
				c.used = false
				c.report("area option not modelled")
				continue
			}
			for _, x := range c.kids {
				p.virtualLink(x, ar, id)
			}
		default:
			c.used = false
			c.report("area option not modelled")
		}
	}
}

// virtualLink reads `area X virtual-link RID { ... }` (vyos-1x
// include/ospf/protocol-common-config.xml.i, vyatta-cfg-quagga
// templates/protocols/ospf/area/node.tag/virtual-link): the intervals
// are leaves of the link, and authentication is `md5 key-id N md5-key
// KEY`, `plaintext-password PW` or (1.4) `null`. FRR, which VyOS renders
// the link for, refuses a link through area 0.
func (p *parser) virtualLink(x *node, ar *model.OSPFArea, id model.AreaID) {
	peer, err := netip.ParseAddr(x.word)
	if err != nil || !peer.Is4() {
		x.used = false
		x.report("bad virtual-link router id")
		return
	}
	if id == 0 {
		x.reject("error: FRR ospfd refuses a virtual link through the backbone (\"Configuring VLs over the backbone is not allowed\", ospfd/ospf_vty.c ospf_find_vl_data): the link does not exist")
		return
	}
	x.use()
	vl := model.VirtualLink{Peer: peer, Hello: model.Default(10, srcHello), Dead: model.Default(40, srcDead), Pos: p.posWithin(x)}
	if v, ok := p.num(x, "hello-interval"); ok {
		vl.Hello = v
	}
	if v, ok := p.num(x, "dead-interval"); ok {
		vl.Dead = v
	}
	p.num(x, "retransmit-interval")
	p.num(x, "transmit-delay")
	if a := x.child("authentication"); a != nil {
		a.use()
		for _, k := range a.kids {
			switch k.word {
			case "md5":
				vl.Auth, vl.HasKey = model.AuthMD5, true
			case "plaintext-password":
				vl.Auth, vl.HasKey = model.AuthSimple, true
			case "null":
				vl.Auth = model.AuthNull
			default:
				k.report("unknown authentication")
				continue
			}
			k.useAll()
		}
	}
	for _, y := range x.kids {
		if !y.used {
			y.report("virtual-link option not modelled")
		}
	}
	ar.VirtualLinks = append(ar.VirtualLinks, vl)
}

// posWithin returns the position of the first line ending at n or below
// it: a `set` list has no line of its own for a tag node such as a
// virtual link's router id.
func (p *parser) posWithin(n *node) source.Pos {
	best := p.posOf(n)
	for _, k := range n.kids {
		if q := p.posWithin(k); !q.IsZero() && (best.IsZero() || q.Line < best.Line) {
			best = q
		}
	}
	return best
}

// wildcard is the inverse mask of an IPv4 prefix.
func wildcard(pf netip.Prefix) netip.Addr {
	var m uint32
	if pf.Bits() < 32 {
		m = 1<<(32-pf.Bits()) - 1
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}
