// Package frr reads FRRouting configurations (an integrated frr.conf or
// the per-daemon zebra.conf, ospfd.conf, ospf6d.conf, bgpd.conf,
// staticd.conf) into the vendor-neutral model, with the defaults of the
// `frr defaults` profile and version the file states. Every line is
// understood or reported; secrets are redacted when a line is read.
package frr

import (
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// Dialect is the name recorded in model.ConfigSource.Dialect.
const Dialect = "frr"

type line = cisco.Line

type parser struct {
	cisco.Lines
	dev     *model.Device
	r       *model.Router
	profile string
	version string
	ifVRF   map[string]string
	ospfIf  map[string]*ifOSPF
	procs   []*ospfProc
}

// contexts are the commands that open a node in vtysh; other lines at
// column 0 belong to the open node when they are not top-level commands
// (FRR's config reader falls back the same way).
var contexts = map[string]bool{
	"interface": true, "router": true, "route-map": true, "vrf": true, "key": true, "line": true,
	"segment-routing": true, "mpls": true, "bfd": true, "pbr-map": true, "nexthop-group": true,
	"rpki": true, "affinity-map": true,
}

// Detect reports whether data is an FRR (or Quagga) configuration: a `frr
// version` or `frr defaults` line, or FRR-only syntax (CIDR interface
// addresses, ospf6, `exit` closing blocks) without IOS markers.
func Detect(data []byte) bool {
	frr, ios := 0, 0
	forEachLine(data, func(s string) {
		t := strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(t, "frr version"), strings.HasPrefix(t, "frr defaults"):
			frr += 10
		case strings.HasPrefix(t, "ip address ") && strings.Contains(t, "/"),
			strings.HasPrefix(t, "router ospf6"), strings.HasPrefix(t, "ipv6 ospf6 "),
			s == "exit", strings.HasPrefix(t, "service integrated-vtysh-config"),
			strings.HasPrefix(t, "log file"), strings.HasPrefix(t, "log syslog"),
			strings.HasPrefix(t, "exit-vrf"):
			frr++
		case strings.HasPrefix(t, "version ") && len(t) > 8 && t[8] >= '0' && t[8] <= '9',
			strings.HasPrefix(t, "ip address ") && strings.Count(t, ".") >= 6,
			strings.HasPrefix(t, "boot-start-marker"), strings.HasPrefix(t, "service timestamps"):
			ios++
		}
	})
	return frr > 0 && frr >= ios
}

func forEachLine(data []byte, f func(string)) {
	s := string(data)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		var l string
		if i < 0 {
			l, s = s, ""
		} else {
			l, s = s[:i], s[i+1:]
		}
		f(strings.TrimRight(l, "\r"))
	}
}

// Parse reads an FRR configuration.
func Parse(file string, data []byte) (*model.Device, source.Notes) {
	p := &parser{Lines: cisco.Lines{File: file}, ifVRF: map[string]string{}, ospfIf: map[string]*ifOSPF{}}
	p.dev = &model.Device{Kind: model.KindRouter}
	p.r = &model.Router{Vendor: "frr", IPv6Routing: true, Config: model.ConfigSource{File: file, Dialect: Dialect}}
	p.dev.Router = p.r
	p.split(data)
	p.header()
	for _, l := range p.Roots {
		p.top(l)
	}
	p.resolveOSPF()
	p.finishBGP()
	p.r.Config.Understood += p.Finish()
	p.dev.Name = p.r.Hostname
	p.Notes.Sort()
	p.dev.Notes = p.Notes
	return p.dev, p.Notes
}

// split reads, redacts and nests the lines.
func (p *parser) split(data []byte) {
	var stack []*line
	var ctx *line // the open context at column 0
	forEachLine(data, func(s string) {
		l := p.Add()
		t, ok := p.Split(l, s, p.r)
		if !ok {
			return
		}
		if l.Indent == 0 {
			if t == "exit" || t == "exit-vrf" || t == "quit" {
				// closes the open context
				l.State = cisco.Understood
				ctx, stack = nil, nil
				return
			}
			if contexts[l.Words[0]] {
				ctx = l
				stack = []*line{l}
				p.Roots = append(p.Roots, l)
				return
			}
			if ctx != nil && !topLevel(l.Words) {
				// an unindented sub-command of the open context
				l.Indent = 1
			} else {
				ctx, stack = nil, nil
				p.Roots = append(p.Roots, l)
				return
			}
		}
		stack = p.Nest(stack, l)
	})
	p.r.Config.Lines = len(p.All)
}

