package ios

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// ifRaw is what an interface block said before defaults are applied.
type ifRaw struct {
	typ                  ifType
	mtu, ipmtu, ip6mtu   model.Setting
	bw                   model.Setting
	tunnelMode           string
	tunnelSrc, tunnelDst string
}

// iface reads one `interface NAME` block.
func (p *parser) iface(l *line) {
	if len(l.Words) < 2 || len(l.Words) > 3 {
		p.BadAll(l, "unknown interface syntax")
		return
	}
	p.OK(l)
	name := l.Words[1]
	ifc := model.Interface{Name: name, Index: len(p.dev.Interfaces) + 1, Pos: p.Pos(l), Up: true}
	cfg := model.IfaceConfig{Name: name, Pos: p.Pos(l)}
	raw := ifRaw{typ: typeOf(name)}
	ifc.Kind = raw.typ.kind
	if i := strings.IndexByte(name, '.'); i > 0 {
		cfg.Parent = name[:i]
		ifc.Kind = "vlan"
	}
	ifc.Loopback = raw.typ.kind == "loopback"
	ospf := p.ospfSettings(name)
	for _, k := range l.Kids {
		p.ifaceCmd(k, &ifc, &cfg, &raw, ospf)
	}
	p.ifaceDefaults(&ifc, &cfg, &raw)
	p.dev.Interfaces = append(p.dev.Interfaces, ifc)
	p.r.Ifaces = append(p.r.Ifaces, cfg)
}

// ifaceCmd reads one interface sub-command.
func (p *parser) ifaceCmd(k *line, ifc *model.Interface, cfg *model.IfaceConfig, raw *ifRaw, ospf *ifOSPF) {
	w := k.Words
	pos := p.Pos(k)
	n := len(w)
	switch w[0] {
	case "description":
		cfg.Description = strings.Join(w[1:], " ")
		p.OK(k)
		return
	case "shutdown":
		if n == 1 {
			cfg.Shutdown, ifc.Up = true, false
			p.OK(k)
			return
		}
	case "vrf":
		if n == 3 && w[1] == "forwarding" {
			cfg.VRF = w[2]
			p.OK(k)
			return
		}
	case "mtu":
		if v, err := strconv.Atoi(w[n-1]); n == 2 && err == nil {
			raw.mtu = model.Set(v, pos)
			p.OK(k)
			return
		}
	case "bandwidth":
		if v, err := strconv.Atoi(w[n-1]); n == 2 && err == nil {
			raw.bw = model.Set(v, pos)
			p.OK(k)
			return
		}
	case "encapsulation":
		if n >= 3 && strings.EqualFold(w[1], "dot1q") {
			if v, err := strconv.Atoi(w[2]); err == nil && (n == 3 || (n == 4 && w[3] == "native")) {
				cfg.VLAN = v
				p.OK(k)
				return
			}
		}
	case "channel-group":
		if n >= 2 {
			cfg.Bond = "Port-channel" + w[1]
			p.OK(k)
			return
		}
	case "tunnel":
		if p.tunnelCmd(k, ifc, cfg, raw) {
			return
		}
	case "ip":
		if p.ifaceIP(k, ifc, cfg, raw, ospf) {
			return
		}
	case "ipv6":
		if p.ifaceIPv6(k, ifc, cfg, raw, ospf) {
			return
		}
	case "ospfv3":
		if p.ospfv3IfCmd(k, ospf) {
			return
		}
	case "no":
		if n == 2 && w[1] == "shutdown" {
			p.OK(k)
			return
		}
		if n == 3 && w[1] == "ip" && w[2] == "address" {
			p.OK(k)
			return
		}
	case "standby", "vrrp", "glbp":
		p.BadAll(k, "first-hop redundancy is not modelled")
		return
	case "service-policy":
		p.BadAll(k, "QoS is not modelled")
		return
	case "crypto":
		p.BadAll(k, "IPsec is not modelled")
		return
	case "mpls", "xconnect":
		p.BadAll(k, "MPLS is not modelled")
		return
	}
	if ignoredIfaceCmd(w) {
		p.OKAll(k)
		return
	}
	p.BadAll(k, "unknown interface command")
}

