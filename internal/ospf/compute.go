package ospf

import (
	"runtime"
	"sync"

	"farend/internal/model"
)

// Result is the OSPF prediction for a snapshot.
type Result struct {
	Instances   []*Instance
	Adjacencies []*Adjacency
	links       []*link
	// unused holds, per instance, why an LSA it holds gives no route.
	unused map[*Instance]map[*LSA]string
	byDev  map[*model.Device][]*Instance
	// imp gives the other protocols' routes for `redistribute`.
	imp Importer
}

// Compute predicts adjacencies, LSDBs and routes of every OSPF process of
// the devices.
func Compute(devs []*model.Device) *Result {
	return compute(devs, nil)
}

func compute(devs []*model.Device, imp Importer) *Result {
	r := &Result{unused: map[*Instance]map[*LSA]string{}, byDev: map[*model.Device][]*Instance{}, imp: imp}
	ins := instances(devs)
	r.Instances = ins
	for _, in := range ins {
		r.byDev[in.Dev] = append(r.byDev[in.Dev], in)
	}
	r.links = buildLinks(ins)
	r.Adjacencies = adjacencies(r.links)
	// Virtual links (RFC 2328 15) come up from the transit areas' SPF,
	// and their adjacencies change the backbone: compute, settle the
	// virtual links, and compute again until they stay as they are.
	vls, refused := virtualLinks(ins)
	for pass := 0; ; pass++ {
		r.compute(ins)
		if len(vls) == 0 {
			break
		}
		changed := settleVirtualLinks(vls)
		changed = settleTransit(ins) || changed
		if !changed || pass == maxVLPasses {
			break
		}
	}
	r.Adjacencies = append(append(r.Adjacencies, vlAdjacencies(vls)...), refused...)
	sortAdjacencies(r.Adjacencies)
	return r
}

// maxVLPasses bounds the computations that settle the virtual links and
// the transit areas' changes to backbone routes (settleTransit): the FRR
// labs settle in two or three. If they have not settled by then, the last
// computation stands and the virtual adjacencies shown are one step
// ahead of it.
const maxVLPasses = 6

// compute builds every instance's LSDBs and routing table from the
// adjacencies, from scratch.
func (r *Result) compute(ins []*Instance) {
	for _, in := range ins {
		in.ABR, in.ABRWhy, in.ASBR, in.translator, in.activeBB = false, "", false, false, false
		in.ext, in.lsas, in.Notes = nil, nil, nil
		in.transitNow = map[transitKey]transitRoute{}
		r.unused[in] = map[*LSA]string{}
		in.table = newRouteTable(nil)
		in.table.advPaths = in.Version == 2 && isFRR(in)
		in.table.lastASBR = in.table.advPaths
		in.dbs = map[model.AreaID]*lsdb{}
		in.spf = map[model.AreaID]*spfResult{}
		classify(in)
	}
	exts := map[*Instance][]external{}
	for _, in := range ins {
		if !in.RouterID.IsValid() {
			continue
		}
		exts[in] = externals(in, r.imp)
		in.ASBR = len(exts[in]) > 0
	}
	ndefs := map[*Instance][]nssaDefault{}
	for _, in := range ins {
		if ds := nssaDefaults(in); len(ds) > 0 {
			ndefs[in] = ds
			if !in.ABR {
				in.ASBR = true
			}
		}
	}
	// Area LSDBs: router-, network- and intra-area-prefix LSAs flood
	// over Full adjacencies within an area (RFC 2328 13.3).
	domains := floodDomains(ins)
	markTranslators(ins, exts)
	// Number the external destinations now, so that the tables are
	// sized once (routeTable.slot).
	for _, in := range ins {
		for _, e := range exts[in] {
			in.table.pidx.add(e.prefix)
		}
		if len(ndefs[in]) > 0 {
			in.table.pidx.add(defaultPrefix(in))
		}
	}
	for _, in := range ins {
		if !in.RouterID.IsValid() {
			continue
		}
		for _, a := range in.Areas {
			for _, l := range originateArea(in, a) {
				in.dbs[a].add(l)
				in.lsas = append(in.lsas, l)
			}
		}
	}
	// Intra-area routes (RFC 2328 16.1).
	parallel(ins, func(in *Instance) {
		for _, a := range in.Areas {
			res := spf(in, in.dbs[a])
			in.spf[a] = res
			intraRoutes(in, a, in.dbs[a], res, in.table)
		}
	})
	// Summaries of intra-area routes and the stub/NSSA defaults, then the
	// backbone's inter-area routes at the ABRs, then the summaries of
	// those into the other areas, then everyone's inter-area routes
	// (RFC 2328 12.4.3, 16.2; FRR ospfd/ospf_abr.c ospf_abr_task).
	var frr6s, others []*Instance
	for _, in := range ins {
		if frr6(in) {
			frr6s = append(frr6s, in)
		} else {
			others = append(others, in)
		}
	}
	for _, in := range others {
		if in.ABR {
			summarize(in, false)
		}
	}
	parallel(others, func(in *Instance) {
		if in.ABR && in.activeBB {
			interArea(r, in)
		}
	})
	for _, in := range others {
		if in.ABR {
			summarize(in, true)
		}
	}
	parallel(others, func(in *Instance) {
		if in.ABR && in.activeBB {
			transitSummaries(r, in)
		}
	})
	parallel(others, func(in *Instance) {
		if !(in.ABR && in.activeBB) {
			interArea(r, in)
		}
	})
	interAreaFRR6(r, frr6s)
	parallel(ins, pruneNoPaths)
	// External LSAs (RFC 2328 12.4.4, RFC 3101) and their routes.
	originateExternals(ins, exts, domains)
	for _, in := range ins {
		originateNSSADefaults(in, ndefs[in])
	}
	translateNSSA(ins)
	// Every LSA is in: the tables can be frozen in prefix order.
	sorted := map[*prefixIndex]bool{}
	for _, in := range ins {
		if x := in.table.pidx; x != nil && !sorted[x] {
			sorted[x] = true
			x.sortOrder()
		}
	}
	parallel(ins, func(in *Instance) {
		externalRoutes(r, in)
		in.table.freeze(func(t PathType) int { return distance(in, t) })
	})
}

