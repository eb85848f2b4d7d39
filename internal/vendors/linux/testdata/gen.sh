#!/bin/sh
# gen.sh builds a throw-away network namespace with many kinds of links,
# addresses, routes and rules, and writes what iproute2 and sysctl print
# about it into testdata/netns/ under the snapshot file names of DESIGN.md.
#
# Run as root from this directory: sh gen.sh
# Only documentation prefixes are used (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32). Both namespaces are
# deleted on exit. The kernel this was first run on (6.18, iproute2 6.1)
# has no dummy, vlan, vrf, ipip, sit, gre or ip6tnl support, so the links
# are veth, bridge, vxlan and tun only; tunnels come from hand-written
# inputs (testdata/fc20, testdata/tunnels).
set -eu

NS=fe-b-$$
PEER=fe-b-$$-peer
OUT=${1:-netns}

cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	ip netns del "$PEER" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip netns add "$PEER"
n() { ip -n "$NS" "$@"; }

# rp_filter before creating interfaces (DESIGN.md), and forwarding on.
ip netns exec "$NS" sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=1 \
	net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

n link set lo up

# e0: veth whose peer lives in another namespace (link_index, link_netnsid).
n link add e0 type veth peer name e1 netns "$PEER"
ip -n "$PEER" link set e1 up
n link set e0 mtu 1400 up

# v0/v1: veth pair inside the namespace (link: peer name); v1 is a bridge port.
n link add v0 type veth peer name v1
n link add br0 type bridge
n link set v1 master br0
n link set v0 up
n link set v1 up
n link set br0 up

# v2/v3: veth pair with v3 left down, so v2 is up without carrier
# (linkdown nexthops, tentative addresses).
n link add v2 type veth peer name v3
n link set v2 up

# vx0: vxlan (info_data with local/id/port), tun0: a persistent tun device.
n link add vx0 type vxlan id 42 dstport 4789 local 198.51.100.10 remote 203.0.113.99 ttl 16
n link set vx0 up
n tuntap add tun0 mode tun
n link set tun0 up

# Addresses: secondary, label, peer (point-to-point), nodad, noprefixroute,
# a tentative one on a down link, deprecated (preferred_lft 0), metric.
n addr add 198.51.100.10/24 dev e0
n addr add 198.51.100.11/24 dev e0
n addr add 198.51.100.12/24 dev e0 label e0:1
n addr add 2001:db8:100::10/64 dev e0 nodad
n addr add 2001:db8:100::11/64 dev e0 nodad preferred_lft 0
n addr add 192.0.2.1/24 dev br0 metric 50
n addr add 2001:db8:2::1/64 dev br0 nodad noprefixroute
n addr add 203.0.113.1 peer 203.0.113.2/32 dev tun0
n addr add 2001:db8:5::1 peer 2001:db8:5::2/128 dev tun0 nodad
n addr add 198.18.0.1/30 dev v2
n addr add 2001:db8:7::1/64 dev v2
n addr add 198.18.255.1/32 dev lo

# IPv4 routes: main table.
n route add default via 198.51.100.1 dev e0 metric 100 proto static
n route add 203.0.113.128/25 via 192.0.2.254 dev e0 onlink
n route add 198.18.10.0/24 nexthop via 198.51.100.1 dev e0 weight 1 \
	nexthop via 192.0.2.254 dev br0 weight 3 nexthop via 198.18.0.2 dev v2
n route add 198.18.11.0/24 via inet6 2001:db8:100::1 dev e0
n route add 198.18.12.0/24 dev br0 scope link src 192.0.2.1
n route add 198.18.13.0/24 encap ip id 1 dst 198.51.100.5 tos 8 dev e0
n route add 198.18.15.0/24 via 198.51.100.1 realm 5
n route add 198.18.17.0/24 via 198.18.0.2 dev v2
n route add 198.18.20.0/24 tos 0x10 via 198.51.100.1 proto bird metric 20
n route add 198.18.21.0/24 via 198.51.100.1 mtu 1300 advmss 1260 hoplimit 9
n nexthop add id 10 via 198.51.100.1 dev e0
n nexthop add id 11 via 198.51.100.2 dev e0
n nexthop add id 12 group 10/11,3
n route add 198.18.9.0/24 nhid 12
n route add 198.18.19.0/24 nhid 10
# Table 100: every route type.
n route add blackhole 198.18.1.0/24 table 100
n route add unreachable 198.18.2.0/24 table 100
n route add prohibit 198.18.3.0/24 table 100
n route add throw 198.18.4.0/24 table 100
n route add local 198.18.5.1 dev lo table 100
n route add broadcast 198.18.5.255 dev br0 table 100
n route add default via 198.51.100.1 dev e0 table 100
# Table 200 with a preferred source, locked mtu, a numeric protocol.
n route add 198.18.6.0/24 dev e0 src 198.51.100.10 scope link table 200
n route add 198.18.16.0/24 via 198.51.100.1 proto 99 mtu lock 1400 table 200
# Table 253 (default) and a large table id.
n route add 198.18.7.0/24 via 198.51.100.1 table default
n route add 198.18.8.0/24 via 198.51.100.1 table 1000000

