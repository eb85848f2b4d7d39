package ios

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// bgpCtx is the instance and address family commands apply to.
type bgpCtx struct {
	inst      *model.BGPInstance
	afi, safi string
	// inAF is true inside an address-family block.
	inAF bool
}

// routerBGP reads `router bgp ASN`.
func (p *parser) routerBGP(l *line) {
	asn, ok := parseASN(l.Words[2])
	if !ok {
		p.BadAll(l, "bad AS number")
		return
	}
	p.OK(l)
	gi := p.bgpInstance(asn, "", p.Pos(l))
	for _, k := range l.Kids {
		p.bgpCmd(k, bgpCtx{inst: &p.r.BGP[gi], afi: "ipv4", safi: "unicast"}, asn)
	}
	p.finishBGP()
}

// bgpInstance returns the index of the instance for vrf, adding it with
// IOS defaults when new.
func (p *parser) bgpInstance(asn uint32, vrf string, pos source.Pos) int {
	for i := range p.r.BGP {
		if p.r.BGP[i].VRF == vrf {
			return i
		}
	}
	p.r.BGP = append(p.r.BGP, model.BGPInstance{
		ASN: asn, VRF: vrf, Pos: pos,
		EBGPRequiresPolicy: model.DefaultFlag(false, srcNoRFC8212),
		DefaultIPv4Unicast: model.DefaultFlag(true, srcBGPDefaultV4),
		NetworkImportCheck: model.DefaultFlag(true, srcBGPImport),
		Keepalive:          model.Default(60, srcBGPKeepalive),
		Hold:               model.Default(180, srcBGPHold),
		DistanceEBGP:       model.Default(20, srcBGPDistance),
		DistanceIBGP:       model.Default(200, srcBGPDistance),
		DistanceLocal:      model.Default(200, srcBGPDistance),
	})
	return len(p.r.BGP) - 1
}

// bgpCmd reads one command of `router bgp` or of an address family.
func (p *parser) bgpCmd(k *line, c bgpCtx, asn uint32) {
	w := k.Words
	n := len(w)
	pos := p.Pos(k)
	inst := c.inst
	done := true
	switch w[0] {
	case "bgp":
		switch {
		case n == 3 && w[1] == "router-id":
			a, err := netip.ParseAddr(w[2])
			if err != nil {
				done = false
			}
			inst.RouterID = a
		case n == 2 && w[1] == "log-neighbor-changes":
			inst.LogNeighborChanges = true
		case n == 2 && w[1] == "redistribute-internal":
			inst.RedistributeInternal = true
		case n == 3 && w[1] == "default" && w[2] == "ipv4-unicast":
			inst.DefaultIPv4Unicast = model.SetFlag(true, pos)
		case n == 3 && w[1] == "cluster-id":
			a, err := netip.ParseAddr(w[2])
			if err != nil {
				done = false
			}
			inst.ClusterID = a
		case n >= 2 && (w[1] == "graceful-restart" || w[1] == "fast-external-fallover" || w[1] == "update-delay" || w[1] == "scan-time" || w[1] == "nexthop"):
		default:
			done = false
		}
	case "no":
		switch {
		case n == 4 && w[1] == "bgp" && w[2] == "default" && w[3] == "ipv4-unicast":
			inst.DefaultIPv4Unicast = model.SetFlag(false, pos)
		case n == 2 && (w[1] == "synchronization" || w[1] == "auto-summary"):
		case n == 3 && w[1] == "bgp" && w[2] == "log-neighbor-changes":
			inst.LogNeighborChanges = false
		case n == 4 && w[1] == "neighbor" && w[3] == "activate":
			if peer := p.bgpPeer(inst, w[2], pos); peer != nil {
				af := peerAF(peer, c.afi, c.safi)
				af.Active = model.SetFlag(false, pos)
			} else {
				done = false
			}
		case n >= 4 && w[1] == "neighbor" && w[3] == "send-community":
			if peer := p.bgpPeer(inst, w[2], pos); peer != nil {
				af := peerAF(peer, c.afi, c.safi)
				af.SendCommunity, af.SendExtCommunity = model.SetFlag(false, pos), model.SetFlag(false, pos)
			} else {
				done = false
			}
		default:
			done = false
		}
	case "synchronization", "auto-summary":
	case "timers":
		if n == 4 && w[1] == "bgp" {
			ka, err1 := strconv.Atoi(w[2])
			h, err2 := strconv.Atoi(w[3])
			if err1 != nil || err2 != nil {
				done = false
				break
			}
			inst.Keepalive, inst.Hold = model.Set(ka, pos), model.Set(h, pos)
		} else {
			done = false
		}
	case "distance":
		if n == 5 && w[1] == "bgp" {
			e, err1 := strconv.Atoi(w[2])
			i, err2 := strconv.Atoi(w[3])
			lo, err3 := strconv.Atoi(w[4])
			if err1 != nil || err2 != nil || err3 != nil {
				done = false
				break
			}
			inst.DistanceEBGP, inst.DistanceIBGP, inst.DistanceLocal = model.Set(e, pos), model.Set(i, pos), model.Set(lo, pos)
		} else {
			done = false
		}
	case "neighbor":
		done = p.bgpNeighbor(k, c)
	case "network":
		done = p.bgpNetwork(k, c)
	case "aggregate-address":
		done = p.bgpAggregate(k, c)
	case "redistribute":
		r, ok := parseRedistribute(w[1:], pos)
		if ok {
			af := instAF(inst, c.afi, c.safi, pos)
			af.Redistribute = append(af.Redistribute, r)
		}
		done = ok
	case "maximum-paths":
		done = cisco.BGPMaximumPaths(instAF(inst, c.afi, c.safi, pos), w, pos)
	case "address-family":
		if c.inAF {
			done = false
			break
		}
		p.bgpAF(k, c, asn)
		return
	case "exit-address-family":
	default:
		done = false
	}
	if done {
		p.OKAll(k)
		return
	}
	p.BadAll(k, "BGP command not modelled")
}

