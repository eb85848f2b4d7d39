package model

import (
	"net/netip"

	"farend/internal/source"
)

// RuleAction is what an `ip rule` does when it matches (FR_ACT_* in
// include/uapi/linux/fib_rules.h). The zero value is lookup (FR_ACT_TO_TBL).
type RuleAction uint8

// Rule actions.
const (
	ActionLookup RuleAction = iota
	ActionGoto
	ActionNop
	ActionBlackhole
	ActionUnreachable
	ActionProhibit
)

func (a RuleAction) String() string {
	switch a {
	case ActionLookup:
		return "lookup"
	case ActionGoto:
		return "goto"
	case ActionNop:
		return "nop"
	case ActionBlackhole:
		return "blackhole"
	case ActionUnreachable:
		return "unreachable"
	case ActionProhibit:
		return "prohibit"
	}
	return "unknown"
}

// PortRange is an inclusive port range; the zero value matches any port
// (no range configured).
type PortRange struct{ Lo, Hi uint16 }

// IsSet reports whether a range is configured.
func (r PortRange) IsSet() bool { return r.Lo != 0 || r.Hi != 0 }

// RouteRule is one policy routing rule (`ip rule`).
type RouteRule struct {
	Priority uint32
	// Not inverts the selector (`not`).
	Not bool
	// From and To are the source and destination selectors; the zero
	// Prefix means "all".
	From, To netip.Prefix
	// IIF and OIF name interfaces; "" means any.
	IIF, OIF string
	// FwMark/FwMask: the rule matches when mark&FwMask == FwMark. HasMark
	// is false when no fwmark selector is configured.
	FwMark, FwMask uint32
	HasMark        bool
	TOS            uint8
	IPProto        uint8
	SPort, DPort   PortRange
	// UIDRange is not modelled for forwarded packets; kept for display.
	UIDRange string
	// L3MDev is set for `l3mdev` rules (VRF).
	L3MDev bool
	Action RuleAction
	// Table for lookup; Goto is the target priority of goto.
	Table uint32
	Goto  uint32
	// SuppressPrefixLen is -1 when unset; otherwise routes with a prefix
	// length <= it are ignored (fib_rules.c suppress).
	SuppressPrefixLen int
	// SuppressIfGroup is -1 when unset.
	SuppressIfGroup int
	// Protocol is who installed the rule ("static", "kernel", "99" ...);
	// "" when iproute2 did not print it (unspec or kernel).
	Protocol string
	Pos      source.Pos
}