# IPv6 routes.
n -6 route add default via 2001:db8:100::1 dev e0 metric 1024 pref high
n -6 route add 2001:db8:30::/48 from 2001:db8:100::/64 via 2001:db8:100::1 dev e0
n -6 route add 2001:db8:31::/48 via 2001:db8:100::1 dev e0 expires 3000
n -6 route add 2001:db8:32::/48 nexthop via 2001:db8:100::1 dev e0 weight 2 \
	nexthop via fe80::1 dev br0
n -6 route add 2001:db8:33::/48 via fe80::2 dev e0 metric 512 proto static mtu 1280
n -6 route add 2001:db8:34::/48 dev tun0 pref low
n -6 route add 2001:db8:40::/48 encap seg6 mode encap segs 2001:db8::1,2001:db8::2 dev e0
n -6 route add 2001:db8:41::1 via 2001:db8:100::1 dev e0 onlink
n -6 route add blackhole 2001:db8:1::/48 table 100
n -6 route add unreachable 2001:db8:2::/48 table 100
n -6 route add prohibit 2001:db8:3::/48 table 100
n -6 route add throw 2001:db8:4::/48 table 100
n -6 route add local 2001:db8:5::99 dev lo table 100
n -6 route add default via 2001:db8:100::1 dev e0 table 100

# IPv4 rules: every selector and action iproute2 6.1 and this kernel take.
n rule add pref 100 from 198.51.100.0/24 lookup 100
n rule add pref 101 from 198.51.100.10 lookup 100
n rule add pref 110 to 198.18.0.0/15 lookup 200
n rule add pref 120 not from 192.0.2.0/24 lookup 100
n rule add pref 130 iif e0 lookup 100
n rule add pref 131 oif br0 lookup 200
n rule add pref 132 iif lo oif e0 lookup main
n rule add pref 140 fwmark 0x10 lookup 100
n rule add pref 141 fwmark 0x20/0xf0 lookup 200
n rule add pref 142 fwmark 0/0x1 lookup 200
n rule add pref 150 tos 0x10 lookup 100
n rule add pref 151 dsfield 0x08 lookup 100
n rule add pref 160 ipproto tcp sport 1000 dport 2000-2100 lookup 100
n rule add pref 161 ipproto 17 dport 53 lookup 100
n rule add pref 162 ipproto udp sport 5000-5100 lookup 100
n rule add pref 163 ipproto 250 lookup 100
n rule add pref 170 from 198.18.0.0/16 goto 200
n rule add pref 171 goto 175
n rule add pref 180 from 198.18.1.0/24 nop
n rule add pref 190 from 198.18.2.0/24 blackhole
n rule add pref 191 from 198.18.3.0/24 unreachable
n rule add pref 192 from 198.18.4.0/24 prohibit
n rule add pref 200 lookup main suppress_prefixlength 0
n rule add pref 201 lookup main suppress_ifgroup 5
n rule add pref 210 l3mdev
n rule add pref 220 uidrange 1000-2000 lookup 100
n rule add pref 230 from 203.0.113.0/24 lookup 100 proto static
n rule add pref 231 to 203.0.113.0/24 lookup 1000000 proto 99
n rule add pref 232 lookup default
n rule add pref 233 from 203.0.113.0/25 realms 3/4 lookup 100
n rule add pref 234 iif nosuchdev lookup 100

# IPv6 rules.
n -6 rule add pref 100 from 2001:db8:100::/64 lookup 100
n -6 rule add pref 101 to 2001:db8:30::1 lookup 100
n -6 rule add pref 110 not to 2001:db8::/32 lookup 200
n -6 rule add pref 120 iif e0 oif br0 lookup 100
n -6 rule add pref 130 fwmark 0x100/0xff00 lookup 200
n -6 rule add pref 140 tos 0x20 lookup 100
n -6 rule add pref 150 ipproto ipv6-icmp lookup 100
n -6 rule add pref 151 ipproto tcp sport 22 dport 1024-65534 lookup 100
n -6 rule add pref 160 goto 200
n -6 rule add pref 170 nop
n -6 rule add pref 180 from 2001:db8:2::/48 blackhole
n -6 rule add pref 181 from 2001:db8:3::/48 unreachable
n -6 rule add pref 182 from 2001:db8:4::/48 prohibit
n -6 rule add pref 200 lookup main suppress_prefixlength 0
n -6 rule add pref 210 l3mdev
n -6 rule add pref 220 uidrange 0-999 lookup 100 proto kernel

mkdir -p "$OUT"
n -j -d link show >"$OUT/ip-link.json"
n -j addr show >"$OUT/ip-addr.json"
n -j -4 route show table all >"$OUT/ip-route.json"
n -j -6 route show table all >"$OUT/ip6-route.json"
n -j -4 rule show >"$OUT/ip-rule.json"
n -j -6 rule show >"$OUT/ip6-rule.json"
# The net.* lines, with sysctl's own error lines (stderr) kept: the parser
# must report them.
ip netns exec "$NS" sysctl -a 2>&1 | grep -E '^(net\.|sysctl:)' >"$OUT/sysctl.txt" || true
