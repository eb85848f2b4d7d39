package vyos

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// bgp reads `protocols bgp` in both syntaxes: `bgp ASN { ... }` (VyOS up
// to 1.3, footer without bgp@1) and `bgp { system-as ASN ... }` (1.4;
// `local-as` in between, vyos-1x migration-scripts/bgp/0-to-1, 2-to-3).
func (p *parser) bgp(n *node, vrf string) {
	body := n
	var asn uint32
	if len(n.kids) == 1 && cisco.IsNumber(n.kids[0].word) {
		body = n.kids[0].use()
		v, _ := strconv.ParseUint(body.word, 10, 32)
		asn = uint32(v)
	}
	for _, w := range []string{"system-as", "local-as"} {
		if v, ok := body.val(w); ok {
			x, err := strconv.ParseUint(v, 10, 32)
			if err == nil {
				asn = uint32(x)
			}
		}
	}
	inst := model.BGPInstance{ASN: asn, VRF: vrf, Pos: p.posOf(body),
		Keepalive:     model.Default(60, srcBGPKeepalive),
		Hold:          model.Default(180, srcBGPHold),
		DistanceEBGP:  model.Default(20, srcBGPDistance),
		DistanceIBGP:  model.Default(200, srcBGPDistance),
		DistanceLocal: model.Default(200, srcBGPDistance),
	}
	if p.gen != GenVyatta {
		inst.Profile = "traditional"
	}
	params := body.child("parameters").use()
	p.bgpDefaults(&inst, params)
	for _, c := range body.kids {
		if c.used && c.word != "parameters" {
			continue
		}
		c.use()
		switch c.word {
		case "parameters":
			p.bgpParams(c, &inst)
		case "neighbor":
			for _, x := range c.kids {
				p.bgpPeer(x, &inst, false)
			}
		case "peer-group":
			for _, x := range c.kids {
				p.bgpPeer(x, &inst, true)
			}
		case "address-family":
			for _, af := range c.kids {
				afi, safi, ok := afName(af.word)
				if !ok {
					af.report("BGP address family not modelled")
					continue
				}
				af.use()
				p.bgpInstAF(af, &inst, afi, safi)
			}
		case "network", "aggregate-address", "redistribute", "maximum-paths":
			// VyOS 1.0-1.2: IPv4 unicast settings directly under bgp.
			c.used = false
			p.bgpInstAFNode(c, &inst, "ipv4", "unicast")
		case "timers":
			if v, ok := p.num(c, "keepalive"); ok {
				inst.Keepalive = v
			}
			if v, ok := p.num(c, "holdtime"); ok {
				inst.Hold = v
			}
			for _, x := range c.kids {
				if !x.used {
					x.report("BGP timer not modelled")
				}
			}
		default:
			c.used = false
			c.report("BGP option not modelled")
		}
	}
	p.r.BGP = append(p.r.BGP, inst)
}

// bgpDefaults sets the flags VyOS renders, per generation.
func (p *parser) bgpDefaults(inst *model.BGPInstance, params *node) {
	switch {
	case params.child("ebgp-requires-policy") != nil:
		params.has("ebgp-requires-policy")
		inst.EBGPRequiresPolicy = model.SetFlag(true, p.posOf(params.child("ebgp-requires-policy")))
	case p.gen == GenVyatta:
		inst.EBGPRequiresPolicy = model.DefaultFlag(false, srcEBGPPolicyOld)
	default:
		inst.EBGPRequiresPolicy = model.DefaultFlag(false, srcEBGPPolicy)
	}
	switch {
	case params.child("network-import-check") != nil:
		params.has("network-import-check")
		inst.NetworkImportCheck = model.SetFlag(true, p.posOf(params.child("network-import-check")))
	case p.gen == GenVyatta:
		inst.NetworkImportCheck = model.DefaultFlag(false, srcImportCheckOld)
	default:
		inst.NetworkImportCheck = model.DefaultFlag(false, srcImportCheck)
	}
	comp := p.component("bgp")
	old := p.gen == GenVyatta || (p.gen == GenVyOS && comp >= 0 && comp < 2)
	if d := params.child("default"); d != nil {
		if x := d.child("no-ipv4-unicast"); x != nil {
			d.use()
			x.use()
			inst.DefaultIPv4Unicast = model.SetFlag(false, p.posOf(x))
			return
		}
	}
	switch {
	case old:
		inst.DefaultIPv4Unicast = model.DefaultFlag(true, srcDefaultV4Old)
	case p.gen == "":
		inst.DefaultIPv4Unicast = model.DefaultFlag(false, srcDefaultV4New+"; no version footer: VyOS 1.4 or later assumed")
	default:
		inst.DefaultIPv4Unicast = model.DefaultFlag(false, srcDefaultV4New)
	}
}

