package rib

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
)

// Lookup routes fl through the policy rules and tables as fib_rules_lookup
// (net/core/fib_rules.c) does: rules by priority; a rule whose selector
// matches runs its action: goto jumps to the first rule of the target
// priority, nop goes on, blackhole/unreachable/prohibit end the lookup
// with their error, lookup asks a table — a table that is missing, has no
// route, or ends on a throw route gives -EAGAIN and the walk goes on; a
// route whose prefix is no longer than suppress_prefixlength is
// suppressed. No rule giving an answer is ENETUNREACH.
func (f *FIB) Lookup(fl Flow) Result {
	v6 := fl.Dst.Is6() && !fl.Dst.Is4In6()
	rules := f.Rules(v6)
	var res Result
	for i := 0; i < len(rules); i++ {
		r := rules[i]
		for {
			if !ruleMatches(r, fl, v6) {
				break
			}
			switch r.Action {
			case model.ActionGoto:
				j := indexOfPriority(rules, r.Goto)
				if j < 0 {
					res.Steps = append(res.Steps, fmt.Sprintf("rule %d: goto %d has no target rule; skipped", r.Priority, r.Goto))
					break
				}
				res.Steps = append(res.Steps, fmt.Sprintf("rule %d: goto %d", r.Priority, r.Goto))
				i = j
				r = rules[j]
				continue
			case model.ActionNop:
				res.Steps = append(res.Steps, fmt.Sprintf("rule %d: nop", r.Priority))
			case model.ActionBlackhole:
				return finish(res, r, Result{Err: EINVAL, Type: model.RouteBlackhole}, fmt.Sprintf("rule %d: blackhole", r.Priority))
			case model.ActionUnreachable:
				return finish(res, r, Result{Err: ENETUNREACH, Type: model.RouteUnreachable}, fmt.Sprintf("rule %d: unreachable", r.Priority))
			case model.ActionProhibit:
				return finish(res, r, Result{Err: EACCES, Type: model.RouteProhibit}, fmt.Sprintf("rule %d: prohibit", r.Priority))
			default:
				t := f.tables[tableKey{r.Table, v6}]
				if t == nil {
					res.Steps = append(res.Steps, fmt.Sprintf("rule %d: lookup %s: table is empty", r.Priority, TableName(r.Table)))
					break
				}
				var tr tableResult
				if v6 {
					tr = t.lookup6(fl)
				} else {
					tr = t.lookup4(fl)
				}
				if tr.again {
					if tr.throw {
						res.Steps = append(res.Steps, fmt.Sprintf("rule %d: lookup %s: throw %s, go on", r.Priority, TableName(r.Table), tr.route.Dst))
					} else {
						res.Steps = append(res.Steps, fmt.Sprintf("rule %d: lookup %s: no route", r.Priority, TableName(r.Table)))
					}
					break
				}
				if tr.err == OK && r.SuppressPrefixLen >= 0 && tr.route.Dst.Bits() <= r.SuppressPrefixLen {
					res.Steps = append(res.Steps, fmt.Sprintf("rule %d: lookup %s: %s suppressed (suppress_prefixlength %d)", r.Priority, TableName(r.Table), tr.route.Dst, r.SuppressPrefixLen))
					break
				}
				out := Result{Err: tr.err, Type: tr.route.Type, Route: tr.route, Nexthops: tr.nexthops, Table: r.Table}
				return finish(res, r, out, fmt.Sprintf("rule %d: lookup %s: %s", r.Priority, TableName(r.Table), RouteString(tr.route)))
			}
			break
		}
	}
	res.Err = ENETUNREACH
	res.Type = model.RouteUnreachable
	res.Steps = append(res.Steps, "no rule gave a route")
	return res
}

func finish(acc Result, r *model.RouteRule, out Result, step string) Result {
	out.Rule = r
	out.Steps = append(acc.Steps, step)
	return out
}

