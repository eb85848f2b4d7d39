#!/bin/sh
# capture.sh [OUT] - how the snapshots of examples/story1-network were made
# (run as root, from the repository's top directory; OUT defaults to
# examples/story1-network).
#
# Story 1 as a whole network, each node a Linux host in a network namespace
# of its own:
#
#   [ctr] --docker0-- [fc20] ==sit1== [r1] --eth1/eth0-- [r2] --lan0/eth0-- [lan]
#                       |
#                      eth0 -- [isp] (holds the default gateways; not collected)
#
# For each variant (broken: no return route toward R2 on fc20; fixed: plus
# `ip -6 route add 2001:db8:2::/64 via 2001:db8:5::1 dev sit1` on fc20) it
# builds the network from nothing, loads scenario 01's iptables and
# ip6tables rulesets into fc20 with iptables-restore/ip6tables-restore
# (nf_tables backend), waits until the links are quiet, zeroes fc20's rule
# counters, writes the snapshot with `farend collect OUT/VARIANT --name
# NODE` run inside each node's namespace, then sends the probes of
# README.md one at a time and writes what the kernel did (the probe's
# answer, tcpdump in every namespace, fc20's rule counters that moved,
# /proc/net/snmp6 deltas) to OUT/kernel-VARIANT.txt. Every namespace it
# creates (s1-fc20 s1-isp s1-r1 s1-r2 s1-lan s1-ctr) is deleted when it
# exits, and everything it starts is stopped.
#
# FAREND names a farend binary to use instead of building one.
#
# sit1 is a veth pair (this kernel has no sit module): fc20:sit1 and r1:sit1
# are its two ends, and the snapshot keeps them as the veths they were.
#
# What would vary from run to run is fixed here: the MAC addresses (hence
# the link-local addresses), the order in which links come up (hence the
# order of the local table's anycast routes), permanent neighbour entries
# (no neighbour discovery runs during a probe), no router solicitations.
# The bridge's running timers (`"gc_timer":217.71` ...) are set to 0.0
# after collection, and sysctl.txt keeps the keys scenario 01 keeps;
# nothing else is edited. Two runs then differ only in the date comments
# of iptables-save and ip6tables-save.
set -eu

here=$(dirname "$(realpath "$0")")
out=$(realpath -m "${1:-$here}")
scen=$here/../fourth-table/broken/hosts/fc20
nss="s1-fc20 s1-isp s1-r1 s1-r2 s1-lan s1-ctr"

for n in $nss; do
	if ip netns list | grep -q "^$n\( \|$\)"; then
		echo "capture.sh: namespace $n exists already; delete it first" >&2
		exit 1
	fi
done

w=$(mktemp -d /tmp/s1-net.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for n in $nss; do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$w"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 1' INT TERM

if [ -n "${FAREND:-}" ]; then
	cp "$FAREND" "$w/farend"
else
	go build -o "$w/farend" ./cmd/farend
fi
iptables -V

# ping6.py SRC DST ID SEQ: one ICMPv6 echo request from SRC ("" lets the
# kernel choose) to DST over a raw socket (this host has no ping); prints
# the answer it got within two seconds: an echo reply, an ICMPv6 error
# quoting the request, or none.
cat >"$w/ping6.py" <<'EOF'
import select, socket, struct, sys, time
src, dst, ident, seq = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
if src:
    s.bind((src, 0))
s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"farend-s1", (dst, 0))
name = "echo request %s -> %s (id %d seq %d)" % (src or "(kernel's choice)", dst, ident, seq)
deadline = time.monotonic() + 2
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        print(name + ": no answer")
        sys.exit(0)
    if not select.select([s], [], [], left)[0]:
        continue
    data, addr = s.recvfrom(4096)
    typ, code = data[0], data[1]
    if typ == 129 and struct.unpack("!HH", data[4:8]) == (ident, seq):
        print(name + ": echo reply from " + addr[0])
        sys.exit(0)
    if typ < 128 and len(data) >= 56 and data[48] == 128 and struct.unpack("!HH", data[52:56]) == (ident, seq):
        print(name + ": ICMPv6 error type %d code %d from %s" % (typ, code, addr[0]))
        sys.exit(0)
EOF

x() { _n=$1; shift; ip netns exec "s1-$_n" "$@"; }

