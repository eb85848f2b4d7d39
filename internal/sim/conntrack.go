package sim

import (
	"farend/internal/netfilter"
)

// conntrackUser returns the first rule of rs (tables raw, mangle, nat,
// filter, security in that order, chains as declared) that makes the
// kernel track connections, or nil when none does.
//
// Conntrack hooks are registered in a network namespace, per family, only
// while some rule needs them: each such match's or target's checkentry
// calls nf_ct_netns_get (xt_conntrack, xt_state, xt_connmark, xt_nat's
// DNAT/SNAT/MASQUERADE/REDIRECT/NETMAP, xt_CONNMARK, xt_CT with a zone,
// helper or timeout, xt_helper, xt_connbytes, xt_connlabel, xt_connlimit,
// xt_cluster, xt_CONNSECMARK; nft_compat passes the table's family; the
// native `ct` expression iptables-nft makes of --ctstate and --state,
// nft_ct_get_init, too). NOTRACK (notrack_chk) and CT --notrack
// (xt_ct_tg_check returns before nf_ct_netns_get) do not. Without them no
// packet has a conntrack entry, and nf_nat_inet_fn, which runs the nat
// chains, returns at once when nf_ct_get finds none: a ruleset whose nat
// table has no NAT rule, say, never runs its nat chains.
func conntrackUser(rs *netfilter.Ruleset) *netfilter.Rule {
	if rs == nil {
		return nil
	}
	for _, tn := range []string{"raw", "mangle", "nat", "filter", "security"} {
		t := rs.Tables[tn]
		if t == nil {
			continue
		}
		for _, cn := range t.Order {
			c := t.Chains[cn]
			if c == nil {
				continue
			}
			for _, r := range c.Rules {
				if needsConntrack(r) {
					return r
				}
			}
		}
	}
	return nil
}

func needsConntrack(r *netfilter.Rule) bool {
	for _, m := range r.Matches {
		switch m := m.(type) {
		case *netfilter.ConntrackMatch, *netfilter.StateMatch, *netfilter.ConnmarkMatch:
			return true
		case *netfilter.UnknownMatch:
			switch m.Module {
			case "helper", "connbytes", "connlabel", "connlimit", "cluster":
				return true
			}
		}
	}
	switch t := r.Target.(type) {
	case *netfilter.NATTarget, *netfilter.ConnmarkTarget:
		return true
	case *netfilter.CTTarget:
		return !t.NoTrack
	case *netfilter.UnknownTarget:
		switch t.Name {
		case "NETMAP", "CONNSECMARK", "SYNPROXY":
			return true
		}
	}
	return false
}
