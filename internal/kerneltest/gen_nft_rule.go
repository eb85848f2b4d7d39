package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/packet"
)

// nftRule is one rule being drawn in chain c of table t, aimed at pkt (the
// case's packet, or for a table or match of the other family the packet
// of that family).
type nftRule struct {
	ng  *nftGen
	g   *caseGen
	t   *nftTable
	c   *nftChain
	v6  bool
	pkt packet.Packet
	// l4 is the transport protocol the rule has required so far (0 for
	// none, anyProto for a set of them): port matches and NAT to a port
	// need one. thOK: the set is `meta l4proto { tcp, udp }` (th ports
	// may follow).
	l4   uint8
	thOK bool
	used map[string]bool
}

// rule draws one rule of chain c: 0 to 3 matches aimed at the packet,
// statements (counter, log, meta mark set, ct mark set) and a verdict or
// a terminal statement valid where the chain is (the kernel validates
// every expression against the hooks and chain types that reach it:
// nft_chain_validate_hooks, nft_chain_validate_chain_type).
//
// Left out, and why:
//   - limit, quota, ct count, meter (per-key state: their answer depends
//     on what came before, farend reads them as undecidable); numgen,
//     jhash/symhash, meta random (random or hashed: nondeterministic);
//     meta cpu, meta time/day/hour, socket, osf, rt, ipsec, exthdr and
//     tcp options, meta skuid/cgroup (not in the snapshot, or the lab's
//     packets carry none);
//   - queue, dup, fwd, tproxy, synproxy, flow offload (user space, other
//     paths, or need objects the lab does not have); ct helper, ct
//     timeout, ct expectation, secmark objects (same);
//   - snat/dnat to address ranges, `random`, `fully-random`, `persistent`
//     and snat/masquerade port ranges that do not hold the packet's
//     source port (the kernel picks by hash or at random:
//     nf_nat_core.c); nat with maps (dnat to ip daddr map ...);
//   - meta nftrace set (the harness's own trace switch), meta priority,
//     payload mangling other than marks;
//   - `th` ports without a transport protocol match (on ICMP they read
//     the checksum, which depends on the packet's random marker).
func (ng *nftGen) rule(t *nftTable, c *nftChain) string {
	g := ng.g
	ng.n++
	r := &nftRule{ng: ng, g: g, t: t, c: c, used: map[string]bool{}}
	switch t.family {
	case "ip":
		r.v6 = false
	case "ip6":
		r.v6 = true
	default:
		r.v6 = g.v6 != g.chance(0.12)
	}
	r.pkt = g.pkt
	if r.v6 != g.v6 {
		r.pkt = g.alt
	}
	verdict, needL4, needTCP := r.verdict()
	var parts []string
	switch {
	case needTCP:
		parts, r.l4 = append(parts, r.protoMatch(packet.ProtoTCP)), packet.ProtoTCP
	case needL4:
		p := oneOf(g, []uint8{packet.ProtoTCP, packet.ProtoUDP})
		if r.pkt.HasPorts() && g.chance(0.7) {
			p = r.pkt.Proto
		}
		parts, r.l4 = append(parts, r.protoMatch(p)), p
	}
	for range g.pick(2, 4, 3, 1) {
		if m := r.match(); m != "" {
			parts = append(parts, m)
		}
	}
	// A drop or reject that matches everything ends most cases early:
	// give it a condition, so that packets get further more often.
	if strings.HasPrefix(verdict, "drop") || strings.HasPrefix(verdict, "reject") {
		for i := 0; i < 5 && len(parts) == 0; i++ {
			if m := r.match(); m != "" {
				parts = append(parts, m)
			}
		}
	}
	if verdict == "vmap" {
		verdict = r.vmap()
	}
	var stmts []string
	if g.chance(0.35) {
		stmts = append(stmts, "counter")
	}
	if g.chance(0.05) {
		stmts = append(stmts, fmt.Sprintf(`log prefix "fk%d "`, ng.n)+oneOf(g, []string{"", " level warn", " level debug"}))
	}
	if g.chance(0.12) {
		stmts = append(stmts, r.markSet())
	}
	if g.chance(0.06) {
		stmts = append(stmts, r.ctMarkSet())
	}
	all := append(parts, stmts...)
	if verdict != "" {
		all = append(all, verdict)
	}
	if len(all) == 0 {
		all = []string{"counter"}
	}
	return strings.Join(all, " ")
}

