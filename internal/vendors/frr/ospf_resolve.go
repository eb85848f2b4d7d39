package frr

import (
	"farend/internal/model"
	"farend/internal/vendors/cisco"
)

// resolveOSPF works out each process's interfaces.
func (p *parser) resolveOSPF() {
	for _, op := range p.procs {
		proc := op.proc
		vi := proc.Version - 2
		for j := range p.r.Ifaces {
			cfg := &p.r.Ifaces[j]
			ifc := &p.dev.Interfaces[j]
			if cfg.VRF != proc.VRF {
				continue
			}
			raw := p.ospfSettings(cfg.Name).v[vi]
			if x, ok := op.v3ifs[cfg.Name]; ok && proc.Version == 3 && !raw.areaSet {
				raw.areaSet, raw.area, raw.areaPos, raw.areaCmd = true, x.area, x.areaPos, x.areaCmd
			}
			oi := model.OSPFInterface{Name: cfg.Name, InstanceID: raw.instance}
			switch {
			case raw.areaSet:
				oi.Area, oi.EnabledBy, oi.Pos = raw.area, raw.areaCmd, raw.areaPos
			case proc.Version == 2:
				nw, ok := cisco.MatchNetwork(op.networks, ifc)
				if !ok {
					continue
				}
				oi.Area, oi.Pos, oi.EnabledBy = nw.Area, nw.Pos, "network "+nw.Prefix.String()+" area "+nw.Area.String()
			default:
				continue
			}
			p.ospfIfValues(&oi, &proc, op, cfg, ifc, raw)
			cisco.AreaOf(&proc, oi.Area)
			proc.Interfaces = append(proc.Interfaces, oi)
		}
		p.r.OSPF = append(p.r.OSPF, proc)
	}
}

func (p *parser) ospfIfValues(oi *model.OSPFInterface, proc *model.OSPFProcess, op *ospfProc, cfg *model.IfaceConfig, ifc *model.Interface, raw ospfIf) {
	switch {
	case raw.network != model.NetUnknown:
		oi.Network, oi.NetworkFrom = raw.network, "configured at "+raw.networkPos.String()
	case ifc.Loopback:
		oi.Network, oi.NetworkFrom = model.NetLoopback, srcNetType+": lo"
	default:
		oi.Network, oi.NetworkFrom = model.NetBroadcast, srcNetType+": broadcast assumed"
	}
	oi.Cost = raw.cost
	if !oi.Cost.Known() {
		bw := 10000 // Mbit/s
		if cfg.Bandwidth.Known() && cfg.Bandwidth.Value > 0 {
			bw = max(1, cfg.Bandwidth.Value/1000)
		}
		c := max(1, int(float64(proc.ReferenceBandwidth.Value)/float64(bw)+0.5))
		if proc.Version == 2 {
			c = min(c, 65535)
			if ifc.Loopback {
				c = 0 // ospf_if_get_output_cost: "if (if_is_loopback(oi->ifp)) cost = 0"
			}
		}
		oi.Cost = model.Default(c, srcCost)
	}
	oi.Hello, oi.Dead, oi.Priority = raw.hello, raw.dead, raw.priority
	if !oi.Hello.Known() {
		oi.Hello = model.Default(10, srcHello)
	}
	if !oi.Dead.Known() {
		oi.Dead = model.Default(40, srcDead)
	}
	if !oi.Priority.Known() {
		oi.Priority = model.Default(1, srcPriority)
	}
	oi.MTU = model.Setting{From: srcMTU}
	if proc.Version == 3 {
		oi.MTU = model.Setting{From: srcMTU6}
		if raw.ifmtu.Known() {
			oi.MTU = model.Setting{Value: raw.ifmtu.Value, Pos: raw.ifmtu.Pos, From: "ipv6 ospf6 ifmtu (lowers the kernel's IPv6 MTU only; ospf6d/ospf6_interface.c)"}
		}
	}
	oi.MTUIgnore, oi.BFD, oi.Auth, oi.HasKey = raw.mtuIgnore, raw.bfd, raw.auth, raw.hasKey
	switch {
	case raw.passive != nil:
		oi.Passive, oi.PassiveFrom = *raw.passive, "configured at "+raw.passivePos.String()
	case op.passive[cfg.Name].Line != 0:
		oi.Passive, oi.PassiveFrom = true, "passive-interface "+cfg.Name
	case proc.PassiveDefault && !op.notPassive[cfg.Name]:
		oi.Passive, oi.PassiveFrom = true, "passive-interface default"
	}
	if oi.Auth == model.AuthNone {
		if a := proc.Area(oi.Area); a != nil {
			oi.Auth = a.Auth
		}
	}
}
