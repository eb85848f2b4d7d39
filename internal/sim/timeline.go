package sim

import (
	"fmt"
	"sort"
	"strings"

	"farend/internal/netfilter"
)

// baseChain is one base chain registered on a hook: the built-in chain of
// an iptables table (iptables-save) or an nft base chain (nft.json).
type baseChain struct {
	rs    *netfilter.Ruleset
	table *netfilter.Table
	chain *netfilter.Chain
	prio  int
	// nat is true for a chain run by the nat hook (iptables nat table,
	// nft type nat).
	nat bool
	// route is true when a change of the packet in the chain routes a
	// locally generated packet again: iptables mangle OUTPUT
	// (ipt_mangle_out, ip6t_mangle_out) and nft type route on output
	// (nft_chain_route.c nf_route_table_hook4/6).
	route bool
	// seq orders chains of equal priority: the kernel runs the one
	// registered last first (nf_hook_entries_grow inserts a new hook
	// before the first one of equal or higher priority). The
	// registration order is not in a snapshot; seq is the best guess:
	// tables by handle (handles count up per namespace), chains by handle
	// within the table.
	seq int
}

// nft reports whether the chain comes from nft.json.
func (b *baseChain) nft() bool { return b.rs != nil && b.rs.NFT }

// String names the chain as its tool does: "ip6tables raw PREROUTING",
// "inet firewalld filter_PREROUTING".
func (b *baseChain) String() string {
	if b.nft() {
		return fmt.Sprintf("%s %s %s", b.table.NFT.Family, b.table.Name, b.chain.Name)
	}
	tool := "iptables"
	if b.rs != nil && b.rs.Family == netfilter.IPv6 {
		tool = "ip6tables"
	}
	return fmt.Sprintf("%s %s %s", tool, b.table.Name, b.chain.Name)
}

// hookFn is one function on a hook, in the kernel's order: conntrack
// (priority -200 on PREROUTING and OUTPUT), a base chain, or the nat hook,
// which runs the nat chains of every table in their own priority order at
// the fixed NAT priority (net/netfilter/nf_nat_core.c nf_nat_register_fn
// registers nf_nat_ipv4_ops/nf_nat_ipv6_ops once and inserts each nat
// chain into its private list; nf_nat_inet_fn runs them until one sets up
// the mapping). A nat chain's own priority therefore orders it only among
// nat chains: `type nat hook prerouting priority 50` still runs at -100,
// before a filter chain at 0 (checked on the kernel with nft monitor
// trace).
type hookFn struct {
	prio      int
	conntrack bool
	// natHook is the nat hook, running the nat chains in nat (none on
	// a hook without nat chains: it still undoes NAT for replies).
	natHook bool
	chain   *baseChain
	nat     []*baseChain
}

// natPriority is the priority of the nat hook: NF_IP_PRI_NAT_DST (-100)
// on PREROUTING and OUTPUT, NF_IP_PRI_NAT_SRC (100) on INPUT and
// POSTROUTING (nf_nat_proto.c nf_nat_ipv4_ops, nf_nat_ipv6_ops).
func natPriority(h netfilter.Hook) int {
	if natManip(h) == "dst" {
		return -100
	}
	return 100
}

// timeline is what runs on one hook of one family.
type timeline struct {
	fns []hookFn
	// ties name the chains whose relative order is undefined.
	ties []string
}

type timelineKey struct {
	v6   bool
	hook netfilter.Hook
}

// timeline returns the functions on hook for the family (built by
// NewHost): the iptables tables of iptables-save and the nft base chains of
// nft.json (ip or ip6, and inet), ordered by priority.
//
//   - A dormant nft table's chains are not registered.
//   - An nft table made by iptables-nft is left out when iptables-save of
//     that family is loaded from the nf_tables backend: it is the same
//     table, and iptables-save prints its rules with their options. With
//     iptables-legacy both are registered.
//   - conntrack is on the hook only while some rule of the family needs
//     it (see conntrackUser).
func (h *Host) timeline(v6 bool, hook netfilter.Hook) *timeline {
	if tl, ok := h.timelines[timelineKey{v6, hook}]; ok {
		return tl
	}
	return h.buildTimeline(v6, hook)
}

