package bgp

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/model"
)

// Session states.
const (
	// Established: both sides configured and able to reach each other.
	Established = "Established"
	// Idle: a configuration rule keeps the session down.
	Idle = "Idle"
	// Active: the side keeps trying to connect and nobody answers.
	Active = "Active"
)

// Session is a BGP session between two speakers of the snapshot, or one
// side's neighbour statement that pairs with nothing (B nil).
type Session struct {
	A, B *Speaker
	// APeer is A's neighbour statement for B (peer-group merged), BPeer
	// B's for A (zero when B has none).
	APeer, BPeer model.BGPPeer
	// AAddr is A's address as the session uses it (B's neighbour address
	// for A); BAddr is A's neighbour address for B.
	AAddr, BAddr netip.Addr
	// ASA, ASB are the AS numbers each side uses on the session
	// (`local-as` or the instance's).
	ASA, ASB uint32
	EBGP     bool
	State    string
	// Why lists what keeps the session down, or notes about an
	// Established one (what the model could not check).
	Why []string
	// IPv4 is true when both sides exchange IPv4 unicast.
	IPv4 bool
	// Notes say what the session carries or drops (filled by Compute:
	// RFC 8212 policy requirement, ...).
	Notes []string
}

// Name is "A - B" with the addresses.
func (s *Session) Name() string {
	if s.B == nil {
		return fmt.Sprintf("%s -> %s", s.A.Name(), s.APeer.Name())
	}
	return fmt.Sprintf("%s (%s) - %s (%s)", s.A.Name(), s.AAddr, s.B.Name(), s.BAddr)
}

// Up says whether the session carries IPv4 unicast routes.
func (s *Session) Up() bool { return s.B != nil && s.State == Established && s.IPv4 }

// side is one end of an up session as its speaker sees it.
type side struct {
	s        *Session
	me, peer *Speaker
	cfg      model.BGPPeer // my neighbour statement for peer
	af       *model.BGPPeerAF
	myAS     uint32 // the AS I use on the session
	peerAS   uint32
	myAddr   netip.Addr // my address on the session
	peerAddr netip.Addr
	ebgp     bool
}

func (s *Session) sides() [2]*side {
	a := &side{s: s, me: s.A, peer: s.B, cfg: s.APeer, myAS: s.ASA, peerAS: s.ASB, myAddr: s.AAddr, peerAddr: s.BAddr, ebgp: s.EBGP}
	b := &side{s: s, me: s.B, peer: s.A, cfg: s.BPeer, myAS: s.ASB, peerAS: s.ASA, myAddr: s.BAddr, peerAddr: s.AAddr, ebgp: s.EBGP}
	a.af = a.cfg.AF("ipv4", "unicast")
	b.af = b.cfg.AF("ipv4", "unicast")
	return [2]*side{a, b}
}

// sourceAddr is the address a speaker opens a session to peer from:
// `update-source` (an interface's first IPv4 address, or an address),
// else the address of the interface the route to peer leaves by (the
// kernel's source address selection for the TCP connection).
func (g *igp) sourceAddr(s *Speaker, n *model.BGPPeer) (netip.Addr, string) {
	vrf := s.Inst.VRF
	if u := n.UpdateSource; u != "" {
		if a, err := netip.ParseAddr(u); err == nil {
			return a, ""
		}
		for _, x := range ifaceAddrs(s.Dev, vrf) {
			if x.iface == u && x.addr.Is4() {
				return x.addr, ""
			}
		}
		return netip.Addr{}, fmt.Sprintf("update-source %s has no IPv4 address", u)
	}
	if c, ok := connectedTo(s.Dev, vrf, n.Addr); ok {
		return c.addr, ""
	}
	r := g.lookup(s.Dev, vrf, n.Addr, false)
	if r == nil || len(r.Nexthops) == 0 {
		return netip.Addr{}, fmt.Sprintf("%s has no route to %s", s.Name(), n.Addr)
	}
	for _, x := range ifaceAddrs(s.Dev, vrf) {
		if x.iface == r.Nexthops[0].Iface && x.addr.Is4() {
			return x.addr, ""
		}
	}
	return netip.Addr{}, fmt.Sprintf("%s: no IPv4 address on %s, the interface towards %s", s.Name(), r.Nexthops[0].Iface, n.Addr)
}

// asFor is the AS a speaker uses with a neighbour: `local-as` if set.
func asFor(s *Speaker, n *model.BGPPeer) uint32 {
	if n.LocalAS != 0 {
		return n.LocalAS
	}
	return s.Inst.ASN
}

