package netfilter

import (
	"fmt"
	"strconv"
	"strings"

	"farend/internal/source"
)

// NFTTable is what an nftables table has beyond its chains (nftables
// src/rule.c struct table; the "table", "set", "map" and object entries
// of `nft -j list ruleset`).
//
// The zero NFTTable is a table of unknown family with no sets.
type NFTTable struct {
	Family Family
	Handle uint64
	// Flags are the table's flags as nft prints them ("dormant", "owner",
	// "persist"). The base chains of a dormant table are not registered on
	// their hooks: they see no packet (net/netfilter/nf_tables_api.c
	// nf_tables_table_disable).
	Flags   []string
	Comment string
	// Sets are the table's named sets and maps (verdict maps included),
	// by name.
	Sets map[string]*NFTSet
	// Objects are the table's stateful objects (counter, quota, limit, ct
	// helper ...) by "kind name" ("counter cnt1").
	Objects map[string]*NFTObject
	// XT is true when a rule of the table holds an xt expression (an
	// x_tables match or target run by nft_compat): nft then prints "#
	// Warning: table ... is managed by iptables-nft, do not touch!"
	// (nftables src/rule.c table_print, has_xt_stmts).
	XT bool
	// IptablesNFT is true when iptables-nft (or ip6tables-nft) made the
	// table, so that iptables-save prints it as well: XT, or an ip/ip6
	// table named raw, mangle, nat, filter or security whose base chains
	// are all built-in chains of that iptables table with its type and
	// priority (iptables nft.c builtin_table).
	IptablesNFT bool
}

// NFTChain is what an nftables chain has beyond its rules (nftables "chain"
// objects). A base chain has Hook set; a regular chain is reached only by
// jump and goto. The zero NFTChain is a regular chain.
type NFTChain struct {
	Family Family
	Handle uint64
	// Type is the base chain type: "filter", "nat" or "route"; "" for a
	// regular chain.
	Type string
	// HookName is the hook as nft names it: "prerouting", "input",
	// "forward", "output", "postrouting", "ingress", "egress"; "" for a
	// regular chain.
	HookName string
	// Hook is HookName for the hooks the Hook type has; HookUnknown for
	// ingress and egress and for regular chains.
	Hook Hook
	// Priority is the base chain priority as a number; named priorities
	// ("filter + 10") are resolved for the family and hook
	// (NFTPriority).
	Priority int
	// Devices are the devices of a netdev (or inet ingress) base chain.
	Devices []string
	Comment string
}

// Base reports whether c is a base chain (on a hook).
func (c *NFTChain) Base() bool { return c != nil && c.HookName != "" }

// NFTObject is a stateful object of a table: a named counter, quota or
// limit, a ct helper, ct timeout, ct expectation, secmark, synproxy, or a
// flowtable. Rules refer to it by name (`counter name "x"`).
//
// The zero NFTObject is an object of no kind.
type NFTObject struct {
	// Kind is the JSON key: "counter", "quota", "limit", "ct helper",
	// "ct timeout", "ct expectation", "secmark", "synproxy", "flowtable".
	Kind   string
	Name   string
	Handle uint64
	Pos    source.Pos
	// Packets and Bytes are a counter's values.
	Packets, Bytes uint64
	// Limit is a limit's or a quota's definition (with its state, for a
	// quota).
	Limit *NFTLimit
}

// NFTHookByName maps nft's hook names to Hook; HookUnknown for the
// others (ingress, egress, arp input/output are still named by HookName).
func NFTHookByName(name string) Hook {
	switch name {
	case "prerouting":
		return Prerouting
	case "input":
		return Input
	case "forward":
		return Forward
	case "output":
		return Output
	case "postrouting":
		return Postrouting
	}
	return HookUnknown
}

type nftPrio struct {
	name string
	val  int
}

// Standard priorities (nftables src/rule.c std_prios and
// bridge_std_prios; the values of enum nf_ip_hook_priorities and
// nf_br_hook_priorities).
var (
	nftStdPrios    = []nftPrio{{"raw", -300}, {"mangle", -150}, {"dstnat", -100}, {"filter", 0}, {"security", 50}, {"srcnat", 100}}
	nftBridgePrios = []nftPrio{{"dstnat", -300}, {"filter", -200}, {"out", 100}, {"srcnat", 300}}
)

// NFTPriority resolves a base chain priority as written: a number, a
// standard name, or "name + n" / "name - n" (nftables src/rule.c
// std_prio_lookup; the bridge family has its own values). nft 1.0.6
// accepts dstnat only in prerouting and srcnat only in postrouting
// (newer versions also output and input); the value is the same, so
// NFTPriority accepts them on any hook.
func NFTPriority(f Family, hook, s string) (int, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	name, off := s, 0
	for _, op := range []string{"+", "-"} {
		if a, b, ok := strings.Cut(s, op); ok {
			n, err := strconv.Atoi(strings.TrimSpace(b))
			if err != nil {
				return 0, fmt.Errorf("netfilter: invalid priority %q", s)
			}
			if op == "-" {
				n = -n
			}
			name, off = strings.TrimSpace(a), n
			break
		}
	}
	prios := nftStdPrios
	if f == Bridge {
		prios = nftBridgePrios
	}
	for _, p := range prios {
		if p.name == name {
			if f == ARP || f == Netdev {
				if name != "filter" {
					break
				}
			}
			return p.val + off, nil
		}
	}
	return 0, fmt.Errorf("netfilter: unknown priority %q for family %s hook %s", s, f, hook)
}

// NFTPriorityName prints a priority as `nft list` does: a standard name
// (with an offset) where the family and hook allow it, else the number
// (nftables src/rule.c prio2str and std_prio_family_hook_compat of 1.0.6).
func NFTPriorityName(f Family, hook string, prio int) string {
	prios := nftStdPrios
	if f == Bridge {
		prios = nftBridgePrios
	}
	compat := func(p nftPrio) bool {
		if f == Bridge {
			switch p.name {
			case "dstnat":
				return hook == "prerouting"
			case "filter":
				return true
			case "out":
				return hook == "output"
			case "srcnat":
				return hook == "postrouting"
			}
			return false
		}
		switch p.name {
		case "filter":
			return f == IPv4 || f == IPv6 || f == Inet || f == ARP || f == Netdev
		case "raw", "mangle", "security":
			return f == IPv4 || f == IPv6 || f == Inet
		case "dstnat":
			return (f == IPv4 || f == IPv6 || f == Inet) && hook == "prerouting"
		case "srcnat":
			return (f == IPv4 || f == IPv6 || f == Inet) && hook == "postrouting"
		}
		return false
	}
	// prio2str: the first standard priority within 10 decides; when the
	// family and hook do not allow it, the number is printed.
	for _, p := range prios {
		off := prio - p.val
		if off < -10 || off > 10 {
			continue
		}
		if !compat(p) {
			break
		}
		switch {
		case off > 0:
			return fmt.Sprintf("%s + %d", p.name, off)
		case off < 0:
			return fmt.Sprintf("%s - %d", p.name, -off)
		}
		return p.name
	}
	return strconv.Itoa(prio)
}
