package iptables

import (
	"fmt"
	"strconv"
	"strings"

	"farend/internal/netfilter"
	"farend/internal/source"
)

// rule handles `[packets:bytes] -A CHAIN rule...`: it checks the counters,
// the quotes and -A, and adds the rule to its chain. The rest is parsed
// by a ruleParser, in parallel with the following lines when the table is
// big (stream), else when the table is complete.
func (p *parser) rule(n int, s string) {
	if p.tbl == nil {
		p.note(n, s, "rule outside a table (no *table line before it)")
		return
	}
	text := s
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			p.note(n, s, "bad counters")
			return
		}
		if _, _, ok := parseCounters(s[:end+1]); !ok {
			p.note(n, s, "bad counters "+s[:end+1])
			return
		}
		text = strings.TrimSpace(s[end+1:])
	}
	w0, w1, nw, err := head(text)
	if err != nil {
		p.note(n, s, "unterminated quote")
		return
	}
	if nw < 2 || (w0.s != "-A" && w0.s != "--append") {
		p.note(n, s, "only -A rules appear in iptables-save output")
		return
	}
	ts := p.tbl
	t := ts.t
	chain := w1.s
	ci := ts.last
	if ci == nil || ci.c.Name != chain {
		ci = ts.find(chain)
	}
	if ci == nil {
		p.note(n, s, fmt.Sprintf("chain %s was not declared (iptables-restore refuses the table)", chain))
		c := netfilter.Chain{Name: chain, Table: t.Name, Builtin: isBuiltin(t.Name, chain), Pos: p.pos(n)}
		if c.Builtin {
			c.Policy = netfilter.Accept
		}
		ci = p.addChain(c)
	}
	ts.last = ci
	ci.nrules++
	ts.rules.add(pendingRule{s: s, line: n, num: ci.nrules, from: ci}, &p.free)
	p.publish(ts)
}

// newRule returns a zero rule, from a slab.
func (rp *ruleParser) newRule() *netfilter.Rule {
	if len(rp.rules) == 0 {
		rp.rules = make([]netfilter.Rule, 256)
	}
	r := &rp.rules[0]
	rp.rules = rp.rules[1:]
	return r
}

type problem struct{ text, why string }

// ruleParser parses the words of one rule after "-A CHAIN". One is used
// for many rules, one after another, by one goroutine.
type ruleParser struct {
	file string
	fam  netfilter.Family
	// ts is the table of the rules; late is true when the parser may look
	// at ts.late (it does not run in parallel with the table's reading).
	ts   *tableState
	late bool
	text string
	line int
	// a.W are the rule's words after "-A CHAIN", spans their spans in
	// text.
	a     netfilter.Args
	spans []span
	r     *netfilter.Rule
	// proto is the -p argument, for iptables' implicit loading of the
	// protocol's match module.
	proto    string
	counters bool
	jump     string
	jumpRaw  string
	to       *chainInfo
	problems []problem
	// matches collects the rule's matches; slab and rules hold room for
	// the matches and rules of this and the next rules.
	matches []netfilter.Match
	slab    []netfilter.Match
	rules   []netfilter.Rule
	ws      []string
	sp      []span
}

// parse parses the rule of pr, whose line rule checked, and sets pr.r,
// pr.to and pr.x.
func (rp *ruleParser) parse(pr *pendingRule) {
	s := pr.s
	text := s
	r := rp.newRule()
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		r.Packets, r.Bytes, _ = parseCounters(s[:end+1])
		r.HasCounters = true
		text = strings.TrimSpace(s[end+1:])
	}
	r.Table, r.Chain, r.Num, r.Text = rp.ts.t.Name, pr.from.c.Name, pr.num, text
	r.Pos = source.Pos{File: rp.file, Line: pr.line}
	ws, sp, _ := split(text, rp.ws[:0], rp.sp[:0])
	rp.ws, rp.sp = ws, sp
	rp.text, rp.line, rp.r = text, pr.line, r
	rp.a.W, rp.a.I, rp.spans = ws[2:], 0, sp[2:]
	rp.proto, rp.counters, rp.jump, rp.jumpRaw, rp.to = "", false, "", "", nil
	// The matches are appended to the slab's room, or to an array of
	// their own when there is not enough.
	if len(rp.slab) < 16 {
		rp.slab = make([]netfilter.Match, 512)
	}
	rp.problems, rp.matches = rp.problems[:0], rp.slab[:0:len(rp.slab)]
	rp.run()
	if n := len(rp.matches); n > 0 {
		r.Matches = rp.matches[:n:n]
		if &rp.matches[0] == &rp.slab[0] {
			rp.slab = rp.slab[n:]
		}
	}
	rp.matches = nil
	if rp.counters {
		r.HasCounters = true
	}
	pr.r, pr.to, pr.x = r, rp.to, nil
	if rp.jump != "" || len(rp.problems) > 0 {
		pr.x = &ruleExtra{jump: rp.jump, raw: rp.jumpRaw}
		if len(rp.problems) > 0 {
			pr.x.problems = append([]problem(nil), rp.problems...)
		}
	}
	rp.r = nil
}

