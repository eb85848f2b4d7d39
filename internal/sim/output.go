package sim

import (
	"strings"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/rib"
	"farend/internal/trace"
)

// runOutput walks a packet the host sends itself: the output route is
// chosen first (ip_route_output_key: iif lo), then OUTPUT and POSTROUTING.
// A change of mark, addresses or TOS in mangle OUTPUT, or of the
// destination by DNAT in nat OUTPUT, routes the packet again
// (ipt_mangle_out / nf_nat_ipv4_local_fn -> ip_route_me_harder). A packet
// to a local address loops back through lo and is delivered.
func (w *walk) runOutput() {
	res, ok := w.routeOutput()
	if !ok {
		return
	}
	reroute := func(why string) bool {
		w.step(trace.Step{Kind: trace.KindRouting, Text: why + ": routed again (ip_route_me_harder)"})
		res, ok = w.routeOutput()
		return ok
	}
	if d := w.runHookFn(netfilter.Output, "", func() string { return res.Dev() }, reroute); d != nil {
		if !d.stopped {
			w.denied(netfilter.Output, d)
		}
		return
	}
	if res.Type == model.RouteLocal || res.Type == model.RouteBroadcast {
		if d := w.runHook(netfilter.Postrouting, "", "lo"); d != nil {
			w.denied(netfilter.Postrouting, d)
			return
		}
		w.step(trace.Step{Kind: trace.KindRouting, Text: "looped back through lo", Detail: []string{"the destination is local: the packet re-enters on lo"}})
		w.hop.InInterface = "lo"
		if d := w.runHook(netfilter.Prerouting, "lo", ""); d != nil {
			w.denied(netfilter.Prerouting, d)
			return
		}
		w.deliverLocal("lo")
		return
	}
	w.leave(res)
}

// runChain runs one base chain for hook and returns nil unless it
// dropped, rejected or queued the packet.
func (w *walk) runChain(hook netfilter.Hook, bc *baseChain, in, out string) *verdictAt {
	c := &netfilter.Ctx{Pkt: w.pkt, Family: w.family(), Hook: hook, In: in, Out: out, Ct: w.ct, Env: w.env, Choices: w.choices, LinkType: w.linkType, Backend: backendOf(bc.rs)}
	o := bc.table.Run(c, bc.chain.Name)
	w.branches = append(w.branches, c.Branches...)
	w.unknown = append(w.unknown, o.Uncertain...)
	for _, s := range o.Steps {
		if s.NoMatch && !s.Partial && !strings.Contains(s.Rule.Text, "-m rpfilter") && !strings.Contains(s.Rule.Text, "fib ") {
			continue // only reverse-path checks and partly run rules are worth showing unmatched
		}
		w.step(w.netfilterStep(hook, s, bc))
		if s.Rule != nil {
			w.fired[s.Rule] = true
		}
	}
	w.pkt, w.ct = c.Pkt, c.Ct
	for _, rw := range c.NAT {
		w.nat = append(w.nat, rw)
		w.recordNAT(hook, rw, bc)
	}
	switch o.Verdict {
	case netfilter.Drop, netfilter.Reject, netfilter.Queue:
		return &verdictAt{v: o.Verdict, by: o.By, chain: bc}
	}
	return nil
}

// rerouteNeeded: what makes the kernel route a local packet again after
// a chain. mangle OUTPUT and nft route chains compare addresses, mark and
// TOS (ipt_mangle_out, nf_route_table_hook4); for IPv6 also the hop limit
// and the first word of the header with the traffic class
// (ip6t_mangle_out, nf_route_table_hook6). The nat hook compares the
// destination (nf_nat_ipv4_local_fn).
func rerouteNeeded(a, b packet.Packet, mangle bool) bool {
	if mangle {
		return a.Src != b.Src || a.Dst != b.Dst || a.Mark != b.Mark || a.TOS != b.TOS || (a.Is6() && a.TTL != b.TTL)
	}
	return a.Dst != b.Dst
}

func (w *walk) routeOutput() (rib.Result, bool) {
	fl := w.flowOf("lo")
	res := w.h.FIB.Lookup(fl)
	if res.Err != rib.OK {
		w.routingStep("output route lookup", fl, res, "no route")
		w.noRoute(res, true, "", "")
		if w.result.DropReason == "IP_INNOROUTES" {
			w.result.DropReason = "IP_OUTNOROUTES"
		}
		return res, false
	}
	verdict := "out " + res.Dev()
	if res.Type == model.RouteLocal {
		verdict = "local"
	}
	w.routingStep("output route lookup", fl, res, verdict)
	if res.Type != model.RouteLocal && res.Type != model.RouteBroadcast && len(res.Nexthops) == 0 {
		w.end(trace.NoRoute, "IP_OUTNOROUTES", "the route has no nexthop")
		return res, false
	}
	return res, true
}
