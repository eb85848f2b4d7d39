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
