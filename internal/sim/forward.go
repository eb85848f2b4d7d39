package sim

import (
	"fmt"

	"farend/internal/netfilter"
	"farend/internal/rib"
	"farend/internal/trace"
)

// deliverLocal runs the INPUT hook and ends as ACCEPTED.
func (w *walk) deliverLocal(in string) {
	if d := w.runHook(netfilter.Input, in, ""); d != nil {
		w.denied(netfilter.Input, d)
		return
	}
	w.end(trace.Accepted, "", fmt.Sprintf("delivered to %s itself (destination %s is local)", w.h.Dev.Name, w.pkt.Dst))
}

// forward is ip_forward / ip6_forward: the hop limit check and decrement,
// then FORWARD, then POSTROUTING on the egress device.
func (w *walk) forward(in string, res rib.Result) {
	if w.linkType != nil && *w.linkType != netfilter.PktHost {
		// ip_forward / ip6_forward: `if (skb->pkt_type != PACKET_HOST)
		// goto drop;` — a broadcast or multicast frame is never
		// forwarded, even when DNAT made its destination unicast.
		why := fmt.Sprintf("the packet arrived in a %s frame: only frames sent to this host (PACKET_HOST) are forwarded", *w.linkType)
		w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "not forwarded", Detail: []string{why}})
		w.end(trace.DeniedIn, "NOT_SPECIFIED", why)
		return
	}
	if w.pkt.TTL <= 1 {
		w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "hop limit exceeded", Detail: []string{fmt.Sprintf("TTL/hop limit %d: time exceeded sent", w.pkt.TTL)}})
		w.end(trace.DeniedIn, "IP_INHDR", "TTL/hop limit expired in transit")
		return
	}
	if w.tooBig(res) {
		return
	}
	// ip_forward decrements the TTL before the FORWARD hook
	// (ip_decrease_ttl); ip6_forward does the same with hop_limit.
	w.pkt.TTL--
	out := res.Dev()
	if d := w.runHook(netfilter.Forward, in, out); d != nil {
		w.denied(netfilter.Forward, d)
		return
	}
	w.leave(res)
}

// leave runs POSTROUTING on the egress device and ends the walk there.
func (w *walk) leave(res rib.Result) {
	out := res.Dev()
	if len(res.Nexthops) == 0 {
		w.end(trace.NoRoute, "IP_INNOROUTES", "the route has no usable nexthop")
		return
	}
	nh := res.Nexthops[0]
	w.env.nextHop = nh.Gateway
	if !nh.Gateway.IsValid() {
		w.env.nextHop = w.pkt.Dst
	}
	// ip_output / ip6_output pass skb->dev as the hook's input device
	// before setting it to the output device: for a forwarded packet
	// POSTROUTING sees the input interface (-i matches there, in user
	// chains); for a packet the host sends there is none.
	if d := w.runHook(netfilter.Postrouting, w.req.In, out); d != nil {
		w.denied(netfilter.Postrouting, d)
		return
	}
	w.result.OutInterface = out
	w.hop.OutInterface = out
	if nh.Gateway.IsValid() {
		w.result.NextHop = nh.Gateway.String()
		w.end(trace.ExitsNetwork, "", fmt.Sprintf("forwarded out %s via gateway %s", out, nh.Gateway))
		return
	}
	w.result.NextHop = w.pkt.Dst.String()
	w.end(trace.DeliveredToSubnet, "", fmt.Sprintf("sent out %s to %s, on-link there", out, w.pkt.Dst))
}

// tooBig is the MTU check of ip_forward / ip6_forward, before the FORWARD
// hook: the MTU is the route's mtu metric, else the output device's
// (ip_dst_mtu_maybe_forward, ip6_dst_mtu_maybe_forward; IPv6 never below
// 1280). An IPv4 packet larger than it with DF set is dropped with ICMP
// fragmentation needed (ip_exceeds_mtu); without DF it is fragmented and
// goes on. An IPv6 packet larger than it is dropped with ICMPv6 packet
// too big (ip6_pkt_too_big). Drop reason PKT_TOO_BIG.
func (w *walk) tooBig(res rib.Result) bool {
	mtu, from := 0, ""
	if res.Route != nil && res.Route.MTU > 0 {
		mtu, from = res.Route.MTU, "the route's mtu"
	} else if itf := w.h.Dev.Interface(res.Dev()); itf != nil && itf.MTU > 0 {
		mtu, from = itf.MTU, "the MTU of "+itf.Name
	}
	if mtu == 0 {
		return false
	}
	if w.v6() && mtu < 1280 {
		mtu = 1280
	}
	w.mtu = mtu
	if int(w.pkt.Length) <= mtu {
		return false
	}
	if !w.v6() && !w.pkt.DF {
		w.step(trace.Step{Kind: trace.KindCheck, Verdict: "fragmented", Text: fmt.Sprintf("%d bytes > %d (%s)", w.pkt.Length, mtu, from),
			Detail: []string{"DF is not set: the kernel fragments the packet (ip_do_fragment) and forwards the fragments; farend follows the first"}})
		return false
	}
	icmp := fmt.Sprintf("ICMP fragmentation needed (type 3 code 4, mtu %d) goes back to %s", mtu, w.pkt.Src)
	if w.v6() {
		icmp = fmt.Sprintf("ICMPv6 packet too big (type 2, mtu %d) goes back to %s", mtu, w.pkt.Src)
	}
	why := fmt.Sprintf("the packet (%d bytes) is larger than %s (%d) and may not be fragmented", w.pkt.Length, from, mtu)
	w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "packet too big", Detail: []string{why, icmp}})
	w.end(trace.DeniedOut, "PKT_TOO_BIG", why+": "+icmp)
	w.fix = append(w.fix, fmt.Sprintf("# the sender should use packets of at most %d bytes (path MTU discovery needs that ICMP to reach it), or clamp TCP: %s -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", mtu, w.iptablesCmd()))
	return true
}