func indexOfPriority(rules []*model.RouteRule, prio uint32) int {
	for i, r := range rules {
		if r.Priority == prio {
			return i
		}
	}
	return -1
}

// ruleMatches is fib_rule_match plus fib4_rule_match / fib6_rule_match.
func ruleMatches(r *model.RouteRule, fl Flow, v6 bool) bool {
	return ruleSelects(r, fl, v6) != r.Not
}

func ruleSelects(r *model.RouteRule, fl Flow, v6 bool) bool {
	if r.IIF != "" && r.IIF != fl.IIF {
		return false
	}
	if r.OIF != "" && r.OIF != fl.OIF {
		return false
	}
	if r.HasMark {
		mask := r.FwMask
		if (r.FwMark^fl.Mark)&mask != 0 {
			return false
		}
	}
	if r.L3MDev {
		// VRF rules match only flows bound to an l3mdev; farend models no
		// VRF devices on Linux yet.
		return false
	}
	if r.UIDRange != "" && !uidInRange(r.UIDRange, 0) {
		// Forwarded and reverse-path flows carry uid 0 (sock_net_uid(net,
		// NULL) in the init user namespace).
		return false
	}
	if r.From.IsValid() && r.From.Bits() > 0 {
		src := fl.Src
		if !src.IsValid() {
			if v6 {
				// fib6_rule_match: a source selector needs
				// RT6_LOOKUP_F_HAS_SADDR.
				return false
			}
			src = netip.IPv4Unspecified()
		}
		if !r.From.Contains(src) {
			return false
		}
	}
	if r.To.IsValid() && r.To.Bits() > 0 && !r.To.Contains(fl.Dst) {
		return false
	}
	if r.TOS != 0 && r.TOS != fl.TOS&tosMask(v6) {
		return false
	}
	if r.IPProto != 0 && r.IPProto != fl.Proto {
		return false
	}
	if r.SPort.IsSet() && (fl.SPort < r.SPort.Lo || fl.SPort > r.SPort.Hi) {
		return false
	}
	if r.DPort.IsSet() && (fl.DPort < r.DPort.Lo || fl.DPort > r.DPort.Hi) {
		return false
	}
	return true
}

// legacyTOSMask is INET_DSCP_LEGACY_TOS_MASK (include/net/inet_dscp.h) as
// a TOS byte: the bits of the old 4-bit TOS field that IPv4 routes and
// rules added with `tos`/`dsfield` compare: fib_dscp_masked_match
// (include/net/ip_fib.h) for routes and fib4_rule_match for rules compare
// their value with the packet's DSCP under this mask, so a route or rule
// with tos 0x08 takes packets of TOS 0x28 too, and one with a bit outside
// the mask never matches.
const legacyTOSMask = 0x1c

// tosMask is what of the flow's TOS byte a rule compares: the legacy TOS
// bits for IPv4 (fib4_rule_match, for rules made with `tos`/`dsfield`,
// all iproute2 6.1 can make), the whole DSCP for IPv6 (fib6_rule_match).
func tosMask(v6 bool) uint8 {
	if v6 {
		return 0xfc
	}
	return legacyTOSMask
}

func uidInRange(s string, uid uint64) bool {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	a, err1 := strconv.ParseUint(lo, 10, 32)
	b, err2 := strconv.ParseUint(hi, 10, 32)
	if err1 != nil || err2 != nil {
		return false
	}
	return uid >= a && uid <= b
}

// TableName prints a table id as iproute2 does (rt_tables names).
func TableName(id uint32) string {
	switch id {
	case model.TableLocal:
		return "local"
	case model.TableMain:
		return "main"
	case model.TableDefault:
		return "default"
	}
	return strconv.FormatUint(uint64(id), 10)
}

