package ios

import (
	"strings"

	"farend/internal/model"
)

// Vendor defaults applied when a configuration leaves a value out. Each
// names its source; all hold for IOS 12.4 to 15.x and IOS-XE unless said.
const (
	// Cisco IOS Interface and Hardware Component Command Reference,
	// "bandwidth (interface)": the default is the interface's nominal
	// speed; tunnels default to 100 kbit/s since IOS 15.0 (9 kbit/s before).
	srcBandwidth = "IOS default bandwidth of the interface type (Interface and Hardware Component Command Reference, bandwidth)"
	// Cisco IOS Interface and Hardware Component Command Reference, "mtu":
	// 1500 on Ethernet and serial interfaces; loopbacks 1514.
	srcMTU = "IOS default MTU of the interface type (Interface and Hardware Component Command Reference, mtu)"
	// Cisco IOS Interface and Hardware Component Command Reference,
	// "tunnel mode"/"ip mtu": a GRE/IPv4 tunnel's IP MTU is the transport
	// MTU (1500) less 24 bytes of GRE and IPv4 header, 1476; IP-in-IP and
	// IPv6-in-IPv4 tunnels less 20 bytes, 1480.
	srcTunnelMTU = "IOS tunnel IP MTU: transport MTU 1500 less the encapsulation (24 bytes GRE/IPv4, 20 IP-in-IP)"
	// Cisco IOS IP Routing: OSPF Command Reference, "ip mtu": the IP MTU
	// defaults to the interface MTU; "ipv6 mtu" likewise.
	srcIPMTU = "IOS: ip mtu defaults to the interface MTU (IP Application Services Command Reference, ip mtu)"
	// Cisco IOS IPv6 Command Reference, "ipv6 mtu": the default is the
	// link MTU of the interface.
	srcIP6MTU = "IOS: ipv6 mtu defaults to the interface's link MTU (IPv6 Command Reference, ipv6 mtu)"
	// Cisco IOS IP Routing: OSPF Command Reference, "auto-cost": reference
	// bandwidth 100 Mbit/s.
	// Cisco IOS IP Routing: OSPF Command Reference, "compatible rfc1583":
	// enabled by default; `no compatible rfc1583` turns on the RFC 2328
	// 16.4.1 path preference.
	srcRFC1583 = "IOS default compatible rfc1583 (OSPF Command Reference, compatible rfc1583)"
	srcRefBW   = "IOS default auto-cost reference-bandwidth 100 Mbit/s (OSPF Command Reference, auto-cost)"
	// Cisco IOS IP Routing: OSPF Command Reference, "ip ospf cost": the
	// cost is the reference bandwidth divided by the interface bandwidth,
	// at least 1.
	srcCost = "IOS: reference bandwidth / interface bandwidth, at least 1 (OSPF Command Reference, ip ospf cost)"
	// Cisco IOS IP Routing: OSPF Command Reference, "ip ospf
	// hello-interval" and "ip ospf dead-interval": 10 s on broadcast and
	// point-to-point networks, 30 s on non-broadcast and point-to-multipoint
	// ones; the dead interval is four times the hello interval.
	srcHello = "IOS default hello interval of the network type (OSPF Command Reference, ip ospf hello-interval)"
	srcDead  = "IOS: four times the hello interval (OSPF Command Reference, ip ospf dead-interval)"
	// Cisco IOS IP Routing: OSPF Command Reference, "area virtual-link":
	// hello-interval 10 s, dead-interval 40 s. The reference gives 40 s
	// whatever the hello interval; whether IOS derives it from a
	// configured hello, as on interfaces, is not checked.
	srcVLHello = "IOS default virtual-link hello interval 10 s (OSPF Command Reference, area virtual-link)"
	srcVLDead  = "IOS default virtual-link dead interval 40 s (OSPF Command Reference, area virtual-link)"
	// Cisco IOS IP Routing: OSPF Command Reference, "ip ospf priority": 1.
	srcPriority = "IOS default priority 1 (OSPF Command Reference, ip ospf priority)"
	// Cisco IOS IP Routing: OSPF Command Reference, "ip ospf network": the
	// default depends on the media: broadcast on Ethernet, point-to-point on
	// serial links and tunnels, loopback on loopbacks.
	srcNetType = "IOS default network type of the interface type (OSPF Command Reference, ip ospf network)"
	// Cisco IOS IP Routing: OSPF Command Reference, "distance ospf": 110.
	srcOSPFDistance = "IOS default OSPF administrative distance 110 (OSPF Command Reference, distance ospf)"
	// Cisco IOS IP Routing: Protocol-Independent Command Reference,
	// "maximum-paths": 4 for OSPF.
	srcOSPFMaxPaths = "IOS default maximum-paths 4 for OSPF (Protocol-Independent Command Reference, maximum-paths)"
	// OSPFv2 database description packets carry the IP MTU of the
	// interface (RFC 2328 A.3.3); IOS uses `ip mtu` (OSPF Command Reference,
	// ip ospf mtu-ignore). OSPFv3 carries the IPv6 MTU (RFC 5340 A.3.3).
	srcOSPFMTU  = "IOS OSPFv2 advertises the interface's IP MTU (RFC 2328 A.3.3; OSPF Command Reference, ip ospf mtu-ignore)"
	srcOSPF6MTU = "IOS OSPFv3 advertises the interface's IPv6 MTU (RFC 5340 A.3.3)"
	// Cisco IOS IP Routing: BGP Command Reference, "timers bgp": keepalive
	// 60 s, hold time 180 s.
	srcBGPKeepalive = "IOS default BGP keepalive 60 s (BGP Command Reference, timers bgp)"
	srcBGPHold      = "IOS default BGP hold time 180 s (BGP Command Reference, timers bgp)"
	// Cisco IOS IP Routing: BGP Command Reference, "distance bgp": external
	// 20, internal 200, local 200.
	srcBGPDistance = "IOS default BGP distances 20/200/200 (BGP Command Reference, distance bgp)"
	// Cisco IOS IP Routing: BGP Command Reference, "bgp default
	// ipv4-unicast": enabled by default.
	srcBGPDefaultV4 = "IOS: bgp default ipv4-unicast is on unless `no bgp default ipv4-unicast` (BGP Command Reference)"
	// Cisco IOS IP Routing: BGP Command Reference, "neighbor
	// send-community": communities are not sent by default.
	srcBGPSendComm = "IOS: communities are not sent unless `neighbor send-community` (BGP Command Reference)"
	// Cisco IOS IP Routing: BGP Command Reference, "network (BGP)": the
	// prefix must exactly match a route in the routing table.
	srcBGPImport = "IOS: a network is announced only while an exact route is in the RIB (BGP Command Reference, network)"
	srcNoRFC8212 = "IOS has no eBGP policy requirement (RFC 8212 not implemented in classic IOS)"
	// Cisco IOS IP Routing: BGP Command Reference, "maximum-paths": 1.
	srcBGPMaxPaths = "IOS default BGP maximum-paths 1 (BGP Command Reference, maximum-paths)"
	// Cisco IOS IP Routing: Protocol-Independent Command Reference, "ip
	// route": administrative distance 1.
	srcStaticDistance = "IOS default static route distance 1 (Protocol-Independent Command Reference, ip route)"
)

