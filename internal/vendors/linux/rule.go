package linux

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
)

// ParseRules reads the output of `ip -j -4 rule show` (v6 false) or
// `ip -j -6 rule show` (v6 true), in file order (the kernel dumps rules
// by priority). Keys follow ip/iprule.c print_rule.
func ParseRules(file string, data []byte, v6 bool) ([]model.RouteRule, source.Notes) {
	rs, notes, _ := parseRules(file, data, v6)
	return rs, notes
}

func parseRules(file string, data []byte, v6 bool) ([]model.RouteRule, source.Notes, []*node) {
	elems, notes := decodeArray(file, data)
	var rs []model.RouteRule
	for i, e := range elems {
		pos := source.Pos{File: file, Index: i}
		if e.kind != kObject {
			notes.Add(pos, e.String(), "expected an object")
			continue
		}
		o := newObj(e, pos, &notes)
		r, ok := parseRule(o, v6)
		o.finish()
		if ok {
			rs = append(rs, r)
		}
	}
	notes.Sort()
	return rs, notes, elems
}

// A rule whose selector or action farend cannot represent is skipped,
// with a note saying so: kept without that selector it would match
// packets the kernel's rule does not (a `tun_id 5 lookup 100` rule would
// catch every packet). Realms only tag packets and are just noted.
func parseRule(o obj, v6 bool) (model.RouteRule, bool) {
	r := model.RouteRule{Pos: o.pos, SuppressPrefixLen: -1, SuppressIfGroup: -1}
	skip := false
	bad := func(f *field, why string) {
		o.bad(f, why)
		skip = true
	}
	// "priority" is always printed (0 when FRA_PRIORITY is absent).
	if f := o.take("priority"); f != nil {
		if v, ok := o.uintOf(f, 32); ok {
			r.Priority = uint32(v)
		} else {
			skip = true
		}
	}
	r.Not = o.flag("not")
	var ok bool
	if r.From, ok = rulePrefix(o, "src", "srclen", v6); !ok {
		skip = true
	}
	if r.To, ok = rulePrefix(o, "dst", "dstlen", v6); !ok {
		skip = true
	}
	// "tos" is rtnl_dsfield_n2a: a name from rt_dsfield ("CS1") or
	// "0x%02x". iproute2 from 6.13 prints a DSCP selector as "dscp";
	// farend keeps both as the dsfield byte.
	if f := o.take("tos"); f != nil {
		if v, ok := parseDSField(f.val.text); ok && f.val.kind == kString {
			r.TOS = v
		} else {
			bad(f, "unknown TOS name")
		}
	}
	if f := o.take("dscp"); f != nil {
		if v, ok := dsfieldByName[f.val.text]; ok && f.val.kind == kString {
			r.TOS = v
		} else if v, err := strconv.ParseUint(f.val.text, 0, 6); err == nil && (f.val.kind == kString || f.val.kind == kNumber) {
			r.TOS = uint8(v) << 2
		} else {
			bad(f, "unknown DSCP")
		}
	}
	// FRA_FWMARK/FRA_FWMASK print as "%#llx" strings ("0x10", and "0"
	// for zero); the mask only when it is not 0xffffffff.
	if f := o.take("fwmark"); f != nil {
		if v, ok := o.uintOf(f, 32); ok {
			r.FwMark, r.FwMask, r.HasMark = uint32(v), 0xffffffff, true
		} else {
			skip = true
		}
	}
	if f := o.take("fwmask"); f != nil {
		if v, ok := o.uintOf(f, 32); ok {
			r.FwMask, r.HasMark = uint32(v), true
		} else {
			skip = true
		}
	}
	r.IIF = ifName(o, "iif", "iifname")
	r.OIF = ifName(o, "oif", "oifname")
	r.L3MDev = o.flag("l3mdev")
	if lo, ok := o.uint("uid_start", 32); ok {
		hi, _ := o.uint("uid_end", 32)
		r.UIDRange = strconv.FormatUint(lo, 10) + "-" + strconv.FormatUint(hi, 10)
	}
	if f := o.take("ipproto"); f != nil {
		if v, ok := parseIPProto(f.val.text); ok && f.val.kind == kString {
			r.IPProto = v
		} else {
			bad(f, "unknown IP protocol name")
		}
	}
	if r.SPort, ok = portRange(o, "sport"); !ok {
		skip = true
	}
	if r.DPort, ok = portRange(o, "dport"); !ok {
		skip = true
	}
	r.Table = tableOf(o, model.TableUnspec)
	if v, ok := o.int("suppress_prefixlen"); ok {
		r.SuppressPrefixLen = v
	}
	if f := o.take("suppress_ifgroup"); f != nil {
		if g, ok := parseGroup(f.val.text); ok && (f.val.kind == kString || f.val.kind == kNumber) {
			r.SuppressIfGroup = g
		} else {
			bad(f, "interface group name from the host's /etc/iproute2/group")
		}
	}
	if !parseRuleAction(o, &r) {
		skip = true
	}
	if s, ok := o.str("protocol"); ok {
		r.Protocol = s
	}
	o.ignore(ignoredRuleKeys)
	for _, k := range []string{"tun_id", "flowlabel", "flowlabel_mask", "dscp_mask", "nat_gateway", "masquerade"} {
		if f := o.take(k); f != nil {
			bad(f, "rule selector not modelled")
		}
	}
	for _, k := range []string{"flow_from", "flow_to"} {
		if f := o.take(k); f != nil {
			o.bad(f, "route realms are not modelled")
		}
	}
	if skip {
		o.notes.Add(o.pos, "priority="+strconv.FormatUint(uint64(r.Priority), 10),
			"rule skipped: a selector or action above is not understood")
		o.ignoreAll()
		return r, false
	}
	return r, true
}

