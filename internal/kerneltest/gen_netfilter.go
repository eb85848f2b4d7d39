package kerneltest

import (
	"fmt"
	"net/netip"
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

// match draws one match other than the protocol's own (-p tcp -m tcp ...).
//
// Left out: -m statistic, -m set (nondeterministic or not in the
// snapshot), -m hashlimit (kept per key; as limit otherwise), -f and
// fragments (the lab sends whole packets), --ctorigsrc and the other
// conntrack tuple options and --ctexpire (farend does not know the
// conntrack table: they read as undecidable), --tcp-option (the lab's
// TCP headers carry no options).
//
// iptables takes each of -s, -d, -i and -o once per rule; used records
// the kinds the rule has (a second one of a kind is not drawn).
func (n *nfGen) match(ctx chainCtx, used map[string]bool) string {
	g := n.g
	p := n.pkt
	kind := g.pick(6, 4, 3, 2, 1, 1, 2, 3, 1, 1, 1, 1, 1, 1)
	key := fmt.Sprint(kind)
	if kind == 0 || kind == 1 {
		key += fmt.Sprint(g.r.IntN(2))
	}
	if used[key] {
		return ""
	}
	used[key] = true
	switch kind {
	case 0: // -s / -d
		dst := key == "01"
		base := p.Src
		if dst {
			base = p.Dst
		}
		if g.chance(0.2) {
			base = g.anyAddr(n.v6)
		}
		opt := "-s"
		if dst {
			opt = "-d"
		}
		if !n.v6 && g.chance(0.04) {
			// A non-contiguous mask (ip_packet_match masks, it does not
			// take a prefix).
			m := oneOf(g, []string{"255.0.255.0", "255.255.0.255", "0.0.255.255"})
			return bangIf(g.chance(0.15)) + opt + " " + base.String() + "/" + m
		}
		return bangIf(g.chance(0.15)) + opt + " " + g.prefixAround(base, false).String()
	case 1: // -i / -o
		out := key == "11"
		if ctx.builtin {
			switch ctx.chain {
			case "PREROUTING", "INPUT":
				if out {
					return ""
				}
			case "OUTPUT", "POSTROUTING":
				if !out {
					return ""
				}
			}
		}
		opt := "-i"
		if out {
			opt = "-o"
		}
		var name string
		switch g.pick(45, 30, 15, 5, 5) {
		case 0:
			name = g.in.Name
		case 1:
			name = oneOf(g, g.topo.Links).Name
		case 2:
			l := oneOf(g, g.topo.Links).Name
			name = l[:1+g.r.IntN(len(l)-1)] + "+"
		case 3:
			name = "+"
		case 4:
			name = "lo"
		}
		return bangIf(g.chance(0.2)) + opt + " " + name
	case 2: // mark
		return "-m mark " + bangIf(g.chance(0.2)) + "--mark " + n.markMask()
	case 3: // conntrack
		s := "-m conntrack"
		if g.chance(0.8) {
			s += " " + bangIf(g.chance(0.2)) + "--ctstate " + n.states(true)
		}
		switch g.pick(6, 2, 2) {
		case 1:
			s += " " + bangIf(g.chance(0.3)) + "--ctstatus " + oneOf(g, []string{"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "NONE", "ASSURED,CONFIRMED"})
		case 2:
			s += " --ctdir " + oneOf(g, []string{"ORIGINAL", "REPLY"})
		}
		if s == "-m conntrack" {
			s += " --ctstate " + n.states(true)
		}
		return s
	case 4: // state
		return "-m state " + bangIf(g.chance(0.2)) + "--state " + n.states(false)
	case 5: // connmark
		return "-m connmark " + bangIf(g.chance(0.2)) + "--mark " + n.markMask()
	case 6: // addrtype
		types := []string{"UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "UNSPEC"}
		if n.v6 {
			// addrtype_mt_checkentry_v1 refuses BLACKHOLE, BROADCAST and
			// PROHIBIT and above for IPv6.
			types = []string{"UNICAST", "LOCAL", "ANYCAST", "MULTICAST", "UNREACHABLE", "UNSPEC"}
		}
		typ := func() string {
			t := oneOf(g, types)
			if g.chance(0.2) {
				t += "," + oneOf(g, types)
			}
			return t
		}
		s := "-m addrtype"
		if g.chance(0.5) {
			s += " " + bangIf(g.chance(0.2)) + "--src-type " + typ()
		}
		if g.chance(0.7) || s == "-m addrtype" {
			s += " " + bangIf(g.chance(0.2)) + "--dst-type " + typ()
		}
		switch {
		case g.chance(0.25) && ctx.hookOK("PREROUTING", "INPUT", "FORWARD"):
			s += " --limit-iface-in"
		case g.chance(0.25) && ctx.hookOK("FORWARD", "OUTPUT", "POSTROUTING"):
			s += " --limit-iface-out"
		}
		return s
	case 7: // rpfilter: raw and mangle PREROUTING only
		if (ctx.table != "raw" && ctx.table != "mangle") || ctx.home != "PREROUTING" {
			return ""
		}
		s := "-m rpfilter"
		for _, f := range []string{"--loose", "--validmark", "--accept-local"} {
			if g.chance(0.3) {
				s += " " + f
			}
		}
		if g.chance(0.6) {
			s += " --invert"
		}
		return s
	case 8: // iprange
		dst := g.chance(0.5)
		base := p.Src
		opt := "--src-range"
		if dst {
			base, opt = p.Dst, "--dst-range"
		}
		lo, hi := base, base
		switch g.pick(3, 2, 2, 1) {
		case 0:
			lo, hi = step(base, -oneOf(g, []int{0, 1, 5})), step(base, oneOf(g, []int{0, 1, 5}))
		case 1:
			lo, hi = step(base, 1), step(base, 1+oneOf(g, []int{0, 10}))
		case 2:
			lo, hi = step(base, -1-oneOf(g, []int{0, 10})), step(base, -1)
		case 3:
			lo, hi = g.anyAddr(n.v6), g.anyAddr(n.v6)
			if hi.Less(lo) {
				lo, hi = hi, lo
			}
		}
		return "-m iprange " + bangIf(g.chance(0.2)) + opt + " " + lo.String() + "-" + hi.String()
	case 9: // comment
		return fmt.Sprintf(`-m comment --comment "fk rule %d"`, n.n)
	case 10: // pkttype
		return "-m pkttype " + bangIf(g.chance(0.2)) + "--pkt-type " + oneOf(g, []string{"unicast", "unicast", "broadcast", "multicast"})
	case 11: // length
		l := int(p.Length)
		lo, hi := l, l
		switch g.pick(2, 2, 2, 2, 1) {
		case 1:
			hi = l + oneOf(g, []int{0, 1, 100})
		case 2:
			lo = max(l-oneOf(g, []int{0, 1, 100}), 0)
		case 3:
			lo, hi = l+1, l+100
		case 4:
			lo, hi = 0, max(l-1, 0)
		}
		r := fmt.Sprint(lo)
		if hi != lo {
			r += fmt.Sprintf(":%d", hi)
		}
		return "-m length " + bangIf(g.chance(0.2)) + "--length " + r
	case 12: // ttl / hl
		v := int(p.TTL) + oneOf(g, []int{0, 0, -1, 1, -2})
		v = min(max(v, 0), 255)
		mod, pre := "ttl", "--ttl-"
		if n.v6 {
			mod, pre = "hl", "--hl-"
		}
		switch g.pick(3, 1, 2, 2) {
		case 0:
			return fmt.Sprintf("-m %s %seq %d", mod, pre, v)
		case 1:
			return fmt.Sprintf("-m %s ! %seq %d", mod, pre, v)
		case 2:
			return fmt.Sprintf("-m %s %slt %d", mod, pre, v)
		}
		return fmt.Sprintf("-m %s %sgt %d", mod, pre, v)
	case 13: // limit: a fresh bucket per load, one packet: always credit.
		// Not where the host's own packets pass (OUTPUT, POSTROUTING):
		// its MLD and IGMP reports, sent from timers at any time, would
		// spend the credit before the packet comes.
		if !ctx.hookOK("PREROUTING", "INPUT", "FORWARD") {
			return ""
		}
		return fmt.Sprintf("-m limit --limit %s --limit-burst %d", oneOf(g, []string{"1/sec", "10/min", "100/hour", "5/day"}), 3+g.r.IntN(5))
	}
	return ""
}

// step returns a moved by k addresses (clamped to its family).
func step(a netip.Addr, k int) netip.Addr {
	for ; k > 0; k-- {
		if n := a.Next(); n.IsValid() {
			a = n
		}
	}
	for ; k < 0; k++ {
		if n := a.Prev(); n.IsValid() {
			a = n
		}
	}
	return a
}

func (n *nfGen) markMask() string {
	g := n.g
	v := oneOf(g, append([]uint32{0}, markPool...))
	if g.chance(0.4) {
		m := oneOf(g, maskPool)
		return fmt.Sprintf("0x%x/0x%x", v&m, m)
	}
	return fmt.Sprintf("0x%x", v)
}

func (n *nfGen) states(virtual bool) string {
	g := n.g
	all := []string{"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"}
	if virtual {
		all = append(all, "SNAT", "DNAT")
	}
	s := oneOf(g, all)
	if g.chance(0.35) {
		s += "," + oneOf(g, all)
	}
	return s
}

// l4Match draws -m tcp / -m udp: ports around the packet's, TCP flags.
func (n *nfGen) l4Match(proto uint8) string {
	g := n.g
	mod := "tcp"
	if proto == packet.ProtoUDP {
		mod = "udp"
	}
	sp, dp := n.pkt.SPort, n.pkt.DPort
	if !n.pkt.HasPorts() {
		sp, dp = 40000, 80
	}
	s := "-m " + mod
	rng := func(p uint16) string {
		lo, hi := g.portAround(p)
		if lo == hi && g.chance(0.7) {
			return fmt.Sprint(lo)
		}
		return fmt.Sprintf("%d:%d", lo, hi)
	}
	if g.chance(0.35) {
		s += " " + bangIf(g.chance(0.15)) + "--sport " + rng(sp)
	}
	if g.chance(0.7) {
		s += " " + bangIf(g.chance(0.15)) + "--dport " + rng(dp)
	}
	if mod == "tcp" && g.chance(0.4) {
		if g.chance(0.3) {
			s += " " + bangIf(g.chance(0.3)) + "--syn"
		} else {
			names := []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG"}
			var mask, comp []string
			for i, f := range names {
				if g.chance(0.45) {
					mask = append(mask, f)
					bit := n.pkt.TCPFlags&(1<<i) != 0
					if g.chance(0.15) {
						bit = !bit
					}
					if bit {
						comp = append(comp, f)
					}
				}
			}
			if len(mask) == 0 {
				mask = []string{"ALL"}
				comp = []string{"SYN"}
			}
			if len(comp) == 0 {
				comp = []string{"NONE"}
			}
			s += " " + bangIf(g.chance(0.15)) + "--tcp-flags " + strings.Join(mask, ",") + " " + strings.Join(comp, ",")
		}
	}
	return s
}

// multiport draws -m multiport with up to 4 ports or ranges near the
// packet's (15 is the kernel's limit).
func (n *nfGen) multiport() string {
	g := n.g
	opt, port := "--dports", n.pkt.DPort
	switch g.pick(5, 2, 2) {
	case 1:
		opt, port = "--sports", n.pkt.SPort
	case 2:
		opt = "--ports"
		if g.chance(0.5) {
			port = n.pkt.SPort
		}
	}
	if !n.pkt.HasPorts() {
		port = 80
	}
	var items []string
	for range 1 + g.r.IntN(4) {
		lo, hi := g.portAround(port)
		if g.chance(0.3) {
			lo, hi = g.portAround(oneOf(g, []uint16{22, 443, 8080, 1024}))
		}
		if lo == hi {
			items = append(items, fmt.Sprint(lo))
		} else {
			items = append(items, fmt.Sprintf("%d:%d", lo, hi))
		}
	}
	return "-m multiport " + bangIf(g.chance(0.15)) + opt + " " + strings.Join(items, ",")
}

func (n *nfGen) icmpMatch() string {
	g := n.g
	if n.v6 {
		return "-m icmp6 " + bangIf(g.chance(0.2)) + "--icmpv6-type " + oneOf(g, []string{"128", "128", "129", "1", "1/4", "echo-request", "destination-unreachable", "128/0", "128/1"})
	}
	return "-m icmp " + bangIf(g.chance(0.2)) + "--icmp-type " + oneOf(g, []string{"8", "8", "0", "13", "3", "3/3", "11", "echo-request", "any", "8/0", "8/1", "timestamp-request"})
}

// genTarget is a target and what it needs of the rule's protocol.
type genTarget struct {
	text string
	// needTCP: -p tcp (REJECT --reject-with tcp-reset); needSyn: -p tcp
	// with a SYN flag match (TCPMSS); needPorts: -p tcp or udp, for the
	// port part portText of a NAT target.
	needTCP, needSyn, needPorts bool
	portText                    string
}

// target draws a target valid in ctx (x_tables' .table and .hooks of each
// target, as the kernel checks them for iptables-nft too).
//
// Left out: DNAT and SNAT to address ranges and --random, --random-fully,
// --persistent, and SNAT/MASQUERADE port ranges that do not hold the
// packet's source port (the kernel chooses by hash or at random:
// nf_nat_core.c find_best_ips_proto, nf_nat_l4proto_unique_tuple), NFLOG
// and NFQUEUE (user space), TRACE (writes to the same trace the harness
// reads), CT with helpers, zones or timeouts (need objects the lab does
// not have).
func (n *nfGen) target(ctx chainCtx) genTarget {
	g := n.g
	jump := len(ctx.targets) > 0
	for range 20 {
		switch g.pick(6, 3, 2, 2, 2, 1, 3, 1, 4, 2, 3, 3, 2, 1, 1, 2) {
		case 0:
			return genTarget{text: "-j ACCEPT"}
		case 1:
			if ctx.table != "nat" {
				return genTarget{text: "-j DROP"}
			}
		case 2:
			if !ctx.builtin || g.chance(0.3) {
				return genTarget{text: "-j RETURN"}
			}
		case 3:
			if jump {
				return genTarget{text: "-j " + oneOf(g, ctx.targets)}
			}
		case 4:
			if jump && g.chance(0.5) {
				return genTarget{text: "-g " + oneOf(g, ctx.targets)}
			}
		case 5:
			return genTarget{text: fmt.Sprintf(`-j LOG --log-prefix "fk%d: "`, n.n) + oneOf(g, []string{"", " --log-level 4", " --log-level debug"})}
		case 6:
			if ctx.table == "mangle" || ctx.table == "raw" || g.chance(0.2) {
				return genTarget{text: n.markTarget()}
			}
		case 7:
			return genTarget{text: n.connmarkTarget()}
		case 8:
			if ctx.table == "nat" && ctx.hookOK("PREROUTING", "OUTPUT") {
				return n.dnat()
			}
		case 9:
			if ctx.table == "nat" && ctx.hookOK("PREROUTING", "OUTPUT") {
				t := genTarget{text: "-j REDIRECT"}
				if g.chance(0.5) {
					t.needPorts = true
					t.portText = " --to-ports " + n.natPorts(n.pkt.DPort, false)
				}
				return t
			}
		case 10:
			if ctx.table == "nat" && ctx.hookOK("POSTROUTING", "INPUT") {
				return n.snat()
			}
		case 11:
			if ctx.table == "nat" && ctx.hookOK("POSTROUTING") {
				t := genTarget{text: "-j MASQUERADE"}
				if g.chance(0.3) {
					t.needPorts = true
					t.portText = " --to-ports " + n.natPorts(n.pkt.SPort, true)
				}
				return t
			}
		case 12:
			if ctx.table == "raw" {
				return genTarget{text: oneOf(g, []string{"-j NOTRACK", "-j CT --notrack"})}
			}
		case 13:
			if ctx.table == "filter" && ctx.hookOK("INPUT", "FORWARD", "OUTPUT") {
				return n.reject()
			}
		case 14:
			if ctx.table == "mangle" || ctx.table == "filter" {
				if g.chance(0.5) && ctx.hookOK("FORWARD", "OUTPUT", "POSTROUTING") {
					return genTarget{text: "-j TCPMSS --clamp-mss-to-pmtu", needSyn: true}
				}
				return genTarget{text: fmt.Sprintf("-j TCPMSS --set-mss %d", oneOf(g, []int{536, 1360, 1460})), needSyn: true}
			}
		case 15:
			return genTarget{} // no target: the rule only counts
		}
	}
	return genTarget{text: "-j ACCEPT"}
}

func (n *nfGen) markTarget() string {
	g := n.g
	v := oneOf(g, markPool)
	m := oneOf(g, maskPool)
	switch g.pick(4, 2, 2, 1, 1, 1) {
	case 0:
		return fmt.Sprintf("-j MARK --set-mark 0x%x", v)
	case 1:
		return fmt.Sprintf("-j MARK --set-xmark 0x%x/0x%x", v, m)
	case 2:
		return fmt.Sprintf("-j MARK --set-mark 0x%x/0x%x", v, m)
	case 3:
		return fmt.Sprintf("-j MARK --or-mark 0x%x", v)
	case 4:
		return fmt.Sprintf("-j MARK --and-mark 0x%x", m)
	}
	return fmt.Sprintf("-j MARK --xor-mark 0x%x", v)
}

func (n *nfGen) connmarkTarget() string {
	g := n.g
	v := oneOf(g, markPool)
	m := oneOf(g, maskPool)
	switch g.pick(3, 2, 2, 1, 1, 1) {
	case 0:
		return fmt.Sprintf("-j CONNMARK --set-mark 0x%x", v)
	case 1:
		return "-j CONNMARK --save-mark" + oneOf(g, []string{"", fmt.Sprintf(" --nfmask 0x%x --ctmask 0x%x", m, oneOf(g, maskPool))})
	case 2:
		return "-j CONNMARK --restore-mark" + oneOf(g, []string{"", fmt.Sprintf(" --mask 0x%x", m), fmt.Sprintf(" --nfmask 0x%x --ctmask 0x%x", m, oneOf(g, maskPool))})
	case 3:
		return fmt.Sprintf("-j CONNMARK --set-xmark 0x%x/0x%x", v, m)
	case 4:
		return fmt.Sprintf("-j CONNMARK --or-mark 0x%x", v)
	}
	return fmt.Sprintf("-j CONNMARK --and-mark 0x%x", m)
}

// dnat draws a DNAT to one address that may change the route: a peer or
// the host's address on another link, a remote or unrouted address, the
// host's address on the in-link; with a port (or a port range, of which
// the kernel takes the packet's port when inside, else the first).
func (n *nfGen) dnat() genTarget {
	g := n.g
	var a netip.Addr
	others := g.otherLinks()
	switch g.pick(35, 20, 10, 25, 10) {
	case 0:
		a = oneOf(g, peersOf(oneOf(g, others), n.v6))
	case 1:
		a = oneOf(g, hostAddrs(oneOf(g, others), n.v6)).Addr()
	case 2:
		a = oneOf(g, hostAddrs(g.in, n.v6)).Addr()
	case 3:
		a = g.inPrefix(oneOf(g, g.remotes(n.v6)))
	case 4:
		a = g.inPrefix(unrouted(n.v6))
	}
	t := genTarget{text: "-j DNAT --to-destination " + a.String()}
	if g.chance(0.5) {
		ports := n.natPorts(n.pkt.DPort, false)
		t.needPorts = true
		if n.v6 {
			t.text = "-j DNAT --to-destination [" + a.String() + "]"
		}
		t.portText = ":" + ports
	}
	return t
}

// snat draws an SNAT to one of the host's addresses or another address,
// with a port or a port range holding the packet's source port.
func (n *nfGen) snat() genTarget {
	g := n.g
	a := oneOf(g, hostAddrs(oneOf(g, g.topo.Links), n.v6)).Addr()
	if g.chance(0.3) {
		a = g.anyAddr(n.v6)
	}
	t := genTarget{text: "-j SNAT --to-source " + a.String()}
	if g.chance(0.4) {
		t.needPorts = true
		if n.v6 {
			t.text = "-j SNAT --to-source [" + a.String() + "]"
		}
		t.portText = ":" + n.natPorts(n.pkt.SPort, true)
	}
	return t
}

// natPorts draws a port or "lo-hi". With mustHold, a range always holds p
// (SNAT and MASQUERADE pick a random port when p is outside).
func (n *nfGen) natPorts(p uint16, mustHold bool) string {
	g := n.g
	if p == 0 {
		p = 80
	}
	if g.chance(0.6) {
		return fmt.Sprint(oneOf(g, []uint16{p, 8080, 2222, p + 1}))
	}
	lo, hi := g.portAround(p)
	if mustHold {
		lo, hi = min(lo, p), max(hi, p)
	}
	lo, hi = max(lo, 1), max(hi, 1)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func (n *nfGen) reject() genTarget {
	g := n.g
	if n.v6 {
		w := oneOf(g, []string{"", "icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable", "icmp6-port-unreachable", "tcp-reset"})
		if w == "" {
			return genTarget{text: "-j REJECT"}
		}
		return genTarget{text: "-j REJECT --reject-with " + w, needTCP: w == "tcp-reset"}
	}
	w := oneOf(g, []string{"", "icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable", "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited", "tcp-reset"})
	if w == "" {
		return genTarget{text: "-j REJECT"}
	}
	return genTarget{text: "-j REJECT --reject-with " + w, needTCP: w == "tcp-reset"}
}
