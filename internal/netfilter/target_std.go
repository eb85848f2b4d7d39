package netfilter

// The standard targets of x_tables (ipt_do_table in
// net/ipv4/netfilter/ip_tables.c): verdicts ACCEPT and DROP, RETURN, a jump
// (-j CHAIN, which pushes a return point) and a goto (-g CHAIN, which does
// not).

// AcceptTarget is -j ACCEPT (NF_ACCEPT): it ends the current base chain;
// the packet goes on to the next table on the hook.
type AcceptTarget struct{}

// Apply implements Target.
func (AcceptTarget) Apply(c *Ctx) Verdict { return Verdict{Kind: Accept} }

func (AcceptTarget) String() string { return "-j ACCEPT" }

// DropTarget is -j DROP (NF_DROP): the packet is dropped silently.
type DropTarget struct{}

// Apply implements Target.
func (DropTarget) Apply(c *Ctx) Verdict { return Verdict{Kind: Drop} }

func (DropTarget) String() string { return "-j DROP" }

// ReturnTarget is -j RETURN (XT_RETURN): back to the calling chain, or the
// policy in a built-in chain.
type ReturnTarget struct{}

// Apply implements Target.
func (ReturnTarget) Apply(c *Ctx) Verdict { return Verdict{Kind: Return} }

func (ReturnTarget) String() string { return "-j RETURN" }

// JumpTarget is -j CHAIN: evaluation continues in the user chain and comes
// back after it. The zero JumpTarget names no chain.
type JumpTarget struct {
	Chain string
}

// Apply implements Target.
func (t JumpTarget) Apply(c *Ctx) Verdict { return Verdict{Kind: Jump, Chain: t.Chain} }

func (t JumpTarget) String() string { return "-j " + t.Chain }

// GotoTarget is -g CHAIN: evaluation continues in the user chain and does
// not come back; a RETURN there returns to the chain that jumped to the
// chain holding the goto. The zero GotoTarget names no chain.
type GotoTarget struct {
	Chain string
}

// Apply implements Target.
func (t GotoTarget) Apply(c *Ctx) Verdict { return Verdict{Kind: Goto, Chain: t.Chain} }

func (t GotoTarget) String() string { return "-g " + t.Chain }
