// Package vyos reads VyOS configurations into the vendor-neutral model:
// config.boot files of every generation (Vyatta-derived 1.0-1.1 with a
// vyatta-config-version footer, 1.2 and later with a vyos-config-version
// footer) and `show configuration commands` lists of `set` lines. Syntax
// that moved between releases is accepted in both places; behaviour that
// differs by release (defaults, rendering to Quagga/FRR) is keyed off the
// footer. Every line is understood or reported; secrets are redacted when
// a line is read.
package vyos

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// Dialect names.
const (
	DialectBoot = "vyos-config.boot"
	DialectSet  = "vyos-set"
)

// Generations of VyOS configuration.
const (
	// GenVyatta is VyOS 1.0-1.1 (and early 1.2 builds): vyatta-cfg,
	// Quagga, a vyatta-config-version footer.
	GenVyatta = "vyatta"
	// GenVyOS is VyOS 1.2 and later: vyos-1x, FRR, a vyos-config-version
	// footer.
	GenVyOS = "vyos"
)

var topWords = map[string]bool{
	"interfaces": true, "protocols": true, "system": true, "service": true, "firewall": true,
	"nat": true, "policy": true, "vpn": true, "high-availability": true, "vrf": true,
	"load-balancing": true, "qos": true, "traffic-policy": true, "container": true, "pki": true,
	"zone-policy": true, "cluster": true, "nat66": true,
}

// Detect reports whether data is a VyOS config.boot or a `set` command
// list.
func Detect(data []byte) bool {
	if bytes.Contains(data, []byte("vyatta-config-version")) || bytes.Contains(data, []byte("vyos-config-version")) {
		return true
	}
	_, ok := detectForm(data)
	return ok
}

// detectForm tells config.boot from a `set` list by the first
// significant line.
func detectForm(data []byte) (set bool, ok bool) {
	found := false
	forEachLine(data, func(s string) {
		if found {
			return
		}
		t := strings.TrimSpace(s)
		if t == "" || strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") {
			return
		}
		found = true
		f := strings.Fields(t)
		switch {
		case len(f) >= 2 && f[0] == "set" && topWords[f[1]]:
			set, ok = true, true
		case len(f) == 2 && f[1] == "{" && topWords[f[0]]:
			ok = true
		}
	})
	return set, ok
}

var (
	reVyatta  = regexp.MustCompile(`vyatta-config-version: "([^"]*)"`)
	reVyOS    = regexp.MustCompile(`vyos-config-version: "([^"]*)"`)
	reRelease = regexp.MustCompile(`Release version: *([^\s*/]+(?: [^\s*/]+)?)`)
)

// parser is one Parse.
type parser struct {
	file  string
	t     *tree
	dev   *model.Device
	r     *model.Router
	gen   string
	notes source.Notes
	// per-interface OSPF settings by interface name, and the interfaces
	// in order with their raw facts.
	ifs    []*ifRaw
	ospfIf map[string]*ifOSPF
	bondOf map[string]string
	first  map[*node]int
	// ospf holds the processes being read, by VRF and version.
	ospf []*ospfProc
}

// Parse reads a VyOS config.boot or `set` list.
func Parse(file string, data []byte) (*model.Device, source.Notes) {
	set, _ := detectForm(data)
	p := &parser{file: file, ospfIf: map[string]*ifOSPF{}, bondOf: map[string]string{}}
	p.dev = &model.Device{Kind: model.KindRouter}
	p.r = &model.Router{Vendor: "vyos", IPv6Routing: true, Config: model.ConfigSource{File: file, Dialect: DialectBoot}}
	p.dev.Router = p.r
	if set {
		p.r.Config.Dialect = DialectSet
		p.t = readSet(file, data)
	} else {
		p.t = readBoot(file, data)
	}
	p.r.Secrets = p.t.secrets
	p.footer(data)
	p.walk()
	p.finish()
	p.dev.Name = p.r.Hostname
	p.notes.Sort()
	p.dev.Notes = p.notes
	return p.dev, p.notes
}

// footer reads the version footer: the generation, the component
// versions and the release.
func (p *parser) footer(data []byte) {
	var comps string
	if m := reVyatta.FindSubmatch(data); m != nil {
		p.gen, comps = GenVyatta, string(m[1])
	} else if m := reVyOS.FindSubmatch(data); m != nil {
		p.gen, comps = GenVyOS, string(m[1])
	}
	p.r.Config.Generation = p.gen
	if comps != "" {
		p.r.Config.Components = map[string]int{}
		for _, c := range strings.Split(comps, ":") {
			name, v, ok := strings.Cut(c, "@")
			if n, err := strconv.Atoi(v); ok && err == nil {
				p.r.Config.Components[name] = n
			}
		}
	}
	if m := reRelease.FindSubmatch(data); m != nil {
		p.r.Version = strings.TrimPrefix(string(m[1]), "VyOS ")
	}
	if p.r.Version == "VyOS" {
		p.r.Version = ""
	}
}

// component returns the version of a footer component, -1 when unknown.
func (p *parser) component(name string) int {
	if p.r.Config.Components == nil {
		return -1
	}
	if v, ok := p.r.Config.Components[name]; ok {
		return v
	}
	return 0
}

// walk interprets the top level.
func (p *parser) walk() {
	root := p.t.root
	for _, top := range root.kids {
		top.use()
		switch top.word {
		case "interfaces":
			p.interfaces(top)
		case "protocols":
			p.protocols(top, "")
		case "system":
			p.system(top)
		case "service":
			// Services on the box itself (ssh, ntp, dns, dhcp, snmp with its
			// communities redacted, https, lldp ...): no effect on forwarding
			// or routing.
			top.useAll()
		case "policy":
			p.policy(top)
		case "vrf":
			p.vrfs(top)
		case "firewall", "nat", "nat66", "zone-policy":
			top.used = false
			top.report(top.word + " is parsed but not modelled yet")
		default:
			top.used = false
			top.report(top.word + " is not modelled")
		}
	}
	p.resolveInterfaces()
	p.resolveOSPF()
	p.finishBGP()
}

// finish reports every line whose node was not understood and counts.
func (p *parser) finish() {
	total := len(p.t.lineEnd)
	p.r.Config.Lines = total
	for i, n := range p.t.lineEnd {
		line := i + 1
		pos := source.Pos{File: p.file, Line: line}
		if why, bad := p.t.bad[line]; bad {
			p.notes.Add(pos, p.t.badText[line], why)
			continue
		}
		if n == nil || n.used {
			p.r.Config.Understood++
			continue
		}
		why := n.why
		if why == "" {
			why = "unknown configuration node"
		}
		p.notes.Add(pos, n.path(), why)
	}
}
