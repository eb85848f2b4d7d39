package frr

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// staticRoute reads `ip route P NH|IF|blackhole|Null0|reject [IF]
// [DIST] [tag N] [vrf X] [nexthop-vrf Y] [onlink]` (staticd).
func (p *parser) staticRoute(l *line, v6 bool, vrf string) {
	w := l.words[2:]
	if len(w) < 2 {
		p.bad(l, "unknown static route syntax")
		return
	}
	pf, err := netip.ParsePrefix(w[0])
	if err != nil {
		p.bad(l, "unknown static route syntax")
		return
	}
	r := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), Pos: p.pos(l)}
	for i := 1; i < len(w); i++ {
		x := w[i]
		next := ""
		if i+1 < len(w) {
			next = w[i+1]
		}
		if a, err := netip.ParseAddr(x); err == nil && !r.NextHop.IsValid() {
			r.NextHop = a
			continue
		}
		switch {
		case x == "blackhole" || x == "Null0" || x == "null0":
			r.Blackhole = true
		case x == "reject":
			r.Reject = true
		case x == "tag":
			v, _ := strconv.ParseUint(next, 10, 32)
			r.Tag = uint32(v)
			i++
		case x == "vrf":
			r.VRF = next
			i++
		case x == "nexthop-vrf":
			r.NextHopVRF = next
			i++
		case x == "onlink" || x == "permanent":
		case x == "table" || x == "label" || x == "color" || x == "segments":
			p.bad(l, "static route option not modelled: "+x)
			return
		case isNumber(x):
			v, _ := strconv.Atoi(x)
			r.Distance = model.Set(v, p.pos(l))
		case r.Interface == "":
			r.Interface = x
		default:
			p.bad(l, "unknown static route syntax")
			return
		}
	}
	if !r.Distance.Known() {
		r.Distance = model.Default(1, "FRR staticd default distance 1 (staticd/static_vty.c)")
	}
	p.r.Statics = append(p.r.Statics, r)
	p.ok(l)
}

// prefixList reads `ip prefix-list NAME [seq N] permit|deny P|any [ge N]
// [le N]` and `... description TEXT`.
func (p *parser) prefixList(l *line, v6 bool) {
	w := l.words
	if len(w) < 4 {
		p.bad(l, "unknown prefix-list syntax")
		return
	}
	pl := p.r.PrefixList(w[2], v6)
	if pl == nil {
		p.r.PrefixLists = append(p.r.PrefixLists, model.PrefixList{Name: w[2], IPv6: v6, Pos: p.pos(l)})
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
		// lib/plist.c: without seq, entries are numbered 5, 10, 15 ...
		e.Seq = 5
		if n := len(pl.Entries); n > 0 {
			e.Seq = pl.Entries[n-1].Seq + 5
		}
	}
	if len(rest) < 2 || (rest[0] != "permit" && rest[0] != "deny") {
		p.bad(l, "unknown prefix-list syntax")
		return
	}
	e.Permit = rest[0] == "permit"
	if rest[1] == "any" {
		e.Any = true
	} else {
		pf, err := netip.ParsePrefix(rest[1])
		if err != nil {
			p.bad(l, "unknown prefix-list syntax")
			return
		}
		e.Prefix = pf
	}
	for i := 2; i < len(rest); i += 2 {
		if i+1 >= len(rest) {
			p.bad(l, "unknown prefix-list syntax")
			return
		}
		v, err := strconv.Atoi(rest[i+1])
		if err != nil || (rest[i] != "ge" && rest[i] != "le") {
			p.bad(l, "unknown prefix-list syntax")
			return
		}
		if rest[i] == "ge" {
			e.GE = v
		} else {
			e.LE = v
		}
	}
	pl.Entries = append(pl.Entries, e)
	p.ok(l)
}

