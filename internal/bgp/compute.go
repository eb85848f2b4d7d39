package bgp

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/ospf"
)

// Result is the BGP state of a snapshot.
type Result struct {
	Speakers []*Speaker
	Sessions []*Session
	// Tables holds each speaker's IPv4 unicast paths per prefix, the best
	// first (nil when no path is valid).
	Tables map[*Speaker]map[netip.Prefix]*Entry
	// Notes are facts worth telling (networks not announced ...);
	// Unknown what farend did not evaluate.
	Notes   []string
	Unknown []string
	// Converged is false when the propagation did not reach a fixed point
	// (a MED or policy oscillation) within the round limit.
	Converged bool
	// Rounds is the number of propagation rounds.
	Rounds int
	// Unsettled says why, when Solve's OSPF/BGP rounds did not reach a
	// fixed point; "" when they did.
	Unsettled string
	igp       *igp
}

// Entry is one prefix in a speaker's BGP table.
type Entry struct {
	Paths []*Path
	// Best is the selected path (nil when none is valid); Why the step of
	// the decision process that chose it over the runner-up.
	Best *Path
	Why  string
	// Tie is set when FRR would pick by arrival order (two eBGP paths
	// equal up to "oldest path"): farend cannot know which came first.
	Tie bool
}

type computation struct {
	igp *igp
	// cur are the tables of the current round (BGP routes that next
	// hops may resolve through).
	cur     map[*Speaker]map[netip.Prefix]*Entry
	unknown []string
}

// maxRounds bounds the propagation; a network that changes after it
// oscillates.
const maxRounds = 200

// Compute runs BGP over the snapshot's devices. igpRes gives the routes
// without BGP (connected, static, OSPF) that sessions, `network`
// statements, redistribution and next hops are resolved through.
func Compute(devs []*model.Device, igpRes *ospf.Result) *Result {
	g := &igp{res: igpRes, ribs: map[igpKey][]ospf.RIBRoute{}}
	c := &computation{igp: g}
	res := &Result{igp: g, Tables: map[*Speaker]map[netip.Prefix]*Entry{}}
	res.Speakers = speakers(devs)
	res.Sessions = g.sessions(res.Speakers)
	local := map[*Speaker][]*Path{}
	for _, s := range res.Speakers {
		ps, notes := c.originate(s)
		local[s] = ps
		res.Notes = append(res.Notes, notes...)
	}
	// The up sessions, seen from each end.
	bySpeaker := map[*Speaker][]*side{}
	for _, ses := range res.Sessions {
		if !ses.Up() {
			continue
		}
		for _, x := range ses.sides() {
			bySpeaker[x.me] = append(bySpeaker[x.me], x)
		}
	}
	// adjIn[receiver side] holds what the receiver accepted from the
	// session, after inbound policy.
	adjIn := map[*side]map[netip.Prefix]*Path{}
	notes := map[string]bool{}
	note := func(s string) {
		if !notes[s] {
			notes[s] = true
			res.Notes = append(res.Notes, s)
		}
	}
	peerSide := func(x *side) *side {
		for _, y := range bySpeaker[x.peer] {
			if y.s == x.s {
				return y
			}
		}
		return nil
	}
	tables := func() map[*Speaker]map[netip.Prefix]*Entry {
		out := map[*Speaker]map[netip.Prefix]*Entry{}
		for _, s := range res.Speakers {
			t := map[netip.Prefix]*Entry{}
			add := func(p *Path) {
				e := t[p.Prefix]
				if e == nil {
					e = &Entry{}
					t[p.Prefix] = e
				}
				e.Paths = append(e.Paths, p)
			}
			for _, p := range local[s] {
				add(p)
			}
			for _, x := range bySpeaker[s] {
				for _, p := range sortedPaths(adjIn[x]) {
					add(p)
				}
			}
			for _, e := range t {
				e.Best, e.Why, e.Tie = selectBest(s, e.Paths)
			}
			out[s] = t
		}
		return out
	}
	res.Converged = false
	for round := 1; round <= maxRounds; round++ {
		res.Rounds = round
		cur := tables()
		c.cur = cur
		changed := false
		next := map[*side]map[netip.Prefix]*Path{}
		for _, s := range res.Speakers {
			for _, x := range bySpeaker[s] {
				y := peerSide(x)
				in := map[netip.Prefix]*Path{}
				for _, e := range sortedEntries(cur[s]) {
					if e.Best == nil {
						continue
					}
					p, ok := c.export(x, e.Best, note)
					if !ok {
						continue
					}
					if q, ok := c.accept(y, p, note); ok {
						in[q.Prefix] = q
					}
				}
				next[y] = in
				if !samePaths(adjIn[y], in) {
					changed = true
				}
			}
		}
		adjIn = next
		if !changed {
			res.Converged = true
			break
		}
	}
	res.Tables = tables()
	for _, ses := range res.Sessions {
		if !ses.Up() {
			continue
		}
		for _, x := range ses.sides() {
			if x.ebgp && x.me.Inst.EBGPRequiresPolicy.On {
				if x.af == nil || !x.af.HasPolicyIn() {
					ses.Notes = append(ses.Notes, fmt.Sprintf("%s discards every route from %s: eBGP neighbour with no inbound policy while `bgp ebgp-requires-policy` is on (%s; RFC 8212; FRR bgpd/bgp_route.c bgp_inbound_policy_exists, \"inbound policy missing\"); fix: `neighbor %s route-map NAME in` under address-family ipv4 unicast, or `no bgp ebgp-requires-policy`", x.me.Name(), x.peerAddr, flagFrom(x.me.Inst.EBGPRequiresPolicy), x.peerAddr))
				}
				if x.af == nil || !x.af.HasPolicyOut() {
					ses.Notes = append(ses.Notes, fmt.Sprintf("%s sends nothing to %s: eBGP neighbour with no outbound policy while `bgp ebgp-requires-policy` is on (%s; RFC 8212; FRR bgpd/bgp_route.c bgp_outbound_policy_exists); fix: `neighbor %s route-map NAME out`, or `no bgp ebgp-requires-policy`", x.me.Name(), x.peerAddr, flagFrom(x.me.Inst.EBGPRequiresPolicy), x.peerAddr))
				}
			}
		}
	}
	res.Notes = dedup(res.Notes)
	res.Unknown = dedup(c.unknown)
	return res
}

