package sim

import (
	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/rib"
)

// FIB answers nft's fib expression (netfilter.FIBEnv): one policy-routed
// lookup with exactly the key nft_fib built (the expression decides iif,
// oif, mark and which address is looked up), through the same RPDB and
// tables as the routing decision.
func (e *env) FIB(q netfilter.FIBQuery) netfilter.FIBResult {
	fl := rib.Flow{Dst: q.Dst, Src: q.Src, IIF: q.IIF, OIF: q.OIF, StrictOIF: q.StrictOIF, Mark: q.Mark, TOS: q.TOS, Proto: q.Proto}
	res := e.h.FIB.Lookup(fl)
	out := netfilter.FIBResult{Why: describe(res)}
	if q.AddrDev != "" {
		out.LocalOnDev = e.addrOnDev(q.AddrDev, q)
	}
	if res.Err != rib.OK {
		switch res.Type {
		case model.RouteBlackhole, model.RouteUnreachable, model.RouteProhibit, model.RouteThrow:
			out.Type = typeBit(res.Type)
		}
		return out
	}
	out.OK = true
	out.Type = typeBit(res.Type)
	for _, nh := range res.Nexthops {
		out.Devs = append(out.Devs, nh.Dev)
	}
	return out
}

// addrOnDev reports whether q.Dst is an address of dev.
func (e *env) addrOnDev(dev string, q netfilter.FIBQuery) bool {
	itf := e.h.Dev.Interface(dev)
	if itf == nil {
		return false
	}
	for _, a := range itf.Addrs {
		if a.Prefix.Addr() == q.Dst {
			return true
		}
	}
	return false
}
