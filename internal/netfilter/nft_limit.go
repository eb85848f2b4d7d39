package netfilter

// NFTLimit is `limit rate [over] N/unit [burst B]` or `quota [over] N
// unit [used U]`, inline or as a named object (`limit name "x"`). Both are
// statements that end the rule (NFT_BREAK) instead of deciding a verdict,
// so farend models them as matches:
//
//   - limit (net/netfilter/nft_limit.c nft_limit_eval): a token bucket;
//     the packet passes while there are tokens, `over` inverts. Its state
//     is not in the snapshot: farend takes the bucket as fresh (full), so
//     a plain limit passes the packet and `limit rate over` does not.
//   - quota (net/netfilter/nft_quota.c nft_quota_do_eval): consumed bytes
//     plus the packet's length above the quota is "over" (`consumed >
//     quota` since Linux 6.8, `>=` before); a plain quota passes while
//     not over, `quota over` only when over. The consumed bytes are in
//     the snapshot (`used`), so the answer is exact for the snapshot's
//     moment.
//
// The zero NFTLimit is a limit of rate 0 that passes (a fresh bucket).
type NFTLimit struct {
	// Quota is true for a quota.
	Quota bool
	// Inv is `over`.
	Inv bool
	// Rate, Per ("second" ...), Burst and Unit ("packets", or "bytes",
	// "kbytes", "mbytes") are the limit's; Bytes and Used the quota's.
	Rate       uint64
	Per        string
	Burst      uint64
	Unit       string
	Bytes      uint64
	Used       uint64
	ObjectName string
	Text       string
}

func (m *NFTLimit) String() string { return m.Text }

// Match implements Match.
func (m *NFTLimit) Match(c *Ctx) Tri {
	if m.Quota {
		l := uint64(c.Pkt.Length)
		consumed := m.Used + l
		over := consumed > m.Bytes
		res := over == m.Inv
		c.Explain("%s: %d bytes used + %d of this packet = %d of %d: %s", m.Text, m.Used, l, consumed, m.Bytes, map[bool]string{true: "over the quota", false: "within the quota"}[over])
		return TriOf(res)
	}
	if m.Inv {
		c.Explain("%s: farend takes the bucket as fresh (its state is not in the snapshot), so the packet is within the rate and `over` does not match", m.Text)
		return No
	}
	c.Explain("%s: farend takes the bucket as fresh (its state is not in the snapshot), so it passes the packet", m.Text)
	return Yes
}
