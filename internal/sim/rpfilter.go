package sim

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/rib"
)

// env is the netfilter.Env of one host during one walk.
type env struct {
	h *Host
	// nextHop is the gateway (or on-link destination) of the route chosen
	// for the packet, used by MASQUERADE's source choice.
	nextHop netip.Addr
}

// RPFilter is xt_rpfilter (net/ipv4/netfilter/ipt_rpfilter.c and
// net/ipv6/netfilter/ip6t_rpfilter.c): packets on a loopback device pass;
// otherwise the swapped flow is looked up with the policy rules — daddr =
// the packet's source, saddr = its destination when that is unicast,
// iif = lo, mark only with --validmark (IPv6 also sets the protocol, and
// in strict mode prefers routes via the input device: flowi6_oif = dev;
// a link-local source makes that strict). The check passes when the route
// found is unicast and goes out the input device (any nexthop), or any
// unicast route with --loose; a local route passes only with
// --accept-local (IPv4 still needs the device to match or --loose).
func (e *env) RPFilter(p packet.Packet, dev string, f netfilter.RPFlags) (bool, string) {
	if e.h.isLoopback(dev) {
		return true, fmt.Sprintf("%s is a loopback device: rpfilter always passes", dev)
	}
	if p.Is6() {
		return e.rpfilter6(p, dev, f)
	}
	return e.rpfilter4(p, dev, f)
}

func (e *env) rpfilter4(p packet.Packet, dev string, f netfilter.RPFlags) (bool, string) {
	if p.Src.IsUnspecified() && (p.Dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || inNet(p.Dst, "224.0.0.0/24")) {
		return true, "source 0.0.0.0 to a broadcast or link-local multicast destination: passes"
	}
	fl := rib.Flow{Dst: p.Src, IIF: "lo", TOS: p.TOS}
	if !(p.Dst.IsMulticast() || p.Dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || inNet(p.Dst, "0.0.0.0/8")) {
		fl.Src = p.Dst
	}
	if f&netfilter.RPValidMark != 0 {
		fl.Mark = p.Mark
	}
	res := e.h.FIB.Lookup(fl)
	look := fmt.Sprintf("reverse lookup %s: %s", fl, describe(res))
	if res.Err != rib.OK {
		return false, look + ": no usable route back, fails"
	}
	if res.Type != model.RouteUnicast {
		if res.Type != model.RouteLocal || f&netfilter.RPAcceptLocal == 0 {
			return false, fmt.Sprintf("%s: a %s route, fails (only unicast passes%s)", look, res.Type, acceptLocalHint(res.Type))
		}
	}
	if res.UsesDev(dev) {
		return true, fmt.Sprintf("%s: goes out %s, the input device: passes", look, dev)
	}
	if f&netfilter.RPLoose != 0 {
		return true, fmt.Sprintf("%s: a route exists (--loose): passes", look)
	}
	return false, fmt.Sprintf("%s: goes out %s, not the input device %s: fails", look, res.Dev(), dev)
}

func (e *env) rpfilter6(p packet.Packet, dev string, f netfilter.RPFlags) (bool, string) {
	if p.Src.IsUnspecified() {
		return true, "source :: is not routable: rpfilter passes (the forward path drops it)"
	}
	fl := rib.Flow{Dst: p.Src, IIF: "lo", Proto: p.Proto}
	if !p.Dst.IsMulticast() && !p.Dst.IsUnspecified() {
		fl.Src = p.Dst
	}
	if f&netfilter.RPValidMark != 0 {
		fl.Mark = p.Mark
	}
	if p.Src.IsLinkLocalUnicast() {
		fl.OIF, fl.StrictOIF = dev, true
	} else if f&netfilter.RPLoose == 0 {
		fl.OIF = dev
	}
	res := e.h.FIB.Lookup(fl)
	look := fmt.Sprintf("reverse lookup %s: %s", fl, describe(res))
	switch {
	case res.Err != rib.OK:
		return false, look + ": no usable route back, fails"
	case res.Type == model.RouteAnycast:
		return false, look + ": an anycast route, fails"
	case res.Type == model.RouteLocal:
		if f&netfilter.RPAcceptLocal != 0 {
			return true, look + ": a local route with --accept-local: passes"
		}
		return false, look + ": a local route, fails (add --accept-local to allow)"
	case res.Type != model.RouteUnicast:
		return false, fmt.Sprintf("%s: a %s route, fails", look, res.Type)
	case res.UsesDev(dev):
		return true, fmt.Sprintf("%s: goes out %s, the input device: passes", look, dev)
	case f&netfilter.RPLoose != 0:
		return true, look + ": a route exists (--loose): passes"
	}
	return false, fmt.Sprintf("%s: goes out %s, not the input device %s: fails", look, res.Dev(), dev)
}

func acceptLocalHint(t model.RouteType) string {
	if t == model.RouteLocal {
		return "; --accept-local would allow a local route"
	}
	return ""
}

// describe prints a lookup result in one phrase.
func describe(res rib.Result) string {
	where := ""
	if res.Rule != nil {
		where = fmt.Sprintf("rule %d, ", res.Rule.Priority)
		if res.Rule.Action == model.ActionLookup {
			where += "table " + rib.TableName(res.Table) + ", "
		}
	}
	switch {
	case res.Route != nil:
		return where + rib.RouteString(res.Route)
	case res.Err != rib.OK:
		return where + res.Err.String()
	}
	return where + "nothing"
}

func inNet(a netip.Addr, cidr string) bool {
	return netip.MustParsePrefix(cidr).Contains(a)
}
