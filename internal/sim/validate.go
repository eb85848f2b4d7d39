package sim

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
	"farend/internal/rib"
	"farend/internal/trace"
)

// validateSource4 is fib_validate_source / __fib_validate_source
// (net/ipv4/fib_frontend.c), the IPv4 rp_filter sysctl. oif is the egress
// device of the forward route ("" for local delivery: the reverse lookup
// then uses iif lo). It returns false after ending the walk.
//
// rp_filter 0 still screens: a source that is one of the host's own
// addresses is a martian (unless accept_local), and with custom rules or
// local routes the full check runs with rp_filter 0. rp_filter 1 (strict)
// needs the reverse route to leave on the input device; 2 (loose) needs
// any unicast route. The effective value is max(all, dev); accept_local
// and src_valid_mark are or-ed (IN_DEV_MAXCONF / IN_DEV_ORCONF in
// include/linux/inetdevice.h). Drop reasons as the kernel's kfree_skb
// tracepoint showed them here (kernel 6.18): a local source or a local
// reverse route is IP_LOCAL_SOURCE, a failed reverse-path test IP_RPFILTER.
func (w *walk) validateSource4(in, oif string, fwd rib.Result) bool {
	all, okAll := w.h.sysctlInt("net.ipv4.conf.all.rp_filter", 0)
	dev, okDev := w.h.sysctlInt(confKey("ipv4", in, "rp_filter"), 0)
	rpf := max(all, dev)
	acceptLocal := w.orConf(in, "accept_local")
	validMark := w.orConf(in, "src_valid_mark")
	if !okAll || !okDev {
		w.unknown = append(w.unknown, fmt.Sprintf("rp_filter of %s unknown (sysctl.txt missing or incomplete): taken as %d", in, rpf))
	}
	p := w.pkt
	setting := fmt.Sprintf("rp_filter = %d (max of all=%d, %s=%d)", rpf, all, in, dev)
	if rpf == 0 {
		full := w.h.FIB.HasCustomRules() || hasCustomLocalRoutes(w.h.Dev)
		if acceptLocal {
			return true
		}
		if !full {
			if w.h.isLocalAddr(p.Src) {
				w.sourceCheckFail(setting, fmt.Sprintf("source %s is one of this host's own addresses: martian source", p.Src), "IP_LOCAL_SOURCE", in)
				return false
			}
			return true
		}
	}
	iif := oif
	if iif == "" {
		iif = "lo"
	}
	fl := rib.Flow{Dst: p.Src, Src: p.Dst, IIF: iif, TOS: p.TOS}
	if fwd.Type == model.RouteBroadcast || fwd.Type == model.RouteMulticast {
		// ip_route_input_slow's brd_input and ip_mc_validate_source call
		// fib_validate_source with dst 0: the reverse lookup has no
		// source address, so `from` rules see 0.0.0.0.
		fl.Src = netip.IPv4Unspecified()
	}
	// __fib_validate_source fills the protocol and (swapped) ports only
	// when fib4_rules_early_flow_dissect says some rule needs them
	// (net->ipv4.fib_rules_require_fldissect, counted by
	// fib_rule_requires_fldissect: an ipproto or port selector on a rule
	// whose iif is not lo); otherwise they are 0, so `ipproto` and port
	// rules (all of them iif lo then) do not match the reverse lookup.
	if w.h.rulesNeedDissect() {
		fl.Proto = p.Proto
		if p.HasPorts() {
			fl.SPort, fl.DPort = p.DPort, p.SPort
		}
	}
	if validMark {
		fl.Mark = p.Mark
	}
	res := w.h.FIB.Lookup(fl)
	look := fmt.Sprintf("reverse lookup %s: %s", fl, describe(res))
	detail := []string{setting, look}
	if res.Err != rib.OK {
		if rpf != 0 {
			w.sourceCheckFail(setting, look+": no route back", "IP_RPFILTER", in)
			return false
		}
		return true
	}
	if res.Type != model.RouteUnicast && (res.Type != model.RouteLocal || !acceptLocal) {
		w.sourceCheckFail(setting, fmt.Sprintf("%s: a %s route: martian source", look, res.Type), "IP_LOCAL_SOURCE", in)
		return false
	}
	if res.UsesDev(in) || (res.Type == model.RouteLocal && w.h.isLoopback(in)) {
		w.step(trace.Step{Kind: trace.KindRPFilter, Verdict: "pass", Text: "rp_filter source validation", Detail: append(detail, "the route back leaves on "+in+": passes")})
		return true
	}
	if w.h.Dev.Interface(in) != nil && !hasIPv4(w.h.Dev.Interface(in)) {
		// no_addr: a device without IPv4 addresses skips the device test.
		if rpf != 0 {
			w.sourceCheckFail(setting, look+": "+in+" has no IPv4 address", "IP_RPFILTER", in)
			return false
		}
		return true
	}
	switch rpf {
	case 0:
		return true
	case 1:
		w.sourceCheckFail(setting, fmt.Sprintf("%s: the route back leaves on %s, not %s (strict)", look, res.Dev(), in), "IP_RPFILTER", in)
		return false
	}
	w.step(trace.Step{Kind: trace.KindRPFilter, Verdict: "pass", Text: "rp_filter source validation", Detail: append(detail, "a route back exists (loose): passes")})
	return true
}

func (w *walk) orConf(in, key string) bool {
	a, _ := w.h.sysctlInt("net.ipv4.conf.all."+key, 0)
	b, _ := w.h.sysctlInt(confKey("ipv4", in, key), 0)
	return a != 0 || b != 0
}

func (w *walk) sourceCheckFail(setting, why, reason, in string) {
	w.step(trace.Step{Kind: trace.KindRPFilter, Verdict: "DROP", Text: "rp_filter source validation", Detail: []string{setting, why}})
	w.end(trace.DeniedIn, reason, fmt.Sprintf("source validation (rp_filter) on %s failed: %s", in, why))
	if reason == "IP_RPFILTER" {
		w.fix = append(w.fix, w.returnRouteFix(in)...)
		w.fix = append(w.fix, fmt.Sprintf("sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2   # or make the check loose", in))
	}
}

func hasIPv4(itf *model.Interface) bool {
	for _, a := range itf.Addrs {
		if a.Prefix.Addr().Is4() {
			return true
		}
	}
	return false
}

// hasCustomLocalRoutes approximates net->ipv4.fib_has_custom_local_routes:
// a local route that the kernel did not add itself.
func hasCustomLocalRoutes(d *model.Device) bool {
	for _, r := range d.Routes {
		if r.Type == model.RouteLocal && !r.Is6() && r.Protocol != "kernel" {
			return true
		}
	}
	return false
}

// rulesNeedDissect reports whether some IPv4 policy rule selects on the
// protocol or ports without `iif lo` (fib_rule_requires_fldissect).
func (h *Host) rulesNeedDissect() bool {
	for _, r := range h.Dev.Rules4 {
		if r.IIF != "lo" && (r.IPProto != 0 || r.SPort.IsSet() || r.DPort.IsSet()) {
			return true
		}
	}
	return false
}
