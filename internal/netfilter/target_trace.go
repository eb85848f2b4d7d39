package netfilter

// TraceTarget is -j TRACE (net/netfilter/xt_TRACE.c): it sets the packet's
// nf_trace bit so that the kernel reports every rule it meets, and returns
// XT_CONTINUE. x_tables accepts it only in the raw table; iptables-nft
// turns it into a native `meta nftrace set 1`, valid anywhere.
type TraceTarget struct{}

// Apply implements Target.
func (TraceTarget) Apply(c *Ctx) Verdict {
	c.Explain("TRACE: the kernel traces this packet from here on; evaluation continues")
	return Verdict{}
}

func (TraceTarget) String() string { return "-j TRACE" }

// Check implements Checker.
func (TraceTarget) Check(e Entry) string {
	if e.Compat || e.Table == "raw" {
		return ""
	}
	return "TRACE is only valid in the raw table, not " + e.Table
}
