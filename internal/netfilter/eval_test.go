package netfilter

import (
	"fmt"
	"strings"
	"testing"
)

// fixedMatch is a test double: it answers r.
type fixedMatch struct{ r Tri }

func (m fixedMatch) Match(*Ctx) Tri { return m.r }
func (m fixedMatch) String() string { return "-m test --" + m.r.String() }

// verdictTarget is a test double returning v.
type verdictTarget struct{ v Verdict }

func (t verdictTarget) Apply(*Ctx) Verdict { return t.v }
func (t verdictTarget) String() string     { return "-j " + t.v.Kind.String() + t.v.Chain }

// chainSpec builds a table from "CHAIN: match>verdict, ..." lines where
// match is y/n/m and verdict is ACCEPT, DROP, RETURN, LOG (none), jX
// (jump X) or gX (goto X).
func buildTable(t *testing.T, policy VerdictKind, spec map[string][]string) *Table {
	t.Helper()
	tb := &Table{Name: "filter", Chains: map[string]*Chain{}}
	for name, rules := range spec {
		c := &Chain{Name: name, Table: "filter", Builtin: name == "INPUT"}
		if c.Builtin {
			c.Policy = policy
		}
		for i, r := range rules {
			m, v, _ := strings.Cut(r, ">")
			rule := &Rule{Table: "filter", Chain: name, Num: i + 1, Text: fmt.Sprintf("-A %s %s", name, r)}
			switch m {
			case "y":
				rule.Matches = []Match{fixedMatch{Yes}}
			case "n":
				rule.Matches = []Match{fixedMatch{No}}
			case "m":
				rule.Matches = []Match{fixedMatch{Maybe}}
			}
			var vd Verdict
			switch {
			case v == "ACCEPT":
				vd.Kind = Accept
			case v == "DROP":
				vd.Kind = Drop
			case v == "RETURN":
				vd.Kind = Return
			case v == "LOG":
			case strings.HasPrefix(v, "j"):
				vd = Verdict{Kind: Jump, Chain: v[1:]}
			case strings.HasPrefix(v, "g"):
				vd = Verdict{Kind: Goto, Chain: v[1:]}
			}
			rule.Target = verdictTarget{vd}
			c.Rules = append(c.Rules, rule)
		}
		tb.Chains[name] = c
		tb.Order = append(tb.Order, name)
	}
	return tb
}

func refs(o Outcome) string {
	var s []string
	for _, st := range o.Steps {
		if st.Policy {
			s = append(s, st.Chain+":policy")
			continue
		}
		s = append(s, fmt.Sprintf("%s#%d", st.Chain, st.Rule.Num))
	}
	return strings.Join(s, " ")
}

func TestRun(t *testing.T) {
	cases := []struct {
		name    string
		policy  VerdictKind
		spec    map[string][]string
		want    VerdictKind
		steps   string
		choices map[string]bool // "CHAIN#n" -> matched
	}{
		{"accept", Drop, map[string][]string{"INPUT": {"n>DROP", "y>ACCEPT"}}, Accept, "INPUT#2", nil},
		{"policy", Drop, map[string][]string{"INPUT": {"n>ACCEPT"}}, Drop, "INPUT:policy", nil},
		{"non-terminal goes on", Drop, map[string][]string{"INPUT": {"y>LOG", "y>ACCEPT"}}, Accept, "INPUT#1 INPUT#2", nil},
		{"jump and implicit return", Drop, map[string][]string{"INPUT": {"y>jA", "y>ACCEPT"}, "A": {"n>DROP"}}, Accept, "INPUT#1 INPUT#2", nil},
		{"jump and explicit RETURN", Drop, map[string][]string{"INPUT": {"y>jA", "y>ACCEPT"}, "A": {"y>RETURN", "y>DROP"}}, Accept, "INPUT#1 A#1 INPUT#2", nil},
		{"verdict in a user chain ends all", Accept, map[string][]string{"INPUT": {"y>jA", "y>ACCEPT"}, "A": {"y>DROP"}}, Drop, "INPUT#1 A#1", nil},
		// goto: falling off B returns to INPUT after the jump to A, not
		// to A after the goto.
		{"goto returns to the jumper's caller", Drop, map[string][]string{"INPUT": {"y>jA", "y>ACCEPT"}, "A": {"y>gB", "y>DROP"}, "B": {"n>DROP"}}, Accept, "INPUT#1 A#1 INPUT#2", nil},
		// goto from the base chain: the end of B applies the policy.
		{"goto from base chain", Drop, map[string][]string{"INPUT": {"y>gB", "y>ACCEPT"}, "B": {"n>DROP"}}, Drop, "INPUT#1 INPUT:policy", nil},
		{"RETURN in base chain applies policy", Drop, map[string][]string{"INPUT": {"y>RETURN", "y>ACCEPT"}}, Drop, "INPUT#1 INPUT:policy", nil},
		{"maybe taken as no", Drop, map[string][]string{"INPUT": {"m>ACCEPT"}}, Drop, "INPUT:policy", nil},
		{"maybe chosen yes", Drop, map[string][]string{"INPUT": {"m>ACCEPT"}}, Accept, "INPUT#1", map[string]bool{"INPUT#1": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := buildTable(t, c.policy, c.spec)
			ctx := &Ctx{Choices: map[*Rule]bool{}}
			for ref, v := range c.choices {
				ch, n, _ := strings.Cut(ref, "#")
				var i int
				fmt.Sscan(n, &i)
				ctx.Choices[tb.Chains[ch].Rules[i-1]] = v
			}
			o := tb.Run(ctx, "INPUT")
			if o.Verdict != c.want || refs(o) != c.steps {
				t.Errorf("got %s [%s], want %s [%s]", o.Verdict, refs(o), c.want, c.steps)
			}
		})
	}
}

func TestRunRecordsBranches(t *testing.T) {
	tb := buildTable(t, Drop, map[string][]string{"INPUT": {"m>ACCEPT", "m>DROP"}})
	ctx := &Ctx{}
	tb.Run(ctx, "INPUT")
	if len(ctx.Branches) != 2 {
		t.Fatalf("branches = %d, want 2", len(ctx.Branches))
	}
}
