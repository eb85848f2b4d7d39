package kerneltest

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/trace"
)

// Compare compares what the kernel did (obs) with what farend says
// (`farend trace --json` output for the same packet on the same host) and
// returns "" when they agree, else both sides side by side with the
// differences marked "!".
//
// What is compared:
//   - disposition: delivered <-> ACCEPTED; left on a link <->
//     DELIVERED_TO_SUBNET or EXITS_NETWORK; dropped <-> DENIED_*, NO_ROUTE
//     or NULL_ROUTED;
//   - the out interface, when the kernel forwarded the packet;
//   - the next hop and the drop reason, when both sides name one;
//   - the ordered (table, chain, rule number or policy) of every matched
//     rule and applied policy: the kernel's trace against farend's
//     hops[0].steps of kind "netfilter" (steps with neither a rule number
//     nor policy, such as returns, are left out). A farend step of a
//     native nft rule names its family (ip, ip6, inet), which must be
//     the kernel's too; one of an iptables-save rule has none, and stands
//     for the kernel's step in the iptables-nft table of that name, whose
//     family is ip or ip6 (stepsSame). Handles are not compared: a
//     snapshot captured elsewhere (an example) numbers the same rules
//     differently, and the rule number already names the rule;
//   - the final verdict: the last accept or drop on each side (REJECT is
//     drop, DNAT/SNAT/MASQUERADE/REDIRECT are accept);
//   - the packet as it left or was delivered (addresses, ports): farend's
//     packet_out, or its packet when it has no packet_out.
func Compare(obs Observation, farendJSON []byte) (diff string) {
	var tr trace.Trace
	if err := json.Unmarshal(farendJSON, &tr); err != nil {
		return fmt.Sprintf("farend JSON does not parse: %v\n%s", err, obs)
	}
	var rows []row
	add := func(field, k, f string, same bool) {
		rows = append(rows, row{field, k, f, !same})
	}

	// Disposition.
	fd := string(tr.Disposition)
	switch obs.Fate {
	case FateDelivered:
		add("disposition", "delivered", fd, tr.Disposition == trace.Accepted)
	case FateForwarded:
		add("disposition", "left on "+obs.OutInterface, fd,
			tr.Disposition == trace.DeliveredToSubnet || tr.Disposition == trace.ExitsNetwork)
	case FateDropped:
		add("disposition", "dropped", fd, isDenied(tr.Disposition))
	default:
		add("disposition", "unknown", fd, false)
	}

	// Out interface.
	fout := tr.OutInterface
	if fout == "" && len(tr.Hops) > 0 {
		fout = tr.Hops[0].OutInterface
	}
	if obs.Fate == FateForwarded {
		add("out interface", obs.OutInterface, fout, obs.OutInterface == fout)
	} else if fout != "" || obs.OutInterface != "" {
		add("out interface", obs.OutInterface, fout, true)
	}

	// Next hop and drop reason, when both know.
	if obs.NextHop.IsValid() && tr.NextHop != "" {
		fnh, err := netip.ParseAddr(tr.NextHop)
		add("next hop", obs.NextHop.String(), tr.NextHop, err == nil && fnh == obs.NextHop)
	}
	if obs.Fate == FateDropped && (obs.DropReason != "" || tr.DropReason != "") {
		same := obs.DropReason == "" || tr.DropReason == "" || obs.DropReason == tr.DropReason
		add("drop reason", obs.DropReason, tr.DropReason, same)
	}

	// Final verdict.
	var fsteps []trace.Step
	if len(tr.Hops) > 0 {
		for _, s := range tr.Hops[0].Steps {
			// The harness's own nft table (in the snapshot's nft.json)
			// is not the host's: leave it out, as the kernel side does.
			if s.Kind == trace.KindNetfilter && (s.Rule != 0 || s.Policy) && s.Table != traceTableName {
				fsteps = append(fsteps, s)
			}
		}
	}
	ffinal := ""
	for _, s := range fsteps {
		if v := NormalizeVerdict(s.Verdict); v == "accept" || v == "drop" || v == "queue" || v == "stolen" {
			ffinal = v
		}
	}
	add("final verdict", obs.FinalVerdict, ffinal, obs.FinalVerdict == ffinal)

	// Packet out.
	if obs.PacketOut != nil {
		fp := tr.PacketOut
		if fp == nil {
			fp = &tr.Packet
		}
		k := fmt.Sprintf("%s %s", netip.AddrPortFrom(obs.PacketOut.Src, portIf(obs.PacketOut.HasPorts(), obs.PacketOut.SPort)),
			netip.AddrPortFrom(obs.PacketOut.Dst, portIf(obs.PacketOut.HasPorts(), obs.PacketOut.DPort)))
		same := addrEq(fp.Src, obs.PacketOut.Src) && addrEq(fp.Dst, obs.PacketOut.Dst)
		if obs.PacketOut.HasPorts() {
			same = same && fp.SPort == int(obs.PacketOut.SPort) && fp.DPort == int(obs.PacketOut.DPort)
		}
		add("packet out", k, fmt.Sprintf("%s:%d %s:%d", fp.Src, fp.SPort, fp.Dst, fp.DPort), same)
	}

	// Matched rules, in order.
	n := len(obs.Steps)
	if len(fsteps) > n {
		n = len(fsteps)
	}
	stepsDiffer := false
	for i := 0; i < n; i++ {
		var k, f string
		same := i < len(obs.Steps) && i < len(fsteps)
		if i < len(obs.Steps) {
			s := obs.Steps[i]
			// The family is left out where farend shows an iptables
			// rule (or nothing) and the kernel's could be its
			// iptables-nft table's.
			fam := s.Family
			if (fam == "ip" || fam == "ip6") && (i >= len(fsteps) || fsteps[i].Family == "") {
				fam = ""
			}
			k = familyStepKey(fam, s.Table, s.Chain, s.Rule, s.Policy) + " " + s.Verdict
		}
		if i < len(fsteps) {
			s := fsteps[i]
			f = familyStepKey(s.Family, s.Table, s.Chain, s.Rule, s.Policy) + " " + s.Verdict
		}
		if same {
			same = stepsSame(obs.Steps[i], fsteps[i])
		}
		if !same {
			stepsDiffer = true
		}
		add(fmt.Sprintf("step %d", i+1), k, f, same)
	}

	differ := stepsDiffer
	for _, r := range rows {
		differ = differ || r.differ
	}
	if !differ {
		return ""
	}
	return formatRows(fmt.Sprintf("%s in %s on %s", obs.Packet, obs.Host, obs.In), rows)
}

