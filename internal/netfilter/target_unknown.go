package netfilter

// UnknownTarget is a target farend does not model (or whose options it
// cannot parse). It keeps the text as written and returns the Unknown
// verdict: it may or may not end the chain.
//
// The zero UnknownTarget has no name.
type UnknownTarget struct {
	Name string
	// Raw is the target as written ("-j SECMARK --selctx ...").
	Raw string
	Why string
}

// Apply implements Target.
func (t *UnknownTarget) Apply(c *Ctx) Verdict {
	c.Explain("farend does not model target %q (%s): it may or may not end the chain", t.Raw, t.Why)
	return Verdict{Kind: Unknown}
}

func (t *UnknownTarget) String() string { return t.Raw }
