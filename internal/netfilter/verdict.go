package netfilter

// VerdictKind is what a target or a chain decides. The zero value,
// VerdictNone, means "no decision": the rule did not match, or its target is
// non-terminating (LOG, MARK ...), so evaluation continues with the next rule.
type VerdictKind uint8

// Verdict kinds, named after the kernel's NF_* verdicts and XT_RETURN.
const (
	VerdictNone VerdictKind = iota
	Accept
	Drop
	// Reject is a drop that also sends an ICMP error or a TCP reset
	// (ipt_REJECT/ip6t_REJECT return NF_DROP).
	Reject
	Return
	Jump
	Goto
	Queue
	// Unknown is a target farend does not model: it may or may not end the
	// chain.
	Unknown
)

func (v VerdictKind) String() string {
	switch v {
	case VerdictNone:
		return "continue"
	case Accept:
		return "ACCEPT"
	case Drop:
		return "DROP"
	case Reject:
		return "REJECT"
	case Return:
		return "RETURN"
	case Jump:
		return "JUMP"
	case Goto:
		return "GOTO"
	case Queue:
		return "QUEUE"
	}
	return "UNKNOWN"
}

// Terminal reports whether v ends the evaluation of the whole base chain.
func (v VerdictKind) Terminal() bool {
	return v == Accept || v == Drop || v == Reject || v == Queue
}

// Verdict is the result of applying a target.
type Verdict struct {
	Kind VerdictKind
	// Chain is the destination of a Jump or Goto.
	Chain string
}
