package ios

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// ospfProc is a process being read, with what resolution needs.
type ospfProc struct {
	proc       *model.OSPFProcess
	networks   []model.OSPFNetwork // in configuration order
	passive    map[string]source.Pos
	notPassive map[string]source.Pos
	areaAuth   map[model.AreaID]model.OSPFAuth
}

// routerOSPF reads `router ospf N [vrf X]`, `ipv6 router ospf N` and
// `router ospfv3 N`.
func (p *parser) routerOSPF(l *line, version int, id, vrf string) {
	p.OK(l)
	proc := model.OSPFProcess{
		Version: version, ID: id, VRF: vrf, Pos: p.Pos(l),
		ReferenceBandwidth: model.Default(100, srcRefBW),
		DistanceIntra:      model.Default(110, srcOSPFDistance),
		DistanceInter:      model.Default(110, srcOSPFDistance),
		DistanceExternal:   model.Default(110, srcOSPFDistance),
		MaximumPaths:       model.Default(4, srcOSPFMaxPaths),
	}
	if version == 2 {
		proc.RFC1583Compatible = model.Default(1, srcRFC1583)
	}
	op := &ospfProc{proc: &proc, passive: map[string]source.Pos{}, notPassive: map[string]source.Pos{}, areaAuth: map[model.AreaID]model.OSPFAuth{}}
	p.ospfChildren(l.Kids, op, version)
	if vrf != "" && version == 2 {
		if proc.CapabilityVRFLite {
			proc.VPNPEWhy = "`capability vrf-lite` turns off the PE checks: the process works as plain VRF-lite"
		} else {
			// RFC 4576 (DN bit), RFC 4577 (OSPF as the PE-CE protocol); Cisco
			// "OSPF Support for Multi-VRF on CE Routers": an OSPF process in
			// a VRF is a PE connected to the MPLS VPN superbackbone unless
			// `capability vrf-lite` is configured.
			proc.VPNPE = true
			proc.VPNPEWhy = "IOS treats `router ospf " + id + " vrf " + vrf + "` as a PE router attached to the MPLS VPN superbackbone (RFC 4576, RFC 4577): it acts as an area border router and ignores LSAs with the DN bit or its domain tag; `capability vrf-lite` under the process turns this off"
		}
	}
	p.r.OSPF = append(p.r.OSPF, proc)
	p.ospfProcs = append(p.ospfProcs, op)
}

// ospfChildren reads a process's sub-commands.
func (p *parser) ospfChildren(kids []*line, op *ospfProc, version int) {
	proc := op.proc
	for _, k := range kids {
		w := k.Words
		n := len(w)
		pos := p.Pos(k)
		done := true
		why := ""
		switch w[0] {
		case "router-id":
			a, err := netip.ParseAddr(k.Word(1))
			if err == nil && a.Is4() && n == 2 {
				proc.RouterID = a
			} else {
				done = false
			}
		case "compatible":
			if done = version == 2 && n == 2 && w[1] == "rfc1583"; done {
				proc.RFC1583Compatible = model.Set(1, pos)
			}
		case "log-adjacency-changes", "timers", "ispf", "nsf", "ignore", "bfd", "event-log", "nsr", "graceful-restart":
		case "network":
			done = version == 2 && p.ospfNetwork(k, op)
		case "passive-interface":
			switch {
			case n == 2 && w[1] == "default":
				proc.PassiveDefault = true
			case n == 2:
				op.passive[w[1]] = pos
			default:
				done = false
			}
		case "no":
			switch {
			case n == 3 && w[1] == "passive-interface":
				op.notPassive[w[2]] = pos
			case n == 3 && w[1] == "compatible" && w[2] == "rfc1583" && version == 2:
				proc.RFC1583Compatible = model.Set(0, pos)
			case n >= 2 && (w[1] == "log-adjacency-changes" || w[1] == "auto-summary"):
			default:
				done = false
			}
		case "redistribute":
			r, ok := parseRedistribute(w[1:], pos)
			if ok {
				proc.Redistribute = append(proc.Redistribute, r)
			}
			done = ok
		case "area":
			if n >= 3 && w[2] == "virtual-link" {
				done, why = virtualLink(w, proc, version, pos)
				break
			}
			done = p.ospfArea(k, op, version)
		case "default-information":
			done = p.defaultInfo(k, proc)
		case "default-metric":
			// IOS takes 1-4294967295 (Cisco OSPF Command and
			// Configuration Handbook, default-metric); 16777215 and
			// above are LSInfinity.
			v, err := strconv.ParseUint(cisco.JoinFrom(w, 1), 10, 32)
			if n != 2 || err != nil || v == 0 {
				done = false
				break
			}
			proc.DefaultMetric = &model.Setting{Value: int(v), Pos: pos}
		case "domain-tag":
			// domain-tag N: the VPN route tag (RFC 4577 4.2.5.2).
			if n != 2 || version != 2 {
				done = false
				break
			}
			v, err := strconv.ParseUint(w[1], 10, 32)
			if err != nil {
				done = false
				break
			}
			proc.DomainTag = &model.Setting{Value: int(v), Pos: pos}
		case "capability":
			if n == 2 && w[1] == "vrf-lite" {
				proc.CapabilityVRFLite = true
			} else {
				done = false
			}
		case "auto-cost":
			if v, err := strconv.Atoi(k.Word(2)); n == 3 && w[1] == "reference-bandwidth" && err == nil {
				proc.ReferenceBandwidth = model.Set(v, pos)
			} else {
				done = false
			}
		case "distance":
			done = ospfDistance(w[1:], proc, pos)
		case "max-metric":
			done = maxMetric(w[1:], proc, pos)
		case "maximum-paths":
			if v, err := strconv.Atoi(k.Word(1)); n == 2 && err == nil {
				proc.MaximumPaths = model.Set(v, pos)
			} else {
				done = false
			}
		case "address-family":
			// router ospfv3 N / address-family ipv6 unicast [vrf X]
			if version == 3 && n == 3 && w[1] == "ipv6" && w[2] == "unicast" {
				p.OK(k)
				p.ospfChildren(k.Kids, op, version)
				continue
			}
			done = false
		case "exit-address-family":
		default:
			done = false
		}
		if done {
			p.OKAll(k)
			continue
		}
		if why != "" {
			p.BadAll(k, why)
			continue
		}
		switch w[0] {
		case "summary-address", "distribute-list", "domain-id", "shutdown", "prefix-suppression", "neighbor":
			p.BadAll(k, "OSPF process option not modelled")
		default:
			p.BadAll(k, "unknown OSPF command")
		}
	}
}

