package sim

import (
	"fmt"
	"strings"

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
	// nat collects the NAT rewrites of the walk in order.
	nat       []netfilter.Rewrite
	tiesNoted map[string]bool
	// mtu is the MTU the forwarding check used (0 when none).
	mtu int

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
	if user == nil && !w.h.conntrackOn(w.v6()) {
		// No rule needs conntrack: its hooks are not registered
		// (conntrackUser); the packet gets no entry and nat chains
		// are not run.
		w.ctOff = true
		w.step(trace.Step{Kind: trace.KindConntrack, Hook: hook.String(), Verdict: "not running",
			Detail: []string{"no rule of this family uses conntrack (NAT, -m conntrack/state/connmark, CONNMARK, CT other than --notrack; nft ct expressions, nat statements), so the kernel does not track connections here: the packet has no conntrack entry and the nat chains are not run"}})
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

// verdictAt is a netfilter verdict that ended the packet: DROP, REJECT
// or QUEUE, the rule (nil for a policy) and its base chain.
type verdictAt struct {
	v     netfilter.VerdictKind
	by    *netfilter.Rule
	chain *baseChain
	// stopped is set when the walk ended inside the hook for another
	// reason (a re-route after OUTPUT found no route).
	stopped bool
}

// runHook runs every function registered on hook for the packet's family
// in the kernel's order (h.timeline) and returns nil unless one dropped
// the packet. ACCEPT ends only the current base chain (nf_hook_slow goes
// on with the next hook function); DROP and REJECT end the packet.
func (w *walk) runHook(hook netfilter.Hook, in, out string) *verdictAt {
	return w.runHookFn(hook, in, func() string { return out }, nil)
}

// runHookFn is runHook with the output device read before each chain and
// reroute called after a chain that routes the packet again (a route
// chain or mangle OUTPUT that changed it, the nat hook after DNAT);
// reroute returns false when the walk ended.
func (w *walk) runHookFn(hook netfilter.Hook, in string, out func() string, reroute func(why string) bool) *verdictAt {
	tl := w.h.timeline(w.v6(), hook)
	w.noteTies(tl)
	for _, f := range tl.fns {
		before := w.pkt
		switch {
		case f.conntrack:
			w.attachConntrack(hook)
			continue
		case f.natHook:
			if d := w.runNAT(hook, f.nat, in, out()); d != nil {
				return d
			}
			if reroute != nil && rerouteNeeded(before, w.pkt, false) {
				if !reroute("the nat hook changed the destination") {
					return &verdictAt{stopped: true}
				}
			}
		default:
			if d := w.runChain(hook, f.chain, in, out()); d != nil {
				return d
			}
			if reroute != nil && f.chain.route && rerouteNeeded(before, w.pkt, true) {
				if !reroute(f.chain.String() + " changed the packet") {
					return &verdictAt{stopped: true}
				}
			}
		}
	}
	return nil
}

// runNAT is the nat hook (nf_nat_inet_fn): for the first packet of a
// tracked connection it runs the nat chains in order until one sets up
// the mapping for this manip type; later nat chains are skipped. With no
// mapping the connection gets a null binding, and the chains do not run
// again for it.
func (w *walk) runNAT(hook netfilter.Hook, chains []*baseChain, in, out string) *verdictAt {
	if w.req.Reply != nil && w.ct.Tracked && w.ct.State&netfilter.CtNew == 0 {
		w.replyNAT(hook)
		return nil
	}
	if !w.natAllowed(hook) {
		return nil
	}
	if w.req.Again != nil && w.againNAT(hook) {
		return nil
	}
	defer func() { w.natDone[natManip(hook)] = true }()
	for i, bc := range chains {
		n := len(w.nat)
		if d := w.runChain(hook, bc, in, out); d != nil {
			return d
		}
		if len(w.nat) > n {
			if i+1 < len(chains) {
				var rest []string
				for _, c := range chains[i+1:] {
					rest = append(rest, c.String())
				}
				w.step(trace.Step{Kind: trace.KindNAT, Hook: hook.String(), Verdict: "mapped",
					Detail: []string{fmt.Sprintf("the mapping is set up: the nat hook skips the later nat chains (%s)", strings.Join(rest, ", "))}})
			}
			return nil
		}
	}
	return nil
}

// againNAT handles the nat hook for a packet on its second pass through
// the host: when the first pass initialised this manip type, the chains
// are skipped and the mapping applies again (nf_nat_packet). It reports
// whether it handled the hook.
func (w *walk) againNAT(hook netfilter.Hook) bool {
	m := natManip(hook)
	done := false
	for _, d := range w.req.Again.Done {
		done = done || d == m
	}
	if !done {
		return false
	}
	w.natDone[m] = true
	before := w.pkt
	for _, rw := range w.req.Again.NAT {
		b, a := rw.Before, rw.After
		dst := b.Dst != a.Dst || b.DPort != a.DPort
		if (m == "dst") != dst || w.pkt.Src != b.Src || w.pkt.Dst != b.Dst || w.pkt.SPort != b.SPort || w.pkt.DPort != b.DPort {
			continue
		}
		w.pkt.Src, w.pkt.Dst, w.pkt.SPort, w.pkt.DPort = a.Src, a.Dst, a.SPort, a.DPort
	}
	d := []string{fmt.Sprintf("the packet came back with the addresses and ports of its first pass: the same conntrack entry, whose %s NAT is already set up, so the nat chains do not run again (nf_nat_inet_fn)", m)}
	if w.pkt != before {
		d = append(d, fmt.Sprintf("the first pass's mapping applies: %s becomes %s", before, w.pkt))
	}
	w.step(trace.Step{Kind: trace.KindNAT, Hook: hook.String(), Verdict: "already set up", Detail: d})
	return true
}

// replyNAT undoes the connection's NAT on a reply packet, as
// nf_nat_packet does for the reply direction at the nat hook: the manip
// types swap (statusbit ^= IPS_NAT_MASK), so a source NAT of the request
// rewrites the reply's destination back on PREROUTING/OUTPUT, and a
// destination NAT of the request rewrites the reply's source back on
// POSTROUTING/INPUT.
func (w *walk) replyNAT(hook netfilter.Hook) {
	dst := natManip(hook) == "dst"
	for _, rw := range w.req.Reply {
		b, a := rw.Before, rw.After
		before := w.pkt
		switch {
		case dst && (b.Src != a.Src || b.SPort != a.SPort) && w.pkt.Dst == a.Src && (!w.pkt.HasPorts() || w.pkt.DPort == a.SPort):
			w.pkt.Dst = b.Src
			if w.pkt.HasPorts() {
				w.pkt.DPort = b.SPort
			}
		case !dst && (b.Dst != a.Dst || b.DPort != a.DPort) && w.pkt.Src == a.Dst && (!w.pkt.HasPorts() || w.pkt.SPort == a.DPort):
			w.pkt.Src = b.Dst
			if w.pkt.HasPorts() {
				w.pkt.SPort = b.DPort
			}
		default:
			continue
		}
		st := trace.Step{Kind: trace.KindNAT, Hook: hook.String(), Verdict: "reply " + rw.Kind + " undone",
			Detail: []string{fmt.Sprintf("the connection's %s: the reply %s becomes %s", rw.Kind, before, w.pkt)}}
		if rw.Rule != nil {
			st.Table, st.Chain, st.Rule, st.Text, st.Source, st.Handle = rw.Rule.Table, rw.Rule.Chain, rw.Rule.Num, rw.Rule.Text, rw.Rule.Pos.String(), rw.Rule.Handle
		}
		w.step(st)
	}
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
		if w.req.Reply != nil {
			return false // the connection's NAT is known: see replyNAT
		}
		if !w.natNoted {
			w.natNoted = true
			w.unknown = append(w.unknown, fmt.Sprintf("the packet is %s: nat chains are not traversed; any NAT of the existing connection is not in the snapshot", w.ct.State))
		}
		return false
	}
	return !w.natDone[natManip(hook)]
}

func (w *walk) netfilterStep(hook netfilter.Hook, s netfilter.Step, bc *baseChain) trace.Step {
	st := trace.Step{Kind: trace.KindNetfilter, Hook: hook.String(), Table: s.Table, Chain: s.Chain,
		Verdict: verdictText(s.Verdict), Assumed: s.Maybe, Detail: s.Details}
	if bc.nft() {
		st.Family = bc.table.NFT.Family.String()
	}
	if s.NoMatch {
		st.Kind = trace.KindRPFilter
		if s.Partial {
			st.Kind = trace.KindPartial
		}
		st.Verdict = "no match"
		st.Rule, st.Text, st.Source, st.Handle = s.Rule.Num, s.Rule.Text, s.Rule.Pos.String(), s.Rule.Handle
		return st
	}
	if s.Policy {
		st.Policy = true
		if c := bc.table.Chains[s.Chain]; c != nil {
			st.Text = policyText(bc, c, s.Verdict.Kind)
			st.Source = c.Pos.String()
		}
		return st
	}
	st.Rule = s.Rule.Num
	st.Text = s.Rule.Text
	st.Source = s.Rule.Pos.String()
	st.Handle = s.Rule.Handle
	return st
}

// policyText prints a chain's policy as its tool does: ":INPUT DROP" for
// iptables, the chain header for nft.
func policyText(bc *baseChain, c *netfilter.Chain, v netfilter.VerdictKind) string {
	if !bc.nft() || c.NFT == nil {
		return fmt.Sprintf(":%s %s", c.Name, v)
	}
	return fmt.Sprintf("chain %s { type %s hook %s priority %s; policy %s; }", c.Name, c.NFT.Type, c.NFT.HookName,
		netfilter.NFTPriorityName(bc.table.NFT.Family, c.NFT.HookName, c.NFT.Priority), strings.ToLower(v.String()))
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

func (w *walk) recordNAT(hook netfilter.Hook, rw netfilter.Rewrite, bc *baseChain) {
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
		st.Table, st.Chain, st.Rule, st.Text, st.Source, st.Handle = rw.Rule.Table, rw.Rule.Chain, rw.Rule.Num, rw.Rule.Text, rw.Rule.Pos.String(), rw.Rule.Handle
		if bc.nft() {
			st.Family = bc.table.NFT.Family.String()
		}
	}
	w.step(st)
}

// unfiredLogs lists the LOG/NFLOG rules of the family that did not fire.
func (w *walk) unfiredLogs() []trace.RuleRef {
	var out []trace.RuleRef
	for _, l := range w.h.logRules(w.v6()) {
		if r := l.r; !w.fired[r] {
			out = append(out, trace.RuleRef{Family: l.family, Table: r.Table, Chain: r.Chain, Rule: r.Num, Handle: r.Handle, Text: r.Text, Source: r.Pos.String()})
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
