package netfilter

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/packet"
)

// NATRange is the address and port range of a NAT target
// (struct nf_nat_range2). The zero NATRange changes nothing.
type NATRange struct {
	// MinAddr and MaxAddr are the address range; invalid when the target
	// changes only the port.
	MinAddr, MaxAddr netip.Addr
	// HasPorts is set when a port range is given.
	HasPorts         bool
	MinPort, MaxPort uint16
	// Base is the /base of a shifted port range (NF_NAT_RANGE_PROTO_OFFSET):
	// port = MinPort + (port - Base) % size.
	HasBase bool
	Base    uint16
}

// NATTarget is -j DNAT, SNAT, MASQUERADE or REDIRECT, based on
// net/netfilter/xt_nat.c, xt_MASQUERADE.c, xt_REDIRECT.c and
// nf_nat_core.c (get_unique_tuple). The target rewrites the packet (the
// first packet of a connection: nat chains see no other) and returns
// NF_ACCEPT, which ends the nat chain.
//
//   - DNAT: the destination becomes an address of the range (one chosen by
//     a hash of the flow when there are several) and, with ports, the
//     destination port is kept if it is in the range, else the first port
//     of the range is tried first.
//   - SNAT: the original source is kept when it already fits the range;
//     otherwise an address of the range, and a source port in the range
//     (random among them when it is not in it).
//   - MASQUERADE: SNAT to the address the host would use as a source on
//     the output device (c.Env.SourceAddr); no address drops the packet.
//   - REDIRECT: DNAT to the host itself: 127.0.0.1 / ::1 for locally
//     generated packets, else an address of the input device (the kernel
//     takes the device's first address).
//
// Every rewrite is recorded in c.Ctx.NAT; Ambiguous is set when the kernel
// would choose among several values and farend picked the first.
//
// The zero NATTarget is an empty DNAT.
type NATTarget struct {
	// Kind is "DNAT", "SNAT", "MASQUERADE" or "REDIRECT".
	Kind  string
	V6    bool
	Range NATRange
	// Random is --random, RandomFully --random-fully, Persistent
	// --persistent.
	Random, RandomFully, Persistent bool
}

func parseNAT(kind string, fam Family, a *Args) (Target, error) {
	t := &NATTarget{Kind: kind, V6: fam == IPv6}
	var seen bool
	arity := func(o string) int {
		switch o {
		case "--to-destination":
			if kind == "DNAT" {
				return 1
			}
		case "--to-source":
			if kind == "SNAT" {
				return 1
			}
		case "--to-ports":
			if kind == "MASQUERADE" || kind == "REDIRECT" {
				return 1
			}
		case "--random":
			return 0
		case "--random-fully":
			if kind == "SNAT" || kind == "MASQUERADE" {
				return 0
			}
		case "--persistent":
			if kind == "SNAT" || kind == "DNAT" {
				return 0
			}
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if err := noNeg(o); err != nil {
			return err
		}
		switch o.Name {
		case "--random":
			t.Random = true
		case "--random-fully":
			t.RandomFully = true
		case "--persistent":
			t.Persistent = true
		default:
			if seen {
				return fmt.Errorf("only one %s allowed", o.Name)
			}
			seen = true
			var err error
			if o.Name == "--to-ports" {
				t.Range.HasPorts = true
				t.Range.MinPort, t.Range.MaxPort, t.Range.HasBase, t.Range.Base, err = parseNATPorts(o.Arg())
			} else {
				t.Range, err = parseNATRange(o.Arg(), t.V6)
			}
			return err
		}
		return nil
	})
	if err == nil && !seen && (kind == "DNAT" || kind == "SNAT") {
		err = fmt.Errorf("%s needs --to-%s", kind, map[bool]string{true: "destination", false: "source"}[kind == "DNAT"])
	}
	return t, err
}

// parseNATRange parses "a[-b][:p[-q][/base]]" (IPv6: "[a[-b]]:p[-q]" or
// "a[-b]"), as libxt_NAT parse_to does.
func parseNATRange(s string, v6 bool) (NATRange, error) {
	var r NATRange
	addrs, ports := s, ""
	switch {
	case v6 && strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return r, fmt.Errorf("invalid range %q", s)
		}
		addrs, ports = s[1:end], s[end+1:]
		if ports != "" {
			p, ok := strings.CutPrefix(ports, ":")
			if !ok {
				return r, fmt.Errorf("invalid range %q", s)
			}
			ports = p
			r.HasPorts = true
		}
	case !v6:
		if a, p, ok := strings.Cut(s, ":"); ok {
			addrs, ports, r.HasPorts = a, p, true
		}
	}
	if r.HasPorts {
		var err error
		if r.MinPort, r.MaxPort, r.HasBase, r.Base, err = parseNATPorts(ports); err != nil {
			return r, err
		}
	}
	if addrs == "" {
		if !r.HasPorts {
			return r, fmt.Errorf("invalid range %q", s)
		}
		return r, nil
	}
	lo, hi, isRange := strings.Cut(addrs, "-")
	min, err := netip.ParseAddr(lo)
	if err != nil || min.Is6() != v6 || min.Zone() != "" {
		return r, fmt.Errorf("invalid address in %q", s)
	}
	max := min
	if isRange {
		if max, err = netip.ParseAddr(hi); err != nil || max.Is6() != v6 || max.Zone() != "" || max.Less(min) {
			return r, fmt.Errorf("invalid address range in %q", s)
		}
	}
	r.MinAddr, r.MaxAddr = min, max
	return r, nil
}

