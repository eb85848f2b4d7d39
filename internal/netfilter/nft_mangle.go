package netfilter

import (
	"fmt"
	"net/netip"
)

// NFTMangle is a set statement: `meta mark set ...`, `ct mark set ...`,
// `ip dscp set cs1`, `tcp dport set 80`, `meta nftrace set 1` ... (nftables
// JSON "mangle"; the kernel's nft_meta_set_eval, nft_ct_set_eval,
// nft_payload_set_eval). The value is loaded first (`meta mark set ct
// mark` ends the rule when there is no conntrack entry, like any load);
// then:
//
//   - meta mark: the packet mark;
//   - ct mark: the entry's mark; nothing without an entry
//     (nft_ct_set_eval returns when there is none);
//   - ct zone: the zone of a packet not yet tracked (nft_ct_set_zone_eval;
//     nothing for a tracked one);
//   - payload fields ip/ip6 saddr, daddr, dscp, ecn, ttl/hoplimit and the
//     ports of tcp/udp/th: the packet (stateless rewriting; a packet
//     without the header ends the rule, as for a load);
//   - meta nftrace, priority, secmark, pkttype, ct label, ct event,
//     ct helper, tcp options: no effect farend models on the path or the
//     verdict.
//
// The zero NFTMangle sets nothing.
type NFTMangle struct {
	Key, Value NFTExpr
	Text       string
}

func (s *NFTMangle) String() string { return s.Text }

// Apply implements Target.
func (s *NFTMangle) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

func (s *NFTMangle) effect() nftEffect {
	switch k := s.Key.(type) {
	case *NFTMeta:
		if k.Key == "mark" {
			return effChange
		}
	case *NFTCt:
		if k.Key == "mark" || k.Key == "zone" {
			return effChange
		}
	case *NFTPayload:
		return effChange
	}
	return effNone
}

// Exec implements NFTStmt.
func (s *NFTMangle) Exec(c *Ctx) (Verdict, bool) {
	if s.Key == nil || s.Value == nil {
		return Verdict{}, false
	}
	// A payload destination carries its protocol dependency.
	if p, ok := s.Key.(*NFTPayload); ok {
		if _, r, why := p.Load(c); r == No {
			c.Explain("`%s` ends the rule: %s", s.Text, why)
			return Verdict{}, true
		}
	}
	v, r, why := s.Value.Load(c)
	switch {
	case r == No:
		c.Explain("`%s` ends the rule: %s", s.Text, why)
		return Verdict{}, true
	case r == Maybe || v.Unknown != 0:
		if why == "" {
			why = "the value has bits farend does not know"
		}
		c.Explain("%s: the new value is not known (%s); farend leaves it unchanged", s.Text, why)
		return Verdict{}, false
	}
	switch k := s.Key.(type) {
	case *NFTMeta:
		if k.Key == "mark" {
			old := c.Pkt.Mark
			c.Pkt.Mark = uint32(v.Num)
			c.Explain("%s: packet mark 0x%x -> 0x%x", s.Text, old, c.Pkt.Mark)
			return Verdict{}, false
		}
	case *NFTCt:
		switch k.Key {
		case "mark":
			if !c.Ct.Tracked || c.Ct.Untracked {
				c.Explain("%s: the packet has no conntrack entry, so nothing is set", s.Text)
				return Verdict{}, false
			}
			old := c.Ct.Mark
			c.Ct.Mark = uint32(v.Num)
			c.Explain("%s: conntrack mark 0x%x -> 0x%x", s.Text, old, c.Ct.Mark)
			return Verdict{}, false
		case "zone":
			if c.Ct.Tracked {
				c.Explain("%s: the packet is already tracked, so the zone does not change", s.Text)
				return Verdict{}, false
			}
			c.Ct.Zone = uint16(v.Num)
			c.Explain("%s: conntrack zone %d", s.Text, c.Ct.Zone)
			return Verdict{}, false
		}
	case *NFTPayload:
		if s.setPayload(c, k, v) {
			return Verdict{}, false
		}
	}
	c.Explain("%s: no effect on the packet's path or verdict that farend models", s.Text)
	return Verdict{}, false
}

// setPayload rewrites a header field of c.Pkt; false when farend does not
// model the field.
func (s *NFTMangle) setPayload(c *Ctx, k *NFTPayload, v NFTValue) bool {
	before := c.Pkt
	p := &c.Pkt
	setAddr := func(dst *netip.Addr) bool {
		if !v.Addr.IsValid() || v.Addr.BitLen() != dst.BitLen() {
			return false
		}
		*dst = v.Addr
		return true
	}
	ok := true
	switch k.Field {
	case "saddr":
		ok = setAddr(&p.Src)
	case "daddr":
		ok = setAddr(&p.Dst)
	case "dscp":
		p.TOS = p.TOS&3 | uint8(v.Num)<<2
	case "ecn":
		p.TOS = p.TOS&^3 | uint8(v.Num)&3
	case "ttl", "hoplimit":
		p.TTL = uint8(v.Num)
	case "sport":
		ok = p.HasPorts()
		if ok {
			p.SPort = uint16(v.Num)
		}
	case "dport":
		ok = p.HasPorts()
		if ok {
			p.DPort = uint16(v.Num)
		}
	default:
		ok = false
	}
	if ok {
		c.Explain("%s: %s -> %s (stateless rewrite)", s.Text, fmt.Sprint(before), fmt.Sprint(c.Pkt))
	}
	return ok
}