// verdict draws what ends the rule: a verdict, a verdict map, reject,
// nat or notrack where the chain allows it, or nothing. needL4: it needs
// a transport protocol in the rule (nat to a port); needTCP: tcp (reject
// with tcp reset).
func (r *nftRule) verdict() (v string, needL4, needTCP bool) {
	g, c := r.g, r.c
	jump := len(c.targets) > 0
	for range 20 {
		switch g.pick(6, 3, 2, 3, 2, 2, 2, 1, 3, 6, 2) {
		case 0:
			return "accept", false, false
		case 1:
			return "drop", false, false
		case 2:
			// nft_reject_validate: input, forward, output, prerouting.
			if c.typ == "filter" && c.hook != "postrouting" {
				return r.reject()
			}
		case 3:
			if jump {
				return "jump " + oneOf(g, c.targets), false, false
			}
		case 4:
			if jump {
				return "goto " + oneOf(g, c.targets), false, false
			}
		case 5:
			// Drawn once the matches are (its key must agree with their
			// protocol).
			return "vmap", false, false
		case 6:
			if !c.base() || g.chance(0.3) {
				return "return", false, false
			}
		case 7:
			return "continue", false, false
		case 8:
			return "", false, false
		case 9:
			if c.typ == "nat" {
				return r.nat()
			}
		case 10:
			// notrack has an effect only before conntrack
			// (nft_notrack_eval returns when the packet has an entry).
			if c.typ == "filter" && c.home.prio < -200 && (c.hook == "prerouting" || c.hook == "output") {
				return "notrack", false, false
			}
		}
	}
	return "accept", false, false
}

func (r *nftRule) reject() (string, bool, bool) {
	g := r.g
	v4 := []string{"net-unreachable", "host-unreachable", "prot-unreachable", "port-unreachable", "net-prohibited", "host-prohibited", "admin-prohibited"}
	v6 := []string{"no-route", "admin-prohibited", "addr-unreachable", "port-unreachable", "policy-fail", "reject-route"}
	x := []string{"port-unreachable", "admin-prohibited", "no-route", "host-unreachable"}
	switch g.pick(3, 3, 2, 1) {
	case 0:
		return "reject", false, false
	case 1:
		switch {
		case r.t.family == "inet" && g.chance(0.5):
			return "reject with icmpx type " + oneOf(g, x), false, false
		case r.v6:
			return "reject with icmpv6 type " + oneOf(g, v6), false, false
		}
		return "reject with icmp type " + oneOf(g, v4), false, false
	case 2:
		return "reject with tcp reset", false, true
	}
	if r.t.family == "inet" {
		return "reject with icmpx type " + oneOf(g, x), false, false
	}
	return "reject", false, false
}

// nat draws snat, dnat, masquerade or redirect valid on the chain's hook
// (nft_nat_validate: snat on postrouting and input, dnat on prerouting
// and output; nft_masq_validate: postrouting; nft_redir_validate:
// prerouting and output).
func (r *nftRule) nat() (string, bool, bool) {
	g := r.g
	hook := r.c.hook
	fam := ""
	if r.t.family == "inet" {
		fam = map[bool]string{false: "ip ", true: "ip6 "}[r.v6]
	}
	withPort := func(a string, port string) string {
		if r.v6 && port != "" {
			return "[" + a + "]:" + port
		}
		if port != "" {
			return a + ":" + port
		}
		return a
	}
	dst := hook == "prerouting" || hook == "output"
	if dst {
		if g.chance(0.25) {
			if g.chance(0.5) {
				return "redirect to :" + r.natPorts(r.pkt.DPort, false), true, false
			}
			return "redirect", false, false
		}
		a := r.dnatAddr()
		if g.chance(0.5) {
			return "dnat " + fam + "to " + withPort(a.String(), r.natPorts(r.pkt.DPort, false)), true, false
		}
		return "dnat " + fam + "to " + a.String(), false, false
	}
	if hook == "postrouting" && g.chance(0.35) {
		if g.chance(0.3) {
			return "masquerade to :" + r.natPorts(r.pkt.SPort, true), true, false
		}
		return "masquerade", false, false
	}
	a := oneOf(g, hostAddrs(oneOf(g, g.topo.Links), r.v6)).Addr()
	if g.chance(0.3) {
		a = g.anyAddr(r.v6)
	}
	if g.chance(0.4) {
		return "snat " + fam + "to " + withPort(a.String(), r.natPorts(r.pkt.SPort, true)), true, false
	}
	return "snat " + fam + "to " + a.String(), false, false
}

// natPorts is nfGen.natPorts for nft (a range is "lo-hi" in both).
func (r *nftRule) natPorts(p uint16, mustHold bool) string {
	return (&nfGen{g: r.g, v6: r.v6, pkt: r.pkt}).natPorts(p, mustHold)
}

// vmap draws a verdict map on one of the packet's fields: anonymous or
// named, with keys around the packet's value and verdicts (jumps to
// the chain's targets among them). A packet whose key is not in the map
// ends the rule (nft_lookup: NFT_BREAK).
func (r *nftRule) vmap() string {
	g := r.g
	verdicts := []string{"accept", "drop", "continue", "return"}
	for _, t := range r.c.targets {
		verdicts = append(verdicts, "jump "+t, "goto "+t)
	}
	if r.c.typ == "nat" || r.c.base() {
		// A drop in a map is often the first packet's end: fewer.
		verdicts = append(verdicts, "accept", "continue")
	}
	key, typ, elems := r.mapKey(true)
	if len(elems) == 0 {
		return "accept"
	}
	var items []string
	for _, e := range elems {
		items = append(items, e+" : "+oneOf(g, verdicts))
	}
	if g.chance(0.35) && typ != "" {
		name := r.ng.named(r.t, "map", typ+" : verdict", items)
		return key + " vmap @" + name
	}
	return key + " vmap { " + strings.Join(items, ", ") + " }"
}

