package ospf

import (
	"fmt"
	"strconv"
	"strings"

	"farend/internal/model"
)

// The fixes speak each vendor's configuration language: IOS
// configuration mode lines, FRR vtysh lines, VyOS `set` commands. VyOS
// 1.0-1.3 keep per-interface OSPF settings under `interfaces TYPE NAME ip
// ospf` / `ipv6 ospfv3` (story 6: `set interfaces tunnel tun0 ipv6 ospfv3
// ifmtu 1414`); VyOS 1.4 moved them to `protocols ospf[v3] interface NAME`
// (DESIGN.md, "Routing protocol facts"; vyos-1x migration scripts
// ospf/0-to-1 and ospfv3/0-to-1).

// vyosType is the `interfaces` node of a VyOS interface name.
func vyosType(name string) string {
	for _, p := range []struct{ prefix, node string }{
		{"eth", "ethernet"}, {"tun", "tunnel"}, {"lo", "loopback"}, {"br", "bridge"}, {"bond", "bonding"},
		{"vti", "vti"}, {"wg", "wireguard"}, {"pppoe", "pppoe"}, {"dum", "dummy"}, {"vtun", "openvpn"}, {"wlan", "wireless"},
	} {
		if strings.HasPrefix(name, p.prefix) {
			if p.node == "ethernet" && strings.Contains(name, ".") {
				i := strings.Index(name, ".")
				return "ethernet " + name[:i] + " vif " + name[i+1:]
			}
			return p.node + " " + name
		}
	}
	return "ethernet " + name
}

// vyosOld reports whether a VyOS router keeps OSPF interface settings
// under `interfaces` (1.0-1.3).
func vyosOld(in *Instance) bool {
	r := in.Dev.Router
	if r.Config.Generation == "vyatta" {
		return true
	}
	v := r.Version
	return v == "" || strings.HasPrefix(v, "1.2") || strings.HasPrefix(v, "1.3") || strings.HasPrefix(v, "1.1") || strings.HasPrefix(v, "1.0")
}

// ifCommand returns the commands that set one OSPF interface option:
// key is the FRR/IOS keyword ("hello-interval 10", "mtu-ignore",
// "ifmtu 1414").
func ifCommand(f *Iface, key string) []string {
	in := f.Inst
	switch in.Vendor() {
	case "vyos":
		proto := "ospf"
		if in.Version == 3 {
			proto = "ospfv3"
		}
		if vyosOld(in) {
			fam := "ip ospf"
			if in.Version == 3 {
				fam = "ipv6 ospfv3"
			}
			return []string{"set interfaces " + vyosType(f.Name) + " " + fam + " " + key}
		}
		return []string{"set protocols " + proto + " interface " + f.Name + " " + key}
	case "frr":
		fam := "ip ospf "
		if in.Version == 3 {
			fam = "ipv6 ospf6 "
		}
		return []string{"interface " + f.Name, " " + fam + key}
	default:
		fam := "ip ospf "
		if in.Version == 3 {
			fam = "ipv6 ospf "
		}
		return []string{"interface " + f.Name, " " + fam + key}
	}
}

func fixUp(f *Iface) Fix {
	cmds := []string{"interface " + f.Name, " no shutdown"}
	if f.Inst.Vendor() == "vyos" {
		cmds = []string{"delete interfaces " + vyosType(f.Name) + " disable"}
	}
	return Fix{Node: f.Inst.Dev.Name, Commands: cmds, Why: "bring the interface up"}
}

func fixRouterID(f *Iface) Fix {
	in := f.Inst
	switch in.Vendor() {
	case "vyos":
		p := "ospf"
		if in.Version == 3 {
			p = "ospfv3"
		}
		return Fix{Node: in.Dev.Name, Commands: []string{"set protocols " + p + " parameters router-id A.B.C.D"}, Why: "give the process a router id"}
	case "frr":
		if in.Version == 3 {
			return Fix{Node: in.Dev.Name, Commands: []string{"router ospf6", " ospf6 router-id A.B.C.D"}, Why: "give the process a router id"}
		}
		return Fix{Node: in.Dev.Name, Commands: []string{"router ospf", " ospf router-id A.B.C.D"}, Why: "give the process a router id"}
	}
	return Fix{Node: in.Dev.Name, Commands: []string{procLine(in), " router-id A.B.C.D"}, Why: "give the process a router id"}
}

// procLine is the IOS line that opens the instance's process.
func procLine(in *Instance) string {
	p := in.Proc
	s := "router ospf " + p.ID
	if in.Version == 3 {
		s = "ipv6 router ospf " + p.ID
	}
	if p.VRF != "" {
		s += " vrf " + p.VRF
	}
	return s
}

