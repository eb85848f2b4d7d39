// Package ios reads Cisco IOS and IOS-XE running configurations into the
// vendor-neutral model: interfaces, VRFs, OSPF, BGP, static routes, access
// lists and routing policy. Every line is either understood or reported
// as a note; secrets are redacted when the line is read, so no value of a
// password, key or community ever reaches the model, a note or an error.
package ios

import (
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// Dialect is the name Parse records in model.ConfigSource.Dialect.
const Dialect = "ios"

// line is one input line, already redacted and split into words.
type line = cisco.Line

// parser holds the state of one Parse: the lines, marked and noted
// through the methods of cisco.Lines.
type parser struct {
	cisco.Lines
	dev *model.Device
	r   *model.Router
	// raw per-interface OSPF settings, resolved into processes at the end.
	ospfIf map[string]*ifOSPF
	// ospfProcs parallels r.OSPF with what resolution needs.
	ospfProcs []*ospfProc
}

// Detect reports whether data looks like an IOS or IOS-XE running
// configuration. It is lenient: the dialect list asks VyOS and FRR first.
func Detect(data []byte) bool {
	score := 0
	forEachLine(data, func(s string) bool {
		t := strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(t, "version ") && len(t) > 8 && t[8] >= '0' && t[8] <= '9':
			score += 3
		case strings.HasPrefix(t, "Current configuration"), strings.HasPrefix(t, "Building configuration"),
			t == "boot-start-marker", strings.HasPrefix(t, "service timestamps"):
			score += 3
		case strings.HasPrefix(s, "interface ") || strings.HasPrefix(s, "hostname ") ||
			strings.HasPrefix(s, "router ") || strings.HasPrefix(s, "ip route ") ||
			strings.HasPrefix(s, "access-list ") || strings.HasPrefix(s, "ip access-list "):
			score++
		case strings.HasPrefix(t, "ip address ") && strings.Count(t, ".") >= 6:
			score += 2
		}
		return score < 3
	})
	return score >= 2
}

// forEachLine calls f on every line of data until f returns false.
func forEachLine(data []byte, f func(string) bool) {
	s := string(data)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		var l string
		if i < 0 {
			l, s = s, ""
		} else {
			l, s = s[:i], s[i+1:]
		}
		if !f(strings.TrimRight(l, "\r")) {
			return
		}
	}
}

// Parse reads an IOS running configuration. file names it in positions.
func Parse(file string, data []byte) (*model.Device, source.Notes) {
	p := &parser{Lines: cisco.Lines{File: file}, ospfIf: map[string]*ifOSPF{}}
	p.dev = &model.Device{Kind: model.KindRouter}
	p.r = &model.Router{Vendor: "ios", Config: model.ConfigSource{File: file, Dialect: Dialect}}
	p.dev.Router = p.r
	p.split(data)
	p.walk()
	p.resolveTunnels()
	p.resolveOSPF()
	p.finish()
	p.dev.Name = p.r.Hostname
	p.Notes.Sort()
	p.dev.Notes = p.Notes
	return p.dev, p.Notes
}

// split reads the lines, redacts them and builds the indentation tree.
// Comment, blank and banner lines are understood here.
func (p *parser) split(data []byte) {
	var stack []*line
	var banner string // delimiter while inside a banner
	forEachLine(data, func(s string) bool {
		l := p.Add()
		if banner != "" {
			l.State = cisco.Understood
			if strings.Contains(s, banner) {
				banner = ""
			}
			return true
		}
		t, ok := p.Split(l, s, p.r)
		if !ok {
			return true
		}
		if l.Words[0] == "banner" {
			l.State = cisco.Understood
			banner = bannerDelim(t)
			return true
		}
		stack = p.Nest(stack, l)
		return true
	})
	p.r.Config.Lines = len(p.All)
}

// bannerDelim returns the delimiter a banner line leaves open, or "" when
// the banner ends on the same line. IOS prints the delimiter as "^C".
func bannerDelim(t string) string {
	f := strings.Fields(t)
	if len(f) < 2 {
		return ""
	}
	rest := strings.TrimSpace(t[strings.Index(t, f[1])+len(f[1]):])
	if rest == "" {
		return ""
	}
	d := rest[:1]
	if strings.HasPrefix(rest, "^C") {
		d = "^C"
	}
	if strings.Contains(rest[len(d):], d) {
		return ""
	}
	return d
}

// finish reports every line nothing claimed and counts the understood.
func (p *parser) finish() {
	p.r.Config.Understood += p.Finish()
}

// walk dispatches the top-level commands.
func (p *parser) walk() {
	for _, l := range p.Roots {
		p.top(l)
	}
}