// bgpParams reads `parameters { ... }`.
func (p *parser) bgpParams(c *node, inst *model.BGPInstance) {
	for _, x := range c.kids {
		if x.used {
			continue
		}
		switch x.word {
		case "router-id":
			v, _ := c.val("router-id")
			a, err := netip.ParseAddr(v)
			if err != nil {
				x.used = false
				continue
			}
			inst.RouterID = a
		case "cluster-id":
			v, _ := c.val("cluster-id")
			inst.ClusterID, _ = netip.ParseAddr(v)
		case "log-neighbor-changes":
			x.useAll()
			inst.LogNeighborChanges = true
		case "distance":
			x.use()
			if g := x.child("global"); g != nil {
				g.use()
				if v, ok := p.num(g, "external"); ok {
					inst.DistanceEBGP = v
				}
				if v, ok := p.num(g, "internal"); ok {
					inst.DistanceIBGP = v
				}
				if v, ok := p.num(g, "local"); ok {
					inst.DistanceLocal = v
				}
			}
			for _, y := range x.kids {
				if !y.used {
					y.report("BGP distance option not modelled")
				}
			}
		case "graceful-restart", "default", "fast-convergence", "no-fast-external-failover", "scan-time", "conditional-advertisement":
			x.useAll()
		default:
			x.report("BGP parameter not modelled")
		}
	}
}

// afName maps VyOS address-family node names.
func afName(w string) (string, string, bool) {
	switch w {
	case "ipv4-unicast":
		return "ipv4", "unicast", true
	case "ipv6-unicast":
		return "ipv6", "unicast", true
	case "ipv4-multicast":
		return "ipv4", "multicast", true
	case "ipv6-multicast":
		return "ipv6", "multicast", true
	}
	return "", "", false
}

// bgpInstAF reads an instance's address family block.
func (p *parser) bgpInstAF(af *node, inst *model.BGPInstance, afi, safi string) {
	a := instAF(inst, afi, safi)
	a.Pos = p.posOf(af)
	for _, c := range af.kids {
		p.bgpInstAFNode(c, inst, afi, safi)
	}
}

// bgpInstAFNode reads network, aggregate-address, redistribute and
// maximum-paths.
func (p *parser) bgpInstAFNode(c *node, inst *model.BGPInstance, afi, safi string) {
	a := instAF(inst, afi, safi)
	c.use()
	switch c.word {
	case "network":
		for _, x := range c.kids {
			pf, err := netip.ParsePrefix(x.word)
			if err != nil {
				x.report("bad prefix")
				continue
			}
			x.use()
			nw := model.BGPNetwork{Prefix: pf.Masked(), Pos: p.posOf(x), Backdoor: x.has("backdoor")}
			nw.RouteMap, _ = x.val("route-map")
			reportRest(x, "network option not modelled")
			a.Networks = append(a.Networks, nw)
		}
	case "aggregate-address":
		for _, x := range c.kids {
			pf, err := netip.ParsePrefix(x.word)
			if err != nil {
				x.report("bad prefix")
				continue
			}
			x.use()
			ag := model.BGPAggregate{Prefix: pf.Masked(), Pos: p.posOf(x), ASSet: x.has("as-set"), SummaryOnly: x.has("summary-only")}
			reportRest(x, "aggregate option not modelled")
			a.Aggregates = append(a.Aggregates, ag)
		}
	case "redistribute":
		for _, x := range c.kids {
			x.use()
			r := model.Redistribution{Protocol: x.word, Pos: p.posOf(x)}
			r.RouteMap, _ = x.val("route-map")
			if v, ok := p.num(x, "metric"); ok {
				r.Metric = v.Value
			}
			reportRest(x, "redistribute option not modelled")
			a.Redistribute = append(a.Redistribute, r)
		}
	case "maximum-paths":
		if v, ok := p.num(c, "ebgp"); ok {
			a.MaximumPaths = v
		}
		if v, ok := p.num(c, "ibgp"); ok {
			a.MaximumPathsIBGP = v
		}
		reportRest(c, "maximum-paths option not modelled")
	default:
		c.used = false
		c.report("BGP address-family option not modelled")
	}
}

