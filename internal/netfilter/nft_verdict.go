package netfilter

// NFTVerdict is a verdict statement: accept, drop, jump CHAIN, goto CHAIN,
// return, continue, queue (net/netfilter/nft_immediate.c writes it to the
// verdict register; nf_tables_core.c nft_do_chain acts on it). accept
// ends the base chain (the packet goes on to the next one on the hook),
// drop ends everything, jump pushes a return point and goto does not,
// return pops (or applies the base chain's policy), continue goes on with
// the rule. queue hands the packet to user space (nft_queue.c; with
// `bypass` it is accepted when no program listens).
//
// The zero NFTVerdict is continue.
type NFTVerdict struct {
	// Kind is Accept, Drop, Jump, Goto, Return, Queue, or VerdictNone
	// for continue.
	Kind  VerdictKind
	Chain string
	// Text is the statement as nft prints it ("jump other", "queue num 3
	// bypass").
	Text string
}

func (s *NFTVerdict) String() string { return s.Text }

// Exec implements NFTStmt.
func (s *NFTVerdict) Exec(c *Ctx) (Verdict, bool) {
	if s.Kind == Queue {
		c.Explain("%s: the packet goes to a user-space program; its verdict is not in the snapshot", s.Text)
	}
	return Verdict{Kind: s.Kind, Chain: s.Chain}, false
}

// Apply implements Target.
func (s *NFTVerdict) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

func (s *NFTVerdict) effect() nftEffect {
	if s.Kind == VerdictNone {
		return effNone
	}
	return effVerdict
}