# lladdr NODE DEV: wait until DEV has a link-local address that is not
# tentative.
lladdr() {
	i=0
	until x "$1" ip -6 addr show dev "$2" scope link | grep -q fe80; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "$1:$2 gets no link-local address" >&2; exit 1; }
		sleep 0.1
	done
	while [ -n "$(x "$1" ip -6 addr show dev "$2" tentative)" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "$1:$2 stays tentative" >&2; exit 1; }
		sleep 0.1
	done
}

# up NODE1 DEV1 NODE2 DEV2: set both ends of a link up.
up() {
	x "$1" ip link set "$2" up
	x "$3" ip link set "$4" up
	lladdr "$1" "$2"
	lladdr "$3" "$4"
}

build() {
	variant=$1
	for n in $nss; do
		ip netns add "$n"
	done
	# Routers forward, and say so before their interfaces exist (so that
	# they send no router solicitations); fc20's rp_filter is off, as in
	# scenario 01's sysctl.txt. The hosts (isp, lan, ctr) send no router
	# solicitations either, to keep the links quiet.
	x fc20 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	for n in r1 r2; do
		x $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	done
	for n in isp lan ctr; do
		x $n sysctl -qw net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
	done
	for n in fc20 isp r1 r2 lan ctr; do
		x $n ip link set lo up
	done

	# fc20's firewall: scenario 01's rulesets (firewalld's ip6tables rules
	# with the operator's LOG rules, Docker's iptables rules with its
	# 172.17.0.0/16 written as the documentation prefix 192.0.2.0/24).
	sed 's#172\.17\.0\.0/16#192.0.2.0/24#g; s#172\.17\.0\.2#192.0.2.2#g' "$scen/iptables-save" | x fc20 iptables-restore
	x fc20 ip6tables-restore <"$scen/ip6tables-save"

	# Links, with fixed MAC addresses (hence fixed link-local addresses).
	ip -n s1-fc20 link add eth0 address 52:54:00:f2:00:10 type veth peer name eth0 address 52:54:00:15:00:01 netns s1-isp
	ip -n s1-fc20 link add sit1 mtu 1480 address 3a:7e:51:0c:a4:11 type veth peer name sit1 mtu 1480 address 3a:7e:51:0c:a4:01 netns s1-r1
	ip -n s1-fc20 link add docker0 address 02:42:5c:8b:e3:07 type bridge
	ip -n s1-fc20 link add veth7c1d2e9 address 6e:3d:8a:51:7c:e9 type veth peer name eth0 address 02:42:c0:00:02:02 netns s1-ctr
	ip -n s1-fc20 link set veth7c1d2e9 master docker0
	ip -n s1-r1 link add eth1 address 52:54:00:12:00:01 type veth peer name eth0 address 52:54:00:12:00:02 netns s1-r2
	ip -n s1-r2 link add lan0 address 52:54:00:02:00:01 type veth peer name eth0 address 52:54:00:02:00:10 netns s1-lan

	x fc20 ip addr add 198.51.100.10/24 dev eth0
	x fc20 ip addr add 2001:db8:100::10/64 dev eth0 nodad
	x fc20 ip addr add 2001:db8:5::2/64 dev sit1 nodad
	x fc20 ip addr add 192.0.2.1/24 dev docker0
	x fc20 ip addr add 2001:db8:d0c::1/64 dev docker0 nodad
	x isp ip addr add 198.51.100.1/24 dev eth0
	x isp ip addr add 2001:db8:100::1/64 dev eth0 nodad
	x r1 ip addr add 2001:db8:5::1/64 dev sit1 nodad
	x r1 ip addr add 2001:db8:12::1/64 dev eth1 nodad
	x r2 ip addr add 2001:db8:12::2/64 dev eth0 nodad
	x r2 ip addr add 2001:db8:2::1/64 dev lan0 nodad
	x lan ip addr add 2001:db8:2::10/64 dev eth0 nodad
	x ctr ip addr add 192.0.2.2/24 dev eth0
	x ctr ip addr add 2001:db8:d0c::2/64 dev eth0 nodad
	# One link at a time, both ends, each time until the link-local
	# addresses are through duplicate address detection: the kernel lists
	# the local table's routes of equal prefix (the anycast fe80:: of each
	# interface) in the order they were added, and that order is then the
	# same in every run.
	up fc20 eth0 isp eth0
	up fc20 sit1 r1 sit1
	up r1 eth1 r2 eth0
	up r2 lan0 lan eth0
	up fc20 veth7c1d2e9 ctr eth0
	x fc20 ip link set docker0 up
	lladdr fc20 docker0

	x fc20 ip route add default via 198.51.100.1 dev eth0
	x fc20 ip -6 route add default via 2001:db8:100::1 dev eth0
	if [ "$variant" = fixed ]; then
		x fc20 ip -6 route add 2001:db8:2::/64 via 2001:db8:5::1 dev sit1
	fi
	x r1 ip -6 route add 2001:db8:d0c::/64 via 2001:db8:5::2 dev sit1
	x r1 ip -6 route add 2001:db8:2::/64 via 2001:db8:12::2 dev eth1
	x r2 ip -6 route add default via 2001:db8:12::1 dev eth0
	x lan ip -6 route add default via 2001:db8:2::1 dev eth0
	x ctr ip route add default via 192.0.2.1 dev eth0
	x ctr ip -6 route add default via 2001:db8:d0c::1 dev eth0

	# Permanent neighbour entries for every address a probe sends to on a
	# link, so that no neighbour discovery runs during the probes and every
	# counter that moves is the probe's (nothing of this is in a snapshot:
	# farend collect does not read the neighbour tables).
	x fc20 ip -6 neigh replace 2001:db8:100::1 lladdr 52:54:00:15:00:01 dev eth0 nud permanent
	x fc20 ip -6 neigh replace 2001:db8:5::1 lladdr 3a:7e:51:0c:a4:01 dev sit1 nud permanent
	x fc20 ip -6 neigh replace 2001:db8:d0c::2 lladdr 02:42:c0:00:02:02 dev docker0 nud permanent
	x isp ip -6 neigh replace 2001:db8:100::10 lladdr 52:54:00:f2:00:10 dev eth0 nud permanent
	x r1 ip -6 neigh replace 2001:db8:5::2 lladdr 3a:7e:51:0c:a4:11 dev sit1 nud permanent
	x r1 ip -6 neigh replace 2001:db8:12::2 lladdr 52:54:00:12:00:02 dev eth1 nud permanent
	x r2 ip -6 neigh replace 2001:db8:12::1 lladdr 52:54:00:12:00:01 dev eth0 nud permanent
	x r2 ip -6 neigh replace 2001:db8:2::10 lladdr 52:54:00:02:00:10 dev lan0 nud permanent
	x lan ip -6 neigh replace 2001:db8:2::1 lladdr 52:54:00:02:00:01 dev eth0 nud permanent
	x ctr ip -6 neigh replace 2001:db8:d0c::1 lladdr 02:42:5c:8b:e3:07 dev eth0 nud permanent

	# Quiet links: the unsolicited MLD reports (robustness 2, one second
	# apart) sent.
	sleep 3
	state=$(bridge -n s1-fc20 link show dev veth7c1d2e9)
	case $state in
	*"state forwarding"*) ;;
	*) echo "docker0's port is not forwarding: $state" >&2; exit 1 ;;
	esac
}