func parseNATPorts(s string) (min, max uint16, hasBase bool, base uint16, err error) {
	rng, b, hasBase := strings.Cut(s, "/")
	lo, hi, isRange := strings.Cut(rng, "-")
	if !isRange {
		lo, hi, isRange = strings.Cut(rng, ":")
	}
	a, err := parseUint(lo, 0xffff)
	if err != nil {
		return 0, 0, false, 0, fmt.Errorf("invalid port %q", s)
	}
	c := a
	if isRange {
		if c, err = parseUint(hi, 0xffff); err != nil || c < a {
			return 0, 0, false, 0, fmt.Errorf("invalid port range %q", s)
		}
	}
	if hasBase {
		n, err := parseUint(b, 0xffff)
		if err != nil {
			return 0, 0, false, 0, fmt.Errorf("invalid port base %q", s)
		}
		base = uint16(n)
	}
	return uint16(a), uint16(c), hasBase, base, nil
}

func (r NATRange) addrString(v6 bool) string {
	if !r.MinAddr.IsValid() {
		return ""
	}
	s := r.MinAddr.String()
	if r.MaxAddr != r.MinAddr {
		s += "-" + r.MaxAddr.String()
	}
	if v6 && r.HasPorts {
		s = "[" + s + "]"
	}
	return s
}

func (r NATRange) portString() string {
	s := fmt.Sprint(r.MinPort)
	if r.MaxPort != r.MinPort {
		s += fmt.Sprintf("-%d", r.MaxPort)
	}
	if r.HasBase {
		s += fmt.Sprintf("/%d", r.Base)
	}
	return s
}

func (r NATRange) String(v6 bool) string {
	s := r.addrString(v6)
	if r.HasPorts {
		s += ":" + r.portString()
	}
	return s
}

func (t *NATTarget) String() string {
	var b strings.Builder
	b.WriteString("-j " + t.Kind)
	switch t.Kind {
	case "DNAT":
		b.WriteString(" --to-destination " + t.Range.String(t.V6))
	case "SNAT":
		b.WriteString(" --to-source " + t.Range.String(t.V6))
	default:
		if t.Range.HasPorts {
			b.WriteString(" --to-ports " + t.Range.portString())
		}
	}
	if t.Random {
		b.WriteString(" --random")
	}
	if t.RandomFully {
		b.WriteString(" --random-fully")
	}
	if t.Persistent {
		b.WriteString(" --persistent")
	}
	return b.String()
}

// addrIn reports whether a is in [lo, hi].
func addrIn(a, lo, hi netip.Addr) bool {
	return a.BitLen() == lo.BitLen() && a.Compare(lo) >= 0 && a.Compare(hi) <= 0
}

