package sim

import (
	"fmt"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
)

// walk is one pass of one packet through one host.
type walk struct {
	h   *Host
	env *env
	req Request
	pkt packet.Packet
	ct  netfilter.Conntrack
	// natDone records the NAT manip types already set up for the
	// connection ("dst", "src"): nat chains run once per manip type per
	// connection (nf_nat_inet_fn checks nf_nat_initialized).
	natDone map[string]bool

	// ctOff is set when conntrack is not running for the family (no
	// rule needs it): the packet never gets an entry.
	ctOff bool
	// linkType is the link-layer type the packet arrived with
	// (skb->pkt_type); nil for a packet the host sends.
	linkType *netfilter.PktType

	choices  map[*netfilter.Rule]bool
	branches []*netfilter.Rule
	fired    map[*netfilter.Rule]bool
	natNoted bool

	hop     trace.Hop
	unknown []string
	result  trace.Trace
	// fix is filled by the step that decided the outcome.
	fix []string
}

func newWalk(h *Host, req Request, choices map[*netfilter.Rule]bool) *walk {
	w := &walk{h: h, env: &env{h: h}, req: req, pkt: req.Pkt, natDone: map[string]bool{}, choices: choices, fired: map[*netfilter.Rule]bool{}}
	if w.pkt.TTL == 0 {
		w.pkt.TTL = 64
	}
	w.hop = trace.Hop{Node: h.Dev.Name, InInterface: req.In}
	return w
}

func (w *walk) v6() bool { return w.pkt.Is6() }

func (w *walk) family() netfilter.Family {
	if w.v6() {
		return netfilter.IPv6
	}
	return netfilter.IPv4
}

func (w *walk) step(s trace.Step) { w.hop.Steps = append(w.hop.Steps, s) }

// attachConntrack is the conntrack hook at priority -200 on PREROUTING and
// OUTPUT (nf_conntrack_in): it attaches an entry unless the packet was
// marked untracked in the raw table.
func (w *walk) attachConntrack(hook netfilter.Hook) {
	if w.ct.Tracked || w.ct.Untracked || w.ctOff {
		return
	}
	user := w.h.ctUser4
	if w.v6() {
		user = w.h.ctUser6
	}
	if user == nil && w.h.ruleset(w.v6()) != nil {
		// No rule needs conntrack: its hooks are not registered
		// (conntrackUser); the packet gets no entry and nat chains
		// are not run.
		w.ctOff = true
		w.step(trace.Step{Kind: trace.KindConntrack, Hook: hook.String(), Verdict: "not running",
			Detail: []string{"no rule of this family uses conntrack (NAT, -m conntrack/state/connmark, CONNMARK, CT other than --notrack), so the kernel does not track connections here: the packet has no conntrack entry and the nat chains are not run"}})
		return
	}
	st := w.req.CtState
	if st == 0 {
		st = netfilter.CtNew
	}
	w.ct.Tracked = true
	w.ct.State = st
	w.step(trace.Step{Kind: trace.KindConntrack, Hook: hook.String(), Verdict: st.String(),
		Detail: []string{fmt.Sprintf("conntrack (priority -200) attaches an entry: state %s", st)}})
}

// runHook runs every table registered on hook in priority order and
// returns the final verdict: Accept unless some table dropped the packet.
// ACCEPT ends only the current table's base chain (nf_hook_slow goes on
// with the next hook function); DROP and REJECT end the packet.
func (w *walk) runHook(hook netfilter.Hook, in, out string) (netfilter.VerdictKind, *netfilter.Rule, string) {
	rs := w.h.ruleset(w.v6())
	conntrackHook := hook == netfilter.Prerouting || hook == netfilter.Output
	for _, ht := range tablesOn(hook, backendOf(rs)) {
		if conntrackHook && ht.priority > conntrackPriority {
			w.attachConntrack(hook)
		}
		if rs == nil {
			continue
		}
		t := rs.Table(ht.table)
		if t == nil || t.Chains[hook.String()] == nil {
			continue
		}
		if ht.table == "nat" && !w.natAllowed(hook) {
			continue
		}
		if v, by, table := w.runTable(hook, t, in, out); v != netfilter.Accept {
			return v, by, table
		}
	}
	if conntrackHook {
		w.attachConntrack(hook)
	}
	return netfilter.Accept, nil, ""
}

// backendOf is the ruleset's backend ("" when there is no ruleset).
func backendOf(rs *netfilter.Ruleset) string {
	if rs == nil {
		return ""
	}
	return rs.Backend
}