// reportRest reports the children of n nothing used.
func reportRest(n *node, why string) {
	for _, k := range n.kids {
		if !k.used {
			k.report(why)
		}
	}
}

func instAF(inst *model.BGPInstance, afi, safi string) *model.BGPAF {
	if a := inst.AF(afi, safi); a != nil {
		return a
	}
	inst.AFs = append(inst.AFs, model.BGPAF{AFI: afi, SAFI: safi})
	return &inst.AFs[len(inst.AFs)-1]
}

// bgpPeer reads `neighbor X {...}` or `peer-group X {...}`.
func (p *parser) bgpPeer(x *node, inst *model.BGPInstance, group bool) {
	x.use()
	peer := model.BGPPeer{Pos: p.posOf(x)}
	switch a, err := netip.ParseAddr(x.word); {
	case group:
		peer.Group = x.word
	case err == nil:
		peer.Addr = a
	default:
		peer.Interface = x.word
	}
	for _, c := range x.kids {
		c.use()
		switch c.word {
		case "remote-as":
			v, _ := x.val("remote-as")
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				peer.RemoteAS = uint32(n)
			} else if v == "internal" || v == "external" {
				peer.RemoteASKind = v
			} else {
				c.used = false
			}
		case "description":
			peer.Description, _ = x.val("description")
		case "update-source":
			peer.UpdateSource, _ = x.val("update-source")
		case "ebgp-multihop":
			v, _ := p.num(x, "ebgp-multihop")
			peer.EBGPMultihop = v.Value
		case "ttl-security":
			v, _ := p.num(c, "hops")
			peer.TTLSecurity = v.Value
		case "password":
			c.useAll()
			peer.HasPassword = true
		case "shutdown":
			peer.Shutdown = true
		case "peer-group":
			peer.PeerGroup, _ = x.val("peer-group")
		case "local-as":
			c.useAll()
			if len(c.kids) > 0 {
				n, _ := strconv.ParseUint(c.kids[0].word, 10, 32)
				peer.LocalAS = uint32(n)
			}
		case "timers":
			if v, ok := p.num(c, "keepalive"); ok {
				peer.Keepalive = v
			}
			if v, ok := p.num(c, "holdtime"); ok {
				peer.Hold = v
			}
			p.num(c, "connect")
			reportRest(c, "BGP timer not modelled")
		case "address-family":
			for _, af := range c.kids {
				afi, safi, ok := afName(af.word)
				if !ok {
					af.report("BGP address family not modelled")
					continue
				}
				af.use()
				a := peerAF(&peer, afi, safi)
				a.Active = model.SetFlag(true, p.posOf(af))
				for _, k := range af.kids {
					p.bgpPeerAFNode(k, a, &peer, x)
				}
			}
		case "capability", "bfd", "disable-capability-negotiation", "disable-connected-check", "override-capability",
			"passive", "port", "advertisement-interval", "enforce-first-as", "solo", "strict-capability-match", "graceful-restart":
			c.useAll()
		case "interface":
			c.report("unnumbered BGP interface options are not modelled")
		default:
			// VyOS 1.0-1.1: IPv4 unicast settings directly under the
			// neighbour.
			c.used = false
			p.bgpPeerAFNode(c, peerAF(&peer, "ipv4", "unicast"), &peer, x)
		}
	}
	if group {
		inst.PeerGroups = append(inst.PeerGroups, peer)
	} else {
		inst.Neighbors = append(inst.Neighbors, peer)
	}
}

