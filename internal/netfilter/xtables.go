package netfilter

import (
	"fmt"
	"strconv"
	"strings"
)

// Args is a cursor over the words of one rule (already unquoted), for the
// option parsers of match and target modules. A module parser consumes the
// options it knows and stops at the first word that is not one of them;
// the caller decides what that word is (another module, the target, or an
// option farend does not understand). The caller may reuse W for the next
// rule: a parser that keeps an Opt's Args copies them (keepOpts).
type Args struct {
	W []string
	I int
}

// Peek returns the next option without consuming it, and whether a "!"
// precedes it (iptables-save prints negations before the option:
// `! --dport 22`).
func (a *Args) Peek() (opt string, neg, ok bool) {
	i := a.I
	if i < len(a.W) && a.W[i] == "!" {
		neg = true
		i++
	}
	if i >= len(a.W) {
		return "", false, false
	}
	return a.W[i], neg, true
}

// Take consumes the option Peek returned and its n arguments.
func (a *Args) Take(n int) (Opt, error) {
	var o Opt
	i := a.I
	if i < len(a.W) && a.W[i] == "!" {
		o.Neg = true
		i++
	}
	if i >= len(a.W) || n > len(a.W)-i-1 {
		return a.takeErr(o.Neg, n)
	}
	o.Name = a.W[i]
	o.Args = a.W[i+1 : i+1+n]
	a.I = i + 1 + n
	return o, nil
}

// takeErr is Take when the option or its arguments are missing (apart, so
// that Take is small).
//
//go:noinline
func (a *Args) takeErr(neg bool, n int) (Opt, error) {
	o := Opt{Neg: neg}
	if neg {
		a.I++
	}
	if a.I >= len(a.W) {
		return o, fmt.Errorf("missing option")
	}
	o.Name = a.W[a.I]
	a.I = len(a.W)
	return o, fmt.Errorf("%s needs %d argument(s)", o.Name, n)
}

// Opt is one option of a module as written: `! --dport 22` is
// Opt{Neg: true, Name: "--dport", Args: ["22"]}.
type Opt struct {
	Neg  bool
	Name string
	Args []string
}

// Arg returns the first argument ("" when there is none).
func (o Opt) Arg() string {
	if len(o.Args) == 0 {
		return ""
	}
	return o.Args[0]
}

// eachOpt feeds the options that arity knows (it returns -1 for the others)
// to apply, and stops at the first option it does not know.
func eachOpt(a *Args, arity func(string) int, apply func(Opt) error) error {
	for {
		name, _, ok := a.Peek()
		if !ok {
			return nil
		}
		n := arity(name)
		if n < 0 {
			return nil
		}
		o, err := a.Take(n)
		if err != nil {
			return err
		}
		if err := apply(o); err != nil {
			return err
		}
	}
}

// noNeg is the error for an option that cannot be negated.
func noNeg(o Opt) error {
	if o.Neg {
		return fmt.Errorf("%s cannot be negated", o.Name)
	}
	return nil
}

// ParseMatch parses the options of match module name (`-m name ...`) from
// a, which is positioned after the module name. known is false when farend
// has no model of the module; a is then left untouched. An error means a
// known option had a value farend (and iptables) would not accept.
func ParseMatch(name string, fam Family, a *Args) (m Match, known bool, err error) {
	var p func(Family, *Args) (Match, error)
	switch name {
	case "tcp", "udp", "udplite":
		name = intern(name)
		p = func(f Family, a *Args) (Match, error) { return parseTCPUDP(name, a) }
	case "multiport":
		p = parseMultiport
	case "icmp":
		p = parseICMP
	case "icmp6":
		p = parseICMP6
	case "conntrack":
		p = parseConntrack
	case "state":
		p = parseState
	case "mark":
		p = func(f Family, a *Args) (Match, error) { return parseMarkMatch(a, false) }
	case "connmark":
		p = func(f Family, a *Args) (Match, error) { return parseMarkMatch(a, true) }
	case "addrtype":
		p = parseAddrType
	case "rpfilter":
		p = parseRPFilter
	case "iprange":
		p = parseIPRange
	case "comment":
		p = parseComment
	case "pkttype":
		p = parsePktType
	case "length":
		p = parseLength
	case "ttl":
		p = func(f Family, a *Args) (Match, error) { return parseTTL(a, false) }
	case "hl":
		p = func(f Family, a *Args) (Match, error) { return parseTTL(a, true) }
	case "statistic":
		p = parseStatistic
	case "limit":
		p = parseLimit
	case "hashlimit":
		p = parseHashlimit
	case "set":
		p = parseSet
	default:
		return nil, false, nil
	}
	m, err = p(fam, a)
	return m, true, err
}

