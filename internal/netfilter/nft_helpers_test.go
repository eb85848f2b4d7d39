package netfilter

import (
	"net/netip"
	"testing"

	"farend/internal/packet"
)

// nftRoute is a route of nftEnv: the longest prefix wins; a mark or an
// iif makes the route apply only to lookups with that mark or iif.
type nftRoute struct {
	pfx  string
	mark uint32
	iif  string
	typ  AddrType // AddrUnicast when 0
	devs []string
	fail bool // a failed lookup of type typ (blackhole, prohibit ...)
}

// nftEnv is a test Env with FIB: a small routing table, local addresses
// per device, and the queries it was asked, so that tests can check the
// kernel's lookup keys.
type nftEnv struct {
	routes  []nftRoute
	local   map[string]string // address -> device
	src     map[string]netip.Addr
	queries []FIBQuery
}

func (e *nftEnv) RPFilter(p packet.Packet, dev string, f RPFlags) (bool, string) {
	return false, "not used"
}

func (e *nftEnv) AddrType(a netip.Addr, dev string, want AddrType) AddrType {
	if d, ok := e.local[a.String()]; ok {
		if dev == "" || dev == d {
			return AddrLocal
		}
		return AddrUnicast
	}
	if a.IsMulticast() {
		return AddrMulticast
	}
	if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return AddrBroadcast
	}
	return AddrUnicast
}

func (e *nftEnv) SourceAddr(dev string, dst netip.Addr, v6 bool) netip.Addr { return e.src[dev] }

func (e *nftEnv) FIB(q FIBQuery) FIBResult {
	e.queries = append(e.queries, q)
	best, bits := -1, -1
	for i, r := range e.routes {
		p := netip.MustParsePrefix(r.pfx)
		if !p.Contains(q.Dst) || (r.mark != 0 && r.mark != q.Mark) || (r.iif != "" && r.iif != q.IIF) {
			continue
		}
		if q.StrictOIF {
			uses := false
			for _, d := range r.devs {
				uses = uses || d == q.OIF
			}
			if !uses {
				continue
			}
		}
		if p.Bits() > bits {
			best, bits = i, p.Bits()
		}
	}
	var res FIBResult
	if q.AddrDev != "" {
		res.LocalOnDev = e.local[q.Dst.String()] == q.AddrDev
	}
	if best < 0 {
		res.Why = "no route"
		return res
	}
	r := e.routes[best]
	res.Type = r.typ
	if res.Type == 0 {
		res.Type = AddrUnicast
	}
	res.OK = !r.fail
	res.Devs = r.devs
	res.Why = "route " + r.pfx
	return res
}

// nftPkt builds a packet (xtPacket's compact form).
func nftPkt(t testing.TB, s string) packet.Packet { return xtPacket(t, s) }

// Expression and value constructors for the tests.

func pay(proto, field string) NFTExpr { return &NFTPayload{Proto: proto, Field: field} }
func meta(key string) NFTExpr         { return &NFTMeta{Key: key} }
func ctk(key string) NFTExpr          { return &NFTCt{Key: key} }

func vNum(n uint64) NFTRange { return NFTSingle(NFTNum(n)) }
func vStr(s string) NFTRange { return NFTSingle(NFTStr(s)) }
func vAddr(s string) NFTRange {
	return NFTSingle(NFTAddr(netip.MustParseAddr(s)))
}
func vPfx(s string) NFTRange { return NFTPrefixRange(netip.MustParsePrefix(s)) }
func vRange(a, b uint64) NFTRange {
	return NFTRange{Lo: NFTNum(a), Hi: NFTNum(b)}
}
func vWild(s string) NFTRange { return NFTRange{Lo: NFTStr(s), Hi: NFTStr(s), Wildcard: true} }

func cmp(key NFTExpr, op string, right ...NFTRange) *NFTCmp {
	return &NFTCmp{Left: []NFTExpr{key}, Op: op, Right: right, Text: key.String() + " " + op}
}

func inSet(key []NFTExpr, op string, elems ...[]NFTRange) *NFTCmp {
	s := &NFTSet{}
	for _, e := range elems {
		s.Add(NFTElem{Key: e})
	}
	return &NFTCmp{Left: key, Op: op, Set: s, Text: "set lookup"}
}

func binop(op string, left NFTExpr, n uint64) NFTExpr {
	return &NFTBinop{Op: op, Left: left, Right: &NFTImmediate{Value: NFTNum(n), Typ: left.Type()}, Text: left.String() + " " + op}
}

// ctxFor returns a Ctx for p at hook with devices in and out.
func ctxFor(p packet.Packet, hook Hook, in, out string, env Env) *Ctx {
	return &Ctx{Pkt: p, Hook: hook, In: in, Out: out, Env: env, Ct: Conntrack{Tracked: true, State: CtNew}}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
