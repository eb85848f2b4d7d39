package nft

import (
	"fmt"
	"strings"

	nf "farend/internal/netfilter"
)

// ruleCtx is the state of one rule being read.
type ruleCtx struct {
	p     *parser
	i     int
	table *nf.Table
	fam   nf.Family
	// notes are the parts of the rule farend does not model or could not
	// read: (text, why).
	notes [][2]string
	xt    int
}

func (r *ruleCtx) opaque(text, why string) {
	r.notes = append(r.notes, [2]string{text, why})
}

// item is one expression of a rule: a match or a statement, with its
// text ("" for nothing printed).
type item struct {
	match nf.Match
	stmt  nf.NFTStmt
	text  string
}

func (p *parser) rule(i int, m jobj) {
	t := p.lookupTable(i, m, "table")
	if t == nil {
		return
	}
	cname, _ := str(m, "chain")
	c := t.Chains[cname]
	if c == nil {
		if cname == "" {
			p.note(i, compact(m), "rule without a chain")
			return
		}
		c = &nf.Chain{Name: cname, Table: t.Name, Pos: p.pos(i), NFT: &nf.NFTChain{Family: t.NFT.Family}}
		t.Chains[cname] = c
		t.Order = append(t.Order, cname)
		p.note(i, compact(m), fmt.Sprintf("rule of chain %q, which is not declared", cname))
	}
	rc := &ruleCtx{p: p, i: i, table: t, fam: t.NFT.Family}
	rule := &nf.Rule{Table: t.Name, Chain: c.Name, Num: len(c.Rules) + 1, Pos: p.pos(i)}
	rule.Handle, _ = numField(m, "handle")
	exprs, ok := m.get("expr").([]any)
	if !ok && m.get("expr") != nil {
		rc.opaque(compact(m.get("expr")), "the rule's expressions are not a list")
	}
	var items []item
	for _, e := range exprs {
		it, err := rc.item(e)
		if err != nil {
			rc.opaque(compact(e), err.Error())
			it = item{match: &nf.NFTOpaqueMatch{Text: compact(e), Why: "farend could not read it: " + err.Error()}, text: compact(e)}
		}
		if cnt, ok := it.stmt.(*nf.NFTCounter); ok && cnt.Name == "" {
			rule.Packets, rule.Bytes, rule.HasCounters = cnt.Packets, cnt.Bytes, true
		}
		items = append(items, it)
	}
	items = mergeNegated(items, p.version)
	comment, _ := str(m, "comment")
	rule.Text = joinText(items)
	if comment != "" {
		rule.Text += " comment " + quote(comment)
	}
	assemble(rule, items)
	c.Rules = append(c.Rules, rule)
	if rc.xt > 0 {
		t.NFT.XT = true
		p.xtRules[t]++
	}
	for _, n := range rc.notes {
		p.note(i, rule.Text, "`"+n[0]+"`: "+n[1])
	}
	if len(rc.notes) == 0 {
		p.understood[i] = true
	}
}

func joinText(items []item) string {
	var parts []string
	for _, it := range items {
		if it.text != "" {
			parts = append(parts, it.text)
		}
	}
	return strings.Join(parts, " ")
}

// assemble splits a rule's expressions into the leading matches
// (Rule.Matches) and the statements from the first one on
// (Rule.Target, an NFTStatements). A first statement that can end the
// rule without a verdict lends its guard to the matches.
func assemble(rule *nf.Rule, items []item) {
	first := len(items)
	for i, it := range items {
		if it.stmt != nil {
			first = i
			break
		}
		rule.Matches = append(rule.Matches, it.match)
	}
	if first == len(items) {
		return
	}
	if g, ok := items[first].stmt.(nf.NFTGuarded); ok {
		if m := g.Guard(); m != nil {
			rule.Matches = append(rule.Matches, m)
		}
	}
	t := &nf.NFTStatements{Text: joinText(items[first:])}
	for _, it := range items[first:] {
		t.Items = append(t.Items, nf.NFTItem{Match: it.match, Stmt: it.stmt})
	}
	rule.Target = t
}

// jumpTargets lists the chains a rule can jump or go to.
func jumpTargets(r *nf.Rule) []string {
	st, ok := r.Target.(*nf.NFTStatements)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range st.Statements() {
		switch x := s.(type) {
		case *nf.NFTVerdict:
			if x.Chain != "" {
				out = append(out, x.Chain)
			}
		case *nf.NFTVmap:
			if x.Map == nil {
				continue
			}
			seen := map[string]bool{}
			for _, e := range x.Map.Elems {
				if ch := e.Verdict.Chain; ch != "" && !seen[ch] {
					seen[ch] = true
					out = append(out, ch)
				}
			}
		}
	}
	return out
}
