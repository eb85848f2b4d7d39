package netfilter

import (
	"net/netip"
	"strings"
	"testing"
)

// nftRule builds a rule from leading matches and items as the nft parser
// does (the first statement's guard joins the matches).
func nftRule(matches []Match, items ...NFTItem) *Rule {
	r := &Rule{Table: "t", Chain: "c", Num: 1, Matches: matches}
	if len(items) > 0 {
		if g, ok := items[0].Stmt.(NFTGuarded); ok && items[0].Stmt != nil {
			if m := g.Guard(); m != nil {
				r.Matches = append(r.Matches, m)
			}
		}
		r.Target = &NFTStatements{Items: items}
	}
	return r
}

func st(s NFTStmt) NFTItem { return NFTItem{Stmt: s} }
func mt(m Match) NFTItem   { return NFTItem{Match: m} }

func verdictStmt(k VerdictKind, chain string) NFTStmt {
	return &NFTVerdict{Kind: k, Chain: chain, Text: strings.ToLower(k.String())}
}

// runRule evaluates one rule as Table.Run does: matches, then the target.
func runRule(c *Ctx, r *Rule) (matched bool, v Verdict) {
	c.Rule = r
	m, _ := c.ruleMatches(r)
	if !m {
		return false, Verdict{}
	}
	if r.Target != nil {
		v = r.Target.Apply(c)
	}
	return true, v
}

