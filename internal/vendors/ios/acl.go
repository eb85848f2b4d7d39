package ios

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// numberedACL reads `access-list N permit|deny|remark ...`. Lists 1-99 and
// 1300-1999 are standard, 100-199 and 2000-2699 extended (Cisco IOS
// Security Command Reference, access-list).
func (p *parser) numberedACL(l *line) {
	w := l.Words
	if len(w) < 3 {
		p.BadAll(l, "unknown access-list syntax")
		return
	}
	num, err := strconv.Atoi(w[1])
	if err != nil {
		p.BadAll(l, "unknown access-list syntax")
		return
	}
	ext := (num >= 100 && num <= 199) || (num >= 2000 && num <= 2699)
	std := (num >= 1 && num <= 99) || (num >= 1300 && num <= 1999)
	if !ext && !std {
		p.BadAll(l, "access-list number range not modelled")
		return
	}
	acl := p.acl(w[1], false, ext, l)
	if w[2] == "remark" {
		acl.Remarks = append(acl.Remarks, joinFrom(w, 3))
		p.OKAll(l)
		return
	}
	if ace, ok := parseACE(w[2:], ext, false); ok {
		ace.Pos, ace.Text = p.Pos(l), joinFrom(w, 2)
		acl.Entries = append(acl.Entries, ace)
		p.OKAll(l)
		return
	}
	p.BadAll(l, "access-list entry not understood")
}

// namedACL reads `ip access-list standard|extended NAME` and `ipv6
// access-list NAME` blocks.
func (p *parser) namedACL(l *line, v6 bool) {
	w := l.Words
	var name string
	ext := true
	switch {
	case v6 && len(w) == 3:
		name = w[2]
	case !v6 && len(w) == 4 && (w[2] == "standard" || w[2] == "extended"):
		name, ext = w[3], w[2] == "extended"
	default:
		p.BadAll(l, "access-list form not modelled")
		return
	}
	p.OK(l)
	acl := p.acl(name, v6, ext, l)
	for _, k := range l.Kids {
		kw := k.Words
		if kw[0] == "remark" {
			acl.Remarks = append(acl.Remarks, joinFrom(kw, 1))
			p.OKAll(k)
			continue
		}
		seq := 0
		if n, err := strconv.Atoi(kw[0]); err == nil {
			seq, kw = n, kw[1:]
		} else if kw[0] == "sequence" && len(kw) > 2 {
			seq, _ = strconv.Atoi(kw[1])
			kw = kw[2:]
		}
		if len(kw) > 0 && kw[0] == "remark" {
			acl.Remarks = append(acl.Remarks, joinFrom(kw, 1))
			p.OKAll(k)
			continue
		}
		ace, ok := parseACE(kw, ext, v6)
		if !ok {
			p.BadAll(k, "access-list entry not understood")
			continue
		}
		ace.Seq, ace.Pos, ace.Text = seq, p.Pos(k), strings.Join(kw, " ")
		acl.Entries = append(acl.Entries, ace)
		p.OKAll(k)
	}
}

// acl returns the list, adding it.
func (p *parser) acl(name string, v6, ext bool, l *line) *model.ACL {
	if a := p.r.ACL(name, v6); a != nil {
		return a
	}
	p.r.ACLs = append(p.r.ACLs, model.ACL{Name: name, IPv6: v6, Extended: ext, Pos: p.Pos(l)})
	return &p.r.ACLs[len(p.r.ACLs)-1]
}

