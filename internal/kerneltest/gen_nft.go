package kerneltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
)

// GenNFT makes random cases like Gen (the same topologies, packets,
// sysctls, routes and policy rules) whose host filters with native
// nftables: 1 to 3 tables of families ip, ip6 and inet, each with base
// chains of type filter, nat and route on every hook, random priorities
// (standard names with offsets, and numbers), policies accept and drop,
// regular chains reached by jump, goto and verdict maps, rules matching
// on what gen_nft_rule.go lists, named sets, maps and verdict maps. A
// third of the hosts also load an iptables ruleset (Gen's, through
// iptables-nft-restore) alongside: mixed hosts, where iptables-nft's
// tables and native ones share the hooks.
//
// No two base chains that see the same packets (same hook, IPv4 or IPv6;
// an inet chain sees both) have equal priorities, nor a base chain the
// priority of something the kernel registers itself on that hook
// (conntrack, defragmentation, the nat core, the harness's trace chains,
// an iptables-nft table of the case): the kernel runs equal priorities in
// registration order, which a ruleset listing does not show (farend
// reports their order as undefined). nat chains run inside the nat
// core's hook (NF_IP_PRI_NAT_DST on prerouting and output,
// NF_IP_PRI_NAT_SRC on input and postrouting; nf_nat_register_fn), in
// the order of their own priorities: those must differ among the nat
// chains of a hook, iptables-nft's nat table included.
//
// Cases are named "nft-<seed>-<index>" and GenNFT{Seed}.Case(Index)
// makes the same case again on any machine.
type GenNFT struct {
	Seed uint64
}

// nftStream separates GenNFT's random streams from Gen's for equal seeds.
const nftStream = 0x6e6674 << 40

// Case returns case index of the generator's seed; attempt > 0 makes
// another case for the same index (used when the kernel refused the
// previous attempt).
func (g GenNFT) Case(index, attempt int) Case {
	r := rand.New(rand.NewPCG(g.Seed, nftStream|uint64(index)<<10|uint64(attempt)))
	cg, c := drawHost(r, "nft", g.Seed, index, attempt)
	note := cg.note
	if cg.chance(0.33) {
		// A mixed host: an iptables-nft ruleset of the packet's family
		// next to the native tables.
		ipt := (&nfGen{g: cg, v6: cg.v6, pkt: cg.pkt}).ruleset()
		if cg.v6 {
			c.Spec.IP6Tables = ipt
		} else {
			c.Spec.IPTables = ipt
		}
		note += "; mixed with iptables-nft"
	}
	ng := newNFTGen(cg, c.Spec.IPTables, c.Spec.IP6Tables)
	c.Spec.NFT = ng.ruleset()
	c.Note = note
	return c
}

// The hooks and the chain types each allows (nft_chain_filter.c,
// nft_chain_nat.c hook_mask, nft_chain_route.c: route on output only).
var nftHooks = []struct {
	name   string
	weight int
	types  []string
}{
	{"prerouting", 30, []string{"filter", "filter", "filter", "nat"}},
	{"input", 25, []string{"filter", "filter", "filter", "nat"}},
	{"forward", 30, []string{"filter"}},
	{"output", 5, []string{"filter", "filter", "nat", "route"}},
	{"postrouting", 15, []string{"filter", "filter", "nat"}},
}

// natCorePriority is where the nat core's hook runs (nf_nat_ipv4_ops,
// nf_nat_ipv6_ops: NF_IP_PRI_NAT_DST on prerouting and output,
// NF_IP_PRI_NAT_SRC on input and postrouting).
func natCorePriority(hook string) int {
	if hook == "prerouting" || hook == "output" {
		return -100
	}
	return 100
}

// kernelPriorities are the priorities the kernel itself may hold on a
// hook: conntrack defragmentation (-400) and conntrack (-200) on
// prerouting and output, SELinux (-225, 225), conntrack helpers (300),
// the nat core, the harness's trace chains and conntrack confirmation
// (math.MinInt32, math.MaxInt32), raw before defrag (-450).
func kernelPriorities(hook string) []int {
	ps := []int{-450, -225, 225, 300, natCorePriority(hook), math.MinInt32, math.MaxInt32}
	if hook == "prerouting" || hook == "output" {
		ps = append(ps, -400, -200)
	}
	return ps
}

// iptablesNFTPriorities are the priorities of iptables-nft's base
// chains per table and hook (iptables nft.c builtin_table; the nat
// table's chains are nat chains).
var iptablesNFTPriorities = map[string]map[string]int{
	"raw":      {"prerouting": -300, "output": -300},
	"mangle":   {"prerouting": -150, "input": -150, "forward": -150, "output": -150, "postrouting": -150},
	"nat":      {"prerouting": -100, "input": 100, "output": -100, "postrouting": 100},
	"filter":   {"input": 0, "forward": 0, "output": 0},
	"security": {"input": 150, "forward": 150, "output": 150},
}

