package linux

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// ParseRoutes reads the output of `ip -j -4 route show table all` (v6
// false) or `ip -j -6 route show table all` (v6 true). The family says
// what "default" means; every other destination carries its own. Routes
// come back in file order. Keys follow ip/iproute.c print_route:
// absent "table" is main, absent "type" unicast, absent "protocol" boot,
// absent "scope" global (iproute2 omits those defaults).
func ParseRoutes(file string, data []byte, v6 bool) ([]model.Route, source.Notes) {
	rs, notes, _ := parseRoutes(file, data, v6)
	return rs, notes
}

func parseRoutes(file string, data []byte, v6 bool) ([]model.Route, source.Notes, []*node) {
	elems, notes := decodeArray(file, data)
	var rs []model.Route
	for i, e := range elems {
		pos := source.Pos{File: file, Index: i}
		if e.kind != kObject {
			notes.Add(pos, e.String(), "expected an object")
			continue
		}
		o := newObj(e, pos, &notes)
		r, ok := parseRoute(o, v6)
		o.finish()
		if ok {
			rs = append(rs, r)
		}
	}
	notes.Sort()
	return rs, notes, elems
}

func parseRoute(o obj, v6 bool) (model.Route, bool) {
	r := model.Route{Pos: o.pos, Table: model.TableMain, Protocol: "boot", Scope: "global"}
	// The encapsulation first: its keys ("dst", "src", "tos" ...) repeat
	// the route's and are told apart by position (encap.go).
	if o.has("encap") {
		r.Encap = parseEncap(o)
	}
	if f := o.take("type"); f != nil {
		t, ok := model.ParseRouteType(f.val.text)
		if !ok || f.val.kind != kString {
			o.bad(f, "route type not modelled; route skipped")
			o.ignoreAll()
			return r, false
		}
		r.Type = t
	}
	f := o.take("dst")
	if f == nil {
		o.notes.Add(o.pos, "dst missing", "route skipped")
		o.ignoreAll()
		return r, false
	}
	dst, ok := parseDst(f.val, v6)
	if !ok {
		o.bad(f, "not a destination; route skipped")
		o.ignoreAll()
		return r, false
	}
	r.Dst = dst
	if dst.Addr().Is6() != v6 {
		fam := map[bool]string{false: "IPv4", true: "IPv6"}
		o.notes.Add(o.pos, "dst="+f.val.String(), fam[dst.Addr().Is6()]+" route in the "+fam[v6]+" routes file; kept")
	}
	// "from" is an IPv6 source-specific route's RTA_SRC; iproute2 prints
	// "src":"0/N" when only the length is set.
	for _, k := range []string{"from", "src"} {
		if f := o.take(k); f != nil {
			if p, ok := parseDst(f.val, dst.Addr().Is6()); ok {
				r.Src = p
			} else {
				o.bad(f, "not a source prefix")
			}
			break
		}
	}
	if v, ok := o.uint("nhid", 32); ok {
		r.NHID = uint32(v)
	}
	if f := o.take("tos"); f != nil {
		v, ok := parseDSField(f.val.text)
		if !ok || f.val.kind != kString {
			// Without its TOS the route would match every packet.
			o.bad(f, "unknown TOS name; route skipped")
			o.ignoreAll()
			return r, false
		}
		r.TOS = v
	}
	r.Table = tableOf(o, model.TableMain)
	if s, ok := o.str("protocol"); ok {
		r.Protocol = s
	}
	if s, ok := o.str("scope"); ok {
		r.Scope = s
	}
	if a, ok := o.addr("prefsrc"); ok {
		r.PrefSrc = a
	}
	if v, ok := o.uint("metric", 32); ok {
		r.Metric = uint32(v)
	}
	if s, ok := o.str("pref"); ok {
		r.Pref = s
	}
	if v, ok := o.int("expires"); ok {
		r.Expires = v
	}
	parseMetrics(o, &r)
	parseNexthops(o, &r)
	o.ignore(ignoredRouteKeys)
	for _, k := range []string{"flow", "mark", "uid", "iif", "to", "ttl-propogate"} {
		if f := o.take(k); f != nil {
			o.bad(f, notModelledRouteKeys[k])
		}
	}
	return r, true
}

// notModelledRouteKeys change what a route does, but farend does not model
// them; they stay in the notes.
var notModelledRouteKeys = map[string]string{
	"flow":          "route realms are not modelled",
	"mark":          "route get only",
	"uid":           "route get only",
	"iif":           "route get only",
	"to":            "MPLS label rewrite not modelled",
	"ttl-propogate": "MPLS TTL propagation not modelled",
}

// parseDst parses a route destination: "default", a prefix, a host
// address (printed without a length), or "0/N" (a length without an
// address, ip/iproute.c).
func parseDst(n *node, v6 bool) (netip.Prefix, bool) {
	if n.kind != kString {
		return netip.Prefix{}, false
	}
	s := n.text
	zero := netip.IPv4Unspecified()
	if v6 {
		zero = netip.IPv6Unspecified()
	}
	if s == "default" {
		return netip.PrefixFrom(zero, 0), true
	}
	if l, ok := strings.CutPrefix(s, "0/"); ok {
		bits, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || bits < 0 || bits > zero.BitLen() {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(zero, bits), true
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return netip.Prefix{}, false
		}
		return p, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseMetrics reads "metrics":[{...}] (ip/iproute.c print_rta_metrics).
// JSON does not show `lock`. Only mtu changes forwarding (fragmentation,
// ICMP too big); the others tune TCP.
func parseMetrics(o obj, r *model.Route) {
	elems, ok := o.arr("metrics")
	if !ok {
		return
	}
	for i, e := range elems {
		m, ok := o.elem("metrics", i, e)
		if !ok {
			continue
		}
		if v, ok := m.uint("mtu", 31); ok {
			r.MTU = int(v)
		}
		m.ignore(ignoredMetrics)
		m.finish()
	}
}

var ignoredMetrics = map[string]string{
	"window": "TCP", "rtt": "TCP", "rttvar": "TCP", "ssthresh": "TCP",
	"cwnd": "TCP", "advmss": "TCP MSS", "reordering": "TCP",
	"hoplimit": "TTL of locally generated packets", "initcwnd": "TCP",
	"features": "TCP", "ecn": "TCP", "rto_min": "TCP", "initrwnd": "TCP",
	"quickack": "TCP", "congestion": "TCP", "fastopen_no_cookie": "TCP",
}

var ignoredRouteKeys = map[string]string{
	"error":             "derived from the route type",
	"cache":             "route cache flags (route get)",
	"users":             "statistics",
	"used":              "statistics",
	"age":               "statistics",
	"ipid":              "statistics",
	"ts":                "statistics",
	"tsage":             "statistics",
	"nh_info":           "details of nhid, already expanded",
	"deleted":           "monitor only",
	"rt_offload":        "hardware offload",
	"rt_trap":           "hardware offload",
	"offload":           "hardware offload",
	"trap":              "hardware offload",
	"rt_offload_failed": "hardware offload",
}