// bgpAF reads an address-family block.
func (p *parser) bgpAF(k *line, c bgpCtx, asn uint32) {
	w := k.Words
	if len(w) < 2 {
		p.BadAll(k, "BGP address family not modelled")
		return
	}
	afi := w[1]
	safi := "unicast"
	vrf := ""
	rest := w[2:]
	if len(rest) > 0 && (rest[0] == "unicast" || rest[0] == "multicast") {
		safi, rest = rest[0], rest[1:]
	}
	if len(rest) == 2 && rest[0] == "vrf" {
		vrf, rest = rest[1], nil
	}
	if (afi != "ipv4" && afi != "ipv6") || len(rest) != 0 {
		p.BadAll(k, "BGP address family not modelled")
		return
	}
	p.OK(k)
	target := vrf
	if target == "" {
		target = c.inst.VRF
	}
	pos := p.Pos(k)
	i := p.bgpInstance(asn, target, pos)
	instAF(&p.r.BGP[i], afi, safi, pos)
	for _, kk := range k.Kids {
		// Instances may move when one is appended: look it up again.
		i := p.bgpInstance(asn, target, pos)
		p.bgpCmd(kk, bgpCtx{inst: &p.r.BGP[i], afi: afi, safi: safi, inAF: true}, asn)
	}
}

