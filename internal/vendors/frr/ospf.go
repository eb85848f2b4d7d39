package frr

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// FRR defaults, each with its source.
const (
	// lib/libospf.h OSPF_DEFAULT_REF_BANDWIDTH 100000 /* Mbps */ (ospfd),
	// ospf6d/ospf6_interface.h OSPF6_REFERENCE_BANDWIDTH 100000: the
	// documentation's "100 Mbit/s" is not what the code does.
	srcRefBW = "FRR ospfd/ospf6d default reference bandwidth 100000 Mbit/s (lib/libospf.h OSPF_DEFAULT_REF_BANDWIDTH; ospf6d/ospf6_interface.h OSPF6_REFERENCE_BANDWIDTH)"
	// ospfd/ospf_interface.c ospf_if_get_output_cost, ospf6d/ospf6_interface.c
	// ospf6_interface_get_cost: refbw / bw rounded to the nearest integer,
	// at least 1 (ospfd: at most 65535, and 0 on a loopback); bw is
	// `bandwidth`, else the kernel's link speed, else 10000 Mbit/s
	// (OSPF_DEFAULT_BANDWIDTH, OSPF6_INTERFACE_BANDWIDTH).
	srcCost = "FRR: reference bandwidth / interface bandwidth, rounded (ospfd/ospf_interface.c ospf_if_get_output_cost, ospf6d/ospf6_interface.c ospf6_interface_get_cost); without `bandwidth` FRR uses the kernel's link speed, which frr.conf does not state: 10000 Mbit/s (OSPF_DEFAULT_BANDWIDTH, also what veth reports) assumed"
	// ospfd/ospf_vty.c ospf_rfc1583_flag: OSPF_RFC1583_COMPATIBLE is off
	// unless configured.
	srcRFC1583  = "FRR ospfd: RFC 1583 compatibility off unless `ospf rfc1583compatibility` (ospfd/ospf_vty.c)"
	srcHello    = "FRR default hello interval 10 s (ospfd/ospfd.h OSPF_HELLO_INTERVAL_DEFAULT; ospf6d/ospf6_interface.h)"
	srcDead     = "FRR default dead interval 40 s (ospfd/ospfd.h OSPF_ROUTER_DEAD_INTERVAL_DEFAULT; ospf6d/ospf6_interface.h)"
	srcPriority = "FRR default priority 1 (ospfd/ospfd.h OSPF_ROUTER_PRIORITY_DEFAULT)"
	srcDistance = "FRR OSPF distance 110 (lib/zebra.h ZEBRA_OSPF_DISTANCE_DEFAULT)"
	srcNetType  = "FRR default network type from the kernel link flags (ospf_interface.c ospf_default_iftype), not in frr.conf"
	srcMTU      = "FRR ospfd advertises the kernel's interface MTU (ospfd/ospf_packet.c ospf_make_db_desc), which frr.conf does not state"
	srcMTU6     = "FRR ospf6d advertises ifmtu when set, else the kernel's IPv6 MTU (ospf6d/ospf6_interface.c), which frr.conf does not state"
)

type ospfIf struct {
	cost, hello, dead, priority, ifmtu model.Setting
	network                            model.NetworkType
	networkPos                         source.Pos
	mtuIgnore, bfd                     bool
	passive                            *bool
	passivePos                         source.Pos
	auth                               model.OSPFAuth
	hasKey                             bool
	instance                           int
	areaSet                            bool
	area                               model.AreaID
	areaPos                            source.Pos
	areaCmd                            string
}

type ifOSPF struct{ v [2]ospfIf }

type ospfProc struct {
	proc       model.OSPFProcess
	networks   []model.OSPFNetwork
	v3ifs      map[string]ospfIf
	passive    map[string]source.Pos
	notPassive map[string]bool
}

func (p *parser) ospfSettings(name string) *ifOSPF {
	o := p.ospfIf[name]
	if o == nil {
		o = &ifOSPF{}
		p.ospfIf[name] = o
	}
	return o
}

