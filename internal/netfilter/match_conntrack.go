package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// ConntrackMatch is `-m conntrack`, based on conntrack_mt in
// net/netfilter/xt_conntrack.c. In order: --ctstate tests the state bit
// of the packet (no entry reads INVALID, an untracked packet UNTRACKED;
// SNAT and DNAT are virtual states from the entry's status); then, when
// the packet has no conntrack entry, the match is true only if --ctstate
// was given (every other option fails, even negated); then --ctdir, the
// tuple options, --ctproto, --ctstatus and --ctexpire, each negatable.
//
// farend knows the state, status, direction and mark of a connection but
// not its tuples or timeout: the tuple options and --ctexpire read Maybe.
//
// The zero ConntrackMatch is a bare `-m conntrack`: it matches every
// packet that has a conntrack entry.
type ConntrackMatch struct {
	State              CtState
	HasState, InvState bool
	// Proto is --ctproto (the entry's layer 4 protocol).
	Proto              uint8
	HasProto, InvProto bool
	// OrigSrc .. ReplDst are --ctorigsrc, --ctorigdst, --ctreplsrc,
	// --ctrepldst.
	OrigSrc, OrigDst, ReplSrc, ReplDst CtAddr
	// OrigSrcPort .. ReplDstPort are --ctorigsrcport ... --ctrepldstport.
	OrigSrcPort, OrigDstPort, ReplSrcPort, ReplDstPort PortMatch
	Status                                             CtStatus
	HasStatus, InvStatus                               bool
	// Expire is --ctexpire min[:max] in seconds.
	Expire Range32
	// HasDir is --ctdir; Reply is true for REPLY, false for ORIGINAL.
	HasDir, Reply bool
}

// CtAddr is one address option of -m conntrack. The zero CtAddr is unset.
type CtAddr struct {
	Set    bool
	Net    netip.Prefix
	Invert bool
}

// Range32 is a negatable min:max range of 32-bit values; the zero
// value is unset.
type Range32 struct {
	Set    bool
	Lo, Hi uint32
	Invert bool
}

var ctStatusNames = []struct {
	s    CtStatus
	name string
}{
	{CtStatusExpected, "EXPECTED"}, {CtStatusSeenReply, "SEEN_REPLY"},
	{CtStatusAssured, "ASSURED"}, {CtStatusConfirmed, "CONFIRMED"},
}

