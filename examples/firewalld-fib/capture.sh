#!/bin/sh
# capture.sh VARIANT OUT - how the snapshots of examples/firewalld-fib were
# made (run as root, from the repository's top directory).
#
# It builds the host fc40 in a fresh network namespace (fwd-fc40, with one
# peer namespace per link), runs the real firewalld (Debian's package) in a
# private mount namespace inside it - its own system D-Bus on a tmpfs /run,
# its own copy of /etc/firewalld - configures the zones with firewall-cmd
# as an operator would, and writes the snapshot with `farend collect`
# inside the namespace, into OUT/hosts/fc40/. Nothing outside the
# namespaces it creates is touched; everything it starts is stopped and
# every namespace deleted when it exits.
#
# FAREND names a farend binary to use instead of building one.
#
# VARIANT is broken (no return route toward R2) or fixed (plus
# `ip -6 route add 2001:db8:2::/64 via 2001:db8:5::1 dev sit1`).
#
# Then it makes the edits examples/firewalld-fib/README.md lists: sit1's
# entries in ip-link.json and ip-addr.json become those of a sit tunnel,
# sysctl.txt keeps the keys scenario 01 keeps.
set -eu

variant=$1
out=$(realpath -m "$2")
case $variant in broken|fixed) ;; *) echo "variant: broken or fixed" >&2; exit 2 ;; esac

ns=fwd-fc40
w=$(mktemp -d /tmp/fwd-fc40.XXXXXX)
cleanup() {
	for n in $ns $ns-up $ns-r1 $ns-ctr; do
		ip netns del $n 2>/dev/null || true
	done
	rm -rf "$w"
}
trap cleanup EXIT INT TERM

if [ -n "${FAREND:-}" ]; then
	cp "$FAREND" "$w/farend"
else
	go build -o "$w/farend" ./cmd/farend
fi

for n in $ns $ns-up $ns-r1 $ns-ctr; do
	ip netns add $n
done
x() { ip netns exec $ns "$@"; }

# A router and a Docker host: forwarding on before the interfaces exist.
x sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
x ip link set lo up

# Fixed MAC addresses, so that the variants differ only where they should.
# eth0: the uplink, default routes via 198.51.100.1 and 2001:db8:100::1.
ip -n $ns link add eth0 address 52:54:00:c4:0f:40 type veth peer name eth0 netns $ns-up
# sit1: the 6in4 tunnel toward R1; a veth stand-in (no sit module here).
ip -n $ns link add sit1 mtu 1480 address 3a:7e:51:0c:a4:11 type veth peer name sit1 mtu 1480 netns $ns-r1
# docker0 with one container on it, as Docker makes them.
ip -n $ns link add docker0 address 02:42:5c:8b:e3:07 type bridge
ip -n $ns link add veth7c1d2e9 address 6e:3d:8a:51:7c:e9 type veth peer name eth0 address 02:42:c0:00:02:02 netns $ns-ctr
ip -n $ns link set veth7c1d2e9 master docker0

for n in $ns-up $ns-r1; do
	ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n $n link set lo up
done
ip -n $ns-up link set eth0 up
ip -n $ns-r1 link set sit1 up
ip -n $ns-ctr link set lo up
ip -n $ns-ctr addr add 192.0.2.2/24 dev eth0
ip -n $ns-ctr addr add 2001:db8:d0c::2/64 dev eth0 nodad
ip -n $ns-ctr link set eth0 up

x ip addr add 198.51.100.10/24 dev eth0
x ip addr add 2001:db8:100::10/64 dev eth0 nodad
x ip addr add 2001:db8:5::2/64 dev sit1 nodad
x ip addr add 192.0.2.1/24 dev docker0
x ip addr add 2001:db8:d0c::1/64 dev docker0 nodad
for l in eth0 sit1 veth7c1d2e9 docker0; do
	x ip link set $l up
done
x ip route add default via 198.51.100.1 dev eth0
x ip -6 route add default via 2001:db8:100::1 dev eth0
if [ "$variant" = fixed ]; then
	x ip -6 route add 2001:db8:2::/64 via 2001:db8:5::1 dev sit1
fi
# Let duplicate address detection of the link-local addresses finish.
i=0
while [ -n "$(x ip -6 addr show tentative)" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "addresses stay tentative" >&2; exit 1; }
	sleep 0.1
done

