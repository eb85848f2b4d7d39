package ospf

import (
	"fmt"
	"sort"

	"farend/internal/model"
)

// Status is the verdict on one adjacency, in Batfish's vocabulary
// (OspfSessionStatus) plus the few reasons Batfish does not name. The zero
// Status is unknown.
type Status string

// Adjacency statuses.
const (
	Established           Status = "ESTABLISHED"
	AreaMismatch          Status = "AREA_MISMATCH"
	AreaTypeMismatch      Status = "AREA_TYPE_MISMATCH"
	HelloIntervalMismatch Status = "HELLO_INTERVAL_MISMATCH"
	DeadIntervalMismatch  Status = "DEAD_INTERVAL_MISMATCH"
	NetworkTypeMismatch   Status = "NETWORK_TYPE_MISMATCH"
	PassiveMismatch       Status = "PASSIVE_MISMATCH"
	BothPassive           Status = "NO_SESSION"
	DuplicateRouterID     Status = "DUPLICATE_ROUTER_ID"
	MTUMismatch           Status = "MTU_MISMATCH"
	AuthMismatch          Status = "AUTHENTICATION_MISMATCH"
	SubnetMismatch        Status = "SUBNET_MISMATCH"
	InstanceIDMismatch    Status = "INSTANCE_ID_MISMATCH"
	InterfaceDown         Status = "INTERFACE_DOWN"
	NoRouterID            Status = "PROCESS_INVALID"
	NoDR                  Status = "NO_DESIGNATED_ROUTER"
	// VirtualLinkDown: a virtual link whose other end is unreachable
	// through the transit area or not configured.
	VirtualLinkDown Status = "VIRTUAL_LINK_DOWN"
)

// Neighbour states (RFC 2328 section 10.1).
const (
	StateDown     = "Down"
	StateInit     = "Init"
	StateTwoWay   = "2-Way"
	StateExStart  = "ExStart"
	StateExchange = "Exchange"
	StateFull     = "Full"
)

// End is one side of an adjacency with the values it uses.
type End struct {
	Node     string       `json:"node"`
	Instance string       `json:"instance"`
	Iface    string       `json:"interface"`
	RouterID string       `json:"router_id"`
	Area     model.AreaID `json:"area"`
	AreaType string       `json:"area_type"`
	Network  string       `json:"network_type"`
	Hello    int          `json:"hello"`
	Dead     int          `json:"dead"`
	MTU      int          `json:"mtu,omitempty"`
	MTUFrom  string       `json:"mtu_from,omitempty"`
	Passive  bool         `json:"passive,omitempty"`
	// State is the state this side keeps its neighbour in.
	State string `json:"state"`
	f     *Iface
}

// Fix is a change that makes an adjacency come up, on the router where
// it belongs, with the exact commands.
type Fix struct {
	Node     string   `json:"node"`
	Commands []string `json:"commands"`
	Why      string   `json:"why"`
}

// Adjacency is the prediction for one pair of OSPF interfaces on one
// segment.
type Adjacency struct {
	Version int    `json:"version"`
	Link    string `json:"link"`
	A       End    `json:"a"`
	B       End    `json:"b"`
	Status  Status `json:"status"`
	// Reason says what decides the status, with both sides' values and
	// the rule's source.
	Reason string `json:"reason"`
	Fixes  []Fix  `json:"fixes,omitempty"`
}

// Up reports whether the adjacency reaches Full on both sides.
func (a *Adjacency) Up() bool { return a.A.State == StateFull && a.B.State == StateFull }

func end(f *Iface) End {
	e := End{Node: f.Inst.Dev.Name, Instance: f.Inst.Name(), Iface: f.Name, RouterID: f.Inst.RouterID.String(),
		Area: f.Area, AreaType: areaType(f.Inst, f.Area).String(), Network: f.Network.String(),
		Hello: f.Cfg.Hello.Value, Dead: f.Cfg.Dead.Value, Passive: f.Passive, f: f}
	if f.MTUKnown {
		e.MTU = f.MTU
	}
	e.MTUFrom = f.MTUFrom
	return e
}