// ParseTarget parses the options of target name (`-j name ...`) from a,
// positioned after the name. known is false when name is not a target
// farend models (it may be a user chain). ACCEPT, DROP, RETURN and QUEUE
// are the standard verdicts; jumps to user chains are JumpTarget and
// GotoTarget, made by the caller, who knows the chains.
func ParseTarget(name string, fam Family, a *Args) (t Target, known bool, err error) {
	switch name {
	case "ACCEPT":
		return AcceptTarget{}, true, nil
	case "DROP":
		return DropTarget{}, true, nil
	case "RETURN":
		return ReturnTarget{}, true, nil
	case "QUEUE":
		return &QueueTarget{Plain: true}, true, nil
	case "NFQUEUE":
		t, err = parseNFQueue(a)
	case "REJECT":
		t, err = parseReject(fam, a)
	case "LOG":
		t, err = parseLog(a)
	case "NFLOG":
		t, err = parseNFLog(a)
	case "MARK":
		t, err = parseMarkTarget(a)
	case "CONNMARK":
		t, err = parseConnmarkTarget(a)
	case "DNAT", "SNAT", "MASQUERADE", "REDIRECT":
		t, err = parseNAT(intern(name), fam, a)
	case "NOTRACK":
		return &NoTrackTarget{}, true, nil
	case "CT":
		t, err = parseCT(a)
	case "TCPMSS":
		t, err = parseTCPMSS(a)
	case "TRACE":
		return TraceTarget{}, true, nil
	default:
		return nil, false, nil
	}
	return t, true, err
}

// intern returns the constant equal to a module or target name that
// parsers keep in what they return, rather than the rule text's copy:
// checks and evaluation compare it for every rule and packet, and the
// constant is always in cache.
func intern(name string) string {
	switch name {
	case "tcp":
		return "tcp"
	case "udp":
		return "udp"
	case "udplite":
		return "udplite"
	case "DNAT":
		return "DNAT"
	case "SNAT":
		return "SNAT"
	case "MASQUERADE":
		return "MASQUERADE"
	case "REDIRECT":
		return "REDIRECT"
	}
	return name
}

// Entry is what the kernel's checkentry functions (and iptables' own
// checks) see of a rule: where it sits and what else it contains.
type Entry struct {
	Family Family
	Table  string
	// Chain is the chain the rule is in; Builtin is true for a built-in
	// chain.
	Chain   string
	Builtin bool
	// Hooks are the hooks from which the chain is reachable.
	Hooks []Hook
	Rule  *Rule
	// Compat is true for iptables-nft (nft_compat), which skips some of the
	// checks x_tables does.
	Compat bool
}

// Proto returns the rule's -p protocol and whether it is negated (0 when
// the rule has none).
func (e Entry) Proto() (proto uint8, inv bool) {
	if e.Rule == nil {
		return 0, false
	}
	for _, m := range e.Rule.Matches {
		if p, ok := m.(*ProtoMatch); ok {
			return p.Proto, p.Invert
		}
	}
	return 0, false
}