func parseCtStatus(s string) (CtStatus, error) {
	var out CtStatus
	for _, w := range strings.Split(s, ",") {
		if strings.EqualFold(w, "NONE") {
			continue
		}
		found := false
		for _, n := range ctStatusNames {
			if strings.EqualFold(w, n.name) {
				out |= n.s
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown ctstatus %q", w)
		}
	}
	return out, nil
}

func ctStatusString(s CtStatus) string {
	var parts []string
	for _, n := range ctStatusNames {
		if s&n.s != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "NONE"
	}
	return strings.Join(parts, ",")
}

func parseConntrack(fam Family, a *Args) (Match, error) {
	m := &ConntrackMatch{}
	arity := func(o string) int {
		switch o {
		case "--ctstate", "--ctproto", "--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst",
			"--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport",
			"--ctstatus", "--ctexpire", "--ctdir":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--ctstate":
			s, ok := ParseCtState(o.Arg())
			if !ok {
				return fmt.Errorf("unknown ctstate %q", o.Arg())
			}
			m.State, m.HasState, m.InvState = s, true, o.Neg
		case "--ctproto":
			p, ok := ProtoNumber(strings.ToLower(o.Arg()))
			if !ok {
				return fmt.Errorf("unknown protocol %q", o.Arg())
			}
			m.Proto, m.HasProto, m.InvProto = p, true, o.Neg
		case "--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst":
			am, err := ParseAddrMatch(o.Arg(), false, false, fam)
			if err != nil {
				return err
			}
			if am.Mask.IsValid() {
				return fmt.Errorf("non-contiguous mask in %s not supported", o.Name)
			}
			ca := CtAddr{Set: true, Net: am.Net, Invert: o.Neg}
			switch o.Name {
			case "--ctorigsrc":
				m.OrigSrc = ca
			case "--ctorigdst":
				m.OrigDst = ca
			case "--ctreplsrc":
				m.ReplSrc = ca
			default:
				m.ReplDst = ca
			}
		case "--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport":
			lo, hi, err := parsePortRange(o.Arg())
			if err != nil {
				return err
			}
			pm := PortMatch{Set: true, Lo: lo, Hi: hi, Invert: o.Neg}
			switch o.Name {
			case "--ctorigsrcport":
				m.OrigSrcPort = pm
			case "--ctorigdstport":
				m.OrigDstPort = pm
			case "--ctreplsrcport":
				m.ReplSrcPort = pm
			default:
				m.ReplDstPort = pm
			}
		case "--ctstatus":
			s, err := parseCtStatus(o.Arg())
			if err != nil {
				return err
			}
			m.Status, m.HasStatus, m.InvStatus = s, true, o.Neg
		case "--ctexpire":
			lo, hi, isRange := strings.Cut(o.Arg(), ":")
			a, err := parseUint(lo, 0xffffffff)
			if err != nil {
				return err
			}
			b := a
			if isRange {
				if b, err = parseUint(hi, 0xffffffff); err != nil {
					return err
				}
			}
			m.Expire = Range32{Set: true, Lo: uint32(a), Hi: uint32(b), Invert: o.Neg}
		case "--ctdir":
			if err := noNeg(o); err != nil {
				return err
			}
			switch strings.ToUpper(o.Arg()) {
			case "ORIGINAL":
				m.HasDir, m.Reply = true, false
			case "REPLY":
				m.HasDir, m.Reply = true, true
			default:
				return fmt.Errorf("--ctdir takes ORIGINAL or REPLY, not %q", o.Arg())
			}
		}
		return nil
	})
	return m, err
}

// ctNil reports whether the kernel would find no conntrack entry on the
// packet (nf_ct_get returns NULL): not tracked yet, untracked, or refused
// by conntrack (INVALID).
func ctNil(ct Conntrack) bool {
	return ct.Effective()&(CtInvalid|CtUntracked) != 0
}

// Match implements Match.
func (m *ConntrackMatch) Match(c *Ctx) Tri {
	eff := c.Ct.Effective()
	if m.HasState {
		hit := m.State&eff != 0
		if hit == m.InvState {
			if ctNil(c.Ct) {
				c.Explain("conntrack state is %s%s", eff, ctStateWhy(c))
			}
			return No
		}
		c.Explain("conntrack state is %s%s", eff, ctStateWhy(c))
	}
	if ctNil(c.Ct) {
		if !m.HasState {
			c.Explain("the packet has no conntrack entry (%s): -m conntrack without --ctstate does not match", eff)
			return No
		}
		return Yes
	}
	if m.HasDir && c.Ct.Reply != m.Reply {
		return No
	}
	res := Yes
	var unknown []string
	for _, x := range []struct {
		name string
		set  bool
	}{
		{"--ctorigsrc", m.OrigSrc.Set}, {"--ctorigdst", m.OrigDst.Set},
		{"--ctreplsrc", m.ReplSrc.Set}, {"--ctrepldst", m.ReplDst.Set},
	} {
		if x.set {
			unknown = append(unknown, x.name)
		}
	}
	if m.HasProto {
		unknown = append(unknown, "--ctproto")
	}
	for _, x := range []struct {
		name string
		set  bool
	}{
		{"--ctorigsrcport", m.OrigSrcPort.Set}, {"--ctorigdstport", m.OrigDstPort.Set},
		{"--ctreplsrcport", m.ReplSrcPort.Set}, {"--ctrepldstport", m.ReplDstPort.Set},
	} {
		if x.set {
			unknown = append(unknown, x.name)
		}
	}
	if m.HasStatus {
		hit := m.Status&c.Ct.Status != 0
		if hit == m.InvStatus {
			return No
		}
	}
	if m.Expire.Set {
		unknown = append(unknown, "--ctexpire")
	}
	if len(unknown) > 0 {
		c.Explain("the snapshot has no conntrack table: %s may or may not match", strings.Join(unknown, ", "))
		res = Maybe
	}
	return res
}

