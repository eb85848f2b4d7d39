#!/bin/sh
# gen.sh regenerates NAME.json (`nft -j list ruleset`) and NAME.txt (`nft
# list ruleset`) from src/ with the real tools, each NAME in a throwaway
# network namespace: src/NAME.rules is loaded with iptables-nft-restore,
# src/NAME.rules6 with ip6tables-nft-restore, src/NAME.nft with nft -f and
# src/NAME.in.json with nft -j -f (the kube-proxy-shaped ruleset the tests
# generate). Needs root, nft, iptables-nft and ipset (the iptables rules
# refer to sets that must exist). The files here were made with nftables
# 1.0.6 and iptables 1.8.9 on Linux 6.18.
set -e
cd "$(dirname "$0")"
for name in $(ls src | sed 's/\..*//' | sort -u); do
	ns=fe-n-$$-$name
	ip netns add "$ns"
	ip netns exec "$ns" ipset create foo hash:ip
	ip netns exec "$ns" ipset create bar hash:ip,port
	if [ -f "src/$name.rules" ]; then ip netns exec "$ns" iptables-nft-restore -c < "src/$name.rules"; fi
	if [ -f "src/$name.rules6" ]; then ip netns exec "$ns" ip6tables-nft-restore -c < "src/$name.rules6"; fi
	if [ -f "src/$name.nft" ]; then ip netns exec "$ns" nft -f "src/$name.nft"; fi
	if [ -f "src/$name.in.json" ]; then ip netns exec "$ns" nft -j -f "src/$name.in.json"; fi
	ip netns exec "$ns" nft -j list ruleset > "$name.json"
	ip netns exec "$ns" nft list ruleset > "$name.txt"
	ip netns del "$ns"
done
