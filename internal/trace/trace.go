// Package trace holds the answer of `farend trace`: the hops a packet took,
// every step on each hop in kernel order, and where and why it ended. Its
// JSON form is a stable interface that others script against: add fields,
// never rename them.
package trace

// Disposition is where a packet ended, in Batfish's vocabulary. The zero
// value is unknown.
type Disposition string

// Dispositions.
const (
	DispUnknown Disposition = ""
	// Accepted: delivered to the host itself (local delivery).
	Accepted Disposition = "ACCEPTED"
	// DeliveredToSubnet: left an interface toward a destination that is
	// on-link there (no gateway).
	DeliveredToSubnet Disposition = "DELIVERED_TO_SUBNET"
	// ExitsNetwork: left an interface toward a gateway.
	ExitsNetwork Disposition = "EXITS_NETWORK"
	// DeniedIn: dropped by a filter on the way in (PREROUTING, INPUT,
	// FORWARD) or by the input route checks (rp_filter).
	DeniedIn Disposition = "DENIED_IN"
	// DeniedOut: dropped by a filter on the way out (OUTPUT, POSTROUTING).
	DeniedOut Disposition = "DENIED_OUT"
	// NoRoute: no route (or an unreachable/prohibit route or rule).
	NoRoute Disposition = "NO_ROUTE"
	// NullRouted: a blackhole route or rule.
	NullRouted Disposition = "NULL_ROUTED"
	// NeighborUnreachable: across devices, the packet left toward a next
	// hop on a link of the snapshot that no device there owns (ARP or
	// neighbour discovery would fail).
	NeighborUnreachable Disposition = "NEIGHBOR_UNREACHABLE"
	// Loop: across devices, the packet came back to a device and interface
	// it had already entered, unchanged.
	Loop Disposition = "LOOP"
)

// Trace is the full answer for one packet.
type Trace struct {
	// Packet is the packet as it was given.
	Packet Packet `json:"packet"`
	// PacketOut is the packet as it left or was delivered (after NAT).
	PacketOut   *Packet     `json:"packet_out,omitempty"`
	Disposition Disposition `json:"disposition"`
	// DropReason is the kernel's drop reason name (enum skb_drop_reason,
	// include/net/dropreason-core.h) when the packet was dropped.
	DropReason   string `json:"drop_reason,omitempty"`
	OutInterface string `json:"out_interface,omitempty"`
	// NextHop is the gateway or on-link destination it was sent to.
	NextHop string `json:"next_hop,omitempty"`
	// Reason is one sentence saying why it ended as it did.
	Reason string `json:"reason"`
	Hops   []Hop  `json:"hops"`
	// Fix lists commands that would change the outcome, to paste.
	Fix []string `json:"fix,omitempty"`
	// Unreached lists the operator's LOG/NFLOG rules the packet never
	// reached on its path (that is where people look first).
	Unreached []RuleRef `json:"unreached_log_rules,omitempty"`
	// Unknown lists what the snapshot does not say and what farend does
	// not model, each with whether it could change the answer.
	Unknown []string `json:"unknown,omitempty"`
	// Alternatives are the other possible outcomes when some rule's match
	// cannot be decided from the snapshot (statistic, ipset, unmodelled
	// matches).
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// PathMTU is, across devices, the largest packet the path carries
	// without fragmenting: the smallest MTU of the interfaces it left by,
	// less the tunnel overhead where it travelled inside a tunnel; 0 when
	// unknown. PathMTUAt names the interface that sets it.
	PathMTU   int    `json:"path_mtu,omitempty"`
	PathMTUAt string `json:"path_mtu_at,omitempty"`
}

// Packet is the JSON form of a packet.
type Packet struct {
	Family   string `json:"family"` // "ipv4" or "ipv6"
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	Proto    string `json:"proto"`
	SPort    int    `json:"sport,omitempty"`
	DPort    int    `json:"dport,omitempty"`
	ICMPType *int   `json:"icmp_type,omitempty"`
	ICMPCode *int   `json:"icmp_code,omitempty"`
	TCPFlags string `json:"tcp_flags,omitempty"`
	Mark     string `json:"mark,omitempty"`
}

// Hop is the part of the path inside one device.
type Hop struct {
	Node         string `json:"node"`
	InInterface  string `json:"in_interface,omitempty"`
	OutInterface string `json:"out_interface,omitempty"`
	Steps        []Step `json:"steps"`
}

// Step kinds.
const (
	KindNetfilter = "netfilter"
	KindRouting   = "routing"
	KindRPFilter  = "rpfilter"
	KindNAT       = "nat"
	KindConntrack = "conntrack"
	KindCheck     = "check"
	// KindPartial is an nft rule whose statements ran up to a match
	// that failed (or a statement that ended the rule): not a match, but
	// what those statements did stays.
	KindPartial = "partial"
)

// Step is one decision on a hop.
type Step struct {
	Kind string `json:"kind"`
	// Netfilter steps: the hook, table, chain, the rule's 1-based number
	// as `iptables -L --line-numbers` (0 with Policy for the chain's
	// policy), the verdict and the rule text.
	Hook string `json:"hook,omitempty"`
	// Family is the nftables family of an nft rule's table ("ip", "ip6",
	// "inet"); empty for iptables-save rules.
	Family  string `json:"family,omitempty"`
	Table   string `json:"table,omitempty"`
	Chain   string `json:"chain,omitempty"`
	Rule    int    `json:"rule,omitempty"`
	Policy  bool   `json:"policy,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	Text    string `json:"text,omitempty"`
	// Handle is an nft rule's handle (`nft -a list ruleset`); 0 for
	// iptables-save rules and policies.
	Handle uint64 `json:"handle,omitempty"`
	// Source is file:line of the rule, route or policy rule (file[index]
	// of the JSON array for an nft rule).
	Source string `json:"source,omitempty"`
	// Assumed is true when the rule matched only under an assumption (see
	// Trace.Alternatives).
	Assumed bool `json:"assumed,omitempty"`
	// Detail is the explanation in sentences.
	Detail []string `json:"detail,omitempty"`
}

// RuleRef names a rule.
type RuleRef struct {
	// Family is the nft family of an nft rule ("ip", "ip6", "inet").
	Family string `json:"family,omitempty"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	Rule   int    `json:"rule"`
	// Handle is an nft rule's handle; 0 for iptables-save rules.
	Handle uint64 `json:"handle,omitempty"`
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Alternative is another possible outcome of the same packet.
type Alternative struct {
	// Assume lists the undecidable rules and whether each was taken as
	// matching.
	Assume      []string    `json:"assume"`
	Disposition Disposition `json:"disposition"`
	DropReason  string      `json:"drop_reason,omitempty"`
	Reason      string      `json:"reason"`
}