// areaType is the configured type of area id in the instance's process.
func areaType(in *Instance, id model.AreaID) model.AreaType {
	if a := in.Proc.Area(id); a != nil {
		return a.Type
	}
	return model.AreaNormal
}

// adjacencies checks every pair of interfaces of the same OSPF version on
// every segment, then elects designated routers and decides which pairs
// reach Full.
func adjacencies(links []*link) []*Adjacency {
	var out []*Adjacency
	for _, l := range links {
		for v := 2; v <= 3; v++ {
			var fs []*Iface
			for _, f := range l.ifaces {
				if f.Inst.Version == v {
					fs = append(fs, f)
				}
			}
			out = append(out, segment(l, fs)...)
		}
	}
	return out
}

// segment predicts the adjacencies among the interfaces fs of one version
// on one segment.
func segment(l *link, fs []*Iface) []*Adjacency {
	var pairs []*Adjacency
	hello := map[[2]*Iface]bool{}
	for i := 0; i < len(fs); i++ {
		for j := i + 1; j < len(fs); j++ {
			a, b := fs[i], fs[j]
			if a.Inst.Dev == b.Inst.Dev {
				continue
			}
			adj := &Adjacency{Version: a.Inst.Version, Link: l.why, A: end(a), B: end(b)}
			if helloCheck(adj, a, b) {
				hello[[2]*Iface{a, b}], hello[[2]*Iface{b, a}] = true, true
			}
			pairs = append(pairs, adj)
		}
	}
	// Designated router election (RFC 2328 section 9.4) among each
	// interface and the neighbours whose hellos it accepts: the highest
	// priority, then the highest router id, with priority 0 ineligible.
	// Routers that start together elect this way; one that comes up later
	// does not preempt, which changes only the DR's name, not any route.
	for _, f := range fs {
		if f.Network != model.NetBroadcast && f.Network != model.NetNBMA {
			continue
		}
		group := []*Iface{f}
		for _, g := range fs {
			if hello[[2]*Iface{f, g}] {
				group = append(group, g)
			}
		}
		f.dr = elect(group, nil)
	}
	for _, adj := range pairs {
		if adj.Status != "" {
			continue
		}
		a, b := adj.A.f, adj.B.f
		if a.Network == model.NetBroadcast || a.Network == model.NetNBMA {
			bdrA := elect(viewOf(a, fs, hello), a.dr)
			if a.dr == nil {
				adj.Status, adj.A.State, adj.B.State = NoDR, StateTwoWay, StateTwoWay
				adj.Reason = "every router on the segment has priority 0: no designated router is elected and no adjacency forms (RFC 2328 9.4)"
				continue
			}
			if a.dr != a && a.dr != b && bdrA != a && bdrA != b {
				adj.Status, adj.A.State, adj.B.State = Established, StateTwoWay, StateTwoWay
				adj.Reason = fmt.Sprintf("both are DROther (DR %s, BDR %s): they stay in 2-Way by design (RFC 2328 10.4)", a.dr.Inst.RouterID, ridOf(bdrA))
				continue
			}
		}
		mtuCheck(adj, a, b)
	}
	for _, adj := range pairs {
		if adj.A.State == StateFull && adj.B.State == StateFull {
			adj.A.f.full = append(adj.A.f.full, adj.B.f)
			adj.B.f.full = append(adj.B.f.full, adj.A.f)
		}
	}
	return pairs
}

func ridOf(f *Iface) string {
	if f == nil {
		return "none"
	}
	return f.Inst.RouterID.String()
}

// viewOf is f and the neighbours whose hellos it accepts.
func viewOf(f *Iface, fs []*Iface, hello map[[2]*Iface]bool) []*Iface {
	out := []*Iface{f}
	for _, g := range fs {
		if hello[[2]*Iface{f, g}] {
			out = append(out, g)
		}
	}
	return out
}

// elect returns the eligible interface with the highest priority, then
// router id, leaving out skip.
func elect(group []*Iface, skip *Iface) *Iface {
	var best *Iface
	for _, g := range group {
		if g == skip || g.Cfg.Priority.Value <= 0 {
			continue
		}
		if best == nil || g.Cfg.Priority.Value > best.Cfg.Priority.Value ||
			g.Cfg.Priority.Value == best.Cfg.Priority.Value && best.Inst.RouterID.Less(g.Inst.RouterID) {
			best = g
		}
	}
	return best
}

