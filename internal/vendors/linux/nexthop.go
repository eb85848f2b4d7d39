package linux

import (
	"strconv"

	"farend/internal/model"
)

// parseNexthops reads a route's paths. A single-path route prints
// "gateway" (or "via" for a gateway of the other family, RFC 5549),
// "dev" and its nexthop's flags at the top level; a multipath route prints
// "nexthops":[{"gateway","dev","weight","flags"}...] (ip/iproute.c
// print_rta_multipath, weight = rtnh_hops+1). For a multipath route the
// top-level flags carry what holds for all paths (the kernel's fib_flags:
// dead or linkdown when every path is).
func parseNexthops(o obj, r *model.Route) {
	var top model.Nexthop
	hasTop := readGateway(o, &top)
	if d, ok := o.str("dev"); ok {
		top.Dev = d
		hasTop = true
	}
	topFlags := o.strs("flags")
	var nhs []model.Nexthop
	if elems, ok := o.arr("nexthops"); ok {
		for i, e := range elems {
			n, ok := o.elem("nexthops", i, e)
			if !ok {
				continue
			}
			var nh model.Nexthop
			if n.has("encap") {
				enc := parseEncap(n)
				if r.Encap != "" {
					r.Encap += "; "
				}
				r.Encap += "nexthop " + strconv.Itoa(i) + " " + enc
			}
			readGateway(n, &nh)
			if d, ok := n.str("dev"); ok {
				nh.Dev = d
			}
			nh.Weight = 1
			if w, ok := n.uint("weight", 9); ok { // rtnh_hops is a byte: 1..256
				nh.Weight = int(w)
			}
			for _, fl := range n.strs("flags") {
				if !applyNexthopFlag(&nh, fl) {
					n.noteValue("flags", fl, "unknown nexthop flag")
				}
			}
			if f := n.take("flow"); f != nil {
				n.bad(f, "route realms are not modelled")
			}
			n.finish()
			nhs = append(nhs, nh)
		}
	}
	switch {
	case len(nhs) > 0:
		if hasTop {
			o.notes.Add(o.pos, "gateway/dev", "printed alongside nexthops; the nexthops are used")
		}
		for _, fl := range topFlags {
			switch fl {
			case "linkdown":
				r.Linkdown = true
			case "dead":
				for i := range nhs {
					nhs[i].Dead = true
				}
			default:
				if _, ok := ignoredRouteFlags[fl]; !ok {
					o.noteValue("flags", fl, "unknown route flag")
				}
			}
		}
		r.Nexthops = nhs
		all := true
		for _, nh := range nhs {
			all = all && nh.Linkdown
		}
		r.Linkdown = r.Linkdown || all
	case hasTop:
		top.Weight = 1
		for _, fl := range topFlags {
			if applyNexthopFlag(&top, fl) {
				continue
			}
			if _, ok := ignoredRouteFlags[fl]; !ok {
				o.noteValue("flags", fl, "unknown route flag")
			}
		}
		r.Linkdown = top.Linkdown
		r.Nexthops = []model.Nexthop{top}
	default:
		for _, fl := range topFlags {
			if _, ok := ignoredRouteFlags[fl]; !ok {
				o.noteValue("flags", fl, "route flag on a route without a nexthop")
			}
		}
	}
}

// readGateway reads "gateway" or "via":{"family","host"} into nh.
func readGateway(o obj, nh *model.Nexthop) bool {
	found := false
	if a, ok := o.addr("gateway"); ok {
		nh.Gateway = a
		found = true
	}
	if v, ok := o.sub("via"); ok {
		fam, _ := v.str("family")
		if fam != "inet" && fam != "inet6" {
			v.notes.Add(v.pos, "via="+v.n.String(), "gateway family not modelled")
			v.ignoreAll()
		} else if a, ok := v.addr("host"); ok && a.Is4() == (fam == "inet") {
			nh.Gateway = a
			found = true
		} else if ok {
			v.notes.Add(v.pos, "via="+v.n.String(), "address does not fit the family")
		}
		v.finish()
	}
	return found
}

// applyNexthopFlag sets the RTNH_F_* flag fl (print_rt_flags) on nh.
func applyNexthopFlag(nh *model.Nexthop, fl string) bool {
	switch fl {
	case "onlink":
		nh.Onlink = true
	case "dead":
		nh.Dead = true
	case "linkdown":
		nh.Linkdown = true
	default:
		_, ok := ignoredNexthopFlags[fl]
		return ok
	}
	return true
}

var ignoredNexthopFlags = map[string]string{
	"offload": "hardware offload", "trap": "hardware offload",
}

// ignoredRouteFlags are the RTM_F_* flags of the route itself.
var ignoredRouteFlags = map[string]string{
	"offload": "hardware offload", "trap": "hardware offload",
	"rt_offload": "hardware offload", "rt_trap": "hardware offload",
	"rt_offload_failed": "hardware offload", "notify": "route get only",
}
