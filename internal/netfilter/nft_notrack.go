package netfilter

// NFTNotrack is the notrack statement (net/netfilter/nft_ct.c
// nft_notrack_eval): a packet not yet tracked becomes untracked, so the
// conntrack hook skips it, `ct state` reads untracked and NAT never
// applies. It goes on with the rule.
type NFTNotrack struct{}

func (*NFTNotrack) String() string { return "notrack" }

// Exec implements NFTStmt.
func (*NFTNotrack) Exec(c *Ctx) (Verdict, bool) {
	if c.Ct.Tracked {
		c.Explain("notrack: the packet is already tracked, nothing changes")
		return Verdict{}, false
	}
	untrack(c, "notrack")
	return Verdict{}, false
}

// Apply implements Target.
func (s *NFTNotrack) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

func (*NFTNotrack) effect() nftEffect { return effChange }
