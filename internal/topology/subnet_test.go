package topology

import (
	"strings"
	"testing"

	"farend/internal/model"
)

func TestSubnets(t *testing.T) {
	cases := []struct {
		name     string
		devs     []*model.Device
		links    []string
		segments []string
		unpaired []string
		// reasons that must appear in the output, anywhere
		texts []string
	}{
		{
			name:  "two hosts on a /24",
			devs:  []*model.Device{dev("a", ifc("eth0", "198.51.100.1/24")), dev("b", ifc("eth0", "198.51.100.2/24"))},
			links: []string{"a:eth0 -- b:eth0 [subnet]"},
			texts: []string{"both in 198.51.100.0/24"},
		},
		{
			name:  "a /31 and a /127 on the same pair make one link with two reasons",
			devs:  []*model.Device{dev("a", ifc("e1", "192.0.2.0/31", "2001:db8::/127")), dev("b", ifc("e2", "192.0.2.1/31", "2001:db8::1/127"))},
			links: []string{"a:e1 -- b:e2 [subnet,subnet]"},
			texts: []string{"both in 192.0.2.0/31", "both in 2001:db8::/127"},
		},
		{
			name: "three on a subnet are a segment, IPv4 and IPv6 with the same members one segment",
			devs: []*model.Device{
				dev("a", ifc("eth0", "198.51.100.1/24", "2001:db8:1::1/64")),
				dev("b", ifc("eth0", "198.51.100.2/24", "2001:db8:1::2/64")),
				dev("c", ifc("eth0", "198.51.100.3/24", "2001:db8:1::3/64")),
			},
			segments: []string{"198.51.100.0/24,2001:db8:1::/64: a:eth0 b:eth0 c:eth0"},
			texts:    []string{"all 3 in 198.51.100.0/24", "all 3 in 2001:db8:1::/64"},
		},
		{
			name: "a segment and a link over the same interfaces when the members differ",
			devs: []*model.Device{
				dev("a", ifc("eth0", "198.51.100.1/24", "2001:db8:1::1/64")),
				dev("b", ifc("eth0", "198.51.100.2/24", "2001:db8:1::2/64")),
				dev("c", ifc("eth0", "198.51.100.3/24")),
			},
			links:    []string{"a:eth0 -- b:eth0 [subnet]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
		},
		{
			name: "loopbacks, host routes and link-local addresses link nothing",
			devs: []*model.Device{
				dev("a", lo("127.0.0.1/8", "192.0.2.1/32"), ifc("eth0", "fe80::1/64", "192.0.2.9/32"), ifc("dum0", "2001:db8:9::1/128")),
				dev("b", lo("127.0.0.1/8", "192.0.2.2/32"), ifc("eth0", "fe80::2/64", "192.0.2.9/32"), ifc("dum0", "2001:db8:9::1/128")),
			},
		},
		{
			name:  "point-to-point peers",
			devs:  []*model.Device{dev("a", ifc("ppp0", "10.0.0.1 peer 10.0.0.2/32")), dev("b", ifc("ppp0", "10.0.0.2 peer 10.0.0.1/32"))},
			links: []string{"a:ppp0 -- b:ppp0 [peer,peer]"},
			texts: []string{"a:ppp0 10.0.0.1 peer 10.0.0.2/32 is b:ppp0's address"},
		},
		{
			name:     "a peer nobody has",
			devs:     []*model.Device{dev("a", ifc("ppp0", "10.0.0.1 peer 10.0.0.2/32"))},
			unpaired: []string{"a:ppp0 point-to-point"},
			texts:    []string{"10.0.0.2 is no device's address"},
		},
		{
			name:     "a /31 whose other address is missing",
			devs:     []*model.Device{dev("a", ifc("e1", "192.0.2.2/31")), dev("b", ifc("e1", "198.51.100.1/24"))},
			unpaired: []string{"a:e1 point-to-point"},
			texts:    []string{"the other address of 192.0.2.2/31, 192.0.2.3, is no device's address"},
		},
		{
			name:     "a /127 whose other address is another device's loopback",
			devs:     []*model.Device{dev("a", ifc("e1", "2001:db8::1/127")), dev("b", lo("2001:db8::/128"))},
			unpaired: []string{"a:e1 point-to-point"},
			texts:    []string{"2001:db8::, is b:lo's address, not in this subnet there"},
		},
		{
			name:     "prefix lengths that differ",
			devs:     []*model.Device{dev("a", ifc("e3", "198.18.3.1/24")), dev("b", ifc("e3", "198.18.3.2/25"))},
			unpaired: []string{"a:e3 prefix-length"},
			texts:    []string{"a:e3 198.18.3.1/24 and b:e3 198.18.3.2/25 overlap but their prefix lengths differ"},
		},
		{
			name: "a duplicate address is reported and left out; the others still link",
			devs: []*model.Device{
				dev("a", ifc("docker0", "172.17.0.1/16")),
				dev("b", ifc("docker0", "172.17.0.1/16")),
				dev("c", ifc("eth0", "172.17.0.2/16")),
				dev("d", ifc("eth0", "172.17.0.3/16")),
			},
			links:    []string{"c:eth0 -- d:eth0 [subnet]"},
			unpaired: []string{"a:docker0 duplicate-address"},
			texts:    []string{"172.17.0.1 is configured on a:docker0 (172.17.0.1/16) and b:docker0 (172.17.0.1/16)"},
		},
		{
			name: "two interfaces of one device in a subnet with a third device",
			devs: []*model.Device{
				dev("a", ifc("eth0", "198.51.100.1/24"), ifc("eth1", "198.51.100.2/24")),
				dev("b", ifc("eth0", "198.51.100.3/24")),
			},
			segments: []string{"198.51.100.0/24: a:eth0 a:eth1 b:eth0"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top := Infer(c.devs, nil)
			same(t, "links", linkList(top), c.links)
			same(t, "segments", segmentList(top), c.segments)
			same(t, "unpaired", unpairedList(top), c.unpaired)
			all := dump(top)
			for _, w := range c.texts {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
		})
	}
}

// TestDown marks the ends that are administratively down.
func TestDown(t *testing.T) {
	b := ifc("eth0", "198.51.100.2/24")
	b.Up = false
	top := Infer([]*model.Device{dev("a", ifc("eth0", "198.51.100.1/24")), dev("b", b)}, nil)
	if len(top.Links) != 1 || len(top.Links[0].Down) != 1 || top.Links[0].Down[0].String() != "b:eth0" {
		t.Fatalf("links %+v", top.Links)
	}
}

// TestAcross lists the far ends of links and segments.
func TestAcross(t *testing.T) {
	top := Infer([]*model.Device{
		dev("a", ifc("eth0", "198.51.100.1/24"), ifc("eth1", "192.0.2.0/31")),
		dev("b", ifc("eth0", "198.51.100.2/24")),
		dev("c", ifc("eth0", "198.51.100.3/24"), ifc("eth1", "192.0.2.1/31")),
	}, nil)
	var got []string
	for _, e := range top.Across(Endpoint{"a", "eth0"}) {
		got = append(got, e.String())
	}
	same(t, "across a:eth0", got, []string{"b:eth0", "c:eth0"})
	got = nil
	for _, e := range top.Across(Endpoint{"c", "eth1"}) {
		got = append(got, e.String())
	}
	same(t, "across c:eth1", got, []string{"a:eth1"})
}

// dump is every text of a topology, for substring checks.
func dump(t *Topology) string {
	var b strings.Builder
	for _, ls := range [][]Link{t.Links, t.Removed} {
		for _, l := range ls {
			for _, r := range l.Reasons {
				b.WriteString(r.Text + "\n")
			}
		}
	}
	for _, g := range t.Segments {
		for _, r := range g.Reasons {
			b.WriteString(r.Text + "\n")
		}
	}
	for _, u := range t.Unpaired {
		b.WriteString(u.Reason + "\n")
	}
	for _, n := range t.Notes {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}