// ifaceIP reads `ip ...` interface commands.
func (p *parser) ifaceIP(k *line, ifc *model.Interface, cfg *model.IfaceConfig, raw *ifRaw, ospf *ifOSPF) bool {
	w := k.Words
	n := len(w)
	pos := p.Pos(k)
	if n < 2 {
		return false
	}
	switch w[1] {
	case "address":
		if n >= 4 && n <= 5 {
			a, err1 := netip.ParseAddr(w[2])
			bits, err2 := maskBits(w[3])
			if err1 == nil && err2 == nil && a.Is4() && (n == 4 || w[4] == "secondary") {
				ifc.Addrs = append(ifc.Addrs, model.Address{Prefix: netip.PrefixFrom(a, bits), Scope: "global", Secondary: n == 5})
				p.OK(k)
				return true
			}
		}
		if n >= 3 && (w[2] == "dhcp" || w[2] == "negotiated") {
			p.Bad(k, "address assigned at run time: unknown")
			return true
		}
	case "vrf":
		if n == 4 && w[2] == "forwarding" {
			cfg.VRF = w[3]
			p.OK(k)
			return true
		}
	case "mtu":
		if v, err := strconv.Atoi(w[n-1]); n == 3 && err == nil {
			raw.ipmtu = model.Set(v, pos)
			p.OK(k)
			return true
		}
	case "unnumbered":
		if n == 3 {
			cfg.Unnumbered = w[2]
			p.OK(k)
			return true
		}
	case "access-group":
		if n == 4 && (w[3] == "in" || w[3] == "out") {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: w[2], Where: "interface " + ifc.Name, Direction: w[3], Pos: pos})
			p.OK(k)
			return true
		}
	case "ospf":
		return p.ospfIfCmd(k, 2, w[2:], ospf)
	case "nat":
		p.Bad(k, "NAT is not modelled")
		return true
	case "policy":
		p.Bad(k, "policy routing is not modelled")
		return true
	case "pim", "multicast":
		p.Bad(k, "multicast is not modelled")
		return true
	case "verify":
		p.Bad(k, "unicast RPF is not modelled")
		return true
	}
	return false
}

// ifaceIPv6 reads `ipv6 ...` interface commands.
func (p *parser) ifaceIPv6(k *line, ifc *model.Interface, cfg *model.IfaceConfig, raw *ifRaw, ospf *ifOSPF) bool {
	w := k.Words
	n := len(w)
	pos := p.Pos(k)
	if n < 2 {
		return false
	}
	switch w[1] {
	case "address":
		if n == 3 || (n == 4 && (w[3] == "link-local" || w[3] == "anycast")) {
			pf, err := netip.ParsePrefix(w[2])
			scope := "global"
			if n == 4 && w[3] == "link-local" {
				if a, err2 := netip.ParseAddr(w[2]); err2 == nil {
					pf, err = netip.PrefixFrom(a, 64), nil
				}
				scope = "link"
			}
			if err == nil && pf.Addr().Is6() {
				ifc.Addrs = append(ifc.Addrs, model.Address{Prefix: pf, Scope: scope})
				p.OK(k)
				return true
			}
		}
		if n >= 3 && (w[n-1] == "eui-64" || w[2] == "autoconfig" || w[2] == "dhcp") {
			p.Bad(k, "address derived at run time: unknown")
			return true
		}
	case "enable":
		if n == 2 {
			p.OK(k)
			return true
		}
	case "mtu":
		if v, err := strconv.Atoi(w[n-1]); n == 3 && err == nil {
			raw.ip6mtu = model.Set(v, pos)
			p.OK(k)
			return true
		}
	case "unnumbered":
		if n == 3 {
			p.OK(k)
			return true
		}
	case "traffic-filter":
		if n == 4 && (w[3] == "in" || w[3] == "out") {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: w[2], IPv6: true, Where: "interface " + ifc.Name, Direction: w[3], Pos: pos})
			p.OK(k)
			return true
		}
	case "ospf":
		return p.ospfIfCmd(k, 3, w[2:], ospf)
	case "nat":
		p.Bad(k, "NAT is not modelled")
		return true
	}
	return false
}

