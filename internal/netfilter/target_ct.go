package netfilter

import (
	"fmt"
	"strings"
)

// NoTrackTarget is -j NOTRACK (net/netfilter/xt_CT.c notrack_tg): the
// packet gets the untracked conntrack state, so the conntrack hook skips
// it, later --ctstate reads UNTRACKED and NAT never applies. Only in the
// raw table. It returns XT_CONTINUE.
type NoTrackTarget struct{}

// Apply implements Target.
func (*NoTrackTarget) Apply(c *Ctx) Verdict {
	untrack(c, "NOTRACK")
	return Verdict{}
}

func untrack(c *Ctx, what string) {
	c.Ct.Untracked, c.Ct.Tracked = true, false
	c.Explain("%s: the packet is not tracked by conntrack (state UNTRACKED; no NAT)", what)
}

func (*NoTrackTarget) String() string { return "-j NOTRACK" }

// Check implements Checker: xt_CT's targets are registered for the raw
// table.
func (*NoTrackTarget) Check(e Entry) string {
	return checkHooks("NOTRACK", e, "raw", Prerouting, Output)
}

// CTTarget is -j CT (net/netfilter/xt_CT.c xt_ct_target): it attaches a
// template conntrack to the packet before the conntrack hook: --notrack
// makes it untracked; --zone puts it in a conntrack zone; --helper,
// --timeout, --ctevents and --expevents configure the connection. It
// returns XT_CONTINUE. Only in the raw table.
//
// The zero CTTarget is a CT with no options (a template with defaults).
type CTTarget struct {
	NoTrack bool
	Helper  string
	Timeout string
	// Events and ExpEvents are the event lists in canonical order.
	Events, ExpEvents string
	// Zone is the zone id; ZoneDir is "", "orig" or "reply" (--zone-orig,
	// --zone-reply); ZoneMark takes the zone from the packet mark.
	Zone     uint16
	ZoneDir  string
	ZoneMark bool
}

var ctEvents = []string{"new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark", "natseqinfo", "secmark"}

func parseCTEvents(s string, names []string) (string, error) {
	var bits uint32
	for _, w := range strings.Split(s, ",") {
		found := false
		for i, n := range names {
			if w == n {
				bits |= 1 << i
				found = true
			}
		}
		if !found {
			return "", fmt.Errorf("unknown event %q", w)
		}
	}
	var out []string
	for i, n := range names {
		if bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ","), nil
}

func parseCT(a *Args) (Target, error) {
	t := &CTTarget{}
	arity := func(o string) int {
		switch o {
		case "--notrack":
			return 0
		case "--helper", "--timeout", "--ctevents", "--expevents", "--zone", "--zone-orig", "--zone-reply":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if err := noNeg(o); err != nil {
			return err
		}
		var err error
		switch o.Name {
		case "--notrack":
			t.NoTrack = true
		case "--helper":
			t.Helper = o.Arg()
		case "--timeout":
			t.Timeout = o.Arg()
		case "--ctevents":
			t.Events, err = parseCTEvents(o.Arg(), ctEvents)
		case "--expevents":
			t.ExpEvents, err = parseCTEvents(o.Arg(), []string{"new"})
		default:
			t.ZoneDir = strings.TrimPrefix(strings.TrimPrefix(o.Name, "--zone"), "-")
			if o.Arg() == "mark" {
				t.ZoneMark = true
				return nil
			}
			var n uint64
			n, err = parseUint(o.Arg(), 0xffff)
			t.Zone = uint16(n)
		}
		return err
	})
	return t, err
}

// Apply implements Target.
func (t *CTTarget) Apply(c *Ctx) Verdict {
	if t.NoTrack {
		untrack(c, "CT --notrack")
	}
	if t.Zone != 0 || t.ZoneMark {
		z := t.Zone
		if t.ZoneMark {
			z = uint16(c.Pkt.Mark)
		}
		c.Ct.Zone = z
		c.Explain("CT: conntrack zone %d", z)
	}
	if t.Helper != "" {
		c.Explain("CT: conntrack helper %s is attached (its expectations are not modelled)", t.Helper)
	}
	return Verdict{}
}

func (t *CTTarget) String() string {
	var b strings.Builder
	b.WriteString("-j CT")
	if t.NoTrack {
		b.WriteString(" --notrack")
	}
	if t.Helper != "" {
		b.WriteString(" --helper " + t.Helper)
	}
	if t.Timeout != "" {
		b.WriteString(" --timeout " + t.Timeout)
	}
	if t.Events != "" {
		b.WriteString(" --ctevents " + t.Events)
	}
	if t.ExpEvents != "" {
		b.WriteString(" --expevents " + t.ExpEvents)
	}
	opt := " --zone"
	if t.ZoneDir != "" {
		opt += "-" + t.ZoneDir
	}
	switch {
	case t.ZoneMark:
		b.WriteString(opt + " mark")
	case t.Zone != 0:
		fmt.Fprintf(&b, "%s %d", opt, t.Zone)
	}
	return b.String()
}

// Check implements Checker: xt_CT is registered for the raw table.
func (t *CTTarget) Check(e Entry) string { return checkHooks("CT", e, "raw", Prerouting, Output) }
