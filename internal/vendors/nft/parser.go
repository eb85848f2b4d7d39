package nft

import (
	"fmt"
	"sort"
	"strings"

	nf "farend/internal/netfilter"
	"farend/internal/source"
)

// families maps nft's family names to the model's.
var families = map[string]nf.Family{
	"ip": nf.IPv4, "ip6": nf.IPv6, "inet": nf.Inet,
	"bridge": nf.Bridge, "arp": nf.ARP, "netdev": nf.Netdev,
}

// modelled reports whether farend traces packets through tables of f.
func modelled(f nf.Family) bool { return f == nf.IPv4 || f == nf.IPv6 || f == nf.Inet }

type tableKey struct {
	fam  nf.Family
	name string
}

// parser is the state of one Parse call.
type parser struct {
	file     string
	notes    source.Notes
	rulesets []*nf.Ruleset
	byFam    map[nf.Family]*nf.Ruleset
	tables   map[tableKey]*nf.Table
	version  string
	// understood[i] is set when object i was taken into the model;
	// noted[i] when a note names it.
	understood, noted map[int]bool
	// xtRules counts the rules with xt expressions per table.
	xtRules map[*nf.Table]int
}

func newParser(file string) *parser {
	return &parser{
		file:       file,
		byFam:      map[nf.Family]*nf.Ruleset{},
		tables:     map[tableKey]*nf.Table{},
		understood: map[int]bool{},
		noted:      map[int]bool{},
		xtRules:    map[*nf.Table]int{},
	}
}

func (p *parser) pos(i int) source.Pos { return source.Pos{File: p.file, Index: i} }

// note reports part of object i as not understood.
func (p *parser) note(i int, text, why string) {
	p.noted[i] = true
	p.notes.Add(p.pos(i), text, why)
}

// load takes the objects into the model: tables, chains, sets and
// objects first, then set elements, then rules (which refer to all of
// them).
func (p *parser) load(objs []any) {
	var elems, rules []int
	for i, o := range objs {
		kind, body, ok := single(o)
		if !ok {
			p.note(i, compact(o), "not an object with one key")
			continue
		}
		m, isObj := obj(body)
		switch kind {
		case "metainfo":
			if isObj {
				p.version, _ = str(m, "version")
			}
			p.understood[i] = true
		case "table":
			p.table(i, m)
		case "chain":
			p.chain(i, m)
		case "set", "map":
			p.set(i, kind, m)
		case "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "secmark", "synproxy", "flowtable", "tunnel":
			p.object(i, kind, m)
		case "element":
			elems = append(elems, i)
		case "rule":
			rules = append(rules, i)
		default:
			p.note(i, compact(o), fmt.Sprintf("unknown object %q", kind))
		}
	}
	for _, i := range elems {
		_, body, _ := single(objs[i])
		m, _ := obj(body)
		p.elements(i, m)
	}
	for _, i := range rules {
		_, body, _ := single(objs[i])
		m, _ := obj(body)
		p.rule(i, m)
	}
	p.finish()
	for _, rs := range p.rulesets {
		rs.NFTVersion = p.version
	}
}

// family reads m.get("family").
func (p *parser) family(i int, m jobj) (nf.Family, bool) {
	s, _ := str(m, "family")
	f, ok := families[s]
	if !ok {
		p.note(i, compact(m), fmt.Sprintf("unknown family %q", s))
	}
	return f, ok
}

func (p *parser) ruleset(f nf.Family) *nf.Ruleset {
	rs := p.byFam[f]
	if rs == nil {
		rs = &nf.Ruleset{Family: f, File: p.file, Tables: map[string]*nf.Table{}, NFT: true}
		p.byFam[f] = rs
		p.rulesets = append(p.rulesets, rs)
	}
	return rs
}

// lookupTable returns the table of m.get("family"), m.get("table") (or
// m.get("name") for a table object); a table that was not declared is made
// and noted.
func (p *parser) lookupTable(i int, m jobj, key string) *nf.Table {
	f, ok := p.family(i, m)
	if !ok {
		return nil
	}
	name, ok := str(m, key)
	if !ok || name == "" {
		p.note(i, compact(m), "no table name")
		return nil
	}
	t := p.tables[tableKey{f, name}]
	if t == nil {
		t = p.newTable(i, f, name)
		p.note(i, compact(m), fmt.Sprintf("table %s %s is not declared before it is used", f, name))
	}
	return t
}