// ospfNetwork reads `network ADDR WILDCARD area AREA`.
func (p *parser) ospfNetwork(k *line, op *ospfProc) bool {
	w := k.Words
	if len(w) != 5 || w[3] != "area" {
		return false
	}
	a, err1 := netip.ParseAddr(w[1])
	wc, err2 := netip.ParseAddr(w[2])
	area, err3 := model.ParseAreaID(w[4])
	if err1 != nil || err2 != nil || err3 != nil || !a.Is4() || !wc.Is4() {
		return false
	}
	nw := model.OSPFNetwork{Addr: a, Wildcard: wc, Area: area, Pos: p.Pos(k)}
	if bits, ok := wildcardBits(w[2]); ok {
		nw.Prefix = netip.PrefixFrom(a, bits).Masked()
	}
	ar := cisco.AreaOf(op.proc, area)
	ar.Networks = append(ar.Networks, nw)
	op.networks = append(op.networks, nw)
	return true
}

// ospfArea reads `area X ...`.
func (p *parser) ospfArea(k *line, op *ospfProc, version int) bool {
	w := k.Words
	if len(w) < 3 {
		return false
	}
	id, err := model.ParseAreaID(w[1])
	if err != nil {
		return false
	}
	pos := p.Pos(k)
	rest := w[3:]
	switch w[2] {
	case "stub":
		ar := cisco.AreaOf(op.proc, id)
		ar.Type, ar.Pos = model.AreaStub, pos
		for _, x := range rest {
			if x != "no-summary" {
				return false
			}
			ar.NoSummary = true
		}
		return true
	case "nssa":
		var opt model.OSPFArea
		more, ok := cisco.NSSAOptions(&opt, rest, pos)
		if !ok {
			return false
		}
		ar := cisco.AreaOf(op.proc, id)
		ar.Type, ar.Pos = model.AreaNSSA, pos
		ar.NoSummary = ar.NoSummary || opt.NoSummary
		if opt.NSSADefaultOriginate != nil {
			ar.NSSADefaultOriginate = opt.NSSADefaultOriginate
		}
		// Other options (no-redistribution, translate, nssa-only) are not
		// modelled: the area is an NSSA, and the line is reported.
		return len(more) == 0
	case "range":
		var pf netip.Prefix
		if version == 2 && len(rest) >= 2 {
			a, err1 := netip.ParseAddr(rest[0])
			bits, err2 := maskBits(rest[1])
			if err1 != nil || err2 != nil {
				return false
			}
			pf, rest = netip.PrefixFrom(a, bits).Masked(), rest[2:]
		} else if len(rest) >= 1 {
			x, err := netip.ParsePrefix(rest[0])
			if err != nil {
				return false
			}
			pf, rest = x.Masked(), rest[1:]
		} else {
			return false
		}
		r := model.AreaRange{Prefix: pf, Pos: pos}
		for i := 0; i < len(rest); i++ {
			switch rest[i] {
			case "advertise":
			case "not-advertise":
				r.NotAdvertise = true
			case "cost":
				if i+1 >= len(rest) {
					return false
				}
				r.Cost, _ = strconv.Atoi(rest[i+1])
				i++
			default:
				return false
			}
		}
		ar := cisco.AreaOf(op.proc, id)
		ar.Ranges = append(ar.Ranges, r)
		return true
	case "authentication":
		ar := cisco.AreaOf(op.proc, id)
		switch {
		case len(rest) == 0:
			ar.Auth = model.AuthSimple
		case len(rest) == 1 && rest[0] == "message-digest":
			ar.Auth = model.AuthMD5
		default:
			return false
		}
		op.areaAuth[id] = ar.Auth
		return true
	case "default-cost":
		if len(rest) == 1 {
			v, err := strconv.Atoi(rest[0])
			if err != nil {
				return false
			}
			cisco.AreaOf(op.proc, id).DefaultCost = model.Set(v, pos)
			return true
		}
	}
	return false
}