// TestNFTStatements checks statements and the in-order evaluation of a
// rule's expressions.
func TestNFTStatements(t *testing.T) {
	vm := &NFTSet{Map: true, Verdicts: true}
	vm.Add(NFTElem{Key: []NFTRange{vAddr("192.168.1.5")}, Verdict: Verdict{Kind: Jump, Chain: "svc"}, Text: "192.168.1.5 : jump svc"})
	rnd := &NFTSet{Map: true, Verdicts: true}
	rnd.Add(NFTElem{Key: []NFTRange{vNum(0)}, Verdict: Verdict{Kind: Goto, Chain: "ep0"}, Text: "0 : goto ep0"})
	rnd.Add(NFTElem{Key: []NFTRange{vNum(1)}, Verdict: Verdict{Kind: Goto, Chain: "ep1"}, Text: "1 : goto ep1"})
	natMap := &NFTSet{Map: true}
	natMap.Add(NFTElem{Key: []NFTRange{vAddr("192.168.1.5")}, Data: []NFTValue{NFTAddr(mustAddr("10.0.0.7")), NFTNum(8080)}, Text: "192.168.1.5 : 10.0.0.7 . 8080"})

	tcp := "tcp 10.0.0.1:1000 192.168.1.5:22 flags=S mark=0x11"
	udp := "udp 10.0.0.1:1000 192.168.1.5:53"
	v6 := "tcp [2001:db8::1]:1000 [2001:db8::2]:22"
	type check func(t *testing.T, c *Ctx)
	tests := []struct {
		name        string
		pkt         string
		hook        Hook
		ct          *Conntrack
		rule        *Rule
		wantMatched bool
		want        Verdict
		check       check
	}{
		{name: "accept", pkt: tcp, rule: nftRule(nil, st(verdictStmt(Accept, ""))), wantMatched: true, want: Verdict{Kind: Accept}},
		{name: "jump", pkt: tcp, rule: nftRule(nil, st(verdictStmt(Jump, "x"))), wantMatched: true, want: Verdict{Kind: Jump, Chain: "x"}},
		{name: "counter then drop", pkt: tcp, rule: nftRule([]Match{cmp(pay("tcp", "dport"), "==", vNum(22))}, st(&NFTCounter{Text: "counter"}), st(verdictStmt(Drop, ""))), wantMatched: true, want: Verdict{Kind: Drop}},
		{name: "a statement before a failing match still runs", pkt: udp,
			rule:        nftRule(nil, st(&NFTMangle{Key: meta("mark"), Value: &NFTImmediate{Value: NFTNum(7)}, Text: "meta mark set 0x7"}), mt(cmp(pay("tcp", "dport"), "==", vNum(22))), st(verdictStmt(Accept, ""))),
			wantMatched: true, want: Verdict{},
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Mark != 7 {
					t.Errorf("mark %#x, want 0x7", c.Pkt.Mark)
				}
			}},
		{name: "meta mark set meta mark | 0x100", pkt: tcp, rule: nftRule(nil, st(&NFTMangle{Key: meta("mark"), Value: binop("|", meta("mark"), 0x100), Text: "meta mark set meta mark | 0x100"})), wantMatched: true,
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Mark != 0x111 {
					t.Errorf("mark %#x, want 0x111", c.Pkt.Mark)
				}
			}},
		{name: "ct mark set meta mark", pkt: tcp, rule: nftRule(nil, st(&NFTMangle{Key: ctk("mark"), Value: meta("mark"), Text: "ct mark set meta mark"})), wantMatched: true,
			check: func(t *testing.T, c *Ctx) {
				if c.Ct.Mark != 0x11 {
					t.Errorf("ct mark %#x, want 0x11", c.Ct.Mark)
				}
			}},
		{name: "meta mark set ct mark without an entry ends the rule", pkt: tcp, ct: &Conntrack{},
			rule:        nftRule(nil, st(&NFTMangle{Key: meta("mark"), Value: ctk("mark"), Text: "meta mark set ct mark"}), st(verdictStmt(Accept, ""))),
			wantMatched: true, want: Verdict{}},
		{name: "ip dscp set", pkt: tcp, rule: nftRule(nil, st(&NFTMangle{Key: pay("ip", "dscp"), Value: &NFTImmediate{Value: NFTNum(8)}, Text: "ip dscp set cs1"})), wantMatched: true,
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.TOS != 0x20 {
					t.Errorf("tos %#x, want 0x20", c.Pkt.TOS)
				}
			}},
		{name: "notrack", pkt: tcp, hook: Prerouting, ct: &Conntrack{}, rule: nftRule(nil, st(&NFTNotrack{})), wantMatched: true,
			check: func(t *testing.T, c *Ctx) {
				if !c.Ct.Untracked || (&NFTCmp{Left: []NFTExpr{ctk("state")}, Op: "in", Right: []NFTRange{vNum(64)}}).Match(c) != Yes {
					t.Errorf("not untracked: %+v", c.Ct)
				}
			}},
		{name: "vmap hit", pkt: tcp, rule: nftRule(nil, st(&NFTVmap{Key: []NFTExpr{pay("ip", "daddr")}, Map: vm, Text: "ip daddr vmap @m"})), wantMatched: true, want: Verdict{Kind: Jump, Chain: "svc"}},
		{name: "vmap miss does not match", pkt: "tcp 10.0.0.1:1 10.0.0.9:2", rule: nftRule(nil, st(&NFTVmap{Key: []NFTExpr{pay("ip", "daddr")}, Map: vm, Text: "ip daddr vmap @m"})), wantMatched: false},
		{name: "numgen random vmap follows the first", pkt: tcp, rule: nftRule(nil, st(&NFTVmap{Key: []NFTExpr{&NFTNumgen{Mode: "random", Mod: 2, Text: "numgen random mod 2"}}, Map: rnd, Text: "numgen random mod 2 vmap { ... }"})), wantMatched: true, want: Verdict{Kind: Goto, Chain: "ep0"}},
		{name: "dnat", pkt: tcp, hook: Prerouting, rule: nftRule(nil, st(&NFTNAT{Kind: "dnat", Addr: NFTNATArg{Set: true, Lo: NFTAddr(mustAddr("10.0.0.7")), Hi: NFTAddr(mustAddr("10.0.0.7"))}, Port: NFTNATArg{Set: true, Lo: NFTNum(80), Hi: NFTNum(80)}, Text: "dnat to 10.0.0.7:80"})),
			wantMatched: true, want: Verdict{Kind: Accept},
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Dst != mustAddr("10.0.0.7") || c.Pkt.DPort != 80 || len(c.NAT) != 1 || c.NAT[0].Kind != "DNAT" {
					t.Errorf("packet %v, nat %+v", c.Pkt, c.NAT)
				}
			}},
		{name: "dnat ip in inet does nothing to IPv6", pkt: v6, hook: Prerouting, rule: nftRule(nil, st(&NFTNAT{Kind: "dnat", Family: IPv4, Addr: NFTNATArg{Set: true, Lo: NFTAddr(mustAddr("10.0.0.7")), Hi: NFTAddr(mustAddr("10.0.0.7"))}, Text: "dnat ip to 10.0.0.7"}), st(verdictStmt(Drop, ""))),
			wantMatched: true, want: Verdict{Kind: Drop}},
		{name: "dnat to an address and port from a map", pkt: tcp, hook: Prerouting, rule: nftRule(nil, st(&NFTNAT{Kind: "dnat", Family: IPv4, Addr: NFTNATArg{Key: []NFTExpr{pay("ip", "daddr")}, Map: natMap}, Text: "dnat ip to ip daddr map @m"})),
			wantMatched: true, want: Verdict{Kind: Accept},
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Dst != mustAddr("10.0.0.7") || c.Pkt.DPort != 8080 {
					t.Errorf("packet %v", c.Pkt)
				}
			}},
		{name: "dnat map miss does not match", pkt: "tcp 10.0.0.1:1 10.0.0.9:2", hook: Prerouting, rule: nftRule(nil, st(&NFTNAT{Kind: "dnat", Addr: NFTNATArg{Key: []NFTExpr{pay("ip", "daddr")}, Map: natMap}, Text: "dnat to ip daddr map @m"})), wantMatched: false},
		{name: "masquerade", pkt: tcp, hook: Postrouting, rule: nftRule(nil, st(&NFTNAT{Kind: "masquerade", Text: "masquerade"})), wantMatched: true, want: Verdict{Kind: Accept},
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Src != mustAddr("198.51.100.1") {
					t.Errorf("source %s", c.Pkt.Src)
				}
			}},
		{name: "masquerade without an address drops", pkt: tcp, hook: Postrouting, rule: nftRule(nil, st(&NFTNAT{Kind: "masquerade", Text: "masquerade"})), wantMatched: true, want: Verdict{Kind: Drop},
			check: func(t *testing.T, c *Ctx) {}},
		{name: "redirect to :8080", pkt: tcp, hook: Prerouting, rule: nftRule(nil, st(&NFTNAT{Kind: "redirect", Port: NFTNATArg{Set: true, Lo: NFTNum(8080), Hi: NFTNum(8080)}, Text: "redirect to :8080"})), wantMatched: true, want: Verdict{Kind: Accept},
			check: func(t *testing.T, c *Ctx) {
				if c.Pkt.Dst != mustAddr("192.0.2.1") || c.Pkt.DPort != 8080 {
					t.Errorf("packet %v", c.Pkt)
				}
			}},
		{name: "reject with icmp in inet: IPv6 does not match", pkt: v6, rule: nftRule(nil, st(&NFTReject{Type: "icmp", Code: "host-prohibited", Family: IPv4, Text: "reject with icmp host-prohibited"})), wantMatched: false},
		{name: "reject with icmpx", pkt: v6, rule: nftRule(nil, st(&NFTReject{Type: "icmpx", Code: "admin-prohibited", Text: "reject with icmpx admin-prohibited"})), wantMatched: true, want: Verdict{Kind: Reject}},
		{name: "unknown statement alone", pkt: tcp, rule: nftRule(nil, st(&NFTOpaqueStmt{Text: "tproxy to :3128"})), wantMatched: true, want: Verdict{Kind: Unknown}},
		{name: "unknown statement then accept", pkt: tcp, rule: nftRule(nil, st(&NFTXT{Target: true, Name: "LOG"}), st(verdictStmt(Accept, ""))), wantMatched: true, want: Verdict{Kind: Accept}},
		{name: "log and counter do not decide", pkt: tcp, rule: nftRule(nil, st(&NFTLog{Prefix: "x", Text: `log prefix "x"`}), st(&NFTCounter{Text: "counter"})), wantMatched: true},
		{name: "queue", pkt: tcp, rule: nftRule(nil, st(&NFTVerdict{Kind: Queue, Text: "queue to 3"})), wantMatched: true, want: Verdict{Kind: Queue}},
		{name: "dynset update with limit over on a new element", pkt: tcp, rule: nftRule([]Match{&NFTDynset{Op: "update", Key: []NFTExpr{pay("ip", "saddr")}, Set: &NFTSet{Name: "dyn"}, Limit: &NFTLimit{Inv: true}, Text: "update @dyn { ip saddr limit rate over 10/second }"}}, st(verdictStmt(Drop, ""))), wantMatched: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := &nftEnv{src: map[string]netip.Addr{"eth1": mustAddr("198.51.100.1"), "eth0": mustAddr("192.0.2.1")}}
			if strings.HasSuffix(tc.name, "drops") {
				env.src = nil
			}
			hook := tc.hook
			if hook == HookUnknown {
				hook = Input
			}
			in, out := "eth0", ""
			if hook == Postrouting {
				in, out = "", "eth1"
			}
			c := ctxFor(nftPkt(t, tc.pkt), hook, in, out, env)
			if tc.ct != nil {
				c.Ct = *tc.ct
			}
			matched, v := runRule(c, tc.rule)
			if matched != tc.wantMatched || v != tc.want {
				t.Errorf("matched %v verdict %+v, want %v %+v (%v)", matched, v, tc.wantMatched, tc.want, c.details)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestNFTTrailingMaybe: an undecidable match after a statement is decided
// by the rule's choice, so that the explorer can walk both outcomes.
func TestNFTTrailingMaybe(t *testing.T) {
	r := nftRule(nil, st(&NFTCounter{Text: "counter"}), mt(&NFTXT{Name: "rpfilter"}), st(verdictStmt(Drop, "")))
	tab := &Table{Name: "t", Chains: map[string]*Chain{"c": {Name: "c", Builtin: true, Policy: Accept, Rules: []*Rule{r}}}}
	c := ctxFor(nftPkt(t, "tcp 10.0.0.1:1 10.0.0.2:2"), Input, "eth0", "", &nftEnv{})
	if out := tab.Run(c, "c"); out.Verdict != Accept || len(c.Branches) != 1 || c.Branches[0] != r {
		t.Fatalf("without a choice: %s, branches %v", out.Verdict, c.Branches)
	}
	c = ctxFor(nftPkt(t, "tcp 10.0.0.1:1 10.0.0.2:2"), Input, "eth0", "", &nftEnv{})
	c.Choices = map[*Rule]bool{r: true}
	if out := tab.Run(c, "c"); out.Verdict != Drop {
		t.Fatalf("with the rule taken as matching: %s", out.Verdict)
	}
}

// TestNFTEffect: the explanation of an undecidable match says whether its
// rule can change the verdict.
func TestNFTEffect(t *testing.T) {
	for _, tc := range []struct {
		rule *Rule
		want string
	}{
		{nftRule(nil, st(&NFTCounter{Text: "counter"})), "cannot change the verdict"},
		{nftRule(nil, st(&NFTCounter{Text: "counter"}), st(verdictStmt(Drop, ""))), "can change the verdict"},
		{nftRule(nil, st(&NFTMangle{Key: meta("mark"), Value: &NFTImmediate{}, Text: "meta mark set 0x1"})), "changes the packet"},
		{nftRule(nil, st(&NFTXT{Target: true, Name: "REJECT"})), "may change the verdict"},
		{&Rule{}, "no statement"},
	} {
		c := ctxFor(nftPkt(t, "tcp 10.0.0.1:1 10.0.0.2:2"), Input, "eth0", "", &nftEnv{})
		c.Rule = tc.rule
		if got := ruleEffect(c); !strings.Contains(got, tc.want) {
			t.Errorf("%q does not say %q", got, tc.want)
		}
	}
}
