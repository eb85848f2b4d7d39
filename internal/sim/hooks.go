// Package sim walks a packet through one Linux host as its kernel does:
// the netfilter hooks in priority order, the routing decision with its
// source checks, forwarding, local delivery and local output.
package sim

import (
	"sort"

	"farend/internal/netfilter"
)

// hookTable is one x_tables table registered on a hook.
type hookTable struct {
	table    string
	priority int
}

// Priorities of the iptables tables on each hook (include/uapi/linux/
// netfilter_ipv4.h enum nf_ip_hook_priorities; netfilter_ipv6.h has the
// same values): raw -300, conntrack -200, mangle -150, nat dst -100,
// filter 0, security 50, nat src 100. Tables per hook follow each
// table's valid_hooks (iptable_raw.c, iptable_mangle.c, iptable_nat.c
// nf_nat_ipv4_ops, iptable_filter.c, iptable_security.c).
const conntrackPriority = -200

var hookTables = map[netfilter.Hook][]hookTable{
	netfilter.Prerouting:  {{"raw", -300}, {"mangle", -150}, {"nat", -100}},
	netfilter.Input:       {{"mangle", -150}, {"filter", 0}, {"security", 50}, {"nat", 100}},
	netfilter.Forward:     {{"mangle", -150}, {"filter", 0}, {"security", 50}},
	netfilter.Output:      {{"raw", -300}, {"mangle", -150}, {"nat", -100}, {"filter", 0}, {"security", 50}},
	netfilter.Postrouting: {{"mangle", -150}, {"nat", 100}},
}

// nftSecurityPriority is the priority iptables-nft gives the security
// table's base chains: 150, not the kernel's NF_IP_PRI_SECURITY (50)
// that legacy x_tables uses (iptables nft.c, builtin_table[]
// NFT_TABLE_SECURITY: `.prio = 150, /* NF_IP_PRI_SECURITY */`; `nft
// list ruleset` shows "type filter hook input priority 150"). On INPUT
// the nat table (NF_IP_PRI_NAT_SRC, 100) therefore runs before security
// with iptables-nft, after it with iptables-legacy.
const nftSecurityPriority = 150

// tablesOn returns the tables on hook in the order the kernel runs them
// for a ruleset loaded through backend ("nf_tables" for iptables-nft).
func tablesOn(hook netfilter.Hook, backend string) []hookTable {
	ts := hookTables[hook]
	if backend != "nf_tables" {
		return ts
	}
	out := make([]hookTable, len(ts))
	copy(out, ts)
	for i := range out {
		if out[i].table == "security" {
			out[i].priority = nftSecurityPriority
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].priority < out[j].priority })
	return out
}
