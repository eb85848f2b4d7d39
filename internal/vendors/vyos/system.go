package vyos

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
)

// system reads `system { ... }`: the host name, IPv6 forwarding and the
// 1.0-1.3 `gateway-address` default route; the rest is box management.
func (p *parser) system(n *node) {
	for _, c := range n.kids {
		switch c.word {
		case "host-name":
			p.r.Hostname, _ = n.val("host-name")
		case "gateway-address":
			v, _ := n.val("gateway-address")
			a, err := netip.ParseAddr(v)
			if err != nil {
				c.used = false
				continue
			}
			// The distance VyOS gives this route is not known here: left
			// unknown.
			p.r.Statics = append(p.r.Statics, model.StaticRoute{Prefix: netip.MustParsePrefix("0.0.0.0/0"), NextHop: a, Pos: p.posOf(c.kids[0])})
		case "ipv6":
			c.use()
			for _, x := range c.kids {
				switch x.word {
				case "disable-forwarding":
					x.useAll()
					p.r.IPv6Routing = false
				case "disable":
					x.useAll()
					p.r.IPv6Routing = false
				default:
					x.useAll()
				}
			}
		case "ip":
			c.use()
			for _, x := range c.kids {
				if x.word == "disable-forwarding" {
					x.report("IPv4 forwarding switched off: not modelled")
					continue
				}
				x.useAll()
			}
		default:
			// login (passwords redacted), ntp, syslog, time-zone, console,
			// config-management, conntrack (helpers used by firewall/NAT,
			// which are reported themselves), domain-name, name-server,
			// package, options, task-scheduler ...: box management.
			c.useAll()
		}
	}
}

// vrfs reads `vrf { name X { table N; protocols {...}; description } }`
// (1.3 and later).
func (p *parser) vrfs(n *node) {
	for _, c := range n.kids {
		if c.word != "name" {
			c.report("VRF option not modelled")
			continue
		}
		c.use()
		for _, v := range c.kids {
			v.use()
			vrf := model.VRF{Name: v.word, IPv4: true, IPv6: true, Pos: p.posOf(v)}
			for _, x := range v.kids {
				switch x.word {
				case "table":
					t, _ := v.val("table")
					n, err := strconv.ParseUint(t, 10, 32)
					if err != nil {
						x.used = false
						continue
					}
					vrf.Table = uint32(n)
				case "description":
					vrf.Description, _ = v.val("description")
				case "protocols":
					x.use()
					p.protocols(x, v.word)
				default:
					x.report("VRF option not modelled")
				}
			}
			p.r.VRFs = append(p.r.VRFs, vrf)
		}
	}
}

// protocols reads `protocols { ... }` of the global table or a VRF.
func (p *parser) protocols(n *node, vrf string) {
	for _, c := range n.kids {
		c.use()
		switch c.word {
		case "static":
			p.static(c, vrf)
		case "ospf":
			p.ospfProcess(c, 2, vrf)
		case "ospfv3":
			p.ospfProcess(c, 3, vrf)
		case "bgp":
			p.bgp(c, vrf)
		case "vrf":
			// VyOS 1.2: protocols vrf NAME { static ... }
			for _, v := range c.kids {
				v.use()
				for _, x := range v.kids {
					x.use()
					if x.word == "static" {
						p.static(x, v.word)
					} else {
						x.used = false
						x.report("VRF protocol not modelled")
					}
				}
			}
		default:
			c.used = false
			c.report("routing protocol not modelled")
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
