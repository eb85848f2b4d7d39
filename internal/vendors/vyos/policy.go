package vyos

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// policy reads `policy { prefix-list[6], route-map, community-list,
// large-community-list, extcommunity-list, as-path-list, access-list[6] }`.
func (p *parser) policy(n *node) {
	for _, c := range n.kids {
		c.use()
		switch c.word {
		case "prefix-list", "prefix-list6":
			for _, l := range c.kids {
				p.prefixList(l, c.word == "prefix-list6")
			}
		case "route-map":
			for _, l := range c.kids {
				p.routeMap(l)
			}
		case "community-list", "large-community-list", "extcommunity-list":
			kind := map[string]string{"community-list": "", "large-community-list": "large-", "extcommunity-list": "extended-"}[c.word]
			for _, l := range c.kids {
				p.communityList(l, kind)
			}
		case "as-path-list":
			for _, l := range c.kids {
				p.asPathList(l)
			}
		case "access-list", "access-list6":
			for _, l := range c.kids {
				p.accessList(l, c.word == "access-list6")
			}
		default:
			c.used = false
			c.report("policy type not modelled")
		}
	}
}

// rules calls f on each `rule N { action permit|deny ... }` of n.
func (p *parser) rules(n *node, f func(seq int, permit bool, r *node)) {
	for _, c := range n.kids {
		if c.word == "description" {
			c.useAll()
			continue
		}
		if c.word != "rule" {
			c.report("policy option not modelled")
			continue
		}
		c.use()
		for _, r := range c.kids {
			seq, err := strconv.Atoi(r.word)
			action, _ := r.val("action")
			if err != nil || (action != "permit" && action != "deny") {
				r.report("rule without number or action")
				continue
			}
			r.use()
			r.ignore("description")
			f(seq, action == "permit", r)
			reportRest(r, "rule option not modelled")
		}
	}
}

func (p *parser) prefixList(l *node, v6 bool) {
	l.use()
	pl := model.PrefixList{Name: l.word, IPv6: v6, Pos: p.posOf(l)}
	pl.Description, _ = l.val("description")
	p.rules(l, func(seq int, permit bool, r *node) {
		e := model.PrefixListEntry{Seq: seq, Permit: permit, Pos: p.posOf(r)}
		v, _ := r.val("prefix")
		pf, err := netip.ParsePrefix(v)
		if err != nil {
			if c := r.child("prefix"); c != nil {
				c.used = false
			} else {
				// `rule N action permit` with no prefix (found by
				// FuzzParseVyOS: it used to panic).
				r.reject("rule without a prefix")
			}
			return
		}
		e.Prefix = pf
		if x, ok := p.num(r, "ge"); ok {
			e.GE = x.Value
		}
		if x, ok := p.num(r, "le"); ok {
			e.LE = x.Value
		}
		pl.Entries = append(pl.Entries, e)
	})
	p.r.PrefixLists = append(p.r.PrefixLists, pl)
}

func (p *parser) routeMap(l *node) {
	l.use()
	rm := model.RouteMap{Name: l.word, Pos: p.posOf(l)}
	p.rules(l, func(seq int, permit bool, r *node) {
		e := model.RouteMapEntry{Seq: seq, Permit: permit, Pos: p.posOf(r)}
		e.Description, _ = r.val("description")
		if m := r.child("match"); m != nil {
			m.use()
			e.Matches = p.clauses(m)
		}
		if s := r.child("set"); s != nil {
			s.use()
			e.Sets = p.clauses(s)
		}
		if v, ok := p.num(r, "continue"); ok {
			e.Continue = v.Value
		}
		e.Call, _ = r.val("call")
		if o := r.child("on-match"); o != nil {
			o.use()
			if o.has("next") {
				e.Continue = -1
			}
			if v, ok := p.num(o, "goto"); ok {
				e.Continue = v.Value
			}
		}
		rm.Entries = append(rm.Entries, e)
	})
	p.r.RouteMaps = append(p.r.RouteMaps, rm)
}

// clauses flattens a match or set subtree: each leaf value becomes a
// clause named by the words above it.
func (p *parser) clauses(n *node) []model.Clause {
	var out []model.Clause
	var walk func(x *node, what []string)
	walk = func(x *node, what []string) {
		x.use()
		if len(x.kids) == 0 {
			if len(what) == 0 {
				out = append(out, model.Clause{What: x.word, Pos: p.posOf(x)})
				return
			}
			out = append(out, model.Clause{What: strings.Join(what, " "), Values: []string{x.word}, Pos: p.posOf(x)})
			return
		}
		for _, k := range x.kids {
			walk(k, append(what[:len(what):len(what)], x.word))
		}
	}
	for _, k := range n.kids {
		walk(k, nil)
	}
	return out
}

func (p *parser) communityList(l *node, kind string) {
	l.use()
	cl := model.CommunityList{Name: l.word, Kind: kind + "expanded", Pos: p.posOf(l)}
	p.rules(l, func(seq int, permit bool, r *node) {
		v, ok := r.val("regex")
		if !ok {
			return
		}
		cl.Entries = append(cl.Entries, model.CommunityEntry{Permit: permit, Value: v, Pos: p.posOf(r)})
	})
	p.r.CommunityLists = append(p.r.CommunityLists, cl)
}

func (p *parser) asPathList(l *node) {
	l.use()
	al := model.ASPathList{Name: l.word, Pos: p.posOf(l)}
	p.rules(l, func(seq int, permit bool, r *node) {
		v, ok := r.val("regex")
		if !ok {
			return
		}
		al.Entries = append(al.Entries, model.ASPathEntry{Permit: permit, Regex: v, Pos: p.posOf(r)})
	})
	p.r.ASPathLists = append(p.r.ASPathLists, al)
}

// accessList reads `access-list N { rule M { action; source {any | host
// A | network A inverse-mask W}; destination {...} } }`, used by route
// filters (distribute-list, route-map match ip address).
func (p *parser) accessList(l *node, v6 bool) {
	l.use()
	acl := model.ACL{Name: l.word, IPv6: v6, Pos: p.posOf(l)}
	p.rules(l, func(seq int, permit bool, r *node) {
		ace := model.ACE{Seq: seq, Permit: permit, Pos: p.posOf(r), Text: r.path()}
		for _, side := range []string{"source", "destination"} {
			s := r.child(side)
			if s == nil {
				continue
			}
			s.use()
			spec := model.AddrSpec{Any: s.has("any")}
			if v, ok := s.val("host"); ok {
				spec.Addr, _ = netip.ParseAddr(v)
			}
			if v, ok := s.val("network"); ok {
				if pf, err := netip.ParsePrefix(v); err == nil {
					spec.Prefix = pf
				} else {
					spec.Addr, _ = netip.ParseAddr(v)
				}
			}
			if v, ok := s.val("inverse-mask"); ok {
				spec.Wildcard, _ = netip.ParseAddr(v)
			}
			spec.ExactMatch = s.has("exact-match")
			reportRest(s, "access-list match not modelled")
			if side == "source" {
				ace.Src = spec
			} else {
				ace.Dst = spec
				acl.Extended = true
			}
		}
		acl.Entries = append(acl.Entries, ace)
	})
	p.r.ACLs = append(p.r.ACLs, acl)
}
