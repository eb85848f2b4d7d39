package kerneltest

import (
	"fmt"
	"net/netip"
	"slices"
)

// genSysctls draws the sysctls the engine reads: IPv4 forwarding (all,
// then per interface, since writing all.forwarding rewrites every
// interface), IPv6 all.forwarding and per-interface forwarding (which the
// kernel ignores for forwarding), rp_filter (all and per interface, 0, 1
// or 2: the effective value is the larger), src_valid_mark and
// accept_local (all or per interface: either one on is on).
//
// Left out: net.ipv4.conf.default.* (the lab writes it to every
// interface, the same as per-interface values), route_localnet and
// 127.0.0.0/8 addresses (the harness uses documentation addresses only),
// force_forwarding (not in every kernel).
func (g *caseGen) genSysctls() []Sysctl {
	var s []Sysctl
	set := func(k, v string) { s = append(s, Sysctl{Key: k, Value: v}) }
	bit := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	fwd4 := g.chance(0.85)
	set("net.ipv4.conf.all.forwarding", bit(fwd4))
	set("net.ipv6.conf.all.forwarding", bit(g.chance(0.85)))
	for _, l := range g.topo.Links {
		p := 0.08
		if l.Name == g.in.Name {
			p = 0.15
		}
		if g.chance(p) {
			set("net.ipv4.conf."+l.Name+".forwarding", bit(!fwd4))
		}
		// Per-device IPv6 forwarding does not decide forwarding, but
		// off it removes the subnet-router anycast addresses of the
		// device: a packet to one is then forwarded on-link to a
		// neighbour nobody answers for (the lab's peers are silent), so
		// not when the packet goes to one of this device's.
		if g.chance(0.05) && !isSubnetRouter(l, g.pkt.Dst) {
			set("net.ipv6.conf."+l.Name+".forwarding", "0")
		}
	}
	rpf := []string{"0", "1", "2"}
	set("net.ipv4.conf.all.rp_filter", rpf[g.pick(4, 3, 2)])
	for _, l := range g.topo.Links {
		p := 0.15
		if l.Name == g.in.Name {
			p = 0.5
		}
		if g.chance(p) {
			set("net.ipv4.conf."+l.Name+".rp_filter", oneOf(g, rpf))
		}
	}
	if g.chance(0.15) {
		set("net.ipv4.conf.all.src_valid_mark", "1")
	}
	if g.chance(0.2) {
		set("net.ipv4.conf."+g.in.Name+".src_valid_mark", "1")
	}
	if g.chance(0.05) {
		set("net.ipv4.conf.all.accept_local", "1")
	}
	if g.chance(0.12) {
		set("net.ipv4.conf."+g.in.Name+".accept_local", "1")
	}
	return s
}

// isSubnetRouter reports whether a is the subnet-router anycast address
// of one of l's IPv6 prefixes.
func isSubnetRouter(l Link, a netip.Addr) bool {
	for _, p := range l.Addrs {
		if p.Addr().Is6() && p.Bits() < 127 && p.Masked().Addr() == a {
			return true
		}
	}
	return false
}

// markPool are the marks every part of a case draws from: MARK and
// CONNMARK set them, -m mark, -m connmark, ip rule fwmark and rpfilter
// --validmark (with src_valid_mark) read them.
var markPool = []uint32{0x1, 0x2, 0x3, 0x10, 0x11, 0x100, 0x10000}

var maskPool = []uint32{0xff, 0xf, 0x1, 0xffff0000, 0x10, 0xfffffffe}

// routeKey is what makes `ip route add` refuse a second route (File
// exists): the same table, prefix and metric (IPv6 also refuses the same
// prefix and metric with another gateway: NLM_F_EXCL).
type routeKey struct {
	table  int
	dst    netip.Prefix
	metric int
}