# firewalld's own configuration, private: a copy of /etc/firewalld.
cp -a /etc/firewalld "$w/etc-firewalld"
sed -i 's/^CleanupOnExit=.*/CleanupOnExit=no/' "$w/etc-firewalld/firewalld.conf"
grep -E '^(DefaultZone|IPv6_rpfilter|FirewallBackend|CleanupOnExit)=' "$w/etc-firewalld/firewalld.conf"

# A system bus of its own, on the tmpfs /run of the private mount namespace.
cat >"$w/bus.conf" <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <deny own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
</busconfig>
EOF

cat >"$w/inside.sh" <<'EOF'
set -eu
w=$1 variant=$2 out=$3
dbus= fwd=
stop() {
	[ -z "$fwd" ] || { kill "$fwd" 2>/dev/null; wait "$fwd" || true; }
	[ -z "$dbus" ] || { kill "$dbus" 2>/dev/null; wait "$dbus" || true; }
}
trap stop EXIT
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/dbus
mount --bind "$w/etc-firewalld" /etc/firewalld
dbus-daemon --config-file="$w/bus.conf" --nofork --nopidfile &
dbus=$!
i=0
until [ -S /run/dbus/system_bus_socket ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "dbus-daemon did not start" >&2; exit 1; }
	sleep 0.1
done
firewalld --nofork --nopid --log-target file --log-file "$w/firewalld.log" &
fwd=$!
i=0
until firewall-cmd --state >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 120 ] || { echo "firewalld did not start" >&2; cat "$w/firewalld.log" >&2; exit 1; }
	sleep 0.5
done
firewall-cmd --version
# What an operator does: the uplink and the tunnel in the public zone
# (the default zone would take them anyway), Docker's bridge trusted, and -
# since firewalld >= 0.9 forwards between zones only through a policy - a
# policy that lets what enters from public be forwarded into trusted.
firewall-cmd --permanent --zone=public --add-interface=eth0
firewall-cmd --permanent --zone=public --add-interface=sit1
firewall-cmd --permanent --zone=trusted --add-interface=docker0
firewall-cmd --permanent --new-policy public-to-docker
firewall-cmd --permanent --policy public-to-docker --add-ingress-zone public
firewall-cmd --permanent --policy public-to-docker --add-egress-zone trusted
firewall-cmd --permanent --policy public-to-docker --set-target ACCEPT
firewall-cmd --reload
firewall-cmd --get-active-zones
"$w/farend" collect "$out" --name fc40 || true
EOF
ip netns exec $ns unshare -m --propagation private sh "$w/inside.sh" "$w" "$variant" "$out"
echo "--- firewalld log"
cat "$w/firewalld.log"

# The edits: sit1 as a sit tunnel (this kernel has no sit module), sysctl.txt
# trimmed to the forwarding and rp_filter keys (as in scenario 01).
python3 - "$out/hosts/fc40" <<'PY'
import json, re, sys
d = sys.argv[1]
def sit(e, link):
    out = {}
    for k, v in e.items():
        if k in ("link_index", "link_netnsid"):
            continue
        if k == "flags":
            v = ["POINTOPOINT", "NOARP", "UP", "LOWER_UP"]
        elif k == "operstate":
            v = "UNKNOWN"
        elif k == "link_type":
            v = "sit"
        elif k == "address":
            v = "198.51.100.10"
        elif k == "broadcast":
            v = "203.0.113.1"
        elif k == "min_mtu":
            v = 1280
        elif k == "max_mtu":
            v = 65555
        elif k == "linkinfo":
            v = {"info_kind": "sit", "info_data": {"proto": "ip6ip", "remote": "203.0.113.1",
                 "local": "198.51.100.10", "ttl": 64, "pmtudisc": True, "prefix": "2002::", "prefixlen": 16}}
        out[k] = v
    if link:
        out["link_pointtopoint"] = True
    return out
for name, link in (("ip-link.json", True), ("ip-addr.json", False)):
    p = d + "/" + name
    es = json.load(open(p))
    es = [sit(e, link) if e["ifname"] == "sit1" else e for e in es]
    open(p, "w").write(json.dumps(es, separators=(",", ":")) + "\n")
keep = re.compile(r"^net\.ipv4\.ip_forward|"
                  r"^net\.ipv4\.conf\.[^.]+\.(accept_local|arp_filter|bc_forwarding|forwarding|mc_forwarding|rp_filter|src_valid_mark) |"
                  r"^net\.ipv6\.conf\.[^.]+\.(accept_ra_mtu|disable_ipv6|force_forwarding|forwarding|mc_forwarding|mtu) ")
p = d + "/sysctl.txt"
lines = [l for l in open(p) if keep.match(l)]
open(p, "w").write("".join(lines))
PY
