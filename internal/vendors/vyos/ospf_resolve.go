package vyos

import (
	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// resolveOSPF works out each process's interfaces and their values.
func (p *parser) resolveOSPF() {
	for _, op := range p.ospf {
		proc := op.proc
		vi := proc.Version - 2
		for j := range p.r.Ifaces {
			cfg := &p.r.Ifaces[j]
			ifc := &p.dev.Interfaces[j]
			if cfg.VRF != proc.VRF {
				continue
			}
			raw := p.ospfSettings(cfg.Name).v[vi]
			oi := model.OSPFInterface{Name: cfg.Name, InstanceID: raw.instance}
			switch {
			case raw.areaSet:
				oi.Area, oi.EnabledBy, oi.Pos = raw.area, raw.areaCmd, raw.areaPos
			case proc.Version == 2:
				nw, ok := cisco.MatchNetwork(op.networks, ifc)
				if !ok {
					continue
				}
				oi.Area, oi.Pos = nw.Area, nw.Pos
				oi.EnabledBy = "protocols ospf area " + nw.Area.String() + " network " + nw.Prefix.String()
			default:
				found := false
				for _, x := range op.v3ifs {
					if x.name == cfg.Name {
						oi.Area, oi.Pos, oi.EnabledBy, found = x.area, x.pos, x.cmd, true
						break
					}
				}
				if !found {
					continue
				}
			}
			p.ospfIfValues(&oi, &proc, op, cfg, ifc, raw)
			cisco.AreaOf(&proc, oi.Area)
			proc.Interfaces = append(proc.Interfaces, oi)
		}
		p.r.OSPF = append(p.r.OSPF, proc)
	}
}

// ospfIfValues fills network type, cost, timers, MTU and passive state
// with Quagga/FRR defaults.
func (p *parser) ospfIfValues(oi *model.OSPFInterface, proc *model.OSPFProcess, op *ospfProc, cfg *model.IfaceConfig, ifc *model.Interface, raw ospfIf) {
	switch {
	case raw.network != model.NetUnknown:
		oi.Network, oi.NetworkFrom = raw.network, "configured at "+raw.networkPos.String()
	case ifc.Loopback:
		oi.Network, oi.NetworkFrom = model.NetLoopback, srcNetType+": loopback"
	case ifc.Tunnel != nil && ifc.Tunnel.Remote.IsValid():
		oi.Network, oi.NetworkFrom = model.NetPointToPoint, srcNetType+": tunnel with a remote address (IFF_POINTOPOINT)"
	default:
		oi.Network, oi.NetworkFrom = model.NetBroadcast, srcNetType+": broadcast"
	}
	oi.Cost = raw.cost
	if !oi.Cost.Known() {
		bw := 10000
		if raw.bandwidth.Known() && raw.bandwidth.Value > 0 {
			bw = raw.bandwidth.Value
		}
		c := max(1, min(proc.ReferenceBandwidth.Value*1000/bw, 65535))
		from := srcCost
		if proc.Version == 3 {
			from = "ospf6d: reference bandwidth / interface bandwidth (ospf6d/ospf6_interface.h OSPF6_REFERENCE_BANDWIDTH 100 Mbit/s, OSPF6_INTERFACE_BANDWIDTH 10 Mbit/s when the kernel reports no speed)"
		}
		oi.Cost = model.Default(c, from)
	}
	oi.Hello = raw.hello
	if !oi.Hello.Known() {
		oi.Hello = model.Default(10, srcHello)
	}
	oi.Dead = raw.dead
	if !oi.Dead.Known() {
		oi.Dead = model.Default(40, srcDead)
	}
	oi.Priority = raw.priority
	if !oi.Priority.Known() {
		oi.Priority = model.Default(1, srcPriority)
	}
	oi.MTU = p.ospfMTU(proc.Version, cfg, ifc, raw)
	oi.MTUIgnore, oi.BFD = raw.mtuIgnore, raw.bfd
	switch {
	case raw.passive != nil:
		oi.Passive, oi.PassiveFrom = *raw.passive, "configured at "+raw.passivePos.String()
	case op.passive[cfg.Name].Line != 0:
		oi.Passive, oi.PassiveFrom = true, "passive-interface "+cfg.Name+" at "+op.passive[cfg.Name].String()
	case proc.PassiveDefault && !op.notPassive[cfg.Name]:
		oi.Passive, oi.PassiveFrom = true, "passive-interface default"
	}
	oi.Auth, oi.HasKey = raw.auth, raw.hasKey
	if oi.Auth == model.AuthNone {
		if a := proc.Area(oi.Area); a != nil {
			oi.Auth = a.Auth
		}
	}
}

// ospfMTU is the MTU the process advertises in DD packets on the
// interface, per version and VyOS generation.
func (p *parser) ospfMTU(version int, cfg *model.IfaceConfig, ifc *model.Interface, raw ospfIf) model.Setting {
	link := cfg.MTU
	how := "mtu at " + link.Pos.String()
	if link.Default {
		how = "default mtu " + itoa(link.Value) + ": " + link.From
	}
	if version == 2 {
		return model.Setting{Value: link.Value, Default: true, From: srcOSPFMTU + "; " + how}
	}
	if raw.ifmtu.Known() {
		if raw.ifmtu.Value <= link.Value || !link.Known() {
			return model.Setting{Value: raw.ifmtu.Value, Pos: raw.ifmtu.Pos, From: "ifmtu at " + raw.ifmtu.Pos.String() + " (" + srcOSPF6MTU + ")"}
		}
		return model.Setting{Value: link.Value, Default: true, From: "ifmtu " + itoa(raw.ifmtu.Value) + " at " + raw.ifmtu.Pos.String() +
			" is above the link MTU and ignored: ospf6d only lowers it (ospf6d/ospf6_interface.c); " + how}
	}
	if p.gen == GenVyatta && ifc.Tunnel != nil && ifc.Tunnel.Mode == "gre" {
		return model.Default(1476, srcVyattaGREv3+"; the link mtu is "+itoa(link.Value)+" ("+how+")")
	}
	return model.Setting{Value: link.Value, Default: true, From: srcOSPF6MTU + "; " + how}
}
