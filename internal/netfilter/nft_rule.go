package netfilter

import (
	"fmt"
	"strings"
)

// NFTStmt is one statement of an nft rule (a verdict, counter, log, mark
// set, nat, reject, vmap ...). It is a Target; Exec also says when the
// kernel ends the rule at the statement without a verdict (NFT_BREAK: a
// map without the key, a value that cannot be loaded, a family the
// statement does not apply to ...).
type NFTStmt interface {
	Target
	// Exec runs the statement on c: its verdict (VerdictNone to go on
	// with the rule), or brk when the rule ends here.
	Exec(c *Ctx) (v Verdict, brk bool)
}

// NFTGuarded is implemented by statements that can end the rule without a
// verdict: Guard is a Match that holds when the statement would not. A
// rule whose first statement has a guard carries the guard among its
// matches, so that the rule counts as matching (as in the kernel's trace)
// only when the statement applies.
type NFTGuarded interface {
	Guard() Match
}

// nftEffect is what a statement can do to the outcome, for explanations.
type nftEffect uint8

const (
	// effNone: counts, logs, or nothing farend can see.
	effNone nftEffect = iota
	// effChange: changes the packet or its conntrack entry (marks, NAT
	// without verdict, notrack) — later rules may read it.
	effChange
	// effVerdict: can end the chain (accept, drop, reject, jump, nat ...).
	effVerdict
	// effUnknown: farend does not model it.
	effUnknown
)

// nftEffecter is implemented by statements to say what they can do.
type nftEffecter interface {
	effect() nftEffect
}

// NFTItem is one part of an nft rule after its leading matches: a match
// that follows a statement, or a statement. Exactly one is set.
type NFTItem struct {
	Match Match
	Stmt  NFTStmt
}

// NFTStatements is the Target of an nft rule: its statements, with any
// match that follows one, in the order written. In nft every expression
// of a rule runs in order (net/netfilter/nf_tables_core.c nft_do_chain):
// a statement before a match runs even when the match then fails
// (`meta mark set 1 tcp dport 22 accept` marks every packet), and the
// first verdict ends the rule. Apply does exactly that:
//
//   - a match that does not hold ends the rule without a verdict; one
//     farend cannot decide is resolved by Ctx.Choices for the rule (the
//     same choice as the rule's leading matches) or recorded in
//     Ctx.Branches and taken as not holding;
//   - a statement's verdict ends the rule; a statement that breaks ends
//     it without one;
//   - a rule that ends on a match that does not hold or on a statement
//     that breaks did not match, whatever ran before: nft_do_chain sends
//     its trace event (nft_trace_packet, NFT_TRACETYPE_RULE) only once the
//     last expression ran (NFT_CONTINUE) or one set a verdict, and on
//     NFT_BREAK goes on to the next rule without one. Apply marks it
//     (Ctx.broke) and Table.Run records the step as NoMatch;
//   - a statement farend does not model (Unknown) does not stop the
//     rule; if no later statement decides, the rule's verdict is Unknown
//     (the evaluator then notes the uncertainty).
//
// The zero NFTStatements does nothing.
type NFTStatements struct {
	Items []NFTItem
	// Text is the statements part of the rule as nft prints it.
	Text string
}

func (t *NFTStatements) String() string { return t.Text }

// Apply implements Target.
func (t *NFTStatements) Apply(c *Ctx) Verdict {
	var unknown []string
	done := func(v Verdict) Verdict {
		if len(unknown) == 0 {
			return v
		}
		if v.Kind == VerdictNone {
			return Verdict{Kind: Unknown}
		}
		c.Explain("`%s` ran before the verdict and is not modelled: it may have ended the rule first", strings.Join(unknown, "`, `"))
		return v
	}
	for _, it := range t.Items {
		if it.Match != nil {
			r := it.Match.Match(c)
			if r == Maybe {
				if v, ok := c.Choices[c.Rule]; ok && c.Rule != nil {
					r = TriOf(v)
				} else {
					if c.Rule != nil {
						c.Branches = append(c.Branches, c.Rule)
					}
					r = No
				}
			}
			if r == No {
				c.Explain("the rule ends at `%s`, which does not hold (the statements before it have run)", it.Match)
				c.broke = true
				return done(Verdict{})
			}
			continue
		}
		if it.Stmt == nil {
			continue
		}
		v, brk := it.Stmt.Exec(c)
		if brk {
			c.broke = true
			return done(Verdict{})
		}
		switch v.Kind {
		case VerdictNone:
		case Unknown:
			unknown = append(unknown, it.Stmt.String())
		default:
			return done(v)
		}
	}
	return done(Verdict{})
}

// Statements returns the rule's statements in order (without the matches
// among them), e.g. to find its log statements.
func (t *NFTStatements) Statements() []NFTStmt {
	var out []NFTStmt
	for _, it := range t.Items {
		if it.Stmt != nil {
			out = append(out, it.Stmt)
		}
	}
	return out
}

// Effect says in a phrase whether the rule can change the verdict: it
// ends in a verdict, only changes the packet, only counts or logs, or
// holds statements farend does not model.
func (t *NFTStatements) Effect() string {
	var verdicts, changes, unknown []string
	for _, s := range t.Statements() {
		e := effUnknown
		if x, ok := s.(nftEffecter); ok {
			e = x.effect()
		}
		switch e {
		case effVerdict:
			verdicts = append(verdicts, s.String())
		case effChange:
			changes = append(changes, s.String())
		case effUnknown:
			unknown = append(unknown, s.String())
		}
	}
	switch {
	case len(verdicts) > 0:
		return fmt.Sprintf("it can change the verdict (the rule ends in `%s`)", verdicts[len(verdicts)-1])
	case len(unknown) > 0:
		return fmt.Sprintf("the rule's `%s` is not modelled either, so it may change the verdict", strings.Join(unknown, "`, `"))
	case len(changes) > 0:
		return fmt.Sprintf("it decides no verdict but changes the packet (`%s`), which later rules may read", strings.Join(changes, "`, `"))
	}
	return "the rule only counts or logs, so it cannot change the verdict"
}
