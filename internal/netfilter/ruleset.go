// Package netfilter models iptables/ip6tables (and later nftables) rulesets
// in nftables' vocabulary, and evaluates a packet against them exactly as the
// kernel's x_tables do: base chains on hooks in priority order, user chains
// reached by jump or goto, RETURN, policies.
package netfilter

import (
	"fmt"

	"farend/internal/source"
)

// Family is the address family of a ruleset. The zero Family is unknown.
type Family uint8

// Families.
const (
	FamilyUnknown Family = iota
	IPv4
	IPv6
	// Inet, Bridge, ARP and Netdev are the other nftables table families
	// (nftables' "inet", "bridge", "arp", "netdev"; NFPROTO_INET ...).
	// Only nft rulesets have them; an inet table sees IPv4 and IPv6
	// packets alike.
	Inet
	Bridge
	ARP
	Netdev
)

func (f Family) String() string {
	switch f {
	case IPv4:
		return "ip"
	case IPv6:
		return "ip6"
	case Inet:
		return "inet"
	case Bridge:
		return "bridge"
	case ARP:
		return "arp"
	case Netdev:
		return "netdev"
	}
	return "unknown"
}

// Ruleset is everything loaded for one family of one host: the tables of
// iptables-save (or ip6tables-save).
type Ruleset struct {
	Family Family
	// Backend is "nf_tables" for iptables-nft output, "legacy" for
	// iptables-legacy, "" when the header did not say.
	Backend string
	// File is the snapshot file the ruleset came from.
	File string
	// Tables by name: raw, mangle, nat, filter, security.
	Tables map[string]*Table
	// NFT is true for a ruleset read from `nft -j list ruleset`
	// (libnftables JSON): the tables of one nftables family (Family may
	// then also be Inet, Bridge, ARP or Netdev), each with Table.NFT set.
	// False for iptables-save output.
	NFT bool
	// NFTVersion is the nft version of the JSON's metainfo object
	// ("1.0.6"); "" when there was none or the ruleset is not from nft.
	NFTVersion string
}

// Table is one x_tables table.
type Table struct {
	Name   string
	Pos    source.Pos
	Chains map[string]*Chain
	// Order is the chain names in the order they were declared.
	Order []string
	// NFT holds what only an nftables table has (family, handle, sets,
	// maps, objects, whether iptables-nft made it); nil for a table of
	// iptables-save.
	NFT *NFTTable
	// Incompatible is set on a table of iptables-nft-save output that it
	// could not show ("# Table `nat' contains incompatible base-chains,
	// use 'nft' tool to list them."): what it prints is a placeholder
	// with empty built-in chains, and the real chains are in nft.json
	// (checked with iptables 1.8.9 on a native `table ip nat`).
	Incompatible bool
}

// Chain is a built-in or user-defined chain.
type Chain struct {
	Name  string
	Table string
	// Builtin is true for chains that sit on a hook (PREROUTING ...).
	Builtin bool
	// Policy is the verdict when a packet falls off the end of a built-in
	// chain: Accept or Drop. It is VerdictNone for user chains.
	Policy  VerdictKind
	Pos     source.Pos
	Rules   []*Rule
	Packets uint64
	Bytes   uint64
	// NFT holds an nftables chain's attributes (family, handle, and for a
	// base chain its type, hook, priority and devices); nil for a chain of
	// iptables-save. An nft base chain has Builtin set and its policy in
	// Policy.
	NFT *NFTChain
}

// Rule is one rule of a chain.
type Rule struct {
	Table, Chain string
	// Num is the rule's 1-based position, as `iptables -L --line-numbers`.
	Num int
	// Text is the rule as iptables-save prints it, without counters:
	// "-A PREROUTING -m rpfilter --invert -j DROP".
	Text string
	Pos  source.Pos
	// Matches all have to match for the rule to match (logical AND).
	Matches []Match
	// Target is what the rule does when it matches; nil means no target
	// (the rule only counts).
	Target      Target
	Packets     uint64
	Bytes       uint64
	HasCounters bool
	// Handle is the nftables rule handle (`nft -a list ruleset`); 0 for a
	// rule of iptables-save. For an nft rule Text is the rule as `nft list
	// ruleset` prints it (counters and comment included) and Pos names the
	// rule's object in the JSON array (file[index]).
	Handle uint64
}

// Ref names the rule as table/chain#num.
func (r *Rule) Ref() string { return fmt.Sprintf("%s/%s#%d", r.Table, r.Chain, r.Num) }

// Table returns the table with that name, or nil.
func (rs *Ruleset) Table(name string) *Table {
	if rs == nil {
		return nil
	}
	return rs.Tables[name]
}
