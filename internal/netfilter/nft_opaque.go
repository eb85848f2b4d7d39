package netfilter

// NFTOpaqueMatch is an expression in match position farend does not
// evaluate (`ct count over 5`, an unknown expression, a relational on an
// expression it cannot load). It says Maybe, naming itself and the
// rule's possible effect.
//
// The zero NFTOpaqueMatch prints as "".
type NFTOpaqueMatch struct {
	Text string
	Why  string
}

func (m *NFTOpaqueMatch) String() string { return m.Text }

// Match implements Match.
func (m *NFTOpaqueMatch) Match(c *Ctx) Tri {
	why := m.Why
	if why == "" {
		why = "farend does not model it"
	}
	c.Explain("farend cannot tell whether `%s` matches: %s; %s", m.Text, why, ruleEffect(c))
	return Maybe
}

// NFTOpaqueStmt is a statement farend does not model (tproxy, synproxy,
// fwd, an unknown statement): it returns Unknown, so it may or may not
// end the chain.
//
// The zero NFTOpaqueStmt prints as "".
type NFTOpaqueStmt struct {
	Text string
	Why  string
}

func (s *NFTOpaqueStmt) String() string { return s.Text }

// Exec implements NFTStmt.
func (s *NFTOpaqueStmt) Exec(c *Ctx) (Verdict, bool) {
	why := s.Why
	if why == "" {
		why = "farend does not model it"
	}
	c.Explain("`%s`: %s; it may or may not end the chain", s.Text, why)
	return Verdict{Kind: Unknown}, false
}

// Apply implements Target.
func (s *NFTOpaqueStmt) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

func (s *NFTOpaqueStmt) effect() nftEffect { return effUnknown }

// NFTNoop is a statement that does not change the packet's path or
// verdict as farend models them: dup (a copy goes elsewhere), flow add
// (offload of later packets), ct helper/timeout/expectation set, secmark
// set, last, set statements without effect. It goes on with the rule.
//
// The zero NFTNoop prints as "".
type NFTNoop struct {
	Text string
	// What says what it does, for the explanation.
	What string
}

func (s *NFTNoop) String() string { return s.Text }

// Exec implements NFTStmt.
func (s *NFTNoop) Exec(c *Ctx) (Verdict, bool) {
	if s.What != "" {
		c.Explain("%s: %s", s.Text, s.What)
	}
	return Verdict{}, false
}

// Apply implements Target.
func (s *NFTNoop) Apply(c *Ctx) Verdict { return Verdict{} }

func (s *NFTNoop) effect() nftEffect { return effNone }