// remoteOK checks a neighbour's remote-as against the AS the peer uses.
func remoteOK(me *Speaker, n *model.BGPPeer, peerAS uint32) (bool, string) {
	switch {
	case n.RemoteASKind == "internal":
		return peerAS == me.Inst.ASN, "internal"
	case n.RemoteASKind == "external":
		return peerAS != me.Inst.ASN, "external"
	case n.RemoteAS == 0:
		return false, "(none)"
	}
	return n.RemoteAS == peerAS, fmt.Sprint(n.RemoteAS)
}

// peerOf is the speaker a neighbour statement of a reaches: the one
// router of the snapshot that owns the address, in any table (VRF names
// are local to a router). Addresses repeat across VRFs; when several
// routers own it, the one whose own neighbour statement names a's
// source address with a's AS, while a's statement names its AS, is the
// peer. If that still leaves none or several, ambiguous says so.
func (g *igp) peerOf(a *Speaker, n *model.BGPPeer, sps []*Speaker) (*Speaker, string) {
	var cands []*Speaker
	for _, t := range sps {
		if t.Dev != a.Dev && t.owns(n.Addr) {
			cands = append(cands, t)
		}
	}
	if len(cands) <= 1 {
		if len(cands) == 0 {
			return nil, ""
		}
		return cands[0], ""
	}
	src, _ := g.sourceAddr(a, n)
	var match []*Speaker
	for _, t := range cands {
		if ok, _ := remoteOK(a, n, t.Inst.ASN); !ok {
			continue
		}
		for j := range t.Inst.Neighbors {
			x := &t.Inst.Neighbors[j]
			if x.Addr != src {
				continue
			}
			m := peerConfig(t.Inst, x)
			if ok, _ := remoteOK(t, &m, asFor(a, n)); ok {
				match = append(match, t)
				break
			}
		}
	}
	if len(match) == 1 {
		return match[0], ""
	}
	var names []string
	for _, t := range cands {
		names = append(names, t.Name())
	}
	return nil, fmt.Sprintf("%s is an address of %s: farend cannot tell which one this neighbour reaches (%d of them name %s's address %s with matching ASes); routes over it are unknown", n.Addr, strings.Join(names, " and "), len(match), a.Name(), src)
}

// sessions pairs the neighbour statements of the speakers.
func (g *igp) sessions(sps []*Speaker) []*Session {
	var out []*Session
	done := map[[2]string]bool{}
	for _, a := range sps {
		for i := range a.Inst.Neighbors {
			raw := &a.Inst.Neighbors[i]
			if !raw.Addr.IsValid() {
				out = append(out, &Session{A: a, APeer: *raw, State: "unknown",
					Why: []string{fmt.Sprintf("neighbour %s has no address (unnumbered/interface neighbours are not modelled)", raw.Name())}})
				continue
			}
			n := peerConfig(a.Inst, raw)
			b, ambiguous := g.peerOf(a, &n, sps)
			if ambiguous != "" {
				out = append(out, &Session{A: a, APeer: n, BAddr: n.Addr, ASA: asFor(a, &n), ASB: n.RemoteAS, State: "unknown", Why: []string{ambiguous}})
				continue
			}
			if b == nil {
				// The far end is outside the snapshot: its AS is what
				// the neighbour statement says.
				why := fmt.Sprintf("%s is not an address of a BGP router of the snapshot: routes from it are unknown", n.Addr)
				for _, t := range sps {
					if t.Dev == a.Dev && t.owns(n.Addr) {
						why = fmt.Sprintf("%s is an address of %s itself (%s): sessions between the tables of one router are not modelled; routes from it are unknown", n.Addr, a.Dev.Name, t.Name())
					}
				}
				ses := &Session{A: a, APeer: n, BAddr: n.Addr, ASA: asFor(a, &n), ASB: n.RemoteAS, State: "unknown", Why: []string{why}}
				switch n.RemoteASKind {
				case "internal":
					ses.ASB = a.Inst.ASN
				case "external":
					ses.EBGP = true
				}
				if ses.ASB != 0 {
					ses.EBGP = ses.ASB != ses.ASA
				}
				if src, why := g.sourceAddr(a, &n); why == "" {
					ses.AAddr = src
				}
				out = append(out, ses)
				continue
			}
			src, why := g.sourceAddr(a, &n)
			key := [2]string{a.Name() + "|" + src.String(), b.Name() + "|" + n.Addr.String()}
			if done[key] {
				continue
			}
			ses := &Session{A: a, B: b, APeer: n, AAddr: src, BAddr: n.Addr, ASA: asFor(a, &n), State: Established}
			out = append(out, ses)
			if why != "" {
				ses.State = Active
				ses.Why = append(ses.Why, why)
				continue
			}
			// B's statement for A's source address.
			var m *model.BGPPeer
			var others []string
			for j := range b.Inst.Neighbors {
				x := &b.Inst.Neighbors[j]
				if x.Addr == src {
					mm := peerConfig(b.Inst, x)
					m = &mm
				} else if a.owns(x.Addr) {
					others = append(others, x.Addr.String())
				}
			}
			if m == nil {
				ses.State = Active
				if len(others) > 0 {
					ses.Why = append(ses.Why, fmt.Sprintf("%s opens the session from %s but %s's neighbour statement names %s: %s refuses the connection; set `neighbor %s update-source` on %s to the address %s expects, or change %s's neighbour address",
						a.Name(), src, b.Name(), strings.Join(others, ", "), b.Name(), n.Addr, a.Name(), b.Name(), b.Name()))
				} else {
					ses.Why = append(ses.Why, fmt.Sprintf("%s has no `neighbor %s` statement: it refuses the connection from %s", b.Name(), src, a.Name()))
				}
				continue
			}
			done[[2]string{b.Name() + "|" + n.Addr.String(), a.Name() + "|" + src.String()}] = true
			ses.BPeer = *m
			ses.ASB = asFor(b, m)
			ses.EBGP = ses.ASA != ses.ASB
			g.check(ses)
		}
	}
	return out
}

