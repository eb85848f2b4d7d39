package sim

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/rib"
	"farend/internal/trace"
)

// runInput walks a packet that arrives on w.req.In: PREROUTING, the input
// routing decision, then local delivery or forwarding.
func (w *walk) runInput() {
	in := w.req.In
	lt := w.arrivalLinkType()
	w.linkType = &lt
	if d := w.runHook(netfilter.Prerouting, in, ""); d != nil {
		w.denied(netfilter.Prerouting, d)
		return
	}
	res, local, ok := w.routeInput(in)
	if !ok {
		return
	}
	if local {
		w.deliverLocal(in)
		return
	}
	w.forward(in, res)
}

// arrivalLinkType is the frame's type as the packet arrives, from its
// destination address (a sender puts a multicast or broadcast IP
// destination in a multicast or broadcast frame): skb->pkt_type, which
// -m pkttype reads and which NAT does not change.
func (w *walk) arrivalLinkType() netfilter.PktType {
	d := w.pkt.Dst
	switch {
	case d.IsMulticast():
		return netfilter.PktMulticast
	case d == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netfilter.PktBroadcast
	case d.Is4() && w.env.AddrType(d, "", netfilter.AddrBroadcast)&netfilter.AddrBroadcast != 0:
		return netfilter.PktBroadcast
	}
	return netfilter.PktHost
}

func (w *walk) flowOf(iif string) rib.Flow {
	p := w.pkt
	fl := rib.Flow{Dst: p.Dst, Src: p.Src, IIF: iif, Mark: p.Mark, TOS: p.TOS, Proto: p.Proto}
	if p.HasPorts() {
		fl.SPort, fl.DPort = p.SPort, p.DPort
	}
	return fl
}

func (w *walk) routingStep(what string, fl rib.Flow, res rib.Result, verdict string) {
	st := trace.Step{Kind: trace.KindRouting, Verdict: verdict, Text: fmt.Sprintf("%s: %s", what, fl)}
	st.Detail = append(st.Detail, res.Steps...)
	if res.Route != nil {
		st.Source = res.Route.Pos.String()
	} else if res.Rule != nil {
		st.Source = res.Rule.Pos.String()
	}
	if len(res.Nexthops) > 1 {
		st.Detail = append(st.Detail, fmt.Sprintf("%d equal-cost nexthops: the kernel picks one by flow hash; shown: the first", len(res.Nexthops)))
	}
	w.step(st)
}

// routeInput is the input routing decision: ip_route_input_slow
// (net/ipv4/route.c) for IPv4, ip6_route_input (net/ipv6/route.c) for
// IPv6. It reports whether the packet is for the host and the route.
func (w *walk) routeInput(in string) (rib.Result, bool, bool) {
	p := w.pkt
	if !w.v6() {
		if why := martian4(p.Src, p.Dst, in, w.h.isLoopback(in)); why != "" {
			w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "martian packet", Detail: []string{why}})
			w.end(trace.DeniedIn, "IP_INVALID_SOURCE", why)
			return rib.Result{}, false, false
		}
	}
	fl := w.flowOf(in)
	if w.v6() && (p.Dst.IsLinkLocalUnicast() || p.Dst.IsMulticast()) {
		// rt6_need_strict: link-local and multicast destinations only
		// route via the input interface (RT6_LOOKUP_F_IFACE).
		fl.OIF, fl.StrictOIF = in, true
	}
	res := w.h.FIB.Lookup(fl)
	fwd, fwdKnown, fwdKey := w.forwarding(in)
	if res.Err != rib.OK {
		w.routingStep("input route lookup", fl, res, "no route")
		w.noRoute(res, fwd, fwdKey, in)
		return res, false, false
	}
	switch res.Type {
	case model.RouteLocal, model.RouteBroadcast, model.RouteAnycast, model.RouteMulticast:
		if res.Type == model.RouteAnycast && !w.v6() {
			break
		}
		w.routingStep("input route lookup", fl, res, "local")
		if !w.v6() && !w.validateSource4(in, "", res) {
			return res, false, false
		}
		return res, true, true
	}
	w.routingStep("input route lookup", fl, res, "forward via "+res.Dev())
	if res.Type != model.RouteUnicast {
		why := fmt.Sprintf("a %s route is not forwarded (martian destination)", res.Type)
		w.end(trace.DeniedIn, "IP_INVALID_DEST", why)
		return res, false, false
	}
	if !fwdKnown {
		w.unknown = append(w.unknown, fmt.Sprintf("%s unknown (no sysctl.txt): forwarding assumed enabled", fwdKey))
	}
	if !fwd {
		w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "forwarding disabled", Detail: []string{fmt.Sprintf("%s = 0", fwdKey)}})
		if w.v6() {
			// ip6_forward (net/ipv6/ip6_output.c) drops when
			// forwarding is off, counted as InAddrErrors.
			w.end(trace.DeniedIn, "IP_INADDRERRORS", fmt.Sprintf("IPv6 forwarding is disabled (%s = 0)", fwdKey))
		} else {
			// ip_route_input_slow: !IN_DEV_FORWARD -> -EHOSTUNREACH,
			// ip_error drops it without an ICMP error.
			w.end(trace.NoRoute, "IP_INADDRERRORS", fmt.Sprintf("forwarding is disabled on %s (%s = 0)", in, fwdKey))
		}
		w.fix = append(w.fix, "sysctl -w "+fwdKey+"=1")
		return res, false, false
	}
	if !w.v6() && !w.validateSource4(in, res.Dev(), res) {
		return res, false, false
	}
	return res, false, true
}

