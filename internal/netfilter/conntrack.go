package netfilter

import "strings"

// CtState is xt_conntrack's state bit set (include/uapi/linux/netfilter/
// nf_conntrack_common.h NF_CT_STATE_BIT and xt_conntrack.h).
type CtState uint16

// Conntrack states with the kernel's bit values: INVALID is 1, ESTABLISHED
// 2, RELATED 4, NEW 8, UNTRACKED 64; SNAT and DNAT are xt_conntrack's
// virtual states (XT_CONNTRACK_STATE_SNAT 256, _DNAT 512).
const (
	CtInvalid     CtState = 1 << 0
	CtEstablished CtState = 1 << 1
	CtRelated     CtState = 1 << 2
	CtNew         CtState = 1 << 3
	CtUntracked   CtState = 1 << 6
	CtSNAT        CtState = 1 << 8
	CtDNAT        CtState = 1 << 9
)

var ctStateNames = []struct {
	s    CtState
	name string
}{
	{CtInvalid, "INVALID"}, {CtNew, "NEW"}, {CtRelated, "RELATED"},
	{CtEstablished, "ESTABLISHED"}, {CtUntracked, "UNTRACKED"},
	{CtSNAT, "SNAT"}, {CtDNAT, "DNAT"},
}

// ParseCtState parses "NEW,ESTABLISHED" (case-insensitive).
func ParseCtState(s string) (CtState, bool) {
	var out CtState
	for _, w := range strings.Split(s, ",") {
		found := false
		for _, n := range ctStateNames {
			if strings.EqualFold(w, n.name) {
				out |= n.s
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return out, true
}

func (s CtState) String() string {
	var parts []string
	for _, n := range ctStateNames {
		if s&n.s != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// CtStatus is the conntrack status bit set (IPS_* in
// nf_conntrack_common.h) as far as xt_conntrack --ctstatus reads it.
type CtStatus uint16

// Conntrack status bits with the kernel's values.
const (
	CtStatusExpected  CtStatus = 1 << 0
	CtStatusSeenReply CtStatus = 1 << 1
	CtStatusAssured   CtStatus = 1 << 2
	CtStatusConfirmed CtStatus = 1 << 3
)

// Conntrack is what the hooks know of the packet's connection.
//
// The zero Conntrack is "no conntrack entry yet" (Tracked false, State 0):
// that is what the raw table sees, where xt_conntrack reads INVALID.
type Conntrack struct {
	// Tracked is true once the conntrack hook (priority -200) has run and
	// attached an entry.
	Tracked bool
	// Untracked is true after NOTRACK / -j CT --notrack.
	Untracked bool
	// State is the state the packet has once tracked (NEW, ESTABLISHED,
	// RELATED; INVALID when conntrack refused it).
	State  CtState
	Status CtStatus
	Mark   uint32
	// Reply is true for a packet of the reply direction.
	Reply bool
	// Zone is the conntrack zone set by -j CT --zone.
	Zone uint16
}

// Effective returns the state bit xt_conntrack/xt_state sees now
// (net/netfilter/xt_conntrack.c conntrack_mt: no entry reads INVALID,
// an untracked packet reads UNTRACKED).
func (c Conntrack) Effective() CtState {
	switch {
	case c.Untracked:
		return CtUntracked
	case !c.Tracked:
		return CtInvalid
	}
	return c.State
}