// tunnelCmd reads `tunnel ...` interface commands.
func (p *parser) tunnelCmd(k *line, ifc *model.Interface, cfg *model.IfaceConfig, raw *ifRaw) bool {
	w := k.Words
	n := len(w)
	if ifc.Tunnel == nil {
		ifc.Tunnel = &model.Tunnel{Mode: "gre"}
	}
	if n < 3 {
		return false
	}
	switch w[1] {
	case "source":
		if n == 3 {
			if a, err := netip.ParseAddr(w[2]); err == nil {
				ifc.Tunnel.Local = a
			} else {
				cfg.TunnelSource = w[2]
			}
			raw.tunnelSrc = w[2]
			p.OK(k)
			return true
		}
	case "destination":
		if a, err := netip.ParseAddr(w[2]); err == nil && n == 3 {
			ifc.Tunnel.Remote = a
			raw.tunnelDst = w[2]
			p.OK(k)
			return true
		}
	case "mode":
		// Cisco IOS Interface and Hardware Component Command Reference,
		// "tunnel mode": the default is gre ip.
		mode := strings.Join(w[2:], " ")
		m := map[string]string{"gre ip": "gre", "gre ipv6": "ip6gre", "ipip": "ipip", "ipv6ip": "sit",
			"ipv6ip 6to4": "sit", "ipv6": "ip6tnl", "gre multipoint": "gre"}[mode]
		if m != "" {
			ifc.Tunnel.Mode = m
			raw.tunnelMode = m
			p.OK(k)
			return true
		}
		p.Bad(k, "tunnel mode not modelled")
		return true
	case "key":
		cfg.TunnelKey = true
		p.OK(k)
		return true
	case "ttl":
		if v, err := strconv.Atoi(w[2]); err == nil && n == 3 {
			ifc.Tunnel.TTL = v
			p.OK(k)
			return true
		}
	case "path-mtu-discovery", "keepalive":
		p.OK(k)
		return true
	case "protection":
		p.Bad(k, "IPsec is not modelled")
		return true
	case "vrf":
		p.Bad(k, "tunnel transport VRF is not modelled")
		return true
	}
	return false
}

// ifaceDefaults applies IOS defaults for what the block left out.
func (p *parser) ifaceDefaults(ifc *model.Interface, cfg *model.IfaceConfig, raw *ifRaw) {
	t := raw.typ
	if ifc.Tunnel != nil {
		ifc.Kind = ifc.Tunnel.Mode
		ifc.PointToPoint = true
	}
	if t.kind == "serial" || t.kind == "dialer" {
		ifc.PointToPoint = true
	}
	// Layer-2 MTU.
	cfg.MTU = raw.mtu
	if !cfg.MTU.Known() && t.mtu != 0 {
		cfg.MTU = model.Default(t.mtu, srcMTU)
	}
	// IP MTU: configured, the tunnel rule, else the interface MTU.
	cfg.IPMTU = raw.ipmtu
	if !cfg.IPMTU.Known() {
		switch {
		case ifc.Tunnel != nil:
			cfg.IPMTU = model.Default(tunnelIPMTU(ifc.Tunnel.Mode), srcTunnelMTU)
		case raw.mtu.Known():
			cfg.IPMTU = model.Default(raw.mtu.Value, srcIPMTU+"; mtu set at "+raw.mtu.Pos.String())
		case t.mtu != 0:
			cfg.IPMTU = model.Default(t.mtu, srcIPMTU)
		}
	}
	cfg.IP6MTU = raw.ip6mtu
	if !cfg.IP6MTU.Known() {
		switch {
		case ifc.Tunnel != nil:
			cfg.IP6MTU = model.Default(tunnelIPMTU(ifc.Tunnel.Mode), srcTunnelMTU)
		case cfg.MTU.Known():
			// `ip mtu` does not change the IPv6 MTU, which follows the
			// interface MTU.
			cfg.IP6MTU = model.Default(cfg.MTU.Value, srcIP6MTU)
		}
	}
	ifc.MTU = cfg.IPMTU.Value
	cfg.Bandwidth = raw.bw
	if !cfg.Bandwidth.Known() && t.bw != 0 {
		cfg.Bandwidth = model.Default(t.bw, srcBandwidth)
	}
	// A configuration says nothing about carrier; farend assumes an
	// interface that is not shut down has link.
	ifc.LowerUp = ifc.Up
}

// resolveTunnels fills tunnel local addresses named by interface.
func (p *parser) resolveTunnels() {
	for i := range p.dev.Interfaces {
		ifc := &p.dev.Interfaces[i]
		src := p.r.Ifaces[i].TunnelSource
		if ifc.Tunnel == nil || src == "" {
			continue
		}
		if s := p.dev.Interface(src); s != nil {
			for _, a := range s.Addrs {
				if a.Prefix.Addr().Is4() != ifc.Tunnel.Remote.Is6() && !a.Secondary && a.Scope == "global" {
					ifc.Tunnel.Local = a.Prefix.Addr()
					break
				}
			}
		}
	}
}

// maskBits converts a dotted netmask to a prefix length.
func maskBits(s string) (int, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, errBadMask
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for v&0x80000000 != 0 {
		bits++
		v <<= 1
	}
	if v != 0 {
		return 0, errBadMask
	}
	return bits, nil
}

// wildcardBits converts a contiguous wildcard mask to a prefix length.
func wildcardBits(s string) (int, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, false
	}
	b := a.As4()
	inv := netip.AddrFrom4([4]byte{^b[0], ^b[1], ^b[2], ^b[3]})
	n, err := maskBits(inv.String())
	return n, err == nil
}
