// Package cisco holds the readers of the routing-policy syntax that Cisco
// IOS and FRRouting share (prefix lists, route-map clauses, community and
// AS-path lists). Where the two dialects differ, the difference is a field
// of Dialect; the vendor packages keep the line bookkeeping.
package cisco

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// Dialect names what differs between the IOS and FRR readers of the shared
// syntax.
type Dialect struct {
	// PrefixAnyBounds lets `ge N`/`le N` follow `any` in a prefix-list
	// entry (the FRR reader has always taken them); IOS takes `any` alone.
	PrefixAnyBounds bool
	// PrefixEntryWhy is the note for a prefix-list entry not understood.
	PrefixEntryWhy string
	// ShortSubtree reports a prefix-list line too short to name its list
	// together with the lines nested under it (as the IOS reader does for
	// every malformed top-level command); FRR reports the line alone.
	ShortSubtree bool
	// RouteMapFlow admits FRR's `call NAME`, `on-match goto N|next` and
	// `exit` inside a route-map entry.
	RouteMapFlow bool
	// ClauseWords are the match/set keywords that name an attribute rather
	// than a value.
	ClauseWords map[string]bool
}

// Note is the verdict on one line: understood when Why is empty, else
// not, with Why; Subtree says the line's children share the note.
type Note struct {
	Why     string
	Subtree bool
}

// ClauseWords makes a Dialect.ClauseWords set: the attribute keywords
// both dialects know, and extra.
func ClauseWords(extra ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"ip", "ipv6", "address", "prefix-list", "next-hop", "route-source", "community",
		"extcommunity", "large-community", "as-path", "prepend", "local-preference", "metric", "metric-type",
		"tag", "weight", "origin", "interface", "source-protocol", "comm-list", "delete", "exact-match", "peer",
		"additive"} {
		m[w] = true
	}
	for _, w := range extra {
		m[w] = true
	}
	return m
}

// JoinFrom joins w[i:] with spaces, or is "" when i is past the end.
func JoinFrom(w []string, i int) string {
	if i >= len(w) {
		return ""
	}
	return strings.Join(w[i:], " ")
}

// PrefixList reads `ip|ipv6 prefix-list NAME ...` (w, the whole line)
// into r: `[seq N] permit|deny P|any [ge N] [le N]` or `description
// TEXT` after the name.
func PrefixList(r *model.Router, w []string, v6 bool, pos source.Pos, d *Dialect) Note {
	if len(w) < 4 {
		return Note{Why: "unknown prefix-list syntax", Subtree: d.ShortSubtree}
	}
	pl := PrefixListOf(r, w[2], v6, pos)
	rest := w[3:]
	if rest[0] == "description" {
		pl.Description = JoinFrom(rest, 1)
		return Note{}
	}
	e := model.PrefixListEntry{Pos: pos}
	if rest[0] == "seq" && len(rest) > 2 {
		e.Seq, _ = strconv.Atoi(rest[1])
		rest = rest[2:]
	} else {
		// Without seq, entries are numbered 5, 10, 15 ... (IOS: IP Routing
		// Command Reference, ip prefix-list; FRR: lib/plist.c).
		e.Seq = 5
		if n := len(pl.Entries); n > 0 {
			e.Seq = pl.Entries[n-1].Seq + 5
		}
	}
	if !prefixEntry(rest, &e, d) {
		return Note{Why: d.PrefixEntryWhy}
	}
	pl.Entries = append(pl.Entries, e)
	return Note{}
}

// prefixEntry reads `permit|deny P|any [ge N] [le N]`.
func prefixEntry(rest []string, e *model.PrefixListEntry, d *Dialect) bool {
	if len(rest) < 2 {
		return false
	}
	switch rest[0] {
	case "permit":
		e.Permit = true
	case "deny":
	default:
		return false
	}
	if rest[1] == "any" {
		e.Any = true
		if !d.PrefixAnyBounds {
			return len(rest) == 2
		}
	} else {
		pf, err := netip.ParsePrefix(rest[1])
		if err != nil {
			return false
		}
		e.Prefix = pf
	}
	for i := 2; i+1 < len(rest); i += 2 {
		v, err := strconv.Atoi(rest[i+1])
		if err != nil {
			return false
		}
		switch rest[i] {
		case "ge":
			e.GE = v
		case "le":
			e.LE = v
		default:
			return false
		}
	}
	return len(rest)%2 == 0
}