// bgpNetwork reads `network A [mask M] [route-map R] [backdoor]` and the
// IPv6 `network P`.
func (p *parser) bgpNetwork(k *line, c bgpCtx) bool {
	w := k.Words
	if len(w) < 2 {
		return false
	}
	nw := model.BGPNetwork{Pos: p.Pos(k)}
	rest := w[2:]
	if pf, err := netip.ParsePrefix(w[1]); err == nil {
		nw.Prefix = pf.Masked()
	} else {
		a, err := netip.ParseAddr(w[1])
		if err != nil || !a.Is4() {
			return false
		}
		bits := classfulBits(a)
		if len(rest) >= 2 && rest[0] == "mask" {
			b, err := maskBits(rest[1])
			if err != nil {
				return false
			}
			bits, rest = b, rest[2:]
		}
		nw.Prefix = netip.PrefixFrom(a, bits).Masked()
	}
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case "route-map":
			if i+1 >= len(rest) {
				return false
			}
			nw.RouteMap = rest[i+1]
			i++
		case "backdoor":
			nw.Backdoor = true
		default:
			return false
		}
	}
	af := instAF(c.inst, c.afi, c.safi, p.Pos(k))
	af.Networks = append(af.Networks, nw)
	return true
}

// classfulBits is the classful prefix length IOS assumes for a network
// without a mask (BGP Command Reference, network).
func classfulBits(a netip.Addr) int {
	b := a.As4()[0]
	switch {
	case b < 128:
		return 8
	case b < 192:
		return 16
	}
	return 24
}

// bgpAggregate reads `aggregate-address A M [as-set] [summary-only]`.
func (p *parser) bgpAggregate(k *line, c bgpCtx) bool {
	w := k.Words
	if len(w) < 2 {
		return false
	}
	ag := model.BGPAggregate{Pos: p.Pos(k)}
	rest := w[2:]
	if pf, err := netip.ParsePrefix(w[1]); err == nil {
		ag.Prefix = pf.Masked()
	} else {
		a, err1 := netip.ParseAddr(w[1])
		if len(w) < 3 || err1 != nil {
			return false
		}
		bits, err2 := maskBits(w[2])
		if err2 != nil {
			return false
		}
		ag.Prefix, rest = netip.PrefixFrom(a, bits).Masked(), w[3:]
	}
	for _, x := range rest {
		switch x {
		case "as-set":
			ag.ASSet = true
		case "summary-only":
			ag.SummaryOnly = true
		default:
			return false
		}
	}
	af := instAF(c.inst, c.afi, c.safi, p.Pos(k))
	af.Aggregates = append(af.Aggregates, ag)
	return true
}

// finishBGP applies the activation and community defaults.
func (p *parser) finishBGP() {
	for i := range p.r.BGP {
		inst := &p.r.BGP[i]
		for j := range inst.Neighbors {
			peer := &inst.Neighbors[j]
			if inst.DefaultIPv4Unicast.On && peer.AF("ipv4", "unicast") == nil {
				peerAF(peer, "ipv4", "unicast")
			}
			bgpPeerDefaults(inst, peer)
		}
		for j := range inst.PeerGroups {
			bgpPeerDefaults(inst, &inst.PeerGroups[j])
		}
	}
}

func bgpPeerDefaults(inst *model.BGPInstance, peer *model.BGPPeer) {
	for k := range peer.AFs {
		af := &peer.AFs[k]
		if af.Active.Pos.IsZero() && !af.Active.Default {
			on := af.AFI == "ipv4" && af.SAFI == "unicast" && inst.DefaultIPv4Unicast.On && peer.Group == ""
			af.Active = model.DefaultFlag(on, srcBGPDefaultV4)
		}
		for _, f := range []*model.Flag{&af.SendCommunity, &af.SendExtCommunity, &af.SendLargeCommunity} {
			if f.Pos.IsZero() && !f.Default {
				*f = model.DefaultFlag(false, srcBGPSendComm)
			}
		}
	}
}

// parseASN reads an AS number in plain or asdot form.
func parseASN(s string) (uint32, bool) {
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(v), true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			hi, err1 := strconv.ParseUint(s[:i], 10, 16)
			lo, err2 := strconv.ParseUint(s[i+1:], 10, 16)
			if err1 != nil || err2 != nil {
				return 0, false
			}
			return uint32(hi<<16 | lo), true
		}
	}
	return 0, false
}

func joinFrom(w []string, i int) string {
	if i >= len(w) {
		return ""
	}
	s := w[i]
	for _, x := range w[i+1:] {
		s += " " + x
	}
	return s
}
