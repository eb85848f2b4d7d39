package ospf

import "fmt"

// peIgnores says why a PE process (IOS `router ospf N vrf X` without
// `capability vrf-lite`) does not use an LSA it holds, or "": RFC 4577
// 4.2.6, the loop prevention of OSPF as the PE-CE protocol. An LSA with
// the DN bit set (type 3, 5 or 7: RFC 4576 section 4) came down from a
// PE and is not used; neither is a type-5 LSA whose route tag is the PE's
// VPN route tag (RFC 4577 4.2.6; IOS applies the tag to type-7 LSAs as
// well: Cisco describes the domain tag as "applicable only for the OSPF
// Type 5 and Type 7 LSA", and its debug says "Tag equals to VPN Tag,
// ignoring the LSA"). The LSA stays in the LSDB.
func peIgnores(in *Instance, l *LSA) string {
	if !in.Proc.VPNPE {
		return ""
	}
	fix := fmt.Sprintf("if this router is no PE but a VRF-lite (multi-VRF CE) router, add `capability vrf-lite` under `%s`", procLine(in))
	if l.DN {
		return "the DN bit is set: it came from a PE, and a PE does not use such LSAs (RFC 4576 section 4, RFC 4577 4.2.6); " + fix
	}
	if l.Type != LSAExternal && l.Type != LSANSSA {
		return ""
	}
	if tag, ok, _ := vpnRouteTag(in); ok && l.Tag == tag {
		from := "computed from the BGP AS"
		if in.Proc.DomainTag != nil {
			from = "`domain-tag` at " + in.Proc.DomainTag.Pos.String()
		}
		return fmt.Sprintf("its route tag %d is this PE's VPN route tag (%s): a PE does not use such LSAs (RFC 4577 4.2.6); %s", l.Tag, from, fix)
	}
	return ""
}
