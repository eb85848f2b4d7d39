// Package sim walks a packet through one Linux host as its kernel does:
// the netfilter hooks in priority order, the routing decision with its
// source checks, forwarding, local delivery and local output.
package sim

import "farend/internal/netfilter"

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
