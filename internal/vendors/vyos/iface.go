package vyos

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// ifRaw is one interface while its block is read.
type ifRaw struct {
	ifc   model.Interface
	cfg   model.IfaceConfig
	encap string
	mtu   model.Setting
	ospf  *ifOSPF
}

// kinds maps VyOS interface types to `ip -d link` kinds.
var kinds = map[string]string{
	"ethernet": "ether", "bonding": "bond", "bridge": "bridge", "loopback": "loopback",
	"dummy": "dummy", "tunnel": "gre", "wireguard": "wireguard", "vti": "vti",
	"pseudo-ethernet": "macvlan", "vxlan": "vxlan", "geneve": "geneve", "macsec": "macsec",
	"openvpn": "tun", "pppoe": "ppp", "l2tpv3": "l2tp", "sstpc": "ppp", "input": "ifb",
}

// modelled are the interface types whose blocks farend reads; the others
// are reported.
var modelled = map[string]bool{
	"ethernet": true, "bonding": true, "bridge": true, "loopback": true, "dummy": true,
	"tunnel": true, "wireguard": true, "pseudo-ethernet": true,
}

// interfaces reads `interfaces { TYPE NAME { ... } }`.
func (p *parser) interfaces(n *node) {
	for _, typ := range n.kids {
		typ.use()
		if !modelled[typ.word] {
			typ.used = false
			typ.report(typ.word + " interfaces are not modelled")
			continue
		}
		for _, in := range typ.kids {
			in.use()
			p.iface(typ.word, in, nil)
		}
	}
}

// iface reads one interface (or VLAN subinterface when parent is set).
func (p *parser) iface(typ string, n *node, parent *ifRaw) {
	name := n.word
	raw := &ifRaw{ospf: p.ospfSettings("")}
	if parent != nil {
		name = parent.ifc.Name + "." + n.word
		raw.cfg.Parent = parent.ifc.Name
		raw.cfg.VLAN, _ = strconv.Atoi(n.word)
		raw.ifc.Kind = "vlan"
	} else {
		raw.ifc.Kind = kinds[typ]
	}
	raw.ospf = p.ospfSettings(name)
	raw.ifc.Name, raw.cfg.Name = name, name
	raw.ifc.Up = true
	raw.ifc.Loopback = typ == "loopback"
	pos := p.posOf(n)
	raw.ifc.Pos, raw.cfg.Pos = pos, pos
	for _, k := range n.kids {
		p.ifaceNode(typ, k, raw)
	}
	raw.ifc.Index = len(p.ifs) + 1
	p.ifs = append(p.ifs, raw)
	if parent == nil {
		for _, v := range n.child("vif").use().kidsOrNil() {
			v.use()
			p.iface(typ, v, raw)
		}
	}
}

func (n *node) kidsOrNil() []*node {
	if n == nil {
		return nil
	}
	return n.kids
}