func fixPassive(f *Iface) Fix {
	in := f.Inst
	fx := Fix{Node: in.Dev.Name, Why: "let " + f.Name + " send hellos"}
	switch in.Vendor() {
	case "vyos":
		p := "ospf"
		if in.Version == 3 {
			p = "ospfv3"
		}
		if f.Cfg.PassiveFrom == "passive-interface default" {
			fx.Commands = []string{"set protocols " + p + " passive-interface-exclude " + f.Name}
		} else {
			fx.Commands = []string{"delete protocols " + p + " passive-interface " + f.Name}
		}
	case "frr":
		if strings.HasPrefix(f.Cfg.PassiveFrom, "configured at") {
			fx.Commands = ifCommand(f, "passive")
			fx.Commands[len(fx.Commands)-1] = " no " + strings.TrimSpace(fx.Commands[len(fx.Commands)-1])
		} else {
			fx.Commands = []string{"router ospf", " no passive-interface " + f.Name}
		}
	default:
		fx.Commands = []string{procLine(in), " no passive-interface " + f.Name}
	}
	return fx
}

func fixArea(f *Iface, area model.AreaID) Fix {
	in := f.Inst
	fx := Fix{Node: in.Dev.Name, Why: "put " + f.Name + " in area " + area.String() + " like its neighbour"}
	switch in.Vendor() {
	case "ios":
		if in.Version == 3 {
			fx.Commands = []string{"interface " + f.Name, " ipv6 ospf " + in.Proc.ID + " area " + area.String()}
		} else {
			fx.Commands = []string{"interface " + f.Name, " ip ospf " + in.Proc.ID + " area " + area.String()}
		}
	case "frr":
		fx.Commands = ifCommand(f, "area "+area.String())
	case "vyos":
		if in.Version == 3 {
			fx.Commands = []string{"delete protocols ospfv3 area " + f.Area.String() + " interface " + f.Name, "set protocols ospfv3 area " + area.String() + " interface " + f.Name}
		} else {
			fx.Commands = []string{"set protocols ospf area " + area.String() + " network " + f.Addr.Masked().String()}
		}
	}
	return fx
}

func fixTimer(f *Iface, what string, value int) Fix {
	return Fix{Node: f.Inst.Dev.Name, Commands: ifCommand(f, what+" "+strconv.Itoa(value)), Why: "match the neighbour's " + what}
}

// fixMTU puts the fix where the error is: a side that advertises an MTU
// other than its link's (story 6: VyOS 1.0 ospf6d advertising the GRE
// default on a tunnel with a lower mtu) is told to advertise the real one;
// otherwise the side with the larger MTU lowers what it advertises to its
// neighbour's, and `mtu-ignore` is the alternative.
func fixMTU(a, b *Iface) []Fix {
	var out []Fix
	for _, x := range []*Iface{a, b} {
		link := linkMTU(x)
		if link > 0 && x.MTU != link {
			out = append(out, fixAdvertise(x, link, fmt.Sprintf("%s advertises %d although %s's MTU is %d", x.Inst.Dev.Name, x.MTU, x.Name, link)))
		}
	}
	if len(out) > 0 {
		return out
	}
	hi, lo := a, b
	if b.MTU > a.MTU {
		hi, lo = b, a
	}
	out = append(out, fixAdvertise(hi, lo.MTU, fmt.Sprintf("make %s advertise its neighbour's MTU %d", hi.Inst.Dev.Name, lo.MTU)))
	// mtu-ignore works on the side that rejects: both sides of an OSPFv3
	// link between FRR/VyOS routers, the smaller-MTU side otherwise.
	for _, x := range []*Iface{a, b} {
		if rej, _ := rejects(x, other(a, b, x)); rej {
			out = append(out, Fix{Node: x.Inst.Dev.Name, Commands: ifCommand(x, "mtu-ignore"), Why: "or let " + x.Inst.Dev.Name + " skip the MTU check"})
		}
	}
	return out
}

// linkMTU is the interface's own MTU for the instance's family; 0 when
// unknown.
func linkMTU(f *Iface) int {
	if c := f.IfCfg; c != nil {
		s := c.IPMTU
		if f.Inst.Version == 3 {
			s = c.IP6MTU
		}
		if s.Known() && s.Value > 0 {
			return s.Value
		}
		if c.MTU.Known() && c.MTU.Value > 0 {
			return c.MTU.Value
		}
	}
	return f.If.MTU
}

// fixAdvertise makes f advertise mtu.
func fixAdvertise(f *Iface, mtu int, why string) Fix {
	in := f.Inst
	fx := Fix{Node: in.Dev.Name, Why: why}
	m := strconv.Itoa(mtu)
	switch {
	case in.Version == 3 && (in.Vendor() == "vyos" || in.Vendor() == "frr"):
		fx.Commands = ifCommand(f, "ifmtu "+m)
	case in.Vendor() == "ios" && in.Version == 3:
		fx.Commands = []string{"interface " + f.Name, " ipv6 mtu " + m}
	case in.Vendor() == "ios":
		fx.Commands = []string{"interface " + f.Name, " ip mtu " + m}
	case in.Vendor() == "vyos":
		fx.Commands = []string{"set interfaces " + vyosType(f.Name) + " mtu " + m}
	default:
		// FRR takes the MTU from the kernel.
		fx.Commands = []string{"ip link set dev " + f.Name + " mtu " + m}
	}
	return fx
}