func (p *parser) newTable(i int, f nf.Family, name string) *nf.Table {
	t := &nf.Table{
		Name:   name,
		Pos:    p.pos(i),
		Chains: map[string]*nf.Chain{},
		NFT:    &nf.NFTTable{Family: f, Sets: map[string]*nf.NFTSet{}, Objects: map[string]*nf.NFTObject{}},
	}
	p.tables[tableKey{f, name}] = t
	p.ruleset(f).Tables[name] = t
	return t
}

func (p *parser) table(i int, m jobj) {
	f, ok := p.family(i, m)
	if !ok {
		return
	}
	name, ok := str(m, "name")
	if !ok || name == "" {
		p.note(i, compact(m), "table without a name")
		return
	}
	if p.tables[tableKey{f, name}] != nil {
		p.note(i, compact(m), fmt.Sprintf("table %s %s is declared twice", f, name))
		return
	}
	t := p.newTable(i, f, name)
	t.NFT.Handle, _ = numField(m, "handle")
	if fl, ok := strList(m.get("flags")); ok {
		t.NFT.Flags = fl
	}
	t.NFT.Comment, _ = str(m, "comment")
	if !modelled(f) {
		p.note(i, "table "+f.String()+" "+name, fmt.Sprintf("the %s family is not modelled: farend loads the table but traces only ip, ip6 and inet", f))
		return
	}
	p.understood[i] = true
}

func (p *parser) chain(i int, m jobj) {
	t := p.lookupTable(i, m, "table")
	if t == nil {
		return
	}
	name, ok := str(m, "name")
	if !ok || name == "" {
		p.note(i, compact(m), "chain without a name")
		return
	}
	if t.Chains[name] != nil {
		p.note(i, compact(m), fmt.Sprintf("chain %s is declared twice", name))
		return
	}
	f := t.NFT.Family
	c := &nf.Chain{Name: name, Table: t.Name, Pos: p.pos(i), NFT: &nf.NFTChain{Family: f}}
	c.NFT.Handle, _ = numField(m, "handle")
	c.NFT.Comment, _ = str(m, "comment")
	t.Chains[name] = c
	t.Order = append(t.Order, name)
	hook, isBase := str(m, "hook")
	if isBase && hook == "" {
		p.note(i, compact(m), "empty hook: taken as a regular chain")
		return
	}
	if !isBase {
		p.understood[i] = true
		return
	}
	c.Builtin = true
	c.NFT.HookName = hook
	c.NFT.Hook = nf.NFTHookByName(hook)
	c.NFT.Type, _ = str(m, "type")
	switch pr := m.get("prio").(type) {
	case string:
		n, err := nf.NFTPriority(f, hook, pr)
		if err != nil {
			p.note(i, compact(m), err.Error())
		}
		c.NFT.Priority = n
	default:
		n, ok := inum(pr)
		if !ok {
			p.note(i, compact(m), "base chain without a numeric priority")
		}
		c.NFT.Priority = int(n)
	}
	switch d := m.get("dev").(type) {
	case string:
		c.NFT.Devices = []string{d}
	case []any:
		c.NFT.Devices, _ = strList(d)
	}
	switch pol, _ := str(m, "policy"); pol {
	case "accept", "":
		c.Policy = nf.Accept
	case "drop":
		c.Policy = nf.Drop
	default:
		p.note(i, compact(m), fmt.Sprintf("unknown policy %q", pol))
		c.Policy = nf.Accept
	}
	ok = true
	switch c.NFT.Type {
	case "filter", "nat", "route":
	default:
		p.note(i, compact(m), fmt.Sprintf("unknown chain type %q", c.NFT.Type))
		ok = false
	}
	if c.NFT.Hook == nf.HookUnknown && modelled(f) && hook != "ingress" && hook != "egress" {
		p.note(i, compact(m), fmt.Sprintf("unknown hook %q", hook))
		ok = false
	}
	if ok {
		p.understood[i] = true
	}
}