// ospfIfCmd reads the words after `ip ospf` or `ipv6 ospf6`.
func (p *parser) ospfIfCmd(k *line, version int, a []string, o *ifOSPF) bool {
	s := &o.v[version-2]
	pos := p.Pos(k)
	num := func() (model.Setting, bool) {
		if len(a) != 2 {
			return model.Setting{}, false
		}
		v, err := strconv.Atoi(a[1])
		return model.Set(v, pos), err == nil
	}
	var ok bool
	switch a[0] {
	case "cost":
		s.cost, ok = num()
	case "hello-interval":
		s.hello, ok = num()
	case "dead-interval":
		s.dead, ok = num()
		if len(a) == 4 && a[1] == "minimal" {
			s.dead, ok = model.Set(1, pos), true
		}
	case "priority":
		s.priority, ok = num()
	case "ifmtu":
		s.ifmtu, ok = num()
	case "instance-id":
		var v model.Setting
		v, ok = num()
		s.instance = v.Value
	case "network":
		t := map[string]model.NetworkType{"broadcast": model.NetBroadcast, "point-to-point": model.NetPointToPoint,
			"non-broadcast": model.NetNBMA, "point-to-multipoint": model.NetPointToMultipoint}[joinFrom(a, 1)]
		s.network, s.networkPos, ok = t, pos, t != model.NetUnknown
	case "mtu-ignore":
		s.mtuIgnore, ok = true, len(a) == 1
	case "bfd":
		s.bfd, ok = true, true
	case "passive":
		on := true
		s.passive, s.passivePos, ok = &on, pos, true
	case "area":
		if len(a) == 2 {
			id, err := model.ParseAreaID(a[1])
			s.areaSet, s.area, s.areaPos, s.areaCmd, ok = true, id, pos, k.Text(), err == nil
		}
	case "authentication":
		ok = true
		switch {
		case len(a) == 1:
			s.auth = model.AuthSimple
		case a[1] == "message-digest":
			s.auth = model.AuthMD5
		case a[1] == "null":
			s.auth = model.AuthNull
		case a[1] == "key-id" || a[1] == "keychain":
			s.auth, s.hasKey = model.AuthTrailer, true
		default:
			ok = false
		}
	case "authentication-key", "message-digest-key":
		s.hasKey, ok = true, true
	case "retransmit-interval", "transmit-delay", "hello-multiplier":
		ok = true
	}
	return ok
}