// helloCheck applies the checks a router makes on a neighbour's hellos
// (RFC 2328 10.5, RFC 5340 4.2.2) and on its own state; it fills Status,
// Reason, states and fixes when one fails and reports whether the two see
// each other.
func helloCheck(adj *Adjacency, a, b *Iface) bool {
	fail := func(s Status, why string, fixes ...Fix) bool {
		adj.Status, adj.Reason, adj.Fixes = s, why, fixes
		adj.A.State, adj.B.State = StateDown, StateDown
		return false
	}
	switch {
	case !a.Up || !b.Up:
		down := a
		if a.Up {
			down = b
		}
		return fail(InterfaceDown, fmt.Sprintf("%s %s is shut down", down.Inst.Dev.Name, down.Name), fixUp(down))
	case !a.Inst.RouterID.IsValid() || !b.Inst.RouterID.IsValid():
		x := a
		if a.Inst.RouterID.IsValid() {
			x = b
		}
		return fail(NoRouterID, x.Inst.Name()+": "+x.Inst.RouterIDFrom+": the process does not start", fixRouterID(x))
	case a.Passive && b.Passive:
		return fail(BothPassive, fmt.Sprintf("both interfaces are passive (%s; %s): neither sends hellos, no adjacency is intended", a.Cfg.PassiveFrom, b.Cfg.PassiveFrom))
	case a.Passive || b.Passive:
		p, o := a, b
		if b.Passive {
			p, o = b, a
		}
		return fail(PassiveMismatch, fmt.Sprintf("%s %s is passive (%s) and sends no hellos, while %s %s expects a neighbour", p.Inst.Dev.Name, p.Name, p.Cfg.PassiveFrom, o.Inst.Dev.Name, o.Name), fixPassive(p))
	case a.Area != b.Area:
		return fail(AreaMismatch, fmt.Sprintf("area %s on %s %s, area %s on %s %s: hellos from another area are dropped (RFC 2328 8.2)", a.Area, a.Inst.Dev.Name, a.Name, b.Area, b.Inst.Dev.Name, b.Name), fixArea(b, a.Area), fixArea(a, b.Area))
	case a.Inst.Version == 2 && a.Network != model.NetPointToPoint && b.Network != model.NetPointToPoint && a.Addr.Bits() != b.Addr.Bits():
		return fail(SubnetMismatch, fmt.Sprintf("network mask /%d on %s %s, /%d on %s %s: on broadcast and NBMA networks the masks must match (RFC 2328 10.5)", a.Addr.Bits(), a.Inst.Dev.Name, a.Name, b.Addr.Bits(), b.Inst.Dev.Name, b.Name))
	case a.Cfg.Hello.Value != b.Cfg.Hello.Value:
		return fail(HelloIntervalMismatch, fmt.Sprintf("hello interval %d s on %s %s (%s), %d s on %s %s (%s): must match (RFC 2328 10.5)",
			a.Cfg.Hello.Value, a.Inst.Dev.Name, a.Name, settingFrom(a.Cfg.Hello), b.Cfg.Hello.Value, b.Inst.Dev.Name, b.Name, settingFrom(b.Cfg.Hello)),
			fixTimer(pickConfigured(a, b, func(f *Iface) model.Setting { return f.Cfg.Hello }), "hello-interval", other(a, b, pickConfigured(a, b, func(f *Iface) model.Setting { return f.Cfg.Hello })).Cfg.Hello.Value))
	case a.Cfg.Dead.Value != b.Cfg.Dead.Value:
		return fail(DeadIntervalMismatch, fmt.Sprintf("dead interval %d s on %s %s (%s), %d s on %s %s (%s): must match (RFC 2328 10.5)",
			a.Cfg.Dead.Value, a.Inst.Dev.Name, a.Name, settingFrom(a.Cfg.Dead), b.Cfg.Dead.Value, b.Inst.Dev.Name, b.Name, settingFrom(b.Cfg.Dead)),
			fixTimer(pickConfigured(a, b, func(f *Iface) model.Setting { return f.Cfg.Dead }), "dead-interval", other(a, b, pickConfigured(a, b, func(f *Iface) model.Setting { return f.Cfg.Dead })).Cfg.Dead.Value))
	case stubFlag(a) != stubFlag(b):
		return fail(AreaTypeMismatch, fmt.Sprintf("area %s is %s on %s and %s on %s: the E/N option bits in hellos must agree (RFC 2328 10.5, RFC 3101 2.2)", a.Area, areaType(a.Inst, a.Area), a.Inst.Dev.Name, areaType(b.Inst, b.Area), b.Inst.Dev.Name))
	case a.Inst.Version == 3 && a.Cfg.InstanceID != b.Cfg.InstanceID:
		return fail(InstanceIDMismatch, fmt.Sprintf("OSPFv3 instance id %d on %s, %d on %s: packets of another instance are dropped (RFC 5340 4.2.2)", a.Cfg.InstanceID, a.Inst.Dev.Name, b.Cfg.InstanceID, b.Inst.Dev.Name))
	case authKind(a) != authKind(b):
		return fail(AuthMismatch, fmt.Sprintf("authentication %s on %s %s, %s on %s %s: packets with another authentication type are dropped (RFC 2328 D.2)", authKind(a), a.Inst.Dev.Name, a.Name, authKind(b), b.Inst.Dev.Name, b.Name))
	case p2p(a) != p2p(b):
		return fail(NetworkTypeMismatch, fmt.Sprintf("network type %s on %s %s, %s on %s %s: a point-to-point side does not take part in the DR election the other waits for, and the router-LSAs describe the link differently (RFC 2328 12.4.1)", a.Network, a.Inst.Dev.Name, a.Name, b.Network, b.Inst.Dev.Name, b.Name))
	case a.Inst.RouterID == b.Inst.RouterID:
		return fail(DuplicateRouterID, fmt.Sprintf("both use router id %s (%s; %s): each drops the other's hellos as its own", a.Inst.RouterID, a.Inst.RouterIDFrom, b.Inst.RouterIDFrom))
	}
	return true
}