// parallel runs f for every instance on all CPUs. The phases that use it
// only read the LSDBs and write the instance's own tables; each
// instance's unused-LSA map exists before (Compute).
func parallel(ins []*Instance, f func(*Instance)) {
	n := runtime.GOMAXPROCS(0)
	if n > len(ins) {
		n = len(ins)
	}
	var wg sync.WaitGroup
	next := make(chan *Instance)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range next {
				f(in)
			}
		}()
	}
	for _, in := range ins {
		next <- in
	}
	close(next)
	wg.Wait()
}

// distance is the administrative distance of an OSPF route type.
func distance(in *Instance, t PathType) int {
	s := in.Proc.DistanceIntra
	switch {
	case t == PathInter:
		s = in.Proc.DistanceInter
	case t.external():
		s = in.Proc.DistanceExternal
	}
	if s.Value > 0 {
		return s.Value
	}
	return 110
}

// classify decides whether an instance is an area border router and
// whether it has an active backbone connection. FRR's default ABR type is
// "cisco" (RFC 3509): an ABR has interfaces in more than one area and an
// active interface in area 0 (ospfd/ospf_abr.c ospf_check_abr_status);
// IOS implements RFC 3509 the same way. An IOS process in a VRF without
// `capability vrf-lite` is a PE attached to the MPLS VPN superbackbone
// (RFC 4577 4.2, Cisco "OSPF Support for Multi-VRF on CE Routers"): it
// is an ABR whose backbone is the superbackbone, so it always counts as
// connected to area 0.
func classify(in *Instance) {
	if in.Proc.VPNPE {
		in.ABR, in.activeBB = true, true
		in.ABRWhy = "PE router attached to the MPLS VPN superbackbone: " + in.Proc.VPNPEWhy
		return
	}
	bbUp, has0 := false, false
	for _, f := range in.Ifaces {
		has0 = has0 || f.Area == 0
		if f.Area == 0 && f.Up {
			bbUp = true
		}
		if f.Area == 0 && len(f.full) > 0 {
			in.activeBB = true
		}
	}
	// A virtual link is a backbone interface (RFC 2328 15): ospfd puts
	// its VLINK interface in area 0 when it is configured, which makes
	// area 0 a configured area (virtualLinks adds it to in.Areas), and
	// the backbone actively attached once the link is up, Full or not
	// (ospfd/ospf_abr.c ospf_check_abr_status: areas_configured > 1 &&
	// bb_act_attached, act_ints counting interfaces not Down); a Full
	// virtual neighbour is a backbone connection
	// (ospf_act_bb_connection walks the backbone's oiflist).
	for _, f := range in.vlinks {
		bbUp = bbUp || f.Up
		if len(f.full) > 0 {
			in.activeBB = true
		}
	}
	switch {
	case len(in.Areas) > 1 && bbUp:
		in.ABR = true
		in.ABRWhy = "interfaces in several areas, one of them up in area 0 (RFC 3509 2.2)"
		if !has0 {
			in.ABRWhy = "interfaces in several areas and a virtual link to the backbone (RFC 2328 15, RFC 3509 2.2)"
		}
	case len(in.Areas) > 1:
		in.ABRWhy = "interfaces in several areas but none up in area 0: not an ABR (RFC 3509 2.2), so it uses the summaries of every area"
	}
}