// nftPrioNames are nft's standard priority names (nftables src/rule.c
// std_prios). nft 1.0.6 takes dstnat on prerouting only and srcnat on
// postrouting only (std_prio_family_hook_compat; later versions also
// take them on output and input).
var nftPrioNames = []struct {
	name string
	val  int
	ok   func(hook string) bool
}{
	{"raw", -300, nil},
	{"mangle", -150, nil},
	{"dstnat", -100, func(h string) bool { return h == "prerouting" }},
	{"filter", 0, nil},
	{"security", 50, nil},
	{"srcnat", 100, func(h string) bool { return h == "postrouting" }},
}

// nftTable is one table being drawn.
type nftTable struct {
	family, name string
	// v4, v6: which packets its base chains see.
	v4, v6 bool
	chains []*nftChain
	// defs are its named sets and maps, as `add set|map` commands.
	defs []string
	// sets are the named sets (not maps) by type, for reuse.
	sets map[string][]string
	n    int // sets and maps so far, for names
}

// nftChain is one chain being drawn. A regular chain belongs to the one
// base chain (home) from which it is reached, directly or through other
// regular chains of the same home, so that what the kernel allows in it
// (it validates every chain against the hooks and types that reach it)
// is known.
type nftChain struct {
	name     string
	home     *nftChain // the base chain; itself for a base chain
	hook     string
	typ      string
	prio     int
	prioText string
	policy   string
	rules    []string
	// targets are the regular chains it may jump to (later ones of the
	// same home: no loops).
	targets []string
}

func (c *nftChain) base() bool { return c.home == c }

// nftGen draws a case's nftables ruleset.
type nftGen struct {
	g *caseGen
	// taken: priorities of base chains (not nat) per hook and IP version
	// ("prerouting/4"); natTaken: those of nat chains.
	taken, natTaken map[string]map[int]bool
	// iptTables are the iptables-nft tables of the case per family
	// ("ip", "ip6"): native tables of those families take other names.
	iptTables map[string]map[string]bool
	tables    []*nftTable
	n         int // rules so far, for log prefixes
}

var iptablesTableLine = regexp.MustCompile(`(?m)^\*(\w+)`)

func newNFTGen(g *caseGen, ipt4, ipt6 string) *nftGen {
	ng := &nftGen{g: g, taken: map[string]map[int]bool{}, natTaken: map[string]map[int]bool{},
		iptTables: map[string]map[string]bool{"ip": {}, "ip6": {}}}
	for _, h := range nftHooks {
		for _, v := range []string{"4", "6"} {
			k := h.name + "/" + v
			ng.taken[k] = map[int]bool{}
			ng.natTaken[k] = map[int]bool{}
			for _, p := range kernelPriorities(h.name) {
				ng.taken[k][p] = true
			}
		}
	}
	for fam, text := range map[string]string{"ip": ipt4, "ip6": ipt6} {
		v := map[string]string{"ip": "4", "ip6": "6"}[fam]
		for _, m := range iptablesTableLine.FindAllStringSubmatch(text, -1) {
			ng.iptTables[fam][m[1]] = true
			for hook, p := range iptablesNFTPriorities[m[1]] {
				if m[1] == "nat" {
					ng.natTaken[hook+"/"+v][p] = true
				} else {
					ng.taken[hook+"/"+v][p] = true
				}
			}
		}
	}
	return ng
}

// ruleset draws the tables and renders them as `nft -f` input.
func (ng *nftGen) ruleset() string {
	g := ng.g
	own, other := "ip", "ip6"
	if g.v6 {
		own, other = other, own
	}
	seen := map[string]bool{}
	for range 1 + g.pick(4, 4, 2) {
		fam := []string{"inet", own, other}[g.pick(45, 42, 13)]
		// Names shared across families (ip fw next to inet fw, inet
		// filter next to iptables-nft's ip filter) on purpose.
		names := []string{"filter", "fw", "nat", "t1", "mangle", "firewall"}
		var name string
		for range 10 {
			name = oneOf(g, names)
			if !seen[fam+" "+name] && ng.nameOK(fam, name) {
				break
			}
			name = ""
		}
		if name == "" {
			continue
		}
		seen[fam+" "+name] = true
		t := &nftTable{family: fam, name: name, v4: fam != "ip6", v6: fam != "ip", sets: map[string][]string{}}
		ng.tables = append(ng.tables, t)
		ng.chains(t)
	}
	var b strings.Builder
	for _, t := range ng.tables {
		ng.render(&b, t)
	}
	return b.String()
}

// nftIptablesNames allows native ip and ip6 tables named like an
// iptables table (raw, mangle, nat, filter, security) when the case loads
// no iptables ruleset of that family (iptables-nft-restore would take
// such a table over). iptables-nft-save then prints the table as an
// empty placeholder after "# Table `nat' contains incompatible
// base-chains, use 'nft' tool to list them."; farend keeps the nft table
// (netfilter.Table.Incompatible).
const nftIptablesNames = true

