// Package nft reads the output of `nft -j list ruleset` (libnftables
// JSON, schema version 1; nftables doc/libnftables-json.adoc) into the
// netfilter model.
//
// The document is {"nftables": [objects]}: a "metainfo" object, then per
// table its "table", its sets ("set", "map"), stateful objects ("counter",
// "quota", "limit", "ct helper" ...), "chain" objects and "rule" objects
// with their expression lists. Parse returns one netfilter.Ruleset per
// nftables family (ip, ip6, inet, and bridge, arp, netdev, which are
// loaded but reported as not modelled), in the order the families first
// appear; each ruleset holds that family's tables. Positions are
// file[index], the index of the object in the array (the JSON has no
// useful lines: nft prints it on one line).
//
// Parsing is lenient and honest: every object is understood or reported
// as `file[index]: not understood: ...`, an expression farend cannot
// evaluate is kept as an undecidable match (or an Unknown statement) and
// reported, and no input makes Parse panic.
package nft

import (
	"bytes"
	"encoding/json"
	"fmt"

	"farend/internal/netfilter"
	"farend/internal/source"
)

// Detect reports whether data looks like libnftables JSON: an object whose
// first key is "nftables".
func Detect(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return false
	}
	t, err = dec.Token()
	return err == nil && t == "nftables"
}

// Parse reads `nft -j list ruleset` output. file is the name used in
// positions. It always returns what it could read, with a note for every
// object (or part of one) it did not understand.
func Parse(file string, data []byte) ([]*netfilter.Ruleset, source.Notes) {
	p := newParser(file)
	objs, err := decode(data)
	if err != nil {
		p.notes.Add(source.Pos{File: file, Index: len(objs)}, "the JSON", err.Error())
	}
	p.load(objs)
	p.notes.Sort()
	return p.rulesets, p.notes
}

// decode reads the objects of the "nftables" array one by one, so that
// everything before a syntax error is kept.
func decode(data []byte) ([]any, error) {
	r := &reader{data: data}
	if r.peek() != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	r.i++
	var objs []any
	found := false
	if r.peek() == '}' {
		return nil, fmt.Errorf(`no "nftables" array`)
	}
	for {
		if r.peek() != '"' {
			return objs, r.errf("expected a key")
		}
		k, err := r.str()
		if err != nil {
			return objs, err
		}
		if err := r.expect(':'); err != nil {
			return objs, err
		}
		if k != "nftables" {
			if _, err := r.value(); err != nil {
				return objs, err
			}
		} else {
			found = true
			if r.peek() != '[' {
				return objs, fmt.Errorf(`"nftables" is not an array`)
			}
			r.i++
			if r.peek() == ']' {
				r.i++
			} else {
				for done := false; !done; {
					v, err := r.value()
					if err != nil {
						return objs, err
					}
					objs = append(objs, v)
					switch r.peek() {
					case ',':
						r.i++
					case ']':
						r.i++
						done = true
					default:
						return objs, r.errf("expected , or ]")
					}
				}
			}
		}
		c := r.peek()
		if c == '}' {
			r.i++
			break
		}
		if c != ',' {
			return objs, r.errf("expected , or }")
		}
		r.i++
	}
	if !found {
		return objs, fmt.Errorf(`no "nftables" array`)
	}
	if r.space(); r.i != len(data) {
		return objs, fmt.Errorf("data after the JSON object")
	}
	return objs, nil
}