// forwarding reads the forwarding switch that decides: IPv4 the input
// device's net.ipv4.conf.<in>.forwarding (IN_DEV_FORWARD); IPv6 the
// global net.ipv6.conf.all.forwarding (ip6_forward), or the device's
// force_forwarding where the kernel has it.
func (w *walk) forwarding(in string) (on, known bool, key string) {
	if w.v6() {
		key = "net.ipv6.conf.all.forwarding"
		v, ok := w.h.sysctlInt(key, 1)
		if v == 0 {
			if f, ok2 := w.h.sysctlInt(confKey("ipv6", in, "force_forwarding"), 0); ok2 && f != 0 {
				return true, true, confKey("ipv6", in, "force_forwarding")
			}
		}
		return v != 0, ok, key
	}
	key = confKey("ipv4", in, "forwarding")
	v, ok := w.h.sysctlInt(key, 1)
	return v != 0, ok, key
}

func (w *walk) noRoute(res rib.Result, fwd bool, fwdKey, in string) {
	what := "no route to " + w.pkt.Dst.String()
	if res.Route != nil {
		what = fmt.Sprintf("route %s", rib.RouteString(res.Route))
	} else if res.Rule != nil {
		what = "rule " + rib.RuleString(res.Rule)
	}
	if w.v6() {
		// The dst of a reject route decides (ip6_rt_init_dst_reject,
		// net/ipv6/route.c): blackhole is dst_discard, freed with no
		// reason; prohibit is ip6_pkt_prohibit, unreachable, throw and
		// no route (ip6_null_entry) are ip6_pkt_discard: both call
		// ip6_pkt_drop, which sends an ICMPv6 error and drops with
		// IP_INNOROUTES. Rule actions use the same entries
		// (fib6_rule_action: ip6_blk_hole_entry, ip6_prohibit_entry,
		// ip6_null_entry).
		switch res.Err {
		case rib.EINVAL:
			w.end(trace.NullRouted, "NOT_SPECIFIED", what+": blackhole, dropped silently")
		case rib.EACCES:
			w.end(trace.NoRoute, "IP_INNOROUTES", what+": prohibit, ICMPv6 administratively prohibited sent")
		case rib.EHOSTUNREACH:
			w.end(trace.NoRoute, "IP_INNOROUTES", what+": unreachable, ICMPv6 no route sent")
		default:
			w.end(trace.NoRoute, "IP_INNOROUTES", what+": ICMPv6 no route sent")
			w.fix = append(w.fix, fmt.Sprintf("%s route add %s via <gateway> dev <interface>", ipCmd(true), hostPrefix(w.pkt.Dst)))
		}
		return
	}
	if !fwd {
		// ip_route_input_slow (net/ipv4/route.c): a failed lookup on a
		// device that does not forward becomes -EHOSTUNREACH, and
		// ip_error drops it without an ICMP error as IP_INADDRERRORS,
		// whatever the route or rule said.
		d := trace.NoRoute
		if res.Err == rib.EINVAL {
			d = trace.NullRouted
		}
		w.end(d, "IP_INADDRERRORS", fmt.Sprintf("%s; forwarding is disabled on %s (%s = 0), so it is dropped without an ICMP error", what, in, fwdKey))
		return
	}
	// ip_error (net/ipv4/route.c) by the lookup's error: blackhole
	// (-EINVAL) silently, unreachable (-EHOSTUNREACH) and prohibit
	// (-EACCES) with an ICMP error and no drop reason, no route or an
	// unreachable rule (-ENETUNREACH) with ICMP net unreachable and
	// IP_INNOROUTES.
	switch res.Err {
	case rib.EINVAL:
		w.end(trace.NullRouted, "NOT_SPECIFIED", what+": blackhole, dropped silently")
	case rib.EACCES:
		w.end(trace.NoRoute, "NOT_SPECIFIED", what+": prohibit, ICMP administratively prohibited sent")
	case rib.EHOSTUNREACH:
		w.end(trace.NoRoute, "NOT_SPECIFIED", what+": unreachable, ICMP host unreachable sent")
	default:
		w.end(trace.NoRoute, "IP_INNOROUTES", what+": ICMP network unreachable sent")
		w.fix = append(w.fix, fmt.Sprintf("%s route add %s via <gateway> dev <interface>", ipCmd(false), hostPrefix(w.pkt.Dst)))
	}
}

// martian4 is the source/destination screening at the top of
// ip_route_input_slow (net/ipv4/route.c).
func martian4(src, dst netip.Addr, in string, inLoopback bool) string {
	switch {
	case src.IsMulticast() || src == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Sprintf("martian source %s (multicast or broadcast source)", src)
	case dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || (src.IsUnspecified() && dst.IsUnspecified()):
		return ""
	case inNet(src, "0.0.0.0/8"):
		return fmt.Sprintf("martian source %s (0.0.0.0/8)", src)
	case inNet(dst, "0.0.0.0/8"):
		return fmt.Sprintf("martian destination %s (0.0.0.0/8)", dst)
	case !inLoopback && (src.IsLoopback() || dst.IsLoopback()):
		return fmt.Sprintf("martian: 127.0.0.0/8 address on %s (route_localnet is off)", in)
	}
	return ""
}

func ipCmd(v6 bool) string {
	if v6 {
		return "ip -6"
	}
	return "ip"
}

// hostPrefix returns the /64 (IPv6) or /32 (IPv4) around a.
func hostPrefix(a netip.Addr) netip.Prefix {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p
	}
	return netip.PrefixFrom(a, 32)
}
