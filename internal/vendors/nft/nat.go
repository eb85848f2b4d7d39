package nft

import (
	"fmt"
	"strings"

	nf "farend/internal/netfilter"
)

// nat reads snat, dnat, masquerade and redirect: {"family": "ip", "addr":
// A, "port": P, "flags": F}, where A and P are a value, a range, a prefix
// or a map lookup {"map": {"key": K, "data": "@m"}}.
func (r *ruleCtx) nat(kind string, m jobj) (item, error) {
	s := &nf.NFTNAT{Kind: kind}
	famWord := ""
	if f, ok := str(m, "family"); ok {
		switch f {
		case "ip":
			s.Family = nf.IPv4
		case "ip6":
			s.Family = nf.IPv6
		default:
			return item{}, fmt.Errorf("unknown nat family %q", f)
		}
		famWord = " " + f
	}
	addrType := nf.NFTIPv4Addr
	switch {
	case s.Family == nf.IPv6, s.Family == nf.FamilyUnknown && r.fam == nf.IPv6:
		addrType = nf.NFTIPv6Addr
	}
	var addrText, portText string
	if a, ok := m.get("addr"), m.has("addr"); ok {
		var err error
		s.Addr, addrText, err = r.natArg(a, addrType)
		if err != nil {
			return item{}, err
		}
		if s.Addr.Map != nil && len(s.Addr.Map.DataTypes) == 1 && s.Addr.Map.DataTypes[0] != addrType {
			// A map of ipv6 data in a dnat without family: trust the map.
			addrType = s.Addr.Map.DataTypes[0]
		}
	}
	if pv, ok := m.get("port"), m.has("port"); ok {
		var err error
		s.Port, portText, err = r.natArg(pv, nf.NFTInetService)
		if err != nil {
			return item{}, err
		}
	}
	if fl, ok := strList(m.get("flags")); ok {
		s.Flags = fl
	}
	text := kind
	if addrText != "" || portText != "" {
		text += famWord + " to "
		if addrType == nf.NFTIPv6Addr && portText != "" && s.Addr.Map == nil {
			addrText = "[" + addrText + "]"
		}
		text += addrText
		if portText != "" {
			text += ":" + portText
		}
	}
	if len(s.Flags) > 0 {
		text += " " + strings.Join(s.Flags, ",")
	}
	s.Text = text
	return item{stmt: s, text: text}, nil
}

// natArg reads the address or port of a nat statement.
func (r *ruleCtx) natArg(v any, t nf.NFTType) (nf.NFTNATArg, string, error) {
	if k, body, ok := single(v); ok && k == "map" {
		m, _ := obj(body)
		keys, types, ktext, err := r.key(m.get("key"))
		if err != nil {
			return nf.NFTNATArg{}, "", err
		}
		data := []nf.NFTType{t}
		if name, ok := m.get("data").(string); ok && strings.HasPrefix(name, "@") {
			if set := r.table.NFT.Sets[name[1:]]; set != nil {
				data = set.DataTypes
			}
		} else if k, body, ok := single(m.get("data")); ok && k == "set" {
			// The data type of an anonymous map: from its first element.
			if l, ok := body.([]any); ok && len(l) > 0 {
				if pair, ok := l[0].([]any); ok && len(pair) == 2 {
					if k2, b2, ok := single(pair[1]); ok && k2 == "concat" {
						if parts, ok := b2.([]any); ok && len(parts) == 2 {
							data = []nf.NFTType{t, nf.NFTInetService}
						}
					}
				}
			}
		}
		set, stext, err := r.setRef(m.get("data"), elemSpec{key: types, data: data, isMap: true})
		if err != nil {
			return nf.NFTNATArg{}, "", err
		}
		return nf.NFTNATArg{Key: keys, Map: set}, ktext + " map " + stext, nil
	}
	c, text, err := constant(t, v)
	if err != nil {
		return nf.NFTNATArg{}, "", err
	}
	return nf.NFTNATArg{Set: true, Lo: c.Lo, Hi: c.Hi}, text, nil
}
