package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"
)

// fib draws a fib expression valid on the rule's hook (nft_fib_validate
// of Linux 6.18: results oif and oifname on prerouting, input and
// forward; result type with iif on prerouting, input and forward, with
// oif on forward, output and postrouting, with neither on any hook),
// biased to lookups whose answer hangs on the case's routes: the
// reverse path of the source (the routes back sit in other tables), the
// type of the destination, the device towards it, with and without the
// mark.
func (r *nftRule) fib() string {
	g := r.g
	mark := ""
	if g.chance(0.25) {
		mark = " . mark"
	}
	oifResult := func() string {
		switch g.pick(4, 3, 2, 1, 1) {
		case 0:
			return "oif missing"
		case 1:
			return "oif exists"
		case 2:
			return fmt.Sprintf("oif %s%q", oneOf(g, []string{"", "!= "}), oneOf(g, g.topo.Links).Name)
		case 3:
			l := oneOf(g, g.topo.Links).Name
			return fmt.Sprintf("oifname %q", l[:1+g.r.IntN(len(l)-1)]+"*")
		}
		return `oifname != "lo"`
	}
	types := []string{"local", "local", "unicast", "unicast", "broadcast", "multicast", "anycast", "blackhole", "unreachable", "prohibit", "unspec"}
	typeResult := func() string {
		if g.chance(0.2) {
			return "type { " + strings.Join(oneOfN(g, types, 2), ", ") + " }"
		}
		return "type " + oneOf(g, []string{"", "", "!= "}) + oneOf(g, types)
	}
	for range 10 {
		switch g.pick(5, 4, 2, 2) {
		case 0: // reverse path, strict: the source back through the input device
			if r.fibOifOK() {
				return "fib saddr" + mark + " . iif " + oifResult()
			}
		case 1: // address types
			switch g.pick(4, 2, 1) {
			case 0:
				return "fib daddr" + mark + " " + typeResult()
			case 1:
				if r.fibTypeOK(true, false) {
					return "fib " + oneOf(g, []string{"daddr", "daddr", "saddr"}) + mark + " . iif " + typeResult()
				}
			case 2:
				return "fib saddr " + typeResult()
			}
		case 2: // loose reverse path, or the device towards the destination
			if r.fibOifOK() {
				return "fib " + oneOf(g, []string{"saddr", "daddr"}) + mark + " " + oifResult()
			}
		case 3:
			if r.fibTypeOK(false, true) {
				return "fib " + oneOf(g, []string{"daddr", "saddr"}) + " . oif " + typeResult()
			}
		}
	}
	return "fib daddr type local"
}

// fibTypeOK: result type with the iif or oif flag may sit on the hook.
func (r *nftRule) fibTypeOK(iif, oif bool) bool {
	h := r.c.hook
	switch {
	case iif:
		return h == "prerouting" || h == "input" || h == "forward"
	case oif:
		return h == "forward" || h == "output" || h == "postrouting"
	}
	return true
}

// fibOifOK: results oif and oifname may sit on the hook. (Some kernel
// versions take them on input and forward only with the iif flag; the
// lab's 6.18 takes them without. A refused case is drawn again.)
func (r *nftRule) fibOifOK() bool {
	h := r.c.hook
	return h == "prerouting" || h == "input" || h == "forward"
}

// addrElems draws up to n disjoint set elements around a: prefixes,
// the address, ranges, other addresses (nft refuses overlapping
// intervals in a set).
func (r *nftRule) addrElems(a netip.Addr, n int) []string {
	g := r.g
	type iv struct{ lo, hi netip.Addr }
	var taken []iv
	var out []string
	for range 3 * n {
		var e string
		var lo, hi netip.Addr
		switch g.pick(3, 3, 2, 2) {
		case 0:
			p := g.prefixAround(a, false)
			e, lo, hi = prefixText(p), p.Masked().Addr(), lastOf(p)
		case 1:
			e, lo, hi = a.String(), a, a
		case 2:
			lo, hi = r.rangeAround(a)
			e = lo.String() + "-" + hi.String()
			if lo == hi {
				e = lo.String()
			}
		case 3:
			b := g.anyAddr(r.v6)
			e, lo, hi = b.String(), b, b
		}
		ok := true
		for _, t := range taken {
			if !(hi.Less(t.lo) || t.hi.Less(lo)) {
				ok = false
			}
		}
		if ok {
			taken = append(taken, iv{lo, hi})
			out = append(out, e)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// lastOf is the last address of p.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// portElems draws up to n disjoint port elements around p.
func (r *nftRule) portElems(p uint16, n int) []string {
	g := r.g
	type iv struct{ lo, hi uint16 }
	var taken []iv
	var out []string
	for range 3 * n {
		lo, hi := g.portAround(p)
		if g.chance(0.25) {
			lo, hi = g.portAround(oneOf(g, []uint16{22, 53, 443, 8080, 1024}))
		}
		ok := true
		for _, t := range taken {
			if !(hi < t.lo || t.hi < lo) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		taken = append(taken, iv{lo, hi})
		if lo == hi {
			out = append(out, fmt.Sprint(lo))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", lo, hi))
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// named adds a named set or map of t with the given type ("ipv4_addr",
// "inet_service : verdict" ...) and elements, and returns its name. A
// set of the same type may be reused instead (sets hold no verdicts,
// so any chain may use them).
func (ng *nftGen) named(t *nftTable, kind, typ string, elems []string) string {
	g := ng.g
	if kind == "set" {
		if have := t.sets[typ]; len(have) > 0 && g.chance(0.35) {
			return oneOf(g, have)
		}
	}
	t.n++
	name := fmt.Sprintf("%s%d", map[string]string{"set": "s", "map": "m"}[kind], t.n)
	if kind == "set" {
		t.sets[typ] = append(t.sets[typ], name)
	}
	keyType, _, _ := strings.Cut(typ, " : ")
	def := fmt.Sprintf("add %s %s %s %s { type %s; ", kind, t.family, t.name, name, typ)
	interval := false
	if !strings.Contains(keyType, "ifname") && !strings.Contains(keyType, "inet_proto") {
		for _, e := range elems {
			k, _, _ := strings.Cut(e, " : ")
			if strings.ContainsAny(k, "/-") {
				interval = true
			}
		}
	}
	if interval {
		def += "flags interval; "
	}
	if len(elems) > 0 {
		def += "elements = { " + strings.Join(elems, ", ") + " }; "
	}
	t.defs = append(t.defs, def+"}")
	return name
}
