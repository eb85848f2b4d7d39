package ios

import (
	"strings"

	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// resolveOSPF works out which interfaces each process runs on and fills
// every per-interface value, applying IOS defaults.
func (p *parser) resolveOSPF() {
	for i := range p.r.OSPF {
		proc := &p.r.OSPF[i]
		op := p.ospfProcs[i]
		op.proc = proc
		vi := proc.Version - 2
		for j := range p.r.Ifaces {
			cfg := &p.r.Ifaces[j]
			ifc := &p.dev.Interfaces[j]
			if cfg.VRF != proc.VRF {
				continue
			}
			raw := p.ospfIf[cfg.Name].v[vi]
			oi := model.OSPFInterface{Name: cfg.Name}
			switch {
			case raw.areaSet && raw.proc == proc.ID:
				// Cisco OSPF configuration guide: an interface command takes
				// precedence over network statements.
				oi.Area, oi.EnabledBy, oi.Pos, oi.InstanceID = raw.area, raw.areaCmd, raw.areaPos, raw.instance
			case proc.Version == 2 && !raw.areaSet:
				nw, ok := firstNetwork(op.networks, ifc)
				if !ok {
					continue
				}
				oi.Area, oi.Pos = nw.Area, nw.Pos
				oi.EnabledBy = "network " + nw.Addr.String() + " " + nw.Wildcard.String() + " area " + nw.Area.String()
			default:
				continue
			}
			p.ospfIfValues(&oi, proc, op, cfg, ifc, raw)
			cisco.AreaOf(proc, oi.Area)
			proc.Interfaces = append(proc.Interfaces, oi)
		}
	}
}

// firstNetwork returns the first network statement matching the
// interface's primary IPv4 address. Cisco OSPF Command Reference, "network
// area": when ranges of several statements overlap, the first statement in
// the list wins.
func firstNetwork(nets []model.OSPFNetwork, ifc *model.Interface) (model.OSPFNetwork, bool) {
	for _, a := range ifc.Addrs {
		if !a.Prefix.Addr().Is4() || a.Secondary {
			continue
		}
		for _, n := range nets {
			if n.Matches(a.Prefix.Addr()) {
				return n, true
			}
		}
		break
	}
	return model.OSPFNetwork{}, false
}

// ospfIfValues fills network type, cost, timers, priority, MTU, passive
// and authentication.
func (p *parser) ospfIfValues(oi *model.OSPFInterface, proc *model.OSPFProcess, op *ospfProc, cfg *model.IfaceConfig, ifc *model.Interface, raw ospfIf) {
	t := typeOf(cfg.Name)
	switch {
	case raw.network != model.NetUnknown:
		oi.Network, oi.NetworkFrom = raw.network, "configured at "+raw.networkPos.String()
	case ifc.Tunnel != nil:
		oi.Network, oi.NetworkFrom = model.NetPointToPoint, srcNetType+": tunnel"
	case t.net != model.NetUnknown:
		oi.Network, oi.NetworkFrom = t.net, srcNetType+": "+strings.TrimRight(t.prefix, "-")
	default:
		oi.Network, oi.NetworkFrom = model.NetBroadcast, srcNetType+": assumed broadcast"
	}
	oi.Cost = raw.cost
	if !oi.Cost.Known() && cfg.Bandwidth.Known() && cfg.Bandwidth.Value > 0 {
		c := proc.ReferenceBandwidth.Value * 1000 / cfg.Bandwidth.Value
		c = max(1, min(c, 65535))
		oi.Cost = model.Default(c, srcCost)
	}
	hello := 10
	if oi.Network == model.NetNBMA || oi.Network == model.NetPointToMultipoint || oi.Network == model.NetPointToMultipointNB {
		hello = 30
	}
	oi.Hello = raw.hello
	if !oi.Hello.Known() {
		oi.Hello = model.Default(hello, srcHello)
	}
	oi.Dead = raw.dead
	if !oi.Dead.Known() {
		oi.Dead = model.Default(4*oi.Hello.Value, srcDead)
	}
	oi.Priority = raw.priority
	if !oi.Priority.Known() {
		oi.Priority = model.Default(1, srcPriority)
	}
	mtu, from := cfg.IPMTU, srcOSPFMTU
	if proc.Version == 3 {
		mtu, from = cfg.IP6MTU, srcOSPF6MTU
	}
	if mtu.Known() {
		how := "ip mtu"
		if proc.Version == 3 {
			how = "ipv6 mtu"
		}
		if mtu.Default {
			how += " default: " + mtu.From
		} else {
			how += " at " + mtu.Pos.String()
		}
		oi.MTU = model.Setting{Value: mtu.Value, Default: true, From: from + "; " + how}
	}
	oi.MTUIgnore = raw.mtuIgnore
	_, pas := op.passive[cfg.Name]
	_, notPas := op.notPassive[cfg.Name]
	switch {
	case pas:
		oi.Passive, oi.PassiveFrom = true, "passive-interface "+cfg.Name+" at "+op.passive[cfg.Name].String()
	case proc.PassiveDefault && !notPas:
		oi.Passive, oi.PassiveFrom = true, "passive-interface default"
	}
	oi.Auth, oi.HasKey, oi.BFD = raw.auth, raw.hasKey, raw.bfd
	if oi.Auth == model.AuthNone {
		oi.Auth = op.areaAuth[oi.Area]
	}
}
