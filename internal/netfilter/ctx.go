package netfilter

import (
	"fmt"
	"net/netip"

	"farend/internal/packet"
)

// Hook is a netfilter hook. The zero Hook is unknown.
type Hook uint8

// Hooks in the order a forwarded packet meets them.
const (
	HookUnknown Hook = iota
	Prerouting
	Input
	Forward
	Output
	Postrouting
)

func (h Hook) String() string {
	switch h {
	case Prerouting:
		return "PREROUTING"
	case Input:
		return "INPUT"
	case Forward:
		return "FORWARD"
	case Output:
		return "OUTPUT"
	case Postrouting:
		return "POSTROUTING"
	}
	return "UNKNOWN"
}

// Ctx is the state of one packet while it crosses one device's hooks.
// The evaluator and the matches and targets read and change it.
type Ctx struct {
	// Pkt is the packet as it is now (NAT and MARK change it).
	Pkt    packet.Packet
	Family Family
	Hook   Hook
	// Table is the table being evaluated (raw, mangle, nat, filter,
	// security).
	Table string
	// In and Out are the input and output interface names; "" when the
	// hook has none (no In on OUTPUT/POSTROUTING, no Out on
	// PREROUTING/INPUT).
	In, Out string
	// Backend is the ruleset's (Ruleset.Backend): "nf_tables" when
	// iptables-nft loaded it, which compiles a few rules into other
	// kernel code than x_tables runs.
	Backend string
	// Ct is the packet's conntrack state as the hook sees it.
	Ct Conntrack
	// LinkType is the link-layer type the packet arrived with
	// (skb->pkt_type, from the frame's destination MAC; NAT does not
	// change it). Nil: derived from the destination address.
	LinkType *PktType
	// Env answers questions that need the host's routing and addresses.
	Env Env
	// Choices fixes the outcome of rules whose matches said Maybe (see
	// Branch). Rules not in the map are taken as not matching.
	Choices map[*Rule]bool
	// Branches collects the rules whose matches said Maybe and which were
	// not in Choices, in the order met.
	Branches []*Rule
	// NAT records address and port rewrites done by targets, in order.
	NAT []Rewrite
	// Rule is the rule being evaluated (set by Table.Run before its
	// matches run); targets use it to name themselves, e.g. in NAT.
	Rule *Rule

	details []string
	// broke is set by a target that ended its rule without a verdict
	// after the rule's leading matches held (an nft match after a
	// statement failed, or a statement broke): the rule did not fully
	// match.
	broke bool
}

// Explain adds a sentence to the step being evaluated.
func (c *Ctx) Explain(format string, args ...any) {
	c.details = append(c.details, fmt.Sprintf(format, args...))
}

// Rewrite is one NAT change of the packet.
type Rewrite struct {
	Kind      string // "DNAT", "SNAT", "MASQUERADE", "REDIRECT"
	Rule      *Rule
	Before    packet.Packet
	After     packet.Packet
	Ambiguous bool // a range or several choices: one was picked
	Explain   string
}

// Env is the seam to the host: what matches and targets need to know
// about routing and addresses.
type Env interface {
	// RPFilter does xt_rpfilter's reverse-path lookup for p arriving on
	// dev, and says whether it passes and why.
	RPFilter(p packet.Packet, dev string, f RPFlags) (pass bool, why string)
	// AddrType returns the types of a as xt_addrtype sees them, limited to
	// dev when dev is not "".
	AddrType(a netip.Addr, dev string, want AddrType) AddrType
	// SourceAddr picks the address the host would use as a source on dev
	// toward dst (for MASQUERADE); invalid when none. With no dst (the
	// zero Addr) it returns dev's first address of the family as the
	// kernel lists them, global scope for IPv6 (for REDIRECT).
	SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr
}

// RPFlags are xt_rpfilter's options (include/uapi/linux/netfilter/
// xt_rpfilter.h).
type RPFlags uint8

// rpfilter flags with the kernel's bit values.
const (
	RPLoose       RPFlags = 1 << 0
	RPValidMark   RPFlags = 1 << 1
	RPAcceptLocal RPFlags = 1 << 2
	RPInvert      RPFlags = 1 << 3
)

// AddrType is xt_addrtype's type bit set (include/uapi/linux/netfilter/
// xt_addrtype.h: one bit per RTN_* route type, UNSPEC = 1).
type AddrType uint16

// Address types with the kernel's bit values.
const (
	AddrUnspec      AddrType = 1 << 0
	AddrUnicast     AddrType = 1 << 1
	AddrLocal       AddrType = 1 << 2
	AddrBroadcast   AddrType = 1 << 3
	AddrAnycast     AddrType = 1 << 4
	AddrMulticast   AddrType = 1 << 5
	AddrBlackhole   AddrType = 1 << 6
	AddrUnreachable AddrType = 1 << 7
	AddrProhibit    AddrType = 1 << 8
	AddrThrow       AddrType = 1 << 9
	AddrNAT         AddrType = 1 << 10
	AddrXResolve    AddrType = 1 << 11
)