func other(a, b, x *Iface) *Iface {
	if x == a {
		return b
	}
	return a
}

// pickConfigured returns the side whose value was configured (the odd
// one out), else b.
func pickConfigured(a, b *Iface, get func(*Iface) model.Setting) *Iface {
	if get(a).Default && !get(b).Default {
		return b
	}
	if !get(a).Default && get(b).Default {
		return a
	}
	return b
}

func settingFrom(s model.Setting) string {
	if s.Default {
		return "default"
	}
	if !s.Pos.IsZero() {
		return "set at " + s.Pos.String()
	}
	return "configured"
}

func p2p(f *Iface) bool { return f.Network == model.NetPointToPoint }

// stubFlag is what the E and N option bits say about the area type.
func stubFlag(f *Iface) model.AreaType { return areaType(f.Inst, f.Area) }

func authKind(f *Iface) model.OSPFAuth {
	if f.Inst.Version == 3 {
		return model.AuthNone
	}
	a := f.Cfg.Auth
	if a == model.AuthNull {
		a = model.AuthNone
	}
	return a
}

// mtuCheck decides whether the database exchange completes. OSPFv2
// (RFC 2328 10.6; FRR ospfd/ospf_packet.c ospf_db_desc "Neighbor MTU is
// larger than [if]'s MTU"; Cisco IOS OSPF Command Reference, ip ospf
// mtu-ignore: "if the receiving MTU in the DBD packet is higher than the
// IP MTU configured on the incoming interface, OSPF adjacency will not be
// established") rejects a neighbour MTU larger than its own. IOS OSPFv3
// checks the same way (Cisco IPv6 Command Reference, ipv6 ospf
// mtu-ignore). FRR and Quagga ospf6d (so VyOS) reject any difference
// (ospf6d/ospf6_message.c ospf6_dbdesc_recv: "if (!oi->mtu_ignore &&
// ntohs(dbdesc->ifmtu) != oi->ifmtu)"). `mtu-ignore` skips the check on
// the side that has it.
//
// States: a side that rejects the other's DD packets never leaves
// ExStart. A side that accepts them moves to Exchange only when it is the
// slave (the lower router id): it accepts the master's initial DD packet
// (FRR ospf_db_desc, NSM_ExStart: "We're Slave---obey"); as the master it
// waits for an acknowledgement that never comes and stays in ExStart
// ("Initial DBD from Slave, ignoring").
func mtuCheck(adj *Adjacency, a, b *Iface) {
	rejA, whyA := rejects(a, b)
	rejB, whyB := rejects(b, a)
	if !rejA && !rejB {
		adj.Status, adj.A.State, adj.B.State = Established, StateFull, StateFull
		adj.Reason = "hellos and database description packets are accepted on both sides"
		if !a.MTUKnown || !b.MTUKnown {
			adj.Reason += " (an MTU is not in the snapshot: the MTU check was assumed to pass)"
		}
		return
	}
	adj.Status = MTUMismatch
	state := func(rej bool, self, peer *Iface) string {
		if rej {
			return StateExStart
		}
		if self.Inst.RouterID.Less(peer.Inst.RouterID) {
			return StateExchange
		}
		return StateExStart
	}
	adj.A.State, adj.B.State = state(rejA, a, b), state(rejB, b, a)
	var whys []string
	if rejA {
		whys = append(whys, whyA)
	}
	if rejB {
		whys = append(whys, whyB)
	}
	adj.Reason = fmt.Sprintf("%s advertises MTU %d, %s advertises MTU %d in database description packets: %s; %s stays in %s, %s in %s",
		a.Inst.Dev.Name, a.MTU, b.Inst.Dev.Name, b.MTU, joinSemi(whys),
		a.Inst.Dev.Name, adj.A.State, b.Inst.Dev.Name, adj.B.State)
	adj.Fixes = fixMTU(a, b)
}