// isStarter reports whether s begins a new part of a rule: a generic
// option, a match, a target or counters.
func isStarter(s string) bool {
	switch s {
	case "-s", "--source", "--src", "-d", "--destination", "--dst",
		"-i", "--in-interface", "-o", "--out-interface", "-p", "--protocol",
		"-f", "--fragment", "-m", "--match", "-j", "--jump", "-g", "--goto",
		"-c", "--set-counters", "-4", "--ipv4", "-6", "--ipv6":
		return true
	}
	return false
}

// atStarter reports whether the cursor is at the end or at a new part.
func (rp *ruleParser) atStarter() bool {
	name, _, ok := rp.a.Peek()
	return !ok || isStarter(name)
}

// skipToStarter moves the cursor to the next new part (at least one word
// past from).
func (rp *ruleParser) skipToStarter(from int) {
	i := from + 1
	w := rp.a.W
	if from < len(w) && w[from] == "!" {
		i++
	}
	if rp.a.I > i {
		i = rp.a.I
	}
	for i < len(w) {
		s := w[i]
		if isStarter(s) || s == "!" && i+1 < len(w) && isStarter(w[i+1]) {
			break
		}
		i++
	}
	if i > len(w) {
		i = len(w)
	}
	rp.a.I = i
}

// raw returns the rule text of words [from, to).
func (rp *ruleParser) raw(from, to int) string {
	if from >= to || from >= len(rp.spans) {
		return ""
	}
	if to > len(rp.spans) {
		to = len(rp.spans)
	}
	return rp.text[rp.spans[from].start:rp.spans[to-1].end]
}

// unknownMatch records words [from, next part) as a match farend does not
// understand.
func (rp *ruleParser) unknownMatch(from int, module, why string) {
	rp.skipToStarter(from)
	raw := rp.raw(from, rp.a.I)
	rp.matches = append(rp.matches, &netfilter.UnknownMatch{Module: module, Raw: raw, Why: why})
	rp.problems = append(rp.problems, problem{raw, why})
}

func (rp *ruleParser) run() {
	for rp.a.I < len(rp.a.W) {
		start := rp.a.I
		name, neg, _ := rp.a.Peek()
		switch name {
		case "-s", "--source", "--src", "-d", "--destination", "--dst":
			o, err := rp.a.Take(1)
			if err != nil {
				rp.unknownMatch(start, "", err.Error())
				continue
			}
			dst := name[1] == 'd' || strings.HasPrefix(name, "--d")
			m, err := netfilter.ParseAddrMatch(o.Arg(), dst, neg, rp.fam)
			if err != nil {
				rp.bad(start, err)
				continue
			}
			rp.matches = append(rp.matches, m)
		case "-i", "--in-interface", "-o", "--out-interface":
			o, err := rp.a.Take(1)
			if err != nil {
				rp.unknownMatch(start, "", err.Error())
				continue
			}
			out := name == "-o" || name == "--out-interface"
			m, err := netfilter.ParseIfaceMatch(o.Arg(), out, neg)
			if err != nil {
				rp.bad(start, err)
				continue
			}
			rp.matches = append(rp.matches, m)
		case "-p", "--protocol":
			o, err := rp.a.Take(1)
			if err != nil {
				rp.unknownMatch(start, "", err.Error())
				continue
			}
			m, err := netfilter.ParseProtoMatch(o.Arg(), neg)
			if err == nil && m.Proto == 0 && neg {
				err = fmt.Errorf("rule would never match protocol (! -p all)")
			}
			if err != nil {
				rp.bad(start, err)
				continue
			}
			rp.proto = m.Name
			rp.matches = append(rp.matches, m)
		case "-f", "--fragment":
			rp.a.Take(0)
			rp.matches = append(rp.matches, &netfilter.FragMatch{Invert: neg})
		case "-m", "--match":
			rp.module(start, neg)
		case "-j", "--jump", "-g", "--goto":
			rp.target(start, neg, name == "-g" || name == "--goto")
		case "-c", "--set-counters":
			o, err := rp.a.Take(2)
			if err != nil {
				rp.unknownMatch(start, "", err.Error())
				continue
			}
			pk, err1 := strconv.ParseUint(o.Args[0], 10, 64)
			by, err2 := strconv.ParseUint(o.Args[1], 10, 64)
			if err1 != nil || err2 != nil || neg {
				rp.unknownMatch(start, "", "bad -c counters")
				continue
			}
			rp.r.Packets, rp.r.Bytes, rp.counters = pk, by, true
		case "-4", "--ipv4", "-6", "--ipv6":
			rp.a.Take(0)
			v4 := name == "-4" || name == "--ipv4"
			if v4 != (rp.fam == netfilter.IPv4) {
				rp.problems = append(rp.problems, problem{name, "the rule is for the other family; iptables-restore skips it"})
			}
		default:
			rp.implicit(start)
		}
	}
}