// routeMap reads a `route-map NAME permit|deny SEQ` block.
func (p *parser) routeMap(l *line) {
	w := l.words
	if len(w) != 4 || (w[2] != "permit" && w[2] != "deny") || !isNumber(w[3]) {
		p.badAll(l, "unknown route-map syntax")
		return
	}
	p.ok(l)
	seq, _ := strconv.Atoi(w[3])
	e := model.RouteMapEntry{Seq: seq, Permit: w[2] == "permit", Pos: p.pos(l)}
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
		case "call":
			e.Call = k.word(1)
		case "on-match":
			e.Continue = -1
			if len(kw) == 3 && kw[1] == "goto" {
				e.Continue, _ = strconv.Atoi(kw[2])
			}
		case "continue":
			e.Continue = -1
			if len(kw) == 2 {
				e.Continue, _ = strconv.Atoi(kw[1])
			}
		case "exit":
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

func isClauseWord(s string) bool {
	switch s {
	case "ip", "ipv6", "address", "prefix-list", "next-hop", "route-source", "community", "extcommunity",
		"large-community", "as-path", "prepend", "local-preference", "metric", "metric-type", "tag",
		"weight", "origin", "interface", "source-protocol", "comm-list", "delete", "exact-match",
		"peer", "src", "additive", "source-vrf", "rpki", "evpn", "large-community-list", "access-list", "type":
		return true
	}
	return false
}

// bgpLists reads `bgp community-list`, `bgp large-community-list`, `bgp
// extcommunity-list` and `bgp as-path access-list`.
func (p *parser) bgpLists(l *line) bool {
	w := l.words
	if len(w) < 2 {
		return false
	}
	rest := w[2:]
	switch w[1] {
	case "community-list", "large-community-list", "extcommunity-list":
		kind := map[string]string{"community-list": "", "large-community-list": "large-", "extcommunity-list": "extended-"}[w[1]]
		k := "standard"
		if len(rest) > 0 && (rest[0] == "standard" || rest[0] == "expanded") {
			k, rest = rest[0], rest[1:]
		}
		if len(rest) >= 3 && rest[1] == "seq" {
			rest = append([]string{rest[0]}, rest[3:]...)
		}
		if len(rest) < 3 || (rest[1] != "permit" && rest[1] != "deny") {
			p.bad(l, "unknown community-list syntax")
			return true
		}
		var cl *model.CommunityList
		for i := range p.r.CommunityLists {
			if p.r.CommunityLists[i].Name == rest[0] {
				cl = &p.r.CommunityLists[i]
			}
		}
		if cl == nil {
			p.r.CommunityLists = append(p.r.CommunityLists, model.CommunityList{Name: rest[0], Kind: kind + k, Pos: p.pos(l)})
			cl = &p.r.CommunityLists[len(p.r.CommunityLists)-1]
		}
		cl.Entries = append(cl.Entries, model.CommunityEntry{Permit: rest[1] == "permit", Value: joinFrom(rest, 2), Pos: p.pos(l)})
	case "as-path":
		if len(rest) < 1 || rest[0] != "access-list" {
			return false
		}
		rest = rest[1:]
		if len(rest) >= 3 && rest[1] == "seq" {
			rest = append([]string{rest[0]}, rest[3:]...)
		}
		if len(rest) < 3 || (rest[1] != "permit" && rest[1] != "deny") {
			p.bad(l, "unknown as-path syntax")
			return true
		}
		var al *model.ASPathList
		for i := range p.r.ASPathLists {
			if p.r.ASPathLists[i].Name == rest[0] {
				al = &p.r.ASPathLists[i]
			}
		}
		if al == nil {
			p.r.ASPathLists = append(p.r.ASPathLists, model.ASPathList{Name: rest[0], Pos: p.pos(l)})
			al = &p.r.ASPathLists[len(p.r.ASPathLists)-1]
		}
		al.Entries = append(al.Entries, model.ASPathEntry{Permit: rest[1] == "permit", Regex: joinFrom(rest, 2), Pos: p.pos(l)})
	default:
		return false
	}
	p.ok(l)
	return true
}

// accessList reads zebra's `access-list NAME [seq N] permit|deny
// P|any|host A|A W [exact-match]` and `ipv6 access-list ...`.
func (p *parser) accessList(l *line, v6 bool) {
	w := l.words[1:]
	if v6 {
		w = l.words[2:]
	}
	if len(w) < 2 {
		p.bad(l, "unknown access-list syntax")
		return
	}
	name := w[0]
	acl := p.r.ACL(name, v6)
	if acl == nil {
		p.r.ACLs = append(p.r.ACLs, model.ACL{Name: name, IPv6: v6, Pos: p.pos(l)})
		acl = &p.r.ACLs[len(p.r.ACLs)-1]
	}
	rest := w[1:]
	if rest[0] == "remark" {
		acl.Remarks = append(acl.Remarks, joinFrom(rest, 1))
		p.ok(l)
		return
	}
	ace := model.ACE{Pos: p.pos(l), Text: strings.Join(rest, " ")}
	if len(rest) > 2 && rest[0] == "seq" {
		ace.Seq, _ = strconv.Atoi(rest[1])
		rest = rest[2:]
	}
	if len(rest) < 2 || (rest[0] != "permit" && rest[0] != "deny") {
		p.bad(l, "unknown access-list syntax")
		return
	}
	ace.Permit = rest[0] == "permit"
	rest = rest[1:]
	switch {
	case rest[0] == "any" && len(rest) == 1:
		ace.Src.Any = true
	case rest[0] == "host" && len(rest) == 2:
		a, err := netip.ParseAddr(rest[1])
		if err != nil {
			p.bad(l, "unknown access-list syntax")
			return
		}
		ace.Src.Addr = a
	default:
		pf, err := netip.ParsePrefix(rest[0])
		if err != nil {
			a, err1 := netip.ParseAddr(rest[0])
			if err1 != nil || len(rest) != 2 {
				p.bad(l, "unknown access-list syntax")
				return
			}
			wc, err2 := netip.ParseAddr(rest[1])
			if err2 != nil {
				p.bad(l, "unknown access-list syntax")
				return
			}
			ace.Src.Addr, ace.Src.Wildcard = a, wc
			break
		}
		ace.Src.Prefix = pf
		if len(rest) == 2 && rest[1] == "exact-match" {
			ace.Src.ExactMatch = true
		} else if len(rest) != 1 {
			p.bad(l, "unknown access-list syntax")
			return
		}
	}
	acl.Entries = append(acl.Entries, ace)
	p.ok(l)
}
