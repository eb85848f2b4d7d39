package sim

import (
	"fmt"

	"farend/internal/netfilter"
	"farend/internal/rib"
	"farend/internal/trace"
)

// deliverLocal runs the INPUT hook and ends as ACCEPTED.
func (w *walk) deliverLocal(in string) {
	if v, by, table := w.runHook(netfilter.Input, in, ""); v != netfilter.Accept {
		w.denied(netfilter.Input, v, by, table)
		return
	}
	w.end(trace.Accepted, "", fmt.Sprintf("delivered to %s itself (destination %s is local)", w.h.Dev.Name, w.pkt.Dst))
}

// forward is ip_forward / ip6_forward: the hop limit check and decrement,
// then FORWARD, then POSTROUTING on the egress device.
func (w *walk) forward(in string, res rib.Result) {
	if w.pkt.TTL <= 1 {
		w.step(trace.Step{Kind: trace.KindCheck, Verdict: "DROP", Text: "hop limit exceeded", Detail: []string{fmt.Sprintf("TTL/hop limit %d: time exceeded sent", w.pkt.TTL)}})
		w.end(trace.DeniedIn, "IP_INHDR", "TTL/hop limit expired in transit")
		return
	}
	// ip_forward decrements the TTL before the FORWARD hook
	// (ip_decrease_ttl); ip6_forward does the same with hop_limit.
	w.pkt.TTL--
	out := res.Dev()
	if v, by, table := w.runHook(netfilter.Forward, in, out); v != netfilter.Accept {
		w.denied(netfilter.Forward, v, by, table)
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
	if v, by, table := w.runHook(netfilter.Postrouting, "", out); v != netfilter.Accept {
		w.denied(netfilter.Postrouting, v, by, table)
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
