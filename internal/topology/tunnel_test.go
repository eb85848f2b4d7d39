package topology

import (
	"fmt"
	"strings"
	"testing"

	"farend/internal/model"
)

func TestTunnels(t *testing.T) {
	eth := func(a string) model.Interface { return ifc("eth0", a) }
	cases := []struct {
		name     string
		devs     []*model.Device
		links    []string
		unpaired []string
		texts    []string
		// protocols of the only tunnel link, when there is one
		protos string
	}{
		{
			name: "story 1: a Linux sit tunnel and an IOS ipv6ip tunnel",
			devs: []*model.Device{
				dev("fc20", eth("198.51.100.10/24"), tun("sit1", "sit", "ip6ip", "198.51.100.10", "203.0.113.1", "2001:db8:5::2/64")),
				router("r1", "ios", nil, ifc("Gi0/0", "203.0.113.1/29"), tun("Tunnel0", "sit", "", "203.0.113.1", "198.51.100.10", "2001:db8:5::1/64")),
			},
			links:  []string{"fc20:sit1 -- r1:Tunnel0 [subnet,tunnel]"},
			texts:  []string{"tunnel sit1 local 198.51.100.10 remote 203.0.113.1 pairs with r1 Tunnel0 (local 203.0.113.1 remote 198.51.100.10), protocol 41, both sit"},
			protos: "[41]",
		},
		{
			name: "a local of any pairs through the device's addresses",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("gre1", "gre", "", "", "198.51.100.2")),
				dev("b", eth("198.51.100.2/24"), tun("gre1", "gre", "", "198.51.100.2", "192.0.2.1")),
			},
			links:  []string{"a:gre1 -- b:gre1 [tunnel]"},
			texts:  []string{"local any remote 198.51.100.2"},
			protos: "[47]",
		},
		{
			name: "sit mode any and ipip agree on protocol 4",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("t", "sit", "any", "192.0.2.1", "192.0.2.2")),
				dev("b", eth("192.0.2.2/24"), tun("t", "ipip", "ipip", "192.0.2.2", "192.0.2.1")),
			},
			links:  []string{"a:eth0 -- b:eth0 [subnet]", "a:t -- b:t [tunnel]"},
			texts:  []string{"protocol 4, sit and ipip"},
			protos: "[4]",
		},
		{
			name: "a remote that is no device's address",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("gre1", "gre", "", "192.0.2.1", "203.0.113.99")),
			},
			unpaired: []string{"a:gre1 tunnel"},
			texts:    []string{"remote 203.0.113.99 is no device's address: the far end is outside the snapshot"},
		},
		{
			name: "a remote whose device has no tunnel",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("gre1", "gre", "", "192.0.2.1", "198.51.100.2")),
				dev("b", eth("198.51.100.2/24")),
			},
			unpaired: []string{"a:gre1 tunnel"},
			texts:    []string{"remote 198.51.100.2 is b:eth0's address, but b has no tunnel interface"},
		},
		{
			name: "a remote whose device's tunnel points elsewhere",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("gre1", "gre", "", "192.0.2.1", "198.51.100.2")),
				dev("b", eth("198.51.100.2/24"), tun("gre1", "gre", "", "198.51.100.2", "192.0.2.7")),
			},
			unpaired: []string{"a:gre1 tunnel", "b:gre1 tunnel"},
			texts:    []string{"no tunnel of b has local 198.51.100.2 and remote 192.0.2.1 (it has gre1 (gre, local 198.51.100.2 remote 192.0.2.7))"},
		},
		{
			name: "GRE against IP-in-IP",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("t", "gre", "", "192.0.2.1", "192.0.2.2", "10.9.0.0/31")),
				dev("b", eth("192.0.2.2/24"), tun("t", "ipip", "ipip", "192.0.2.2", "192.0.2.1", "10.9.0.1/31")),
			},
			links:    []string{"a:eth0 -- b:eth0 [subnet]"},
			unpaired: []string{"a:t tunnel", "a:t tunnel-mismatch"},
			texts: []string{
				"their modes differ: gre sends protocol 47, ipip ipip protocol 4",
				"both in 10.9.0.0/31, but tunnel a:t does not pair with b:t: not linked",
			},
		},
		{
			name: "gre against gretap",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("t", "gre", "", "192.0.2.1", "192.0.2.2")),
				dev("b", eth("192.0.2.2/24"), tun("t", "gretap", "", "192.0.2.2", "192.0.2.1")),
			},
			links:    []string{"a:eth0 -- b:eth0 [subnet]"},
			unpaired: []string{"a:t tunnel-mismatch"},
			texts:    []string{"gre carries ip payloads and gretap ethernet payloads"},
		},
		{
			name: "a GRE key on one router only",
			devs: []*model.Device{
				router("r1", "ios", []string{"Tunnel0"}, ifc("Gi0/0", "192.0.2.1/24"), tun("Tunnel0", "gre", "", "192.0.2.1", "192.0.2.2")),
				router("r2", "vyos", nil, ifc("eth0", "192.0.2.2/24"), tun("tun0", "gre", "", "192.0.2.2", "192.0.2.1")),
			},
			links:    []string{"r1:Gi0/0 -- r2:eth0 [subnet]"},
			unpaired: []string{"r1:Tunnel0 tunnel-mismatch"},
			texts:    []string{"only r1:Tunnel0 sets a GRE key"},
		},
		{
			name: "no remote: multipoint or 6to4",
			devs: []*model.Device{
				router("r1", "ios", nil, ifc("Gi0/0", "192.0.2.1/24"), tun("Tunnel9", "sit", "", "192.0.2.1", "")),
			},
			unpaired: []string{"r1:Tunnel9 tunnel"},
			texts:    []string{"has no remote address"},
		},
		{
			name: "the kernel's fallback tunnel devices are left out",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("sit0", "sit", "ip6ip", "", ""), tun("gre0", "gre", "", "", ""), tun("ip6tnl0", "ip6tnl", "ip6ip6", "", "")),
			},
		},
		{
			name: "two far ends with the same address are ambiguous",
			devs: []*model.Device{
				dev("a", eth("192.0.2.1/24"), tun("t", "gre", "", "192.0.2.1", "198.51.100.2")),
				dev("b", ifc("eth1", "198.51.100.2/25"), tun("t", "gre", "", "198.51.100.2", "192.0.2.1")),
				dev("c", ifc("eth1", "198.51.100.2/26"), tun("t", "gre", "", "198.51.100.2", "192.0.2.1")),
			},
			unpaired: []string{"a:t tunnel", "b:eth1 duplicate-address", "b:t tunnel", "c:t tunnel"},
			texts:    []string{"pairs by its endpoints with b:t, c:t: ambiguous"},
		},
		{
			name: "an ip6tnl pair over IPv6",
			devs: []*model.Device{
				dev("a", eth("2001:db8:a::1/64"), tun("t", "ip6tnl", "ipip6", "2001:db8:a::1", "2001:db8:b::1")),
				router("b", "vyos", nil, ifc("eth0", "2001:db8:b::1/64"), tun("tun0", "ip6tnl", "ipip6", "2001:db8:b::1", "2001:db8:a::1")),
			},
			links:  []string{"a:t -- b:tun0 [tunnel]"},
			protos: "[4]",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top := Infer(c.devs, nil)
			same(t, "links", linkList(top), c.links)
			same(t, "unpaired", unpairedList(top), c.unpaired)
			all := dump(top)
			for _, w := range c.texts {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
			var protos []string
			for _, l := range top.Links {
				if l.Tunnel != nil {
					protos = append(protos, fmt.Sprint(l.Tunnel.Protocols))
				}
			}
			same(t, "tunnel protocols", protos, nonEmpty(c.protos))
		})
	}
}

// TestTunnelOuterEnds: the link's outer addresses are what each end
// sends from, also when one end's local is "any".
func TestTunnelOuterEnds(t *testing.T) {
	top := Infer([]*model.Device{
		dev("b", ifc("eth0", "198.51.100.2/24"), tun("t", "gre", "", "198.51.100.2", "192.0.2.1")),
		dev("a", ifc("eth0", "192.0.2.1/24"), tun("t", "gre", "", "", "198.51.100.2")),
	}, nil)
	if len(top.Links) != 1 || top.Links[0].Tunnel == nil {
		t.Fatalf("links %+v", top.Links)
	}
	l := top.Links[0]
	if l.A.String() != "a:t" || l.Tunnel.ALocal.String() != "192.0.2.1" || l.Tunnel.BLocal.String() != "198.51.100.2" || l.Tunnel.AMode != "gre" {
		t.Errorf("link %s -- %s tunnel %+v", l.A, l.B, *l.Tunnel)
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
