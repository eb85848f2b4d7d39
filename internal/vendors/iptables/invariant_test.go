package iptables

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/netfilter"
)

// checkLines asserts the parser's central promise: every input line is
// either understood or named by a note, and notes name only input lines.
func checkLines(t testing.TB, p *parser) {
	t.Helper()
	understood, noted := count(p.ok, p.noted, true), count(p.ok, p.noted, false)
	if understood+noted != p.lines {
		for i := 1; i <= p.lines; i++ {
			if !p.ok[i] && !p.noted[i] {
				t.Errorf("line %d is neither understood nor noted", i)
				break
			}
		}
		t.Fatalf("understood %d + noted %d != %d lines", understood, noted, p.lines)
	}
	for _, n := range p.notes {
		if n.Pos.Line < 1 || n.Pos.Line > p.lines {
			t.Fatalf("note outside the input: %s", n)
		}
	}
}

// rebuild joins "-A CHAIN" and the String of every part of r.
func rebuild(r *netfilter.Rule) string {
	parts := []string{"-A", r.Chain}
	for _, m := range r.Matches {
		parts = append(parts, m.String())
	}
	if r.Target != nil {
		parts = append(parts, r.Target.String())
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// TestRoundTrip: for real iptables-save output, printing the parsed
// matches and target reproduces each rule's text (modulo blanks). It
// shows that nothing of a rule was lost or misread.
func TestRoundTrip(t *testing.T) {
	for _, f := range saveFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := parse(filepath.Base(f), data, famOf(f))
		checkLines(t, p)
		n := 0
		for _, tb := range p.rs.Tables {
			for _, c := range tb.Chains {
				for _, r := range c.Rules {
					n++
					want := strings.Join(strings.Fields(r.Text), " ")
					if got := rebuild(r); got != want {
						t.Errorf("%s %s:\n got: %s\nwant: %s", f, r.Ref(), got, want)
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no rules", f)
		}
	}
}

// TestBroken feeds malformed and hand-written input: each case names the
// notes it must produce (by a substring of Why) and the rules it must
// still keep.
func TestBroken(t *testing.T) {
	tests := []struct {
		name  string
		fam   netfilter.Family
		in    string
		notes []string // substrings of the notes' Why, in order
		rules int
	}{
		{"rule outside table", netfilter.IPv4, "-A INPUT -j ACCEPT\n", []string{"outside a table"}, 0},
		{"missing commit", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n", []string{"no COMMIT"}, 1},
		{"missing commit before next table", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", []string{"no COMMIT"}, 0},
		{"undeclared chain", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A FOO -j DROP\nCOMMIT\n", []string{"not declared"}, 1},
		{"jump to undeclared chain", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\nCOMMIT\n", []string{"neither a chain"}, 1},
		{"goto undeclared chain", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -g NOPE\nCOMMIT\n", []string{"no such chain"}, 1},
		{"chain declared after use", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LATER\n:LATER - [0:0]\nCOMMIT\n", nil, 1},
		{"unknown module", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n", []string{"owner is not modelled"}, 1},
		{"unknown option in known module", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 --weird 1 -j DROP\nCOMMIT\n", []string{"--weird is not understood"}, 1},
		{"bad value", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.300 -j DROP\nCOMMIT\n", []string{"invalid address"}, 1},
		{"negated bad value", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -s nohost -j DROP\nCOMMIT\n", []string{"invalid address"}, 1},
		{"unknown target", netfilter.IPv4, "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j DSCP --set-dscp 1\nCOMMIT\n", []string{"DSCP is not modelled"}, 1},
		{"two targets", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP -j ACCEPT\nCOMMIT\n", []string{"more than one target"}, 1},
		{"garbage line", netfilter.IPv4, "*filter\nhello\nCOMMIT\n", []string{"not an iptables-save line"}, 0},
		{"unterminated quote", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment \"abc -j DROP\nCOMMIT\n", []string{"unterminated quote"}, 0},
		{"commit outside table", netfilter.IPv4, "COMMIT\n", []string{"outside a table"}, 0},
		{"user chain with policy", netfilter.IPv4, "*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n", []string{"cannot have a policy"}, 0},
		{"bad policy", netfilter.IPv4, "*filter\n:INPUT RETURN [0:0]\nCOMMIT\n", []string{"policy must be"}, 0},
		{"unknown table", netfilter.IPv4, "*bogus\n:X - [0:0]\nCOMMIT\n", []string{"unknown table"}, 0},
		{"table twice", netfilter.IPv4, "*filter\nCOMMIT\n*filter\nCOMMIT\n", []string{"appears again"}, 0},
		{"rpfilter in filter", netfilter.IPv6, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m rpfilter -j DROP\nCOMMIT\n", []string{"raw or mangle"}, 1},
		{"rpfilter reached from INPUT", netfilter.IPv4, "*mangle\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A X -m rpfilter -j DROP\nCOMMIT\n", []string{"reached from INPUT"}, 2},
		{"reject in mangle", netfilter.IPv4, "*mangle\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT\nCOMMIT\n", []string{"only valid in the filter table"}, 1},
		{"dnat in postrouting", netfilter.IPv4, "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j DNAT --to-destination 10.0.0.1\nCOMMIT\n", []string{"PREROUTING/OUTPUT"}, 1},
		{"tcp without -p", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m tcp --dport 1 -j DROP\nCOMMIT\n", []string{"non-negated -p"}, 1},
		{"-o in INPUT", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -o eth0 -j DROP\nCOMMIT\n", []string{"refuses -o in INPUT"}, 1},
		{"loop", netfilter.IPv4, "*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", []string{"jump loop", "jump loop"}, 2},
		{"tcpmss without syn legacy", netfilter.IPv4, "*mangle\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p tcp -j TCPMSS --set-mss 1000\nCOMMIT\n", []string{"SYN"}, 1},
		{"tcpmss without syn nft", netfilter.IPv4, "# Generated by iptables-nft-save v1.8.9 (nf_tables) on x\n*mangle\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p tcp -j TCPMSS --set-mss 1000\nCOMMIT\n", nil, 1},
		{"legacy warning", netfilter.IPv4, "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n", []string{"legacy tables"}, 0},
		{"wrong family header", netfilter.IPv4, "# Generated by ip6tables-save v1.8.9 (nf_tables) on x\n", []string{"read as ip"}, 0},
		{"mixed backends", netfilter.IPv4, "# Generated by iptables-save v1.8.9 (nf_tables) on x\n# Generated by iptables-save v1.8.9 (legacy) on x\n", []string{"mixes"}, 0},
		{"implicit tcp module", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 --syn -j ACCEPT\nCOMMIT\n", nil, 1},
		{"other family rule", netfilter.IPv4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -6 -j ACCEPT\nCOMMIT\n", []string{"other family"}, 1},
		{"counters", netfilter.IPv4, "*filter\n:INPUT ACCEPT [x:0]\n[1:2 -A INPUT\nCOMMIT\n", []string{"bad counters", "bad counters"}, 0},
		{"crlf", netfilter.IPv4, "*filter\r\n:INPUT ACCEPT [0:0]\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := parse("f", []byte(tc.in), tc.fam)
			checkLines(t, p)
			var whys []string
			for _, n := range p.notes {
				whys = append(whys, n.Why)
			}
			if len(whys) != len(tc.notes) {
				t.Fatalf("notes %q, want %d matching %q", p.notes, len(tc.notes), tc.notes)
			}
			for i, w := range tc.notes {
				if !strings.Contains(whys[i], w) {
					t.Errorf("note %d: %q does not contain %q", i, whys[i], w)
				}
			}
			rules := 0
			for _, tb := range p.rs.Tables {
				for _, c := range tb.Chains {
					rules += len(c.Rules)
				}
			}
			if rules != tc.rules {
				t.Errorf("%d rules, want %d", rules, tc.rules)
			}
		})
	}
}

// TestUnknownMaybe: an unknown part makes the rule Maybe, not dropped.
func TestUnknownMaybe(t *testing.T) {
	rs, notes := Parse("f", []byte("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m owner --uid-owner 0 -j FANCY --x 1\nCOMMIT\n"), netfilter.IPv4)
	if len(notes) != 2 {
		t.Fatalf("notes: %v", notes)
	}
	r := rs.Table("filter").Chains["INPUT"].Rules[0]
	c := &netfilter.Ctx{Pkt: pkt("tcp 10.0.0.1:1 -> 10.0.0.2:2")}
	if got := r.Matches[1].Match(c); got != netfilter.Maybe {
		t.Errorf("unknown match = %v, want maybe", got)
	}
	if v := r.Target.Apply(c); v.Kind != netfilter.Unknown {
		t.Errorf("unknown target = %v", v.Kind)
	}
	if r.Target.String() != "-j FANCY --x 1" || r.Matches[1].String() != "-m owner --uid-owner 0" {
		t.Errorf("raw text lost: %q %q", r.Matches[1], r.Target)
	}
}

func TestDetect(t *testing.T) {
	for _, f := range saveFiles(t) {
		data, _ := os.ReadFile(f)
		if !Detect(data) {
			t.Errorf("Detect(%s) = false", f)
		}
	}
	for _, s := range []string{
		"*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
		"\n# x\n*nat\n-A PREROUTING -j ACCEPT\n",
	} {
		if !Detect([]byte(s)) {
			t.Errorf("Detect(%q) = false", s)
		}
	}
	for _, s := range []string{"", "[{\"ifindex\":1}]", "table inet filter {\n}", "*foo\n:X - [0:0]\n", "hostname r1\n!\n"} {
		if Detect([]byte(s)) {
			t.Errorf("Detect(%q) = true", s)
		}
	}
}
