package iptables

import (
	"fmt"
	"strconv"
	"strings"

	"farend/internal/netfilter"
)

// rule handles `[packets:bytes] -A CHAIN rule...`.
func (p *parser) rule(n int, s string) {
	if p.tbl == nil {
		p.note(n, s, "rule outside a table (no *table line before it)")
		return
	}
	var pk, by uint64
	hasCounters := false
	text := s
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			p.note(n, s, "bad counters")
			return
		}
		var ok bool
		pk, by, ok = parseCounters(s[:end+1])
		if !ok {
			p.note(n, s, "bad counters "+s[:end+1])
			return
		}
		hasCounters = true
		text = strings.TrimSpace(s[end+1:])
	}
	w, err := split(text, p.words)
	p.words = w[:0]
	if err != nil {
		p.note(n, s, "unterminated quote")
		return
	}
	if len(w) < 2 || (w[0].s != "-A" && w[0].s != "--append") {
		p.note(n, s, "only -A rules appear in iptables-save output")
		return
	}
	t := p.tbl.t
	chain := w[1].s
	c := t.Chains[chain]
	if c == nil {
		p.note(n, s, fmt.Sprintf("chain %s was not declared (iptables-restore refuses the table)", chain))
		c = &netfilter.Chain{Name: chain, Table: t.Name, Builtin: isBuiltin(t.Name, chain), Pos: p.pos(n)}
		if c.Builtin {
			c.Policy = netfilter.Accept
		}
		t.Chains[chain] = c
		t.Order = append(t.Order, chain)
	}
	r := &netfilter.Rule{
		Table: t.Name, Chain: chain, Num: len(c.Rules) + 1, Text: text, Pos: p.pos(n),
		Packets: pk, Bytes: by, HasCounters: hasCounters,
	}
	rp := ruleParser{p: p, fam: p.fam, text: text, w: w[2:], r: r}
	rp.run()
	for _, pb := range rp.problems {
		p.note(n, pb.text, pb.why)
	}
	if rp.counters {
		r.HasCounters = true
	}
	c.Rules = append(c.Rules, r)
	p.tbl.rules = append(p.tbl.rules, pendingRule{r: r, jump: rp.jump, raw: rp.jumpRaw})
	if len(rp.problems) == 0 {
		p.ok[n] = true
	}
}

type problem struct{ text, why string }

// ruleParser parses the words of one rule after "-A CHAIN".
type ruleParser struct {
	p    *parser
	fam  netfilter.Family
	text string
	w    []word
	a    netfilter.Args
	r    *netfilter.Rule
	// proto is the -p argument, for iptables' implicit loading of the
	// protocol's match module.
	proto    string
	counters bool
	jump     string
	jumpRaw  string
	problems []problem
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
	if from < len(rp.w) && rp.w[from].s == "!" {
		i++
	}
	if rp.a.I > i {
		i = rp.a.I
	}
	for i < len(rp.w) {
		s := rp.w[i].s
		if isStarter(s) || s == "!" && i+1 < len(rp.w) && isStarter(rp.w[i+1].s) {
			break
		}
		i++
	}
	if i > len(rp.w) {
		i = len(rp.w)
	}
	rp.a.I = i
}

// raw returns the rule text of words [from, to).
func (rp *ruleParser) raw(from, to int) string {
	if from >= to || from >= len(rp.w) {
		return ""
	}
	if to > len(rp.w) {
		to = len(rp.w)
	}
	return rp.text[rp.w[from].start:rp.w[to-1].end]
}

// unknownMatch records words [from, next part) as a match farend does not
// understand.
func (rp *ruleParser) unknownMatch(from int, module, why string) {
	rp.skipToStarter(from)
	raw := rp.raw(from, rp.a.I)
	rp.r.Matches = append(rp.r.Matches, &netfilter.UnknownMatch{Module: module, Raw: raw, Why: why})
	rp.problems = append(rp.problems, problem{raw, why})
}

func (rp *ruleParser) run() {
	rp.a.W = make([]string, len(rp.w))
	for i, w := range rp.w {
		rp.a.W[i] = w.s
	}
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
			rp.r.Matches = append(rp.r.Matches, m)
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
			rp.r.Matches = append(rp.r.Matches, m)
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
			rp.r.Matches = append(rp.r.Matches, m)
		case "-f", "--fragment":
			rp.a.Take(0)
			rp.r.Matches = append(rp.r.Matches, &netfilter.FragMatch{Invert: neg})
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
		rp.r.Matches = append(rp.r.Matches, m)
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
			rp.r.Matches = append(rp.r.Matches, m)
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
	t := rp.p.tbl.t
	if isGoto {
		rp.r.Target = netfilter.GotoTarget{Chain: name}
		rp.jump, rp.jumpRaw = name, rp.raw(start, rp.a.I)
		return
	}
	if t.Chains[name] != nil {
		rp.r.Target = netfilter.JumpTarget{Chain: name}
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