func (h *Host) buildTimeline(v6 bool, hook netfilter.Hook) *timeline {
	var chains []*baseChain
	xt := h.ruleset(v6)
	if xt != nil {
		for _, ht := range tablesOn(hook, xt.Backend) {
			t := xt.Table(ht.table)
			if t == nil || t.Chains[hook.String()] == nil || t.Incompatible {
				continue // an incompatible table is a placeholder: nft.json has it
			}
			chains = append(chains, &baseChain{rs: xt, table: t, chain: t.Chains[hook.String()], prio: ht.priority,
				nat: ht.table == "nat", route: ht.table == "mangle" && hook == netfilter.Output, seq: h.xtSeq(v6, ht.table)})
		}
	}
	h.nftBaseChains(v6, func(rs *netfilter.Ruleset, t *netfilter.Table, c *netfilter.Chain) bool {
		if c.NFT.Hook == hook {
			chains = append(chains, &baseChain{rs: rs, table: t, chain: c, prio: c.NFT.Priority,
				nat: c.NFT.Type == "nat", route: c.NFT.Type == "route" && hook == netfilter.Output,
				seq: nftSeq(t, c)})
		}
		return true
	})
	byPrio := func(s []*baseChain) {
		sort.SliceStable(s, func(i, j int) bool {
			if s[i].prio != s[j].prio {
				return s[i].prio < s[j].prio
			}
			return s[i].seq > s[j].seq
		})
	}
	byPrio(chains)
	tl := &timeline{}
	var nat []*baseChain
	for _, c := range chains {
		if c.nat {
			nat = append(nat, c)
			continue
		}
		tl.fns = append(tl.fns, hookFn{prio: c.prio, chain: c})
	}
	if len(nat) > 0 || (hook != netfilter.Forward && h.natRegistered(v6)) {
		// nf_nat_register_fn registers the nat hook on all four hooks
		// of the family with the first nat chain: replies are de-NATed
		// on hooks without nat chains too.
		tl.fns = append(tl.fns, hookFn{prio: natPriority(hook), natHook: true, nat: nat})
	}
	ctOn := h.conntrackOn(v6)
	if hook == netfilter.Prerouting || hook == netfilter.Output {
		// Always placed: when no rule needs conntrack, attachConntrack
		// says that it is not running.
		tl.fns = append(tl.fns, hookFn{prio: conntrackPriority, conntrack: true})
	}
	sort.SliceStable(tl.fns, func(i, j int) bool { return tl.fns[i].prio < tl.fns[j].prio })
	tl.ties = ties(tl.fns, nat, ctOn)
	return tl
}

// natRegistered reports whether some nat chain of the family exists (on
// any hook), which puts the nat hook on every hook.
func (h *Host) natRegistered(v6 bool) bool {
	if xt := h.ruleset(v6); xt != nil && xt.Table("nat") != nil {
		return true
	}
	found := false
	h.nftBaseChains(v6, func(_ *netfilter.Ruleset, _ *netfilter.Table, c *netfilter.Chain) bool {
		found = c.NFT.Type == "nat"
		return !found
	})
	return found
}

// nftBaseChains calls f for every nft base chain registered for the
// family (tables of the family and inet, not dormant, not shadowed by
// iptables-save) until f returns false.
func (h *Host) nftBaseChains(v6 bool, f func(*netfilter.Ruleset, *netfilter.Table, *netfilter.Chain) bool) {
	fam := netfilter.IPv4
	if v6 {
		fam = netfilter.IPv6
	}
	for _, rs := range h.Dev.NFT {
		if rs.Family != fam && rs.Family != netfilter.Inet {
			continue
		}
		for _, t := range rs.Tables {
			if t.NFT == nil || dormant(t) || h.shadowed(t) {
				continue
			}
			for _, c := range t.Chains {
				if c.NFT.Base() && !f(rs, t, c) {
					return
				}
			}
		}
	}
}

