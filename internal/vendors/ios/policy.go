package ios

import (
	"strconv"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// prefixList reads `ip prefix-list NAME [seq N] permit|deny P [ge N] [le
// N]` and `ip prefix-list NAME description ...` (also ipv6).
func (p *parser) prefixList(l *line, v6 bool) {
	p.Mark(l, cisco.PrefixList(p.r, l.Words, v6, p.Pos(l), &policySyntax))
}

// policySyntax is how IOS reads the policy syntax it shares with FRR.
var policySyntax = cisco.Dialect{
	PrefixEntryWhy: "prefix-list entry not understood",
	ShortSubtree:   true,
	ClauseWords:    cisco.ClauseWords("route-type", "level", "length", "dampening", "vrf", "global", "default"),
}

// routeMap reads a `route-map NAME [permit|deny] [SEQ]` block. IOS
// defaults to permit 10 (IP Routing Protocol-Independent Command
// Reference, route-map).
func (p *parser) routeMap(l *line) {
	w := l.Words
	if len(w) < 2 || len(w) > 4 {
		p.BadAll(l, "unknown route-map syntax")
		return
	}
	e := model.RouteMapEntry{Permit: true, Seq: 10, Pos: p.Pos(l)}
	if len(w) >= 3 {
		switch w[2] {
		case "permit":
		case "deny":
			e.Permit = false
		default:
			p.BadAll(l, "unknown route-map syntax")
			return
		}
	}
	if len(w) == 4 {
		n, err := strconv.Atoi(w[3])
		if err != nil {
			p.BadAll(l, "unknown route-map syntax")
			return
		}
		e.Seq = n
	}
	p.OK(l)
	p.RouteMapEntry(p.r, l, e, &policySyntax)
}

// communityList reads `ip community-list [standard|expanded] NAME
// permit|deny VALUES` and the numbered forms (1-99 standard, 100-500
// expanded).
func (p *parser) communityList(l *line) {
	w := l.Words
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
		p.BadAll(l, "unknown community-list syntax")
		return
	}
	cl := cisco.CommunityList(p.r, rest[0], kind, p.Pos(l))
	cl.Entries = append(cl.Entries, model.CommunityEntry{Permit: rest[1] == "permit", Value: joinFrom(rest, 2), Pos: p.Pos(l)})
	p.OK(l)
}

// asPathList reads `ip as-path access-list N permit|deny REGEX`.
func (p *parser) asPathList(l *line) {
	w := l.Words
	if len(w) < 6 || w[2] != "access-list" || (w[4] != "permit" && w[4] != "deny") {
		p.BadAll(l, "unknown as-path syntax")
		return
	}
	al := cisco.ASPathList(p.r, w[3], p.Pos(l))
	al.Entries = append(al.Entries, model.ASPathEntry{Permit: w[4] == "permit", Regex: joinFrom(w, 5), Pos: p.Pos(l)})
	p.OK(l)
}
