// Package ios reads Cisco IOS and IOS-XE running configurations into the
// vendor-neutral model: interfaces, VRFs, OSPF, BGP, static routes, access
// lists and routing policy. Every line is either understood or reported
// as a note; secrets are redacted when the line is read, so no value of a
// password, key or community ever reaches the model, a note or an error.
package ios

import (
	secrets "farend/internal/vendors/secret"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// Dialect is the name Parse records in model.ConfigSource.Dialect.
const Dialect = "ios"

// line is one input line, already redacted and split into words.
type line struct {
	num    int
	indent int
	words  []string
	kids   []*line
	state  uint8 // 0 unmarked, 1 understood, 2 noted
}

func (l *line) text() string { return strings.Join(l.words, " ") }

// word returns the i-th word or "".
func (l *line) word(i int) string {
	if i < len(l.words) {
		return l.words[i]
	}
	return ""
}

// parser holds the state of one Parse.
type parser struct {
	file  string
	lines []*line
	roots []*line
	notes source.Notes
	dev   *model.Device
	r     *model.Router
	// raw per-interface OSPF settings, resolved into processes at the end.
	ospfIf map[string]*ifOSPF
	// ospfProcs parallels r.OSPF with what resolution needs.
	ospfProcs []*ospfProc
}

func (p *parser) pos(l *line) source.Pos { return source.Pos{File: p.file, Line: l.num} }

// ok marks l understood.
func (p *parser) ok(l *line) {
	if l.state == 0 {
		l.state = 1
	}
}

// okAll marks l and all its descendants understood.
func (p *parser) okAll(l *line) {
	p.ok(l)
	for _, k := range l.kids {
		p.okAll(k)
	}
}

// bad reports l as not understood, with why.
func (p *parser) bad(l *line, why string) {
	if l.state == 2 {
		return
	}
	l.state = 2
	p.notes.Add(p.pos(l), l.text(), why)
}

// badAll reports l and its descendants.
func (p *parser) badAll(l *line, why string) {
	p.bad(l, why)
	for _, k := range l.kids {
		p.badAll(k, why)
	}
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
	p := &parser{file: file, ospfIf: map[string]*ifOSPF{}}
	p.dev = &model.Device{Kind: model.KindRouter}
	p.r = &model.Router{Vendor: "ios", Config: model.ConfigSource{File: file, Dialect: Dialect}}
	p.dev.Router = p.r
	p.split(data)
	p.walk()
	p.resolveTunnels()
	p.resolveOSPF()
	p.finish()
	p.dev.Name = p.r.Hostname
	p.notes.Sort()
	p.dev.Notes = p.notes
	return p.dev, p.notes
}

// split reads the lines, redacts them and builds the indentation tree.
// Comment, blank and banner lines are understood here.
func (p *parser) split(data []byte) {
	var stack []*line
	var banner string // delimiter while inside a banner
	n := 0
	forEachLine(data, func(s string) bool {
		n++
		l := &line{num: n}
		p.lines = append(p.lines, l)
		if banner != "" {
			l.state = 1
			if strings.Contains(s, banner) {
				banner = ""
			}
			return true
		}
		indent := 0
		for indent < len(s) && (s[indent] == ' ' || s[indent] == '\t') {
			indent++
		}
		t := s[indent:]
		if t == "" || t[0] == '!' || t[0] == '#' || t == "end" ||
			strings.HasPrefix(t, "Building configuration") || strings.HasPrefix(t, "Current configuration") {
			l.state = 1
			return true
		}
		l.indent = indent
		l.words = strings.Fields(t)
		if len(l.words) == 0 {
			l.state = 1 // other white space only
			return true
		}
		var secret string
		if l.words, secret = secrets.Redact(l.words); secret != "" {
			p.r.Secrets = append(p.r.Secrets, model.Secret{What: secret, Pos: p.pos(l)})
		}
		if l.words[0] == "banner" {
			l.state = 1
			banner = bannerDelim(t)
			return true
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			p.roots = append(p.roots, l)
		} else {
			par := stack[len(stack)-1]
			par.kids = append(par.kids, l)
		}
		stack = append(stack, l)
		return true
	})
	p.r.Config.Lines = n
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
	for _, l := range p.lines {
		if l.state == 0 {
			p.bad(l, "unknown command")
		}
		if l.state == 1 {
			p.r.Config.Understood++
		}
	}
}

// walk dispatches the top-level commands.
func (p *parser) walk() {
	for _, l := range p.roots {
		p.top(l)
	}
}

func (p *parser) top(l *line) {
	w := l.words
	switch w[0] {
	case "version":
		if len(w) == 2 {
			p.r.Version = w[1]
			p.ok(l)
			return
		}
	case "hostname":
		if len(w) == 2 {
			p.r.Hostname = w[1]
			p.ok(l)
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
		p.okAll(l)
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
		p.okAll(l)
		return
	}
	if why := notModelled(w); why != "" {
		p.badAll(l, why)
		return
	}
	p.badAll(l, "unknown command")
}

// topIP handles the top-level `ip ...` commands farend models.
func (p *parser) topIP(l *line) bool {
	w := l.words
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
			p.ok(l)
			return true
		}
	}
	return false
}

// topIPv6 handles the top-level `ipv6 ...` commands farend models.
func (p *parser) topIPv6(l *line) bool {
	w := l.words
	if len(w) < 2 {
		return false
	}
	switch w[1] {
	case "unicast-routing":
		p.r.IPv6Routing = true
		p.ok(l)
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
	w := l.words
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
	p.badAll(l, "routing protocol not modelled")
}

// lineBlock handles `line con 0`, `line vty 0 4` ...: management access,
// no effect on forwarding. `access-class` is recorded as an ACL use.
func (p *parser) lineBlock(l *line) {
	p.ok(l)
	where := l.text()
	for _, k := range l.kids {
		if k.word(0) == "access-class" && len(k.words) >= 3 {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: k.words[1], Where: where, Direction: k.words[2], Pos: p.pos(k)})
			p.ok(k)
			continue
		}
		if k.word(0) == "ipv6" && k.word(1) == "access-class" && len(k.words) >= 4 {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: k.words[2], IPv6: true, Where: where, Direction: k.words[3], Pos: p.pos(k)})
			p.ok(k)
			continue
		}
		p.okAll(k)
	}
}

// snmp handles snmp-server lines (communities are redacted when read); an
// ACL named after the community is an ACL use.
func (p *parser) snmp(l *line) {
	w := l.words
	if len(w) >= 5 && w[1] == "community" {
		last := w[len(w)-1]
		if last != "RO" && last != "RW" && last != "ro" && last != "rw" {
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: last, Where: "snmp community", Pos: p.pos(l)})
		}
	}
	p.okAll(l)
}

// keyChain handles `key chain NAME` blocks; key strings are redacted.
func (p *parser) keyChain(l *line) {
	p.okAll(l)
}