// bgpPeerAFNode reads one per-address-family neighbour setting.
func (p *parser) bgpPeerAFNode(k *node, a *model.BGPPeerAF, peer *model.BGPPeer, x *node) {
	k.use()
	pos := p.posOf(k)
	dir := func(in, out *string) {
		*in, _ = k.val("import")
		*out, _ = k.val("export")
		reportRest(k, "policy direction not modelled")
	}
	switch k.word {
	case "route-map":
		dir(&a.RouteMapIn, &a.RouteMapOut)
	case "prefix-list":
		dir(&a.PrefixListIn, &a.PrefixListOut)
	case "filter-list":
		dir(&a.FilterListIn, &a.FilterListOut)
	case "distribute-list":
		dir(&a.DistributeListIn, &a.DistributeListOut)
		for _, d := range []struct{ n, dir string }{{a.DistributeListIn, "in"}, {a.DistributeListOut, "out"}} {
			if d.n != "" {
				p.r.ACLUses = append(p.r.ACLUses, model.ACLUse{ACL: d.n, Where: "bgp neighbor " + peer.Name(), Direction: d.dir, Pos: pos})
			}
		}
	case "nexthop-self":
		k.useAll()
		a.NextHopSelf = true
	case "route-reflector-client":
		a.RRClient = true
	case "soft-reconfiguration":
		k.useAll()
		a.SoftReconfigIn = true
	case "remove-private-as":
		k.useAll()
		a.RemovePrivate = true
	case "allowas-in":
		k.useAll()
		a.AllowASIn = 3 // FRR: `neighbor X allowas-in` without a number allows 3 (bgpd/bgp_vty.c)
		if v, ok := p.num(k, "number"); ok {
			a.AllowASIn = v.Value
		}
	case "default-originate":
		k.useAll()
		a.DefaultOriginate = true
	case "maximum-prefix":
		v, _ := p.num(x, "maximum-prefix")
		if !v.Known() {
			v, _ = p.num(k.parent, "maximum-prefix")
		}
		a.MaxPrefix = v.Value
		k.useAll()
	case "disable-send-community":
		k.use()
		if k.has("standard") {
			a.SendCommunity = model.SetFlag(false, pos)
		}
		if k.has("extended") {
			a.SendExtCommunity = model.SetFlag(false, pos)
		}
		if k.has("large") {
			a.SendLargeCommunity = model.SetFlag(false, pos)
		}
		reportRest(k, "send-community option not modelled")
	case "weight", "attribute-unchanged", "as-override", "addpath-tx-all", "addpath-tx-per-as", "capability", "unsuppress-map", "nexthop-local":
		k.report("BGP neighbour option not modelled")
	default:
		k.used = false
		k.report("BGP neighbour option not modelled")
	}
}

func peerAF(peer *model.BGPPeer, afi, safi string) *model.BGPPeerAF {
	if a := peer.AF(afi, safi); a != nil {
		return a
	}
	peer.AFs = append(peer.AFs, model.BGPPeerAF{AFI: afi, SAFI: safi})
	return &peer.AFs[len(peer.AFs)-1]
}

// finishBGP applies activation and community defaults.
func (p *parser) finishBGP() {
	for i := range p.r.BGP {
		inst := &p.r.BGP[i]
		all := [][]model.BGPPeer{inst.Neighbors, inst.PeerGroups}
		for gi, peers := range all {
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
							*f = model.DefaultFlag(true, srcSendComm)
						}
					}
				}
			}
		}
		// all[0] may have been reallocated by peerAF; slices share arrays,
		// so the instance sees the changes.
	}
}
