#!/bin/sh
# fib.sh checks on the running kernel the nft fib semantics netfilter's
# NFTFib models (see TestNFTFib), with per-rule counters in two throwaway
# network namespaces: B sends UDP packets to A over a veth pair (a0 - b0);
# A also has a1 (a veth whose peer stays in A).
#
#  1. IPv6: the reverse route to 2001:db8:99::/64 is via a1 (metric 100)
#     and via a0 (metric 200). `fib saddr . iif oif missing` matches a
#     packet from 2001:db8:99::5 on a0: nft_fib6 does not prefer the
#     input device. xt rpfilter (strict) passes it: it sets flowi6_oif.
#  2. IPv4: a packet whose source is a local address of A: the reverse
#     lookup finds a local route, which nft_fib4 gives as 0 (missing).
#  3. IPv4: the reverse route goes back out a0: exists.
#
# Expected (Linux 6.18, nftables 1.0.6): every "want 1" counter is 1 and
# every "want 0" counter 0. Needs root, nft, iptables-nft, python3.
set -e
A=fe-n-$$-a
B=fe-n-$$-b
trap 'ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null' EXIT
ip netns add $A
ip netns add $B
ip -n $A link add a0 type veth peer name b0 netns $B
ip -n $A link add a1 type veth peer name a1p
for l in a0 a1 a1p lo; do ip -n $A link set $l up; done
ip -n $B link set b0 up
ip -n $B link set lo up
ip -n $A addr add 2001:db8:a::1/64 dev a0 nodad
ip -n $B addr add 2001:db8:a::2/64 dev b0 nodad
ip -n $B addr add 2001:db8:99::5/128 dev lo nodad
ip -n $A -6 route add 2001:db8:99::/64 dev a1 metric 100
ip -n $A -6 route add 2001:db8:99::/64 via 2001:db8:a::2 dev a0 metric 200
ip -n $A addr add 10.0.0.1/24 dev a0
ip -n $A addr add 10.9.9.1/32 dev lo
ip -n $B addr add 10.0.0.2/24 dev b0
ip -n $B addr add 10.9.9.1/32 dev lo
ip -n $B addr add 10.0.0.7/32 dev lo
mac=$(ip -n $A -br link show a0 | awk '{print $3}')
ip -n $B -6 route add default via 2001:db8:a::1
ip -n $B route add default via 10.0.0.1
ip -n $B neigh add 2001:db8:a::1 lladdr "$mac" dev b0
ip -n $B neigh add 10.0.0.1 lladdr "$mac" dev b0
ip netns exec $A sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.a0.rp_filter=0 net.ipv4.conf.all.accept_local=1 net.ipv4.conf.a0.accept_local=1
ip netns exec $A nft -f - <<'EOF'
table inet t {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip6 saddr 2001:db8:99::5 fib saddr . iif oif missing counter comment "1: want 1"
		ip6 saddr 2001:db8:99::5 fib saddr oif "a1" counter comment "1: want 1"
		ip saddr 10.9.9.1 fib saddr . iif oif missing counter comment "2: want 1"
		ip saddr 10.0.0.7 fib saddr . iif oif exists counter comment "3: want 1"
		ip saddr 10.0.0.7 fib saddr . iif oif missing counter comment "3: want 0"
	}
}
EOF
ip netns exec $A ip6tables-nft -t raw -A PREROUTING -s 2001:db8:99::5 -m rpfilter -m comment --comment "1: want 1" -j ACCEPT
ip netns exec $B python3 -c "
import socket
for fam, src, dst in ((socket.AF_INET6, '2001:db8:99::5', '2001:db8:a::1'), (socket.AF_INET, '10.9.9.1', '10.0.0.1'), (socket.AF_INET, '10.0.0.7', '10.0.0.1')):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto(b'x', (dst, 9))
"
sleep 1
ip netns exec $A nft list chain inet t pre | grep counter
ip netns exec $A ip6tables-nft -t raw -L PREROUTING -v -n | grep rpfilter
