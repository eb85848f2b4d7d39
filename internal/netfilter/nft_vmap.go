package netfilter

import "fmt"

// NFTVmap is a verdict map statement: `ip daddr vmap @vm`, `ip daddr .
// meta l4proto . th dport vmap @service-ips`, `numgen random mod 2 vmap {
// 0 : goto a, 1 : goto b }` (nftables JSON "vmap"; the kernel's
// nft_lookup with a verdict dreg). The key is looked up; the element's
// verdict is the rule's. A key the map does not hold ends the rule
// without a verdict (the lookup breaks), so the rule counts as matching
// only for keys in the map (its Guard).
//
// A `numgen random` key picks an element at random: farend follows the
// element of the first number (the offset) and says so.
//
// The zero NFTVmap has no map and always ends the rule.
type NFTVmap struct {
	Key  []NFTExpr
	Map  *NFTSet
	Text string
}

func (s *NFTVmap) String() string { return s.Text }

func (s *NFTVmap) effect() nftEffect { return effVerdict }

// Guard implements NFTGuarded.
func (s *NFTVmap) Guard() Match { return &NFTMapHit{Key: s.Key, Map: s.Map, Text: s.Text} }

// Apply implements Target.
func (s *NFTVmap) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

// Exec implements NFTStmt.
func (s *NFTVmap) Exec(c *Ctx) (Verdict, bool) {
	e, r, why := mapLookup(c, s.Key, s.Map)
	switch r {
	case No:
		return Verdict{}, true
	case Maybe:
		c.Explain("farend cannot tell which element of %s applies: %s; the rule may end in any of its verdicts", s.Map, why)
		return Verdict{Kind: Unknown}, false
	}
	if why != "" {
		c.Explain("%s: %s", s.Text, why)
	}
	c.Explain("%s: %s", s.Text, e.Text)
	return e.Verdict, false
}

// NFTMapHit holds when a map has an element for the key: the guard of a
// vmap and of a nat statement that takes its address or port from a map.
// It prints as "" (the statement prints the lookup).
//
// The zero NFTMapHit never holds.
type NFTMapHit struct {
	Key  []NFTExpr
	Map  *NFTSet
	Text string
}

func (m *NFTMapHit) String() string { return "" }

// Match implements Match.
func (m *NFTMapHit) Match(c *Ctx) Tri {
	_, r, why := mapLookup(c, m.Key, m.Map)
	if r == Maybe {
		c.Explain("farend cannot tell whether %s holds the key of `%s`: %s; %s", m.Map, m.Text, why, ruleEffect(c))
	}
	return r
}

// mapLookup loads the key and looks it up. A random numgen key takes its
// first value. why explains a Maybe, or the choice made for numgen.
func mapLookup(c *Ctx, key []NFTExpr, m *NFTSet) (*NFTElem, Tri, string) {
	if m == nil || len(key) == 0 {
		return nil, No, "no map"
	}
	if ng, ok := key[0].(*NFTNumgen); ok && len(key) == 1 && ng.Mode == "random" {
		e, r := m.Lookup([]NFTValue{NFTNum(ng.Offset)})
		return e, r, fmt.Sprintf("`%s` picks one of %d values at random; farend follows %d", ng.Text, ng.Mod, ng.Offset)
	}
	vals, r, why := loadAll(c, key)
	if r != Yes {
		return nil, r, why
	}
	e, r := m.Lookup(vals)
	if r == Maybe {
		why = fmt.Sprintf("the key %s has bits farend does not know", valsString(vals))
	}
	return e, r, why
}