zero() {
	for t in raw mangle nat filter; do
		x fc20 ip6tables -t $t -Z
	done
	for t in nat filter; do
		x fc20 iptables -t $t -Z
	done
	x fc20 conntrack -F 2>/dev/null || true
}

snap() {
	variant=$1
	rm -rf "$out/$variant"
	zero
	for n in fc20 r1 r2 lan ctr; do
		x $n "$w/farend" collect "$out/$variant" --name $n
	done
	python3 - "$out/$variant/hosts" <<'PY'
import os, re, sys
root = sys.argv[1]
keep = re.compile(r"^net\.ipv4\.ip_forward|"
                  r"^net\.ipv4\.conf\.[^.]+\.(accept_local|arp_filter|bc_forwarding|forwarding|mc_forwarding|rp_filter|src_valid_mark) |"
                  r"^net\.ipv6\.conf\.[^.]+\.(accept_ra_mtu|disable_ipv6|force_forwarding|forwarding|mc_forwarding|mtu) ")
for node in sorted(os.listdir(root)):
    d = os.path.join(root, node)
    p = os.path.join(d, "ip-link.json")
    s = open(p).read()
    open(p, "w").write(re.sub(r'("[a-z_]*_timer"):[0-9.]+', r"\1:0.0", s))
    p = os.path.join(d, "sysctl.txt")
    lines = [l for l in open(p) if keep.match(l)]
    open(p, "w").write("".join(lines))
PY
}

