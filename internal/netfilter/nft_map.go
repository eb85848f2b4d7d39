package netfilter

import "fmt"

// NFTMapExpr is a map lookup used as a value: `meta mark set tcp dport
// map { 80 : 0x1, 22 : 0x2 }`, `ct mark set ip saddr map @marks`
// (nftables JSON {"map": {"key": K, "data": M}}; the kernel's nft_lookup
// with a data register). The key is looked up and the element's data is
// the value. A key the map does not hold ends the rule (nft_lookup_eval:
// `regs->verdict.code = NFT_BREAK` when nft_set_do_lookup finds no
// element): the statement that uses the value and the rest of the rule
// are skipped.
//
// The zero NFTMapExpr has no map and ends the rule.
type NFTMapExpr struct {
	Key []NFTExpr
	Map *NFTSet
	// Typ is the type of the map's data.
	Typ  NFTType
	Text string
}

// Type implements NFTExpr.
func (e *NFTMapExpr) Type() NFTType { return e.Typ }

func (e *NFTMapExpr) String() string { return e.Text }

// Load implements NFTExpr.
func (e *NFTMapExpr) Load(c *Ctx) (NFTValue, Tri, string) {
	el, r, why := mapLookup(c, e.Key, e.Map)
	switch r {
	case No:
		if why == "" {
			why = fmt.Sprintf("%s has no element for %s", e.Map, keyString(e.Key))
		}
		return NFTValue{}, No, why
	case Maybe:
		return NFTValue{}, Maybe, why
	}
	if len(el.Data) != 1 {
		return NFTValue{}, Maybe, fmt.Sprintf("the element %s of %s has %d values", el.Text, e.Map, len(el.Data))
	}
	return el.Data[0], Yes, ""
}
