package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// PktType is the link-layer packet type (PACKET_* in
// include/uapi/linux/if_packet.h). The zero PktType is PACKET_HOST
// (unicast to this host).
type PktType uint8

// Packet types with the kernel's values.
const (
	PktHost      PktType = 0
	PktBroadcast PktType = 1
	PktMulticast PktType = 2
	PktOtherHost PktType = 3
)

func (t PktType) String() string {
	switch t {
	case PktHost:
		return "unicast"
	case PktBroadcast:
		return "broadcast"
	case PktMulticast:
		return "multicast"
	case PktOtherHost:
		return "otherhost"
	}
	return fmt.Sprint(uint8(t))
}

// PktTypeMatch is `-m pkttype --pkt-type`, based on
// net/netfilter/xt_pkttype.c: (skb->pkt_type == type) ^ invert.
//
// farend has no link layer, so it derives the type: locally generated
// packets (OUTPUT, POSTROUTING) are PACKET_HOST whatever their
// destination (the skb is allocated with pkt_type 0; checked against the
// kernel with per-rule counters); received ones are multicast for a
// multicast destination, broadcast for 255.255.255.255 or a broadcast
// address of the host, unicast otherwise. PACKET_OTHERHOST never reaches
// the IP hooks (ip_rcv_core and ipv6_rcv drop it).
//
// The zero PktTypeMatch is --pkt-type unicast.
type PktTypeMatch struct {
	Type   PktType
	Invert bool
}

func parsePktType(fam Family, a *Args) (Match, error) {
	var m *PktTypeMatch
	arity := func(o string) int {
		if o == "--pkt-type" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		var t PktType
		switch strings.ToLower(o.Arg()) {
		case "unicast", "host":
			t = PktHost
		case "broadcast":
			t = PktBroadcast
		case "multicast":
			t = PktMulticast
		case "otherhost":
			t = PktOtherHost
		default:
			return fmt.Errorf("unknown packet type %q", o.Arg())
		}
		m = &PktTypeMatch{Type: t, Invert: o.Neg}
		return nil
	})
	if err == nil && m == nil {
		err = fmt.Errorf("-m pkttype needs --pkt-type")
	}
	return m, err
}

// pktType derives the packet's link-layer type.
func pktType(c *Ctx) (PktType, string) {
	if c.Hook == Output || c.Hook == Postrouting {
		return PktHost, "a locally generated or forwarded packet leaving the host is PACKET_HOST (unicast)"
	}
	if c.LinkType != nil {
		return *c.LinkType, "the frame it arrived in says so (skb->pkt_type; NAT does not change it)"
	}
	d := c.Pkt.Dst
	switch {
	case d.IsMulticast():
		return PktMulticast, fmt.Sprintf("destination %s is multicast", d)
	case d == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return PktBroadcast, "destination 255.255.255.255 is the limited broadcast"
	case d.Is4() && c.Env != nil && c.Env.AddrType(d, "", AddrBroadcast)&AddrBroadcast != 0:
		return PktBroadcast, fmt.Sprintf("destination %s is a broadcast address of the host", d)
	}
	return PktHost, fmt.Sprintf("destination %s is unicast", d)
}

// Match implements Match.
func (m *PktTypeMatch) Match(c *Ctx) Tri {
	t, why := pktType(c)
	r := (t == m.Type) != m.Invert
	if r {
		c.Explain("packet type %s: %s (farend derives it from the addresses)", t, why)
	}
	return TriOf(r)
}

func (m *PktTypeMatch) String() string {
	return fmt.Sprintf("-m pkttype %s--pkt-type %s", bang(m.Invert), m.Type)
}
