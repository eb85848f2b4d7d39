package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/network"
	"farend/internal/packet"
	"farend/internal/snapshot"
	"farend/internal/topology"
	"farend/internal/trace"
)

// FarendNetworkTrace asks farend about p arriving on interface in of
// host from, across all the hosts of snapshot snap: what `farend trace
// SNAP --from FROM:IN ... --json` prints, computed in this process
// (snapshot.Load, topology.Build, network.New(...).Trace). A zero TTL is
// 64 and a zero length the injected frame's, as Inject sends them.
func FarendNetworkTrace(snap, from, in string, p packet.Packet) (trace.Trace, error) {
	s, err := snapshot.Load(snap)
	if err != nil {
		return trace.Trace{}, err
	}
	if p.TTL == 0 {
		p.TTL = 64
	}
	if p.Length == 0 {
		p.Length = ipLength(p)
	}
	n := network.New(s.Devices, topology.Build(s))
	return n.Trace(network.Request{From: from, In: in, Pkt: p})
}

// FarendNetworkArgs are the arguments of the `farend trace` command that
// asks what FarendNetworkTrace computes.
func FarendNetworkArgs(snap, from, in string, p packet.Packet) []string {
	args := FarendArgs(snap, from, in, p)
	out := []string{"trace", snap, "--from", from + ":" + in}
	for i := 2; i < len(args); i++ {
		if args[i] == "--node" || args[i] == "--in" {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// hopKey names a hop as "host:in".
func hopKey(node, in string) string { return node + ":" + in }

// farendSteps are the netfilter steps of a farend hop that the kernel's
// trace reports (a rule number or a policy; the harness's own table left
// out).
func farendSteps(h trace.Hop) []trace.Step {
	var out []trace.Step
	for _, s := range h.Steps {
		if s.Kind == trace.KindNetfilter && (s.Rule != 0 || s.Policy) && s.Table != traceTableName {
			out = append(out, s)
		}
	}
	return out
}

func finalOf(steps []trace.Step) string {
	f := ""
	for _, s := range steps {
		if v := NormalizeVerdict(s.Verdict); v == "accept" || v == "drop" || v == "queue" || v == "stolen" {
			f = v
		}
	}
	return f
}

// CompareMulti compares what the kernels of a chain did with a packet
// (obs) with farend's trace across the snapshot's devices (tr), and
// returns "" when they agree, else both sides side by side with the
// differences marked "!".
//
// What is compared:
//   - the hops, as (host, in interface), in order. A packet the kernel
//     sent round a loop is compared up to farend's LOOP: farend stops
//     when the packet would enter a host a second time unchanged, so the
//     kernel's first hops must be farend's, the next one must be one of
//     them again, and the kernel must have seen the loop (the packet
//     entered a host twice unchanged; it then goes round until its TTL
//     runs out, and conntrack makes later rounds skip the nat chains,
//     so they are not compared);
//   - each compared hop's matched rules and policies in order (table,
//     chain, rule number or policy), as Compare does for one host;
//   - the fate: delivered <-> ACCEPTED on the same host; left on an edge
//     link <-> DELIVERED_TO_SUBNET or EXITS_NETWORK on the same host
//     and interface; a next hop unresolved on a link to another host <->
//     NEIGHBOR_UNREACHABLE there; unresolved on an edge link (no
//     permanent neighbour entry for it: the snapshot does not know who
//     is out there) <-> DELIVERED_TO_SUBNET or EXITS_NETWORK there; a
//     loop <-> LOOP; dropped <-> DENIED_*, NO_ROUTE or NULL_ROUTED on the
//     same host;
//   - the next hop, the drop reason and the final verdict of the last
//     hop, when both sides name one;
//   - the packet as it left or was delivered (addresses and ports).
func CompareMulti(obs MultiObservation, tr trace.Trace) string {
	var rows []row
	add := func(field, k, f string, same bool) { rows = append(rows, row{field, k, f, !same}) }
	differ := false

	// Hops.
	var khops, fhops []string
	for _, v := range obs.Visits {
		khops = append(khops, hopKey(v.Host, v.In))
	}
	for _, h := range tr.Hops {
		fhops = append(fhops, hopKey(h.Node, h.InInterface))
	}
	n := len(fhops) // hops compared one by one
	loop := tr.Disposition == trace.Loop
	var same bool
	if loop {
		same = obs.Looped && len(khops) > len(fhops) && strings.Join(khops[:len(fhops)], " ") == strings.Join(fhops, " ")
		if same {
			again := false
			for _, f := range fhops {
				again = again || f == khops[len(fhops)]
			}
			same = again
		}
		shown := khops
		if len(shown) > len(fhops)+1 {
			shown = append(append([]string{}, khops[:len(fhops)+1]...), fmt.Sprintf("... (%d hops)", len(khops)))
		}
		add("hops", strings.Join(shown, " "), strings.Join(fhops, " ")+" (loop)", same)
	} else {
		same = strings.Join(khops, " ") == strings.Join(fhops, " ")
		shown := khops
		if len(shown) > 12 {
			shown = append(append([]string{}, khops[:12]...), fmt.Sprintf("... (%d hops)", len(khops)))
		}
		add("hops", strings.Join(shown, " "), strings.Join(fhops, " "), same)
	}
	n = min(n, len(khops))

	// Fate.
	fd := string(tr.Disposition)
	lastNode := ""
	if len(tr.Hops) > 0 {
		lastNode = tr.Hops[len(tr.Hops)-1].Node
	}
	leaves := tr.Disposition == trace.DeliveredToSubnet || tr.Disposition == trace.ExitsNetwork
	switch {
	case obs.Looped && obs.Fate != MultiDelivered && obs.Fate != MultiLeft:
		add("fate", fmt.Sprintf("loop (%s on %s after %d hops)", obs.Fate, obs.Host, len(obs.Visits)), fd, loop)
	case obs.Fate == MultiDelivered:
		add("fate", "delivered to "+obs.Host, fd+" on "+lastNode, tr.Disposition == trace.Accepted && lastNode == obs.Host)
	case obs.Fate == MultiLeft:
		add("fate", fmt.Sprintf("left %s by %s", obs.Host, obs.OutInterface), fmt.Sprintf("%s on %s out %s", fd, lastNode, tr.OutInterface),
			leaves && lastNode == obs.Host && tr.OutInterface == obs.OutInterface)
	case obs.Fate == MultiUnresolved && obs.Edge:
		add("fate", fmt.Sprintf("sent out %s of %s (edge) to %s, unresolved", obs.OutInterface, obs.Host, obs.NextHop), fmt.Sprintf("%s on %s out %s", fd, lastNode, tr.OutInterface),
			leaves && lastNode == obs.Host && tr.OutInterface == obs.OutInterface)
	case obs.Fate == MultiUnresolved:
		add("fate", fmt.Sprintf("sent out %s of %s to %s, unresolved", obs.OutInterface, obs.Host, obs.NextHop), fmt.Sprintf("%s on %s out %s", fd, lastNode, tr.OutInterface),
			tr.Disposition == trace.NeighborUnreachable && lastNode == obs.Host && tr.OutInterface == obs.OutInterface)
	default:
		add("fate", "dropped on "+obs.Host, fd+" on "+lastNode, isDenied(tr.Disposition) && lastNode == obs.Host)
	}

	// Next hop and drop reason, when both know.
	if obs.NextHop.IsValid() && tr.NextHop != "" && (obs.Fate == MultiLeft || obs.Fate == MultiUnresolved) {
		fnh, err := netip.ParseAddr(tr.NextHop)
		add("next hop", obs.NextHop.String(), tr.NextHop, err == nil && fnh == obs.NextHop)
	}
	if obs.Fate == MultiDropped && !obs.Looped && (obs.DropReason != "" || tr.DropReason != "") {
		same := obs.DropReason == "" || tr.DropReason == "" || obs.DropReason == tr.DropReason
		add("drop reason", obs.DropReason, tr.DropReason, same)
	}

	// Matched rules, hop by hop.
	for i := 0; i < max(n, 0); i++ {
		v := obs.Visits[i]
		fs := farendSteps(tr.Hops[i])
		m := max(len(v.Steps), len(fs))
		for j := 0; j < m; j++ {
			var k, f string
			same := j < len(v.Steps) && j < len(fs)
			if j < len(v.Steps) {
				s := v.Steps[j]
				k = stepKey(s.Table, s.Chain, s.Rule, s.Policy) + " " + s.Verdict
			}
			if j < len(fs) {
				s := fs[j]
				f = stepKey(s.Table, s.Chain, s.Rule, s.Policy) + " " + NormalizeVerdict(s.Verdict)
			}
			if same {
				a, b := v.Steps[j], fs[j]
				same = a.Table == b.Table && a.Chain == b.Chain && a.Rule == b.Rule && a.Policy == b.Policy
			}
			add(fmt.Sprintf("%s step %d", hopKey(v.Host, v.In), j+1), k, f, same)
		}
	}

	// Final verdict of the last hop, when the paths end on the same hop.
	if !loop && len(khops) == len(fhops) && n > 0 {
		kf := obs.Visits[n-1].FinalVerdict
		ff := finalOf(farendSteps(tr.Hops[n-1]))
		add("final verdict", kf, ff, kf == ff)
	}

	// Packet out.
	if obs.PacketOut != nil && (obs.Fate == MultiDelivered || obs.Fate == MultiLeft) {
		fp := tr.PacketOut
		if fp == nil {
			fp = &tr.Packet
		}
		po := obs.PacketOut
		k := fmt.Sprintf("%s %s", netip.AddrPortFrom(po.Src, portIf(po.HasPorts(), po.SPort)), netip.AddrPortFrom(po.Dst, portIf(po.HasPorts(), po.DPort)))
		same := addrEq(fp.Src, po.Src) && addrEq(fp.Dst, po.Dst)
		if po.HasPorts() {
			same = same && fp.SPort == int(po.SPort) && fp.DPort == int(po.DPort)
		}
		add("packet out", k, fmt.Sprintf("%s:%d %s:%d", fp.Src, fp.SPort, fp.Dst, fp.DPort), same)
	}

	for _, r := range rows {
		differ = differ || r.differ
	}
	if !differ {
		return ""
	}
	return formatRows(fmt.Sprintf("%s in on %s:%s", obs.Packet, firstHost(obs), obs.In), rows)
}

func firstHost(obs MultiObservation) string {
	if len(obs.Visits) > 0 {
		return obs.Visits[0].Host
	}
	return "?"
}