// Checker is implemented by matches and targets that the kernel accepts
// only in some tables, hooks or rules (x_tables.c xt_check_match /
// xt_check_target: .table, .hooks, .proto, and each checkentry). Check
// returns the reason the kernel (or iptables) refuses the rule, or "".
type Checker interface {
	Check(e Entry) string
}

// checkHooks returns the refusal for a module valid only in table (when
// not "") and on the hooks of allowed.
func checkHooks(what string, e Entry, table string, allowed ...Hook) string {
	// what is copied where it is printed, so that it does not escape: the
	// Check methods build it on the stack, and most checks pass.
	if table != "" && e.Table != table {
		return fmt.Sprintf("%s is only valid in the %s table, not %s", strings.Clone(what), table, e.Table)
	}
	for _, h := range e.Hooks {
		ok := false
		for _, a := range allowed {
			if h == a {
				ok = true
			}
		}
		if !ok {
			names := make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = a.String()
			}
			return fmt.Sprintf("%s is only valid in %s, but chain %s is reached from %s", strings.Clone(what), strings.Join(names, "/"), e.Chain, h)
		}
	}
	return ""
}

// checkProto returns the refusal for a module that needs `-p proto`
// (x_tables.c: "only valid for protocol"). what is copied where it is
// printed, as in checkHooks.
func checkProto(what string, e Entry, protos ...uint8) string {
	p, inv := e.Proto()
	if !inv {
		for _, want := range protos {
			if p == want {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s needs a non-negated -p of its protocol", strings.Clone(what))
}

// saveString quotes s as iptables-save does (libxtables
// xtables_save_string): bare when it is only letters, digits, '_' and '-',
// else in double quotes with '"', '\' and '\” escaped by a backslash.
func saveString(s string) string {
	bare := s != ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			bare = false
			break
		}
	}
	if bare {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c == '\'' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// quoteIfNeeded quotes s only when iptables-restore would otherwise split
// or unquote it differently (blanks, quotes, backslashes, empty); modules
// that print values with plain printf get them back unchanged.
func quoteIfNeeded(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"\\") {
		return s
	}
	return saveString(s)
}

// parseUint parses a number as libxtables xtables_strtoui does (strtoul
// with base 0: decimal, 0x hex, leading 0 octal) and checks it against max.
func parseUint(s string, max uint64) (uint64, error) {
	if s == "" || strings.ContainsRune(s, '_') || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil || n > max {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	return n, nil
}

// parseValueMask parses "value[/mask]" (xtables_parse_mark_mask); the mask
// defaults to 0xffffffff.
func parseValueMask(s string) (value, mask uint32, err error) {
	v, m, hasMask := strings.Cut(s, "/")
	n, err := parseUint(v, 0xffffffff)
	if err != nil {
		return 0, 0, err
	}
	mask = 0xffffffff
	if hasMask {
		k, err := parseUint(m, 0xffffffff)
		if err != nil {
			return 0, 0, err
		}
		mask = uint32(k)
	}
	return uint32(n), mask, nil
}

// bang returns "! " when b: the negation prefix of an option.
func bang(b bool) string {
	if b {
		return "! "
	}
	return ""
}

// optsString prints options as written, quoting arguments as
// iptables-save does.
func optsString(opts []Opt) string {
	var b strings.Builder
	for _, o := range opts {
		b.WriteByte(' ')
		b.WriteString(bang(o.Neg))
		b.WriteString(o.Name)
		for _, a := range o.Args {
			b.WriteByte(' ')
			b.WriteString(quoteIfNeeded(a))
		}
	}
	return b.String()
}

// keepOpts collects the options arity knows, as written.
func keepOpts(a *Args, arity func(string) int, check func(Opt) error) ([]Opt, error) {
	var opts []Opt
	err := eachOpt(a, arity, func(o Opt) error {
		o.Args = append([]string(nil), o.Args...)
		opts = append(opts, o)
		return check(o)
	})
	return opts, err
}
