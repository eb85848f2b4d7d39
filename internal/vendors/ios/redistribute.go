package ios

import (
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// parseRedistribute reads the words after `redistribute`, for `router
// ospf` and `router bgp` alike.
func parseRedistribute(a []string, pos source.Pos) (model.Redistribution, bool) {
	r := model.Redistribution{Pos: pos}
	if len(a) == 0 {
		return r, false
	}
	r.Protocol = a[0]
	switch a[0] {
	case "connected", "static", "kernel", "rip", "isis", "odr", "lisp", "ospfv3", "ospf6", "table", "babel", "openfabric", "nhrp", "sharp", "vnc", "eigrp", "ospf", "bgp", "mobile":
	default:
		return r, false
	}
	i := 1
	if i < len(a) && cisco.IsNumber(a[i]) {
		r.Process = a[i]
		i++
	}
	for ; i < len(a); i++ {
		next := ""
		if i+1 < len(a) {
			next = a[i+1]
		}
		switch a[i] {
		case "subnets":
			r.Subnets = true
		case "metric":
			v, err := strconv.Atoi(next)
			if err != nil {
				return r, false
			}
			r.Metric = v
			i++
		case "metric-type":
			v, err := strconv.Atoi(next)
			if err != nil {
				return r, false
			}
			r.MetricType = v
			i++
		case "route-map":
			if next == "" {
				return r, false
			}
			r.RouteMap = next
			i++
		case "tag":
			v, err := strconv.ParseUint(next, 10, 32)
			if err != nil {
				return r, false
			}
			r.Tag = uint32(v)
			i++
		case "match":
			// match internal | external [1|2] | nssa-external [1|2] ...
			j := i + 1
			for j < len(a) {
				switch a[j] {
				case "internal":
					r.Match = append(r.Match, "internal")
				case "external", "nssa-external":
					if j+1 < len(a) && (a[j+1] == "1" || a[j+1] == "2") {
						r.Match = append(r.Match, a[j]+" "+a[j+1])
						j++
					} else {
						r.Match = append(r.Match, a[j]+" 1", a[j]+" 2")
					}
				default:
					goto done
				}
				j++
			}
		done:
			if j == i+1 {
				return r, false
			}
			i = j - 1
		case "include-connected", "vrf":
			return r, false
		default:
			return r, false
		}
	}
	return r, true
}
