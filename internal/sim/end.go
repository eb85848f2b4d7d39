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
func (w *walk) denied(hook netfilter.Hook, d *verdictAt) {
	disp := trace.DeniedIn
	if hook == netfilter.Output || hook == netfilter.Postrouting {
		disp = trace.DeniedOut
	}
	verb := "dropped"
	switch d.v {
	case netfilter.Reject:
		verb = "rejected"
	case netfilter.Queue:
		verb = "queued to user space (fate unknown)"
	}
	if d.chain.nft() {
		w.deniedNFT(hook, d, disp, verb)
		return
	}
	by, table := d.by, d.chain.table.Name
	if by == nil {
		w.end(disp, "NETFILTER_DROP", fmt.Sprintf("%s by the policy of %s %s", verb, table, hook))
		w.fix = append(w.fix, fmt.Sprintf("%s -t %s -A %s %s -j ACCEPT", w.iptablesCmd(), table, hook, w.matchOf()))
		return
	}
	w.end(disp, "NETFILTER_DROP", fmt.Sprintf("%s in %s %s by rule %d of chain %s: %s", verb, table, hook, by.Num, by.Chain, by.Text))
	if strings.Contains(by.Text, "-m rpfilter") {
		w.fix = append(w.fix, w.returnRouteFix(w.req.In)...)
		w.fix = append(w.fix, fmt.Sprintf("%s -t %s -R %s %d %s   # or make the reverse-path check loose", w.iptablesCmd(), by.Table, by.Chain, by.Num, loosen(by.Text)))
		return
	}
	w.fix = append(w.fix, fmt.Sprintf("%s -t %s -I %s %d %s -j ACCEPT   # let this flow through before the rule that %s it", w.iptablesCmd(), by.Table, by.Chain, by.Num, w.matchOf(), verb))
}

// deniedNFT is denied for a native nft base chain: the verdict names
// family, table, chain and the rule's handle; fixes are nft commands
// (`nft insert rule ... position H` inserts before the rule with handle
// H; `nft replace rule ... handle H` replaces it: nft(8) RULES).
func (w *walk) deniedNFT(hook netfilter.Hook, d *verdictAt, disp trace.Disposition, verb string) {
	bc := d.chain
	where := fmt.Sprintf("%s %s %s", bc.table.NFT.Family, bc.table.Name, d.chain.chain.Name)
	hookDesc := fmt.Sprintf("hook %s priority %s", bc.chain.NFT.HookName, netfilter.NFTPriorityName(bc.table.NFT.Family, bc.chain.NFT.HookName, bc.prio))
	by := d.by
	if by == nil {
		w.end(disp, "NETFILTER_DROP", fmt.Sprintf("%s by the policy of chain %s (%s)", verb, where, hookDesc))
		w.fix = append(w.fix, fmt.Sprintf("nft add rule %s %s accept", where, w.nftMatchOf()))
		return
	}
	chain := where
	if by.Chain != bc.chain.Name {
		chain = fmt.Sprintf("%s %s %s", bc.table.NFT.Family, bc.table.Name, by.Chain)
	}
	w.end(disp, "NETFILTER_DROP", fmt.Sprintf("%s in %s (%s) by rule %d (handle %d) of chain %s: %s", verb, where, hookDesc, by.Num, by.Handle, by.Chain, by.Text))
	if strings.Contains(by.Text, "fib saddr") {
		w.fix = append(w.fix, w.returnRouteFix(w.req.In)...)
		if l := loosenFib(by.Text); l != by.Text {
			w.fix = append(w.fix, fmt.Sprintf("nft replace rule %s handle %d %s   # or make the reverse-path check loose", chain, by.Handle, l))
		}
		return
	}
	w.fix = append(w.fix, fmt.Sprintf("nft insert rule %s position %d %s accept   # let this flow through before the rule that %s it", chain, by.Handle, w.nftMatchOf(), verb))
}

// loosenFib drops the input interface from a fib reverse-path check:
// `fib saddr . mark . iif oif missing drop` becomes `fib saddr . mark oif
// missing drop`, which passes when any route back exists (firewalld's
// IPv6_rpfilter=loose writes the same).
func loosenFib(text string) string {
	s := strings.Replace(text, " . iif oif", " oif", 1)
	return strings.Replace(s, "fib saddr . iif . mark oif", "fib saddr . mark oif", 1)
}

// nftMatchOf prints nft matches that select the traced packet.
func (w *walk) nftMatchOf() string {
	p := w.req.Pkt
	var b strings.Builder
	if w.req.In != "" {
		fmt.Fprintf(&b, "iifname %q ", w.req.In)
	}
	ip := "ip"
	if w.v6() {
		ip = "ip6"
	}
	fmt.Fprintf(&b, "%s saddr %s %s daddr %s", ip, p.Src, ip, p.Dst)
	if p.Proto != 0 {
		name := packet.ProtoName(p.Proto, w.v6())
		if p.HasPorts() && p.DPort != 0 {
			fmt.Fprintf(&b, " %s dport %d", name, p.DPort)
		} else {
			fmt.Fprintf(&b, " meta l4proto %s", name)
		}
	}
	return b.String()
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
