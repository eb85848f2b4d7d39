#!/bin/sh
# gen.sh regenerates the *-legacy.save and *-nft.save files from src/*.rules
# with the real tools: iptables-{legacy,nft}-restore -c into a throwaway
# network namespace, then iptables-{legacy,nft}-save -c. Needs root,
# iptables and ipset (the set match refers to sets that must exist).
# fc20-*.save are copies of scenarios/01-fourth-table/broken/hosts/fc20.
set -e
cd "$(dirname "$0")"
for src in src/*.rules; do
	base=$(basename "$src" .rules)
	p=ip
	case $base in v6*) p=ip6 ;; esac
	for v in legacy nft; do
		ns=fe-gen-$$-$v
		ip netns add "$ns"
		ip netns exec "$ns" ipset create foo hash:ip
		ip netns exec "$ns" ipset create bar hash:ip,port
		ip netns exec "$ns" ${p}tables-$v-restore -c < "$src"
		ip netns exec "$ns" ${p}tables-$v-save -c > "$base-$v.save"
		ip netns del "$ns"
	done
done