// Apply implements Target.
func (t *NATTarget) Apply(c *Ctx) Verdict {
	before := c.Pkt
	r := t.Range
	dst := t.Kind == "DNAT" || t.Kind == "REDIRECT"
	var why []string
	amb := false

	switch t.Kind {
	case "MASQUERADE", "REDIRECT":
		var a netip.Addr
		if t.Kind == "MASQUERADE" {
			if c.Env != nil {
				a = c.Env.SourceAddr(c.Out, c.Pkt.Dst, t.V6)
			}
			why = append(why, fmt.Sprintf("MASQUERADE uses the address %s would have as source on %s", a, c.Out))
		} else if c.In == "" {
			a = netip.AddrFrom4([4]byte{127, 0, 0, 1})
			if t.V6 {
				a = netip.IPv6Loopback()
			}
			why = append(why, "REDIRECT of a locally generated packet goes to the loopback address")
		} else {
			// nf_nat_redirect_ipv4 takes the first address of the input
			// device (in_dev->ifa_list), nf_nat_redirect_ipv6 the first
			// of its address list with the destination's scope, whatever
			// the packet's addresses: SourceAddr with no destination.
			if c.Env != nil {
				a = c.Env.SourceAddr(c.In, netip.Addr{}, t.V6)
			}
			why = append(why, fmt.Sprintf("REDIRECT goes to the first address of the input device %s", c.In))
		}
		if !a.IsValid() {
			dev := c.Out
			if t.Kind == "REDIRECT" {
				dev = c.In
			}
			c.Explain("%s: %s has no usable address, the kernel drops the packet (NF_DROP)", t.Kind, dev)
			return Verdict{Kind: Drop}
		}
		r.MinAddr, r.MaxAddr = a, a
	}

	cur := c.Pkt.Src
	curPort := c.Pkt.SPort
	if dst {
		cur, curPort = c.Pkt.Dst, c.Pkt.DPort
	}
	hasPorts := c.Pkt.HasPorts()
	random := t.Random || t.RandomFully
	portIn := !r.HasPorts || !hasPorts || (curPort >= r.MinPort && curPort <= r.MaxPort && !r.HasBase)

	newAddr, newPort := cur, curPort
	keep := !dst && !random && (!r.MinAddr.IsValid() || addrIn(cur, r.MinAddr, r.MaxAddr)) && portIn
	if keep {
		why = append(why, "the original source already fits the range, the kernel keeps it")
	} else {
		if r.MinAddr.IsValid() {
			newAddr = r.MinAddr
			if r.MaxAddr != r.MinAddr {
				amb = true
				why = append(why, fmt.Sprintf("the kernel picks one address of %s-%s by a hash of the flow; farend shows the first", r.MinAddr, r.MaxAddr))
			}
		}
		if hasPorts {
			switch {
			case r.HasPorts && r.HasBase:
				size := uint32(r.MaxPort) - uint32(r.MinPort) + 1
				newPort = uint16(uint32(r.MinPort) + uint32(curPort-r.Base)%size)
			case r.HasPorts && r.MinPort == r.MaxPort:
				newPort = r.MinPort
			case r.HasPorts && portIn && !random:
				why = append(why, fmt.Sprintf("port %d is already in %d-%d and is kept", curPort, r.MinPort, r.MaxPort))
			case r.HasPorts && dst && !random:
				newPort = r.MinPort
				why = append(why, fmt.Sprintf("the kernel tries the ports of %d-%d in order; farend shows the first", r.MinPort, r.MaxPort))
			case r.HasPorts:
				newPort = r.MinPort
				amb = true
				why = append(why, fmt.Sprintf("the kernel picks a port of %d-%d at random; farend shows the first", r.MinPort, r.MaxPort))
			case random && !dst:
				amb = true
				why = append(why, "with --random/--random-fully the kernel picks a random source port; farend keeps the original")
			}
		}
	}
	if dst {
		c.Pkt.Dst, c.Pkt.DPort = newAddr, newPort
	} else {
		c.Pkt.Src, c.Pkt.SPort = newAddr, newPort
	}
	if c.Pkt != before && c.Ct.Tracked && !c.Ct.Untracked {
		if dst {
			c.Ct.State |= CtDNAT
		} else {
			c.Ct.State |= CtSNAT
		}
	}
	what := "source"
	if dst {
		what = "destination"
	}
	expl := fmt.Sprintf("%s: %s %s -> %s", t.Kind, what, addrPort(cur, curPort, hasPorts), addrPort(newAddr, newPort, hasPorts))
	if len(why) > 0 {
		expl += " (" + strings.Join(why, "; ") + ")"
	}
	c.Explain("%s", expl)
	c.NAT = append(c.NAT, Rewrite{Kind: t.Kind, Rule: c.Rule, Before: before, After: c.Pkt, Ambiguous: amb, Explain: expl})
	return Verdict{Kind: Accept}
}

func addrPort(a netip.Addr, p uint16, ports bool) string {
	if !ports {
		return a.String()
	}
	return netip.AddrPortFrom(a, p).String()
}

var natPortProtos = []uint8{packet.ProtoTCP, packet.ProtoUDP, packet.ProtoUDPLite, packet.ProtoSCTP, 33}

// Check implements Checker: the nat targets are registered for the nat
// table and their hooks (xt_nat.c: SNAT POSTROUTING and INPUT, DNAT
// PREROUTING and OUTPUT; xt_MASQUERADE.c POSTROUTING; xt_REDIRECT.c
// PREROUTING and OUTPUT); iptables refuses ports without -p tcp, udp,
// sctp or dccp.
func (t *NATTarget) Check(e Entry) string {
	var s string
	switch t.Kind {
	case "DNAT", "REDIRECT":
		s = checkHooks(t.Kind, e, "nat", Prerouting, Output)
	case "SNAT":
		s = checkHooks(t.Kind, e, "nat", Postrouting, Input)
	default:
		s = checkHooks(t.Kind, e, "nat", Postrouting)
	}
	if s == "" && t.Range.HasPorts {
		s = checkProto(t.Kind+" with ports", e, natPortProtos...)
	}
	return s
}
