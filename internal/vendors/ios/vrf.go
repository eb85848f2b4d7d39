package ios

import "farend/internal/model"

// vrfDef reads `vrf definition NAME` (multi-protocol, IPv4 and IPv6 by
// address family) and `ip vrf NAME` (IPv4 only).
func (p *parser) vrfDef(l *line, legacy bool) {
	name := l.Words[len(l.Words)-1]
	p.OK(l)
	v := model.VRF{Name: name, IPv4: legacy, Pos: p.Pos(l)}
	var walk func(kids []*line)
	walk = func(kids []*line) {
		for _, k := range kids {
			w := k.Words
			ok := true
			switch w[0] {
			case "description":
				v.Description = joinFrom(w, 1)
			case "rd":
				if len(w) == 2 {
					v.RD = w[1]
				} else {
					ok = false
				}
			case "route-target":
				if len(w) == 3 {
					switch w[1] {
					case "import":
						v.ImportRT = append(v.ImportRT, w[2])
					case "export":
						v.ExportRT = append(v.ExportRT, w[2])
					case "both":
						v.ImportRT = append(v.ImportRT, w[2])
						v.ExportRT = append(v.ExportRT, w[2])
					default:
						ok = false
					}
				} else {
					ok = false
				}
			case "address-family":
				switch {
				case !legacy && len(w) >= 2 && w[1] == "ipv4":
					v.IPv4 = true
				case !legacy && len(w) >= 2 && w[1] == "ipv6":
					v.IPv6 = true
				default:
					ok = false
				}
				if ok {
					p.OK(k)
					walk(k.Kids)
					continue
				}
			case "exit-address-family":
			case "vnet", "vpn":
			default:
				ok = false
			}
			if ok {
				p.OKAll(k)
			} else {
				p.BadAll(k, "VRF option not modelled")
			}
		}
	}
	walk(l.Kids)
	p.r.VRFs = append(p.r.VRFs, v)
}