// virtualLink reads `area X virtual-link RID [options]` (OSPF Command
// Reference, area virtual-link); several lines for one peer make one
// link. It returns false with the reason when the line is reported.
func virtualLink(w []string, proc *model.OSPFProcess, version int, pos source.Pos) (bool, string) {
	if version == 3 {
		return false, "OSPFv3 virtual links are not modelled"
	}
	ok, backbone := cisco.VirtualLink(proc, w, model.Default(10, srcVLHello), model.Default(40, srcVLDead), pos, true)
	switch {
	case backbone:
		return false, "error: the backbone cannot be the transit area of a virtual link (RFC 2328 15) and IOS rejects `area 0 virtual-link`: the link does not exist"
	case !ok:
		return false, "unknown virtual-link syntax"
	}
	return true, ""
}

// defaultInfo reads `default-information originate ...`.
func (p *parser) defaultInfo(k *line, proc *model.OSPFProcess) bool {
	w := k.Words
	if len(w) < 2 || w[1] != "originate" {
		return false
	}
	d := &model.DefaultOriginate{Pos: p.Pos(k)}
	for i := 2; i < len(w); i++ {
		next := ""
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch w[i] {
		case "always":
			d.Always = true
		case "metric", "metric-type":
			v, err := strconv.Atoi(next)
			if err != nil {
				return false
			}
			if w[i] == "metric" {
				d.Metric = v
			} else {
				d.MetricType = v
			}
			i++
		case "route-map":
			d.RouteMap = next
			i++
		default:
			return false
		}
	}
	proc.DefaultOriginate = d
	return true
}

// ospfDistance reads `distance N` and `distance ospf intra-area N
// inter-area N external N`.
func ospfDistance(a []string, proc *model.OSPFProcess, pos source.Pos) bool {
	if len(a) == 1 {
		v, err := strconv.Atoi(a[0])
		if err != nil {
			return false
		}
		proc.DistanceIntra, proc.DistanceInter, proc.DistanceExternal = model.Set(v, pos), model.Set(v, pos), model.Set(v, pos)
		return true
	}
	if len(a) < 3 || a[0] != "ospf" || len(a)%2 != 1 {
		return false
	}
	return cisco.OSPFDistances(a, proc, pos)
}

// maxMetric reads `max-metric router-lsa ...`.
func maxMetric(a []string, proc *model.OSPFProcess, pos source.Pos) bool {
	if len(a) == 0 || a[0] != "router-lsa" {
		return false
	}
	m := &model.MaxMetric{Pos: pos}
	if len(a) == 1 {
		m.Administrative = true
	}
	for i := 1; i < len(a); i++ {
		switch a[i] {
		case "on-startup":
			if i+1 < len(a) {
				if v, err := strconv.Atoi(a[i+1]); err == nil {
					m.OnStartup = v
				} else if a[i+1] == "wait-for-bgp" {
					m.OnStartup = 600 // IOS waits for BGP up to 600 s (OSPF Command Reference, max-metric router-lsa)
				} else {
					return false
				}
				i++
			} else {
				return false
			}
		case "administrative":
			m.Administrative = true
		case "include-stub":
			m.IncludeStub = true
		case "summary-lsa", "external-lsa":
			if i+1 < len(a) && cisco.IsNumber(a[i+1]) {
				i++
			}
		default:
			return false
		}
	}
	if m.OnStartup == 0 {
		m.Administrative = true
	}
	proc.MaxMetric = m
	return true
}
