package netfilter

// UnknownMatch is a part of a rule farend does not understand: a match
// module it does not model, or an option it cannot parse. It keeps the
// text as written and says Maybe, so the evaluator explores both outcomes.
//
// The zero UnknownMatch is an empty unknown part.
type UnknownMatch struct {
	// Module is the -m module name, "" for a bare option.
	Module string
	// Raw is the text as written ("-m u32 --u32 \"0x0>>0x16\"").
	Raw string
	// Why says what was not understood.
	Why string
}

// Match implements Match.
func (m *UnknownMatch) Match(c *Ctx) Tri {
	c.Explain("farend does not model %q (%s): it may or may not match", m.Raw, m.Why)
	return Maybe
}

func (m *UnknownMatch) String() string { return m.Raw }