// ifaceNode reads one child of an interface block.
func (p *parser) ifaceNode(typ string, k *node, raw *ifRaw) {
	ifc, cfg := &raw.ifc, &raw.cfg
	val := func() string {
		if len(k.kids) == 0 {
			return ""
		}
		k.kids[0].use()
		return k.kids[0].word
	}
	switch k.word {
	case "address":
		k.use()
		for _, a := range k.kids {
			pf, err := netip.ParsePrefix(a.word)
			if err != nil {
				a.why = "address assigned at run time: unknown"
				continue
			}
			a.use()
			scope := "global"
			if pf.Addr().IsLinkLocalUnicast() {
				scope = "link"
			}
			if typ == "loopback" && pf.Addr().IsLoopback() {
				scope = "host"
			}
			ifc.Addrs = append(ifc.Addrs, model.Address{Prefix: pf, Scope: scope})
		}
	case "description":
		k.use()
		cfg.Description = val()
	case "mtu":
		k.use()
		if v, err := strconv.Atoi(val()); err == nil {
			raw.mtu = model.Set(v, p.posOf(k.kids[0]))
		}
	case "disable":
		k.use()
		cfg.Shutdown, ifc.Up = true, false
	case "vrf":
		k.use()
		cfg.VRF = val()
	case "vif":
		// read by iface after the parent
	case "hw-id", "duplex", "speed", "smp_affinity", "smp-affinity", "mac", "disable-link-detect",
		"offload", "offload-options", "ring-buffer", "dhcp-options", "dhcpv6-options", "eapol",
		"hash-policy", "mode", "arp-monitor", "mii-mon-interval", "min-links", "lacp-rate", "primary",
		"stp", "aging", "forwarding-delay", "hello-time", "max-age", "priority", "igmp", "multicast",
		"port", "private-key", "peer", "fwmark", "mirror", "xdp", "switchdev", "evpn":
		// Physical-layer, bonding and bridge housekeeping, WireGuard keys
		// and peers (redacted), multicast flags: nothing farend models.
		if k.word == "peer" || k.word == "port" {
			p.wgPeers(k, raw)
			return
		}
		k.useAll()
	case "member":
		k.use()
		for _, m := range k.kids {
			m.use()
			if m.word == "interface" {
				for _, mi := range m.kids {
					mi.useAll()
					p.bondOf[mi.word] = raw.ifc.Name
				}
			}
		}
	case "bond-group":
		k.use()
		cfg.Bond = val()
	case "encapsulation":
		k.use()
		raw.encap = val()
		ifc.Kind = tunnelKind(raw.encap)
		if ifc.Tunnel == nil {
			ifc.Tunnel = &model.Tunnel{}
		}
		ifc.Tunnel.Mode = ifc.Kind
		if ifc.Kind == "ip6tnl" {
			// ipip6 and ip6ip6 are both ip6tnl links; the inner
			// protocol tells them apart, as iproute2's "proto" does.
			ifc.Tunnel.Proto = raw.encap
		}
	case "local-ip", "source-address", "remote-ip", "remote":
		k.use()
		a, err := netip.ParseAddr(val())
		if err != nil {
			k.used = false
			return
		}
		if ifc.Tunnel == nil {
			ifc.Tunnel = &model.Tunnel{}
		}
		if k.word == "local-ip" || k.word == "source-address" {
			ifc.Tunnel.Local = a
		} else {
			ifc.Tunnel.Remote = a
		}
	case "source-interface":
		k.use()
		cfg.TunnelSource = val()
	case "parameters":
		p.tunnelParams(k, raw)
	case "ip":
		p.ifaceIP(k, raw)
	case "ipv6":
		p.ifaceIPv6(k, raw)
	case "firewall", "policy", "traffic-policy", "redirect", "qos", "nat":
		k.report(k.word + " on interfaces is not modelled")
	default:
		k.report("unknown interface option")
	}
}

// wgPeers reads WireGuard `port` and `peer` nodes: peers' allowed-ips
// become routes in WireGuard's own table, which farend does not model.
func (p *parser) wgPeers(k *node, raw *ifRaw) {
	if k.word == "port" {
		k.useAll()
		return
	}
	k.use()
	for _, peer := range k.kids {
		peer.use()
		for _, c := range peer.kids {
			switch c.word {
			case "public-key", "preshared-key", "address", "port", "persistent-keepalive", "description", "disable":
				c.useAll()
			default:
				c.report("WireGuard peer option not modelled")
			}
		}
	}
}

// tunnelKind maps an encapsulation to the `ip -d link` kind.
func tunnelKind(enc string) string {
	switch enc {
	case "gre", "gretap", "sit", "ipip", "ip6gre", "ip6gretap", "erspan", "ip6erspan":
		return enc
	case "ipip6", "ip6ip6":
		return "ip6tnl"
	}
	return enc
}

// tunnelParams reads `parameters { ip { ttl key tos } ipv6 {...} }`.
func (p *parser) tunnelParams(k *node, raw *ifRaw) {
	k.use()
	for _, fam := range k.kids {
		fam.use()
		for _, c := range fam.kids {
			switch c.word {
			case "ttl", "hoplimit":
				c.use()
				if len(c.kids) > 0 {
					c.kids[0].use()
					if raw.ifc.Tunnel == nil {
						raw.ifc.Tunnel = &model.Tunnel{}
					}
					raw.ifc.Tunnel.TTL, _ = strconv.Atoi(c.kids[0].word)
				}
			case "key":
				c.useAll()
				raw.cfg.TunnelKey = true
			case "tos", "no-pmtu-discovery", "ignore-df", "encaplimit", "flowlabel", "tclass":
				c.useAll()
			default:
				c.report("tunnel parameter not modelled")
			}
		}
	}
}

