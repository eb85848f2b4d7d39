package ospf

import (
	"fmt"
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/policy"
)

// redistRouteMap runs the route-map of a `redistribute ... route-map
// NAME` on one route: false drops it. The set clauses OSPF takes are
// metric, metric-type and tag (FRR ospfd/ospf_routemap.c route_set_metric,
// route_set_metric_type, route_set_tag; IOS route-map set metric /
// set metric-type type-1|type-2 / set tag for redistribution into OSPF).
// Clauses farend does not evaluate go to in.Notes.
func redistRouteMap(in *Instance, name string, e *external) bool {
	if in.Dev.Router == nil {
		return true
	}
	if in.Dev.Router.RouteMap(name) == nil {
		in.note(fmt.Sprintf("route-map %s does not exist: `redistribute ... route-map %s` redistributes nothing (FRR denies with a missing map)", name, name))
		return false
	}
	ok, _, unknown := policy.RunRouteMap(in.Dev.Router, name, extRoute{e})
	for _, u := range unknown {
		in.note(fmt.Sprintf("%s (redistribution into %s)", u, in.Name()))
	}
	return ok
}

// extRoute is a route being redistributed, as policy.Route.
type extRoute struct{ e *external }

func (x extRoute) Prefix() netip.Prefix { return x.e.prefix }

// Match: only the prefix-list clause policy evaluates is known.
func (x extRoute) Match(model.Clause) (bool, bool) { return true, false }

func (x extRoute) Set(c model.Clause) bool {
	if len(c.Values) != 1 {
		return false
	}
	v := c.Values[0]
	switch c.What {
	case "metric":
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n > 16777215 {
			return false
		}
		x.e.metric = int(n)
		return true
	case "metric-type":
		switch v {
		case "type-1":
			x.e.e2 = false
			return true
		case "type-2":
			x.e.e2 = true
			return true
		}
	case "tag":
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return false
		}
		x.e.tag = uint32(n)
		return true
	}
	return false
}