// routerOSPF reads `router ospf [vrf X]` and `router ospf6 [vrf X]`.
func (p *parser) routerOSPF(l *line, version int, vrf string) {
	p.OK(l)
	op := &ospfProc{passive: map[string]source.Pos{}, notPassive: map[string]bool{}, v3ifs: map[string]ospfIf{}}
	proc := &op.proc
	*proc = model.OSPFProcess{Version: version, VRF: vrf, Pos: p.Pos(l),
		ReferenceBandwidth: model.Default(100000, srcRefBW),
		DistanceIntra:      model.Default(110, srcDistance),
		DistanceInter:      model.Default(110, srcDistance),
		DistanceExternal:   model.Default(110, srcDistance),
	}
	if version == 2 {
		proc.RFC1583Compatible = model.Default(0, srcRFC1583)
	}
	if w := l.Words; len(w) >= 3 && cisco.IsNumber(w[2]) {
		proc.ID = w[2]
	}
	for _, k := range l.Kids {
		w := k.Words
		n := len(w)
		pos := p.Pos(k)
		done := true
		why := "OSPF command not modelled"
		switch w[0] {
		case "ospf", "ospf6", "router-id":
			switch {
			case n == 3 && w[1] == "router-id", n == 2 && w[0] == "router-id":
				a, err := netip.ParseAddr(w[n-1])
				proc.RouterID, done = a, err == nil
			case n == 2 && w[1] == "rfc1583compatibility" && version == 2:
				proc.RFC1583Compatible = model.Set(1, pos)
			case n == 3 && w[1] == "abr-type" && w[2] == "cisco" && version == 2:
				// The default (ospfd/ospf_vty.c ospf_abr_type): farend
				// models only this ABR behaviour (RFC 3509 Cisco).
			case n >= 2 && w[1] == "send-extra-data":
			case n == 3 && w[1] == "abr-type":
				done, why = false, "ABR type "+w[2]+" not modelled: farend follows ospfd's default cisco type (RFC 3509)"
			default:
				done = false
			}
		case "network":
			if n == 4 && w[2] == "area" {
				pf, err1 := netip.ParsePrefix(w[1])
				id, err2 := model.ParseAreaID(w[3])
				if err1 != nil || err2 != nil {
					done = false
					break
				}
				pf = pf.Masked()
				nw := model.OSPFNetwork{Addr: pf.Addr(), Prefix: pf, Area: id, Pos: pos, Wildcard: wildcard(pf)}
				ar := cisco.AreaOf(proc, id)
				ar.Networks = append(ar.Networks, nw)
				op.networks = append(op.networks, nw)
			} else {
				done = false
			}
		case "interface":
			// ospf6d before 8.1: `interface IF area A`.
			if n == 4 && w[2] == "area" {
				id, err := model.ParseAreaID(w[3])
				op.v3ifs[w[1]] = ospfIf{areaSet: true, area: id, areaPos: pos, areaCmd: k.Text()}
				done = err == nil
			} else {
				done = false
			}
		case "passive-interface":
			switch {
			case n == 2 && w[1] == "default":
				proc.PassiveDefault = true
			case n == 2:
				op.passive[w[1]] = pos
			default:
				done = false
			}
		case "compatible":
			// ospfd/ospf_vty.c: `compatible rfc1583` is an alias of `ospf
			// rfc1583compatibility`.
			if done = n == 2 && w[1] == "rfc1583" && version == 2; done {
				proc.RFC1583Compatible = model.Set(1, pos)
			}
		case "no":
			switch {
			case n == 3 && w[1] == "passive-interface":
				op.notPassive[w[2]] = true
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
			var w string
			if done, w = p.ospfArea(k, proc, version); w != "" {
				why = w
			}
		case "default-information":
			done = defaultInfo(w, proc, pos)
		case "default-metric":
			// ospfd only: ospf6d 8.4 has no default-metric
			// (ospfd/ospf_vty.c ospf_default_metric_cmd, 0-16777214).
			v, err := strconv.Atoi(k.Word(1))
			if n != 2 || err != nil || v < 0 || v > 16777214 || version != 2 {
				done = false
				break
			}
			proc.DefaultMetric = &model.Setting{Value: v, Pos: pos}
		case "auto-cost":
			v, err := strconv.Atoi(k.Word(2))
			if n == 3 && w[1] == "reference-bandwidth" && err == nil {
				proc.ReferenceBandwidth = model.Set(v, pos)
			} else {
				done = false
			}
		case "distance":
			done = ospfDistance(w[1:], proc, pos)
		case "max-metric":
			done = n >= 2 && w[1] == "router-lsa"
			if done {
				m := &model.MaxMetric{Pos: pos, Administrative: n == 3 && w[2] == "administrative"}
				if n == 4 && w[2] == "on-startup" {
					m.OnStartup, _ = strconv.Atoi(w[3])
				}
				proc.MaxMetric = m
			}
		case "maximum-paths":
			v, err := strconv.Atoi(k.Word(1))
			proc.MaximumPaths, done = model.Set(v, pos), err == nil && n == 2
		case "log-adjacency-changes", "timers", "capability", "refresh", "graceful-restart", "exit":
		default:
			done = false
		}
		if done {
			p.OKAll(k)
		} else {
			p.BadAll(k, why)
		}
	}
	p.procs = append(p.procs, op)
}

// ospfArea reads `area A stub|nssa|range|authentication|default-cost`.
func (p *parser) ospfArea(k *line, proc *model.OSPFProcess, version int) (bool, string) {
	w := k.Words
	if len(w) < 3 {
		return false, ""
	}
	id, err := model.ParseAreaID(w[1])
	if err != nil {
		return false, ""
	}
	pos := p.Pos(k)
	rest := w[3:]
	switch w[2] {
	case "stub", "nssa":
		// A line vtysh rejects changes nothing: read the options aside.
		var opt model.OSPFArea
		more, ok := cisco.NSSAOptions(&opt, rest, pos)
		if !ok || w[2] == "stub" && (len(more) > 0 || opt.NSSADefaultOriginate != nil) {
			return false, ""
		}
		if opt.NSSADefaultOriginate != nil && version == 2 {
			// ospfd 8.4 has only translate-*, suppress-fa and no-summary
			// after `nssa` (ospfd/ospf_vty.c); ospf6d has the default.
			return false, "ospfd (FRR 8.4) has no `nssa default-information-originate` (ospfd/ospf_vty.c): vtysh rejects the line and area " + id.String() + " is not made an NSSA by it"
		}
		ar := cisco.AreaOf(proc, id)
		ar.Type = model.AreaStub
		if w[2] == "nssa" {
			ar.Type = model.AreaNSSA
		}
		ar.NoSummary = ar.NoSummary || opt.NoSummary
		if opt.NSSADefaultOriginate != nil {
			ar.NSSADefaultOriginate = opt.NSSADefaultOriginate
		}
		for _, x := range more {
			switch x {
			case "translate-candidate":
				// The default (RFC 3101 3.1 election).
			default:
				return false, "NSSA option " + x + " not modelled"
			}
		}
		return true, ""
	case "range":
		if len(rest) < 1 {
			return false, ""
		}
		pf, err := netip.ParsePrefix(rest[0])
		if err != nil {
			return false, ""
		}
		r := model.AreaRange{Prefix: pf.Masked(), Pos: pos}
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case "advertise":
			case "not-advertise", "no-advertise":
				r.NotAdvertise = true
			case "cost":
				if i+1 >= len(rest) {
					return false, ""
				}
				r.Cost, _ = strconv.Atoi(rest[i+1])
				i++
			default:
				return false, ""
			}
		}
		ar := cisco.AreaOf(proc, id)
		ar.Ranges = append(ar.Ranges, r)
		return true, ""
	case "authentication":
		ar := cisco.AreaOf(proc, id)
		ar.Auth = model.AuthSimple
		if len(rest) == 1 && rest[0] == "message-digest" {
			ar.Auth = model.AuthMD5
		}
		return len(rest) <= 1, ""
	case "default-cost":
		v, err := strconv.Atoi(strings.Join(rest, ""))
		if err != nil {
			return false, ""
		}
		cisco.AreaOf(proc, id).DefaultCost = model.Set(v, pos)
		return true, ""
	}
	return false, ""
}

