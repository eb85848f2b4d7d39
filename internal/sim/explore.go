package sim

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
)

// maxRuns bounds the exploration of undecidable matches.
const maxRuns = 32

// Trace walks req through the host. Rules whose matches cannot be decided
// from the snapshot (statistic, ipset, unmodelled matches) are taken as
// not matching on the main path; every other combination met on the way
// is walked too and reported as an alternative outcome.
func (h *Host) Trace(req Request) (trace.Trace, error) {
	o, err := h.TraceOutcome(req)
	return o.Trace, err
}

// Outcome is Trace's answer with what the next device needs: the packet
// as it left (after NAT), the neighbour it was sent to, and the NAT the
// host set up for the connection (for the reply).
type Outcome struct {
	Trace trace.Trace
	// Out is the packet as it left or was delivered.
	Out packet.Packet
	// NextHop is the gateway or on-link destination the packet was sent
	// to; invalid unless it left.
	NextHop netip.Addr
	// NAT are the rewrites the connection got on this host, in order.
	NAT []netfilter.Rewrite
	// Tracked is true when the host tracked the connection (conntrack
	// was running and the packet was not untracked).
	Tracked bool
	// NATDone are the manip types whose nat chains ran ("dst", "src").
	NATDone []string
}

// TraceOutcome is Trace with the Outcome of the main path.
func (h *Host) TraceOutcome(req Request) (Outcome, error) {
	if err := h.Validate(req); err != nil {
		return Outcome{}, err
	}
	var runs []*walk
	var assumptions [][]string
	// assumed[i] are the rules taken as matching in run i.
	var assumed []map[*netfilter.Rule]bool
	var explore func(choices map[*netfilter.Rule]bool, assume []string)
	explore = func(choices map[*netfilter.Rule]bool, assume []string) {
		if len(runs) >= maxRuns {
			return
		}
		w := h.walkOnce(req, choices)
		runs = append(runs, w)
		assumptions = append(assumptions, assume)
		yes := map[*netfilter.Rule]bool{}
		for r, v := range choices {
			if v {
				yes[r] = true
			}
		}
		assumed = append(assumed, yes)
		for i, b := range w.branches {
			nc := make(map[*netfilter.Rule]bool, len(choices)+i+1)
			for k, v := range choices {
				nc[k] = v
			}
			na := append([]string(nil), assume...)
			for _, prev := range w.branches[:i] {
				nc[prev] = false
				na = append(na, fmt.Sprintf("%s does not match", prev.Ref()))
			}
			nc[b] = true
			na = append(na, fmt.Sprintf("%s matches: %s", b.Ref(), b.Text))
			explore(nc, na)
		}
	}
	explore(map[*netfilter.Rule]bool{}, nil)
	t := runs[0].result
	primary := string(t.Disposition) + t.Reason
	for i, w := range runs[1:] {
		if string(w.result.Disposition)+w.result.Reason == primary {
			continue
		}
		t.Alternatives = append(t.Alternatives, trace.Alternative{Assume: assumptions[i+1], Disposition: w.result.Disposition, DropReason: w.result.DropReason, Reason: w.result.Reason})
	}
	if len(runs) >= maxRuns {
		t.Unknown = append(t.Unknown, fmt.Sprintf("more than %d combinations of undecidable matches: alternatives cut short", maxRuns))
	}
	t.Unknown = append(t.Unknown, undecided(runs, assumed)...)
	w := runs[0]
	var done []string
	for _, m := range []string{"dst", "src"} {
		if w.natDone[m] {
			done = append(done, m)
		}
	}
	return Outcome{Trace: t, Out: w.pkt, NextHop: w.env.nextHop, NAT: w.nat, NATDone: done, Tracked: w.ct.Tracked && !w.ct.Untracked}, nil
}

