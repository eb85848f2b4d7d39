package topology

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/model"
)

// TunnelLink is what a tunnel link carries over the underlay.
type TunnelLink struct {
	// ALocal and BLocal are the outer addresses of the A and B ends: A's
	// outer packets go from ALocal to BLocal.
	ALocal netip.Addr `json:"a_local"`
	BLocal netip.Addr `json:"b_local"`
	// AMode and BMode are the ends' modes as `ip -d link` names them
	// ("sit", "gre", "ipip", "ip6tnl" ...).
	AMode string `json:"a_mode"`
	BMode string `json:"b_mode"`
	// Protocols are the IP protocol numbers the outer packets may carry
	// that both ends accept (41 IPv6, 4 IPv4, 47 GRE, 50 ESP, 137 MPLS);
	// nil when farend does not know the mode.
	Protocols []int `json:"protocols"`
}

// tunnelEnd is one tunnel interface.
type tunnelEnd struct {
	ep  Endpoint
	dev *model.Device
	t   *model.Tunnel
	// key is whether a router configuration sets a GRE key; keyKnown is
	// false for Linux hosts (iproute2's keys are not modelled).
	key, keyKnown bool
}

// tunnels pairs tunnel interfaces whose outer endpoints mirror each other
// (each one's remote is the other's local) and reports the rest.
func (b *builder) tunnels() {
	var ts []tunnelEnd
	for _, d := range b.devs {
		for i := range d.Interfaces {
			ifc := &d.Interfaces[i]
			if ifc.Tunnel == nil || fallbackTunnel(d, ifc) {
				continue
			}
			te := tunnelEnd{ep: Endpoint{d.Name, ifc.Name}, dev: d, t: ifc.Tunnel}
			if r := d.Router; r != nil && (r.Vendor == "ios" || r.Vendor == "vyos") {
				if c := r.Iface(ifc.Name); c != nil {
					te.key, te.keyKnown = c.TunnelKey, true
				}
			}
			ts = append(ts, te)
		}
	}
	owners := b.owners()
	matches := make([][]int, len(ts))
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			if ts[i].dev != ts[j].dev && ts[i].mirrors(ts[j], owners) {
				matches[i] = append(matches[i], j)
				matches[j] = append(matches[j], i)
			}
		}
	}
	for i, x := range ts {
		switch m := matches[i]; {
		case len(m) == 0:
			b.unpair(Unpaired{Endpoint: x.ep, Kind: KindTunnel, Reason: x.whyAlone(ts, owners)})
		case len(m) == 1 && len(matches[m[0]]) == 1:
			if i < m[0] {
				b.pair(x, ts[m[0]])
			}
		default:
			var names []string
			for _, j := range m {
				names = append(names, ts[j].ep.String())
			}
			if len(m) == 1 {
				names = append(names, "which pairs with others too")
			}
			b.unpair(Unpaired{Endpoint: x.ep, With: ts[m[0]].ep, Kind: KindTunnel,
				Reason: fmt.Sprintf("tunnel %s pairs by its endpoints with %s: ambiguous; name the right link in links.yaml", x.describe(), strings.Join(names, ", "))})
		}
	}
}

// mirrors reports whether x's remote is y's local and y's remote is x's
// local; a local of "any" is any address of the device.
func (x tunnelEnd) mirrors(y tunnelEnd, owners map[netip.Addr][]Endpoint) bool {
	return x.t.Remote.IsValid() && y.t.Remote.IsValid() && y.isLocal(x.t.Remote, owners) && x.isLocal(y.t.Remote, owners)
}

func (x tunnelEnd) isLocal(a netip.Addr, owners map[netip.Addr][]Endpoint) bool {
	if x.t.Local.IsValid() {
		return x.t.Local == a
	}
	for _, o := range owners[a] {
		if o.Node == x.ep.Node {
			return true
		}
	}
	return false
}

// pair links two mirrored tunnels, or reports why they cannot talk.
func (b *builder) pair(x, y tunnelEnd) {
	if y.ep.Less(x.ep) {
		x, y = y, x
	}
	protos, why := compatible(x, y)
	if why != "" {
		b.unpair(Unpaired{Endpoint: x.ep, With: y.ep, Kind: KindTunnelMismatch,
			Reason: fmt.Sprintf("tunnel %s pairs by its endpoints with %s %s but %s: the far end drops what this end sends", x.describe(), y.ep, y.describe(), why)})
		return
	}
	ps := "protocol not modelled"
	if len(protos) > 0 {
		ps = "protocol " + protoList(protos)
	}
	modes := "both " + x.t.Mode
	if x.t.Mode != y.t.Mode {
		modes = x.t.Mode + " and " + y.t.Mode
	}
	l := b.link(x.ep, y.ep, Reason{Kind: KindTunnel, Text: fmt.Sprintf("tunnel %s local %s remote %s pairs with %s %s (local %s remote %s), %s, %s",
		x.ep.Iface, addrOrAny(x.t.Local), x.t.Remote, y.ep.Node, y.ep.Iface, addrOrAny(y.t.Local), y.t.Remote, ps, modes)})
	l.Tunnel = &TunnelLink{ALocal: y.t.Remote, BLocal: x.t.Remote, AMode: x.t.Mode, BMode: y.t.Mode, Protocols: protos}
}