// nameOK reports whether a native table of family fam may be named name.
func (ng *nftGen) nameOK(fam, name string) bool {
	if fam == "inet" {
		return true
	}
	if _, ipt := iptablesNFTPriorities[name]; ipt {
		return nftIptablesNames && !ng.iptTables[fam][name] && len(ng.iptTables[fam]) == 0
	}
	return true
}

// chains draws t's base chains (1 to 4), their regular chains (0 to 2
// each) and the rules of all.
func (ng *nftGen) chains(t *nftTable) {
	g := ng.g
	weights := make([]int, len(nftHooks))
	for i, h := range nftHooks {
		weights[i] = h.weight
	}
	var bases []*nftChain
	for i := range 1 + g.pick(3, 4, 2, 1) {
		h := nftHooks[g.pick(weights...)]
		typ := oneOf(g, h.types)
		prio, text, ok := ng.priority(t, h.name, typ)
		if !ok {
			continue
		}
		c := &nftChain{name: fmt.Sprintf("%s_%d", h.name[:3], i+1), hook: h.name, typ: typ, prio: prio, prioText: text, policy: "accept"}
		c.home = c
		if h.name != "output" && g.chance(map[bool]float64{true: 0.03, false: 0.1}[typ == "nat"]) {
			c.policy = "drop"
		}
		bases = append(bases, c)
	}
	var regular []*nftChain
	for _, b := range bases {
		k := g.pick(5, 3, 2)
		var mine []*nftChain
		for range k {
			c := &nftChain{name: fmt.Sprintf("c%d", len(regular)+1), home: b, hook: b.hook, typ: b.typ, prio: b.prio}
			mine = append(mine, c)
			regular = append(regular, c)
		}
		for i, c := range mine {
			b.targets = append(b.targets, c.name)
			for _, d := range mine[i+1:] {
				c.targets = append(c.targets, d.name)
			}
		}
	}
	t.chains = append(regular, bases...)
	for _, c := range bases {
		k := g.pick(2, 3, 3, 2, 1, 1)
		if c.hook == "output" {
			k = g.pick(3, 2)
		}
		for range k {
			c.rules = append(c.rules, ng.rule(t, c))
		}
	}
	for _, c := range regular {
		for range 1 + g.r.IntN(4) {
			c.rules = append(c.rules, ng.rule(t, c))
		}
	}
}

// priority draws a free priority for a base chain of type typ on hook
// in t: a standard name with an offset, or a number near one of the
// kernel's or iptables' priorities. nat chains need a priority above
// conntrack's (nf_tables_api.c refuses a nat chain at -200 or below).
func (ng *nftGen) priority(t *nftTable, hook, typ string) (int, string, bool) {
	g := ng.g
	taken := ng.taken
	if typ == "nat" {
		taken = ng.natTaken
	}
	free := func(p int) bool {
		if typ == "nat" && p <= -200 {
			return false
		}
		if t.v4 && taken[hook+"/4"][p] {
			return false
		}
		return !(t.v6 && taken[hook+"/6"][p])
	}
	for range 30 {
		var p int
		var text string
		if g.chance(0.55) {
			n := nftPrioNames[g.r.IntN(len(nftPrioNames))]
			if n.ok != nil && !n.ok(hook) {
				continue
			}
			off := oneOf(g, []int{0, 0, 1, -1, 5, -5, 10, -10, 20})
			p, text = n.val+off, n.name
			switch {
			case off > 0:
				text += fmt.Sprintf(" + %d", off)
			case off < 0:
				text += fmt.Sprintf(" - %d", -off)
			}
		} else {
			p = oneOf(g, []int{-350, -301, -299, -250, -201, -199, -190, -151, -149, -120, -101, -99, -50, -1, 0, 1, 10, 49, 51, 99, 101, 149, 151, 200, 1000})
			text = fmt.Sprint(p)
		}
		if !free(p) {
			continue
		}
		for _, v := range []string{"4", "6"} {
			if (v == "4" && t.v4) || (v == "6" && t.v6) {
				taken[hook+"/"+v][p] = true
			}
		}
		return p, text, true
	}
	return 0, "", false
}

// render writes t as `nft -f` commands: the table, every chain (regular
// ones first, as jumps and verdict maps name them), the sets and maps,
// then the rules.
func (ng *nftGen) render(b *strings.Builder, t *nftTable) {
	fmt.Fprintf(b, "add table %s %s\n", t.family, t.name)
	for _, c := range t.chains {
		if c.base() {
			fmt.Fprintf(b, "add chain %s %s %s { type %s hook %s priority %s; policy %s; }\n",
				t.family, t.name, c.name, c.typ, c.hook, c.prioText, c.policy)
		} else {
			fmt.Fprintf(b, "add chain %s %s %s\n", t.family, t.name, c.name)
		}
	}
	for _, d := range t.defs {
		b.WriteString(d + "\n")
	}
	for _, c := range t.chains {
		for _, r := range c.rules {
			fmt.Fprintf(b, "add rule %s %s %s %s\n", t.family, t.name, c.name, r)
		}
	}
}

// sortedKeys returns m's keys in order (for deterministic output).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
