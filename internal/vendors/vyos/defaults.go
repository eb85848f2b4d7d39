package vyos

// Vendor defaults applied when a configuration leaves a value out, each
// with its source. "FRR" holds for VyOS 1.2 and later, "Quagga" for the
// Vyatta-derived 1.0-1.1.
const (
	// Linux sets an Ethernet device's MTU to 1500 (ether_setup in
	// net/ethernet/eth.c); VyOS keeps it unless `mtu` is configured
	// (vyos-1x interface-definitions include/interface/mtu-68-16000.xml.i,
	// defaultValue 1500).
	srcEtherMTU = "VyOS/Linux default Ethernet MTU 1500 (vyos-1x include/interface/mtu-68-16000.xml.i; net/ethernet/eth.c ether_setup)"
	// Linux loopback MTU 65536 (drivers/net/loopback.c, since 3.x).
	srcLoMTU = "Linux loopback MTU 65536 (drivers/net/loopback.c)"
	// vyos-1x interface-definitions/interfaces_tunnel.xml.in: mtu
	// defaultValue 1476 for every encapsulation.
	srcTunnelMTU = "VyOS 1.2+ tunnel default mtu 1476 (vyos-1x interface-definitions/interfaces_tunnel.xml.in)"
	// VyOS 1.0-1.1 leaves the MTU to the kernel: a GRE/IPv4 tunnel gets
	// 1500 less 24 bytes of outer IPv4 and GRE header (net/ipv4/ip_gre.c,
	// ip_tunnel_bind_dev), IP-in-IP and SIT 1500 less 20.
	srcKernelTunnelMTU = "Linux default tunnel MTU: 1500 less the encapsulation header (net/ipv4/ip_tunnel.c ip_tunnel_bind_dev), as VyOS 1.0-1.1 leaves it"
	// vyos-1x interface-definitions/interfaces_wireguard.xml.in: mtu
	// defaultValue 1420.
	srcWireguardMTU = "VyOS WireGuard default mtu 1420 (vyos-1x interface-definitions/interfaces_wireguard.xml.in)"
	// ospfd/ospfd.h OSPF_DEFAULT_REF_BANDWIDTH 100000 kbit/s (Quagga and
	// FRR alike).
	// ospfd/ospf_vty.c (Quagga and FRR): OSPF_RFC1583_COMPATIBLE is off
	// unless `ospf rfc1583compatibility`.
	srcRFC1583 = "Quagga/FRR ospfd: RFC 1583 compatibility off unless configured (ospfd/ospf_vty.c)"
	srcRefBW   = "Quagga/FRR ospfd default reference bandwidth 100 Mbit/s (ospfd/ospfd.h OSPF_DEFAULT_REF_BANDWIDTH)"
	// ospfd/ospf_interface.c ospf_if_get_output_cost: reference bandwidth
	// / interface bandwidth; the bandwidth is the configured one, else
	// (FRR) the kernel's link speed, else OSPF_DEFAULT_BANDWIDTH 10 Mbit/s
	// (ospfd/ospfd.h).
	srcCost = "ospfd: reference bandwidth / interface bandwidth (ospf_interface.c ospf_if_get_output_cost); no bandwidth in the configuration: OSPF_DEFAULT_BANDWIDTH 10 Mbit/s assumed (the kernel's link speed, which FRR prefers, is not in a configuration)"
	// ospfd/ospfd.h OSPF_HELLO_INTERVAL_DEFAULT 10,
	// OSPF_ROUTER_DEAD_INTERVAL_DEFAULT 40, OSPF_ROUTER_PRIORITY_DEFAULT 1;
	// ospf6d/ospf6_interface.c uses the same values.
	srcHello    = "Quagga/FRR default hello interval 10 s (ospfd/ospfd.h OSPF_HELLO_INTERVAL_DEFAULT; ospf6d/ospf6_interface.c)"
	srcDead     = "Quagga/FRR default dead interval 40 s (ospfd/ospfd.h OSPF_ROUTER_DEAD_INTERVAL_DEFAULT; ospf6d/ospf6_interface.c)"
	srcPriority = "Quagga/FRR default priority 1 (ospfd/ospfd.h OSPF_ROUTER_PRIORITY_DEFAULT)"
	// ospfd/ospf_interface.c ospf_default_iftype: point-to-point when the
	// kernel flags the link IFF_POINTOPOINT (a GRE tunnel with a remote
	// address), loopback for loopbacks, broadcast otherwise; ospf6d
	// likewise (ospf6_interface.c ospf6_interface_create).
	srcNetType = "ospfd/ospf6d default network type from the kernel link flags (ospf_interface.c ospf_default_iftype)"
	// ospfd/ospf_packet.c ospf_make_db_desc: the DD packet carries the
	// interface MTU (ifp->mtu) the kernel reports, i.e. the configured
	// `mtu`.
	srcOSPFMTU = "ospfd advertises the interface MTU in DD packets (ospfd/ospf_packet.c ospf_make_db_desc)"
	// ospf6d/ospf6_message.c: DD packets carry oi->ifmtu, which is `ipv6
	// ospf6 ifmtu` when set (only if not above the link's IPv6 MTU), else
	// the link's IPv6 MTU (ospf6_interface.c).
	srcOSPF6MTU = "ospf6d advertises ifmtu when set, else the link's IPv6 MTU (ospf6d/ospf6_interface.c, ospf6_message.c)"
	// Story 6 (scenarios/06-ospfv3-gre-mtu): on VyOS 1.0.x ospf6d keeps
	// advertising the GRE tunnel's default MTU 1476 in DD packets although
	// the tunnel's mtu is lower; only `ipv6 ospfv3 ifmtu` changes it.
	srcVyattaGREv3 = "VyOS 1.0-1.1 (Quagga ospf6d) advertises the GRE tunnel's default MTU 1476, not the configured mtu, unless `interfaces tunnel X ipv6 ospfv3 ifmtu` is set (story 6, observed on VyOS 1.0.3)"
	// ospfd: distance 110 (lib/zebra.h ZEBRA_OSPF_DISTANCE_DEFAULT).
	srcOSPFDistance = "Quagga/FRR OSPF distance 110 (lib/zebra.h ZEBRA_OSPF_DISTANCE_DEFAULT)"
	// FRR lib/zebra.h MULTIPATH_NUM is a build option; VyOS builds FRR
	// with the Debian default of 64 (not checked for 1.0-1.1).
	srcMaxPaths = "FRR maximum-paths: the build's MULTIPATH_NUM (lib/zebra.h), not known from a configuration"
	// FRR staticd: distance 1 (staticd/static_vty.c); VyOS renders routes
	// without a distance unless configured.
	srcStaticDistance = "FRR/Quagga static route distance 1 (staticd/static_vty.c)"
	// vyos-1x data/templates/frr/bgpd.frr.j2 (1.3, 1.4): `bgp
	// ebgp-requires-policy` only with `parameters ebgp-requires-policy`,
	// else `no bgp ebgp-requires-policy` (T2100, smoketest
	// test_protocols_bgp.py "to keep VyOS 1.3 and 1.2 backwards
	// compatibility").
	srcEBGPPolicy = "VyOS renders `no bgp ebgp-requires-policy` unless `parameters ebgp-requires-policy` is set (vyos-1x data/templates/frr/bgpd.frr.j2, T2100)"
	// Quagga and FRR before 7.4 have no eBGP policy requirement (FRR
	// bgpd/bgp_vty.c BGP_EBGP_REQUIRES_POLICY: false for versions < 7.4).
	srcEBGPPolicyOld = "VyOS 1.0-1.1 (Quagga) has no eBGP policy requirement (RFC 8212 came with FRR 7.4: bgpd/bgp_vty.c BGP_EBGP_REQUIRES_POLICY)"
	// vyos-1x src/migration-scripts/bgp/1-to-2 (T3741): from bgp@2 on
	// `no bgp default ipv4-unicast` is always rendered and neighbours are
	// active only with `address-family ipv4-unicast`; before, IPv4 unicast
	// was on for every neighbour unless `parameters default
	// no-ipv4-unicast`.
	srcDefaultV4New = "VyOS bgp@2 and later render `no bgp default ipv4-unicast`: a neighbour is active only with `address-family ipv4-unicast` (vyos-1x migration-scripts/bgp/1-to-2, T3741)"
	srcDefaultV4Old = "VyOS before bgp@2: every neighbour is active in IPv4 unicast unless `parameters default no-ipv4-unicast` (vyos-1x migration-scripts/bgp/1-to-2, T3741)"
	// vyos-1x bgpd.frr.j2 renders `no bgp network import-check` unless
	// `parameters network-import-check` (scenario 07 README, 1.4.0).
	srcImportCheck = "VyOS renders `no bgp network import-check` unless `parameters network-import-check` (vyos-1x data/templates/frr/bgpd.frr.j2)"
	// Quagga bgpd announces `network` routes without checking the RIB
	// unless `bgp network import-check` (bgpd/bgp_vty.c).
	srcImportCheckOld = "Quagga bgpd does not check the RIB for network statements unless `bgp network import-check` (bgpd/bgp_vty.c)"
	// FRR and Quagga bgpd send standard and extended communities (FRR also
	// large ones) to every peer unless told not to (bgpd/bgpd.c peer_new
	// sets PEER_FLAG_SEND_COMMUNITY ...); VyOS `disable-send-community`
	// renders `no neighbor X send-community`.
	srcSendComm = "FRR/Quagga send communities by default (bgpd/bgpd.c peer_new); VyOS `disable-send-community` turns them off"
	// FRR bgpd/bgp_vty.c BGP_KEEPALIVE 60 / BGP_HOLDTIME 180 for the
	// traditional profile VyOS starts FRR with
	// (data/templates/frr/daemons.frr.tmpl frr_profile="traditional").
	srcBGPKeepalive = "FRR traditional profile keepalive 60 s (bgpd/bgp_vty.c BGP_KEEPALIVE; VyOS daemons.frr.tmpl frr_profile=traditional)"
	srcBGPHold      = "FRR traditional profile hold time 180 s (bgpd/bgp_vty.c BGP_HOLDTIME)"
	// lib/zebra.h ZEBRA_EBGP_DISTANCE_DEFAULT 20, ZEBRA_IBGP_DISTANCE_DEFAULT
	// 200; bgpd local 200.
	srcBGPDistance = "Quagga/FRR BGP distances 20/200/200 (lib/zebra.h ZEBRA_EBGP_DISTANCE_DEFAULT ...)"
)
