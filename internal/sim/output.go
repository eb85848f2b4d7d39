package sim

import (
	"fmt"
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
	before := w.pkt
	rs := w.h.ruleset(w.v6())
	conntrackHook := true
	for _, ht := range tablesOn(netfilter.Output, backendOf(rs)) {
		if conntrackHook && ht.priority > conntrackPriority {
			w.attachConntrack(netfilter.Output)
		}
		if rs == nil {
			continue
		}
		t := rs.Table(ht.table)
		if t == nil || t.Chains["OUTPUT"] == nil || (ht.table == "nat" && !w.natAllowed(netfilter.Output)) {
			continue
		}
		v, by, table := w.runTable(netfilter.Output, t, "", res.Dev())
		if v != netfilter.Accept {
			w.denied(netfilter.Output, v, by, table)
			return
		}
		if (ht.table == "mangle" && rerouteNeeded(before, w.pkt, true)) || (ht.table == "nat" && rerouteNeeded(before, w.pkt, false)) {
			w.step(trace.Step{Kind: trace.KindRouting, Text: fmt.Sprintf("%s OUTPUT changed the packet: routed again (ip_route_me_harder)", ht.table)})
			if res, ok = w.routeOutput(); !ok {
				return
			}
			before = w.pkt
		}
	}
	w.attachConntrack(netfilter.Output)
	if res.Type == model.RouteLocal || res.Type == model.RouteBroadcast {
		if v, by, table := w.runHook(netfilter.Postrouting, "", "lo"); v != netfilter.Accept {
			w.denied(netfilter.Postrouting, v, by, table)
			return
		}
		w.step(trace.Step{Kind: trace.KindRouting, Text: "looped back through lo", Detail: []string{"the destination is local: the packet re-enters on lo"}})
		w.hop.InInterface = "lo"
		if v, by, table := w.runHook(netfilter.Prerouting, "lo", ""); v != netfilter.Accept {
			w.denied(netfilter.Prerouting, v, by, table)
			return
		}
		w.deliverLocal("lo")
		return
	}
	w.leave(res)
}

// runTable runs one table's base chain for hook, as runHook does for each.
func (w *walk) runTable(hook netfilter.Hook, t *netfilter.Table, in, out string) (netfilter.VerdictKind, *netfilter.Rule, string) {
	rs := w.h.ruleset(w.v6())
	c := &netfilter.Ctx{Pkt: w.pkt, Family: w.family(), Hook: hook, In: in, Out: out, Ct: w.ct, Env: w.env, Choices: w.choices, LinkType: w.linkType, Backend: backendOf(rs)}
	o := t.Run(c, hook.String())
	w.branches = append(w.branches, c.Branches...)
	w.unknown = append(w.unknown, o.Uncertain...)
	for _, s := range o.Steps {
		if s.NoMatch && !strings.Contains(s.Rule.Text, "-m rpfilter") {
			continue // only reverse-path checks are worth showing unmatched
		}
		w.step(w.netfilterStep(hook, s, rs))
		if s.Rule != nil {
			w.fired[s.Rule] = true
		}
	}
	if t.Name == "nat" {
		w.natDone[natManip(hook)] = true
	}
	w.pkt, w.ct = c.Pkt, c.Ct
	for _, rw := range c.NAT {
		w.recordNAT(hook, rw, rs)
	}
	switch o.Verdict {
	case netfilter.Drop, netfilter.Reject, netfilter.Queue:
		return o.Verdict, o.By, t.Name
	}
	return netfilter.Accept, nil, ""
}

func rerouteNeeded(a, b packet.Packet, mangle bool) bool {
	if mangle {
		return a.Src != b.Src || a.Dst != b.Dst || a.Mark != b.Mark || a.TOS != b.TOS
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
