package ospf

import (
	"sort"

	"farend/internal/model"
)

// DBEntry is one LSA as an instance holds it, and whether it gives the
// instance a route.
type DBEntry struct {
	// Scope is "area" or "as" (AS-external LSAs).
	Scope string       `json:"scope"`
	Area  model.AreaID `json:"area"`
	LSA   *LSA         `json:"lsa"`
	// Used is true when the LSA is part of the SPF tree or gives an
	// installed OSPF route; Why says why not (or what it gives).
	Used bool   `json:"used"`
	Why  string `json:"why"`
}

// LSDB lists what an instance holds in each of its areas, then in the
// AS-external domain.
func (r *Result) LSDB(in *Instance) []DBEntry {
	used := map[*LSA]bool{}
	for _, f := range in.table.final {
		if f.lsa != nil {
			used[f.lsa] = true
		}
	}
	for _, ls := range in.table.more {
		for _, l := range ls {
			used[l] = true
		}
	}
	for _, a := range in.Areas {
		if res := in.spf[a]; res != nil {
			for _, v := range res.routers {
				used[v.lsa] = true
			}
			for _, v := range res.nets {
				used[v.lsa] = true
			}
		}
	}
	for _, rs := range in.table.routers {
		for _, x := range rs {
			if x.lsa != nil && x.lsa.Type == LSAASBRSummary {
				used[x.lsa] = true
			}
		}
	}
	var out []DBEntry
	entry := func(scope string, area model.AreaID, l *LSA) DBEntry {
		e := DBEntry{Scope: scope, Area: area, LSA: l, Used: used[l]}
		switch {
		case l.origin == in:
			e.Used, e.Why = true, "originated by this router: "+originWhy(l)
		case e.Used && (l.Type == LSARouter || l.Type == LSANetwork):
			e.Why = "in the shortest-path tree"
		case e.Used:
			e.Why = "gives an installed route"
		case r.unused[in][l] != "":
			e.Why = r.unused[in][l]
		case l.Type == LSARouter || l.Type == LSANetwork:
			e.Why = "not reachable in the shortest-path tree (no bidirectional link to it)"
		default:
			e.Why = "a better route to the same destination exists"
		}
		return e
	}
	for _, a := range in.Areas {
		lsas := append([]*LSA(nil), in.dbs[a].lsas...)
		sortLSAs(lsas)
		for _, l := range lsas {
			out = append(out, entry("area", a, l))
		}
	}
	if in.ext != nil {
		lsas := append([]*LSA(nil), in.ext.lsas...)
		sortLSAs(lsas)
		for _, l := range lsas {
			out = append(out, entry("as", 0, l))
		}
	}
	return out
}

func originWhy(l *LSA) string {
	if l.What != "" {
		return l.What
	}
	return "its own " + l.Type.Name(l.origin.Version)
}

func sortLSAs(ls []*LSA) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.AdvRouter != b.AdvRouter {
			return a.AdvRouter.Less(b.AdvRouter)
		}
		return a.ID() < b.ID()
	})
}

// InstancesOf returns the instances of a device, optionally only those of
// one VRF (all VRFs when vrf is "*").
func (r *Result) InstancesOf(dev *model.Device, vrf string) []*Instance {
	var out []*Instance
	for _, in := range r.byDev[dev] {
		if vrf == "*" || in.Proc.VRF == vrf {
			out = append(out, in)
		}
	}
	return out
}
