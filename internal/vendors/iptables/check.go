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

// finishTable ends the current table: it resolves jumps to chains
// declared after the rule, then runs the checks the kernel and iptables
// do when the table is loaded (each match's and target's checkentry,
// against the hooks from which the rule's chain is reachable, as
// x_tables' mark_source_chains computes them), and loops.
func (p *parser) finishTable() {
	ts := p.tbl
	p.tbl = nil
	t := ts.t
	for _, pr := range ts.rules {
		if pr.jump == "" || t.Chains[pr.jump] != nil {
			continue
		}
		line := pr.r.Pos.Line
		if _, ok := pr.r.Target.(netfilter.GotoTarget); ok {
			p.note(line, pr.raw, fmt.Sprintf("-g %s: no such chain in table %s", pr.jump, t.Name))
		} else {
			p.note(line, pr.raw, fmt.Sprintf("-j %s: neither a chain of table %s nor a target farend knows", pr.jump, t.Name))
		}
		pr.r.Target = &netfilter.UnknownTarget{Name: pr.jump, Raw: pr.raw, Why: "no such chain or target"}
	}

	g := newGraph(t)
	hooks := g.reach()
	compat := p.rs.Backend == "nf_tables"
	for _, pr := range ts.rules {
		r := pr.r
		c := t.Chains[r.Chain]
		e := netfilter.Entry{
			Family: p.fam, Table: t.Name, Chain: r.Chain, Builtin: c != nil && c.Builtin,
			Hooks: hooks[r.Chain], Rule: r, Compat: compat,
		}
		for _, m := range r.Matches {
			p.check(e, m)
		}
		if r.Target != nil {
			p.check(e, r.Target)
		}
	}
	for _, loop := range g.loops() {
		c := t.Chains[loop]
		p.note(c.Pos.Line, ":"+loop, "chain "+loop+" is part of a jump loop (iptables-restore refuses the table)")
	}
}

// check runs x's Checker, if it has one, and notes a refusal.
func (p *parser) check(e netfilter.Entry, x fmt.Stringer) {
	if ck, ok := x.(netfilter.Checker); ok {
		if why := ck.Check(e); why != "" {
			p.note(e.Rule.Pos.Line, x.String(), "the kernel refuses this rule: "+why)
		}
	}
}

// targetChain returns the chain a rule jumps or goes to, or "".
func targetChain(r *netfilter.Rule) string {
	switch t := r.Target.(type) {
	case netfilter.JumpTarget:
		return t.Chain
	case netfilter.GotoTarget:
		return t.Chain
	}
	return ""
}

// graph is the jump/goto graph of a table: chains in declaration order
// and, per chain, the chains its rules jump or go to.
type graph struct {
	chains []*netfilter.Chain
	index  map[*netfilter.Chain]int
	succ   [][]int
}

func newGraph(t *netfilter.Table) *graph {
	g := &graph{index: make(map[*netfilter.Chain]int, len(t.Order))}
	for _, name := range t.Order {
		c := t.Chains[name]
		g.index[c] = len(g.chains)
		g.chains = append(g.chains, c)
	}
	g.succ = make([][]int, len(g.chains))
	for i, c := range g.chains {
		for _, r := range c.Rules {
			if next := t.Chains[targetChain(r)]; next != nil {
				g.succ[i] = append(g.succ[i], g.index[next])
			}
		}
	}
	return g
}

// hooks maps a hook to a bit, for reach.
var hookBits = []netfilter.Hook{netfilter.Prerouting, netfilter.Input, netfilter.Forward, netfilter.Output, netfilter.Postrouting}

// reach returns, per chain, the hooks from which it is reachable (as
// x_tables mark_source_chains does).
func (g *graph) reach() map[string][]netfilter.Hook {
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
	out := make(map[string][]netfilter.Hook, len(g.chains))
	for i, c := range g.chains {
		for b, h := range hookBits {
			if mask[i]&(1<<b) != 0 {
				out[c.Name] = append(out[c.Name], h)
			}
		}
	}
	return out
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
