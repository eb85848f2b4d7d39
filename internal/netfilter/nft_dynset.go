package netfilter

import "fmt"

// NFTDynset is `add @set { key }`, `update @set { key [statements] }` or
// the older `meter name { key statements }` (net/netfilter/nft_dynset.c):
// the key is added to the set (or its timeout refreshed), then the
// element's own statements run. It ends the rule (NFT_BREAK) when the
// element's statement does (a `limit rate over` that is over), or when
// the set is full. farend models it as a match:
//
//   - without statements it holds (the set's size is taken as enough);
//   - with a limit: for a key not in the snapshot's set the element is new
//     and its bucket fresh, so `limit rate` holds and `limit rate over`
//     does not; for a key already there the bucket's state is not in the
//     snapshot (Maybe);
//   - other element statements (counter, quota ...) do not end it.
//
// The key's load ends the rule as any load does.
//
// The zero NFTDynset has no set and holds.
type NFTDynset struct {
	Op    string // "add", "update", "delete"
	Key   []NFTExpr
	Set   *NFTSet
	Limit *NFTLimit
	Text  string
}

func (m *NFTDynset) String() string { return m.Text }

// Match implements Match.
func (m *NFTDynset) Match(c *Ctx) Tri {
	if len(m.Key) == 0 {
		return Yes
	}
	vals, r, why := loadAll(c, m.Key)
	switch r {
	case No:
		return No
	case Maybe:
		if m.Limit == nil {
			return Yes
		}
		c.Explain("farend cannot tell whether `%s` holds: %s; %s", m.Text, why, ruleEffect(c))
		return Maybe
	}
	if m.Limit == nil {
		return Yes
	}
	if _, in := m.Set.Lookup(vals); in != No {
		c.Explain("farend cannot tell whether `%s` holds: %s is already in %s and the state of its limit is not in the snapshot; %s", m.Text, valsString(vals), m.Set, ruleEffect(c))
		return Maybe
	}
	res := TriOf(!m.Limit.Inv)
	c.Explain("%s: %s is not in %s yet, so its element is new and its limit fresh: %s", m.Text, valsString(vals), m.Set, fmt.Sprint(map[Tri]string{Yes: "it passes", No: "`over` does not hold, the rule ends"}[res]))
	return res
}
