package topology

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"farend/internal/model"
)

// dev builds a Linux device.
func dev(name string, ifs ...model.Interface) *model.Device {
	for i := range ifs {
		ifs[i].Index = i + 1
	}
	return &model.Device{Name: name, Kind: model.KindLinux, Interfaces: ifs}
}

// router builds a router device of vendor with a config entry per
// interface; keyed names the tunnels that set a GRE key.
func router(name, vendor string, keyed []string, ifs ...model.Interface) *model.Device {
	d := dev(name, ifs...)
	d.Kind = model.KindRouter
	d.Router = &model.Router{Vendor: vendor}
	for _, ifc := range ifs {
		c := model.IfaceConfig{Name: ifc.Name}
		for _, k := range keyed {
			c.TunnelKey = c.TunnelKey || k == ifc.Name
		}
		d.Router.Ifaces = append(d.Router.Ifaces, c)
	}
	return d
}

// ifc builds an up interface with addresses: "198.51.100.1/24" or
// "10.0.0.1 peer 10.0.0.2/32".
func ifc(name string, addrs ...string) model.Interface {
	i := model.Interface{Name: name, Up: true, LowerUp: true}
	for _, a := range addrs {
		local, peer, ok := strings.Cut(a, " peer ")
		if ok {
			l := netip.MustParseAddr(local)
			i.Addrs = append(i.Addrs, model.Address{Prefix: netip.PrefixFrom(l, l.BitLen()), Peer: netip.MustParsePrefix(peer), Scope: "global"})
			continue
		}
		p := netip.MustParsePrefix(a)
		scope := "global"
		if p.Addr().IsLinkLocalUnicast() {
			scope = "link"
		}
		i.Addrs = append(i.Addrs, model.Address{Prefix: p, Scope: scope})
	}
	return i
}

// tun builds a tunnel interface; "" endpoints are "any".
func tun(name, mode, proto, local, remote string, addrs ...string) model.Interface {
	i := ifc(name, addrs...)
	i.Kind, i.PointToPoint = mode, true
	t := &model.Tunnel{Mode: mode, Proto: proto}
	if local != "" {
		t.Local = netip.MustParseAddr(local)
	}
	if remote != "" {
		t.Remote = netip.MustParseAddr(remote)
	}
	i.Tunnel = t
	return i
}

func lo(addrs ...string) model.Interface {
	i := ifc("lo", addrs...)
	i.Loopback, i.Kind = true, "loopback"
	return i
}

// linkList prints the links as "a -- b [kinds]", sorted.
func linkList(t *Topology) []string {
	var out []string
	for _, l := range t.Links {
		var ks []string
		for _, r := range l.Reasons {
			ks = append(ks, r.Kind.String())
		}
		out = append(out, fmt.Sprintf("%s -- %s [%s]", l.A, l.B, strings.Join(ks, ",")))
	}
	return out
}

// unpairedList prints the unpaired entries as "endpoint kind".
func unpairedList(t *Topology) []string {
	var out []string
	for _, u := range t.Unpaired {
		out = append(out, u.Endpoint.String()+" "+u.Kind.String())
	}
	return out
}

func segmentList(t *Topology) []string {
	var out []string
	for _, g := range t.Segments {
		var ps, ms []string
		for _, p := range g.Prefixes {
			ps = append(ps, p.String())
		}
		for _, m := range g.Members {
			ms = append(ms, m.Endpoint.String())
		}
		out = append(out, strings.Join(ps, ",")+": "+strings.Join(ms, " "))
	}
	sort.Strings(out)
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// reasonWith returns the first unpaired reason of kind k at e.
func reasonWith(t *Topology, e string, k Kind) string {
	for _, u := range t.Unpaired {
		if u.Endpoint.String() == e && u.Kind == k {
			return u.Reason
		}
	}
	return ""
}
