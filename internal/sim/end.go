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
	fw := bc.table.Name == "firewalld" && bc.table.NFT.Family == netfilter.Inet
	if strings.Contains(by.Text, "fib saddr") {
		w.fix = append(w.fix, w.returnRouteFix(w.req.In)...)
		if fw {
			w.fix = append(w.fix, "# firewalld writes this rule (IPv6_rpfilter in /etc/firewalld/firewalld.conf) and rewrites table inet firewalld on reload: change the setting there, not the rule")
			return
		}
		if l := loosenFib(by.Text); l != by.Text {
			w.fix = append(w.fix, fmt.Sprintf("nft replace rule %s handle %d %s   # or make the reverse-path check loose", chain, by.Handle, l))
		}
		return
	}
	if fw {
		w.fix = append(w.fix, w.firewalldFix(by.Chain)...)
		return
	}
	w.fix = append(w.fix, fmt.Sprintf("nft insert rule %s position %d %s accept   # let this flow through before the rule that %s it", chain, by.Handle, w.nftMatchOf(), verb))
}

// firewalldFix: firewalld rewrites its table on every reload, so a rule
// inserted with nft is lost; the change belongs in firewalld. Its chains
// are named after the zone: filter_IN_<zone>... for what the host
// receives, filter_FWD_<zone>... for what it forwards (firewalld's
// nftables backend; zone names have no underscore-separated suffix
// farend could confuse with _allow, _deny, _log, _pre, _post).
func (w *walk) firewalldFix(chain string) []string {
	zone := ""
	for _, pre := range []string{"filter_IN_", "filter_FWD_"} {
		if z, ok := strings.CutPrefix(chain, pre); ok {
			for _, suf := range []string{"_allow", "_deny", "_log", "_pre", "_post"} {
				z = strings.TrimSuffix(z, suf)
			}
			zone = z
			if pre == "filter_FWD_" {
				return []string{fmt.Sprintf("# firewalld (>= 0.9) forwards from zone %s only through a policy: firewall-cmd --permanent --new-policy NAME && firewall-cmd --permanent --policy NAME --add-ingress-zone %s --add-egress-zone ZONE-OF-THE-OUT-INTERFACE --set-target ACCEPT && firewall-cmd --reload", zone, zone)}
			}
		}
	}
	if zone == "" || strings.HasPrefix(zone, "policy") {
		return []string{"# firewalld rewrites table inet firewalld on reload: allow this flow with firewall-cmd (a zone's service/port or a policy), not with nft"}
	}
	p := w.req.Pkt
	if p.HasPorts() && p.DPort != 0 {
		return []string{fmt.Sprintf("firewall-cmd --permanent --zone=%s --add-port=%d/%s && firewall-cmd --reload   # firewalld rewrites its table on reload: nft rules added by hand are lost", zone, p.DPort, packet.ProtoName(p.Proto, w.v6()))}
	}
	return []string{fmt.Sprintf("# allow it in firewalld's zone %s (firewall-cmd --zone=%s --add-service/--add-port/--add-rich-rule), not with nft: firewalld rewrites its table on reload", zone, zone)}
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