// virtualLink reads `area A virtual-link A.B.C.D [options]` (ospfd/ospf_vty.c
// ospf_area_vlink, ospf_area_vlink_intervals; several lines for one
// peer, as `show running-config` writes them, make one link). It
// returns false with the reason when the line is reported.
func virtualLink(w []string, proc *model.OSPFProcess, version int, pos source.Pos) (bool, string) {
	if version == 3 {
		return false, "ospf6d has no virtual links (FRR 8.4): not an ospf6d command"
	}
	ok, backbone := cisco.VirtualLink(proc, w, model.Default(10, srcHello), model.Default(40, srcDead), pos, false)
	switch {
	case backbone:
		return false, "error: ospfd refuses a virtual link through the backbone (\"Configuring VLs over the backbone is not allowed\", ospfd/ospf_vty.c ospf_find_vl_data): the link does not exist"
	case !ok:
		return false, "unknown virtual-link syntax"
	}
	return true, ""
}

func parseRedistribute(a []string, pos source.Pos) (model.Redistribution, bool) {
	r := model.Redistribution{Pos: pos}
	if len(a) == 0 {
		return r, false
	}
	r.Protocol = a[0]
	i := 1
	if i < len(a) && cisco.IsNumber(a[i]) {
		r.Process = a[i]
		i++
	}
	for ; i+1 < len(a); i += 2 {
		switch a[i] {
		case "metric":
			r.Metric, _ = strconv.Atoi(a[i+1])
		case "metric-type":
			r.MetricType, _ = strconv.Atoi(a[i+1])
		case "route-map":
			r.RouteMap = a[i+1]
		case "tag":
			v, _ := strconv.ParseUint(a[i+1], 10, 32)
			r.Tag = uint32(v)
		default:
			return r, false
		}
	}
	return r, i == len(a)
}

func defaultInfo(w []string, proc *model.OSPFProcess, pos source.Pos) bool {
	if len(w) < 2 || w[1] != "originate" {
		return false
	}
	d := &model.DefaultOriginate{Pos: pos}
	for i := 2; i < len(w); i++ {
		switch w[i] {
		case "always":
			d.Always = true
		case "metric", "metric-type", "route-map":
			if i+1 >= len(w) {
				return false
			}
			switch w[i] {
			case "metric":
				d.Metric, _ = strconv.Atoi(w[i+1])
			case "metric-type":
				d.MetricType, _ = strconv.Atoi(w[i+1])
			default:
				d.RouteMap = w[i+1]
			}
			i++
		default:
			return false
		}
	}
	proc.DefaultOriginate = d
	return true
}

// ospfDistance reads `distance N` and `distance ospf|ospf6 intra-area N
// inter-area N external N` (ospf6d spells the keyword ospf6; unlike IOS,
// a bad single value is still recorded and a trailing word is ignored,
// as this reader always did).
func ospfDistance(a []string, proc *model.OSPFProcess, pos source.Pos) bool {
	if len(a) == 1 {
		v, err := strconv.Atoi(a[0])
		proc.DistanceIntra, proc.DistanceInter, proc.DistanceExternal = model.Set(v, pos), model.Set(v, pos), model.Set(v, pos)
		return err == nil
	}
	if len(a) < 3 || (a[0] != "ospf" && a[0] != "ospf6") {
		return false
	}
	return cisco.OSPFDistances(a, proc, pos)
}

func wildcard(pf netip.Prefix) netip.Addr {
	if !pf.Addr().Is4() {
		return netip.Addr{}
	}
	var m uint32
	if pf.Bits() < 32 {
		m = 1<<(32-pf.Bits()) - 1
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}
