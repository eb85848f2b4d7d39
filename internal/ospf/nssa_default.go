package ospf

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// nssaDefault is a type-7 default an NSSA border router or NSSA ASBR
// originates for `area X nssa default-information-originate` (RFC 3101
// 2.7).
type nssaDefault struct {
	area   model.AreaID
	metric int
	e2     bool
	p      bool
	fa     netip.Addr
	what   string
}

// nssaDefaults decides which type-7 defaults an instance originates; it
// runs after classify (ABR known) and before the router-LSAs (a router
// that originates one as an ASBR sets the E-bit).
//
// FRR ospf6d 8.4 (ospf6d/ospf6_nssa.c ospf6_abr_nssa_type_7_defaults,
// ospf6_abr_nssa_type_7_default_create): an ABR always originates it; a
// router that is not an ABR only when it is an ASBR (redistribution
// configured) and zebra has a route to ::/0 (nssa_default_import_check).
// The LSA has the P-bit clear, metric 1 and type 2 unless configured
// (DEFAULT_DEFAULT_ALWAYS_METRIC, DEFAULT_METRIC_TYPE) and the area's
// forwarding address (ospf6_nssa_lsa_originate). FRR ospfd 8.4 has no
// such command (the parser reports it).
//
// IOS, from its documentation (OSPF Command Reference, "area nssa":
// default-information-originate "takes effect only on the NSSA ABR or
// the NSSA ASBR"; an NSSA ASBR needs a default route in its routing
// table), not checked against a real IOS: the ABR's LSA has the P-bit
// clear and no forwarding address (RFC 3101 2.7), an NSSA ASBR's has the
// P-bit set and a forwarding address as for its other type-7 LSAs.
func nssaDefaults(in *Instance) []nssaDefault {
	if !in.RouterID.IsValid() || in.Version == 2 && isFRR(in) {
		return nil
	}
	var out []nssaDefault
	for _, a := range in.Areas {
		ar := in.Proc.Area(a)
		if ar == nil || ar.Type != model.AreaNSSA || ar.NSSADefaultOriginate == nil {
			continue
		}
		d := ar.NSSADefaultOriginate
		if !in.ABR {
			if !(len(in.Proc.Redistribute) > 0 || in.ASBR) || !hasStaticDefault(in) {
				continue
			}
		}
		n := nssaDefault{area: a, metric: d.Metric, e2: d.MetricType != 1, what: "area " + a.String() + " nssa default-information-originate at " + d.Pos.String()}
		if n.metric == 0 {
			n.metric = 1
		}
		switch {
		case frr6(in):
			n.fa = nssaForwardingAddress6(in, a)
		case !in.ABR:
			n.p = true
			if in.Version == 2 {
				n.fa = nssaForwardingAddress(in, a, netip.Addr{})
			}
		}
		if in.ABR {
			n.what += " (an NSSA border router originates it unconditionally)"
		} else {
			n.what += " (an NSSA ASBR with a default route)"
		}
		out = append(out, n)
	}
	return out
}

// originateNSSADefaults puts the type-7 defaults into their areas.
func originateNSSADefaults(in *Instance, ds []nssaDefault) {
	def := defaultPrefix(in)
	for _, d := range ds {
		db := in.dbs[d.area]
		if db == nil {
			continue
		}
		l := &LSA{Type: LSANSSA, Area: d.area, AdvRouter: in.RouterID, Prefix: def, Metric: d.metric, E2: d.e2, P: d.p, FA: d.fa, origin: in, What: d.what}
		db.add(l)
		in.lsas = append(in.lsas, l)
	}
}

// nssaDefaultUnused says why a border router does not use a type-7
// default LSA of area a, or "". RFC 3101 2.5 (3): a border router
// ignores one with the P-bit clear, and any when the area is totally
// stubby (no-summary). FRR ospf6d 8.4 tests the P-bit the other way
// round (ospf6d/ospf6_asbr.c ospf6_asbr_lsa_add: it skips the LSA when
// the P-bit is set); FRR ospfd 8.4 has no such test (ospf_ase.c).
func nssaDefaultUnused(in *Instance, l *LSA) string {
	if l.Type != LSANSSA || l.Prefix.Bits() != 0 || !in.ABR {
		return ""
	}
	ar := in.Proc.Area(l.Area)
	noSummary := ar != nil && ar.NoSummary
	switch {
	case frr6(in):
		if l.P || noSummary {
			return "an NSSA border router skips a type-7 default with the P-bit set or in a no-summary NSSA (FRR ospf6d/ospf6_asbr.c ospf6_asbr_lsa_add, which reverses RFC 3101 2.5's P-bit test)"
		}
	case isFRR(in):
	default:
		if !l.P || noSummary {
			return fmt.Sprintf("an NSSA border router ignores a type-7 default with the P-bit clear, or any when area %s is no-summary (RFC 3101 2.5 step 3)", l.Area)
		}
	}
	return ""
}

// nssaBorderE reports whether an NSSA border router sets the E-bit for
// being one: RFC 3101 3.1 ("all NSSA border routers must set the E-bit
// in the Type-1 router-LSAs of their directly attached non-stub areas,
// even when they are not translating"), as farend takes IOS to do (not
// checked against a real IOS). FRR does not: ospfd sets it only when
// the router originates AS-external LSAs, translated ones included
// (ospf_lsa.c router_lsa_flags, IS_OSPF_ASBR), ospf6d for the elected
// translator (markTranslators).
func nssaBorderE(in *Instance) bool {
	if !in.ABR || isFRR(in) {
		return false
	}
	for _, a := range in.Areas {
		if areaType(in, a) == model.AreaNSSA {
			return true
		}
	}
	return false
}