// check applies the rules that keep a paired session down.
func (g *igp) check(ses *Session) {
	down := func(state, f string, args ...any) {
		if ses.State == Established || ses.State == Active && state == Idle {
			ses.State = state
		}
		ses.Why = append(ses.Why, fmt.Sprintf(f, args...))
	}
	sd := ses.sides()
	for _, x := range sd {
		if ok, said := remoteOK(x.me, &x.cfg, x.peerAS); !ok {
			// RFC 4271 6.2: an OPEN from an unexpected AS is answered
			// with NOTIFICATION "Bad Peer AS".
			down(Idle, "%s says `neighbor %s remote-as %s` but %s uses AS %d on this session: OPEN rejected (Bad Peer AS, RFC 4271 6.2); fix the remote-as on %s", x.me.Name(), x.peerAddr, said, x.peer.Name(), x.peerAS, x.me.Name())
		}
		if x.cfg.Shutdown {
			down(Idle, "%s: `neighbor %s shutdown` (Idle (Admin))", x.me.Name(), x.peerAddr)
		}
	}
	if ses.APeer.HasPassword != ses.BPeer.HasPassword {
		down(Active, "only one side has a TCP MD5 password (RFC 2385): the TCP connection never completes")
	} else if ses.APeer.HasPassword {
		ses.Why = append(ses.Why, "both sides have a TCP MD5 password: farend cannot compare them (redacted) and assumes they match")
	}
	for _, x := range sd {
		// eBGP to a neighbour that is not on a connected subnet needs
		// ebgp-multihop or ttl-security (FRR bgpd/bgp_nht.c
		// bgp_find_or_add_nexthop: connected check for single-hop eBGP,
		// the session stays Idle; IOS: "eBGP neighbors must be directly
		// connected unless ebgp-multihop", BGP Configuration Guide).
		if ses.EBGP && x.cfg.EBGPMultihop <= 1 && x.cfg.TTLSecurity == 0 {
			if _, ok := connectedTo(x.me.Dev, x.me.Inst.VRF, x.peerAddr); !ok {
				down(Idle, "%s: eBGP neighbour %s is not on a connected subnet and `ebgp-multihop` is not set: the session stays down; add `neighbor %s ebgp-multihop 2` (or peer on the link addresses)", x.me.Name(), x.peerAddr, x.peerAddr)
				continue
			}
		}
		if _, ok := connectedTo(x.me.Dev, x.me.Inst.VRF, x.peerAddr); !ok {
			if r := g.lookup(x.me.Dev, x.me.Inst.VRF, x.peerAddr, false); r == nil {
				down(Active, "%s has no route to %s", x.me.Name(), x.peerAddr)
			}
		}
	}
	// A neighbour with no address family activated stays Idle (FRR
	// bgpd/bgp_fsm.c bgp_start: "No AFI/SAFI activated for peer").
	for _, x := range sd {
		any := false
		for _, a := range x.cfg.AFs {
			any = any || a.Active.On
		}
		if !any {
			down(Idle, "%s: neighbour %s has no address family activated (`neighbor %s activate` under `address-family ipv4 unicast`)", x.me.Name(), x.peerAddr, x.peerAddr)
		}
	}
	ses.IPv4 = sd[0].af != nil && sd[0].af.Active.On && sd[1].af != nil && sd[1].af.Active.On
	if ses.State == Established && !ses.IPv4 {
		ses.Why = append(ses.Why, "IPv4 unicast is not activated on both sides: the session carries no IPv4 routes")
	}
}