// RouteMapEntry reads the clauses under the route-map line l (`route-map
// NAME ...`, already read into e) and adds e to the route map NAME of r.
func (d *Lines) RouteMapEntry(r *model.Router, l *Line, e model.RouteMapEntry, dl *Dialect) {
	for _, k := range l.Kids {
		if n := RouteMapClause(&e, k.Words, d.Pos(k), dl); n.Why != "" {
			d.Mark(k, n)
			continue
		}
		d.OKAll(k)
	}
	rm := RouteMap(r, l.Words[1], d.Pos(l))
	rm.Entries = append(rm.Entries, e)
}

// RouteMapClause reads one line kw of a route-map entry into e.
func RouteMapClause(e *model.RouteMapEntry, kw []string, pos source.Pos, d *Dialect) Note {
	switch kw[0] {
	case "match", "set":
		if len(kw) < 2 {
			return Note{Why: "empty clause"}
		}
		c := clause(kw[1:], d)
		c.Pos = pos
		if kw[0] == "match" {
			e.Matches = append(e.Matches, c)
		} else {
			e.Sets = append(e.Sets, c)
		}
		return Note{}
	case "description":
		e.Description = JoinFrom(kw, 1)
		return Note{}
	case "continue":
		e.Continue = -1
		if len(kw) == 2 {
			e.Continue, _ = strconv.Atoi(kw[1])
		}
		return Note{}
	}
	if d.RouteMapFlow {
		switch kw[0] {
		case "call":
			if len(kw) > 1 {
				e.Call = kw[1]
			} else {
				e.Call = ""
			}
			return Note{}
		case "on-match":
			e.Continue = -1
			if len(kw) == 3 && kw[1] == "goto" {
				e.Continue, _ = strconv.Atoi(kw[2])
			}
			return Note{}
		case "exit":
			return Note{}
		}
	}
	return Note{Why: "unknown route-map clause", Subtree: true}
}

// clause splits a match/set clause into its attribute words and values:
// values are the words after the known attribute keywords.
func clause(w []string, d *Dialect) model.Clause {
	i := 0
	for i < len(w) && d.ClauseWords[w[i]] {
		i++
	}
	if i == 0 {
		i = 1
	}
	return model.Clause{What: strings.Join(w[:i], " "), Values: append([]string(nil), w[i:]...)}
}

// RouteMap returns the route map name of r, adding it first if need be.
func RouteMap(r *model.Router, name string, pos source.Pos) *model.RouteMap {
	rm := r.RouteMap(name)
	if rm == nil {
		r.RouteMaps = append(r.RouteMaps, model.RouteMap{Name: name, Pos: pos})
		rm = &r.RouteMaps[len(r.RouteMaps)-1]
	}
	return rm
}

// PrefixListOf returns the prefix list name of r, adding it first if need
// be.
func PrefixListOf(r *model.Router, name string, v6 bool, pos source.Pos) *model.PrefixList {
	pl := r.PrefixList(name, v6)
	if pl == nil {
		r.PrefixLists = append(r.PrefixLists, model.PrefixList{Name: name, IPv6: v6, Pos: pos})
		pl = &r.PrefixLists[len(r.PrefixLists)-1]
	}
	return pl
}

// CommunityList returns the community list name of r (the last one of
// that name), adding it with kind first if need be.
func CommunityList(r *model.Router, name, kind string, pos source.Pos) *model.CommunityList {
	var cl *model.CommunityList
	for i := range r.CommunityLists {
		if r.CommunityLists[i].Name == name {
			cl = &r.CommunityLists[i]
		}
	}
	if cl == nil {
		r.CommunityLists = append(r.CommunityLists, model.CommunityList{Name: name, Kind: kind, Pos: pos})
		cl = &r.CommunityLists[len(r.CommunityLists)-1]
	}
	return cl
}

// ASPathList returns the AS-path list name of r (the last one of that
// name), adding it first if need be.
func ASPathList(r *model.Router, name string, pos source.Pos) *model.ASPathList {
	var al *model.ASPathList
	for i := range r.ASPathLists {
		if r.ASPathLists[i].Name == name {
			al = &r.ASPathLists[i]
		}
	}
	if al == nil {
		r.ASPathLists = append(r.ASPathLists, model.ASPathList{Name: name, Pos: pos})
		al = &r.ASPathLists[len(r.ASPathLists)-1]
	}
	return al
}
