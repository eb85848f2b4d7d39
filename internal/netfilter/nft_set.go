package netfilter

import (
	"strings"

	"farend/internal/source"
)

// NFTSet is a named or anonymous set, map or verdict map (nftables
// "set" and "map" objects, `{ ... }` in rules; net/netfilter/
// nft_set_*.c look elements up by the key's bytes: a hash for single
// values, an interval tree / pipapo for ranges, prefixes and
// concatenations of them).
//
// Lookup finds the element that holds a key: a hash of the exactly-known
// single-value elements first, then a scan of the others. The kernel
// refuses overlapping intervals, so the first element found is the one.
//
// The zero NFTSet is an empty anonymous set.
type NFTSet struct {
	// Name is "" for an anonymous set.
	Name   string
	Family Family
	Table  string
	Handle uint64
	Pos    source.Pos
	// Map is true for a map or a verdict map; Verdicts for a verdict map.
	Map, Verdicts bool
	// KeyTypes are the datatypes of the key (several for a
	// concatenation); DataTypes those of a map's value.
	KeyTypes, DataTypes []NFTType
	// TypeText is the key type as nft prints it ("ipv4_addr .
	// inet_service"); DataText the data type.
	TypeText, DataText string
	Flags              []string
	Comment            string
	// Dynamic is true when packets change the elements: flags dynamic or
	// timeout, or a rule adds to or updates the set. Its elements are
	// those of the snapshot's moment.
	Dynamic bool
	Elems   []NFTElem

	// index hashes the elements of single known values once there are
	// more than smallSet of them (exact lists them until then); scan lists
	// the others.
	index       map[string]int32
	exact, scan []int32
}

// smallSet is the number of single-value elements below which a set is
// scanned rather than hashed.
const smallSet = 8

// NFTElem is one element: its key (one range per component of a
// concatenation) and, in a map, its value or verdict. The zero NFTElem is
// an element with no key.
type NFTElem struct {
	Key []NFTRange
	// Data is a map's value (several for a concatenation: `addr .
	// port`).
	Data []NFTValue
	// Verdict is a verdict map's verdict (VerdictNone for continue).
	Verdict Verdict
	// Text is the element as nft prints it ("10.0.0.0/8 . 80-90 :
	// accept").
	Text string
}

// Add appends an element and indexes it.
func (s *NFTSet) Add(e NFTElem) {
	s.Elems = append(s.Elems, e)
	i := int32(len(s.Elems) - 1)
	exact := len(e.Key) > 0
	for _, r := range e.Key {
		if !r.single() {
			exact = false
		}
	}
	if !exact {
		s.scan = append(s.scan, i)
		return
	}
	if s.index == nil {
		s.exact = append(s.exact, i)
		if len(s.exact) <= smallSet {
			return
		}
		s.index = make(map[string]int32, 2*len(s.exact))
		for _, j := range s.exact {
			s.indexElem(j)
		}
		s.exact = nil
		return
	}
	s.indexElem(i)
}

func (s *NFTSet) indexElem(i int32) {
	k := elemKey(s.Elems[i].Key)
	if _, dup := s.index[k]; !dup {
		s.index[k] = i
	}
}

// elemKey is the hash key of an element of single values.
func elemKey(rs []NFTRange) string {
	var b []byte
	for _, r := range rs {
		b = r.Lo.key(b)
	}
	return string(b)
}

// Lookup finds the element holding key. Yes with the element; No; or
// Maybe when unknown bits of the key decide (the element returned is then
// the first that may hold it).
func (s *NFTSet) Lookup(key []NFTValue) (*NFTElem, Tri) {
	if s == nil {
		return nil, No
	}
	known := true
	for _, v := range key {
		if v.Unknown != 0 {
			known = false
		}
	}
	if known && s.index != nil {
		var b []byte
		for _, v := range key {
			b = v.key(b)
		}
		if i, ok := s.index[string(b)]; ok {
			return &s.Elems[i], Yes
		}
	}
	var maybe *NFTElem
	check := func(i int32) bool {
		e := &s.Elems[i]
		r := elemHolds(e, key)
		switch r {
		case Yes:
			maybe = e
			return true
		case Maybe:
			if maybe == nil {
				maybe = e
			}
		}
		return false
	}
	if known {
		for _, i := range s.exact {
			if check(i) {
				return maybe, Yes
			}
		}
		for _, i := range s.scan {
			if check(i) {
				return maybe, Yes
			}
		}
	} else {
		for i := range s.Elems {
			if check(int32(i)) {
				return maybe, Yes
			}
		}
	}
	if maybe != nil {
		return maybe, Maybe
	}
	return nil, No
}

// elemHolds tests a key against an element, component by component.
func elemHolds(e *NFTElem, key []NFTValue) Tri {
	if len(e.Key) != len(key) {
		return No
	}
	res := Yes
	for j, r := range e.Key {
		switch r.contains(key[j]) {
		case No:
			return No
		case Maybe:
			res = Maybe
		}
	}
	return res
}

// String prints the set as it appears in a rule: "@name", or the
// anonymous set's elements "{ a, b }".
func (s *NFTSet) String() string {
	if s.Name != "" {
		return "@" + s.Name
	}
	parts := make([]string, len(s.Elems))
	for i, e := range s.Elems {
		parts[i] = e.Text
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
