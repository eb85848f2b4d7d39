package sim

import (
	"fmt"
	"strings"

	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
)

// end records the outcome of the walk (the first call wins).
func (w *walk) end(d trace.Disposition, dropReason, reason string) {
	if w.result.Disposition != trace.DispUnknown {
		return
	}
	w.result.Disposition = d
	w.result.DropReason = dropReason
	w.result.Reason = reason
}

// denied ends the walk after a netfilter DROP/REJECT/QUEUE on hook.
func (w *walk) denied(hook netfilter.Hook, v netfilter.VerdictKind, by *netfilter.Rule, table string) {
	d := trace.DeniedIn
	if hook == netfilter.Output || hook == netfilter.Postrouting {
		d = trace.DeniedOut
	}
	verb := "dropped"
	switch v {
	case netfilter.Reject:
		verb = "rejected"
	case netfilter.Queue:
		verb = "queued to user space (fate unknown)"
	}
	if by == nil {
		w.end(d, "NETFILTER_DROP", fmt.Sprintf("%s by the policy of %s %s", verb, table, hook))
		w.fix = append(w.fix, fmt.Sprintf("%s -t %s -A %s %s -j ACCEPT", w.iptablesCmd(), table, hook, w.matchOf()))
		return
	}
	w.end(d, "NETFILTER_DROP", fmt.Sprintf("%s in %s %s by rule %d of chain %s: %s", verb, table, hook, by.Num, by.Chain, by.Text))
	if strings.Contains(by.Text, "-m rpfilter") {
		w.fix = append(w.fix, w.returnRouteFix(w.req.In)...)
		w.fix = append(w.fix, fmt.Sprintf("%s -t %s -R %s %d %s   # or make the reverse-path check loose", w.iptablesCmd(), by.Table, by.Chain, by.Num, loosen(by.Text)))
		return
	}
	w.fix = append(w.fix, fmt.Sprintf("%s -t %s -I %s %d %s -j ACCEPT   # let this flow through before the rule that %s it", w.iptablesCmd(), by.Table, by.Chain, by.Num, w.matchOf(), verb))
}

func (w *walk) iptablesCmd() string {
	if w.v6() {
		return "ip6tables"
	}
	return "iptables"
}

// matchOf prints iptables options that select the traced packet.
func (w *walk) matchOf() string {
	p := w.req.Pkt
	var b strings.Builder
	if w.req.In != "" {
		fmt.Fprintf(&b, "-i %s ", w.req.In)
	}
	fmt.Fprintf(&b, "-s %s -d %s", p.Src, p.Dst)
	if p.Proto != 0 {
		fmt.Fprintf(&b, " -p %s", packet.ProtoName(p.Proto, w.v6()))
	}
	if p.HasPorts() && p.DPort != 0 {
		fmt.Fprintf(&b, " --dport %d", p.DPort)
	}
	return b.String()
}

// loosen turns an rpfilter rule's text into its --loose form for -R.
func loosen(text string) string {
	s := strings.TrimSpace(text)
	if i := strings.Index(s, " "); i > 0 && strings.HasPrefix(s, "-A ") {
		s = strings.TrimSpace(s[i+1:])
		if j := strings.Index(s, " "); j > 0 {
			s = s[j+1:]
		}
	}
	if strings.Contains(s, "--loose") {
		return s
	}
	return strings.Replace(s, "-m rpfilter", "-m rpfilter --loose", 1)
}