// whyAlone says why a tunnel pairs with nothing.
func (x tunnelEnd) whyAlone(ts []tunnelEnd, owners map[netip.Addr][]Endpoint) string {
	r := x.t.Remote
	if !r.IsValid() {
		return fmt.Sprintf("tunnel %s has no remote address: a point-to-multipoint, 6to4 or ISATAP tunnel pairs with no single device; name its links in links.yaml", x.describe())
	}
	var far []Endpoint
	for _, o := range owners[r] {
		if o.Node != x.ep.Node {
			far = append(far, o)
		}
	}
	if len(far) == 0 {
		if x.isLocal(r, owners) || len(owners[r]) > 0 {
			return fmt.Sprintf("tunnel %s: remote %s is this device's own address", x.describe(), r)
		}
		return fmt.Sprintf("tunnel %s: remote %s is no device's address: the far end is outside the snapshot", x.describe(), r)
	}
	node := far[0].Node
	var theirs []string
	for _, y := range ts {
		if y.ep.Node == node {
			theirs = append(theirs, y.ep.Iface+" "+y.describe())
		}
	}
	if len(theirs) == 0 {
		return fmt.Sprintf("tunnel %s: remote %s is %s's address, but %s has no tunnel interface", x.describe(), r, far[0], node)
	}
	return fmt.Sprintf("tunnel %s: remote %s is %s's address, but no tunnel of %s has local %s and remote %s (it has %s)",
		x.describe(), r, far[0], node, r, x.localText(), strings.Join(theirs, "; "))
}

// localText is the local address, or what "any" stands for.
func (x tunnelEnd) localText() string {
	if x.t.Local.IsValid() {
		return x.t.Local.String()
	}
	return "one of " + x.ep.Node + "'s addresses"
}

// describe prints "(mode, local A remote B)".
func (x tunnelEnd) describe() string {
	return fmt.Sprintf("(%s, local %s remote %s)", x.t.Mode, addrOrAny(x.t.Local), addrOrAny(x.t.Remote))
}

func addrOrAny(a netip.Addr) string {
	if !a.IsValid() {
		return "any"
	}
	return a.String()
}

// fallbackTunnels are the devices a Linux tunnel module creates in every
// network namespace to receive packets no configured tunnel matches
// (sit0, gre0, tunl0 ...: net/ipv6/sit.c, net/ipv4/ip_gre.c, ipip.c,
// ip6_tunnel.c, ip6_gre.c, ip_vti.c, ip6_vti.c); they join no link.
var fallbackTunnels = map[string]bool{
	"sit0": true, "gre0": true, "gretap0": true, "erspan0": true, "tunl0": true,
	"ip6tnl0": true, "ip6gre0": true, "ip_vti0": true, "ip6_vti0": true,
}

func fallbackTunnel(d *model.Device, ifc *model.Interface) bool {
	return d.Kind == model.KindLinux && fallbackTunnels[ifc.Name] && !ifc.Tunnel.Local.IsValid() && !ifc.Tunnel.Remote.IsValid()
}

// unpairedTunnelLinks drops links whose only evidence is addressing when
// one end is a tunnel that did not pair with the other: packets into a
// tunnel go where its outer endpoints say, so a shared subnet or peer
// address on tunnels that do not pair links nothing.
func (b *builder) unpairedTunnelLinks() {
	isTunnel := map[Endpoint]bool{}
	for _, d := range b.devs {
		for i := range d.Interfaces {
			if ifc := &d.Interfaces[i]; ifc.Tunnel != nil && !fallbackTunnel(d, ifc) {
				isTunnel[Endpoint{d.Name, ifc.Name}] = true
			}
		}
	}
	for k, l := range b.links {
		if !isTunnel[l.A] && !isTunnel[l.B] {
			continue
		}
		paired := false
		var texts []string
		for _, r := range l.Reasons {
			paired = paired || r.Kind == KindTunnel
			texts = append(texts, r.Text)
		}
		if paired {
			continue
		}
		tun, other := l.A, l.B
		if !isTunnel[tun] {
			tun, other = other, tun
		}
		why := fmt.Sprintf("%s, but tunnel %s does not pair with %s: not linked", strings.Join(texts, "; "), tun, other)
		if !isTunnel[other] {
			why = fmt.Sprintf("%s, but %s is a tunnel and %s is not: not linked", strings.Join(texts, "; "), tun, other)
		}
		b.unpair(Unpaired{Endpoint: l.A, With: l.B, Kind: KindTunnel, Reason: why})
		delete(b.links, k)
	}
}