// ctStateWhy says where an INVALID or UNTRACKED state comes from.
func ctStateWhy(c *Ctx) string {
	switch {
	case c.Ct.Untracked:
		return " (NOTRACK / CT --notrack ran earlier)"
	case !c.Ct.Tracked:
		return " (no conntrack entry yet: the conntrack hook runs after the raw table)"
	}
	return ""
}

func (m *ConntrackMatch) String() string {
	var b strings.Builder
	b.WriteString("-m conntrack")
	if m.HasState {
		fmt.Fprintf(&b, " %s--ctstate %s", bang(m.InvState), m.State)
	}
	if m.HasProto {
		fmt.Fprintf(&b, " %s--ctproto %d", bang(m.InvProto), m.Proto)
	}
	for _, x := range []struct {
		opt string
		a   CtAddr
	}{{"--ctorigsrc", m.OrigSrc}, {"--ctorigdst", m.OrigDst}, {"--ctreplsrc", m.ReplSrc}, {"--ctrepldst", m.ReplDst}} {
		if x.a.Set {
			s := x.a.Net.String()
			if x.a.Net.IsSingleIP() {
				s = x.a.Net.Addr().String()
			}
			fmt.Fprintf(&b, " %s%s %s", bang(x.a.Invert), x.opt, s)
		}
	}
	for _, x := range []struct {
		opt string
		p   PortMatch
	}{{"--ctorigsrcport", m.OrigSrcPort}, {"--ctorigdstport", m.OrigDstPort}, {"--ctreplsrcport", m.ReplSrcPort}, {"--ctrepldstport", m.ReplDstPort}} {
		if x.p.Set {
			fmt.Fprintf(&b, " %s%s %s", bang(x.p.Invert), x.opt, x.p.rangeString())
		}
	}
	if m.HasStatus {
		fmt.Fprintf(&b, " %s--ctstatus %s", bang(m.InvStatus), ctStatusString(m.Status))
	}
	if m.Expire.Set {
		if m.Expire.Lo == m.Expire.Hi {
			fmt.Fprintf(&b, " %s--ctexpire %d", bang(m.Expire.Invert), m.Expire.Lo)
		} else {
			fmt.Fprintf(&b, " %s--ctexpire %d:%d", bang(m.Expire.Invert), m.Expire.Lo, m.Expire.Hi)
		}
	}
	if m.HasDir {
		if m.Reply {
			b.WriteString(" --ctdir REPLY")
		} else {
			b.WriteString(" --ctdir ORIGINAL")
		}
	}
	return b.String()
}

// StateMatch is the older `-m state --state`, based on
// net/netfilter/xt_state.c: the packet's state bit (INVALID without an
// entry, UNTRACKED after NOTRACK) is in the mask, inverted by `!`. It has
// no SNAT/DNAT virtual states.
//
// The zero StateMatch has an empty mask and matches nothing.
type StateMatch struct {
	State  CtState
	Invert bool
}

func parseState(fam Family, a *Args) (Match, error) {
	var m *StateMatch
	arity := func(o string) int {
		if o == "--state" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		s, ok := ParseCtState(o.Arg())
		if !ok || s&(CtSNAT|CtDNAT) != 0 {
			return fmt.Errorf("unknown state %q", o.Arg())
		}
		m = &StateMatch{State: s, Invert: o.Neg}
		return nil
	})
	if err == nil && m == nil {
		err = fmt.Errorf("-m state needs --state")
	}
	return m, err
}

// Match implements Match.
func (m *StateMatch) Match(c *Ctx) Tri {
	eff := c.Ct.Effective() &^ (CtSNAT | CtDNAT)
	hit := m.State&eff != 0
	if hit != m.Invert || ctNil(c.Ct) {
		c.Explain("conntrack state is %s%s", eff, ctStateWhy(c))
	}
	return TriOf(hit != m.Invert)
}

func (m *StateMatch) String() string {
	return fmt.Sprintf("-m state %s--state %s", bang(m.Invert), m.State)
}
