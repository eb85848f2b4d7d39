package frr

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// staticRoute reads `ip route P NH|IF|blackhole|Null0|reject [IF]
// [DIST] [tag N] [vrf X] [nexthop-vrf Y] [onlink]` (staticd).
func (p *parser) staticRoute(l *line, v6 bool, vrf string) {
	w := l.Words[2:]
	if len(w) < 2 {
		p.Bad(l, "unknown static route syntax")
		return
	}
	pf, err := netip.ParsePrefix(w[0])
	if err != nil {
		p.Bad(l, "unknown static route syntax")
		return
	}
	r := model.StaticRoute{VRF: vrf, Prefix: pf.Masked(), Pos: p.Pos(l)}
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
			p.Bad(l, "static route option not modelled: "+x)
			return
		case cisco.IsNumber(x):
			v, _ := strconv.Atoi(x)
			r.Distance = model.Set(v, p.Pos(l))
		case r.Interface == "":
			r.Interface = x
		default:
			p.Bad(l, "unknown static route syntax")
			return
		}
	}
	if !r.Distance.Known() {
		r.Distance = model.Default(1, "FRR staticd default distance 1 (staticd/static_vty.c)")
	}
	p.r.Statics = append(p.r.Statics, r)
	p.OK(l)
}

// prefixList reads `ip prefix-list NAME [seq N] permit|deny P|any [ge N]
// [le N]` and `... description TEXT`.
func (p *parser) prefixList(l *line, v6 bool) {
	p.Mark(l, cisco.PrefixList(p.r, l.Words, v6, p.Pos(l), &policySyntax))
}

// policySyntax is how FRR reads the policy syntax it shares with IOS.
var policySyntax = cisco.Dialect{
	PrefixAnyBounds: true,
	PrefixEntryWhy:  "unknown prefix-list syntax",
	RouteMapFlow:    true,
	ClauseWords:     cisco.ClauseWords("src", "source-vrf", "rpki", "evpn", "large-community-list", "access-list", "type"),
}

// routeMap reads a `route-map NAME permit|deny SEQ` block.
func (p *parser) routeMap(l *line) {
	w := l.Words
	if len(w) != 4 || (w[2] != "permit" && w[2] != "deny") || !cisco.IsNumber(w[3]) {
		p.BadAll(l, "unknown route-map syntax")
		return
	}
	p.OK(l)
	seq, _ := strconv.Atoi(w[3])
	e := model.RouteMapEntry{Seq: seq, Permit: w[2] == "permit", Pos: p.Pos(l)}
	p.RouteMapEntry(p.r, l, e, &policySyntax)
}

// bgpLists reads `bgp community-list`, `bgp large-community-list`, `bgp
// extcommunity-list` and `bgp as-path access-list`.
func (p *parser) bgpLists(l *line) bool {
	w := l.Words
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
			p.Bad(l, "unknown community-list syntax")
			return true
		}
		cl := cisco.CommunityList(p.r, rest[0], kind+k, p.Pos(l))
		cl.Entries = append(cl.Entries, model.CommunityEntry{Permit: rest[1] == "permit", Value: joinFrom(rest, 2), Pos: p.Pos(l)})
	case "as-path":
		if len(rest) < 1 || rest[0] != "access-list" {
			return false
		}
		rest = rest[1:]
		if len(rest) >= 3 && rest[1] == "seq" {
			rest = append([]string{rest[0]}, rest[3:]...)
		}
		if len(rest) < 3 || (rest[1] != "permit" && rest[1] != "deny") {
			p.Bad(l, "unknown as-path syntax")
			return true
		}
		al := cisco.ASPathList(p.r, rest[0], p.Pos(l))
		al.Entries = append(al.Entries, model.ASPathEntry{Permit: rest[1] == "permit", Regex: joinFrom(rest, 2), Pos: p.Pos(l)})
	default:
		return false
	}
	p.OK(l)
	return true
}

// accessList reads zebra's `access-list NAME [seq N] permit|deny
// P|any|host A|A W [exact-match]` and `ipv6 access-list ...`.
func (p *parser) accessList(l *line, v6 bool) {
	w := l.Words[1:]
	if v6 {
		w = l.Words[2:]
	}
	if len(w) < 2 {
		p.Bad(l, "unknown access-list syntax")
		return
	}
	name := w[0]
	acl := p.r.ACL(name, v6)
	if acl == nil {
		p.r.ACLs = append(p.r.ACLs, model.ACL{Name: name, IPv6: v6, Pos: p.Pos(l)})
		acl = &p.r.ACLs[len(p.r.ACLs)-1]
	}
	rest := w[1:]
	if rest[0] == "remark" {
		acl.Remarks = append(acl.Remarks, joinFrom(rest, 1))
		p.OK(l)
		return
	}
	ace := model.ACE{Pos: p.Pos(l), Text: strings.Join(rest, " ")}
	if len(rest) > 2 && rest[0] == "seq" {
		ace.Seq, _ = strconv.Atoi(rest[1])
		rest = rest[2:]
	}
	if len(rest) < 2 || (rest[0] != "permit" && rest[0] != "deny") {
		p.Bad(l, "unknown access-list syntax")
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
			p.Bad(l, "unknown access-list syntax")
			return
		}
		ace.Src.Addr = a
	default:
		pf, err := netip.ParsePrefix(rest[0])
		if err != nil {
			a, err1 := netip.ParseAddr(rest[0])
			if err1 != nil || len(rest) != 2 {
				p.Bad(l, "unknown access-list syntax")
				return
			}
			wc, err2 := netip.ParseAddr(rest[1])
			if err2 != nil {
				p.Bad(l, "unknown access-list syntax")
				return
			}
			ace.Src.Addr, ace.Src.Wildcard = a, wc
			break
		}
		ace.Src.Prefix = pf
		if len(rest) == 2 && rest[1] == "exact-match" {
			ace.Src.ExactMatch = true
		} else if len(rest) != 1 {
			p.Bad(l, "unknown access-list syntax")
			return
		}
	}
	acl.Entries = append(acl.Entries, ace)
	p.OK(l)
}
