package kerneltest

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// RuleRef names a rule the way iptables -L --line-numbers does: table,
// chain and 1-based rule number, or the chain's policy.
type RuleRef struct {
	// Family is "ip" or "ip6" for iptables/ip6tables rules, else the nft
	// table's family (inet, ip, ip6 ...).
	Family string
	Table  string
	Chain  string
	// Rule is the 1-based position in the chain; 0 with Policy.
	Rule   int
	Policy bool
}

func (r RuleRef) String() string {
	if r.Policy {
		return fmt.Sprintf("%s %s %s policy", r.Family, r.Table, r.Chain)
	}
	return fmt.Sprintf("%s %s %s rule %d", r.Family, r.Table, r.Chain, r.Rule)
}

// CounterDelta is how much one rule's (or policy's) packet counter moved
// during a case.
type CounterDelta struct {
	RuleRef
	Packets int64
	// Text is the rule as iptables-save prints it.
	Text string
}

// counterSet maps rules to their packet counters, from iptables-save -c.
type counterSet struct {
	pkts map[RuleRef]int64
	text map[RuleRef]string
}

// parseSaveCounters reads `iptables-save -c` output of family fam.
func parseSaveCounters(fam string, out []byte) counterSet {
	cs := counterSet{pkts: map[RuleRef]int64{}, text: map[RuleRef]string{}}
	var table string
	n := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "*"):
			table = line[1:]
			n = map[string]int{}
		case strings.HasPrefix(line, ":"):
			// :CHAIN POLICY [p:b]
			f := strings.Fields(line[1:])
			if len(f) >= 3 && f[1] != "-" {
				if p, ok := bracketPackets(f[2]); ok {
					ref := RuleRef{Family: fam, Table: table, Chain: f[0], Policy: true}
					cs.pkts[ref] = p
					cs.text[ref] = "policy " + f[1]
				}
			}
		case strings.HasPrefix(line, "["):
			// [p:b] -A CHAIN ...
			end := strings.IndexByte(line, ']')
			if end < 0 {
				continue
			}
			p, ok := bracketPackets(line[:end+1])
			rest := strings.Fields(line[end+1:])
			if !ok || len(rest) < 2 || rest[0] != "-A" {
				continue
			}
			chain := rest[1]
			n[chain]++
			ref := RuleRef{Family: fam, Table: table, Chain: chain, Rule: n[chain]}
			cs.pkts[ref] = p
			cs.text[ref] = strings.TrimSpace(line[end+1:])
		case strings.HasPrefix(line, "-A "):
			// A rule without counters still takes a number.
			f := strings.Fields(line)
			if len(f) >= 2 {
				n[f[1]]++
			}
		}
	}
	return cs
}

func bracketPackets(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSuffix(s, "]"), "[")
	p, _, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(p, 10, 64)
	return v, err == nil
}

// counterDeltas lists the rules whose counters moved from before to after,
// sorted by family, table, chain, rule.
func counterDeltas(before, after counterSet) []CounterDelta {
	var out []CounterDelta
	for ref, p := range after.pkts {
		if d := p - before.pkts[ref]; d != 0 {
			out = append(out, CounterDelta{RuleRef: ref, Packets: d, Text: after.text[ref]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Chain != b.Chain {
			return a.Chain < b.Chain
		}
		if a.Policy != b.Policy {
			return b.Policy
		}
		return a.Rule < b.Rule
	})
	return out
}