// genRouting draws the routes and policy rules of the packet's family,
// and a default route of the other family.
//
// Routes: in main, a default route and routes to the remote networks,
// each via a peer on a random link, sometimes a second one of another
// metric via another link, sometimes a host route to the destination;
// in tables 100 and 200, routes around the packet's source (routes back,
// for rp_filter and rpfilter) and destination; typed routes (blackhole,
// unreachable, prohibit, throw) around either address in any table.
//
// Left out: multipath routes (the kernel picks a path by hash: not
// deterministic enough to compare), on-link routes without a gateway to
// networks with no neighbour entries (the peers are silent: the packet
// would wait for ARP/ND), custom local routes, routes with a preferred
// source (farend's answer for a forwarded packet does not depend on it).
func (g *caseGen) genRouting() ([]Route, []Rule) {
	var routes []Route
	seen := map[routeKey]bool{}
	// The kernel's own routes: connected prefixes in main, metric 0
	// (IPv4) or 256 (IPv6); an IPv6 route added without a metric gets
	// 1024.
	for _, l := range g.topo.Links {
		for _, a := range l.Addrs {
			m := 0
			if a.Addr().Is6() {
				m = 256
			}
			seen[routeKey{0, a.Masked(), m}] = true
		}
	}
	add := func(r Route) {
		m := r.Metric
		if m == 0 && r.Is6() {
			m = 1024
		}
		k := routeKey{r.Table, r.Dst.Masked(), m}
		if seen[k] {
			return
		}
		seen[k] = true
		r.Dst = r.Dst.Masked()
		routes = append(routes, r)
	}
	via := func(v6 bool) (netip.Addr, string) {
		for range 10 {
			l := oneOf(g, g.topo.Links)
			if ps := peersOf(l, v6); len(ps) > 0 {
				return oneOf(g, ps), l.Name
			}
		}
		l := g.topo.Links[0]
		return peersOf(l, v6)[0], l.Name
	}
	gw := func(dst netip.Prefix, table, metric int) {
		a, dev := via(dst.Addr().Is6())
		if dst.IsSingleIP() && dst.Addr() == a {
			return // a host route via itself: IPv6 refuses the gateway
		}
		add(Route{Dst: dst, Via: a, Dev: dev, Table: table, Metric: metric})
	}
	v6 := g.v6
	anyRoute := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	if v6 {
		anyRoute = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}

	// The other family: a default route, so that its ruleset loads
	// against a plausible host; no packet of it is sent.
	{
		o := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if !v6 {
			o = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		gw(o, 0, 0)
	}

	if g.chance(0.6) {
		gw(anyRoute, 0, 0)
	}
	for _, rp := range g.remotes(v6) {
		if g.chance(0.7) {
			gw(rp, 0, 0)
			if g.chance(0.15) {
				gw(rp, 0, oneOf(g, []int{10, 100, 2000}))
			}
			if !v6 && g.chance(0.12) {
				// A route for one TOS.
				a, dev := via(false)
				routes = append(routes, Route{Dst: rp, Via: a, Dev: dev, Extra: fmt.Sprintf("tos 0x%02x", oneOf(g, []int{0x10, 0x08, 0x04, 0x18, 0x28}))})
			}
		}
	}
	if g.chance(0.1) {
		gw(netip.PrefixFrom(g.pkt.Dst, g.pkt.Dst.BitLen()), 0, 0)
	}
	for _, table := range []int{100, 200} {
		for range g.pick(3, 3, 3, 2, 1) {
			var dst netip.Prefix
			switch g.pick(4, 3, 2, 1) {
			case 0:
				dst = g.prefixAround(g.pkt.Src, true)
			case 1:
				dst = g.prefixAround(g.pkt.Dst, true)
			case 2:
				dst = oneOf(g, g.remotes(v6))
			case 3:
				dst = anyRoute
			}
			gw(dst, table, 0)
		}
	}
	for range g.pick(5, 3, 2) {
		typ := oneOf(g, []string{"blackhole", "unreachable", "prohibit", "throw"})
		base := g.pkt.Dst
		if g.chance(0.4) {
			base = g.pkt.Src
		}
		add(Route{Type: typ, Dst: g.prefixAround(base, false), Table: oneOf(g, []int{0, 0, 100, 200})})
	}
	return routes, g.genRules()
}

// genRules draws 0 to 4 policy rules of the packet's family, between the
// local rule (0) and main (32766).
//
// Left out: IPv6 tos (the lab sends traffic class 0), uidrange (no
// sockets), l3mdev (no VRF devices), suppress_ifgroup, and rules that
// replace the default ones.
func (g *caseGen) genRules() []Rule {
	n := g.pick(3, 3, 3, 2, 1)
	prios := []int{100, 200, 300, 500, 1000, 2000, 32000}
	g.r.Shuffle(len(prios), func(i, j int) { prios[i], prios[j] = prios[j], prios[i] })
	prios = prios[:n]
	slices.Sort(prios)
	var rules []Rule
	for i, pr := range prios {
		r := Rule{V6: g.v6, Priority: pr}
		if g.chance(0.4) {
			base := g.pkt.Src
			if g.chance(0.4) {
				base = g.pkt.Dst // reverse-path lookups have saddr = the packet's daddr
			}
			r.From = g.prefixAround(base, false)
		}
		if g.chance(0.25) {
			base := g.pkt.Dst
			if g.chance(0.3) {
				base = g.pkt.Src // reverse-path lookups have daddr = the packet's saddr
			}
			r.To = g.prefixAround(base, false)
		}
		if g.chance(0.25) {
			switch g.pick(5, 3, 2) {
			case 0:
				r.IIF = g.in.Name
			case 1:
				r.IIF = "lo"
			case 2:
				r.IIF = oneOf(g, g.topo.Links).Name
			}
		}
		if g.chance(0.05) {
			r.OIF = oneOf(g, g.topo.Links).Name
		}
		if g.chance(0.3) {
			r.FWMark = oneOf(g, markPool)
			if g.chance(0.4) {
				r.FWMask = oneOf(g, maskPool)
				r.FWMark &= r.FWMask
			}
		}
		if g.chance(0.08) {
			r.Extra = fmt.Sprintf("ipproto %d", g.pkt.Proto)
			if g.chance(0.3) {
				r.Extra = fmt.Sprintf("ipproto %d", oneOf(g, []int{6, 17, 1, 58}))
			}
			if g.pkt.HasPorts() && g.chance(0.6) {
				// sport matters too: the rp_filter reverse lookup swaps
				// the ports (__fib_validate_source).
				opt, port := "dport", g.pkt.DPort
				if g.chance(0.4) {
					opt, port = "sport", g.pkt.SPort
				}
				// fib_rule_port_range_valid: 1 to 65534 only.
				lo, hi := g.portAround(port)
				lo, hi = max(lo, 1), min(hi, 65534)
				switch {
				case lo > hi:
				case lo == hi:
					r.Extra += fmt.Sprintf(" %s %d", opt, lo)
				default:
					r.Extra += fmt.Sprintf(" %s %d-%d", opt, lo, hi)
				}
			}
		}
		if !g.v6 && g.chance(0.08) {
			// The kernel takes only the legacy TOS bits (0x1c) in a rule
			// ("Invalid tos" otherwise).
			r.Extra = joinWords(r.Extra, fmt.Sprintf("%s 0x%02x", oneOf(g, []string{"tos", "dsfield"}), oneOf(g, []int{0x10, 0x08, 0x04, 0x18, 0x1c})))
		}
		r.Not = g.chance(0.08)
		switch g.pick(30, 20, 8, 4, 8, 7, 7, 7, 3, 5, 3) {
		case 0:
			r.Table = 100
		case 1:
			r.Table = 200
		case 2:
			r.Table = 254
			r.Extra = joinWords(r.Extra, "suppress_prefixlength 0")
		case 3:
			r.Table = 100
			r.Extra = joinWords(r.Extra, fmt.Sprintf("suppress_prefixlength %d", oneOf(g, []int{0, 8, 24, 64})))
		case 4:
			// goto a later rule (the kernel refuses a backward goto);
			// sometimes to a priority nobody has (an unresolved goto).
			target := 32766
			if i+1 < n && g.chance(0.7) {
				target = prios[i+1+g.r.IntN(n-i-1)]
			} else if g.chance(0.3) {
				target = pr + 1
			}
			r.Action = fmt.Sprintf("goto %d", target)
		case 5:
			r.Action = "blackhole"
		case 6:
			r.Action = "unreachable"
		case 7:
			r.Action = "prohibit"
		case 8:
			r.Action = "nop"
		case 9:
			r.Table = 254
		case 10:
			r.Table = 300 // a table with no routes
		}
		rules = append(rules, r)
	}
	return rules
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// prefixAround returns a prefix that holds a (a hit) or, sometimes
// unless hitOnly, the neighbouring prefix of the same length (a near
// miss: one bit off at the prefix boundary).
func (g *caseGen) prefixAround(a netip.Addr, hitOnly bool) netip.Prefix {
	var bits int
	if a.Is6() {
		bits = oneOf(g, []int{128, 127, 120, 64, 65, 63, 56, 48, 47, 36, 32})
	} else {
		bits = oneOf(g, []int{32, 31, 30, 28, 25, 24, 23, 17, 16, 15, 8})
	}
	if !hitOnly && bits > 0 && g.chance(0.35) {
		a = flipBit(a, bits-1)
	}
	p, _ := a.Prefix(bits)
	return p
}

// flipBit flips bit i (0 = most significant) of a.
func flipBit(a netip.Addr, i int) netip.Addr {
	b := a.AsSlice()
	b[i/8] ^= 0x80 >> (i % 8)
	out, _ := netip.AddrFromSlice(b)
	return out
}

// portAround returns a port range near p: p itself, a neighbour, or a
// range that starts or ends at p or next to it.
func (g *caseGen) portAround(p uint16) (lo, hi uint16) {
	clamp := func(x int) uint16 { return uint16(min(max(x, 0), 65535)) }
	q := int(p)
	k := oneOf(g, []int{1, 10, 1000})
	switch g.pick(4, 2, 2, 2, 2, 1, 1) {
	case 0:
		return p, p
	case 1:
		return clamp(q + 1), clamp(q + 1)
	case 2:
		return clamp(q - 1), clamp(q - 1)
	case 3:
		return p, clamp(q + k)
	case 4:
		return clamp(q - k), p
	case 5:
		return clamp(q + 1), clamp(q + k)
	}
	return clamp(q - k), clamp(q - 1)
}