// rulePrefix reads "src":"all" | "<addr>" [+ "srclen":N] | "0" + "srclen"
// (print_rule prints no length for a host prefix).
func rulePrefix(o obj, key, lenKey string, v6 bool) (netip.Prefix, bool) {
	f := o.take(key)
	lf := o.take(lenKey)
	if f == nil {
		if lf != nil {
			o.bad(lf, "length without "+key)
		}
		return netip.Prefix{}, true
	}
	if f.val.kind != kString {
		o.bad(f, "expected an address")
		return netip.Prefix{}, false
	}
	if f.val.text == "all" && lf == nil {
		return netip.Prefix{}, true
	}
	var a netip.Addr
	if f.val.text == "0" {
		a = netip.IPv4Unspecified()
		if v6 {
			a = netip.IPv6Unspecified()
		}
	} else {
		var err error
		if a, err = netip.ParseAddr(f.val.text); err != nil || a.Zone() != "" || a.Is6() != v6 {
			o.bad(f, "not an address of the file's family")
			return netip.Prefix{}, false
		}
	}
	bits := a.BitLen()
	if lf != nil {
		v, ok := o.uintOf(lf, 8)
		if !ok || int(v) > a.BitLen() {
			if ok {
				o.bad(lf, "prefix length too long")
			}
			return netip.Prefix{}, false
		}
		bits = int(v)
	}
	return netip.PrefixFrom(a, bits), true
}

// ifName reads "iif" (older iproute2 and 6.x) or "iifname".
func ifName(o obj, keys ...string) string {
	for _, k := range keys {
		if s, ok := o.str(k); ok {
			return s
		}
	}
	return ""
}

// portRange reads "sport":N for a single port, or "sport_start" and
// "sport_end" for a range (print_rule prints the single form when start
// equals end). A "sport_mask" (newer iproute2) other than 0xffff is not
// modelled: false then, with a note.
func portRange(o obj, key string) (model.PortRange, bool) {
	var pr model.PortRange
	ok := true
	if f := o.take(key); f != nil {
		v, good := o.uintOf(f, 16)
		pr.Lo, pr.Hi, ok = uint16(v), uint16(v), good
	} else if f := o.take(key + "_start"); f != nil {
		v, good := o.uintOf(f, 16)
		pr.Lo, pr.Hi, ok = uint16(v), uint16(v), good
		if f := o.take(key + "_end"); f != nil {
			v, good := o.uintOf(f, 16)
			pr.Hi, ok = uint16(v), ok && good
		}
	}
	if f := o.take(key + "_mask"); f != nil {
		if v, good := o.uintOf(f, 16); !good {
			ok = false
		} else if v != 0xffff {
			o.bad(f, "port mask not modelled")
			ok = false
		}
	}
	return pr, ok
}

// parseRuleAction reads the action (FR_ACT_* in
// include/uapi/linux/fib_rules.h): a table lookup by default, "goto":N,
// "nop":null, or "action":"blackhole"|"unreachable"|"prohibit" (printed
// with rtnl_rtntype_n2a, whose RTN_* numbers coincide with FR_ACT_*).
func parseRuleAction(o obj, r *model.RouteRule) bool {
	if f := o.take("goto"); f != nil {
		r.Action = model.ActionGoto
		v, ok := o.uintOf(f, 32) // "none" when FRA_GOTO is missing
		if !ok {
			return false
		}
		r.Goto = uint32(v)
	}
	if o.flag("nop") {
		r.Action = model.ActionNop
	}
	if f := o.take("action"); f != nil {
		switch f.val.text {
		case "blackhole":
			r.Action = model.ActionBlackhole
		case "unreachable":
			r.Action = model.ActionUnreachable
		case "prohibit":
			r.Action = model.ActionProhibit
		default:
			o.bad(f, "rule action not modelled")
			return false
		}
	}
	return true
}

var ignoredRuleKeys = map[string]string{
	"unresolved":   "goto target missing; the kernel skips the rule, which the rule list shows",
	"iif_detached": "device missing; the rule cannot match",
	"oif_detached": "device missing; the rule cannot match",
	"deleted":      "monitor only",
}