// bad records a known option with a value farend cannot parse.
func (rp *ruleParser) bad(start int, err error) {
	rp.a.I = start
	rp.unknownMatch(start, "", err.Error())
}

// module parses `-m NAME options...`.
func (rp *ruleParser) module(start int, neg bool) {
	o, err := rp.a.Take(1)
	if err != nil || neg {
		why := "-m needs a module name"
		if neg {
			why = "-m cannot be negated"
		}
		rp.unknownMatch(start, "", why)
		return
	}
	name := o.Arg()
	at := rp.a.I
	m, known, err := netfilter.ParseMatch(name, rp.fam, &rp.a)
	switch {
	case !known:
		rp.unknownMatch(start, name, fmt.Sprintf("match module %s is not modelled by farend", name))
	case err != nil:
		rp.a.I = at
		rp.unknownMatch(start, name, fmt.Sprintf("-m %s: %v", name, err))
	case !rp.atStarter():
		opt, _, _ := rp.a.Peek()
		rp.unknownMatch(start, name, fmt.Sprintf("-m %s: option %s is not understood", name, opt))
	default:
		rp.matches = append(rp.matches, m)
	}
}

// implicit handles an option outside any -m: iptables loads the match
// module named like the -p protocol when it meets an unknown option
// (`-p tcp --dport 22`).
func (rp *ruleParser) implicit(start int) {
	opt, _, _ := rp.a.Peek()
	mod := ""
	switch rp.proto {
	case "tcp", "udp", "udplite", "icmp":
		mod = rp.proto
	case "ipv6-icmp", "icmpv6":
		mod = "icmp6"
	}
	if mod != "" {
		m, known, err := netfilter.ParseMatch(mod, rp.fam, &rp.a)
		if known && err == nil && rp.a.I > start && rp.atStarter() {
			rp.matches = append(rp.matches, m)
			return
		}
		rp.a.I = start
	}
	rp.unknownMatch(start, "", fmt.Sprintf("option %s is not understood", opt))
}

// target parses `-j NAME options...` or `-g CHAIN`.
func (rp *ruleParser) target(start int, neg, isGoto bool) {
	o, err := rp.a.Take(1)
	if err != nil || neg || rp.r.Target != nil {
		why := "-j needs a target"
		switch {
		case neg:
			why = "a target cannot be negated"
		case rp.r.Target != nil:
			why = "more than one target (iptables: multiple -j flags not allowed)"
		}
		rp.skipToStarter(start)
		raw := rp.raw(start, rp.a.I)
		if rp.r.Target == nil {
			rp.r.Target = &netfilter.UnknownTarget{Raw: raw, Why: why}
		}
		rp.problems = append(rp.problems, problem{raw, why})
		return
	}
	name := o.Arg()
	if isGoto {
		rp.r.Target = netfilter.GotoTarget{Chain: name}
		rp.jump, rp.jumpRaw = name, rp.raw(start, rp.a.I)
		return
	}
	// A chain exists at a rule's line when it was declared (or first
	// named by -A) at or before it.
	ci := rp.ts.chains[name]
	if ci == nil && rp.late {
		ci = rp.ts.late[name]
	}
	if ci != nil && ci.c.Pos.Line <= rp.line {
		rp.r.Target, rp.to = ci.jump, ci
		return
	}
	at := rp.a.I
	tg, known, err := netfilter.ParseTarget(name, rp.fam, &rp.a)
	switch {
	case known && err == nil && rp.atStarter():
		rp.r.Target = tg
		return
	case known && err != nil:
		rp.a.I = at
		rp.unknownTarget(start, name, fmt.Sprintf("-j %s: %v", name, err))
	case known:
		opt, _, _ := rp.a.Peek()
		rp.unknownTarget(start, name, fmt.Sprintf("-j %s: option %s is not understood", name, opt))
	case rp.atStarter():
		// A chain declared later, or a target farend does not know: the
		// table's end decides.
		rp.r.Target = netfilter.JumpTarget{Chain: name}
		rp.jump, rp.jumpRaw = name, rp.raw(start, rp.a.I)
	default:
		rp.unknownTarget(start, name, fmt.Sprintf("target %s is not modelled by farend", name))
	}
}

func (rp *ruleParser) unknownTarget(start int, name, why string) {
	rp.skipToStarter(start)
	raw := rp.raw(start, rp.a.I)
	rp.r.Target = &netfilter.UnknownTarget{Name: name, Raw: raw, Why: why}
	rp.problems = append(rp.problems, problem{raw, why})
}