// typeList reads a set's key or data type: a name, a list of names, or
// "a . b".
func typeList(v any) ([]nf.NFTType, string, bool) {
	var names []string
	switch x := v.(type) {
	case string:
		for _, n := range strings.Split(x, " . ") {
			names = append(names, strings.TrimSpace(n))
		}
	case []any:
		l, ok := strList(x)
		if !ok {
			return nil, "", false
		}
		names = l
	default:
		return nil, "", false
	}
	if len(names) == 0 {
		return nil, "", false
	}
	out := make([]nf.NFTType, len(names))
	for i, n := range names {
		out[i] = nf.NFTTypeByName(n)
	}
	return out, strings.Join(names, " . "), true
}

func (p *parser) set(i int, kind string, m jobj) {
	t := p.lookupTable(i, m, "table")
	if t == nil {
		return
	}
	name, ok := str(m, "name")
	if !ok || name == "" {
		p.note(i, compact(m), kind+" without a name")
		return
	}
	s := &nf.NFTSet{Name: name, Family: t.NFT.Family, Table: t.Name, Pos: p.pos(i), Map: kind == "map"}
	s.Handle, _ = numField(m, "handle")
	s.Comment, _ = str(m, "comment")
	s.Flags, _ = strList(m.get("flags"))
	var good bool
	s.KeyTypes, s.TypeText, good = typeList(m.get("type"))
	if !good {
		p.note(i, compact(m), kind+" without a key type")
		return
	}
	if s.Map {
		s.DataTypes, s.DataText, good = typeList(m.get("map"))
		if !good {
			p.note(i, compact(m), "map without a data type")
			return
		}
		s.Verdicts = s.DataText == "verdict"
	}
	for _, f := range s.Flags {
		if f == "dynamic" || f == "timeout" {
			s.Dynamic = true
		}
	}
	if _, dup := t.NFT.Sets[name]; dup {
		p.note(i, compact(m), fmt.Sprintf("%s %s is declared twice", kind, name))
		return
	}
	t.NFT.Sets[name] = s
	ok = true
	if l, isList := m.get("elem").([]any); isList {
		spec := elemSpec{key: s.KeyTypes, data: s.DataTypes, verdicts: s.Verdicts, isMap: s.Map}
		for _, ev := range l {
			e, err := element(spec, ev)
			if err != nil {
				p.note(i, compact(ev), fmt.Sprintf("element of %s %s: %v", kind, name, err))
				ok = false
				continue
			}
			s.Add(e)
		}
	} else if m.get("elem") != nil {
		p.note(i, compact(m.get("elem")), "elements are not a list")
		ok = false
	}
	for _, opaque := range s.KeyTypes {
		if opaque == nf.NFTOpaque {
			p.note(i, fmt.Sprintf("%s %s type %s", kind, name, s.TypeText), "a key type farend does not model: lookups in it are undecidable")
			ok = false
			break
		}
	}
	if ok {
		p.understood[i] = true
	}
}

// elements reads an "element" object (nft -j input files add elements
// this way).
func (p *parser) elements(i int, m jobj) {
	t := p.lookupTable(i, m, "table")
	if t == nil {
		return
	}
	name, _ := str(m, "name")
	s := t.NFT.Sets[name]
	if s == nil {
		p.note(i, compact(m), fmt.Sprintf("elements of set %q, which does not exist", name))
		return
	}
	l, _ := m.get("elem").([]any)
	spec := elemSpec{key: s.KeyTypes, data: s.DataTypes, verdicts: s.Verdicts, isMap: s.Map}
	ok := true
	for _, ev := range l {
		e, err := element(spec, ev)
		if err != nil {
			p.note(i, compact(ev), fmt.Sprintf("element of %s: %v", name, err))
			ok = false
			continue
		}
		s.Add(e)
	}
	if ok {
		p.understood[i] = true
	}
}