// natManip is the NAT manipulation a hook's nat chain sets up: DNAT on
// PREROUTING and OUTPUT, SNAT on INPUT and POSTROUTING
// (nf_nat_core.c HOOK2MANIP).
func natManip(h netfilter.Hook) string {
	if h == netfilter.Prerouting || h == netfilter.Output {
		return "dst"
	}
	return "src"
}

// natAllowed: the nat table sees only the first packet of a tracked
// connection, once per manip type (nf_nat_inet_fn: untracked packets and
// established connections skip the rules).
func (w *walk) natAllowed(hook netfilter.Hook) bool {
	if w.ct.Untracked || !w.ct.Tracked {
		return false
	}
	if w.ct.State&netfilter.CtNew == 0 {
		if !w.natNoted {
			w.natNoted = true
			w.unknown = append(w.unknown, fmt.Sprintf("the packet is %s: nat chains are not traversed; any NAT of the existing connection is not in the snapshot", w.ct.State))
		}
		return false
	}
	return !w.natDone[natManip(hook)]
}

func (w *walk) netfilterStep(hook netfilter.Hook, s netfilter.Step, rs *netfilter.Ruleset) trace.Step {
	st := trace.Step{Kind: trace.KindNetfilter, Hook: hook.String(), Table: s.Table, Chain: s.Chain,
		Verdict: verdictText(s.Verdict), Assumed: s.Maybe, Detail: s.Details}
	if s.NoMatch {
		st.Kind = trace.KindRPFilter
		st.Verdict = "no match"
		st.Rule, st.Text, st.Source = s.Rule.Num, s.Rule.Text, s.Rule.Pos.String()
		return st
	}
	if s.Policy {
		st.Policy = true
		if c := rs.Table(s.Table).Chains[s.Chain]; c != nil {
			st.Text = fmt.Sprintf(":%s %s", c.Name, s.Verdict.Kind)
			st.Source = c.Pos.String()
		}
		return st
	}
	st.Rule = s.Rule.Num
	st.Text = s.Rule.Text
	st.Source = s.Rule.Pos.String()
	return st
}

func verdictText(v netfilter.Verdict) string {
	switch v.Kind {
	case netfilter.Jump:
		return "jump " + v.Chain
	case netfilter.Goto:
		return "goto " + v.Chain
	case netfilter.VerdictNone:
		return "continue"
	}
	return v.Kind.String()
}

func (w *walk) recordNAT(hook netfilter.Hook, rw netfilter.Rewrite, rs *netfilter.Ruleset) {
	if rw.Before.Dst != rw.After.Dst || rw.Before.DPort != rw.After.DPort {
		w.ct.State |= netfilter.CtDNAT
	}
	if rw.Before.Src != rw.After.Src || rw.Before.SPort != rw.After.SPort {
		w.ct.State |= netfilter.CtSNAT
	}
	d := []string{fmt.Sprintf("%s rewrites %s to %s", rw.Kind, rw.Before, rw.After)}
	if rw.Ambiguous && rw.Explain != "" {
		d = append(d, rw.Explain)
	}
	st := trace.Step{Kind: trace.KindNAT, Hook: hook.String(), Verdict: rw.Kind, Detail: d}
	if rw.Rule != nil {
		st.Table, st.Chain, st.Rule, st.Text, st.Source = rw.Rule.Table, rw.Rule.Chain, rw.Rule.Num, rw.Rule.Text, rw.Rule.Pos.String()
	}
	w.step(st)
}

// unfiredLogs lists the LOG/NFLOG rules of the family that did not fire.
func (w *walk) unfiredLogs() []trace.RuleRef {
	var out []trace.RuleRef
	for _, r := range w.h.logRules(w.v6()) {
		if !w.fired[r] {
			out = append(out, trace.RuleRef{Table: r.Table, Chain: r.Chain, Rule: r.Num, Text: r.Text, Source: r.Pos.String()})
		}
	}
	return out
}

// missingInputs says which inputs of the device were missing.
func missingInputs(d *model.Device, v6 bool) []string {
	var out []string
	for _, in := range d.Inputs {
		if in.Present && in.Err == "" {
			continue
		}
		if v6 && (in.What == "routes4" || in.What == "rules4" || in.What == "iptables") {
			continue
		}
		if !v6 && (in.What == "routes6" || in.What == "rules6" || in.What == "ip6tables") {
			continue
		}
		if in.Err != "" {
			out = append(out, fmt.Sprintf("%s: could not be read (%s): %s unknown", in.File, in.Err, in.What))
		} else {
			out = append(out, fmt.Sprintf("%s is missing: %s unknown", in.File, in.What))
		}
	}
	return out
}
