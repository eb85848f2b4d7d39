package netfilter

import "strings"

// The expressions whose init calls nf_ct_netns_get are ct loads and ct
// set (net/netfilter/nft_ct.c nft_ct_get_init, nft_ct_set_init), nat,
// masquerade and redirect (nft_nat.c nft_nat_init, nft_masq.c,
// nft_redir.c), ct helper/timeout/expectation objects (nft_ct.c),
// connlimit (nft_connlimit.c), flow offload (nft_flow_offload.c), synproxy
// (nft_synproxy.c), and x_tables extensions that need it (nft_compat
// passes them the table's family). notrack (nft_ct.c nft_notrack_eval)
// does not. A nat base chain alone does not either: nft_chain_nat
// registers the chain with the nat hook, which runs no chain for a packet
// without an entry (nf_nat_inet_fn).
//
// NFTConntrackFamilies says for which families an nft rule of a table of
// family fam makes the kernel track connections: the table's (both for
// inet), except for snat and dnat, which ask for the family of their
// addresses: nft_nat_init ends in `return nf_ct_netns_get(ctx->net,
// family)` with family the statement's NFTA_NAT_FAMILY, so `snat ip6 to
// ...` in an inet table turns conntrack on for IPv6 only, and an IPv4
// packet then has no entry and meets no nat chain (found by the
// kernel-differential test, case nft-4-273). masquerade and redirect ask
// for the table's family (nft_masq_init, nft_redir_init: ctx->family).
func NFTConntrackFamilies(r *Rule, fam Family) (v4, v6 bool) {
	tv4, tv6 := fam == IPv4 || fam == Inet, fam == IPv6 || fam == Inet
	add := func(f Family) {
		switch {
		case f == IPv4 && tv4:
			v4 = true
		case f == IPv6 && tv6:
			v6 = true
		case f != IPv4 && f != IPv6:
			v4, v6 = v4 || tv4, v6 || tv6
		}
	}
	for _, m := range r.Matches {
		if matchUsesCt(m) {
			add(fam)
		}
	}
	st, ok := r.Target.(*NFTStatements)
	if !ok {
		return v4, v6
	}
	for _, it := range st.Items {
		if it.Match != nil && matchUsesCt(it.Match) {
			add(fam)
		}
		if it.Stmt == nil || !stmtUsesCt(it.Stmt) {
			continue
		}
		if n, ok := it.Stmt.(*NFTNAT); ok && (n.Kind == "snat" || n.Kind == "dnat") && n.Family != FamilyUnknown {
			add(n.Family)
			continue
		}
		add(fam)
	}
	return v4, v6
}

func exprsUseCt(es []NFTExpr) bool {
	for _, e := range es {
		if exprUsesCt(e) {
			return true
		}
	}
	return false
}

func exprUsesCt(e NFTExpr) bool {
	switch e := e.(type) {
	case *NFTCt:
		return true
	case *NFTBinop:
		return exprUsesCt(e.Left) || exprUsesCt(e.Right)
	}
	return false
}

func matchUsesCt(m Match) bool {
	switch m := m.(type) {
	case *NFTCmp:
		return exprsUseCt(m.Left)
	case *NFTMapHit:
		return exprsUseCt(m.Key)
	case *NFTDynset:
		return exprsUseCt(m.Key)
	case nftAllOf:
		for _, x := range m {
			if matchUsesCt(x) {
				return true
			}
		}
	case *NFTXT:
		return xtUsesCt(m.Name)
	case *NFTOpaqueMatch:
		// `ct count` (connlimit) and any other ct expression farend
		// does not load.
		return strings.HasPrefix(m.Text, "ct ") || strings.Contains(m.Text, " ct ")
	}
	return false
}

func stmtUsesCt(s NFTStmt) bool {
	switch s := s.(type) {
	case *NFTNAT:
		return true
	case *NFTMangle:
		return exprUsesCt(s.Key) || exprUsesCt(s.Value)
	case *NFTVmap:
		return exprsUseCt(s.Key)
	case *NFTXT:
		return xtUsesCt(s.Name)
	case *NFTNoop:
		return strings.HasPrefix(s.Text, "ct ") || strings.HasPrefix(s.Text, "flow ")
	case *NFTOpaqueStmt:
		return strings.HasPrefix(s.Text, "ct ") || strings.HasPrefix(s.Text, "synproxy")
	}
	return false
}

// xtUsesCt: the x_tables extensions whose checkentry calls
// nf_ct_netns_get (the same list as for iptables rules: conntrack, state,
// connmark, helper, connbytes, connlabel, connlimit, cluster matches;
// CONNMARK, NAT targets, CT other than --notrack, CONNSECMARK, SYNPROXY).
// nft's JSON gives no options: an xt CT target (iptables-nft writes -j
// NOTRACK as CT too, the checked case) is taken as --notrack, which does
// not need it.
func xtUsesCt(name string) bool {
	switch name {
	case "conntrack", "state", "connmark", "helper", "connbytes", "connlabel", "connlimit", "cluster",
		"CONNMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "CONNSECMARK", "SYNPROXY":
		return true
	}
	return false
}
