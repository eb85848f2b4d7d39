package netfilter

import "fmt"

// NFTCt is a conntrack key: `ct state`, `ct status`, `ct mark`, `ct
// direction` ... (net/netfilter/nft_ct.c nft_ct_get_eval).
//
// `ct state` always loads: the state bit of the entry, UNTRACKED after
// notrack, INVALID when there is no entry (the raw priority, before
// conntrack). Every other key needs an entry: without one the rule ends
// (NFT_BREAK), so `ct mark != 0x1` does not match an untracked packet.
// `ct status` is the entry's IPS_* bits: expected, seen-reply, assured,
// confirmed from Conntrack.Status, snat and dnat from the NAT that
// happened (CtSNAT, CtDNAT). Keys farend does not track (tuples, helper,
// expiration, labels, counters) load Maybe.
//
// The zero NFTCt has no key and loads Maybe.
type NFTCt struct {
	Key string
	// Dir is "original" or "reply" for the keys that take one
	// (`ct original saddr`); "" otherwise.
	Dir string
}

// NFTCtType returns the datatype of a ct key.
func NFTCtType(key string) NFTType {
	switch key {
	case "state":
		return NFTCtState
	case "status":
		return NFTCtStatus
	case "mark":
		return NFTMark
	case "direction":
		return NFTCtDir
	case "zone", "expiration", "bytes", "packets", "avgpkt", "id":
		return NFTInteger
	case "l3proto":
		return NFTNFProto
	case "protocol":
		return NFTInetProto
	case "saddr", "daddr", "ip saddr", "ip daddr":
		return NFTIPv4Addr
	case "ip6 saddr", "ip6 daddr":
		return NFTIPv6Addr
	case "proto-src", "proto-dst":
		return NFTInetService
	case "helper":
		return NFTString
	}
	return NFTOpaque
}

// Type implements NFTExpr.
func (e *NFTCt) Type() NFTType { return NFTCtType(e.Key) }

func (e *NFTCt) String() string {
	if e.Dir != "" {
		return "ct " + e.Dir + " " + e.Key
	}
	return "ct " + e.Key
}

// ctStatusBits returns the entry's IPS_* status bits as nft reads them.
func ctStatusBits(ct Conntrack) uint64 {
	s := uint64(ct.Status & (CtStatusExpected | CtStatusSeenReply | CtStatusAssured | CtStatusConfirmed))
	if ct.State&CtSNAT != 0 {
		s |= 16 // IPS_SRC_NAT
	}
	if ct.State&CtDNAT != 0 {
		s |= 32 // IPS_DST_NAT
	}
	return s
}

// Load implements NFTExpr.
func (e *NFTCt) Load(c *Ctx) (NFTValue, Tri, string) {
	ct := c.Ct
	if e.Key == "state" {
		return NFTNum(uint64(ct.Effective() &^ (CtSNAT | CtDNAT))), Yes, ""
	}
	if !ct.Tracked || ct.Untracked {
		why := "the packet has no conntrack entry yet"
		if ct.Untracked {
			why = "the packet is untracked (notrack)"
		}
		return NFTValue{}, No, fmt.Sprintf("%s, so `%s` ends the rule", why, e)
	}
	switch e.Key {
	case "status":
		return NFTNum(ctStatusBits(ct)), Yes, ""
	case "mark":
		return NFTNum(uint64(ct.Mark)), Yes, ""
	case "direction":
		if ct.Reply {
			return NFTNum(1), Yes, ""
		}
		return NFTNum(0), Yes, ""
	case "zone":
		return NFTNum(uint64(ct.Zone)), Yes, ""
	case "l3proto":
		if c.Pkt.Is6() {
			return NFTNum(10), Yes, ""
		}
		return NFTNum(2), Yes, ""
	case "protocol":
		return NFTNum(uint64(c.Pkt.Proto)), Yes, ""
	}
	return NFTValue{}, Maybe, fmt.Sprintf("`%s` is not in the snapshot", e)
}