// parseACE reads `permit|deny ...` of a standard or extended entry.
func parseACE(w []string, ext, v6 bool) (model.ACE, bool) {
	var ace model.ACE
	if len(w) < 2 {
		return ace, false
	}
	switch w[0] {
	case "permit":
		ace.Permit = true
	case "deny":
	default:
		return ace, false
	}
	w = w[1:]
	if ext {
		ace.Protocol, w = w[0], w[1:]
	}
	var ok bool
	if ace.Src, w, ok = addrSpec(w, v6); !ok {
		return ace, false
	}
	if !ext {
		for _, x := range w {
			if x != "log" {
				return ace, false
			}
			ace.Flags = append(ace.Flags, x)
		}
		return ace, true
	}
	if ace.SrcPorts, w, ok = ports(w); !ok {
		return ace, false
	}
	if ace.Dst, w, ok = addrSpec(w, v6); !ok {
		return ace, false
	}
	if ace.DstPorts, w, ok = ports(w); !ok {
		return ace, false
	}
	for _, x := range w {
		switch x {
		case "established", "log", "log-input", "echo", "echo-reply", "unreachable", "time-exceeded",
			"packet-too-big", "nd-na", "nd-ns", "router-advertisement", "router-solicitation", "fragments",
			"ttl-exceeded", "parameter-problem", "syn", "ack", "fin", "rst", "psh", "urg", "traceroute",
			"port-unreachable", "host-unreachable", "administratively-prohibited":
			ace.Flags = append(ace.Flags, x)
		default:
			if cisco.IsNumber(x) && (ace.Protocol == "icmp" || ace.Protocol == "ipv6-icmp" || ace.Protocol == "icmpv6") {
				ace.Flags = append(ace.Flags, x)
				continue
			}
			return ace, false
		}
	}
	return ace, true
}

// addrSpec reads any | host A | A W (IPv4) | P (IPv6).
func addrSpec(w []string, v6 bool) (model.AddrSpec, []string, bool) {
	var s model.AddrSpec
	if len(w) == 0 {
		return s, w, false
	}
	switch w[0] {
	case "any":
		s.Any = true
		return s, w[1:], true
	case "host":
		if len(w) < 2 {
			return s, w, false
		}
		a, err := netip.ParseAddr(w[1])
		if err != nil {
			return s, w, false
		}
		s.Addr = a
		if v6 {
			s.Prefix = netip.PrefixFrom(a, 128)
		} else {
			s.Wildcard = netip.IPv4Unspecified()
		}
		return s, w[2:], true
	}
	if v6 {
		pf, err := netip.ParsePrefix(w[0])
		if err != nil {
			return s, w, false
		}
		s.Prefix = pf
		return s, w[1:], true
	}
	a, err := netip.ParseAddr(w[0])
	if err != nil || !a.Is4() {
		return s, w, false
	}
	s.Addr = a
	s.Wildcard = netip.IPv4Unspecified()
	if len(w) >= 2 {
		if wc, err := netip.ParseAddr(w[1]); err == nil && wc.Is4() {
			s.Wildcard = wc
			return s, w[2:], true
		}
	}
	return s, w[1:], true
}

// ports reads an optional port operator: eq P, neq P, lt P, gt P, range
// A B (ports may be names).
func ports(w []string) (string, []string, bool) {
	if len(w) == 0 {
		return "", w, true
	}
	switch w[0] {
	case "eq", "neq", "lt", "gt":
		if len(w) < 2 {
			return "", w, false
		}
		// `eq` may list several ports.
		i := 2
		for w[0] == "eq" && i < len(w) && isPort(w[i]) {
			i++
		}
		return strings.Join(w[:i], " "), w[i:], true
	case "range":
		if len(w) < 3 {
			return "", w, false
		}
		return strings.Join(w[:3], " "), w[3:], true
	}
	return "", w, true
}

// isPort reports whether s is a port number or a well-known port name
// that could follow `eq` (and is not an entry keyword).
func isPort(s string) bool {
	if cisco.IsNumber(s) {
		return true
	}
	switch s {
	case "www", "telnet", "ssh", "domain", "smtp", "ftp", "ftp-data", "bgp", "snmp", "ntp", "tftp", "pop3", "https", "echo", "isakmp", "non500-isakmp", "syslog", "bootps", "bootpc", "22", "443":
		return true
	}
	return false
}