type row struct {
	field, kernel, farend string
	differ                bool
}

func formatRows(title string, rows []row) string {
	w1, w2 := len("field"), len("kernel")
	for _, r := range rows {
		w1 = max(w1, len(r.field))
		w2 = max(w2, len(r.kernel))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kernel and farend differ: %s\n", title)
	fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", w1, "field", w2, "kernel", "farend")
	for _, r := range rows {
		mark := " "
		if r.differ {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %-*s  %-*s  %s\n", mark, w1, r.field, w2, r.kernel, r.farend)
	}
	return b.String()
}

// stepsSame reports whether the kernel's step a and farend's step b name
// the same rule or policy: the same table, chain and rule number (or
// policy) and, for a native nft step of farend's (Family set), the same
// family (ip filter and inet filter are different tables). A farend step
// without a family is an iptables-save rule: the kernel runs it in the
// iptables-nft table of the same name, of family ip (iptables) or ip6
// (ip6tables).
func stepsSame(a Step, b trace.Step) bool {
	if a.Table != b.Table || a.Chain != b.Chain || a.Rule != b.Rule || a.Policy != b.Policy {
		return false
	}
	if b.Family == "" {
		return a.Family == "ip" || a.Family == "ip6"
	}
	return a.Family == b.Family
}

func stepKey(table, chain string, rule int, policy bool) string {
	return familyStepKey("", table, chain, rule, policy)
}

// familyStepKey is stepKey with the nft family before the table.
func familyStepKey(family, table, chain string, rule int, policy bool) string {
	if family != "" {
		table = family + " " + table
	}
	if policy {
		return fmt.Sprintf("%s %s policy", table, chain)
	}
	return fmt.Sprintf("%s %s %d", table, chain, rule)
}

func isDenied(d trace.Disposition) bool {
	return strings.HasPrefix(string(d), "DENIED_") || d == trace.NoRoute || d == trace.NullRouted
}

func portIf(ok bool, p uint16) uint16 {
	if ok {
		return p
	}
	return 0
}

func addrEq(s string, a netip.Addr) bool {
	b, err := netip.ParseAddr(s)
	return err == nil && b.Unmap() == a.Unmap()
}

// NormalizeVerdict maps a verdict as iptables or farend names it to nft's
// word for what the kernel reports: accept, drop, continue, return,
// queue, "jump X", "goto X".
func NormalizeVerdict(v string) string {
	v = strings.TrimSpace(v)
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	switch strings.ToUpper(f[0]) {
	case "ACCEPT", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP":
		return "accept"
	case "DROP", "REJECT":
		return "drop"
	case "RETURN":
		return "return"
	case "QUEUE", "NFQUEUE":
		return "queue"
	case "CONTINUE", "LOG", "NFLOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "CLASSIFY",
		"TCPMSS", "DSCP", "TOS", "TTL", "HL", "SET", "AUDIT", "CHECKSUM":
		return "continue"
	case "JUMP", "GOTO":
		if len(f) > 1 {
			return strings.ToLower(f[0]) + " " + f[1]
		}
		return strings.ToLower(f[0])
	}
	return strings.ToLower(v)
}
