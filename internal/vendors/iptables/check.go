package iptables

import (
	"fmt"

	"farend/internal/netfilter"
)

// hookOf maps a built-in chain to its hook.
func hookOf(chain string) netfilter.Hook {
	switch chain {
	case "PREROUTING":
		return netfilter.Prerouting
	case "INPUT":
		return netfilter.Input
	case "FORWARD":
		return netfilter.Forward
	case "OUTPUT":
		return netfilter.Output
	case "POSTROUTING":
		return netfilter.Postrouting
	}
	return netfilter.HookUnknown
}

// finishTable ends the current table: it parses the rules' options (or
// waits for the workers that do), resolves jumps to chains declared after
// the rule, then runs the checks the kernel and iptables do when the
// table is loaded (each match's and target's checkentry, against the
// hooks from which the rule's chain is reachable, as x_tables'
// mark_source_chains computes them), and loops.
func (p *parser) finishTable() {
	ts := p.tbl
	p.tbl = nil
	t := ts.t
	p.parseRules(ts)
	t.Chains = make(map[string]*netfilter.Chain, len(ts.infos))
	for _, ci := range ts.infos {
		t.Chains[ci.c.Name] = ci.c
	}
	// The chains' rules, in order, share one array.
	all := make([]*netfilter.Rule, ts.rules.n)
	off := 0
	for _, ci := range ts.infos {
		if ci.nrules > 0 {
			ci.c.Rules = all[off : off : off+ci.nrules]
			off += ci.nrules
		}
	}
	for _, c := range ts.rules.chunks {
		for i := range c {
			pr := &c[i]
			pr.from.c.Rules = append(pr.from.c.Rules, pr.r)
			if pr.x == nil || len(pr.x.problems) == 0 {
				p.ok[pr.line] = true
				continue
			}
			for _, pb := range pr.x.problems {
				p.note(pr.line, pb.text, pb.why)
			}
		}
	}

	for _, c := range ts.rules.chunks {
		for i := range c {
			pr := &c[i]
			if pr.x == nil || pr.x.jump == "" {
				continue
			}
			jump, raw := pr.x.jump, pr.x.raw
			if ci := ts.find(jump); ci != nil {
				pr.to = ci
				continue
			}
			if _, ok := pr.r.Target.(netfilter.GotoTarget); ok {
				p.note(pr.line, raw, fmt.Sprintf("-g %s: no such chain in table %s", jump, t.Name))
			} else {
				p.note(pr.line, raw, fmt.Sprintf("-j %s: neither a chain of table %s nor a target farend knows", jump, t.Name))
			}
			pr.r.Target = &netfilter.UnknownTarget{Name: jump, Raw: raw, Why: "no such chain or target"}
		}
	}

	g := newGraph(ts)
	masks := g.reach()
	compat := p.rs.Backend == "nf_tables"
	p.eachChunk(&ts.rules, func() func([]pendingRule) {
		return func(rules []pendingRule) {
			for i := range rules {
				pr := &rules[i]
				r := pr.r
				e := netfilter.Entry{
					Family: p.fam, Table: t.Name, Chain: r.Chain, Builtin: pr.from.c.Builtin,
					Hooks: hookSets[masks[pr.from.idx]], Rule: r, Compat: compat,
				}
				for _, m := range r.Matches {
					check(pr, &e, m)
				}
				if r.Target != nil {
					check(pr, &e, r.Target)
				}
			}
		}
	})
	for _, c := range ts.rules.chunks {
		for i := range c {
			if pr := &c[i]; pr.x != nil {
				for _, pb := range pr.x.refused {
					p.note(pr.line, pb.text, pb.why)
				}
			}
		}
	}
	for _, loop := range g.loops() {
		c := t.Chains[loop]
		p.note(c.Pos.Line, ":"+loop, "chain "+loop+" is part of a jump loop (iptables-restore refuses the table)")
	}
	for _, c := range ts.rules.chunks {
		clear(c)
	}
	p.free = ts.rules.chunks
}

