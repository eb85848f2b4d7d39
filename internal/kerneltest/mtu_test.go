package kerneltest

import (
	"net/netip"
	"testing"

	"farend/internal/packet"
)

// mtuTopo: eth0 (MTU 1500) where packets arrive, eth1 with MTU 1400
// toward 198.18.0.0/24 and 2001:db8:18::/64.
var mtuTopo = Topology{
	Host: "mtu",
	Links: []Link{
		{Name: "eth0", Addrs: []netip.Prefix{pfx("198.51.100.1/24"), pfx("2001:db8:100::1/64")},
			Peers: []netip.Addr{addr("198.51.100.2"), addr("2001:db8:100::2")}},
		{Name: "eth1", MTU: 1400, Addrs: []netip.Prefix{pfx("192.0.2.1/24"), pfx("2001:db8:5::2/64")},
			Peers: []netip.Addr{addr("192.0.2.2"), addr("2001:db8:5::1")}},
	},
}

// TestKernelMTU checks the forwarding MTU check farend encodes (sim
// tooBig: ip_forward's ip_exceeds_mtu, ip6_forward's ip6_pkt_too_big, a
// route's mtu metric before the device's): the kernel's fate and drop
// reason, and farend on the lab's own snapshot.
func TestKernelMTU(t *testing.T) {
	pool := NewPool(t)
	routes := []Route{
		{Dst: pfx("198.18.0.0/24"), Via: addr("192.0.2.2"), Dev: "eth1"},
		{Dst: pfx("2001:db8:18::/64"), Via: addr("2001:db8:5::1"), Dev: "eth1"},
	}
	spec := Spec{Topology: mtuTopo, Config: Config{Sysctls: forwarding, Routes: routes}}
	udp := func(src, dst string, length uint16, df bool) packet.Packet {
		return packet.Packet{Src: addr(src), Dst: addr(dst), Proto: packet.ProtoUDP, SPort: 40000, DPort: 53, TTL: 64, Length: length, DF: df}
	}
	cases := []struct {
		name   string
		pkt    packet.Packet
		fate   Fate
		reason string
	}{
		{"v4-fits", udp("198.51.100.2", "198.18.0.9", 1400, true), FateForwarded, ""},
		{"v4-df-too-big", udp("198.51.100.2", "198.18.0.9", 1450, true), FateDropped, "PKT_TOO_BIG"},
		{"v6-fits", udp("2001:db8:100::2", "2001:db8:18::9", 1400, false), FateForwarded, ""},
		{"v6-too-big", udp("2001:db8:100::2", "2001:db8:18::9", 1450, false), FateDropped, "PKT_TOO_BIG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obs := pool.Run(t, spec, "eth0", c.pkt)
			wantFate(t, obs, c.fate, "eth1")
			if c.reason != "" && obs.DropReason != c.reason {
				t.Errorf("drop reason %q, want %q", obs.DropReason, c.reason)
			}
			farendAgrees(t, pool, spec, t.TempDir(), "eth0", obs)
		})
	}
}