func (p *parser) object(i int, kind string, m jobj) {
	t := p.lookupTable(i, m, "table")
	if t == nil {
		return
	}
	name, _ := str(m, "name")
	o := &nf.NFTObject{Kind: kind, Name: name, Pos: p.pos(i)}
	o.Handle, _ = numField(m, "handle")
	switch kind {
	case "counter":
		o.Packets, _ = numField(m, "packets")
		o.Bytes, _ = numField(m, "bytes")
	case "quota":
		l := &nf.NFTLimit{Quota: true, ObjectName: name}
		l.Bytes, _ = numField(m, "bytes")
		l.Used, _ = numField(m, "used")
		l.Inv, _ = m.get("inv").(bool)
		o.Limit = l
	case "limit":
		l := &nf.NFTLimit{ObjectName: name}
		l.Rate, _ = numField(m, "rate")
		l.Burst, _ = numField(m, "burst")
		l.Per, _ = str(m, "per")
		l.Unit, _ = str(m, "unit")
		l.Inv, _ = m.get("inv").(bool)
		o.Limit = l
	}
	t.NFT.Objects[kind+" "+name] = o
	p.understood[i] = true
}

// iptablesChains are the built-in chains of the iptables tables, with the
// type and priority iptables-nft gives their base chains (iptables
// nft.c builtin_table; security is at 150, not NF_IP_PRI_SECURITY's 50:
// `.prio = 150`, and `nft list ruleset` shows it).
var iptablesChains = map[string]map[string]struct {
	typ  string
	prio int
}{
	"raw":      {"PREROUTING": {"filter", -300}, "OUTPUT": {"filter", -300}},
	"mangle":   {"PREROUTING": {"filter", -150}, "INPUT": {"filter", -150}, "FORWARD": {"filter", -150}, "OUTPUT": {"route", -150}, "POSTROUTING": {"filter", -150}},
	"nat":      {"PREROUTING": {"nat", -100}, "INPUT": {"nat", 100}, "OUTPUT": {"nat", -100}, "POSTROUTING": {"nat", 100}},
	"filter":   {"INPUT": {"filter", 0}, "FORWARD": {"filter", 0}, "OUTPUT": {"filter", 0}},
	"security": {"INPUT": {"filter", 150}, "FORWARD": {"filter", 150}, "OUTPUT": {"filter", 150}},
}

// iptablesShape reports whether t looks like a table iptables-nft made.
func iptablesShape(f nf.Family, t *nf.Table) bool {
	if f != nf.IPv4 && f != nf.IPv6 {
		return false
	}
	builtin, ok := iptablesChains[t.Name]
	if !ok {
		return false
	}
	for _, c := range t.Chains {
		if !c.NFT.Base() {
			continue
		}
		b, ok := builtin[c.Name]
		if !ok || b.typ != c.NFT.Type || b.prio != c.NFT.Priority || strings.ToUpper(c.NFT.HookName) != c.Name {
			return false
		}
	}
	return true
}

// finish marks iptables-nft tables and checks jumps.
func (p *parser) finish() {
	keys := make([]tableKey, 0, len(p.tables))
	for k := range p.tables {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].fam != keys[b].fam {
			return keys[a].fam < keys[b].fam
		}
		return keys[a].name < keys[b].name
	})
	for _, k := range keys {
		t := p.tables[k]
		t.NFT.IptablesNFT = t.NFT.XT || iptablesShape(k.fam, t)
		if n := p.xtRules[t]; n > 0 {
			p.note(t.Pos.Index, fmt.Sprintf("table %s %s", k.fam, t.Name), fmt.Sprintf("iptables-nft table: %d %s xt matches or targets, which nft's JSON shows without their options; farend cannot evaluate them from this file, iptables-save has the same rules in full", n, map[bool]string{true: "rule holds", false: "rules hold"}[n == 1]))
		}
		for _, name := range t.Order {
			c := t.Chains[name]
			for _, r := range c.Rules {
				for _, target := range jumpTargets(r) {
					if t.Chains[target] == nil {
						p.note(r.Pos.Index, r.Text, fmt.Sprintf("jump or goto to chain %q, which does not exist in table %s %s", target, k.fam, t.Name))
					}
				}
			}
		}
	}
}