// ifType classifies an interface by its name.
type ifType struct {
	prefix string
	kind   string
	bw     int // kbit/s
	mtu    int
	net    model.NetworkType
}

// ifTypes lists IOS interface name prefixes, longest first where one is
// the prefix of another.
var ifTypes = []ifType{
	{"hundredgige", "ether", 100000000, 1500, model.NetBroadcast},
	{"fortygigabitethernet", "ether", 40000000, 1500, model.NetBroadcast},
	{"twentyfivegige", "ether", 25000000, 1500, model.NetBroadcast},
	{"tengigabitethernet", "ether", 10000000, 1500, model.NetBroadcast},
	{"gigabitethernet", "ether", 1000000, 1500, model.NetBroadcast},
	{"fastethernet", "ether", 100000, 1500, model.NetBroadcast},
	{"ethernet", "ether", 10000, 1500, model.NetBroadcast},
	{"port-channel", "bond", 0, 1500, model.NetBroadcast},
	{"vlan", "svi", 1000000, 1500, model.NetBroadcast},
	{"bvi", "bridge", 10000, 1500, model.NetBroadcast},
	{"loopback", "loopback", 8000000, 1514, model.NetLoopback},
	{"tunnel", "gre", 100, 0, model.NetPointToPoint},
	{"serial", "serial", 1544, 1500, model.NetPointToPoint},
	{"dialer", "dialer", 56, 1500, model.NetPointToPoint},
	{"virtual-template", "virtual", 100000, 1500, model.NetPointToPoint},
	{"null", "null", 10000000, 1500, model.NetUnknown},
	{"cellular", "cellular", 0, 1500, model.NetPointToPoint},
}

// typeOf returns the interface type of name; the zero ifType when
// unknown.
func typeOf(name string) ifType {
	n := strings.ToLower(name)
	for _, t := range ifTypes {
		if strings.HasPrefix(n, t.prefix) {
			return t
		}
	}
	return ifType{}
}

// tunnelOverhead is the IP MTU a tunnel mode leaves from a 1500-byte
// transport (srcTunnelMTU).
func tunnelIPMTU(mode string) int {
	switch mode {
	case "ipip", "sit":
		return 1480
	case "ip6gre":
		return 1456 // 40-byte IPv6 + 4-byte GRE header
	case "ip6tnl":
		return 1460
	}
	return 1476
}
