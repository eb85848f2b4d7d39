package iptables

import (
	"net/netip"
	"strings"

	"farend/internal/packet"
)

// pkt builds a packet from "tcp 10.0.0.1:1 -> 10.0.0.2:2".
func pkt(s string) packet.Packet {
	f := strings.Fields(s)
	var p packet.Packet
	p.Proto, _ = packet.ParseProto(f[0])
	ap := func(x string) (netip.Addr, uint16) {
		if a, err := netip.ParseAddrPort(x); err == nil {
			return a.Addr(), a.Port()
		}
		return netip.MustParseAddr(x), 0
	}
	p.Src, p.SPort = ap(f[1])
	p.Dst, p.DPort = ap(f[3])
	p.TTL = 64
	p.Length = 60
	return p
}