// mapKey draws the key of a map: the expression, the named-set type of
// its values ("" when only an anonymous map may be used) and the keys.
// fib daddr type is a key of verdict maps only (nft 1.0.6 does not parse
// it as the key of a mark map).
func (r *nftRule) mapKey(fib bool) (key, typ string, elems []string) {
	g := r.g
	p := r.pkt
	switch g.pick(3, 3, 2, 2, 1) {
	case 0:
		dst := g.chance(0.5)
		key, typ = r.addrKey(dst), r.addrType()
		a := p.Src
		if dst {
			a = p.Dst
		}
		return key, typ, r.addrElems(a, 1+g.r.IntN(3))
	case 1:
		proto := r.portProto(false)
		if proto == "" || (!p.HasPorts() && g.chance(0.6)) {
			break
		}
		if r.l4 == 0 {
			// Another key of the rule must use the same protocol.
			r.l4 = map[string]uint8{"tcp": packet.ProtoTCP, "udp": packet.ProtoUDP}[proto]
		}
		dst := g.chance(0.7)
		key = proto + map[bool]string{true: " dport", false: " sport"}[dst]
		port := p.SPort
		if dst {
			port = p.DPort
		}
		return key, "inet_service", r.portElems(port, 1+g.r.IntN(3))
	case 2:
		return "meta l4proto", "inet_proto", oneOfN(g, []string{"tcp", "udp", "icmp", "ipv6-icmp", "gre"}, 1+g.r.IntN(3))
	case 3:
		names := []string{`"` + g.in.Name + `"`, `"lo"`}
		for _, l := range g.topo.Links {
			names = append(names, `"`+l.Name+`"`)
		}
		k := "iifname"
		if r.c.hook == "forward" || r.c.hook == "postrouting" || r.c.hook == "output" {
			k = oneOf(g, []string{"iifname", "oifname"})
		}
		return k, "ifname", oneOfN(g, names, 1+g.r.IntN(3))
	case 4:
		if fib {
			return "fib daddr type", "", oneOfN(g, []string{"local", "unicast", "broadcast", "multicast", "anycast", "blackhole", "unreachable", "prohibit"}, 1+g.r.IntN(3))
		}
	}
	return "meta l4proto", "inet_proto", oneOfN(g, []string{"tcp", "udp", "icmp", "ipv6-icmp"}, 1+g.r.IntN(2))
}

// oneOfN draws n distinct items of xs (fewer when xs is shorter).
func oneOfN(g *caseGen, xs []string, n int) []string {
	seen := map[string]bool{}
	var out []string
	for range 3 * n {
		x := oneOf(g, xs)
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

func (r *nftRule) markSet() string {
	g := r.g
	v := oneOf(g, markPool)
	m := oneOf(g, maskPool)
	switch g.pick(4, 2, 2, 2, 1) {
	case 0:
		return fmt.Sprintf("meta mark set 0x%x", v)
	case 1:
		return fmt.Sprintf("meta mark set meta mark | 0x%x", v)
	case 2:
		return fmt.Sprintf("meta mark set meta mark & 0x%x", m)
	case 3:
		return "meta mark set ct mark"
	}
	// A map from the packet's address or port to a mark: no key, no
	// mark, and the rule stops there.
	key, typ, elems := r.mapKey(false)
	var items []string
	for _, e := range elems {
		items = append(items, fmt.Sprintf("%s : 0x%x", e, oneOf(g, markPool)))
	}
	if typ != "" && g.chance(0.4) {
		return "meta mark set " + key + " map @" + r.ng.named(r.t, "map", typ+" : mark", items)
	}
	return "meta mark set " + key + " map { " + strings.Join(items, ", ") + " }"
}

func (r *nftRule) ctMarkSet() string {
	g := r.g
	switch g.pick(3, 2, 1) {
	case 0:
		return fmt.Sprintf("ct mark set 0x%x", oneOf(g, markPool))
	case 1:
		return "ct mark set meta mark"
	}
	return fmt.Sprintf("ct mark set ct mark | 0x%x", oneOf(g, markPool))
}

// dnatAddr draws a DNAT address that may change the route: a peer or the
// host's address on another link, a remote or unrouted address, the
// host's address on the in-link (as nfGen.dnat).
func (r *nftRule) dnatAddr() netip.Addr {
	g := r.g
	others := g.otherLinks()
	switch g.pick(35, 20, 10, 25, 10) {
	case 0:
		return oneOf(g, peersOf(oneOf(g, others), r.v6))
	case 1:
		return oneOf(g, hostAddrs(oneOf(g, others), r.v6)).Addr()
	case 2:
		return oneOf(g, hostAddrs(g.in, r.v6)).Addr()
	case 3:
		return g.inPrefix(oneOf(g, g.remotes(r.v6)))
	}
	return g.inPrefix(unrouted(r.v6))
}