// RouteString prints a route like `ip route`.
func RouteString(r *model.Route) string {
	var b strings.Builder
	if r.Type != model.RouteUnicast {
		b.WriteString(r.Type.String() + " ")
	}
	if r.Dst.Bits() == 0 {
		b.WriteString("default")
	} else if (r.Dst.Addr().Is4() && r.Dst.Bits() == 32) || (r.Dst.Addr().Is6() && r.Dst.Bits() == 128) {
		b.WriteString(r.Dst.Addr().String())
	} else {
		b.WriteString(r.Dst.String())
	}
	if r.Src.IsValid() {
		b.WriteString(" from " + r.Src.String())
	}
	for i, nh := range r.Nexthops {
		if len(r.Nexthops) > 1 {
			if i == 0 {
				b.WriteString(" proto multipath")
			}
			b.WriteString(" nexthop")
		}
		if nh.Gateway.IsValid() {
			b.WriteString(" via " + nh.Gateway.String())
		}
		if nh.Dev != "" {
			b.WriteString(" dev " + nh.Dev)
		}
		if len(r.Nexthops) > 1 && nh.Weight > 0 {
			fmt.Fprintf(&b, " weight %d", nh.Weight)
		}
		if nh.Onlink {
			b.WriteString(" onlink")
		}
	}
	if r.Table != 0 && r.Table != model.TableMain {
		b.WriteString(" table " + TableName(r.Table))
	}
	if r.Protocol != "" && r.Protocol != "boot" {
		b.WriteString(" proto " + r.Protocol)
	}
	if r.Scope != "" && r.Scope != "global" && r.Scope != "universe" {
		b.WriteString(" scope " + r.Scope)
	}
	if r.PrefSrc.IsValid() {
		b.WriteString(" src " + r.PrefSrc.String())
	}
	if r.Metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	return b.String()
}

// RuleString prints a policy rule like `ip rule`.
func RuleString(r *model.RouteRule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:\t", r.Priority)
	if r.Not {
		b.WriteString("not ")
	}
	if r.From.IsValid() && r.From.Bits() > 0 {
		b.WriteString("from " + prefixString(r.From))
	} else {
		b.WriteString("from all")
	}
	if r.To.IsValid() && r.To.Bits() > 0 {
		b.WriteString(" to " + prefixString(r.To))
	}
	if r.TOS != 0 {
		fmt.Fprintf(&b, " tos 0x%x", r.TOS)
	}
	if r.HasMark {
		fmt.Fprintf(&b, " fwmark 0x%x", r.FwMark)
		if r.FwMask != 0xffffffff {
			fmt.Fprintf(&b, "/0x%x", r.FwMask)
		}
	}
	if r.IIF != "" {
		b.WriteString(" iif " + r.IIF)
	}
	if r.OIF != "" {
		b.WriteString(" oif " + r.OIF)
	}
	if r.IPProto != 0 {
		fmt.Fprintf(&b, " ipproto %d", r.IPProto)
	}
	if r.SPort.IsSet() {
		b.WriteString(" sport " + portRange(r.SPort))
	}
	if r.DPort.IsSet() {
		b.WriteString(" dport " + portRange(r.DPort))
	}
	if r.UIDRange != "" {
		b.WriteString(" uidrange " + r.UIDRange)
	}
	if r.L3MDev {
		b.WriteString(" lookup [l3mdev-table]")
		return b.String()
	}
	switch r.Action {
	case model.ActionLookup:
		b.WriteString(" lookup " + TableName(r.Table))
	case model.ActionGoto:
		fmt.Fprintf(&b, " goto %d", r.Goto)
	default:
		b.WriteString(" " + r.Action.String())
	}
	if r.SuppressPrefixLen >= 0 {
		fmt.Fprintf(&b, " suppress_prefixlength %d", r.SuppressPrefixLen)
	}
	return b.String()
}

func prefixString(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

func portRange(r model.PortRange) string {
	if r.Lo == r.Hi {
		return strconv.Itoa(int(r.Lo))
	}
	return fmt.Sprintf("%d-%d", r.Lo, r.Hi)
}