// check runs x's Checker, if it has one, and records a refusal in pr.
func check(pr *pendingRule, e *netfilter.Entry, x fmt.Stringer) {
	if ck, ok := x.(netfilter.Checker); ok {
		if why := ck.Check(*e); why != "" {
			if pr.x == nil {
				pr.x = &ruleExtra{}
			}
			pr.x.refused = append(pr.x.refused, problem{x.String(), "the kernel refuses this rule: " + why})
		}
	}
}

// graph is the jump/goto graph of a table: chains in declaration order
// and, per chain, the chains its rules jump or go to.
type graph struct {
	chains []*netfilter.Chain
	succ   [][]int
}

func newGraph(ts *tableState) *graph {
	g := &graph{chains: make([]*netfilter.Chain, len(ts.infos)), succ: make([][]int, len(ts.infos))}
	for i, ci := range ts.infos {
		g.chains[i] = ci.c
	}
	// Per chain, the targets of its rules in rule order, in one array.
	count := make([]int, len(ts.infos))
	edges := 0
	for _, c := range ts.rules.chunks {
		for i := range c {
			if c[i].to != nil {
				count[c[i].from.idx]++
				edges++
			}
		}
	}
	all := make([]int, edges)
	off := 0
	for i, n := range count {
		if n > 0 {
			g.succ[i] = all[off : off : off+n]
			off += n
		}
	}
	for _, c := range ts.rules.chunks {
		for i := range c {
			if pr := &c[i]; pr.to != nil {
				g.succ[pr.from.idx] = append(g.succ[pr.from.idx], pr.to.idx)
			}
		}
	}
	return g
}

// hooks maps a hook to a bit, for reach.
var hookBits = []netfilter.Hook{netfilter.Prerouting, netfilter.Input, netfilter.Forward, netfilter.Output, netfilter.Postrouting}

// hookSets are the hook lists of the masks reach returns.
var hookSets = func() [1 << 5][]netfilter.Hook {
	var out [1 << 5][]netfilter.Hook
	for m := range out {
		for b, h := range hookBits {
			if m&(1<<b) != 0 {
				out[m] = append(out[m], h)
			}
		}
		out[m] = out[m][:len(out[m]):len(out[m])]
	}
	return out
}()

// reach returns, per chain, the hooks from which it is reachable (as
// x_tables mark_source_chains does), as a mask of hookBits.
func (g *graph) reach() []uint8 {
	mask := make([]uint8, len(g.chains))
	var work []int
	for i, c := range g.chains {
		if !c.Builtin {
			continue
		}
		for b, h := range hookBits {
			if hookOf(c.Name) == h {
				mask[i] |= 1 << b
				work = append(work, i)
			}
		}
	}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		for _, j := range g.succ[i] {
			if mask[j]|mask[i] != mask[j] {
				mask[j] |= mask[i]
				work = append(work, j)
			}
		}
	}
	return mask
}

// loops returns the chains that can reach themselves through jumps and
// gotos, in declaration order (an iterative depth-first search).
func (g *graph) loops() []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(g.chains))
	inLoop := make([]bool, len(g.chains))
	type frame struct{ node, next int }
	var stack []frame
	for root := range g.chains {
		if color[root] != white {
			continue
		}
		color[root] = grey
		stack = append(stack[:0], frame{root, 0})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(g.succ[top.node]) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			j := g.succ[top.node][top.next]
			top.next++
			switch color[j] {
			case white:
				color[j] = grey
				stack = append(stack, frame{j, 0})
			case grey:
				for k := len(stack) - 1; k >= 0; k-- {
					inLoop[stack[k].node] = true
					if stack[k].node == j {
						break
					}
				}
			}
		}
	}
	var out []string
	for i, c := range g.chains {
		if inLoop[i] {
			out = append(out, c.Name)
		}
	}
	return out
}