// floodDomains gives every instance its area LSDBs (one per connected
// part of each area) and returns the AS-external domains: instances
// joined by Full adjacencies in areas that carry AS-external LSAs (not
// stub, not NSSA: RFC 2328 3.6, RFC 3101).
func floodDomains(ins []*Instance) map[*Instance]*lsdb {
	// The routing domains, instances joined by Full adjacencies, share
	// one prefix index (prefixIndex).
	comp := make([]int, len(ins))
	for i := range comp {
		comp[i] = i
	}
	top := func(i int) int {
		for comp[i] != i {
			comp[i] = comp[comp[i]]
			i = comp[i]
		}
		return i
	}
	for _, in := range ins {
		for _, f := range in.allIfaces() {
			for _, g := range f.full {
				if a, b := top(in.idx), top(g.Inst.idx); a != b {
					comp[b] = a
				}
			}
		}
	}
	pidx := map[int]*prefixIndex{}
	for _, in := range ins {
		c := top(in.idx)
		if pidx[c] == nil {
			pidx[c] = newPrefixIndex()
		}
		in.table.pidx = pidx[c]
	}
	type key struct {
		in   *Instance
		area model.AreaID
	}
	parent := map[key]key{}
	var find func(key) key
	find = func(k key) key {
		p, ok := parent[k]
		if !ok || p == k {
			parent[k] = k
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	ext := map[*Instance]*Instance{}
	var findExt func(*Instance) *Instance
	findExt = func(i *Instance) *Instance {
		p, ok := ext[i]
		if !ok || p == i {
			ext[i] = i
			return i
		}
		r := findExt(p)
		ext[i] = r
		return r
	}
	for _, in := range ins {
		for _, f := range in.allIfaces() {
			for _, g := range f.full {
				a, b := find(key{in, f.Area}), find(key{g.Inst, g.Area})
				if a != b {
					parent[b] = a
				}
				if areaType(in, f.Area) == model.AreaNormal {
					x, y := findExt(in), findExt(g.Inst)
					if x != y {
						ext[y] = x
					}
				}
			}
		}
	}
	dbs := map[key]*lsdb{}
	for _, in := range ins {
		for _, a := range in.Areas {
			root := find(key{in, a})
			db := dbs[root]
			if db == nil {
				db = newLSDB(a)
				db.pidx = in.table.pidx
				dbs[root] = db
			}
			db.members = append(db.members, in)
			in.dbs[a] = db
		}
	}
	out := map[*Instance]*lsdb{}
	extDBs := map[*Instance]*lsdb{}
	for _, in := range ins {
		normal := false
		for _, a := range in.Areas {
			normal = normal || areaType(in, a) == model.AreaNormal
		}
		root := findExt(in)
		db := extDBs[root]
		if db == nil {
			db = newLSDB(0)
			db.pidx = in.table.pidx
			extDBs[root] = db
		}
		if normal {
			db.members = append(db.members, in)
			in.ext = db
		}
		out[in] = db
	}
	return out
}

// markTranslators makes the elected NSSA translator of each NSSA with a
// type-7 LSA to translate an AS boundary router: RFC 3101 3.1 (a
// translator originates type-5 LSAs, so its router-LSAs carry the E-bit;
// FRR ospfd/ospf_abr.c ospf_abr_translate_nssa originates them through
// ospf_external_lsa, which makes the router an ASBR).
func markTranslators(ins []*Instance, exts map[*Instance][]external) {
	seen := map[*lsdb]bool{}
	for _, in := range ins {
		for _, a := range in.Areas {
			db := in.dbs[a]
			if db == nil || seen[db] || areaType(in, a) != model.AreaNSSA {
				continue
			}
			seen[db] = true
			var tr *Instance
			for _, m := range db.members {
				if m.ABR && (tr == nil || tr.RouterID.Less(m.RouterID)) {
					tr = m
				}
			}
			if tr == nil || tr.ext == nil {
				continue
			}
			for _, m := range db.members {
				if m != tr && !m.ABR && len(exts[m]) > 0 {
					tr.ASBR = true
					tr.translator = true
				}
			}
			if frr6(tr) {
				// ospf6d/ospf6_nssa.c ospf6_abr_nssa_check_status: the
				// elected translator counts itself as redistributing
				// (redist_count++, ospf6_asbr_status_update), so its
				// router-LSAs carry the E-bit, type-7 LSAs or not.
				tr.ASBR = true
				tr.translator = true
			}
		}
	}
}
