package ios

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
)

// bgpNeighbor reads `neighbor ID ...`.
func (p *parser) bgpNeighbor(k *line, c bgpCtx) bool {
	w := k.Words
	n := len(w)
	pos := p.Pos(k)
	if n < 3 {
		return false
	}
	inst := c.inst
	id := w[1]
	if n == 3 && w[2] == "peer-group" {
		if _, err := netip.ParseAddr(id); err == nil {
			return false
		}
		if inst.Peer(id) == nil {
			inst.PeerGroups = append(inst.PeerGroups, model.BGPPeer{Group: id, Pos: pos})
		}
		return true
	}
	peer := p.bgpPeer(inst, id, pos)
	if peer == nil {
		return false
	}
	arg := ""
	if n > 3 {
		arg = w[3]
	}
	num := func() (int, bool) {
		v, err := strconv.Atoi(arg)
		return v, err == nil && n == 4
	}
	switch w[2] {
	case "remote-as":
		asn, ok := parseASN(arg)
		if !ok || n != 4 {
			return false
		}
		peer.RemoteAS = asn
	case "peer-group":
		if n != 4 {
			return false
		}
		peer.PeerGroup = arg
	case "description":
		peer.Description = joinFrom(w, 3)
	case "update-source":
		if n != 4 {
			return false
		}
		peer.UpdateSource = arg
	case "ebgp-multihop":
		if n == 3 {
			// BGP Command Reference, neighbor ebgp-multihop: without a
			// number the TTL is 255.
			peer.EBGPMultihop = 255
		} else if v, ok := num(); ok {
			peer.EBGPMultihop = v
		} else {
			return false
		}
	case "ttl-security":
		if n == 5 && w[3] == "hops" {
			v, err := strconv.Atoi(w[4])
			if err != nil {
				return false
			}
			peer.TTLSecurity = v
		} else {
			return false
		}
	case "password":
		peer.HasPassword = true
	case "shutdown":
		peer.Shutdown = true
	case "local-as":
		asn, ok := parseASN(arg)
		if !ok {
			return false
		}
		peer.LocalAS = asn
	case "timers":
		if n < 5 {
			return false
		}
		ka, err1 := strconv.Atoi(w[3])
		h, err2 := strconv.Atoi(w[4])
		if err1 != nil || err2 != nil {
			return false
		}
		peer.Keepalive, peer.Hold = model.Set(ka, pos), model.Set(h, pos)
	case "version", "fall-over", "disable-connected-check", "transport", "advertisement-interval", "log-neighbor-changes", "capability":
	default:
		return p.bgpNeighborAF(w, peer, c, pos)
	}
	return true
}

// bgpNeighborAF reads the address-family neighbour commands.
func (p *parser) bgpNeighborAF(w []string, peer *model.BGPPeer, c bgpCtx, pos source.Pos) bool {
	n := len(w)
	af := peerAF(peer, c.afi, c.safi)
	dir := ""
	if n == 5 && (w[4] == "in" || w[4] == "out") {
		dir = w[4]
	}
	switch w[2] {
	case "activate":
		af.Active = model.SetFlag(true, pos)
	case "route-map", "prefix-list", "filter-list", "distribute-list":
		if dir == "" {
			return false
		}
		in := dir == "in"
		name := w[3]
		switch w[2] {
		case "route-map":
			setDir(&af.RouteMapIn, &af.RouteMapOut, in, name)
		case "prefix-list":
			setDir(&af.PrefixListIn, &af.PrefixListOut, in, name)
		case "filter-list":
			setDir(&af.FilterListIn, &af.FilterListOut, in, name)
		case "distribute-list":
			setDir(&af.DistributeListIn, &af.DistributeListOut, in, name)
			p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: name, Where: "bgp neighbor " + peer.Name(), Direction: dir, Pos: pos})
		}
	case "next-hop-self":
		af.NextHopSelf = true
	case "route-reflector-client":
		af.RRClient = true
	case "send-community":
		kind := "standard"
		if n == 4 {
			kind = w[3]
		}
		switch kind {
		case "standard":
			af.SendCommunity = model.SetFlag(true, pos)
		case "extended":
			af.SendExtCommunity = model.SetFlag(true, pos)
		case "both":
			af.SendCommunity, af.SendExtCommunity = model.SetFlag(true, pos), model.SetFlag(true, pos)
		default:
			return false
		}
	case "soft-reconfiguration":
		af.SoftReconfigIn = true
	case "remove-private-as":
		af.RemovePrivate = true
	case "allowas-in":
		af.AllowASIn = 3 // BGP Command Reference, neighbor allowas-in: default 3
		if n == 4 {
			v, err := strconv.Atoi(w[3])
			if err != nil {
				return false
			}
			af.AllowASIn = v
		}
	case "default-originate":
		af.DefaultOriginate = true
	case "maximum-prefix":
		if n < 4 {
			return false
		}
		v, err := strconv.Atoi(w[3])
		if err != nil {
			return false
		}
		af.MaxPrefix = v
	default:
		return false
	}
	return true
}

func setDir(in, out *string, isIn bool, v string) {
	if isIn {
		*in = v
	} else {
		*out = v
	}
}

// bgpPeer returns the neighbour or peer-group id, adding a neighbour for
// a new address. An unknown name is taken as a peer-group.
func (p *parser) bgpPeer(inst *model.BGPInstance, id string, pos source.Pos) *model.BGPPeer {
	if a, err := netip.ParseAddr(id); err == nil {
		for i := range inst.Neighbors {
			if inst.Neighbors[i].Addr == a {
				return &inst.Neighbors[i]
			}
		}
		inst.Neighbors = append(inst.Neighbors, model.BGPPeer{Addr: a, Pos: pos})
		return &inst.Neighbors[len(inst.Neighbors)-1]
	}
	return inst.Peer(id)
}

// peerAF returns the peer's settings for afi/safi, adding them.
func peerAF(peer *model.BGPPeer, afi, safi string) *model.BGPPeerAF {
	if af := peer.AF(afi, safi); af != nil {
		return af
	}
	peer.AFs = append(peer.AFs, model.BGPPeerAF{AFI: afi, SAFI: safi})
	return &peer.AFs[len(peer.AFs)-1]
}

// instAF returns the instance's settings for afi/safi, adding them.
func instAF(inst *model.BGPInstance, afi, safi string, pos source.Pos) *model.BGPAF {
	if af := inst.AF(afi, safi); af != nil {
		return af
	}
	inst.AFs = append(inst.AFs, model.BGPAF{AFI: afi, SAFI: safi, Pos: pos,
		MaximumPaths:     model.Default(1, srcBGPMaxPaths),
		MaximumPathsIBGP: model.Default(1, srcBGPMaxPaths)})
	return &inst.AFs[len(inst.AFs)-1]
}
