package frr

import (
	"net/netip"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// olderThan reports whether the configuration's `frr version` is below
// major.minor; false when no version is stated (current defaults apply).
func (p *parser) olderThan(major, minor int) bool {
	if p.version == "" {
		return false
	}
	f := strings.SplitN(p.version, ".", 3)
	ma, _ := strconv.Atoi(f[0])
	mi := 0
	if len(f) > 1 {
		mi, _ = strconv.Atoi(f[1])
	}
	return ma < major || (ma == major && mi < minor)
}

// routerBGP reads `router bgp ASN [vrf X]`.
func (p *parser) routerBGP(l *line, as, vrf string) {
	asn, err := strconv.ParseUint(as, 10, 32)
	if err != nil {
		p.BadAll(l, "bad AS number")
		return
	}
	p.OK(l)
	dc := p.profile == "datacenter"
	prof := "frr defaults " + p.profile
	if p.version != "" {
		prof += ", frr version " + p.version
	}
	inst := model.BGPInstance{ASN: uint32(asn), VRF: vrf, Profile: p.profile, Pos: p.Pos(l),
		// bgpd/bgp_vty.c FRR_CFG_DEFAULT_BOOL(BGP_EBGP_REQUIRES_POLICY):
		// false for the datacenter profile and for configurations older than
		// 7.4, true otherwise.
		EBGPRequiresPolicy: model.DefaultFlag(!dc && !p.olderThan(7, 4), "FRR bgpd/bgp_vty.c BGP_EBGP_REQUIRES_POLICY: off for the datacenter profile or before 7.4, else on ("+prof+")"),
		// bgpd/bgp_vty.c BGP_IMPORT_CHECK: false for traditional before 7.4.
		NetworkImportCheck: model.DefaultFlag(!(p.profile == "traditional" && p.olderThan(7, 4)), "FRR bgpd/bgp_vty.c BGP_IMPORT_CHECK: off for traditional before 7.4, else on ("+prof+")"),
		DefaultIPv4Unicast: model.DefaultFlag(true, "FRR: bgp default ipv4-unicast is on unless `no bgp default ipv4-unicast` (bgpd/bgp_vty.c)"),
		LogNeighborChanges: dc,
		Keepalive:          model.Default(60, "FRR bgpd/bgp_vty.c BGP_KEEPALIVE 60 s ("+prof+")"),
		Hold:               model.Default(180, "FRR bgpd/bgp_vty.c BGP_HOLDTIME 180 s ("+prof+")"),
		DistanceEBGP:       model.Default(20, "FRR lib/zebra.h ZEBRA_EBGP_DISTANCE_DEFAULT 20"),
		DistanceIBGP:       model.Default(200, "FRR lib/zebra.h ZEBRA_IBGP_DISTANCE_DEFAULT 200"),
		DistanceLocal:      model.Default(200, "FRR bgpd local distance 200"),
	}
	if dc {
		inst.Keepalive = model.Default(3, "FRR bgpd/bgp_vty.c BGP_KEEPALIVE 3 s (datacenter profile)")
		inst.Hold = model.Default(9, "FRR bgpd/bgp_vty.c BGP_HOLDTIME 9 s (datacenter profile)")
	}
	for _, k := range l.Kids {
		p.bgpCmd(k, &inst, "ipv4", "unicast", false)
	}
	p.r.BGP = append(p.r.BGP, inst)
}

// bgpCmd reads one command of `router bgp` or of an address family.
func (p *parser) bgpCmd(k *line, inst *model.BGPInstance, afi, safi string, inAF bool) {
	w := k.Words
	n := len(w)
	pos := p.Pos(k)
	done := true
	neg := w[0] == "no"
	if neg {
		w = w[1:]
		n--
	}
	if n == 0 {
		p.Bad(k, "unknown BGP command")
		return
	}
	switch w[0] {
	case "bgp":
		switch {
		case n == 3 && w[1] == "router-id":
			a, err := netip.ParseAddr(w[2])
			inst.RouterID, done = a, err == nil
		case n == 2 && w[1] == "ebgp-requires-policy":
			inst.EBGPRequiresPolicy = model.SetFlag(!neg, pos)
		case n == 3 && w[1] == "default" && w[2] == "ipv4-unicast":
			inst.DefaultIPv4Unicast = model.SetFlag(!neg, pos)
		case n == 3 && w[1] == "network" && w[2] == "import-check":
			inst.NetworkImportCheck = model.SetFlag(!neg, pos)
		case n == 2 && w[1] == "log-neighbor-changes":
			inst.LogNeighborChanges = !neg
		case n == 3 && w[1] == "cluster-id":
			a, err := netip.ParseAddr(w[2])
			inst.ClusterID, done = a, err == nil
		case n >= 2 && (w[1] == "conditional-advertisement" || w[1] == "graceful-restart" || w[1] == "deterministic-med" || w[1] == "suppress-duplicates" || w[1] == "hard-administrative-reset" || w[1] == "graceful-shutdown" || w[1] == "suppress-fib-pending" || w[1] == "update-delay"):
		default:
			done = false
		}
	case "timers":
		if n == 4 && w[1] == "bgp" {
			ka, err1 := strconv.Atoi(w[2])
			h, err2 := strconv.Atoi(w[3])
			inst.Keepalive, inst.Hold, done = model.Set(ka, pos), model.Set(h, pos), err1 == nil && err2 == nil
		} else {
			done = false
		}
	case "neighbor":
		done = p.bgpNeighbor(w, neg, inst, afi, safi, pos)
	case "network":
		if pf, err := netip.ParsePrefix(k.Word(1 + b2i(neg))); err == nil && !neg {
			nw := model.BGPNetwork{Prefix: pf.Masked(), Pos: pos}
			if n == 4 && w[2] == "route-map" {
				nw.RouteMap = w[3]
			} else if n == 3 && w[2] == "backdoor" {
				nw.Backdoor = true
			} else if n != 2 {
				done = false
				break
			}
			a := instAF(inst, afi, safi, pos)
			a.Networks = append(a.Networks, nw)
		} else {
			done = false
		}
	case "aggregate-address":
		pf, err := netip.ParsePrefix(k.Word(1))
		if err != nil || neg {
			done = false
			break
		}
		ag := model.BGPAggregate{Prefix: pf.Masked(), Pos: pos}
		for _, x := range w[2:] {
			switch x {
			case "as-set":
				ag.ASSet = true
			case "summary-only":
				ag.SummaryOnly = true
			default:
				done = false
			}
		}
		a := instAF(inst, afi, safi, pos)
		a.Aggregates = append(a.Aggregates, ag)
	case "redistribute":
		r, ok := parseRedistribute(w[1:], pos)
		if ok && !neg {
			a := instAF(inst, afi, safi, pos)
			a.Redistribute = append(a.Redistribute, r)
		}
		done = ok && !neg
	case "maximum-paths":
		done = cisco.BGPMaximumPaths(instAF(inst, afi, safi, pos), w, pos)
	case "address-family":
		if inAF || n < 2 || neg {
			done = false
			break
		}
		fa, fs := w[1], "unicast"
		if n >= 3 {
			fs = w[2]
		}
		if (fa != "ipv4" && fa != "ipv6") || (fs != "unicast" && fs != "multicast") || n > 3 {
			p.BadAll(k, "BGP address family not modelled")
			return
		}
		p.OK(k)
		instAF(inst, fa, fs, pos)
		for _, kk := range k.Kids {
			p.bgpCmd(kk, inst, fa, fs, true)
		}
		return
	case "exit-address-family", "exit":
	default:
		done = false
	}
	if done {
		p.OKAll(k)
	} else {
		p.BadAll(k, "BGP command not modelled")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bgpNeighbor reads `neighbor ID ...` (w without a leading `no`).
func (p *parser) bgpNeighbor(w []string, neg bool, inst *model.BGPInstance, afi, safi string, pos source.Pos) bool {
	n := len(w)
	if n < 3 {
		return false
	}
	id := w[1]
	if n == 3 && w[2] == "peer-group" && !neg {
		if inst.Peer(id) == nil {
			inst.PeerGroups = append(inst.PeerGroups, model.BGPPeer{Group: id, Pos: pos})
		}
		return true
	}
	peer := inst.Peer(id)
	if a, err := netip.ParseAddr(id); err == nil {
		peer = nil
		for i := range inst.Neighbors {
			if inst.Neighbors[i].Addr == a {
				peer = &inst.Neighbors[i]
			}
		}
	}
	if peer == nil {
		if a, err := netip.ParseAddr(id); err == nil {
			inst.Neighbors = append(inst.Neighbors, model.BGPPeer{Addr: a, Pos: pos})
		} else if w[2] == "interface" {
			inst.Neighbors = append(inst.Neighbors, model.BGPPeer{Interface: id, Pos: pos})
		} else {
			return false
		}
		peer = &inst.Neighbors[len(inst.Neighbors)-1]
	}
	arg := ""
	if n > 3 {
		arg = w[3]
	}
	switch w[2] {
	case "interface":
		if n == 5 && w[3] == "remote-as" {
			return setRemoteAS(peer, w[4])
		}
		if n == 5 && w[3] == "peer-group" {
			peer.PeerGroup = w[4]
			return true
		}
		return n == 3
	case "remote-as":
		return n == 4 && setRemoteAS(peer, arg)
	case "peer-group":
		peer.PeerGroup = arg
	case "description":
		peer.Description = joinFrom(w, 3)
	case "update-source":
		peer.UpdateSource = arg
	case "ebgp-multihop":
		peer.EBGPMultihop = 255 // bgpd: without a number the TTL is 255 (BGP_DEFAULT_TTL ... MAXTTL)
		if arg != "" {
			v, err := strconv.Atoi(arg)
			if err != nil {
				return false
			}
			peer.EBGPMultihop = v
		}
	case "ttl-security":
		if n != 5 {
			return false
		}
		peer.TTLSecurity, _ = strconv.Atoi(w[4])
	case "password":
		peer.HasPassword = !neg
	case "shutdown":
		peer.Shutdown = !neg
	case "local-as":
		v, err := strconv.ParseUint(arg, 10, 32)
		if err != nil {
			return false
		}
		peer.LocalAS = uint32(v)
	case "timers":
		if n == 5 {
			ka, _ := strconv.Atoi(w[3])
			h, _ := strconv.Atoi(w[4])
			peer.Keepalive, peer.Hold = model.Set(ka, pos), model.Set(h, pos)
		} else if n != 5 && arg != "connect" {
			return false
		}
	case "bfd", "capability", "enforce-first-as", "solo", "passive", "port", "advertisement-interval", "disable-connected-check", "update-group", "strict-capability-match", "dont-capability-negotiate", "override-capability", "graceful-restart":
	default:
		return peerAFCmd(w, neg, peer, afi, safi, pos, p)
	}
	return true
}

func setRemoteAS(peer *model.BGPPeer, v string) bool {
	if v == "internal" || v == "external" {
		peer.RemoteASKind = v
		return true
	}
	x, err := strconv.ParseUint(v, 10, 32)
	peer.RemoteAS = uint32(x)
	return err == nil
}

// peerAFCmd reads the per-address-family neighbour commands.
func peerAFCmd(w []string, neg bool, peer *model.BGPPeer, afi, safi string, pos source.Pos, p *parser) bool {
	n := len(w)
	a := peerAF(peer, afi, safi)
	dir := ""
	if n == 5 && (w[4] == "in" || w[4] == "out") {
		dir = w[4]
	}
	set := func(in, out *string) bool {
		if dir == "" {
			return false
		}
		v := w[3]
		if neg {
			v = ""
		}
		if dir == "in" {
			*in = v
		} else {
			*out = v
		}
		return true
	}
	switch w[2] {
	case "activate":
		a.Active = model.SetFlag(!neg, pos)
	case "route-map":
		return set(&a.RouteMapIn, &a.RouteMapOut)
	case "prefix-list":
		return set(&a.PrefixListIn, &a.PrefixListOut)
	case "filter-list":
		return set(&a.FilterListIn, &a.FilterListOut)
	case "distribute-list":
		if !set(&a.DistributeListIn, &a.DistributeListOut) {
			return false
		}
		p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: w[3], Where: "bgp neighbor " + peer.Name(), Direction: dir, Pos: pos})
	case "next-hop-self":
		a.NextHopSelf = !neg
	case "route-reflector-client":
		a.RRClient = !neg
	case "send-community":
		kind := "all"
		if n == 4 {
			kind = w[3]
		}
		on := model.SetFlag(!neg, pos)
		switch kind {
		case "all", "both":
			a.SendCommunity, a.SendExtCommunity = on, on
			if kind == "all" {
				a.SendLargeCommunity = on
			}
		case "standard":
			a.SendCommunity = on
		case "extended":
			a.SendExtCommunity = on
		case "large":
			a.SendLargeCommunity = on
		default:
			return false
		}
	case "soft-reconfiguration":
		a.SoftReconfigIn = !neg
	case "remove-private-AS", "remove-private-as":
		a.RemovePrivate = !neg
	case "allowas-in":
		a.AllowASIn = 3 // bgpd/bgp_vty.c: allowas-in without a number allows 3
		if n == 4 {
			v, err := strconv.Atoi(w[3])
			if err != nil {
				return false
			}
			a.AllowASIn = v
		}
	case "default-originate":
		a.DefaultOriginate = !neg
	case "maximum-prefix":
		if n < 4 {
			return false
		}
		a.MaxPrefix, _ = strconv.Atoi(w[3])
	default:
		return false
	}
	return true
}

func peerAF(peer *model.BGPPeer, afi, safi string) *model.BGPPeerAF {
	if a := peer.AF(afi, safi); a != nil {
		return a
	}
	peer.AFs = append(peer.AFs, model.BGPPeerAF{AFI: afi, SAFI: safi})
	return &peer.AFs[len(peer.AFs)-1]
}

func instAF(inst *model.BGPInstance, afi, safi string, pos source.Pos) *model.BGPAF {
	if a := inst.AF(afi, safi); a != nil {
		return a
	}
	inst.AFs = append(inst.AFs, model.BGPAF{AFI: afi, SAFI: safi, Pos: pos})
	return &inst.AFs[len(inst.AFs)-1]
}

// finishBGP applies activation and community defaults: FRR sends
// standard, extended and large communities to every peer unless told
// not to (bgpd/bgpd.c peer_new).
func (p *parser) finishBGP() {
	for i := range p.r.BGP {
		inst := &p.r.BGP[i]
		for gi, peers := range [][]model.BGPPeer{inst.Neighbors, inst.PeerGroups} {
			for j := range peers {
				peer := &peers[j]
				if gi == 0 && inst.DefaultIPv4Unicast.On {
					peerAF(peer, "ipv4", "unicast")
				}
				for k := range peer.AFs {
					a := &peer.AFs[k]
					if a.Active.Pos.IsZero() && !a.Active.Default {
						on := a.AFI == "ipv4" && a.SAFI == "unicast" && inst.DefaultIPv4Unicast.On
						a.Active = model.DefaultFlag(on, inst.DefaultIPv4Unicast.From)
					}
					for _, f := range []*model.Flag{&a.SendCommunity, &a.SendExtCommunity, &a.SendLargeCommunity} {
						if f.Pos.IsZero() && !f.Default {
							*f = model.DefaultFlag(true, "FRR sends communities by default (bgpd/bgpd.c peer_new)")
						}
					}
				}
			}
		}
	}
}