// ifaceIP reads `ip { ospf {...} ... }`.
func (p *parser) ifaceIP(k *node, raw *ifRaw) {
	k.use()
	for _, c := range k.kids {
		switch c.word {
		case "ospf":
			p.ospfIfNode(c, &raw.ospf.v[0], 2)
		case "arp-cache-timeout", "disable-arp-filter", "enable-arp-accept", "enable-arp-announce",
			"enable-arp-ignore", "enable-proxy-arp", "proxy-arp-pvlan", "adjust-mss", "enable-directed-broadcast":
			c.useAll()
		case "source-validation":
			c.report("reverse-path filtering on VyOS interfaces is not modelled yet")
		case "disable-forwarding":
			c.report("per-interface forwarding switch not modelled")
		case "rip", "pim", "igmp":
			c.report("protocol not modelled")
		default:
			c.report("unknown ip option")
		}
	}
}

// ifaceIPv6 reads `ipv6 { address {...} ospfv3 {...} ... }`.
func (p *parser) ifaceIPv6(k *node, raw *ifRaw) {
	k.use()
	for _, c := range k.kids {
		switch c.word {
		case "ospfv3":
			p.ospfIfNode(c, &raw.ospf.v[1], 3)
		case "address":
			c.use()
			for _, a := range c.kids {
				// autoconf, eui64 PREFIX: addresses only known at run time.
				a.report("address derived at run time: unknown")
			}
		case "dup-addr-detect-transmits", "disable-forwarding", "adjust-mss", "accept-dad", "router-advert":
			if c.word == "router-advert" {
				c.useAll() // router advertisements sent on the link
			}
			c.useAll()
		case "ripng", "pim":
			c.report("protocol not modelled")
		default:
			c.report("unknown ipv6 option")
		}
	}
}

// resolveInterfaces applies defaults and stores the interfaces.
func (p *parser) resolveInterfaces() {
	for _, raw := range p.ifs {
		ifc, cfg := raw.ifc, raw.cfg
		if ifc.Tunnel != nil {
			ifc.PointToPoint = true
			if ifc.Tunnel.Mode == "" {
				ifc.Tunnel.Mode = ifc.Kind
			}
		}
		if cfg.Bond == "" {
			cfg.Bond = p.bondOf[ifc.Name]
		}
		cfg.MTU = raw.mtu
		if !cfg.MTU.Known() {
			cfg.MTU = p.defaultMTU(&ifc, raw.encap)
		}
		cfg.IPMTU, cfg.IP6MTU = cfg.MTU, cfg.MTU
		ifc.MTU = cfg.MTU.Value
		ifc.LowerUp = ifc.Up
		p.dev.Interfaces = append(p.dev.Interfaces, ifc)
		p.r.Ifaces = append(p.r.Ifaces, cfg)
	}
}

// defaultMTU is the MTU VyOS gives an interface without `mtu`.
func (p *parser) defaultMTU(ifc *model.Interface, encap string) model.Setting {
	switch {
	case ifc.Loopback:
		return model.Default(65536, srcLoMTU)
	case ifc.Tunnel != nil:
		if p.gen == GenVyatta {
			return model.Default(kernelTunnelMTU(encap), srcKernelTunnelMTU)
		}
		return model.Default(1476, srcTunnelMTU)
	case ifc.Kind == "wireguard":
		return model.Default(1420, srcWireguardMTU)
	}
	return model.Default(1500, srcEtherMTU)
}

// kernelTunnelMTU is the Linux default MTU of a tunnel over 1500-byte
// IPv4/IPv6 transport (srcKernelTunnelMTU).
func kernelTunnelMTU(encap string) int {
	switch encap {
	case "sit", "ipip":
		return 1480
	case "gretap":
		return 1462
	case "ip6gre":
		return 1448
	case "ip6ip6", "ipip6":
		return 1452
	}
	return 1476
}

// posOf returns the position of the first line ending at n; zero for a
// node no line ends at.
func (p *parser) posOf(n *node) source.Pos {
	if p.first == nil {
		p.first = map[*node]int{}
		for i, x := range p.t.lineEnd {
			if _, ok := p.first[x]; x != nil && !ok {
				p.first[x] = i + 1
			}
		}
	}
	if l, ok := p.first[n]; ok {
		return source.Pos{File: p.file, Line: l}
	}
	return source.Pos{}
}

// nodeLine is strings.Join of a node's path, for EnabledBy texts.
func nodeLine(n *node) string { return strings.TrimSpace(n.path()) }
