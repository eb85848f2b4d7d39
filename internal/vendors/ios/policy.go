package ios

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// prefixList reads `ip prefix-list NAME [seq N] permit|deny P [ge N] [le
// N]` and `ip prefix-list NAME description ...` (also ipv6).
func (p *parser) prefixList(l *line, v6 bool) {
	w := l.words
	if len(w) < 4 {
		p.badAll(l, "unknown prefix-list syntax")
		return
	}
	name := w[2]
	pl := p.r.PrefixList(name, v6)
	if pl == nil {
		p.r.PrefixLists = append(p.r.PrefixLists, model.PrefixList{Name: name, IPv6: v6, Pos: p.pos(l)})
		pl = &p.r.PrefixLists[len(p.r.PrefixLists)-1]
	}
	rest := w[3:]
	if rest[0] == "description" {
		pl.Description = joinFrom(rest, 1)
		p.ok(l)
		return
	}
	e := model.PrefixListEntry{Pos: p.pos(l)}
	if rest[0] == "seq" && len(rest) > 2 {
		e.Seq, _ = strconv.Atoi(rest[1])
		rest = rest[2:]
	} else {
		// IOS numbers entries 5, 10, 15 ... when no seq is given (IP Routing
		// Command Reference, ip prefix-list).
		e.Seq = 5 * (len(pl.Entries) + 1)
		if n := len(pl.Entries); n > 0 {
			e.Seq = pl.Entries[n-1].Seq + 5
		}
	}
	if ok := prefixEntry(rest, &e); !ok {
		p.bad(l, "prefix-list entry not understood")
		return
	}
	pl.Entries = append(pl.Entries, e)
	p.ok(l)
}

// prefixEntry reads `permit|deny P [ge N] [le N]`.
func prefixEntry(rest []string, e *model.PrefixListEntry) bool {
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
		return len(rest) == 2
	}
	pf, err := netip.ParsePrefix(rest[1])
	if err != nil {
		return false
	}
	e.Prefix = pf
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

// routeMap reads a `route-map NAME [permit|deny] [SEQ]` block. IOS
// defaults to permit 10 (IP Routing Protocol-Independent Command
// Reference, route-map).
func (p *parser) routeMap(l *line) {
	w := l.words
	if len(w) < 2 || len(w) > 4 {
		p.badAll(l, "unknown route-map syntax")
		return
	}
	e := model.RouteMapEntry{Permit: true, Seq: 10, Pos: p.pos(l)}
	if len(w) >= 3 {
		switch w[2] {
		case "permit":
		case "deny":
			e.Permit = false
		default:
			p.badAll(l, "unknown route-map syntax")
			return
		}
	}
	if len(w) == 4 {
		n, err := strconv.Atoi(w[3])
		if err != nil {
			p.badAll(l, "unknown route-map syntax")
			return
		}
		e.Seq = n
	}
	p.ok(l)
	for _, k := range l.kids {
		kw := k.words
		switch kw[0] {
		case "match", "set":
			if len(kw) < 2 {
				p.bad(k, "empty clause")
				continue
			}
			c := clause(kw[1:])
			c.Pos = p.pos(k)
			if kw[0] == "match" {
				e.Matches = append(e.Matches, c)
			} else {
				e.Sets = append(e.Sets, c)
			}
		case "description":
			e.Description = joinFrom(kw, 1)
		case "continue":
			e.Continue = -1
			if len(kw) == 2 {
				e.Continue, _ = strconv.Atoi(kw[1])
			}
		default:
			p.badAll(k, "unknown route-map clause")
			continue
		}
		p.okAll(k)
	}
	rm := p.r.RouteMap(w[1])
	if rm == nil {
		p.r.RouteMaps = append(p.r.RouteMaps, model.RouteMap{Name: w[1], Pos: p.pos(l)})
		rm = &p.r.RouteMaps[len(p.r.RouteMaps)-1]
	}
	rm.Entries = append(rm.Entries, e)
}

// clause splits a match/set clause into its attribute words and values:
// values are the words after the known attribute keywords.
func clause(w []string) model.Clause {
	i := 0
	for i < len(w) && isClauseWord(w[i]) {
		i++
	}
	if i == 0 {
		i = 1
	}
	return model.Clause{What: strings.Join(w[:i], " "), Values: append([]string(nil), w[i:]...)}
}

// isClauseWord reports whether s names an attribute rather than a value.
func isClauseWord(s string) bool {
	switch s {
	case "ip", "ipv6", "address", "prefix-list", "next-hop", "route-source", "community", "extcommunity",
		"large-community", "as-path", "prepend", "local-preference", "metric", "metric-type", "tag",
		"weight", "origin", "interface", "route-type", "source-protocol", "comm-list", "delete",
		"exact-match", "level", "length", "peer", "dampening", "additive", "vrf", "global", "default":
		return true
	}
	return false
}

// communityList reads `ip community-list [standard|expanded] NAME
// permit|deny VALUES` and the numbered forms (1-99 standard, 100-500
// expanded).
func (p *parser) communityList(l *line) {
	w := l.words
	kind := "standard"
	rest := w[2:]
	if w[1] == "extcommunity-list" {
		kind = "extended-standard"
	}
	if len(rest) > 0 && (rest[0] == "standard" || rest[0] == "expanded") {
		if w[1] == "extcommunity-list" {
			kind = "extended-" + rest[0]
		} else {
			kind = rest[0]
		}
		rest = rest[1:]
	} else if len(rest) > 0 {
		if n, err := strconv.Atoi(rest[0]); err == nil && n >= 100 && w[1] == "community-list" {
			kind = "expanded"
		}
	}
	if len(rest) < 3 || (rest[1] != "permit" && rest[1] != "deny") {
		p.badAll(l, "unknown community-list syntax")
		return
	}
	var cl *model.CommunityList
	for i := range p.r.CommunityLists {
		if p.r.CommunityLists[i].Name == rest[0] {
			cl = &p.r.CommunityLists[i]
		}
	}
	if cl == nil {
		p.r.CommunityLists = append(p.r.CommunityLists, model.CommunityList{Name: rest[0], Kind: kind, Pos: p.pos(l)})
		cl = &p.r.CommunityLists[len(p.r.CommunityLists)-1]
	}
	cl.Entries = append(cl.Entries, model.CommunityEntry{Permit: rest[1] == "permit", Value: joinFrom(rest, 2), Pos: p.pos(l)})
	p.ok(l)
}

// asPathList reads `ip as-path access-list N permit|deny REGEX`.
func (p *parser) asPathList(l *line) {
	w := l.words
	if len(w) < 6 || w[2] != "access-list" || (w[4] != "permit" && w[4] != "deny") {
		p.badAll(l, "unknown as-path syntax")
		return
	}
	var al *model.ASPathList
	for i := range p.r.ASPathLists {
		if p.r.ASPathLists[i].Name == w[3] {
			al = &p.r.ASPathLists[i]
		}
	}
	if al == nil {
		p.r.ASPathLists = append(p.r.ASPathLists, model.ASPathList{Name: w[3], Pos: p.pos(l)})
		al = &p.r.ASPathLists[len(p.r.ASPathLists)-1]
	}
	al.Entries = append(al.Entries, model.ASPathEntry{Permit: w[4] == "permit", Regex: joinFrom(w, 5), Pos: p.pos(l)})
	p.ok(l)
}