# The ICMPv6 types tcpdump shows: everything but neighbour discovery
# (133-137) and MLD (130-132, 143).
capfilter='icmp6 and ip6[40] != 143 and (ip6[40] < 130 or ip6[40] > 137)'
snmpkeys='Ip6OutForwDatagrams Ip6InAddrErrors Ip6InNoRoutes Ip6OutNoRoutes Ip6InDiscards Ip6OutDiscards Icmp6OutEchos Icmp6InEchos Icmp6OutEchoReplies Icmp6InEchoReplies Icmp6OutDestUnreachs Icmp6InDestUnreachs'

snmp() {
	for n in fc20 isp r1 r2 lan ctr; do
		x $n cat /proc/net/snmp6 | sed "s/^/$n /"
	done
}

# probe TITLE NODE SRC DST ID SEQ: one echo request sent by NODE, and what
# every namespace saw of it.
probe() {
	title=$1 node=$2 src=$3 dst=$4 id=$5 seq=$6
	zero
	snmp >"$w/snmp.before"
	tds=""
	for n in fc20 isp r1 r2 lan ctr; do
		ip netns exec s1-$n tcpdump -i any -n -t -l -U "$capfilter" >"$w/td.$n" 2>"$w/td.$n.err" &
		pids="$pids $!"
		tds="$tds $!"
	done
	for n in fc20 isp r1 r2 lan ctr; do
		i=0
		until grep -q "listening on" "$w/td.$n.err"; do
			i=$((i + 1))
			[ $i -lt 100 ] || { echo "tcpdump in $n did not start" >&2; cat "$w/td.$n.err" >&2; exit 1; }
			sleep 0.1
		done
	done
	echo "== $title"
	echo "\$ ip netns exec s1-$node python3 ping6.py '$src' $dst $id $seq"
	x "$node" python3 "$w/ping6.py" "$src" "$dst" "$id" "$seq"
	sleep 1
	for p in $tds; do
		kill "$p"
		wait "$p" || true
	done
	pids=""
	echo "-- tcpdump -i any in each namespace (ND and MLD left out)"
	for n in fc20 isp r1 r2 lan ctr; do
		grep -v '^$' "$w/td.$n" | sed "s/^/$n: /" || true
	done
	echo "-- fc20: rules and policies whose packet counters moved (ip6tables -t TABLE -L -v -x -n --line-numbers)"
	for t in raw mangle nat filter; do
		x fc20 ip6tables -t $t -L -v -x -n --line-numbers | awk -v t=$t '
			/^Chain / { chain = $2; if ($3 == "(policy" && $5 > 0) print t, chain, "policy", $4, "pkts", $5; next }
			$1 ~ /^[0-9]+$/ && $2 > 0 { line = ""; for (i = 4; i <= NF; i++) line = line " " $i; print t, chain, "#" $1, "pkts", $2 ":" line }'
	done
	echo "-- /proc/net/snmp6 counters that moved"
	snmp >"$w/snmp.after"
	for k in $snmpkeys; do
		echo "$k"
	done >"$w/keys"
	awk 'FILENAME == ARGV[1] { want[$1] = 1; next }
	     FILENAME == ARGV[2] { before[$1 " " $2] = $3; next }
	     want[$2] && $3 != before[$1 " " $2] { printf "%s %s +%d\n", $1, $2, $3 - before[$1 " " $2] }' \
		"$w/keys" "$w/snmp.before" "$w/snmp.after"
	echo
}

probes() {
	variant=$1
	echo "# story1-network/$variant: what the kernel did (capture.sh)"
	echo
	probe "1. R2's LAN address to the container" r2 2001:db8:2::1 2001:db8:d0c::2 20785 1
	probe "2. R1's tunnel address to the container" r1 2001:db8:5::1 2001:db8:d0c::2 20785 2
	probe "3. the container to R2's LAN address" ctr 2001:db8:d0c::2 2001:db8:2::1 20785 3
	probe "4. R2 to the container, source chosen by R2's kernel" r2 "" 2001:db8:d0c::2 20785 4
	probe "5. R2's LAN address to fc20's tunnel address" r2 2001:db8:2::1 2001:db8:5::2 20785 5
	probe "6. a host on R2's LAN to the container" lan 2001:db8:2::10 2001:db8:d0c::2 20785 6
}

for variant in broken fixed; do
	echo "=== $variant" >&2
	build $variant
	snap $variant
	probes $variant >"$out/kernel-$variant.txt"
	cat "$out/kernel-$variant.txt"
	for n in $nss; do
		ip netns del "$n"
	done
done