func flagFrom(f model.Flag) string {
	switch {
	case !f.Pos.IsZero():
		return "configured at " + f.Pos.String()
	case f.From != "":
		return "default: " + f.From
	}
	return "default"
}

// prefixed puts the speaker's name before each text, as every note and
// unknown of a Result is written ("r1: ..."), so NotesOf can tell whose it is.
func prefixed(s *Speaker, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = s.Name() + ": " + x
	}
	return out
}

// NotesOf lists the notes and the unknowns of one speaker.
func (r *Result) NotesOf(s *Speaker) []string {
	var out []string
	for _, x := range append(append([]string(nil), r.Notes...), r.Unknown...) {
		if strings.HasPrefix(x, s.Name()+": ") {
			out = append(out, strings.TrimPrefix(x, s.Name()+": "))
		}
	}
	return out
}

func dedup(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortedPaths(m map[netip.Prefix]*Path) []*Path {
	var out []*Path
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return prefixLess(out[i].Prefix, out[j].Prefix) })
	return out
}

func sortedEntries(m map[netip.Prefix]*Entry) []*Entry {
	var ps []netip.Prefix
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return prefixLess(ps[i], ps[j]) })
	out := make([]*Entry, len(ps))
	for i, p := range ps {
		out[i] = m[p]
	}
	return out
}

func prefixLess(a, b netip.Prefix) bool {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c < 0
	}
	return a.Bits() < b.Bits()
}

func samePaths(a, b map[netip.Prefix]*Path) bool {
	if len(a) != len(b) {
		return false
	}
	for k, p := range a {
		q, ok := b[k]
		if !ok || !p.same(q) {
			return false
		}
	}
	return true
}

// Entry returns a speaker's table entry for a prefix, or nil.
func (r *Result) Entry(s *Speaker, p netip.Prefix) *Entry { return r.Tables[s][p] }

// Speaker returns the BGP instance of a device in a VRF, or nil.
func (r *Result) Speaker(d *model.Device, vrf string) *Speaker {
	for _, s := range r.Speakers {
		if s.Dev == d && s.Inst.VRF == vrf {
			return s
		}
	}
	return nil
}

// SessionsOf lists the sessions a speaker takes part in.
func (r *Result) SessionsOf(s *Speaker) []*Session {
	var out []*Session
	for _, x := range r.Sessions {
		if x.A == s || x.B == s {
			out = append(out, x)
		}
	}
	return out
}

var _ = slices.Equal[[]int]