// ties describes the functions of equal priority, whose order depends on
// when each was registered.
func ties(fns []hookFn, nat []*baseChain, ctOn bool) []string {
	name := func(f hookFn) string {
		switch {
		case f.conntrack:
			return "conntrack"
		case f.natHook:
			return "the nat hook"
		}
		return f.chain.String()
	}
	var out []string
	var on []hookFn
	for _, f := range fns {
		if !f.conntrack || ctOn {
			on = append(on, f)
		}
	}
	fns = on
	for i := 1; i < len(fns); i++ {
		if fns[i].prio == fns[i-1].prio {
			out = append(out, fmt.Sprintf("%s and %s both have priority %d: the kernel runs the one registered last first, which a snapshot does not show; farend ran them in this order (the later-created table first)", name(fns[i-1]), name(fns[i]), fns[i].prio))
		}
	}
	for i := 1; i < len(nat); i++ {
		if nat[i].prio == nat[i-1].prio {
			out = append(out, fmt.Sprintf("nat chains %s and %s both have priority %d: their order is undefined (the one registered last runs first); farend ran them in this order", nat[i-1], nat[i], nat[i].prio))
		}
	}
	return out
}

func dormant(t *netfilter.Table) bool {
	for _, f := range t.NFT.Flags {
		if f == "dormant" {
			return true
		}
	}
	return false
}

// nftSeq orders chains by creation: table handle, then chain handle.
func nftSeq(t *netfilter.Table, c *netfilter.Chain) int {
	return int(t.NFT.Handle)<<20 | int(c.NFT.Handle&0xfffff)
}

// xtSeq is the creation order of an iptables-save table: that of the same
// table in nft.json when iptables-nft made it, else -1 (legacy tables are
// registered when iptables first touches them, usually at boot: taken as
// older than every nft table).
func (h *Host) xtSeq(v6 bool, table string) int {
	fam := netfilter.IPv4
	if v6 {
		fam = netfilter.IPv6
	}
	for _, rs := range h.Dev.NFT {
		if rs.Family != fam {
			continue
		}
		if t := rs.Tables[table]; t != nil && t.NFT != nil && t.NFT.IptablesNFT {
			return int(t.NFT.Handle) << 20
		}
	}
	return -1
}

// tieNote is added once per walk for each tie on a hook the packet used.
func (w *walk) noteTies(tl *timeline) {
	for _, t := range tl.ties {
		if !w.tiesNoted[t] {
			if w.tiesNoted == nil {
				w.tiesNoted = map[string]bool{}
			}
			w.tiesNoted[t] = true
			w.unknown = append(w.unknown, "order undefined: "+t)
		}
	}
}

// chainsOf lists a timeline's chains for messages.
func (tl *timeline) String() string {
	var parts []string
	for _, f := range tl.fns {
		switch {
		case f.conntrack:
			parts = append(parts, "conntrack -200")
		case f.natHook:
			var n []string
			for _, c := range f.nat {
				n = append(n, c.String())
			}
			parts = append(parts, fmt.Sprintf("nat %d [%s]", f.prio, strings.Join(n, ", ")))
		default:
			parts = append(parts, fmt.Sprintf("%s %d", f.chain, f.prio))
		}
	}
	return strings.Join(parts, "; ")
}

// noteDeviceChains names the nft chains on a device's ingress or egress
// hook (netdev family, or inet ingress) that the packet passed: they run
// before PREROUTING (ingress, nf_hook_ingress in __netif_receive_skb_core)
// or after POSTROUTING (egress), on frames rather than on the routed
// packet, and farend does not model them.
func (w *walk) noteDeviceChains(hook, dev string) {
	if dev == "" {
		return
	}
	for _, rs := range w.h.Dev.NFT {
		if rs.Family != netfilter.Netdev && rs.Family != netfilter.Inet {
			continue
		}
		for _, t := range nftTables(rs) {
			if t.NFT == nil || dormant(t) {
				continue
			}
			for _, cn := range t.Order {
				c := t.Chains[cn]
				if c == nil || c.NFT == nil || c.NFT.HookName != hook || !hasDev(c.NFT.Devices, dev) {
					continue
				}
				w.unknown = append(w.unknown, fmt.Sprintf("%s %s %s (%s hook on %s, %d rules, %s) is not modelled: it sees the packet %s and may drop or change it",
					t.NFT.Family, t.Name, c.Name, hook, dev, len(c.Rules), c.Pos,
					map[string]string{"ingress": "before PREROUTING", "egress": "after POSTROUTING"}[hook]))
			}
		}
	}
}

func hasDev(devs []string, dev string) bool {
	for _, d := range devs {
		if d == dev {
			return true
		}
	}
	return false
}
