package ios

import (
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/cisco"
)

// ospfIf is what an interface says about one OSPF version before the
// process it belongs to is known.
type ospfIf struct {
	proc                        string
	area                        model.AreaID
	areaSet                     bool
	areaPos                     source.Pos
	areaCmd                     string
	instance                    int
	cost, hello, dead, priority model.Setting
	network                     model.NetworkType
	networkPos                  source.Pos
	mtuIgnore                   bool
	auth                        model.OSPFAuth
	hasKey                      bool
	bfd                         bool
}

// ifOSPF holds an interface's OSPFv2 (v[0]) and OSPFv3 (v[1]) settings.
type ifOSPF struct{ v [2]ospfIf }

func (p *parser) ospfSettings(name string) *ifOSPF {
	o := p.ospfIf[name]
	if o == nil {
		o = &ifOSPF{}
		p.ospfIf[name] = o
	}
	return o
}

// ospfIfCmd reads the words after `ip ospf` (version 2) or `ipv6 ospf`
// (version 3) on an interface.
func (p *parser) ospfIfCmd(k *line, version int, a []string, o *ifOSPF) bool {
	s := &o.v[version-2]
	pos := p.Pos(k)
	if len(a) == 0 {
		return false
	}
	num := func(i int) (int, bool) {
		if i >= len(a) {
			return 0, false
		}
		v, err := strconv.Atoi(a[i])
		return v, err == nil
	}
	switch a[0] {
	case "cost":
		if v, ok := num(1); ok && len(a) == 2 {
			s.cost = model.Set(v, pos)
			p.OK(k)
			return true
		}
	case "hello-interval":
		if v, ok := num(1); ok && len(a) == 2 {
			s.hello = model.Set(v, pos)
			p.OK(k)
			return true
		}
	case "dead-interval":
		if v, ok := num(1); ok && len(a) == 2 {
			s.dead = model.Set(v, pos)
			p.OK(k)
			return true
		}
		if len(a) == 4 && a[1] == "minimal" && a[2] == "hello-multiplier" {
			// Sub-second hellos: the dead interval is 1 s.
			s.dead = model.Set(1, pos)
			p.OK(k)
			return true
		}
	case "priority":
		if v, ok := num(1); ok && len(a) == 2 {
			s.priority = model.Set(v, pos)
			p.OK(k)
			return true
		}
	case "network":
		t := map[string]model.NetworkType{
			"broadcast": model.NetBroadcast, "point-to-point": model.NetPointToPoint,
			"non-broadcast": model.NetNBMA, "point-to-multipoint": model.NetPointToMultipoint,
			"point-to-multipoint non-broadcast": model.NetPointToMultipointNB,
		}[strings.Join(a[1:], " ")]
		if t != model.NetUnknown {
			s.network, s.networkPos = t, pos
			p.OK(k)
			return true
		}
	case "mtu-ignore":
		if len(a) == 1 {
			s.mtuIgnore = true
			p.OK(k)
			return true
		}
	case "authentication":
		switch {
		case len(a) == 1:
			s.auth = model.AuthSimple
		case a[1] == "message-digest":
			s.auth = model.AuthMD5
		case a[1] == "null":
			s.auth = model.AuthNull
		case a[1] == "key-chain":
			s.auth, s.hasKey = model.AuthKeyChain, true
		case a[1] == "ipsec":
			s.auth, s.hasKey = model.AuthIPsec, true
		default:
			return false
		}
		p.OK(k)
		return true
	case "authentication-key", "message-digest-key":
		s.hasKey = true
		p.OK(k)
		return true
	case "encryption":
		s.auth, s.hasKey = model.AuthIPsec, true
		p.OK(k)
		return true
	case "bfd":
		s.bfd = true
		p.OK(k)
		return true
	case "retransmit-interval", "transmit-delay", "flood-reduction", "ttl-security", "resync-timeout":
		p.OK(k)
		return true
	case "demand-circuit", "database-filter", "prefix-suppression", "fast-reroute":
		p.Bad(k, "OSPF interface option not modelled")
		return true
	default:
		// ip ospf PROC area AREA [secondaries none]; ipv6 ospf PROC area
		// AREA [instance N].
		if len(a) >= 3 && cisco.IsNumber(a[0]) && a[1] == "area" {
			area, err := model.ParseAreaID(a[2])
			if err != nil {
				return false
			}
			rest := a[3:]
			inst := 0
			if len(rest) == 2 && rest[0] == "instance" {
				inst, _ = strconv.Atoi(rest[1])
				rest = nil
			}
			if len(rest) != 0 {
				return false
			}
			s.proc, s.area, s.areaSet, s.areaPos, s.instance = a[0], area, true, pos, inst
			s.areaCmd = k.Text()
			p.OK(k)
			return true
		}
	}
	return false
}

// ospfv3IfCmd reads `ospfv3 ...` interface commands (IOS 15.2+ and IOS-XE
// OSPFv3 address families).
func (p *parser) ospfv3IfCmd(k *line, o *ifOSPF) bool {
	w := k.Words
	if len(w) >= 5 && cisco.IsNumber(w[1]) && w[3] == "area" {
		if w[2] != "ipv6" {
			p.Bad(k, "OSPFv3 IPv4 address family is not modelled")
			return true
		}
		return p.ospfIfCmd(k, 3, append([]string{w[1]}, w[3:]...), o)
	}
	if len(w) >= 3 && cisco.IsNumber(w[1]) {
		// ospfv3 PROC ipv6 cost N ...
		if w[2] == "ipv6" && len(w) > 3 {
			return p.ospfIfCmd(k, 3, w[3:], o)
		}
		return false
	}
	return p.ospfIfCmd(k, 3, w[1:], o)
}
