package bgp

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/policy"
)

// prefixListPermits: see policy.PrefixListPermits.
func prefixListPermits(r *model.Router, name string, p netip.Prefix) (bool, string) {
	return policy.PrefixListPermits(r, name, p)
}

// applyRouteMap runs a route-map on a path, changing it in place (see
// policy.RunRouteMap for the walk). BGP evaluates no match clause beyond
// the shared prefix-list one.
func applyRouteMap(r *model.Router, name string, p *Path) (ok bool, why string, unknown []string) {
	return policy.RunRouteMap(r, name, pathRoute{p})
}

// pathRoute is a path as policy.Route.
type pathRoute struct{ p *Path }

func (x pathRoute) Prefix() netip.Prefix            { return x.p.Prefix }
func (x pathRoute) Match(model.Clause) (bool, bool) { return true, false }
func (x pathRoute) Set(c model.Clause) bool         { return setClause(c, x.p) }

// setClause applies one set clause; false when farend does not model it.
func setClause(c model.Clause, p *Path) bool {
	num := func() (uint32, bool) {
		if len(c.Values) != 1 {
			return 0, false
		}
		v, err := strconv.ParseUint(c.Values[0], 10, 32)
		return uint32(v), err == nil
	}
	switch c.What {
	case "local-preference":
		if v, ok := num(); ok {
			p.LocalPref = v
			return true
		}
	case "metric":
		if v, ok := num(); ok {
			p.MED, p.HasMED = v, true
			return true
		}
	case "weight":
		if v, ok := num(); ok {
			p.Weight = v
			return true
		}
	case "as-path prepend":
		var as []uint32
		for _, x := range c.Values {
			v, err := strconv.ParseUint(x, 10, 32)
			if err != nil {
				return false
			}
			as = append(as, uint32(v))
		}
		p.ASPath = append(as, p.ASPath...)
		return true
	case "origin":
		if len(c.Values) == 1 {
			switch c.Values[0] {
			case "igp":
				p.Origin = OriginIGP
			case "egp":
				p.Origin = OriginEGP
			case "incomplete":
				p.Origin = OriginIncomplete
			default:
				return false
			}
			return true
		}
	}
	return false
}