func (p *parser) top(l *line) {
	w := l.Words
	switch w[0] {
	case "version":
		if len(w) == 2 {
			p.r.Version = w[1]
			p.OK(l)
			return
		}
	case "hostname":
		if len(w) == 2 {
			p.r.Hostname = w[1]
			p.OK(l)
			return
		}
	case "interface":
		p.iface(l)
		return
	case "router":
		p.router(l)
		return
	case "vrf":
		if len(w) == 3 && w[1] == "definition" {
			p.vrfDef(l, false)
			return
		}
	case "access-list":
		p.numberedACL(l)
		return
	case "route-map":
		p.routeMap(l)
		return
	case "ip":
		if p.topIP(l) {
			return
		}
	case "ipv6":
		if p.topIPv6(l) {
			return
		}
	case "enable", "username":
		// Redacted when read; the fact is in Router.Secrets.
		p.OKAll(l)
		return
	case "line":
		p.lineBlock(l)
		return
	case "snmp-server":
		p.snmp(l)
		return
	case "key":
		if len(w) == 3 && w[1] == "chain" {
			p.keyChain(l)
			return
		}
	}
	if why, ok := ignored(w); ok {
		_ = why
		p.OKAll(l)
		return
	}
	if why := notModelled(w); why != "" {
		p.BadAll(l, why)
		return
	}
	p.BadAll(l, "unknown command")
}

// topIP handles the top-level `ip ...` commands farend models.
func (p *parser) topIP(l *line) bool {
	w := l.Words
	if len(w) < 2 {
		return false
	}
	switch w[1] {
	case "vrf":
		if len(w) == 3 {
			p.vrfDef(l, true)
			return true
		}
	case "route":
		p.staticRoute(l, false)
		return true
	case "access-list":
		p.namedACL(l, false)
		return true
	case "prefix-list":
		p.prefixList(l, false)
		return true
	case "community-list":
		p.communityList(l)
		return true
	case "extcommunity-list":
		p.communityList(l)
		return true
	case "as-path":
		p.asPathList(l)
		return true
	case "routing":
		if len(w) == 2 {
			p.OK(l)
			return true
		}
	}
	return false
}

// topIPv6 handles the top-level `ipv6 ...` commands farend models.
func (p *parser) topIPv6(l *line) bool {
	w := l.Words
	if len(w) < 2 {
		return false
	}
	switch w[1] {
	case "unicast-routing":
		p.r.IPv6Routing = true
		p.OK(l)
		return true
	case "route":
		p.staticRoute(l, true)
		return true
	case "access-list":
		p.namedACL(l, true)
		return true
	case "prefix-list":
		p.prefixList(l, true)
		return true
	case "router":
		if len(w) >= 4 && w[2] == "ospf" {
			p.routerOSPF(l, 3, w[3], "")
			return true
		}
	}
	return false
}

// router dispatches `router ...` blocks.
func (p *parser) router(l *line) {
	w := l.Words
	if len(w) >= 3 {
		switch w[1] {
		case "ospf":
			vrf := ""
			if len(w) == 5 && w[3] == "vrf" {
				vrf = w[4]
			} else if len(w) != 3 {
				break
			}
			p.routerOSPF(l, 2, w[2], vrf)
			return
		case "ospfv3":
			if len(w) == 3 {
				p.routerOSPF(l, 3, w[2], "")
				return
			}
		case "bgp":
			if len(w) == 3 {
				p.routerBGP(l)
				return
			}
		}
	}
	p.BadAll(l, "routing protocol not modelled")
}

// lineBlock handles `line con 0`, `line vty 0 4` ...: management access,
// no effect on forwarding. `access-class` is recorded as an ACL use.
func (p *parser) lineBlock(l *line) {
	p.OK(l)
	where := l.Text()
	for _, k := range l.Kids {
		if k.Word(0) == "access-class" && len(k.Words) >= 3 {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: k.Words[1], Where: where, Direction: k.Words[2], Pos: p.Pos(k)})
			p.OK(k)
			continue
		}
		if k.Word(0) == "ipv6" && k.Word(1) == "access-class" && len(k.Words) >= 4 {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: k.Words[2], IPv6: true, Where: where, Direction: k.Words[3], Pos: p.Pos(k)})
			p.OK(k)
			continue
		}
		p.OKAll(k)
	}
}

// snmp handles snmp-server lines (communities are redacted when read); an
// ACL named after the community is an ACL use.
func (p *parser) snmp(l *line) {
	w := l.Words
	if len(w) >= 5 && w[1] == "community" {
		last := w[len(w)-1]
		if last != "RO" && last != "RW" && last != "ro" && last != "rw" {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: last, Where: "snmp community", Pos: p.Pos(l)})
		}
	}
	p.OKAll(l)
}

// keyChain handles `key chain NAME` blocks; key strings are redacted.
func (p *parser) keyChain(l *line) {
	p.OKAll(l)
}