// walkOnce walks req with the given choices and fills w.result.
func (h *Host) walkOnce(req Request, choices map[*netfilter.Rule]bool) *walk {
	w := newWalk(h, req, choices)
	tool := map[bool]string{false: "iptables-save", true: "ip6tables-save"}[w.v6()]
	nftRead := h.Dev.Known("nftables")
	said := false
	if h.ruleset(w.v6()) == nil && !h.nftLoaded(w.v6()) {
		said = true
		if nftRead {
			// nft.json lists every nf_tables table, iptables-nft's
			// included: none of this family means none is loaded.
			w.unknown = append(w.unknown, fmt.Sprintf("nft.json has no table of this family and there is no %s: no nf_tables rules apply (rules of iptables-legacy, if any, unknown)", tool))
		} else {
			w.unknown = append(w.unknown, fmt.Sprintf("no %s nor nft.json in the snapshot: netfilter rules unknown, none assumed", tool))
		}
	}
	if xt := h.ruleset(w.v6()); xt != nil && !nftRead {
		for _, tn := range []string{"raw", "mangle", "nat", "filter", "security"} {
			if t := xt.Table(tn); t != nil && t.Incompatible {
				w.unknown = append(w.unknown, fmt.Sprintf("%s could not show table %s (incompatible nftables chains) and there is no nft.json: that table's chains are unknown", tool, tn))
			}
		}
	}
	for _, m := range missingInputs(h.Dev, w.v6()) {
		if said && strings.HasSuffix(m, "tables unknown") {
			continue // said above
		}
		if nftRead && strings.HasSuffix(m, "tables unknown") {
			// nft.json has every nf_tables table, iptables-nft's too.
			m = strings.TrimSuffix(m, "unknown") + "rules of iptables-legacy unknown (nft.json has the nf_tables ones)"
		}
		w.unknown = append(w.unknown, m)
	}
	if req.Local {
		w.runOutput()
	} else {
		w.runInput()
	}
	w.noteDeviceChains("ingress", req.In)
	w.noteDeviceChains("egress", w.hop.OutInterface)
	r := &w.result
	r.Packet = PacketJSON(req.Pkt)
	out := PacketJSON(w.pkt)
	r.PacketOut = &out
	r.Hops = []trace.Hop{w.hop}
	r.Fix = w.fix
	r.Unreached = w.unfiredLogs()
	r.Unknown = append(r.Unknown, w.unknown...)
	return w
}

// PacketJSON is the JSON form of a packet in answers.
func PacketJSON(p packet.Packet) trace.Packet {
	out := trace.Packet{Family: "ipv4", Src: p.Src.String(), Dst: p.Dst.String(), Proto: packet.ProtoName(p.Proto, p.Is6())}
	if p.Is6() {
		out.Family = "ipv6"
	}
	if p.HasPorts() {
		out.SPort, out.DPort = int(p.SPort), int(p.DPort)
	}
	if p.IsICMP() {
		t, c := int(p.ICMPType), int(p.ICMPCode)
		out.ICMPType, out.ICMPCode = &t, &c
	}
	if p.Proto == packet.ProtoTCP && p.TCPFlags != 0 {
		out.TCPFlags = packet.TCPFlagsString(p.TCPFlags)
	}
	if p.Mark != 0 {
		out.Mark = fmt.Sprintf("0x%x", p.Mark)
	}
	return out
}

// undecided names every rule whose matches the snapshot cannot decide, and
// whether taking it as matching changes the outcome.
func undecided(runs []*walk, assumed []map[*netfilter.Rule]bool) []string {
	primary := string(runs[0].result.Disposition) + runs[0].result.Reason
	var order []*netfilter.Rule
	changes := map[*netfilter.Rule]bool{}
	seen := map[*netfilter.Rule]bool{}
	for i, w := range runs {
		for _, b := range w.branches {
			if !seen[b] {
				seen[b] = true
				order = append(order, b)
			}
		}
		if string(w.result.Disposition)+w.result.Reason != primary {
			for r := range assumed[i] {
				changes[r] = true
			}
		}
	}
	var out []string
	for _, r := range order {
		effect := "taking it as matching does not change the outcome"
		if changes[r] {
			effect = "it can change the outcome: see the alternatives"
		}
		out = append(out, fmt.Sprintf("%s (%s, %s) cannot be decided from the snapshot; %s", r.Ref(), r.Text, r.Pos, effect))
	}
	return out
}
