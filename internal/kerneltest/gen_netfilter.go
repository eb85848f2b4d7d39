package kerneltest

import (
	"fmt"
	"strings"

	"farend/internal/packet"
)

// The tables and their built-in chains (iptable_*.c valid_hooks).
var genTables = []struct {
	name   string
	chains []string
	p      float64 // probability that a case has the table
}{
	{"raw", []string{"PREROUTING", "OUTPUT"}, 0.45},
	{"mangle", []string{"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}, 0.6},
	{"nat", []string{"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}, 0.6},
	{"filter", []string{"INPUT", "FORWARD", "OUTPUT"}, 0.85},
	{"security", []string{"INPUT", "FORWARD", "OUTPUT"}, 0.15},
}

// nfGen draws one family's ruleset, aimed at pkt.
type nfGen struct {
	g   *caseGen
	v6  bool
	pkt packet.Packet
	n   int // rules so far, for unique comments and log prefixes
}

// chainCtx is where a rule sits: its table, the built-in chain (hook)
// from which its chain is reached — each user chain is reached from one
// built-in chain only, so that what the kernel allows there is known —
// and the user chains it may jump to.
type chainCtx struct {
	table, chain, home string
	builtin            bool
	targets            []string
}

// genRulesets draws the iptables and ip6tables rulesets (iptables-save
// format, no counters). The other family's ruleset is never evaluated
// (the packet is of one family); it is drawn in a third of the cases, so
// that farend reads both files, and left out otherwise to save the time
// of loading it.
func (g *caseGen) genRulesets() (v4, v6 string) {
	main := (&nfGen{g: g, v6: g.v6, pkt: g.pkt}).ruleset()
	other := ""
	if g.chance(0.33) {
		other = (&nfGen{g: g, v6: !g.v6, pkt: g.alt}).ruleset()
	}
	if g.v6 {
		return other, main
	}
	return main, other
}

// ruleset draws the tables: each built-in chain with a policy (DROP now
// and then, never in nat: iptables refuses it) and 0 to 5 rules; 0 to 3
// user chains per table, each reached from one built-in chain by -j or -g
// from it or from an earlier user chain of the same home (no loops).
func (n *nfGen) ruleset() string {
	g := n.g
	var b strings.Builder
	for _, t := range genTables {
		if !g.chance(t.p) {
			continue
		}
		type user struct{ name, home string }
		var users []user
		for i := range g.pick(4, 3, 2, 1) {
			home := oneOf(g, t.chains)
			if home == "OUTPUT" && g.chance(0.7) {
				home = t.chains[0]
			}
			users = append(users, user{fmt.Sprintf("%s_%d", strings.ToLower(home[:3]), i+1), home})
		}
		fmt.Fprintf(&b, "*%s\n", t.name)
		for _, c := range t.chains {
			pol := "ACCEPT"
			if t.name != "nat" && c != "OUTPUT" && g.chance(0.07) {
				pol = "DROP"
			}
			fmt.Fprintf(&b, ":%s %s [0:0]\n", c, pol)
		}
		for _, u := range users {
			fmt.Fprintf(&b, ":%s - [0:0]\n", u.name)
		}
		reach := func(home string, after int) []string {
			var out []string
			for i, u := range users {
				if u.home == home && i > after {
					out = append(out, u.name)
				}
			}
			return out
		}
		for _, c := range t.chains {
			k := g.pick(2, 3, 3, 2, 1, 1)
			if c == "OUTPUT" {
				k = g.pick(3, 2, 1)
			}
			ctx := chainCtx{table: t.name, chain: c, home: c, builtin: true, targets: reach(c, -1)}
			for range k {
				fmt.Fprintf(&b, "-A %s%s\n", c, n.rule(ctx))
			}
		}
		for i, u := range users {
			ctx := chainCtx{table: t.name, chain: u.name, home: u.home, targets: reach(u.home, i)}
			for range 1 + g.r.IntN(4) {
				fmt.Fprintf(&b, "-A %s%s\n", u.name, n.rule(ctx))
			}
		}
		b.WriteString("COMMIT\n")
	}
	return b.String()
}

// rule draws one rule: a target valid in its place, a protocol (the
// packet's, another, negated or none), matches aimed at the packet, and
// the protocol's own matches. It returns the text after "-A CHAIN".
func (n *nfGen) rule(ctx chainCtx) string {
	g := n.g
	n.n++
	target := n.target(ctx)
	var proto uint8
	var protoNeg bool
	var parts []string
	switch {
	case target.needTCP || target.needSyn:
		proto = packet.ProtoTCP
	case target.needPorts:
		proto = oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP})
		if n.pkt.HasPorts() && g.chance(0.7) {
			proto = n.pkt.Proto
		}
	default:
		switch g.pick(35, 45, 15, 5) {
		case 1:
			proto = n.pkt.Proto
		case 2:
			proto = oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP, n.icmpProto()})
		case 3:
			proto, protoNeg = oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP, n.icmpProto()}), true
		}
	}
	if proto != 0 {
		parts = append(parts, bangIf(protoNeg)+"-p "+n.protoName(proto))
	}
	used := map[string]bool{}
	for range g.pick(2, 4, 3, 1) {
		if m := n.match(ctx, used); m != "" {
			parts = append(parts, m)
		}
	}
	// A DROP or REJECT that matches everything ends most cases early:
	// give it at least one condition, so that packets get further more
	// often (to POSTROUTING, the nat chains of the way out, INPUT).
	if strings.HasPrefix(target.text, "-j DROP") || strings.HasPrefix(target.text, "-j REJECT") {
		for range 5 {
			if len(parts) > 1 || (len(parts) == 1 && proto == 0) {
				break
			}
			if m := n.match(ctx, used); m != "" {
				parts = append(parts, m)
			}
		}
	}
	if proto != 0 && !protoNeg {
		switch {
		case target.needSyn:
			parts = append(parts, "-m tcp --tcp-flags SYN,RST SYN")
		case proto == packet.ProtoTCP || proto == packet.ProtoUDP:
			if g.chance(0.55) {
				parts = append(parts, n.l4Match(proto))
			} else if g.chance(0.3) {
				parts = append(parts, n.multiport())
			}
		default:
			if g.chance(0.6) {
				parts = append(parts, n.icmpMatch())
			}
		}
	}
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	// -p must come before the modules that need it.
	for i, p := range parts {
		if strings.HasPrefix(p, "-p ") || strings.HasPrefix(p, "! -p ") {
			parts[0], parts[i] = parts[i], parts[0]
		}
	}
	s := ""
	for _, p := range parts {
		s += " " + p
	}
	if target.text != "" {
		s += " " + target.text
	}
	if target.needPorts && target.portText != "" && proto != 0 {
		s += target.portText
	}
	return s
}

func bangIf(b bool) string {
	if b {
		return "! "
	}
	return ""
}

func (n *nfGen) icmpProto() uint8 {
	if n.v6 {
		return packet.ProtoICMPv6
	}
	return packet.ProtoICMP
}

func (n *nfGen) protoName(p uint8) string {
	switch p {
	case packet.ProtoTCP:
		return oneOf(n.g, []string{"tcp", "tcp", "6"})
	case packet.ProtoUDP:
		return oneOf(n.g, []string{"udp", "udp", "17"})
	case packet.ProtoICMP:
		return "icmp"
	case packet.ProtoICMPv6:
		return oneOf(n.g, []string{"ipv6-icmp", "icmpv6"})
	}
	return fmt.Sprint(p)
}

// hookOK reports whether a match or target valid only on hooks may sit in
// ctx (its chain is reached from ctx.home only).
func (ctx chainCtx) hookOK(hooks ...string) bool {
	for _, h := range hooks {
		if ctx.home == h {
			return true
		}
	}
	return false
}
