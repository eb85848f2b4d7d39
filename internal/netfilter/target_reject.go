package netfilter

import (
	"fmt"

	"farend/internal/packet"
)

// RejectTarget is -j REJECT, based on net/ipv4/netfilter/ipt_REJECT.c and
// net/ipv6/netfilter/ip6t_REJECT.c: the packet is dropped (NF_DROP) and an
// ICMP error or a TCP reset is sent back to its source. The kernel accepts
// it only in the filter table, in INPUT, FORWARD and OUTPUT; tcp-reset
// needs -p tcp.
//
// The zero RejectTarget is IPv4 --reject-with icmp-port-unreachable.
type RejectTarget struct {
	V6 bool
	// With is the canonical reject type as iptables-save prints it; ""
	// means the default port-unreachable.
	With string
}

type rejectType struct {
	name, alias string
	typ, code   uint8
	what        string
}

// reject4 and reject6 are libipt_REJECT's and libip6t_REJECT's types.
var reject4 = []rejectType{
	{"icmp-net-unreachable", "net-unreach", 3, 0, "network unreachable"},
	{"icmp-host-unreachable", "host-unreach", 3, 1, "host unreachable"},
	{"icmp-proto-unreachable", "proto-unreach", 3, 2, "protocol unreachable"},
	{"icmp-port-unreachable", "port-unreach", 3, 3, "port unreachable"},
	{"icmp-net-prohibited", "net-prohib", 3, 9, "network prohibited"},
	{"icmp-host-prohibited", "host-prohib", 3, 10, "host prohibited"},
	{"tcp-reset", "tcp-rst", 0, 0, "TCP reset"},
	{"icmp-admin-prohibited", "admin-prohib", 3, 13, "administratively prohibited"},
}

var reject6 = []rejectType{
	{"icmp6-no-route", "no-route", 1, 0, "no route"},
	{"icmp6-adm-prohibited", "adm-prohibited", 1, 1, "administratively prohibited"},
	{"icmp6-addr-unreachable", "addr-unreach", 1, 3, "address unreachable"},
	{"icmp6-port-unreachable", "port-unreach", 1, 4, "port unreachable"},
	{"tcp-reset", "tcp-reset", 0, 0, "TCP reset"},
	{"icmp6-policy-fail", "policy-fail", 1, 5, "policy fail"},
	{"icmp6-reject-route", "reject-route", 1, 6, "reject route"},
}

func parseReject(fam Family, a *Args) (Target, error) {
	t := &RejectTarget{V6: fam == IPv6}
	arity := func(o string) int {
		if o == "--reject-with" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		for _, r := range t.types() {
			if o.Arg() == r.name || o.Arg() == r.alias {
				t.With = r.name
				return noNeg(o)
			}
		}
		return fmt.Errorf("unknown reject type %q", o.Arg())
	})
	return t, err
}

func (t *RejectTarget) types() []rejectType {
	if t.V6 {
		return reject6
	}
	return reject4
}

func (t *RejectTarget) kind() rejectType {
	ts := t.types()
	for _, r := range ts {
		if r.name == t.With {
			return r
		}
	}
	return ts[3] // port-unreachable
}

// Apply implements Target.
func (t *RejectTarget) Apply(c *Ctx) Verdict {
	r := t.kind()
	switch {
	case r.name == "tcp-reset" && c.Pkt.Proto != packet.ProtoTCP:
		c.Explain("REJECT drops the packet; tcp-reset sends nothing for a non-TCP packet")
	case r.name == "tcp-reset":
		c.Explain("REJECT drops the packet and sends a TCP reset to %s", c.Pkt.Src)
	default:
		proto := "ICMP"
		if t.V6 {
			proto = "ICMPv6"
		}
		c.Explain("REJECT drops the packet and sends %s type %d code %d (%s) to %s (none for a non-first fragment, an ICMP error, or a broadcast/multicast)", proto, r.typ, r.code, r.what, c.Pkt.Src)
	}
	return Verdict{Kind: Reject}
}

func (t *RejectTarget) String() string { return "-j REJECT --reject-with " + t.kind().name }

// Check implements Checker: the REJECT targets are registered with
// .table = "filter" and the INPUT, FORWARD and OUTPUT hooks; reject_tg_check
// refuses tcp-reset without -p tcp.
func (t *RejectTarget) Check(e Entry) string {
	if s := checkHooks("REJECT", e, "filter", Input, Forward, Output); s != "" {
		return s
	}
	if t.kind().name == "tcp-reset" {
		return checkProto("REJECT --reject-with tcp-reset", e, packet.ProtoTCP)
	}
	return ""
}