// topLevel reports whether a column-0 line is a top-level command even
// inside a context.
func topLevel(w []string) bool {
	switch w[0] {
	case "hostname", "frr", "log", "service", "password", "enable", "ip", "ipv6", "debug",
		"agentx", "access-list", "bgp", "no", "fpm", "zebra", "allow-external-route-update", "end":
		return !(w[0] == "ip" && len(w) > 1 && (w[1] == "ospf" || w[1] == "address"))
	}
	return false
}

// header reads the version and profile lines first: they decide defaults.
func (p *parser) header() {
	// FRR's default profile is "traditional" unless the build chose
	// another (lib/defaults.c, configure --with-defaults).
	p.profile = "traditional"
	for _, l := range p.Roots {
		if l.Word(0) == "frr" && len(l.Words) == 3 {
			switch l.Word(1) {
			case "version":
				p.version = l.Word(2)
				p.r.Version = p.version
			case "defaults":
				p.profile = l.Word(2)
			}
		}
	}
}

func (p *parser) top(l *line) {
	w := l.Words
	switch w[0] {
	case "frr":
		if len(w) == 3 && (w[1] == "version" || w[1] == "defaults") {
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
		p.router(l, "")
		return
	case "vrf":
		p.vrf(l)
		return
	case "route-map":
		p.routeMap(l)
		return
	case "ip", "ipv6":
		if p.topIP(l, "") {
			return
		}
	case "access-list":
		p.accessList(l, false)
		return
	case "bgp":
		if p.bgpLists(l) {
			return
		}
	case "no":
		if len(w) == 3 && w[1] == "ipv6" && w[2] == "forwarding" {
			p.r.IPv6Routing = false
			p.OK(l)
			return
		}
		if len(w) >= 3 && w[1] == "ip" && w[2] == "forwarding" {
			p.Bad(l, "IPv4 forwarding switched off: not modelled")
			return
		}
	case "log", "service", "password", "enable", "debug", "line", "key", "agentx", "allow-external-route-update", "zebra", "fpm", "username":
		// Logging, vty access (passwords redacted), key chains (keys
		// redacted), debugging: no effect on forwarding.
		p.OKAll(l)
		return
	}
	if len(w) >= 2 && w[0] == "ip" && w[1] == "forwarding" || len(w) >= 2 && w[0] == "ipv6" && w[1] == "forwarding" {
		p.OK(l)
		return
	}
	p.BadAll(l, "unknown command")
}

// topIP handles `ip route`, `ip prefix-list`, `ipv6 ...` at top level or
// in a vrf block.
func (p *parser) topIP(l *line, vrf string) bool {
	w := l.Words
	if len(w) < 2 {
		return false
	}
	v6 := w[0] == "ipv6"
	switch w[1] {
	case "route":
		p.staticRoute(l, v6, vrf)
		return true
	case "prefix-list":
		p.prefixList(l, v6)
		return true
	case "access-list":
		if v6 {
			p.accessList(l, true)
			return true
		}
	case "nht", "import-table", "protocol", "table":
		p.OK(l)
		return true
	case "forwarding":
		p.OK(l)
		return true
	}
	return false
}

// vrf reads a `vrf NAME` block.
func (p *parser) vrf(l *line) {
	if len(l.Words) != 2 {
		p.BadAll(l, "unknown vrf syntax")
		return
	}
	p.OK(l)
	name := l.Words[1]
	if p.r.VRF(name) == nil {
		p.r.VRFs = append(p.r.VRFs, model.VRF{Name: name, IPv4: true, IPv6: true, Pos: p.Pos(l)})
	}
	for _, k := range l.Kids {
		switch k.Word(0) {
		case "ip", "ipv6":
			if p.topIP(k, name) {
				continue
			}
		case "exit-vrf":
			p.OK(k)
			continue
		case "vni":
			p.Bad(k, "EVPN is not modelled")
			continue
		}
		p.BadAll(k, "unknown vrf command")
	}
}

// router dispatches `router ospf|ospf6|bgp`.
func (p *parser) router(l *line, _ string) {
	w := l.Words
	vrf := ""
	if n := len(w); n >= 4 && w[n-2] == "vrf" {
		vrf, w = w[n-1], w[:n-2]
	}
	switch {
	case len(w) == 2 && w[1] == "ospf":
		p.routerOSPF(l, 2, vrf)
	case len(w) == 3 && w[1] == "ospf" && cisco.IsNumber(w[2]):
		p.routerOSPF(l, 2, vrf)
	case len(w) == 2 && w[1] == "ospf6":
		p.routerOSPF(l, 3, vrf)
	case len(w) == 3 && w[1] == "bgp":
		p.routerBGP(l, w[2], vrf)
	default:
		p.BadAll(l, "routing protocol not modelled")
	}
}

func joinFrom(w []string, i int) string {
	if i >= len(w) {
		return ""
	}
	return strings.Join(w[i:], " ")
}