func joinSemi(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// rejects reports whether self drops peer's database description packets
// because of the MTU they carry, and why.
func rejects(self, peer *Iface) (bool, string) {
	if self.Cfg.MTUIgnore || !self.MTUKnown || !peer.MTUKnown {
		return false, ""
	}
	if anyDiff(self) {
		if peer.MTU != self.MTU {
			return true, fmt.Sprintf("%s's %s rejects any MTU other than its own %d (ospf6d/ospf6_message.c ospf6_dbdesc_recv)", self.Inst.Dev.Name, daemon(self), self.MTU)
		}
		return false, ""
	}
	if peer.MTU > self.MTU {
		return true, fmt.Sprintf("%s rejects a neighbour MTU %d larger than its own %d (RFC 2328 10.6%s)", self.Inst.Dev.Name, peer.MTU, self.MTU, vendorMTURule(self))
	}
	return false, ""
}

// anyDiff reports whether the interface's OSPF implementation rejects any
// MTU difference: ospf6d of FRR and Quagga (VyOS).
func anyDiff(f *Iface) bool {
	return f.Inst.Version == 3 && isFRR(f.Inst)
}

func daemon(f *Iface) string {
	if f.Inst.Vendor() == "vyos" && f.Inst.Dev.Router.Config.Generation == "vyatta" {
		return "Quagga ospf6d"
	}
	return "ospf6d"
}

func vendorMTURule(f *Iface) string {
	switch f.Inst.Vendor() {
	case "ios":
		if f.Inst.Version == 3 {
			return "; IPv6 Command Reference, ipv6 ospf mtu-ignore"
		}
		return "; OSPF Command Reference, ip ospf mtu-ignore"
	default:
		return "; ospfd/ospf_packet.c ospf_db_desc"
	}
}

// sortAdjacencies orders adjacencies by node names, then interfaces.
func sortAdjacencies(as []*Adjacency) {
	for _, a := range as {
		if a.B.Node < a.A.Node {
			a.A, a.B = a.B, a.A
		}
	}
	sort.SliceStable(as, func(i, j int) bool {
		x, y := as[i], as[j]
		if x.A.Node != y.A.Node {
			return x.A.Node < y.A.Node
		}
		if x.B.Node != y.B.Node {
			return x.B.Node < y.B.Node
		}
		if x.A.Iface != y.A.Iface {
			return x.A.Iface < y.A.Iface
		}
		return x.Version < y.Version
	})
}
