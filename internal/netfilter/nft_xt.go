package netfilter

// NFTXT is an x_tables match or target inside an nft rule (nftables JSON
// `{"xt": {"type": "match", "name": "rpfilter"}}`, nft_compat): the rules
// iptables-nft writes keep most extensions as x_tables modules (nft
// --debug=netlink shows `[ match name rpfilter rev 0 ]`). libnftables
// prints only the module's name in JSON, not its options, so farend
// cannot evaluate it from nft.json: the same rule is in iptables-save's
// output, which farend reads with the options (the table is then marked
// NFTTable.IptablesNFT).
//
// As a Match it says Maybe; as a statement it returns Unknown.
//
// The zero NFTXT is an unnamed match.
type NFTXT struct {
	// Target is true for an xt target, false for a match.
	Target bool
	Name   string
}

func (x *NFTXT) String() string {
	if x.Target {
		return "xt target " + x.Name
	}
	return "xt match " + x.Name
}

// Match implements Match.
func (x *NFTXT) Match(c *Ctx) Tri {
	c.Explain("farend cannot evaluate `%s` from nft's JSON (it has no options; iptables-save has the same rule in full); %s", x, ruleEffect(c))
	return Maybe
}

// Exec implements NFTStmt.
func (x *NFTXT) Exec(c *Ctx) (Verdict, bool) {
	c.Explain("farend cannot evaluate `%s` from nft's JSON (it has no options; iptables-save has the same rule in full): it may or may not end the chain", x)
	return Verdict{Kind: Unknown}, false
}

// Apply implements Target.
func (x *NFTXT) Apply(c *Ctx) Verdict {
	v, _ := x.Exec(c)
	return v
}

func (x *NFTXT) effect() nftEffect {
	switch x.Name {
	case "LOG", "NFLOG", "TRACE":
		return effNone
	case "MARK", "CONNMARK", "TCPMSS", "CT", "NOTRACK":
		return effChange
	}
	return effUnknown
}
