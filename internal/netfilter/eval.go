package netfilter

import "fmt"

// maxDepth bounds jumps between chains. iptables-restore refuses loops and
// the kernel's jump stack is bounded (xt_jumpstack); a deeper path here
// means a broken ruleset.
const maxDepth = 64

// maxHops bounds the jumps and gotos of one walk: a goto loop does not
// grow the stack, so maxDepth alone would not stop it.
const maxHops = 1 << 16

// Step is one event of a chain walk, in the kernel's order: a rule that
// fully matched (whatever its target did) or a built-in chain's policy.
// These are the events the kernel's trace (`nft monitor trace`) lists.
type Step struct {
	Table string
	Chain string
	// Rule is the rule that matched; nil when the policy applied.
	Rule *Rule
	// Policy is true when the chain's policy decided.
	Policy bool
	// Verdict is what the rule's target or the policy decided; VerdictNone
	// for non-terminating targets (LOG, MARK ...).
	Verdict Verdict
	// Maybe is true when the rule matched only under an assumption taken
	// from Ctx.Choices.
	Maybe bool
	// Details are the sentences matches and the target gave.
	Details []string
	// NoMatch is true for a rule that did not match but whose matches
	// explained their decision (an rpfilter lookup that passed, say):
	// kept so that the answer can show the check.
	NoMatch bool
	// Partial is true for an nft rule that ended before its last
	// expression: the statements before that ran (a mark set stays
	// set), but the rule did not match.
	Partial bool
}

// Outcome is the result of one base chain.
type Outcome struct {
	// Verdict is Accept, Drop, Reject or Queue (Unknown never: an unknown
	// target is taken as non-terminating and noted in Uncertain).
	Verdict VerdictKind
	Steps   []Step
	// By is the rule that decided; nil when the policy did.
	By *Rule
	// Uncertain lists reasons the outcome may differ on the real host.
	Uncertain []string
}

type frame struct {
	chain *Chain
	next  int
}

// Run evaluates the base chain named chain of t on c, as ipt_do_table
// (net/ipv4/netfilter/ip_tables.c) does: rules in order, jump pushes a
// return point, goto does not, RETURN (or falling off a user chain) pops,
// RETURN or falling off a built-in chain applies its policy.
func (t *Table) Run(c *Ctx, chain string) Outcome {
	var out Outcome
	base := t.Chains[chain]
	if base == nil {
		out.Verdict = Accept
		return out
	}
	c.Table = t.Name
	var stack []frame
	hops := 0
	cur, i := base, 0
	policy := func() Outcome {
		out.Steps = append(out.Steps, Step{Table: t.Name, Chain: base.Name, Policy: true, Verdict: Verdict{Kind: base.Policy}})
		out.Verdict = base.Policy
		if out.Verdict == VerdictNone {
			out.Verdict = Accept
		}
		return out
	}
	for {
		if i >= len(cur.Rules) {
			// End of chain: implicit RETURN.
			if len(stack) == 0 {
				return policy()
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cur, i = top.chain, top.next
			continue
		}
		r := cur.Rules[i]
		i++
		c.details = c.details[:0]
		c.Rule = r
		m, maybe := c.ruleMatches(r)
		if !m {
			if len(c.details) > 0 {
				out.Steps = append(out.Steps, Step{Table: t.Name, Chain: cur.Name, Rule: r, NoMatch: true, Details: append([]string(nil), c.details...)})
			}
			continue
		}
		step := Step{Table: t.Name, Chain: cur.Name, Rule: r, Maybe: maybe}
		var v Verdict
		c.broke = false
		if r.Target != nil {
			v = r.Target.Apply(c)
		}
		step.Verdict = v
		step.Details = append([]string(nil), c.details...)
		if c.broke {
			// An nft rule that ended before its last expression: its
			// statements up to there ran, but it did not match (the
			// kernel's trace does not list it).
			step.NoMatch, step.Partial = true, true
		}
		out.Steps = append(out.Steps, step)
		switch v.Kind {
		case VerdictNone:
		case Unknown:
			out.Uncertain = append(out.Uncertain, fmt.Sprintf("%s: target %s is not modelled; taken as non-terminating, it may end the chain", r.Ref(), r.Target))
		case Accept, Drop, Reject, Queue:
			out.Verdict, out.By = v.Kind, r
			return out
		case Return:
			if len(stack) == 0 {
				return policy()
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cur, i = top.chain, top.next
		case Jump, Goto:
			next := t.Chains[v.Chain]
			if next == nil {
				out.Uncertain = append(out.Uncertain, fmt.Sprintf("%s: chain %q does not exist; the kernel would refuse this ruleset", r.Ref(), v.Chain))
				continue
			}
			hops++
			if hops > maxHops {
				out.Uncertain = append(out.Uncertain, fmt.Sprintf("%s: more than %d jumps and gotos; the chains loop (the kernel would refuse this ruleset); stopped", r.Ref(), maxHops))
				out.Verdict = Drop
				out.By = r
				return out
			}
			if len(stack) >= maxDepth {
				out.Uncertain = append(out.Uncertain, fmt.Sprintf("%s: jumps nest deeper than %d; stopped", r.Ref(), maxDepth))
				out.Verdict = Drop
				out.By = r
				return out
			}
			if v.Kind == Jump {
				stack = append(stack, frame{chain: cur, next: i})
			}
			cur, i = next, 0
		}
	}
}

// ruleMatches evaluates r's matches. A Maybe is resolved by c.Choices; an
// unresolved Maybe is recorded in c.Branches and taken as no match.
func (c *Ctx) ruleMatches(r *Rule) (matched, assumed bool) {
	res := Yes
	for _, m := range r.Matches {
		switch m.Match(c) {
		case No:
			return false, false
		case Maybe:
			res = Maybe
		}
	}
	if res == Yes {
		return true, false
	}
	if v, ok := c.Choices[r]; ok {
		return v, true
	}
	c.Branches = append(c.Branches, r)
	return false, false
}
