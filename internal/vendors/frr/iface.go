package frr

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
)

// iface reads `interface NAME [vrf VRF]`.
func (p *parser) iface(l *line) {
	w := l.Words
	if len(w) != 2 && !(len(w) == 4 && w[2] == "vrf") {
		p.BadAll(l, "unknown interface syntax")
		return
	}
	p.OK(l)
	name := w[1]
	ifc := model.Interface{Name: name, Index: len(p.dev.Interfaces) + 1, Up: true, Pos: p.Pos(l)}
	cfg := model.IfaceConfig{Name: name, Pos: p.Pos(l)}
	if len(w) == 4 {
		cfg.VRF = w[3]
	}
	if name == "lo" {
		ifc.Kind, ifc.Loopback = "loopback", true
	}
	o := p.ospfSettings(name)
	for _, k := range l.Kids {
		kw := k.Words
		pos := p.Pos(k)
		done := true
		switch kw[0] {
		case "description":
			cfg.Description = joinFrom(kw, 1)
		case "ip", "ipv6":
			switch {
			case len(kw) >= 3 && kw[1] == "address":
				pf, err := netip.ParsePrefix(kw[2])
				if err != nil || (len(kw) == 4 && kw[3] != "label") || len(kw) > 5 {
					done = false
					break
				}
				scope := "global"
				if pf.Addr().IsLinkLocalUnicast() {
					scope = "link"
				}
				ifc.Addrs = append(ifc.Addrs, model.Address{Prefix: pf, Scope: scope})
			case len(kw) >= 3 && kw[0] == "ip" && kw[1] == "ospf":
				done = p.ospfIfCmd(k, 2, kw[2:], o)
			case len(kw) >= 3 && kw[0] == "ipv6" && kw[1] == "ospf6":
				done = p.ospfIfCmd(k, 3, kw[2:], o)
			case len(kw) >= 2 && kw[0] == "ipv6" && kw[1] == "nd":
			case len(kw) >= 2 && (kw[1] == "igmp" || kw[1] == "pim" || kw[1] == "rip" || kw[1] == "mld"):
				p.Bad(k, "protocol not modelled")
				continue
			default:
				done = false
			}
		case "shutdown":
			cfg.Shutdown, ifc.Up = true, false
		case "no":
			done = len(kw) == 2 && (kw[1] == "shutdown" || kw[1] == "link-detect" || kw[1] == "multicast")
		case "bandwidth":
			v, err := strconv.Atoi(k.Word(1))
			if err != nil {
				done = false
				break
			}
			// zebra `bandwidth (1-100000)` is in Mbit/s ("Bandwidth in
			// megabits", zebra/interface.c); the model holds kbit/s.
			cfg.Bandwidth = model.Set(v*1000, pos)
		case "vrf":
			if len(kw) == 2 {
				cfg.VRF = kw[1]
			} else {
				done = false
			}
		case "link-detect", "multicast", "link-params", "exit-link-params", "evpn", "mpls", "exit":
			p.OKAll(k)
			continue
		default:
			done = false
		}
		if done {
			p.OK(k)
		} else {
			p.BadAll(k, "unknown interface command")
		}
	}
	// frr.conf does not state an interface's MTU: the kernel owns it.
	cfg.MTU = model.Setting{From: "the kernel's interface MTU, which frr.conf does not state"}
	cfg.IPMTU, cfg.IP6MTU = cfg.MTU, cfg.MTU
	ifc.LowerUp = ifc.Up
	p.dev.Interfaces = append(p.dev.Interfaces, ifc)
	p.r.Ifaces = append(p.r.Ifaces, cfg)
}
